# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Gather the normalized `bmc` facts the controls need (schema: docs/facts.md).

Few requests, few round trips: the service root tells the layout, and from then on every path is
known (supermicro.RESOURCE_PATHS). Wave 1 fetches the resources in parallel; wave 2 fetches the
members of the collections it found (accounts, IP filter rules, event subscriptions, the BMC and
BIOS firmware images). No discovery walk, and no Managers/1 (several seconds on real BMCs):
every fact it holds is read elsewhere.

Each fact section is a dict with `supported: true` and its data, or
`{"supported": false, "reason": "not supported on X11" | "not licensed"}`, or `{"error": "..."}`
when the BMC failed to answer; one failing resource never fails the whole gather.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import re
from urllib.parse import urlsplit

from ansible_collections.bmclock.supermicro.plugins.module_utils import supermicro
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishError

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
    """The BMC does not have this resource (generation, firmware) or needs a licence for it."""


class _Failed(Exception):
    """The BMC failed to answer for this resource."""


class _Resources:
    """What the two waves fetched, by resource key, with the reason when a resource is missing."""

    def __init__(self, paths, fetched, generation):
        self.paths, self.fetched, self.generation = paths, fetched, generation

    def __call__(self, key, optional=False):
        try:
            if not self.paths.get(key):
                raise _Unavailable("not supported on %s" % self.generation)
            value = self.fetched[key]
            if isinstance(value, RedfishError):
                if value.not_licensed:
                    raise _Unavailable("not licensed")
                if value.missing:
                    raise _Unavailable("not supported on %s (HTTP %s on %s)" % (self.generation, value.status, value.path))
                raise _Failed(str(value))
            return value
        except _Unavailable:
            if optional:
                return None
            raise


def gather(client, sections=None, raw=None):
    """The `bmc` facts of the BMC behind an open RedfishClient (see docs/facts.md).

    `sections`: build only these fact sections and fetch only the resources they read
    (SECTION_RESOURCES; the identity section is always built). `raw`: a dict that receives the
    bodies read, by resource key (a collection: the list of its member bodies), for the write
    side; the client keeps each path's ETag for the If-Match of a later write.
    """
    started = client.requests
    root = client.get(ROOT)
    layout = "X11" if supermicro.is_legacy_root(root) else "X13"
    paths = {key: path for key, path in supermicro.resource_paths(layout).items() if path}
    if sections is not None:
        sections = ["identity"] + [name for name in sections if name != "identity"]
        needed = {key for name in sections for key in SECTION_RESOURCES[name]}
        paths = {key: path for key, path in paths.items() if key in needed}
    answers = client.get_many(paths.values())
    fetched = {key: answers[path] for key, path in paths.items()}
    chassis = fetched.get("chassis")
    generation = supermicro.detect_generation(root, chassis.get("Model") if isinstance(chassis, dict) else None)

    wanted = {key: _member_paths(fetched[key], keep) for key, keep in COLLECTIONS.items()
              if isinstance(fetched.get(key), dict)}
    answers = client.get_many(p for member_paths in wanted.values() for p in member_paths)
    for key, member_paths in wanted.items():
        failures = [answers[p] for p in member_paths if isinstance(answers[p], RedfishError)]
        fetched[key] = failures[0] if failures else [answers[p] for p in member_paths]

    if raw is not None:
        raw.update(fetched)
    resources = _Resources(paths, fetched, generation)
    facts = {"schema": SCHEMA_VERSION}
    for name, build in SECTIONS.items():
        if sections is not None and name not in sections:
            continue
        try:
            facts[name] = dict(supported=True, **build(resources, root=root, generation=generation))
        except _Unavailable as exc:
            facts[name] = {"supported": False, "reason": str(exc)}
        except _Failed as exc:
            facts[name] = {"error": str(exc)}
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            facts[name] = {"error": "unexpected answer from the BMC for %s: %s: %s" % (name, type(exc).__name__, exc)}
    if facts["identity"].get("supported") and "firmware" in facts:
        facts["identity"]["bmc_version"] = facts["firmware"].get("bmc_version")
    members = {key: len(p) for key, p in wanted.items()}
    facts["gather"] = {"layout": layout, "requests": client.requests - started,
                       "planned_requests": 1 + len(paths) + sum(members.values()), "members": members}
    return facts


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
        text = text.split(":")[0]
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
    return bool((block or {}).get("ProtocolEnabled"))


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
    system, chassis = res("system"), res("chassis", optional=True) or {}
    return {
        "manufacturer": system.get("Manufacturer"),
        "model": system.get("Model"),
        "serial": system.get("SerialNumber"),
        "board": chassis.get("Model"),
        "board_serial": ((chassis.get("Oem") or {}).get("Supermicro") or {}).get("BoardSerialNumber"),
        "generation": generation,
        "redfish_version": root.get("RedfishVersion"),
        "bios_version": system.get("BiosVersion"),
        "bmc_version": None,  # filled from the firmware section (gather)
        "uuid": system.get("UUID"),
    }


def _licenses(res, root, generation):
    names = []
    for entry in res("licenses").get("Licenses") or []:
        data = json.loads(entry) if isinstance(entry, str) else entry
        names.append(((data.get("ProductKey") or {}).get("Node") or {}).get("LicenseName"))
    return {"installed": [n for n in names if n]}


def _firmware(res, root, generation):
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
    active = {c["kind"]: c["version"] for c in components if c["slot"] == "active"}
    return {"components": components, "bmc_version": active.get("bmc"),
            "bios_version": supermicro.short_bios_version(active["bios"]) if active.get("bios") else None}


def _short(kind, version):
    """The version an image is known by when the BMC names no file (X11): '3.8' for a BIOS."""
    return supermicro.short_bios_version(version) if kind == "BIOS" else version


def _accounts(res, root, generation):
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
    if "LDAP" not in service and "ActiveDirectory" not in service:
        raise _Unavailable("not supported on %s" % generation)
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
    protocol = res("network_protocol")
    services = {name: {"enabled": _enabled(protocol[key]), "port": protocol[key].get("Port")}
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
        if smtp is None:
            raise _Unavailable("not supported on %s" % generation)
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

# The resource keys (supermicro.RESOURCE_PATHS) each section reads: gather(sections=...) fetches
# only these. identity's Chassis/1 also names the generation.
SECTION_RESOURCES = {
    "identity": ("system", "chassis"), "licenses": ("licenses",), "firmware": ("firmware",),
    "accounts": ("accounts",), "account_policy": ("account_service",), "directory": ("account_service",),
    "radius": ("radius",), "session": ("session_service",), "services": ("network_protocol",),
    "snmp": ("network_protocol", "snmp"), "smtp": ("smtp", "event_service"), "network": ("ethernet",),
    "ip_access_control": ("ip_access_control", "ip_filter_rules"), "host_interface": ("host_interface",),
    "kcs": ("kcs",), "lockdown": ("lockdown",), "ntp": ("ntp", "network_protocol"), "syslog": ("syslog",),
    "event_subscriptions": ("subscriptions",), "certificate": ("certificate",),
}
