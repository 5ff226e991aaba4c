"""AccountService, Supermicro style: POST takes the lowest free Id >= 3 (Id 1 reserved, Id 2 is
ADMIN, never deleted), roles Administrator/Operator/ReadOnly only, password length and complexity from the
AccountService policy, and no disabling/deleting a user that owns an active session."""
from __future__ import annotations

import string

from ..bmc import ACCOUNTS, R
from ..errors import RedfishError
from ..fleetgen import account, lookup_domain_controllers
from .context import Ctx
from .core import validate_patch

ROLES = ("Administrator", "Operator", "ReadOnly")
MAX_ACCOUNT_ID = 10          # the IPMI user table behind the Redfish ids
# Id 2 is IPMI user 2, the factory ADMIN: it can be disabled, renamed and re-passworded, not
# deleted (the IPMI user table keeps user 2; reference 2.1) [I].
UNDELETABLE = ("1", "2")
# Character classes a password may be required to contain (per BMC: knob `password_classes`).
CLASSES = {"upper": string.ascii_uppercase, "lower": string.ascii_lowercase, "digit": string.digits,
           "special": string.punctuation}


def check_password(ctx: Ctx, password, username: str) -> None:
    service = ctx.bmc.account_service()
    if not isinstance(password, str):
        raise RedfishError(400, "PropertyValueTypeError", str(password), "Password")
    lo, hi = service["MinPasswordLength"], service["MaxPasswordLength"]
    if not lo <= len(password) <= hi or any(not any(c in CLASSES[k] for c in password) for k in ctx.bmc.knobs.password_classes) \
            or (username and username.lower() in password.lower()):
        raise RedfishError(400, "PropertyValueFormatError", "******", "Password")


def check_role(role) -> None:
    if role not in ROLES:
        raise RedfishError(400, "PropertyValueNotInList", str(role), "RoleId")


def has_session(ctx: Ctx, account: dict) -> bool:
    return any(s.account_id == account["Id"] for s in ctx.bmc.sessions.values())


async def create_account(ctx: Ctx):
    ctx.require_admin()
    body = await ctx.json()
    for key in body:
        if key not in ("UserName", "Password", "RoleId", "Enabled", "Locked"):
            raise RedfishError(400, "PropertyUnknown", key, related=[f"#/{key}"])
    for key in ("UserName", "Password", "RoleId"):
        if key not in body:
            raise RedfishError(400, "PropertyMissing", key, related=[f"#/{key}"])
    username = body["UserName"]
    if not isinstance(username, str) or not 1 <= len(username) <= 16 or any(c in username for c in ' :,"<>&\''):
        raise RedfishError(400, "PropertyValueFormatError", str(username), "UserName")
    if ctx.bmc.account_by_name(username):
        raise RedfishError(400, "ResourceAlreadyExists", "ManagerAccount", "UserName", username)
    check_role(body["RoleId"])
    check_password(ctx, body["Password"], username)
    used = {a["Id"] for a in ctx.bmc.accounts()}
    free = next((str(n) for n in range(3, MAX_ACCOUNT_ID + 1) if str(n) not in used), None)
    if free is None:
        raise RedfishError(400, "CreateLimitReachedForResource")
    account(ctx.bmc, free, username, body["Password"], body["RoleId"], bool(body.get("Enabled", True)))
    return ctx.serve(f"{ACCOUNTS}/{free}", 201, {"Location": f"{ACCOUNTS}/{free}"})


async def patch_account(ctx: Ctx):
    target = ctx.resource()
    body = await ctx.json()
    own = ctx.user and ctx.user["Id"] == target["Id"]
    if ctx.role != "Administrator" and not (own and set(body) <= {"Password"}):
        raise RedfishError(403, "InsufficientPrivilege")
    validate_patch(ctx, body)
    if "RoleId" in body:
        check_role(body["RoleId"])
    if "Password" in body:
        check_password(ctx, body["Password"], body.get("UserName", target["UserName"]))
    if body.get("Enabled") is False and has_session(ctx, target):
        raise RedfishError(400, "OemUserDisableFail", target["Id"])
    if "UserName" in body and body["UserName"] != target["UserName"] and ctx.bmc.account_by_name(body["UserName"]):
        raise RedfishError(400, "ResourceAlreadyExists", "ManagerAccount", "UserName", body["UserName"])
    if "Password" in body:
        password = body.pop("Password")
        if not ctx.bmc.knobs.password_patch_lost:
            ctx.bmc.passwords[target["Id"]] = password
    if "RoleId" in body:
        body["Links"] = {"Role": {"@odata.id": f"{R}/AccountService/Roles/{body['RoleId']}"}}
    if body.get("Locked") is False:
        ctx.bmc.locked_until.pop(target["UserName"], None)
    ctx.bmc.patch(ctx.path, body)
    return ctx.success()


async def delete_account(ctx: Ctx):
    ctx.require_admin()
    target = ctx.resource()
    if target["Id"] in UNDELETABLE:
        raise RedfishError(405, "ActionNotSupported", "Delete")
    if has_session(ctx, target):
        raise RedfishError(400, "OemUserDisableFail", target["Id"])
    ctx.bmc.delete(ctx.path)
    ctx.bmc.passwords.pop(target["Id"], None)
    return ctx.success()


async def patch_account_service(ctx: Ctx, patch: dict):
    service = ctx.resource()
    lo, hi = patch.get("MinPasswordLength", service["MinPasswordLength"]), patch.get("MaxPasswordLength", service["MaxPasswordLength"])
    if not 8 <= lo <= hi <= 20:
        raise RedfishError(400, "PropertyValueOutOfRange", lo if lo < 8 or lo > hi else hi,
                           "MinPasswordLength" if lo < 8 or lo > hi else "MaxPasswordLength")
    ctx.bmc.patch(ctx.path, patch)
    if "DNSLookupEnable" in (((patch.get("Oem") or {}).get("Supermicro") or {}).get("ActiveDirectory") or {}):
        lookup_domain_controllers(ctx.bmc)       # the domain controllers found (or none): DynamicServerAddresses is derived
    return ctx.success()


def register(router) -> None:
    router.add("POST", ACCOUNTS, create_account)
    router.add("PATCH", rf"{ACCOUNTS}/\d+", patch_account)
    router.add("DELETE", rf"{ACCOUNTS}/\d+", delete_account)
    router.patch_hook(f"{R}/AccountService", patch_account_service)
