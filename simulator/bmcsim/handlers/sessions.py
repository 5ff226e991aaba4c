"""Authentication (Basic and X-Auth-Token), lockout after failed logins, and SessionService."""
from __future__ import annotations

import base64
import secrets
import time

from ..bmc import BMC, R, SESSIONS, Session, etag_of
from ..errors import RedfishError
from .context import Ctx
from .core import validate_patch

MAX_SESSIONS = 16


def _expire(bmc: BMC) -> None:
    timeout = bmc.store[f"{R}/SessionService"]["SessionTimeout"]
    now = time.monotonic()
    for sid in [s.id for s in bmc.sessions.values() if now - s.last_used > timeout]:
        del bmc.sessions[sid]


def is_locked(bmc: BMC, username: str) -> bool:
    until = bmc.locked_until.get(username)
    if until and time.monotonic() >= until:
        del bmc.locked_until[username]
        _set_locked_flag(bmc, username, False)
        return False
    return bool(until)


def _set_locked_flag(bmc: BMC, username: str, locked: bool) -> None:
    account = bmc.account_by_name(username)
    if account is not None:
        account["Locked"] = locked


def check_credentials(bmc: BMC, username: str, password: str) -> dict:
    """The account for these credentials, counting failures towards the lockout threshold."""
    service = bmc.account_service()
    account = bmc.account_by_name(username)
    if is_locked(bmc, username):
        raise RedfishError(401, "AccountLockup")
    if account and account["Enabled"] and bmc.passwords.get(account["Id"]) == password:
        bmc.failures.pop(username, None)
        return account
    threshold = service.get("AccountLockoutThreshold", 0)
    if account and threshold:
        now = time.monotonic()
        window = service.get("AccountLockoutCounterResetAfter", 30)
        fails = [t for t in bmc.failures.get(username, []) if now - t < window] + [now]
        bmc.failures[username] = fails
        if len(fails) >= threshold:
            bmc.locked_until[username] = now + service.get("AccountLockoutDuration", 30)
            bmc.failures.pop(username, None)
            _set_locked_flag(bmc, username, True)
    raise RedfishError(401, "NoValidSession")


def authenticate(ctx: Ctx) -> None:
    bmc, headers = ctx.bmc, ctx.request.headers
    _expire(bmc)
    token = headers.get("X-Auth-Token")
    if token:
        session = next((s for s in bmc.sessions.values() if s.token == token), None)
        if session is None:
            raise RedfishError(401, "NoValidSession")
        session.last_used = time.monotonic()
        ctx.session, ctx.user = session, bmc.get(f"{R}/AccountService/Accounts/{session.account_id}")
        if ctx.user is None:
            raise RedfishError(401, "NoValidSession")
        return
    auth = headers.get("Authorization", "")
    if auth.startswith("Basic "):
        try:
            username, _, password = base64.b64decode(auth[6:]).decode().partition(":")
        except ValueError:
            raise RedfishError(401, "NoValidSession")
        ctx.user = check_credentials(bmc, username, password)
        return
    raise RedfishError(401, "NoValidSession")


async def create_session(ctx: Ctx):
    bmc = ctx.bmc
    body = await ctx.json()
    username, password = body.get("UserName"), body.get("Password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise RedfishError(400, "PropertyMissing", "UserName" if not isinstance(username, str) else "Password")
    _expire(bmc)
    account = check_credentials(bmc, username, password)
    if len(bmc.sessions) >= MAX_SESSIONS:
        raise RedfishError(503, "SessionLimitExceeded")
    sid = str(next(n for n in range(1, 10 * MAX_SESSIONS) if str(n) not in bmc.sessions))
    now = time.monotonic()
    session = Session(sid, secrets.token_hex(16), username, account["Id"], now, now)
    bmc.sessions[sid] = session
    ctx.session, ctx.user = session, account
    return ctx.reply(session_body(session), 201, {"X-Auth-Token": session.token, "Location": f"{SESSIONS}/{sid}"})


def session_body(s: Session) -> dict:
    return {"@odata.type": "#Session.v1_3_0.Session", "@odata.id": f"{SESSIONS}/{s.id}", "Id": s.id, "Name": "User Session",
            "Description": "Manager User Session", "UserName": s.username, "Oem": {}}


async def list_sessions(ctx: Ctx):
    newest_first = sorted(ctx.bmc.sessions.values(), key=lambda s: -s.created)
    members = [{"@odata.id": f"{SESSIONS}/{s.id}"} for s in newest_first]
    body = {"@odata.type": "#SessionCollection.SessionCollection", "@odata.id": SESSIONS, "Name": "Session Collection",
            "Members": members, "Members@odata.count": len(members)}
    return ctx.reply(_with_etag(ctx.bmc, body))


def _with_etag(bmc: BMC, body: dict) -> dict:
    return {**body, "@odata.etag": etag_of(body)} if bmc.etags else body


async def get_session(ctx: Ctx):
    session = ctx.bmc.sessions.get(ctx.match["id"])
    if session is None:
        raise RedfishError(404, "ResourceMissingAtURI", ctx.path)
    return ctx.reply(_with_etag(ctx.bmc, session_body(session)))


async def delete_session(ctx: Ctx):
    session = ctx.bmc.sessions.get(ctx.match["id"])
    if session is None:
        raise RedfishError(404, "ResourceMissingAtURI", ctx.path)
    if ctx.role != "Administrator" and (ctx.user or {}).get("UserName") != session.username:
        raise RedfishError(403, "InsufficientPrivilege")
    del ctx.bmc.sessions[session.id]
    return ctx.success()


async def patch_session_service(ctx: Ctx):
    ctx.require_admin()
    body = await ctx.json()
    validate_patch(ctx, body)
    timeout = body.get("SessionTimeout")
    if timeout is not None and not 30 <= timeout <= 86400:
        raise RedfishError(400, "PropertyValueOutOfRange", timeout, "SessionTimeout")
    ctx.bmc.patch(ctx.path, body)
    return ctx.success()


def register(router) -> None:
    router.add("POST", SESSIONS, create_session)
    router.add("GET", SESSIONS, list_sessions)
    router.add("GET", rf"{SESSIONS}/(?P<id>\w+)", get_session)
    router.add("DELETE", rf"{SESSIONS}/(?P<id>\w+)", delete_session)
    router.add("PATCH", f"{R}/SessionService", patch_session_service)
