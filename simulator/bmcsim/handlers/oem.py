"""Supermicro OEM manager features with rules (SysLockdown, KCS, NTP, Syslog, RADIUS), the
LicenseManager and the Manager actions."""
from __future__ import annotations

import asyncio

from .. import firmware, fleetgen
from ..bmc import LICENSE_IDS, MANAGER
from ..errors import RedfishError, accepted_body
from .context import Ctx
from .core import validate_patch

OEM = f"{MANAGER}/Oem/Supermicro"
LICENSE_NAMES = {number: name for name, number in LICENSE_IDS.items()}


async def patch_ntp(ctx: Ctx, patch: dict):
    enabled = patch.get("NTPEnable", ctx.resource()["NTPEnable"])
    if not enabled and {"PrimaryNTPServer", "SecondaryNTPServer"} & set(patch):
        raise RedfishError(400, "OemNtpPatchSettingCondition")
    ctx.bmc.patch(ctx.path, patch)
    task = ctx.bmc.create_task("NTP Configuration")
    return ctx.reply(accepted_body("OemRequestAcceptedMessage", task), 202, {"Location": task})


async def patch_syslog(ctx: Ctx, patch: dict):
    port = patch.get("SyslogPortNumber")
    if port is not None and not 1 <= port <= 65535:
        raise RedfishError(400, "PropertyValueOutOfRange", port, "SyslogPortNumber")
    ctx.bmc.patch(ctx.path, patch)
    task = ctx.bmc.create_task("Syslog Configuration")
    return ctx.reply(accepted_body("OemRequestAcceptedMessage", task), 202, {"Location": task})


async def patch_radius(ctx: Ctx, patch: dict):
    # RG34's PATCH example writes RadiusServerIP; GET shows RadiusServer. Accept both.
    if "RadiusServerIP" in patch:
        patch["RadiusServer"] = patch.pop("RadiusServerIP")
    validate_patch(ctx, patch)


async def patch_kcs(ctx: Ctx, patch: dict):
    if "Privilege" in patch and patch["Privilege"] not in ("Administrator", "Operator", "User", "Callback"):
        raise RedfishError(400, "PropertyValueNotInList", str(patch["Privilege"]), "Privilege")


async def patch_lockdown(ctx: Ctx, patch: dict):
    if ctx.resource()["SysLockdownEnabled"] and set(patch) - {"SysLockdownEnabled"}:
        raise RedfishError(403, "OemSystemLockdownEnabledPatchValid", "SysLockdownEnabled")
    validate_patch(ctx, patch)


async def activate_license(ctx: Ctx):
    ctx.require_admin()
    body = await ctx.json()
    node = (body.get("ProductKey") or {}).get("Node") if isinstance(body.get("ProductKey"), dict) else None
    if not isinstance(node, dict) or not node.get("LicenseName") and not node.get("LicenseID"):
        raise RedfishError(400, "OemActivatelicenseErrorMessage", "Invalid product key")
    name = node.get("LicenseName") or LICENSE_NAMES.get(str(node.get("LicenseID")), "")
    if name not in LICENSE_NAMES.values() or not body["ProductKey"].get("Signature"):
        raise RedfishError(400, "OemActivatelicenseErrorMessage", "Invalid product key")
    if name not in ctx.bmc.license_names():
        ctx.bmc.set_licenses(sorted(ctx.bmc.license_names() | {name}))
    return ctx.success()


async def clear_license(ctx: Ctx):
    ctx.require_admin()
    body = await ctx.json()
    wanted = LICENSE_NAMES.get(str(body.get("LicenseID")), body.get("LicenseName"))
    if wanted not in ctx.bmc.license_names():
        raise RedfishError(400, "LicenseClearFailed")
    ctx.bmc.set_licenses(sorted(ctx.bmc.license_names() - {wanted}))
    return ctx.success()


async def manager_reset(ctx: Ctx):
    """The BMC reboots: it answers, then its listener is down for `reboot_seconds`."""
    ctx.require_admin()
    body = await ctx.json()
    allowed = ctx.resource(MANAGER)["Actions"]["#Manager.Reset"].get("ResetType@Redfish.AllowableValues", ["GracefulRestart",
                                                                                                          "ForceRestart"])
    if body.get("ResetType", "GracefulRestart") not in allowed:
        raise RedfishError(400, "PropertyValueNotInList", str(body.get("ResetType")), "ResetType")
    bmc = ctx.bmc

    async def restart():
        await asyncio.sleep(0.2)  # the answer goes out first
        await firmware.reboot(bmc, lambda: firmware.on_manager_reset(bmc))
    firmware.run_in_background(restart())
    return ctx.success()


async def factory_reset(ctx: Ctx):
    """SmcManagerConfig.Reset {Option: PreserveUser|ResetToADMIN} (X11: ManagerConfig.Reset)."""
    ctx.require_admin()
    option = (await ctx.json()).get("Option", "PreserveUser")
    if option not in ("PreserveUser", "ResetToADMIN"):
        raise RedfishError(400, "PropertyValueNotInList", str(option), "Option")
    fleetgen.factory_reset(ctx.bmc, preserve_users=option == "PreserveUser")
    return ctx.success()


def register(router) -> None:
    for base in (OEM, MANAGER):
        router.patch_hook(f"{base}/NTP", patch_ntp)
        router.patch_hook(f"{base}/Syslog", patch_syslog)
        router.patch_hook(f"{base}/RADIUS", patch_radius, validated=False)
        router.patch_hook(f"{base}/KCSInterface", patch_kcs)
    router.patch_hook(f"{OEM}/SysLockdown", patch_lockdown, validated=False)
    router.add("POST", f"{MANAGER}/LicenseManager/Actions/LicenseManager.ActivateLicense", activate_license, "x12 x13")
    router.add("POST", f"{MANAGER}/LicenseManager/ActivateLicense", activate_license, "x12 x13")   # fwupd's older path
    router.add("POST", f"{MANAGER}/LicenseManager/Actions/LicenseManager.ClearLicense", clear_license, "x12 x13")
    router.add("POST", f"{MANAGER}/Actions/Manager.Reset", manager_reset)
    router.add("POST", f"{MANAGER}/Actions/Oem/SmcManagerConfig.Reset", factory_reset, "x12 x13")
    router.add("POST", f"{MANAGER}/Actions/Oem/ManagerConfig.Reset", factory_reset, "x11")
