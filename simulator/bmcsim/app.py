"""The HTTPS side: one aiohttp application serves every BMC; the BMC is chosen by the local
address the connection arrived on. The IP access control is checked when a connection is accepted
(fleet.Gate): like a stateful firewall, a rule change stops new connections, not established ones.
Order of a request: listener up? -> fault injection -> latency -> authentication -> licence gate ->
lockdown -> If-Match -> route or generic store behaviour. Every request is counted on its BMC."""
from __future__ import annotations

import asyncio
import json
import random
import re

from aiohttp import web

from .bmc import BMC, SESSIONS, R
from .errors import RedfishError, error_body
from .handlers import build_router, core
from .handlers.context import Ctx
from .handlers.sessions import authenticate

PUBLIC = {("GET", "/redfish"), ("GET", R), ("GET", f"{R}/$metadata"), ("GET", f"{R}/odata"), ("POST", SESSIONS)}

DCMS, OOB = "SFT-DCMS-SINGLE", "SFT-OOB-LIC"
# RG34 "Available APIs": URIs that need a licence (any of the listed ones), by method.
LICENSED = [
    (re.compile(rf"{R}/Systems/1/Bios(/.*)?"), "GET PATCH POST", (DCMS,)),
    (re.compile(rf"{R}/Systems/1/SecureBoot(/.*)?"), "GET PATCH POST", (DCMS,)),
    (re.compile(rf"{R}/Systems/1/Oem/Supermicro/FixedBootOrder"), "GET PATCH", (DCMS,)),
    (re.compile(rf"{R}/CertificateService(/.*)?"), "GET POST", (DCMS,)),
    (re.compile(rf"{R}/UpdateService/Actions/(UpdateService.SimpleUpdate|Oem/SmcUpdateService.Install)"), "POST", (DCMS,)),
    (re.compile(rf"{R}/Managers/1/Oem/Supermicro/SysLockdown"), "PATCH", (DCMS,)),
    (re.compile(rf"{R}/Managers/1/(HostInterfaces|SerialInterfaces)(/.*)?"), "GET PATCH", (OOB, DCMS)),
    (re.compile(rf"{R}/Systems/1/(NetworkInterfaces(/.*)?|Oem/Supermicro/NodeManager|SmcNodeManager)"), "GET PATCH", (OOB, DCMS)),
]
LOCKDOWN_EXEMPT = [("POST", re.compile(SESSIONS)), ("DELETE", re.compile(rf"{SESSIONS}/\w+")),
                   ("PATCH", re.compile(rf"{R}/Managers/1/Oem/Supermicro/SysLockdown"))]
WRITE = {"PATCH", "POST", "PUT", "DELETE"}
LOG_LIMIT = 10000

HTML_404 = ("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
            "         \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\" "
            "xml:lang=\"en\" lang=\"en\">\n <head>\n  <title>404 - Not Found</title>\n </head>\n <body>\n  <h1>404 - Not Found</h1>\n"
            " </body>\n</html>\n")


def normalize(path: str) -> str:
    return path.rstrip("/") if path not in ("/", "") else path


def render_error(bmc: BMC, err: RedfishError) -> web.Response:
    if err.status == 404 and bmc.x11:
        return web.Response(status=404, text=HTML_404, content_type="text/html")
    headers = {"WWW-Authenticate": 'Basic realm="Redfish"'} if err.status == 401 else None
    return web.Response(status=err.status, text=json.dumps(error_body(err, bmc.x11)), content_type="application/json",
                        headers=headers)


def latency_of(bmc: BMC, path: str) -> float:
    lat = bmc.knobs.latency_ms
    ms = random.uniform(*lat) if isinstance(lat, tuple) else float(lat)
    return (ms + bmc.knobs.latency_paths.get(path, 0)) / 1000


def _fault_applies(fault: dict, method: str, path: str) -> bool:
    paths, methods = fault.get("paths") or [], fault.get("methods") or []
    return (not paths or any(path == p or path.startswith(p.rstrip("/") + "/") for p in paths)) \
        and (not methods or method in methods) and random.random() < float(fault.get("rate", 1))


# Answers of a failing BMC (fault kinds "404" and "500"): the generation's own error rendering.
FAULT_STATUS = {"404": (404, "ResourceMissingAtURI"), "500": (500, "GeneralError")}


async def _drip(request: web.Request, response: web.Response, seconds: float) -> web.StreamResponse:
    """The answer of `response`, its body sent one byte every `seconds` (a BMC that is alive but
    hopelessly slow: every single read succeeds, the request as a whole never ends in time)."""
    stream = web.StreamResponse(status=response.status, headers={"Content-Type": response.content_type})
    stream.content_length = len(response.body)
    await stream.prepare(request)
    for i in range(len(response.body)):
        await asyncio.sleep(seconds)
        await stream.write(response.body[i:i + 1])
    await stream.write_eof()
    return stream


