"""The admin API (plain HTTP on 127.0.0.1:--admin-port): inspect and set BMC state without
going through any BMC rule. Contract: docs/architecture.md, "simulator admin API"."""
from __future__ import annotations

import json

from aiohttp import web

from . import exposure, fleetgen
from .bmc import Knobs
from .fleet import Fleet
from .handlers.sessions import session_body


def make_admin_app(fleet: Fleet) -> web.Application:
    routes = web.RouteTableDef()

    def bmc_of(request):
        bmc = fleet.by_name.get(request.match_info["name"])
        if bmc is None:
            raise web.HTTPNotFound(text=json.dumps({"error": "no such BMC"}), content_type="application/json")
        return bmc

    def path_of(request) -> str:
        path = request.query.get("path")
        if not path:
            raise web.HTTPBadRequest(text=json.dumps({"error": "path= is required"}), content_type="application/json")
        return path.rstrip("/") or "/"

    def ok(data, status=200):
        return web.json_response(data, status=status)

    @routes.get("/bmcs")
    async def list_bmcs(request):
        return ok([{"name": b.name, "address": b.address, "home_address": b.home_address, "port": b.port, "generation": b.generation,
                    "model": b.identity.get("model"), "board": b.identity.get("board"), "up": b.up and b.reachable,
                    "reachable": b.reachable, "deviations": b.deviations} for b in fleet.bmcs])

    @routes.get("/bmcs/{name}/resource")
    async def get_resource(request):
        bmc, path = bmc_of(request), path_of(request)
        body = bmc.served(path)
        if body is None:
            raise web.HTTPNotFound(text=json.dumps({"error": f"no resource {path}"}), content_type="application/json")
        return ok(body)

    @routes.patch("/bmcs/{name}/resource")
    async def patch_resource(request):
        bmc, path = bmc_of(request), path_of(request)
        if bmc.get(path) is None:
            raise web.HTTPNotFound(text=json.dumps({"error": f"no resource {path}"}), content_type="application/json")
        bmc.patch(path, await request.json())
        _after_change(bmc, path)
        return ok(bmc.served(path))

    @routes.put("/bmcs/{name}/resource")
    async def put_resource(request):
        bmc, path = bmc_of(request), path_of(request)
        body = await request.json()
        body.setdefault("@odata.id", path)
        body.pop("@odata.etag", None)
        bmc.put(path, body)
        _after_change(bmc, path)
        return ok(bmc.served(path))

    @routes.delete("/bmcs/{name}/resource")
    async def delete_resource(request):
        bmc, path = bmc_of(request), path_of(request)
        bmc.delete(path)
        return ok({"deleted": path})

    @routes.get("/bmcs/{name}/paths")
    async def paths(request):
        return ok(sorted(bmc_of(request).store))

    @routes.get("/bmcs/{name}/accounts")
    async def accounts(request):
        bmc = bmc_of(request)
        return ok([{"id": a["Id"], "username": a["UserName"], "password": bmc.passwords.get(a["Id"]), "role": a["RoleId"],
                    "enabled": a["Enabled"], "locked": a["Locked"]} for a in bmc.accounts()])

    @routes.put("/bmcs/{name}/knobs")
    async def knobs(request):
        bmc = bmc_of(request)
        data = await request.json()
        unknown = set(data) - set(Knobs().as_dict()) - {"licenses", "up"}
        if unknown:
            return ok({"error": f"unknown knobs: {sorted(unknown)}"}, 400)
        wrong = sorted(set(data.get("stuck_services", [])) - set(exposure.SERVICES))
        if wrong:
            return ok({"error": f"stuck_services: unknown {wrong} (known: {sorted(exposure.SERVICES)})"}, 400)
        if "latency_ms" in data:
            lat = data["latency_ms"]
            bmc.knobs.latency_ms = tuple(lat) if isinstance(lat, list) else float(lat)
        for key in ("latency_paths", "fault", "strict_etag", "reboot_seconds", "firmware_time_scale", "seen_source",
                    "password_patch_lost"):
            if key in data:
                setattr(bmc.knobs, key, data[key])
        if "password_classes" in data:
            bmc.knobs.password_classes = tuple(data["password_classes"])
        if "stuck_services" in data:
            bmc.knobs.stuck_services = tuple(data["stuck_services"])
        if "licenses" in data:
            bmc.set_licenses(data["licenses"])
        if "up" in data:
            await bmc.set_up(bool(data["up"]))
        return ok({**bmc.knobs.as_dict(), "licenses": sorted(bmc.license_names()), "up": bmc.up})

    @routes.get("/bmcs/{name}/requests")
    async def requests(request):
        bmc = bmc_of(request)
        return ok({"count": bmc.request_count, "log": bmc.requests})

    @routes.delete("/bmcs/{name}/requests")
    async def reset_requests(request):
        bmc = bmc_of(request)
        bmc.requests, bmc.request_count = [], 0
        return ok({"count": 0, "log": []})

    @routes.get("/bmcs/{name}/sessions")
    async def sessions(request):
        return ok([{**session_body(s), "account_id": s.account_id} for s in bmc_of(request).sessions.values()])

    @routes.post("/bmcs/{name}/deviations")
    async def deviations(request):
        """Apply named deviations (fleetgen.DEVIATIONS) on top of the current state."""
        bmc = bmc_of(request)
        names = (await request.json()).get("apply", [])
        unknown = [n for n in names if n not in fleetgen.applicable(bmc.generation)]
        if unknown:
            raise web.HTTPBadRequest(text=json.dumps({"error": f"not applicable to {bmc.generation}: {unknown}"}),
                                     content_type="application/json")
        applied = bmc.deviations
        fleetgen.apply_deviations(bmc, names)
        bmc.deviations = sorted(set(applied) | set(names))
        return ok({"deviations": bmc.deviations})

    @routes.post("/bmcs/{name}/reset")
    async def reset(request):
        bmc = bmc_of(request)
        fleet.seed_bmc(bmc)
        bmc.knobs = fleet.launch_knobs()
        await fleet.move(bmc, bmc.home_address)          # back on its lease
        if not bmc.up:
            await bmc.set_up(True)
        return ok({"reset": bmc.name, "deviations": bmc.deviations})

    @web.middleware
    async def follow_state(request, handler):
        """After any change, the BMC's service listeners follow its state (exposure.py)."""
        response = await handler(request)
        bmc = fleet.by_name.get(request.match_info.get("name", ""))
        if bmc is not None and request.method != "GET":
            fleet.exposure.sync(bmc)
        return response

    app = web.Application(middlewares=[follow_state])
    app.add_routes(routes)
    return app


def _after_change(bmc, path: str) -> None:
    """Keep linked values consistent after a raw edit (licences are shown from QueryLicense)."""
    if path.endswith("/LicenseManager/QueryLicense"):
        bmc.licenses = [json.loads(s)["ProductKey"]["Node"] for s in bmc.get(path).get("Licenses", [])]


