"""Generic behaviour over the resource store: GET, the Supermicro PATCH rules, the service
document, $metadata, the SMC registry, and 404/405."""
from __future__ import annotations

import json
import re

from aiohttp import web

from ..bmc import R, etag_of
from ..errors import RedfishError, smc_registry
from .context import Ctx

# Resources a client may PATCH through the generic rules (others answer 405).
WRITABLE = [re.compile(p + "$") for p in (
    rf"{R}/AccountService", rf"{R}/Managers/1", rf"{R}/Managers/1/NetworkProtocol", rf"{R}/Managers/1/EthernetInterfaces/1",
    rf"{R}/Managers/1/HostInterfaces/1", rf"{R}/Managers/1/SerialInterfaces/1",
    rf"{R}/Managers/1/(Oem/Supermicro/)?(IPAccessControl|NTP|Syslog|RADIUS|FanMode|MouseMode|SMCRAKP|KCSInterface|LLDP|SysLockdown|SNMP|SMTP)",
    rf"{R}/EventService", rf"{R}/EventService/Subscriptions/\d+", rf"{R}/Systems/1", rf"{R}/Systems/1/SecureBoot",
    rf"{R}/Systems/1/EthernetInterfaces/ToManager", rf"{R}/Chassis/1")]

# Properties that exist on resources but are never writable.
READ_ONLY = {"Id", "Name", "Description", "Status", "UUID", "Model", "FirmwareVersion", "ManagerType", "MACAddress",
             "PermanentMACAddress", "LinkStatus", "Members", "Members@odata.count", "AccountTypes", "Links", "Actions",
             "SerialNumber", "PartNumber", "Manufacturer", "BiosVersion", "PowerState", "ProcessorSummary", "MemorySummary",
             "IPv4Addresses", "IPv6Addresses", "NameServers", "MaxIPv6StaticAddresses", "ServiceIdentification", "EngineId",
             "FilterRules", "Certificates", "Subscriptions", "Accounts", "Roles", "Sessions", "QueryLicense",
             "DynamicServerAddresses"}    # Active Directory: what the DNS lookup found [I]

JSON_TYPES = {bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object"}


def validate_patch(ctx: Ctx, patch: dict) -> None:
    """Supermicro-style checks: unknown property -> 400 'not in the list of valid properties',
    read-only -> PropertyNotWritable, wrong JSON type, value outside @Redfish.AllowableValues."""
    _validate(ctx.resource(), patch, "")


def _validate(current: dict, patch: dict, prefix: str) -> None:
    for key, value in patch.items():
        name = prefix + key
        if "@" in key or key not in current:
            raise RedfishError(400, "PropertyUnknown", key, related=[f"#/{name.replace('.', '/')}"])
        if key in READ_ONLY or (isinstance(current.get(key), dict) and set(current[key]) == {"@odata.id"}):
            raise RedfishError(400, "PropertyNotWritable", key, related=[f"#/{name.replace('.', '/')}"])
        have = current.get(key)
        if have is not None and value is not None and JSON_TYPES.get(type(have)) != JSON_TYPES.get(type(value)):
            raise RedfishError(400, "PropertyValueTypeError", _show(value), key)
        allowed = current.get(f"{key}@Redfish.AllowableValues")
        if allowed is not None and str(value).lower() not in [str(a).lower() for a in allowed]:
            raise RedfishError(400, "PropertyValueNotInList", _show(value), key)
        if isinstance(have, dict) and isinstance(value, dict):
            _validate(have, value, name + ".")


def _show(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


async def generic(ctx: Ctx, router) -> web.StreamResponse:
    method, path, bmc = ctx.request.method, ctx.path, ctx.bmc
    if method == "GET":
        return ctx.serve()
    if path not in bmc.store:
        raise RedfishError(404, "ResourceMissingAtURI", path)
    if method == "PATCH" and any(p.match(path) for p in WRITABLE):
        return await generic_patch(ctx, router)
    raise RedfishError(405, "OperationNotAllowed")


async def generic_patch(ctx: Ctx, router) -> web.StreamResponse:
    ctx.require_admin()
    patch = await ctx.json()
    hook, validated = router.patch_hook_for(ctx.path)
    if validated:
        validate_patch(ctx, patch)
    answer = await hook(ctx, patch) if hook else None
    if answer is not None:
        return answer
    ctx.bmc.patch(ctx.path, patch)
    return ctx.success()


async def redfish(ctx: Ctx):
    return ctx.reply({"v1": "/redfish/v1/"})


async def odata(ctx: Ctx):
    root = ctx.bmc.get(R)
    names = [k for k, v in root.items() if isinstance(v, dict) and set(v) == {"@odata.id"}]
    return ctx.reply({"@odata.context": "/redfish/v1/$metadata", "value": [
        {"name": n, "kind": "Singleton", "url": root[n]["@odata.id"]} for n in names]})


async def metadata(ctx: Ctx):
    """CSDL references for every schema namespace the BMC serves (for the DMTF service validator)."""
    namespaces = {"ServiceRoot", "Resource"}
    for body in ctx.bmc.store.values():
        _collect_types(body, namespaces)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">']
    for ns in sorted(namespaces):
        lines.append(f'  <edmx:Reference Uri="http://redfish.dmtf.org/schemas/v1/{ns}_v1.xml">')
        lines.append(f'    <edmx:Include Namespace="{ns}"/>')
        lines.append("  </edmx:Reference>")
    lines += ['  <edmx:DataServices>', '    <Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="Service">',
              '      <EntityContainer Name="Service" Extends="ServiceRoot.v1_0_0.ServiceContainer"/>', '    </Schema>',
              '  </edmx:DataServices>', '</edmx:Edmx>']
    return web.Response(text="\n".join(lines), content_type="application/xml")


def _collect_types(node, namespaces: set) -> None:
    if isinstance(node, dict):
        t = node.get("@odata.type")
        if isinstance(t, str) and t.startswith("#") and not t[1:].startswith(("Smc", "IPAccessControl", "FilterRule", "NTP.",
                                                                                "Syslog", "RADIUS", "FanMode", "MouseMode",
                                                                                "SMCRAKP", "Snooping", "IKVM", "KCSInterface",
                                                                                "LldpService", "SysLockdown", "LicenseManager",
                                                                                "QueryLicense", "DumpService", "Dump.", "SSLCert",
                                                                                "IPMIConfig", "VirtualMediaConfig", "SNMP.", "SMTP.")):
            namespaces.add(t[1:].split(".")[0])
        for v in node.values():
            _collect_types(v, namespaces)
    elif isinstance(node, list):
        for v in node:
            _collect_types(v, namespaces)


async def smc(ctx: Ctx):
    body = smc_registry()          # served as the BMC serves its registry file: no @odata.id/etag
    return ctx.reply(body, headers={"ETag": etag_of(body)})


def register(router) -> None:
    router.add("GET", "/redfish", redfish)
    router.add("GET", f"{R}/odata", odata)
    router.add("GET", rf"{R}/\$metadata", metadata)
    router.add("GET", rf"{R}/Registries/SMC", smc, "x12 x13")