async def _huge(request: web.Request, size: int, announce: bool) -> web.StreamResponse:
    """A 200 JSON object of `size` bytes, streamed (with a Content-Length when `announce`)."""
    head, tail = b'{"@odata.id": "%s", "Padding": "' % request.path.encode(), b'"}'
    stream = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    if announce:
        stream.content_length = size
    await stream.prepare(request)
    await stream.write(head)
    left, chunk = max(0, size - len(head) - len(tail)), b"x" * 65536
    while left > 0:
        await stream.write(chunk[:min(left, len(chunk))])
        left -= len(chunk)
    await stream.write(tail)
    await stream.write_eof()
    return stream


def make_app(bmcs_by_address: dict[str, BMC], on_write=None) -> web.Application:
    router = build_router()

    async def handle(request: web.Request) -> web.StreamResponse:
        bmc = bmcs_by_address.get(request.transport.get_extra_info("sockname")[0]) if request.transport else None
        path = normalize(request.path)
        if bmc is None or not bmc.up:
            return _drop(request, bmc, path)
        fault = bmc.knobs.fault
        if fault and _fault_applies(fault, request.method, path):
            kind = str(fault.get("kind"))
            if kind == "reset":
                return _drop(request, bmc, path)
            if kind == "down":
                await bmc.set_up(False)
                return _drop(request, bmc, path)
            if kind == "timeout":
                _log(bmc, request.method, path, 0)
                await asyncio.sleep(float(fault.get("seconds", 300)))    # never answers within a client's timeout
                raise asyncio.CancelledError
            if kind == "503":
                response = render_error(bmc, RedfishError(503, "ServiceTemporarilyUnavailable", 30))
                _log(bmc, request.method, path, 503)
                return response
            if kind in FAULT_STATUS:
                status, message_id = FAULT_STATUS[kind]
                response = render_error(bmc, RedfishError(status, message_id, *([path] if status == 404 else [])))
                _log(bmc, request.method, path, status)
                return response
            if kind == "huge":
                _log(bmc, request.method, path, 200)
                return await _huge(request, int(fault.get("bytes", 300 * 1024 * 1024)), bool(fault.get("announce", True)))
        if delay := latency_of(bmc, path):
            await asyncio.sleep(delay)
        ctx = Ctx(bmc, request, path)
        try:
            response = await dispatch(ctx)
        except RedfishError as err:
            response = render_error(bmc, err)
        _log(bmc, request.method, path, response.status)
        if on_write and request.method in WRITE:
            on_write(bmc)        # services and access control may have changed: the listeners follow
        if fault and str(fault.get("kind")) == "drip" and _fault_applies(fault, request.method, path) \
                and isinstance(response, web.Response) and response.body:
            return await _drip(request, response, float(fault.get("seconds", 3)))
        return response

    async def dispatch(ctx: Ctx) -> web.StreamResponse:
        bmc, method, path = ctx.bmc, ctx.request.method, ctx.path
        if (method, path) not in PUBLIC:
            authenticate(ctx)
        for pattern, methods, licences in LICENSED if bmc.generation != "generic" else ():   # Supermicro licences only
            if method in methods.split() and pattern.fullmatch(path):
                # X11 firmware does not split features between its licences.
                if not bmc.license_names() & ({OOB, DCMS} if bmc.x11 else set(licences)):
                    raise RedfishError(403, "OemLicenseNotPassed", ", ".join(licences))
                break
        if method in WRITE and locked_down(bmc) and not any(m == method and p.fullmatch(path) for m, p in LOCKDOWN_EXEMPT):
            raise RedfishError(403, "OemSystemLockdownEnabled")
        if method in ("PATCH", "PUT", "DELETE") and bmc.etags and path in bmc.store:
            await ctx.request.read()    # the whole body first: no other request runs between the check and the write
            check_if_match(ctx)
        route, match = router.match(method, path, bmc.base_generation)
        if route:
            ctx.match = match
            return await route.handler(ctx)
        return await core.generic(ctx, router)

    app = web.Application(client_max_size=256 * 1024 * 1024)   # firmware images arrive as multipart uploads
    app.router.add_route("*", "/{tail:.*}", handle)
    return app


def locked_down(bmc: BMC) -> bool:
    lock = bmc.get(f"{R}/Managers/1/Oem/Supermicro/SysLockdown")
    return bool(lock and lock.get("SysLockdownEnabled"))


def check_if_match(ctx: Ctx) -> None:
    given = ctx.request.headers.get("If-Match")
    if given is None:
        if ctx.bmc.knobs.strict_etag:
            raise RedfishError(428, "PreconditionRequired")
        return
    current = ctx.bmc.etag(ctx.path)
    accepted = {t.strip() for t in given.split(",")}
    if "*" not in accepted and current not in accepted and current.strip('"') not in accepted and f"W/{current}" not in accepted:
        raise RedfishError(412, "PreconditionFailed")


def _log(bmc: BMC, method: str, path: str, status: int) -> None:
    bmc.request_count += 1
    if len(bmc.requests) < LOG_LIMIT:
        bmc.requests.append([method, path, status])


def _drop(request: web.Request, bmc: BMC | None, path: str) -> web.Response:
    """Like a firewall or a dead BMC: the connection is reset, nothing is answered."""
    if bmc is not None:
        _log(bmc, request.method, path, 0)
    if request.transport:
        request.transport.abort()
    raise asyncio.CancelledError
