# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Gather the normalized `bmc` facts the controls need (schema: docs/facts.md).

Few requests, few round trips: on a Supermicro BMC every path is known once the layout is
(supermicro.RESOURCE_PATHS). Wave 1 fetches the resources in parallel (when the root does not tell
the layout, the ones every layout has first); wave 2 fetches the members of the collections it
found (accounts, IP filter rules, event subscriptions, the BMC and BIOS firmware images). Vendor,
layout and generation come from several signals (supermicro.detect), with the evidence in
`identity.detection`; Managers/1 (seconds on real BMCs) only as a fallback. Another vendor's
service is read by following links from the root.

Evidence, not absence of evidence: each fact section is `{"supported": true, ...}` with data of
the expected types (TYPES), `{"supported": false, "reason": ...}` only from positive knowledge
("not supported on X11", "not licensed", "not a Supermicro BMC"), or `{"error": "..."}` naming the
path and the HTTP status for anything else (a 404 on a resource the layout serves, a listed member
that does not answer, a missing or mistyped property). One failing resource never fails the
whole gather.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import re
from urllib.parse import urlsplit

from ansible_collections.bmclock.supermicro.plugins.module_utils import supermicro
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import HostTimeout, RedfishError

ROOT = "/redfish/v1"
SCHEMA_VERSION = 1

# NetworkProtocol property -> service name used in the facts and in bmc_allowed_services.
PROTOCOLS = {"HTTP": "http", "HTTPS": "https", "IPMI": "ipmi", "SSH": "ssh", "SNMP": "snmp",
             "VirtualMedia": "virtual_media", "KVMIP": "kvm", "SSDP": "ssdp", "Telnet": "telnet"}
SERVICES = tuple(PROTOCOLS.values())

# Collections whose members wave 2 fetches, with the members that matter. The firmware inventory
# of a real X13 lists about 100 components (NICs, PSUs, GPUs, CPLDs); the controls need the BMC
# and BIOS images: active, backup, golden and staging.
FIRMWARE_IMAGE = re.compile(r"^(?:(Backup|Golden|Staging)_)?(BMC|BIOS)$")
COLLECTIONS = {
    "accounts": lambda member_id: True,
    "ip_filter_rules": lambda member_id: True,
    "subscriptions": lambda member_id: True,
    "firmware": lambda member_id: bool(FIRMWARE_IMAGE.match(member_id)),
}


def _plan(layout):
    paths = {key: path for key, path in supermicro.RESOURCE_PATHS[layout].items() if path}
    return {"root": ROOT, "resources": sorted(paths.values()),
            "collections": {key: paths[key] for key in COLLECTIONS if key in paths}}


# The GETs a gather makes per layout: the root, then `resources` (wave 1), then the members of
# `collections` (wave 2). X12 shares the X13 layout; H-series boards use their X counterpart's.
PLAN = {layout: _plan(layout) for layout in supermicro.LAYOUTS}


def minimum_requests(generation, members, auth="session"):
    """Requests for one audit: session login and logout (basic auth: one credential check), the
    root, wave 1, and `members` ({collection: number of members needed}) in wave 2."""
    plan = PLAN[supermicro.layout(generation)]
    return (2 if auth == "session" else 1) + 1 + len(plan["resources"]) + sum(members.values())


class _Unavailable(Exception):
    """Positive knowledge that the BMC has no such resource: its layout or vendor has none, or
    it answered "not licensed"."""


class _Failed(Exception):
    """The BMC failed to answer for this resource, or answered something that is not the facts."""


