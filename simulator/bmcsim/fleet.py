"""The fleet: builds every BMC (identity, factory tree, hardening, deviations), opens one TLS
listener per BMC address on the shared port, persists state, writes the inventory."""
from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import random
import tempfile
from pathlib import Path

import yaml
from aiohttp import web

from . import fleetgen, tls
from .exposure import Exposure
from .app import make_app
from .bmc import BMC, Knobs, R
from .profiles import build, generic
from .profiles.x13 import https_certificate

GENERATIONS = ("x13", "x12", "x11")
PROFILES = GENERATIONS + ("generic",)   # generic: not a Supermicro (profiles/generic.py); never in "mixed"


class Fleet:
    def __init__(self, count: int, profile: str, port: int = 8443, base_address: str = "127.0.10.1", seed: int = 0,
                 username: str = "ansible", password: str = "Sim!Operator2024", noncompliant: float = 0.0,
                 unreachable: int = 0, state_dir: str | None = None, latency_ms=0, latency_paths=None, strict_etag=False,
                 service_port_base: int = 20000):
        self.count, self.profile, self.port, self.seed = count, profile, port, seed
        self.username, self.password, self.noncompliant = username, password, noncompliant
        self.state_dir = Path(state_dir).resolve() if state_dir else None
        self._tmp = None if self.state_dir else tempfile.TemporaryDirectory(prefix="bmcsim-")
        self.dir = self.state_dir or Path(self._tmp.name)
        (self.dir / "tls").mkdir(parents=True, exist_ok=True)
        self.ca = tls.CertificateAuthority(self.dir / "tls")
        self.factory_view = tls.describe(self.ca.factory_certificate())
        self.factory_tls = dict(zip(("chain", "key"), (pem.decode() for pem in self.ca.factory_pair())))
        self._launch_knobs = {"latency_ms": latency_ms, "latency_paths": dict(latency_paths or {}), "strict_etag": strict_etag}
        first = ipaddress.ip_address(base_address)
        self.bmcs: list[BMC] = []
        self.contexts = {}
        for i in range(1, count + 1):
            address = str(first + i - 1)
            bmc = BMC(f"bmc-{i:03d}", i, address, port, {"generation": self.generation_of(i)})
            ctx, leaf = self.ca.server_context(address, bmc.name, self.dir / "tls")
            ctx.sni_callback = self._certificate_chooser(bmc)
            self.contexts[bmc.name] = ctx
            bmc.org_view = tls.describe(leaf)
            bmc.reachable = i <= count - unreachable
            bmc.knobs = self.launch_knobs()
            bmc.on_up_change = self._listener_changed
            bmc.on_address_change = self.move
            bmc.factory_tls = self.factory_tls
            if not self._load(bmc):
                self.seed_bmc(bmc)
            self.bmcs.append(bmc)
        self.by_name = {b.name: b for b in self.bmcs}
        self.by_address = {b.address: b for b in self.bmcs}
        self.servers: dict[str, asyncio.AbstractServer] = {}          # by BMC name, like the two below
        self.connections: dict[str, set] = {b.name: set() for b in self.bmcs}
        self.runner: web.AppRunner | None = None
        self.exposure = Exposure(service_port_base)     # SSH, HTTP, IPMI, SNMP, ... beside Redfish

    def _certificate_chooser(self, bmc: BMC):
        """The listener's handshake hook (called with or without SNI): a BMC with an uploaded
        certificate serves that one, otherwise the CA leaf of its listener context."""
        uploaded: dict[str, object] = {}       # chain PEM -> its server context

        def choose(sslobj, server_name, listener_ctx):
            if bmc.tls:
                if bmc.tls["chain"] not in uploaded:
                    uploaded.clear()
                    uploaded[bmc.tls["chain"]] = tls.served_context(bmc.tls["chain"].encode(), bmc.tls["key"].encode(),
                                                                    self.dir / "tls" / f"{bmc.name}-uploaded")
                sslobj.context = uploaded[bmc.tls["chain"]]
        return choose

    def launch_knobs(self) -> Knobs:
        """The knobs the command line gave every BMC (the admin reset returns to them)."""
        return Knobs(**{k: (dict(v) if isinstance(v, dict) else v) for k, v in self._launch_knobs.items()})

    def generation_of(self, i: int) -> str:
        return GENERATIONS[(i - 1) % 3] if self.profile == "mixed" else self.profile

    # ---- state ----------------------------------------------------------------------------
    def seed_bmc(self, bmc: BMC) -> None:
        """The seeded state of one BMC: identity, factory tree, hardening, its deviations."""
        rng = random.Random(f"{self.seed}:{bmc.index}")
        ident = fleetgen.identity(rng, bmc.name, bmc.base_generation, bmc.home_address)
        platform = {**self.factory_view, "Issuer": tls.SUPERMICRO_ROOT_CA, "Subject": tls.SUPERMICRO_ROOT_CA}
        ident["certs"] = {"factory": self.factory_view, "org": bmc.org_view, "platform": platform}
        bmc.identity = ident
        bmc.store, bmc.passwords, bmc.licenses = build(dict(ident, generation=bmc.base_generation)), {}, []
        bmc.tls = bmc.csr_key = None
        if bmc.pending_move:
            bmc.pending_move.cancel()
        bmc.sessions.clear()
        bmc.staging.clear()          # running firmware jobs see their update dropped and stop
        bmc.failures.clear()
        bmc.locked_until.clear()
        fleetgen.factory_accounts(bmc)
        fleetgen.harden(bmc, self.username, self.password)
        fleetgen.apply_deviations(bmc, fleetgen.choose_deviations(rng, bmc.generation, self.noncompliant))
        if bmc.generation == "generic":
            generic.rebrand(bmc)
        bmc.dirty = True

    def _state_file(self, bmc: BMC) -> Path | None:
        return self.state_dir / "bmcs" / f"{bmc.name}.json" if self.state_dir else None

    def _load(self, bmc: BMC) -> bool:
        path = self._state_file(bmc)
        if not path or not path.exists():
            return False
        data = json.loads(path.read_text())
        if data["identity"].get("generation") != bmc.generation or data["identity"].get("address") != bmc.home_address:
            return False        # a different fleet layout: start this BMC afresh
        bmc.restore(data)
        # The leaf key is new on every start; a view of the leaf follows it (an uploaded certificate is kept as it is).
        cert = bmc.store.get(f"{R}/Managers/1/NetworkProtocol/HTTPS/Certificates/1")
        if cert and not bmc.tls and cert["Issuer"] == bmc.identity["certs"]["org"]["Issuer"]:
            cert.update({k: v for k, v in https_certificate(bmc.org_view).items() if k not in ("@odata.type",)})
        bmc.identity["certs"]["org"] = bmc.org_view
        return True

    def save(self, force: bool = False) -> None:
        if not self.state_dir:
            return
        (self.state_dir / "bmcs").mkdir(parents=True, exist_ok=True)
        for bmc in self.bmcs:
            if bmc.dirty or force:
                path = self._state_file(bmc)
                tmp = path.with_suffix(".tmp")
                tmp.write_text(json.dumps(bmc.snapshot()))
                os.replace(tmp, path)           # atomic
                bmc.dirty = False

    async def autosave(self, every: float = 1.0) -> None:
        while True:
            await asyncio.sleep(every)
            self.save()

    # ---- listeners ------------------------------------------------------------------------
    async def start(self) -> None:
        self.runner = web.AppRunner(make_app(self.by_address, on_write=self.exposure.sync), access_log=None, shutdown_timeout=1)
        await self.runner.setup()
        await asyncio.gather(*(self.open(b) for b in self.bmcs if b.reachable and b.up))
        for bmc in self.bmcs:
            self.exposure.sync(bmc)

    def _factory(self, bmc: BMC):
        server, conns = self.runner.server, self.connections[bmc.name]
        return lambda: Gate(server(), bmc, conns)

    async def open(self, bmc: BMC) -> None:
        if bmc.name in self.servers or not bmc.reachable or not bmc.routable or self.by_address.get(bmc.address) is not bmc:
            return
        loop = asyncio.get_running_loop()
        self.servers[bmc.name] = await loop.create_server(self._factory(bmc), bmc.address, self.port,
                                                          ssl=self.contexts[bmc.name], reuse_address=True, backlog=128)

    async def close(self, bmc: BMC) -> None:
        server = self.servers.pop(bmc.name, None)
        if server:
            server.close()
        for transport in list(self.connections[bmc.name]):
            transport.abort()

    async def move(self, bmc: BMC, address: str) -> None:
        """The BMC's LAN address changed (an EthernetInterface PATCH, or a reset back to its lease):
        the HTTPS listener and the service ports leave the old address, connections to it are cut,
        and they open on the new one with the same certificate. Sessions live on (they are the
        BMC's, not the address's). An address another BMC holds, or one outside loopback, leaves
        it unreachable: lost until an admin reset."""
        if address == bmc.address:
            return
        await self.close(bmc)
        self.exposure.forget(bmc.address)
        if self.by_address.get(bmc.address) is bmc:
            del self.by_address[bmc.address]
        bmc.address = address
        self.by_address.setdefault(address, bmc)
        bmc.dirty = True
        if bmc.up:
            await self.open(bmc)
        self.exposure.sync(bmc)

    async def _listener_changed(self, bmc: BMC) -> None:
        await (self.open(bmc) if bmc.up else self.close(bmc))
        self.exposure.sync(bmc)

    async def stop(self) -> None:
        self.exposure.close_all()
        for bmc in self.bmcs:
            await self.close(bmc)
        if self.runner:
            await self.runner.cleanup()
        self.save()
        if self._tmp:
            self._tmp.cleanup()

    # ---- inventory -------------------------------------------------------------------------
    def inventory(self) -> dict:
        children = {g: {"hosts": {}} for g in ("x11", "x12", "x13")}
        children.update({b.generation: {"hosts": {}} for b in self.bmcs if b.generation not in children})
        for b in self.bmcs:
            children[b.generation]["hosts"][b.name] = {"ansible_host": b.address, "bmc_port": b.port,
                                                       "bmc_generation": b.generation,
                                                       "bmc_service_ports": self.exposure.ports(b.port)}
        return {"all": {"children": {"bmcs": {
            "vars": {"bmc_username": self.username, "bmc_password": self.password, "bmc_ca_path": str(self.ca.cert_path),
                     "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}"},
            "children": children}}}}

    def write_inventory(self, path: str) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            yaml.safe_dump(self.inventory(), f, sort_keys=False)
        os.chmod(path, 0o600)


class Gate(asyncio.Protocol):
    """Wraps aiohttp's protocol to act like the BMC's firewall: a connection from an address the
    IP access control does not accept (or to a BMC that is down) is reset right after accept."""

    def __init__(self, inner: asyncio.Protocol, bmc: BMC, connections: set):
        self.inner, self.bmc, self.connections, self.transport = inner, bmc, connections, None

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.inner.connection_made(transport)
        peer = transport.get_extra_info("peername")
        if not self.bmc.up or (peer and not self.bmc.acl_allows(peer[0])):
            transport.abort()
            return
        self.connections.add(transport)

    def connection_lost(self, exc) -> None:
        self.connections.discard(self.transport)
        self.inner.connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self):
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()
