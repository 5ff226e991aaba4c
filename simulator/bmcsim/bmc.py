"""One simulated BMC: its Redfish resource store, credentials, sessions, licences and knobs.

The store maps a Redfish path to the body the BMC serves (without `@odata.etag`, which is
derived from the body on every GET). Handlers and the admin API change the store through the
helpers here so that collections, linked values (FirmwareVersion / BiosVersion) and persistence
stay consistent.
"""
from __future__ import annotations

import asyncio
import base64
import copy
import hashlib
import ipaddress
import json
import secrets
import time
from dataclasses import dataclass, field

R = "/redfish/v1"
MANAGER = f"{R}/Managers/1"
ACCOUNTS = f"{R}/AccountService/Accounts"
SESSIONS = f"{R}/SessionService/Sessions"
FIRMWARE = f"{R}/UpdateService/FirmwareInventory"
TASKS = f"{R}/TaskService/Tasks"

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
LICENSE_IDS = {"SFT-OOB-LIC": "1", "SFT-DCMS-SINGLE": "2", "SFT-DCMS-SVC-KEY": "3"}


def merge_patch(target: dict, patch: dict) -> dict:
    """RFC 7396 JSON merge-patch, in place."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge_patch(target[key], value)
        elif isinstance(value, list) and isinstance(target.get(key), list):
            target[key] = patch_array(target[key], value)
        else:
            target[key] = copy.deepcopy(value)
    return target


def patch_array(current: list, patch: list) -> list:
    """Redfish array PATCH (DSP0266): {} leaves the element in that position as it is, an object patches it,
    null removes it; elements past the end of the patch are dropped."""
    result = []
    for i, value in enumerate(patch):
        old = current[i] if i < len(current) else None
        if value is None:
            continue
        if isinstance(value, dict) and (value == {} or isinstance(old, dict)) and old is not None:
            value = merge_patch(copy.deepcopy(old), value) if isinstance(old, dict) else old
        result.append(copy.deepcopy(value))
    return result


def etag_of(body: dict) -> str:
    return '"%s"' % hashlib.md5(json.dumps(body, sort_keys=True).encode()).hexdigest()


@dataclass
class Session:
    id: str
    token: str
    username: str
    account_id: str
    created: float
    last_used: float


@dataclass
class Knobs:
    latency_ms: float | tuple[float, float] = 0            # fixed, or (low, high) uniform
    latency_paths: dict[str, float] = field(default_factory=dict)  # path prefix -> extra ms
    fault: dict | None = None     # {kind: 503|404|500|reset|timeout|down|drip|huge, rate, paths, methods, seconds, bytes, announce}
    strict_etag: bool = False
    password_classes: tuple = ("upper", "lower", "digit", "special")   # complexity rule (unverified on hardware)
    reboot_seconds: float = 5                                         # Manager.Reset: listener down this long
    firmware_time_scale: float = 1.0                                  # firmware verify/flash durations x this
    stuck_services: tuple = ()              # NetworkProtocol services that answer even while off (exposure.py)
    seen_source: str | None = None          # the client address the BMC sees (NAT, proxy)
    address_settle_seconds: float = 1.0     # a new LAN address takes this long after the PATCH's answer
    password_patch_lost: bool = False   # a password PATCH answers 200 but the old password stays (fwupd #5129: passwords
                                        # change under the user's feet): what the connecting account's proof catches

    def as_dict(self) -> dict:
        lat = list(self.latency_ms) if isinstance(self.latency_ms, tuple) else self.latency_ms
        return {"latency_ms": lat, "latency_paths": self.latency_paths, "fault": self.fault, "strict_etag": self.strict_etag,
                "password_classes": list(self.password_classes), "reboot_seconds": self.reboot_seconds,
                "firmware_time_scale": self.firmware_time_scale, "stuck_services": list(self.stuck_services),
                "seen_source": self.seen_source, "address_settle_seconds": self.address_settle_seconds,
                "password_patch_lost": self.password_patch_lost}


class BMC:
    def __init__(self, name: str, index: int, address: str, port: int, identity: dict):
        self.name, self.index, self.address, self.port = name, index, address, port
        self.home_address = address                  # its DHCP lease; `address` is where it listens now
        self.identity = identity
        self.generation: str = identity["generation"]
        self.org_view: dict = {}                     # Redfish view of the fleet-CA leaf this BMC serves by default
        self.tls: dict | None = None                 # {"chain", "key"} (PEM) uploaded through Redfish; None: the leaf
        self.factory_tls: dict | None = None         # {"chain", "key"}: the Supermicro factory certificate (default_cert serves it)
        self.csr_key: str | None = None              # the key GenerateCSR made, waiting for its certificate
        self.store: dict[str, dict] = {}
        self.passwords: dict[str, str] = {}          # account Id -> password
        self.licenses: list[dict] = []               # {"LicenseID", "LicenseName", "CreateDate"}
        self.deviations: list[str] = []
        self.sessions: dict[str, Session] = {}
        self.failures: dict[str, list[float]] = {}   # username -> failed login times
        self.locked_until: dict[str, float] = {}
        self.knobs = Knobs()
        self.reachable = True                        # False: --unreachable, never listens
        self.up = True                               # False: listener closed (fault "down", BMC reboot)
        self.staging: dict[str, object] = {}         # component -> firmware.Pending (update mode, staged BIOS)
        self.requests: list[list] = []               # [method, path, status] since the last reset (capped)
        self.request_count = 0
        self.dirty = False
        self.on_up_change = None                     # set by the fleet: coroutine fn(bmc)
        self.on_address_change = None               # set by the fleet: coroutine fn(bmc, address)
        self.pending_move = None                     # the scheduled address change (asyncio handle)
        self.moving = None                           # the address change running (asyncio task)

    # ---- generation facts -------------------------------------------------------------
    @property
    def x11(self) -> bool:
        return self.generation == "x11"

    @property
    def base_generation(self) -> str:
        """The Supermicro tree a BMC is built from and routed as (the generic profile: X13's)."""
        return "x13" if self.generation == "generic" else self.generation

    @property
    def etags(self) -> bool:
        return not self.x11

    def oem_path(self, feature: str) -> str:
        """Where an OEM manager feature lives: Managers/1/Oem/Supermicro/X (X12/X13) or Managers/1/X (X11)."""
        return f"{MANAGER}/{feature}" if self.x11 else f"{MANAGER}/Oem/Supermicro/{feature}"

    # ---- store ----------------------------------------------------------------------------
    def get(self, path: str) -> dict | None:
        return self.store.get(path.rstrip("/") or "/")

    def served(self, path: str) -> dict | None:
        """The body as the BMC serves it (with @odata.etag on X12/X13)."""
        body = self.get(path)
        if body is None:
            return None
        body = dict(body)  # annotations below go on a copy; nested values are only read
        if body.get("@odata.type") == "#LogEntryCollection.LogEntryCollection":   # AutoExpand in the schema
            body["Members"] = [self.served(m["@odata.id"]) or m for m in body["Members"]]
        if self.etags and "@odata.id" in body:
            body["@odata.etag"] = etag_of(body)
        return body

    def etag(self, path: str) -> str | None:
        body = self.get(path)
        return etag_of(body) if body is not None and self.etags else None

    def put(self, path: str, body: dict) -> None:
        """Create or replace a resource; a new member is linked into its parent collection."""
        path = path.rstrip("/")
        self.store[path] = body
        parent = self.store.get(path.rsplit("/", 1)[0])
        if parent is not None and "Members" in parent and {"@odata.id": path} not in parent["Members"]:
            parent["Members"].append({"@odata.id": path})
            parent["Members@odata.count"] = len(parent["Members"])
        self.dirty = True

    def patch(self, path: str, patch: dict) -> dict:
        body = merge_patch(self.store[path.rstrip("/")], patch)
        self.dirty = True
        return body

    def delete(self, path: str) -> None:
        path = path.rstrip("/")
        for p in [p for p in self.store if p == path or p.startswith(path + "/")]:
            del self.store[p]
        parent = self.store.get(path.rsplit("/", 1)[0])
        if parent is not None and "Members" in parent:
            parent["Members"] = [m for m in parent["Members"] if m.get("@odata.id") != path]
            parent["Members@odata.count"] = len(parent["Members"])
        self.dirty = True

    # ---- firmware inventory (shared with the firmware update module) --------------------
    def set_firmware(self, component: str, version: str, filename: str | None = None, release_date: str | None = None) -> None:
        """Set an inventory member's version; BMC and BIOS also update Managers/1 and Systems/1."""
        path = self.firmware_path(component)
        body = self.store[path]
        body["Version"] = version
        oem = body.get("Oem", {}).get("Supermicro")
        if oem is not None and "UniqueFilename" in oem:
            oem["UniqueFilename"] = filename
        if release_date and "ReleaseDate" in body:
            body["ReleaseDate"] = release_date
        legacy = self.store.get(f"{R}/UpdateService/Oem/Supermicro/FirmwareInventory/{component}")
        if legacy is not None:  # X12 keeps the deprecated per-component view in step
            legacy["Version"] = version
        if component == "BMC":
            self.store[MANAGER]["FirmwareVersion"] = version
        if component == "BIOS":
            self.store[f"{R}/Systems/1"]["BiosVersion"] = bios_short(version)
        self.dirty = True

    def firmware_path(self, component: str) -> str:
        if self.x11:
            return f"{R}/UpdateService/SmcFirmwareInventory/{component}"
        return f"{FIRMWARE}/{component}"

    @property
    def routable(self) -> bool:
        """Its address is one this machine reaches (loopback): a BMC moved anywhere else is lost
        until an admin reset, as a real one is until someone walks to its console."""
        return ipaddress.ip_address(self.address) in LOOPBACK

    def move_to(self, address: str, delay: float) -> None:
        """The LAN address changes `delay` seconds from now (after the PATCH's answer went out):
        the listener and its service ports move, connections to the old address are cut."""
        if self.pending_move:
            self.pending_move.cancel()
        loop = asyncio.get_running_loop()

        def move():     # the task is kept: the loop holds only a weak reference to it
            self.moving = loop.create_task(self.on_address_change(self, address))
        self.pending_move = loop.call_later(delay, move)

    async def set_up(self, up: bool) -> None:
        """Open or close this BMC's listener (a rebooting BMC refuses connections)."""
        self.up = up
        if self.on_up_change:
            await self.on_up_change(self)

    # ---- tasks ----------------------------------------------------------------------------
    def create_task(self, name: str, state: str = "Completed", percent: int = 100, messages=None) -> str:
        """A TaskService task (NTP/network changes answer 202 with one; firmware updates drive theirs)."""
        ids = [int(m["@odata.id"].rsplit("/", 1)[1]) for m in self.store[TASKS]["Members"]]
        tid = str(max(ids, default=0) + 1)
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())
        body = {"@odata.type": "#Task.v1_4_3.Task", "@odata.id": f"{TASKS}/{tid}", "Id": tid, "Name": name,
                "TaskState": state, "StartTime": now, "PercentComplete": percent, "HidePayload": True,
                "TaskMonitor": f"{R}/TaskMonitor/{secrets.token_urlsafe(23)[:31]}",
                "TaskStatus": "OK", "Messages": messages or [{"MessageId": "", "RelatedProperties": [""], "Message": "",
                                                               "MessageArgs": [""], "Severity": ""}], "Oem": {}}
        if state == "Completed":
            body["EndTime"] = now
        self.put(f"{TASKS}/{tid}", body)
        return f"{TASKS}/{tid}"

    # ---- accounts -----------------------------------------------------------------------------
    def accounts(self) -> list[dict]:
        return [self.store[m["@odata.id"]] for m in self.store[ACCOUNTS]["Members"]]

    def account_by_name(self, username: str) -> dict | None:
        return next((a for a in self.accounts() if a["UserName"] == username), None)

    def account_service(self) -> dict:
        return self.store[f"{R}/AccountService"]

    # ---- licences -----------------------------------------------------------------------------
    def license_names(self) -> set[str]:
        return {lic["LicenseName"] for lic in self.licenses}

    def set_licenses(self, names) -> None:
        self.licenses = [{"LicenseID": LICENSE_IDS.get(n, "9"), "LicenseName": n, "CreateDate": "20240115"} for n in names]
        self.sync_licenses()

    def sync_licenses(self) -> None:
        q = self.store.get(f"{MANAGER}/LicenseManager/QueryLicense")
        if q is not None:
            q["Licenses"] = [json.dumps({"ProductKey": {"Node": lic, "Signature": license_signature(self.identity["serial"], lic)}},
                                        separators=(",", ":")) for lic in self.licenses]
        self.dirty = True

    # ---- IP access control ---------------------------------------------------------------
    def acl_allows(self, client: str) -> bool:
        """Supermicro IP Access Control as enforced here: off -> all allowed; on -> rules in Id
        order, first match decides (Accept/Drop); no rule matches -> dropped. An enabled service
        with no rules filters nothing (the BMC would have nothing to match). `client` is the
        address the BMC sees: the `seen_source` knob stands for NAT between client and BMC."""
        client = self.knobs.seen_source or client
        acl = self.get(self.oem_path("IPAccessControl"))
        if not acl or not acl.get("ServiceEnabled"):
            return True
        rules = self.acl_rules()
        if not rules:
            return True
        addr = ipaddress.ip_address(client)
        for rule in rules:
            try:
                net = ipaddress.ip_network(f"{rule['Address']}/{rule['PrefixLength']}", strict=False)
            except (ValueError, KeyError):
                continue
            if addr in net:
                return rule.get("Policy") == "Accept"
        return False

    def acl_rules(self) -> list[dict]:
        coll = self.get(self.oem_path("IPAccessControl") + "/FilterRules") or {"Members": []}
        rules = [self.store[m["@odata.id"]] for m in coll["Members"] if m["@odata.id"] in self.store]
        return sorted(rules, key=lambda r: int(r["Id"]))

    # ---- persistence -----------------------------------------------------------------------
    def snapshot(self) -> dict:
        return {"name": self.name, "identity": self.identity, "store": self.store, "passwords": self.passwords,
                "licenses": self.licenses, "deviations": self.deviations, "tls": self.tls, "address": self.address}

    def restore(self, data: dict) -> None:
        self.identity, self.store, self.passwords = data["identity"], data["store"], data["passwords"]
        self.licenses, self.deviations = data["licenses"], data["deviations"]
        self.tls = data.get("tls")
        self.address = data.get("address", self.address)
        self.generation = self.identity["generation"]


def bios_short(inventory_version: str) -> str:
    """'BIOS Date: 08/04/2023 Ver 1.4' -> '1.4' (Systems/1.BiosVersion)."""
    return inventory_version.rsplit("Ver ", 1)[-1]


def license_signature(serial: str, lic: dict) -> str:
    digest = hashlib.sha512(f"{serial}:{lic['LicenseName']}:{lic['CreateDate']}".encode()).digest()
    return base64.b64encode(digest * 4).decode()