# Redfish properties the sections read, with their types (docs/facts.md): "?" may be missing or
# null; without it the property must be there with that type. A member collection's entry
# applies to each member. Anything else is an error naming the path and the property, never a
# coerced value ("false" is no boolean, a missing SSH block is no disabled SSH).
_SERVICE_BLOCKS = ("HTTP", "HTTPS", "IPMI", "SSH", "SNMP", "VirtualMedia", "KVMIP", "SSDP")
TYPES = {
    "system": {"Manufacturer": "str?", "Model": "str?", "SerialNumber": "str?", "BiosVersion": "str?", "UUID": "str?"},
    "chassis": {"Model": "str?", "Manufacturer": "str?"},
    "account_service": {"MinPasswordLength": "int", "AccountLockoutThreshold": "int", "AccountLockoutDuration": "int",
                        "MaxPasswordLength": "int?", "AccountLockoutCounterResetAfter": "int?", "AuthFailureLoggingThreshold": "int?"},
    "accounts": {"UserName": "str", "Enabled": "bool", "RoleId": "str?", "Locked": "bool?"},
    "session_service": {"SessionTimeout": "int"},
    "network_protocol": dict({b: "dict" for b in _SERVICE_BLOCKS}, **{b + ".ProtocolEnabled": "bool" for b in _SERVICE_BLOCKS},
                             **{b + ".Port": "int?" for b in _SERVICE_BLOCKS}),
    "certificate": {"Issuer": "dict", "Subject": "dict", "ValidNotBefore": "str?", "ValidNotAfter": "str"},
    "ethernet": {"IPv4Addresses": "list", "IPv6Addresses": "list?", "NameServers": "list?", "StaticNameServers": "list?"},
    "event_service": {"SMTP": "dict?"},
    "subscriptions": {"Destination": "str?", "Protocol": "str?"},
    "firmware": {"Id": "str", "Version": "str", "ReleaseDate": "str?"},
    "manager": {"FirmwareVersion": "str"},
    "licenses": {"Licenses": "list"},
    "ip_access_control": {"ServiceEnabled": "bool"},
    "ip_filter_rules": {"Address": "str", "Policy": "str", "PrefixLength": "int?"},
    "host_interface": {"InterfaceEnabled": "bool"},
    "kcs": {"Privilege": "str"},
    "lockdown": {"SysLockdownEnabled": "bool"},
    "ntp": {"NTPEnable": "bool"},
    "syslog": {"EnableSyslog": "bool", "SyslogServer": "str?"},
    "radius": {"RadiusEnabled": "bool"},
    "snmp": {"SNMPEnabled": "bool", "SNMPv2Enabled": "bool?", "SNMPv3Enabled": "bool?"},
    "smtp": {"SMTPEnabled": "bool", "ServerAddress": "str?"},
}
_PY = {"str": str, "int": int, "bool": bool, "list": list, "dict": dict}


def type_problem(body, types):
    """The first property of `body` that does not match `types` ({"A.B": "bool"}), or None."""
    for name, wanted in types.items():
        optional, kind = wanted.endswith("?"), wanted.rstrip("?")
        value, present = body, True
        for part in name.split("."):
            if isinstance(value, dict) and part in value:
                value = value[part]
            else:
                present, value = False, None
                break
        if value is None:
            if not optional:
                return "property %s is %s" % (name, "missing" if not present else "null")
            continue
        ok = isinstance(value, _PY[kind]) and not (kind == "int" and isinstance(value, bool))
        if not ok:
            return "property %s is %s %s, expected %s" % (name, type(value).__name__, _clip(value), kind)
    return None


