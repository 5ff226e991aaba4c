"""NetworkProtocol, the BMC LAN interface and the OEM IP Access Control with its filter rules."""
from __future__ import annotations

import ipaddress

from ..bmc import MANAGER
from ..errors import RedfishError, accepted_body
from ..fleetgen import add_filter_rule
from ..profiles.x13 import dhcp_lease
from .context import Ctx

NP = f"{MANAGER}/NetworkProtocol"
SERVICES = ("HTTP", "HTTPS", "IPMI", "SSH", "SNMP", "VirtualMedia", "KVMIP", "SSDP", "NTP")


async def patch_network_protocol(ctx: Ctx, patch: dict):
    current = ctx.resource()
    for name in SERVICES:
        change = patch.get(name)
        if not isinstance(change, dict) or "ProtocolEnabled" not in change:
            continue
        if change["ProtocolEnabled"] == current[name]["ProtocolEnabled"] and set(change) == {"ProtocolEnabled"}:
            # Supermicro refuses to "configure" a service to the state it is already in.
            raise RedfishError(400, "NetworkProtocolServiceConfigureFailed", "Enable" if change["ProtocolEnabled"] else "Disable",
                               name, related=[f"#/{name}/ProtocolEnabled"])
    ipmi_on = patch.get("IPMI", {}).get("ProtocolEnabled", current["IPMI"]["ProtocolEnabled"])
    if patch.get("VirtualMedia", {}).get("ProtocolEnabled") and not ipmi_on:
        raise RedfishError(400, "OemIPMIServiceDisabled", "VirtualMedia", related=["#/VirtualMedia/ProtocolEnabled"])
    ports = {n: (patch.get(n) or {}).get("Port", current[n].get("Port")) for n in SERVICES if "Port" in current.get(n, {})}
    for name, port in ports.items():
        if "Port" in (patch.get(name) or {}) and any(p == port and n != name and {n, name} != {"IPMI", "VirtualMedia"}
                                                      for n, p in ports.items()):
            raise RedfishError(400, "OemPortInUse", port, related=[f"#/{name}/Port"])
    if "NTP" in patch:
        # NTP changes run as a task: 202 with the task in the Accepted body and Location.
        ctx.bmc.patch(ctx.path, patch)
        task = ctx.bmc.create_task("Network Protocol Configuration")
        return ctx.reply(accepted_body("OemNetworkProtocolAcceptedMessage", task), 202, {"Location": task})
    return None


async def patch_bmc_nic(ctx: Ctx, patch: dict):
    nic = ctx.resource()
    if patch.get("IPv4StaticAddresses") and patch.get("DHCPv4", {}).get("DHCPEnabled") is not False \
            and nic["DHCPv4"]["DHCPEnabled"]:
        # A static address only takes when DHCP is switched off in the same request.
        raise RedfishError(400, "PropertyValueConflict", "IPv4StaticAddresses", "DHCPv4/DHCPEnabled")
    static = patch.get("IPv4StaticAddresses")
    for entry in static or ():
        try:
            ipaddress.ip_address(entry.get("Address"))
        except (TypeError, ValueError, AttributeError):
            raise RedfishError(400, "PropertyValueFormatError", str(entry), "IPv4StaticAddresses")
    if static:
        current = [{**s, "AddressOrigin": "Static"} for s in static]
    elif patch.get("DHCPv4", {}).get("DHCPEnabled") is True and not nic["DHCPv4"]["DHCPEnabled"]:
        # Back on DHCP: the lease is the BMC's own (home) address; the static slot reads as nulls again.
        current = [dhcp_lease(ctx.bmc.home_address)]
    else:
        return None
    new = current[0]["Address"]
    ctx.bmc.patch(ctx.path, patch)
    nic["IPv4Addresses"] = current
    if not static:
        nic["IPv4StaticAddresses"] = [{"Address": None, "SubnetMask": None, "Gateway": None}]
    if new == ctx.bmc.address:
        return ctx.success()
    # An address change runs as a task (202 + Location, BUILDIO network.rb); the BMC moves once the
    # answer is out: the old address stops answering, the new one answers with the same certificate.
    task = ctx.bmc.create_task("Network Configuration")
    ctx.bmc.move_to(new, ctx.bmc.knobs.address_settle_seconds)
    return ctx.reply(accepted_body("OemNetworkProtocolAcceptedMessage", task), 202, {"Location": task})


def _acl(ctx: Ctx) -> str:
    return ctx.bmc.oem_path("IPAccessControl")


async def create_filter_rule(ctx: Ctx):
    ctx.require_admin()
    acl = ctx.resource(_acl(ctx))
    body = await ctx.json()
    for key in body:
        if key not in ("Address", "PrefixLength", "Policy"):
            raise RedfishError(400, "PropertyUnknown", key, related=[f"#/{key}"])
    if not acl["ServiceEnabled"]:
        raise RedfishError(400, "OemIpAccessControlDisabled")
    address, prefix, policy = body.get("Address"), body.get("PrefixLength", 32), body.get("Policy", "Accept")
    try:
        ipaddress.ip_network(f"{address}/{prefix}", strict=False)
    except (TypeError, ValueError):
        raise RedfishError(400, "PropertyValueFormatError", str(address), "Address")
    if policy not in ("Accept", "Drop"):
        raise RedfishError(400, "PropertyValueNotInList", str(policy), "Policy")
    if address in ("127.0.0.1", "localhost") and policy == "Accept":
        raise RedfishError(400, "OemIpAccessControlRefuseLocal", address)
    rules = ctx.bmc.acl_rules()
    if any(r["Address"] == address and r["PrefixLength"] == prefix for r in rules):
        raise RedfishError(400, "OemRequestDataDuplicate", f"{address}/{prefix}")
    used = {int(r["Id"]) for r in rules}
    path = add_filter_rule(ctx.bmc, next(n for n in range(1, len(used) + 2) if n not in used), address, prefix, policy)
    return ctx.serve(path, 201, {"Location": path})


async def delete_filter_rule(ctx: Ctx):
    ctx.require_admin()
    ctx.resource()
    ctx.bmc.delete(ctx.path)
    return ctx.success()


def register(router) -> None:
    router.patch_hook(NP, patch_network_protocol)
    router.patch_hook(f"{MANAGER}/EthernetInterfaces/1", patch_bmc_nic)
    for base in (f"{MANAGER}/Oem/Supermicro/IPAccessControl/FilterRules", f"{MANAGER}/IPAccessControl/FilterRules"):
        router.add("POST", base, create_filter_rule, "x12 x13" if "Oem" in base else "x11")
        router.add("DELETE", rf"{base}/\d+", delete_filter_rule, "x12 x13" if "Oem" in base else "x11")