def _clip(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class _Resources:
    """What the waves fetched, by resource key, with the reason when a resource is missing.

    `paths` holds the resources this BMC serves by its detected layout; a key that is not there
    (or None) is positive knowledge: `absent` says why ("not supported on X11", "not a
    Supermicro BMC"). A resource the layout serves must answer: a 404 there is an error."""

    supermicro, layout = True, None

    def __init__(self, paths, fetched, absent):
        self.paths, self.fetched, self.absent = paths, fetched, absent

    def lenient(self, key):
        """The body when it was read as a JSON object, else {} (identity: read what there is)."""
        value = self.fetched.get(key) if self.paths.get(key) else None
        return value if isinstance(value, dict) else {}

    def __call__(self, key, optional=False):
        path = self.paths.get(key)
        if not path and self.absent is None:    # no positive knowledge: the layout is unknown
            raise _Failed("not read: the board and firmware family are unknown, so is where this BMC keeps it")
        if not path:
            if optional:
                return None
            raise _Unavailable(self.absent)
        value = self.fetched.get(key)
        if isinstance(value, RedfishError):
            if value.not_licensed:
                raise _Unavailable("not licensed")
            if isinstance(value, HostTimeout):
                raise _Failed(value.reason + (" (%s)" % value.messages[0] if value.messages else ""))
            raise _Failed(str(value))
        if value is None:
            raise _Failed("%s was not read" % path)
        for body in (value if isinstance(value, list) else [value]):
            problem = type_problem(body, TYPES.get(key, {}))
            if problem:
                raise _Failed("GET %s: HTTP 200 but %s" % (body.get("@odata.id") or path, problem))
        return value


def _fetch(client, paths, fetched):
    answers = client.get_many(paths.values())
    fetched.update({key: answers[path] for key, path in paths.items()})


def _body(value):
    return value if isinstance(value, dict) else None


def gather(client, sections=None, raw=None):
    """The `bmc` facts of the BMC behind an open RedfishClient (see docs/facts.md).

    `sections`: build only these fact sections and fetch only the resources they read
    (SECTION_RESOURCES) plus the ones detection reads (DETECTION_KEYS); the identity section is
    always built. `raw`: a dict that receives the bodies read (or the RedfishError), by resource
    key (a collection: the list of its member bodies), for the write side; the client keeps each
    path's ETag for the If-Match of a later write.

    Only a refused login (LoginRefused) or a service root that never answers (no connection, no
    answer in time) raises; everything else, a root that is no service root or a spent host
    budget included, becomes facts with errors."""
    started = client.requests
    try:
        root = client.get(ROOT)
    except HostTimeout as exc:
        return _unreadable(exc, client.requests - started, None)
    except RedfishError as exc:
        if exc.status is None or exc.status in (401, 403):
            raise
        return _unreadable(exc, client.requests - started, "the service root is not a Redfish service root (HTTP %s %s)"
                           % (exc.status, exc.reason))
    if sections is not None:
        sections = ["identity"] + [name for name in sections if name != "identity"]
    needed = None if sections is None else set(DETECTION_KEYS).union(*(SECTION_RESOURCES[name] for name in sections))
    fetched = {}
    paths, layout = _supermicro_paths(client, root, fetched, needed)
    if paths is None:
        paths = _discover(client, root, fetched)

    # Wave 2: the members of the collections found (a collection without a Members list is an error).
    for key in COLLECTIONS:
        body = fetched.get(key)
        if key in paths and isinstance(body, dict) and not isinstance(body.get("Members"), list):
            fetched[key] = RedfishError(client.where, "GET", paths[key], 200, reason="OK, but property Members is %s"
                                        % ("missing" if "Members" not in body else type(body["Members"]).__name__))
    wanted = {key: _member_paths(fetched[key], keep) for key, keep in COLLECTIONS.items()
              if key in paths and isinstance(fetched.get(key), dict)}
    answers = client.get_many(p for member_paths in wanted.values() for p in member_paths)
    for key, member_paths in wanted.items():
        failures = [answers[p] for p in member_paths if isinstance(answers[p], RedfishError)]
        fetched[key] = failures[0] if failures else [answers[p] for p in member_paths]

    found = _detect(root, fetched)
    fallback = found["supermicro"] and not found["generation"] and "manager" not in fetched
    if fallback:
        # Managers/1 only as a fallback (seconds on real BMCs): its Model and FirmwareVersion.
        fetched["manager"] = client.get_many([supermicro.MANAGER])[supermicro.MANAGER]
        found = _detect(root, fetched)
    if found["supermicro"] and found["layout"] and layout and supermicro.resource_paths(found["layout"]) != supermicro.resource_paths(layout):
        found["conflicts"].append("read with the %s layout, signals say %s" % (layout, found["layout"]))
        found["layout"] = layout

    if raw is not None:
        raw.update(fetched)
    facts = {"schema": SCHEMA_VERSION}
    facts.update(_sections(root, found, paths, fetched, sections))
    facts["identity"].update(_identity_detection(found, fetched, paths, facts),
                             bmc_version=(facts.get("firmware") or {}).get("bmc_version"))
    members = {key: len(p) for key, p in wanted.items()}
    facts["gather"] = {"layout": found["layout"], "requests": client.requests - started,
                       "planned_requests": 1 + len(set(paths.values())) + sum(members.values()) + fallback, "members": members}
    return facts


def _supermicro_paths(client, root, fetched, needed=None):
    """Wave 1 on a Supermicro BMC: ({key: path}, layout); (None, None) when it is none.

    The resources every layout has at the same place come first, with the layout's own ones when
    the root tells the layout; otherwise those follow once the signals tell it. `needed`: only
    these resource keys (None: all)."""
    guess = supermicro.root_layout(root)
    root_vendor = root.get("Vendor") or supermicro.oem_key(root)
    if root_vendor and not supermicro.is_supermicro(root_vendor):
        return None, None
    paths = {k: p for k, p in supermicro.resource_paths(guess or "X13").items()
             if p and (guess or k in supermicro.COMMON_KEYS) and (needed is None or k in needed)}
    _fetch(client, paths, fetched)
    found = _detect(root, fetched)
    if not found["supermicro"]:
        return None, None
    layout = found["layout"] or guess
    if layout and (guess is None or supermicro.resource_paths(layout) != supermicro.resource_paths(guess)):
        own = {k: p for k, p in supermicro.resource_paths(layout).items()
               if p and k not in supermicro.COMMON_KEYS and (needed is None or k in needed)}
        paths = dict({k: paths[k] for k in supermicro.COMMON_KEYS if k in paths}, **own)
        _fetch(client, own, fetched)
    return paths, layout


def _sections(root, found, paths, fetched, only=None):
    """{section: facts} built from what was fetched (SECTIONS; `only`: these)."""
    absent = ("not a Supermicro BMC" if not found["supermicro"]
              else "not supported on %s" % (found["generation"] or found["layout"]) if found["layout"] else None)
    if not found["supermicro"]:
        paths = {k: p for k, p in paths.items() if k not in OEM_RESOURCES}
    resources = _Resources(paths, fetched, absent)
    resources.supermicro, resources.layout = found["supermicro"], found["layout"]
    sections = {}
    for name, build in SECTIONS.items():
        if only is not None and name not in only:
            continue
        try:
            sections[name] = dict(supported=True, **build(resources, root=root, generation=found["generation"] or found["layout"]))
        except _Unavailable as exc:
            sections[name] = {"supported": False, "reason": str(exc)}
        except _Failed as exc:
            sections[name] = {"error": str(exc)}
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            sections[name] = {"error": "unexpected answer from the BMC for %s: %s: %s" % (name, type(exc).__name__, exc)}
    return sections


# Resources only a Supermicro BMC has (OEM); on another vendor's BMC their sections are
# "not a Supermicro BMC" and the controls reading them notapplicable.
OEM_RESOURCES = ("licenses", "ip_access_control", "ip_filter_rules", "host_interface", "kcs", "lockdown", "ntp",
                 "syslog", "radius", "snmp", "smtp")    # ntp: another vendor's is read from NetworkProtocol.NTP


def _detect(root, fetched):
    images = [c.get("image") for c in _active_images(fetched.get("firmware"))]
    return supermicro.detect(root, _body(fetched.get("system")), _body(fetched.get("chassis")),
                             _body(fetched.get("update_service")), images, _body(fetched.get("manager")))


def _active_images(firmware):
    """{image} of the members of the firmware inventory read so far (active and other slots)."""
    if not isinstance(firmware, list):
        return []
    return [{"image": ((b.get("Oem") or {}).get("Supermicro") or {}).get("UniqueFilename")}
            for b in firmware if isinstance(b, dict) and isinstance(b.get("Oem"), dict)]


def _identity_detection(found, fetched, paths, facts):
    chassis = fetched.get("chassis")
    board_error = None
    if not paths.get("chassis"):
        board_error = "the service links no chassis"
    elif isinstance(chassis, RedfishError):
        board_error = str(chassis)
    elif isinstance(chassis, dict) and not isinstance(chassis.get("Model"), str):
        what = "missing" if "Model" not in chassis else type(chassis["Model"]).__name__
        board_error = "GET %s: HTTP 200 but property Model is %s" % (paths["chassis"], what)
    nothing = all(s.get("error") for n, s in facts.items() if isinstance(s, dict) and n not in ("schema", "identity"))
    return {"vendor": found["vendor"], "supermicro": found["supermicro"], "layout": found["layout"],
            "generation": found["generation"] or found["layout"], "board_error": board_error,
            "unsupported": found["unsupported"], "nothing_read": nothing,
            "detection": {"signals": found["signals"], "conflicts": found["conflicts"]}}


def _unreadable(error, requests, unsupported):
    """The facts of a service whose root could not be read as a service root (or in time)."""
    text = (error.reason + (" (%s)" % error.messages[0] if error.messages else "")) if isinstance(error, HostTimeout) else str(error)
    facts = {"schema": SCHEMA_VERSION}
    for name in SECTIONS:
        facts[name] = {"error": text}
    facts["identity"] = {"supported": True, "vendor": None, "supermicro": None, "layout": None, "generation": None,
                         "board": None, "board_error": text, "nothing_read": True, "unsupported": unsupported,
                         "detection": {"signals": {}, "conflicts": []}}
    facts["gather"] = {"layout": None, "requests": requests, "planned_requests": 1, "members": {}}
    return facts


def _link(body, *keys):
    for key in keys:
        body = body.get(key) if isinstance(body, dict) else None
    if isinstance(body, dict):
        body = body.get("@odata.id")
    return body if isinstance(body, str) and body.startswith("/") else None


def _first_member(body):
    members = body.get("Members") if isinstance(body, dict) else None
    first = members[0] if isinstance(members, list) and members else None
    return _link(first) if isinstance(first, dict) else None


def _discover(client, root, fetched):
    """Standard Redfish paths of another vendor's service, found by following links from the
    root (a few round trips; Supermicro BMCs never need this walk)."""
    paths = {}

    def step(wanted):
        wanted = {k: p for k, p in wanted.items() if p}
        for key in wanted:
            fetched.pop(key, None)
        paths.update(wanted)
        _fetch(client, wanted, fetched)

    tops = {"systems": _link(root, "Systems"), "chassis_list": _link(root, "Chassis"), "managers": _link(root, "Managers"),
            "account_service": _link(root, "AccountService"), "session_service": _link(root, "SessionService"),
            "event_service": _link(root, "EventService"), "update_service": _link(root, "UpdateService")}
    step(tops)
    step({"system": _first_member(fetched.get("systems")), "chassis": _first_member(fetched.get("chassis_list")),
          "manager": _first_member(fetched.get("managers")),
          "accounts": _link(fetched.get("account_service"), "Accounts"),
          "subscriptions": _link(fetched.get("event_service"), "Subscriptions")})
    step({"network_protocol": _link(fetched.get("manager"), "NetworkProtocol"),
          "ethernets": _link(fetched.get("manager"), "EthernetInterfaces")})
    step({"ethernet": _first_member(fetched.get("ethernets")),
          "certificates": _link(fetched.get("network_protocol"), "HTTPS", "Certificates")})
    step({"certificate": _first_member(fetched.get("certificates"))})
    for key in ("system", "chassis", "manager", "account_service", "accounts", "session_service", "network_protocol",
                "ethernet", "certificate", "event_service", "subscriptions", "update_service"):
        if not paths.get(key):
            paths[key] = "(link)"
            fetched[key] = RedfishError(client.where, "GET", "(link)", reason="the service links no %s resource" % key)
    return paths


def _member_paths(collection, keep):
    paths = [m.get("@odata.id") for m in collection.get("Members") or [] if isinstance(m, dict)]
    return [p for p in paths if p and keep(p.rstrip("/").rsplit("/", 1)[-1])]


# -- value helpers -------------------------------------------------------------------------

_UNSET = {"", "0.0.0.0", "::", "(null)", "null", "none"}


def destination(value):
    """The host a configured destination points at, lower case, or None when unset or local.

    'ldap://10.0.0.5:389' -> '10.0.0.5'; 'https://[fd00::5]:443/events' -> 'fd00::5';
    'syslog.example.com:514' -> 'syslog.example.com'; '0.0.0.0', '(null)', 'localhost',
    '127.0.0.1' -> None (not an outbound destination).
    """
    text = str(value or "").strip()
    if "://" in text:
        text = urlsplit(text).hostname or ""
    elif text.startswith("[") and "]" in text:
        text = text[1:text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", maxsplit=1)[0]
    text = text.lower()
    if text in _UNSET or text == "localhost":
        return None
    try:
        if ipaddress.ip_address(text).is_loopback:
            return None
    except ValueError:
        pass
    return text


def _hosts(*values):
    return list(dict.fromkeys(h for h in map(destination, values) if h))


def _enabled(block):
    return (block or {}).get("ProtocolEnabled") is True


def _days_until(timestamp):
    if not timestamp:
        return None
    moment = datetime.datetime.fromisoformat(str(timestamp).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return (moment - datetime.datetime.now(datetime.timezone.utc)).days


def _name(entity):
    keys = {"CommonName": "common_name", "Organization": "organization", "OrganizationalUnit": "organizational_unit",
            "City": "city", "State": "state", "Country": "country", "Email": "email"}
    return {snake: (entity or {}).get(key) for key, snake in keys.items()}


# -- sections: each reads resources by key and returns its facts ----------------------------

def _identity(res, root, generation):
    """Never an error: what could be read, with the detection and why the board is unknown."""
    system, chassis = res.lenient("system"), res.lenient("chassis")

    def text(body, key):
        return body.get(key) if isinstance(body.get(key), str) else None
    return {
        "manufacturer": text(system, "Manufacturer"),
        "model": text(system, "Model"),
        "serial": text(system, "SerialNumber"),
        "board": text(chassis, "Model"),
        "board_serial": ((chassis.get("Oem") or {}).get("Supermicro") or {}).get("BoardSerialNumber"),
        "generation": generation,
        "redfish_version": root.get("RedfishVersion"),
        "bios_version": text(system, "BiosVersion"),
        "uuid": text(system, "UUID"),
    }


def _licenses(res, root, generation):
    names = []
    for entry in res("licenses").get("Licenses") or []:
        data = json.loads(entry) if isinstance(entry, str) else entry
        names.append(((data.get("ProductKey") or {}).get("Node") or {}).get("LicenseName"))
    return {"installed": [n for n in names if n]}


def _firmware(res, root, generation):
    if not res.supermicro:
        # Another vendor: the standard versions only (no Supermicro image names to pin).
        return {"components": [], "bmc_version": res("manager")["FirmwareVersion"], "bmc_image": None,
                "bmc_release_date": None, "bios_version": res("system").get("BiosVersion"), "bios_image": None,
                "bios_release_date": None}
    components = []
    for body in res("firmware"):
        image = FIRMWARE_IMAGE.match(body.get("Id", ""))
        if not image:  # members are picked by URI; an Id that disagrees is not a BMC/BIOS image
            continue
        slot, kind = image.groups()
        version = body.get("Version")
        oem = (body.get("Oem") or {}).get("Supermicro") or {}
        present = bool(version) and version != "Not Present"
        components.append({"id": body.get("Id"), "kind": kind.lower(), "slot": (slot or "Active").lower(),
                           "version": version, "image": oem.get("UniqueFilename") or (_short(kind, version) if present else None),
                           "present": present, "release_date": body.get("ReleaseDate"),
                           "health": (body.get("Status") or {}).get("Health")})
    active = {c["kind"]: c for c in components if c["slot"] == "active"}
    if "bmc" not in active:
        raise _Failed("GET %s: the firmware inventory lists no active BMC image" % res.paths["firmware"])
    bios = active.get("bios") or {}
    return {"components": components, "bmc_version": active["bmc"]["version"], "bmc_image": active["bmc"]["image"],
            "bmc_release_date": active["bmc"]["release_date"],
            "bios_version": supermicro.short_bios_version(bios["version"]) if bios.get("version") else None,
            "bios_image": bios.get("image"), "bios_release_date": bios.get("release_date")}


def _short(kind, version):
    """The version an image is known by when the BMC names no file (X11): '3.8' for a BIOS."""
    return supermicro.short_bios_version(version) if kind == "BIOS" else version


def _accounts(res, root, generation):
    if not res("accounts"):
        raise _Failed("GET %s: HTTP 200 but the collection lists no account, not even the one logged in" % res.paths["accounts"])
    return {"list": [{"id": a.get("Id"), "username": a.get("UserName"), "role": a.get("RoleId"),
                      "enabled": bool(a.get("Enabled")), "locked": bool(a.get("Locked"))}
                     for a in res("accounts") if a.get("UserName")]}


def _account_policy(res, root, generation):
    service = res("account_service")
    return {"min_password_length": service.get("MinPasswordLength"),
            "max_password_length": service.get("MaxPasswordLength"),
            "lockout_threshold": service.get("AccountLockoutThreshold"),
            "lockout_duration": service.get("AccountLockoutDuration"),
            "lockout_reset_after": service.get("AccountLockoutCounterResetAfter"),
            "auth_failure_logging_threshold": service.get("AuthFailureLoggingThreshold")}


def _directory(res, root, generation):
    service = res("account_service")
    if res.layout == "X11":     # X11 firmware has no LDAP / Active Directory in Redfish (reference 4)
        raise _Unavailable("not supported on %s" % generation)
    problem = type_problem(service, {"LDAP": "dict", "ActiveDirectory": "dict", "LDAP.ServiceEnabled": "bool",
                                     "ActiveDirectory.ServiceEnabled": "bool"})
    if problem:
        raise _Failed("GET %s: HTTP 200 but %s" % (res.paths["account_service"], problem))
    oem = (service.get("Oem") or {}).get("Supermicro") or {}
    ldap, ad = service.get("LDAP") or {}, service.get("ActiveDirectory") or {}
    ad_oem = oem.get("ActiveDirectory") or {}
    ldap_addresses, ad_addresses = ldap.get("ServiceAddresses") or [], ad.get("ServiceAddresses") or []
    ldap_servers = _hosts(*ldap_addresses)
    ad_servers = _hosts(*ad_addresses, *(ad_oem.get("DynamicServerAddresses") or []))
    # Binds are protected by ldaps:// addresses or StartTLS (LDAP), the ldaps prefix or the LDAPS
    # / global catalog SSL ports (Active Directory).
    ldap_tls = bool((oem.get("LDAP") or {}).get("StartTLSEnabled")) or _all_ldaps(ldap_addresses)
    ad_tls = ad_oem.get("Prefix") == "ldaps" or ad_oem.get("Port") in (636, 3269) or _all_ldaps(ad_addresses)
    return {"ldap": {"enabled": bool(ldap.get("ServiceEnabled")), "servers": ldap_servers, "tls": ldap_tls,
                     "start_tls": (oem.get("LDAP") or {}).get("StartTLSEnabled")},
            "active_directory": {"enabled": bool(ad.get("ServiceEnabled")), "servers": ad_servers, "tls": ad_tls},
            "servers": list(dict.fromkeys(ldap_servers + ad_servers))}


def _all_ldaps(addresses):
    return bool(addresses) and all(str(a).lower().startswith("ldaps://") for a in addresses)


def _radius(res, root, generation):
    radius = res("radius")
    server = radius.get("RadiusServer") or radius.get("RadiusServerIP")
    return {"enabled": bool(radius.get("RadiusEnabled")), "server": server, "port": radius.get("RadiusPortNumber"),
            "servers": _hosts(server)}


def _session(res, root, generation):
    return {"timeout": res("session_service").get("SessionTimeout")}


def _services(res, root, generation):
    protocol = res("network_protocol")    # the blocks of _SERVICE_BLOCKS are checked present (TYPES)
    services = {name: {"enabled": protocol[key]["ProtocolEnabled"] is True, "port": protocol[key].get("Port")}
                for key, name in PROTOCOLS.items() if isinstance(protocol.get(key), dict)}
    return dict(services, enabled=[name for name, s in services.items() if s["enabled"]])


def _snmp(res, root, generation):
    standard = res("network_protocol").get("SNMP") or {}
    oem = res("snmp", optional=True)
    if oem is not None:     # X11: details in Managers/1/SNMP
        return {"enabled": bool(oem.get("SNMPEnabled")) or _enabled(standard),
                "v2c_enabled": bool(oem.get("SNMPv2Enabled")), "v3_enabled": bool(oem.get("SNMPv3Enabled")),
                "community_strings": sum(bool(oem.get(k)) for k in ("ROCommunity", "RWCommunity")),
                "auth_protocol": None, "encryption_protocol": None}
    return {"enabled": _enabled(standard), "v2c_enabled": bool(standard.get("EnableSNMPv2c")),
            "v3_enabled": bool(standard.get("EnableSNMPv3")),
            "community_strings": len(standard.get("CommunityStrings") or []),
            "auth_protocol": standard.get("AuthenticationProtocol"),
            "encryption_protocol": standard.get("EncryptionProtocol")}


def _smtp(res, root, generation):
    oem = res("smtp", optional=True)
    if oem is not None:     # X11: Managers/1/SMTP
        enabled, server, port, tls = oem.get("SMTPEnabled"), oem.get("ServerAddress"), oem.get("Port"), oem.get("SSLEnabled")
        sender = oem.get("SenderAddress")
    else:
        smtp = res("event_service").get("SMTP")
        problem = type_problem({"SMTP": smtp}, {"SMTP": "dict", "SMTP.ServiceEnabled": "bool"})
        if problem:
            raise _Failed("GET %s: HTTP 200 but %s" % (res.paths["event_service"], problem))
        enabled, server, port, sender = smtp.get("ServiceEnabled"), smtp.get("ServerAddress"), smtp.get("Port"), smtp.get("FromAddress")
        tls = smtp.get("ConnectionProtocol") not in (None, "None")
    return {"enabled": bool(enabled), "server": server, "port": port, "tls": bool(tls), "from": sender,
            "servers": _hosts(server)}


def _network(res, root, generation):
    nic = res("ethernet")
    ipv4 = [{"address": a.get("Address"), "subnet_mask": a.get("SubnetMask"), "gateway": a.get("Gateway"),
             "origin": a.get("AddressOrigin")} for a in nic.get("IPv4Addresses") or [] if a.get("Address")]
    ipv6 = [a.get("Address") for a in nic.get("IPv6Addresses") or [] if a.get("Address") not in (None, "", "::")]
    gateways = [a["gateway"] for a in ipv4 if a["gateway"] not in (None, "", "0.0.0.0")]
    if nic.get("IPv6DefaultGateway") not in (None, "", "::"):
        gateways.append(nic["IPv6DefaultGateway"])
    vlan = nic.get("VLAN") or {}
    return {"hostname": nic.get("HostName"), "fqdn": nic.get("FQDN"), "mac": nic.get("MACAddress"),
            "dhcp": bool((nic.get("DHCPv4") or {}).get("DHCPEnabled")),
            "ipv6_autoconfig": bool((nic.get("StatelessAddressAutoConfig") or {}).get("IPv6AutoConfigEnabled")),
            "ipv4": ipv4, "addresses": [a["address"] for a in ipv4] + ipv6, "gateways": list(dict.fromkeys(gateways)),
            "vlan": {"enabled": bool(vlan.get("VLANEnable")), "id": vlan.get("VLANId")},
            "dns_servers": _hosts(*(nic.get("NameServers") or []), *(nic.get("StaticNameServers") or [])),
            "lan_interface": ((nic.get("Oem") or {}).get("Supermicro") or {}).get("LANInterface")}


def _ip_access_control(res, root, generation):
    rules = []
    for rule in res("ip_filter_rules"):
        address, prefix = rule.get("Address"), rule.get("PrefixLength")
        try:
            cidr = str(ipaddress.ip_network("%s/%s" % (address, 32 if prefix is None else prefix), strict=False))
        except ValueError:
            cidr = address
        rules.append({"id": rule.get("Id"), "address": address, "prefix_length": prefix, "policy": rule.get("Policy"),
                      "cidr": cidr})
    return {"enabled": bool(res("ip_access_control").get("ServiceEnabled")), "rules": rules}


def _host_interface(res, root, generation):
    hi = res("host_interface")
    return {"enabled": bool(hi.get("InterfaceEnabled")),
            "credential_bootstrapping": bool((hi.get("CredentialBootstrapping") or {}).get("Enabled")),
            "auth_modes": hi.get("AuthenticationModes") or []}


def _kcs(res, root, generation):
    return {"privilege": res("kcs").get("Privilege")}


def _lockdown(res, root, generation):
    return {"enabled": bool(res("lockdown").get("SysLockdownEnabled"))}


def _ntp(res, root, generation):
    if not res.supermicro:      # another vendor: the standard NetworkProtocol.NTP only
        standard = res("network_protocol").get("NTP")
        problem = type_problem({"NTP": standard}, {"NTP": "dict", "NTP.ProtocolEnabled": "bool", "NTP.NTPServers": "list?"})
        if problem:
            raise _Failed("GET %s: HTTP 200 but %s" % (res.paths["network_protocol"], problem))
        return {"enabled": standard["ProtocolEnabled"], "servers": _hosts(*(standard.get("NTPServers") or []))}
    oem = res("ntp")
    standard = (res("network_protocol", optional=True) or {}).get("NTP") or {}
    return {"enabled": bool(oem.get("NTPEnable")) or _enabled(standard),
            "servers": _hosts(oem.get("PrimaryNTPServer"), oem.get("SecondaryNTPServer"), *(standard.get("NTPServers") or []))}


def _syslog(res, root, generation):
    syslog = res("syslog")
    return {"enabled": bool(syslog.get("EnableSyslog")), "server": syslog.get("SyslogServer"),
            "port": syslog.get("SyslogPortNumber"), "servers": _hosts(syslog.get("SyslogServer"))}


def _event_subscriptions(res, root, generation):
    configured = []
    for sub in res("subscriptions"):
        protocol = sub.get("Protocol") or ""
        target = sub.get("Destination")
        host = None if protocol == "SMTP" else destination(target)
        if not host and not (protocol == "SMTP" and target not in _UNSET):
            continue    # one of the 16 pre-allocated, unused slots
        oem = (sub.get("Oem") or {}).get("Supermicro") or {}
        configured.append({"id": sub.get("Id"), "destination": target, "host": host, "protocol": protocol,
                           "enabled": (sub.get("Status") or {}).get("State") == "Enabled" or bool(oem.get("EnableSubscription"))})
    snmp = [s["host"] for s in configured if s["protocol"].startswith("SNMP")]
    other = [s["host"] for s in configured if s["host"] and not s["protocol"].startswith("SNMP")]
    return {"list": configured, "destinations": list(dict.fromkeys(other)), "snmp_destinations": list(dict.fromkeys(snmp)),
            "email_recipients": [s["destination"] for s in configured if s["protocol"] == "SMTP"]}


def _certificate(res, root, generation):
    cert = res("certificate")
    issuer, subject = _name(cert.get("Issuer")), _name(cert.get("Subject"))
    return {"issuer": issuer, "subject": subject, "valid_from": cert.get("ValidNotBefore"),
            "valid_to": cert.get("ValidNotAfter"), "days_remaining": _days_until(cert.get("ValidNotAfter")),
            "self_signed": issuer == subject,
            # Supermicro's factory certificate: CN=IPMI, O=Super Micro Computer (reference 6.4).
            "factory_default": issuer["organization"] == "Super Micro Computer" and issuer["common_name"] == "IPMI",
            "fingerprint": cert.get("Fingerprint")}


SECTIONS = {
    "identity": _identity,
    "licenses": _licenses,
    "firmware": _firmware,
    "accounts": _accounts,
    "account_policy": _account_policy,
    "directory": _directory,
    "radius": _radius,
    "session": _session,
    "services": _services,
    "snmp": _snmp,
    "smtp": _smtp,
    "network": _network,
    "ip_access_control": _ip_access_control,
    "host_interface": _host_interface,
    "kcs": _kcs,
    "lockdown": _lockdown,
    "ntp": _ntp,
    "syslog": _syslog,
    "event_subscriptions": _event_subscriptions,
    "certificate": _certificate,
}

# What a partial gather always reads: vendor and layout detection (supermicro.detect) decides
# from the root, Systems/1, Chassis/1 and the UpdateService, so a section read alone is read on
# the same evidence as in a full audit (an unknown generation falls back to Managers/1 as there).
DETECTION_KEYS = ("system", "chassis", "update_service")

# The resource keys (supermicro.RESOURCE_PATHS) each section reads: gather(sections=...) fetches
# only these (with DETECTION_KEYS). A test keeps it true to the section builders.
SECTION_RESOURCES = {
    "identity": ("system", "chassis"), "licenses": ("licenses",), "firmware": ("firmware", "system", "manager"),
    "accounts": ("accounts",), "account_policy": ("account_service",), "directory": ("account_service",),
    "radius": ("radius",), "session": ("session_service",), "services": ("network_protocol",),
    "snmp": ("network_protocol", "snmp"), "smtp": ("smtp", "event_service"), "network": ("ethernet",),
    "ip_access_control": ("ip_access_control", "ip_filter_rules"), "host_interface": ("host_interface",),
    "kcs": ("kcs",), "lockdown": ("lockdown",), "ntp": ("ntp", "network_protocol"), "syslog": ("syslog",),
    "event_subscriptions": ("subscriptions",), "certificate": ("certificate",),
}
