# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Who can log in to a BMC: desired accounts and access policy -> an enforce.Plan (pure).

Accounts (bmc_accounts): create (POST with Enabled), role and enabled updates, passwords
(`update_password: on_create | always`), accounts not listed disabled / deleted / kept (`purge`),
the factory ADMIN (Id 2) disabled or kept with a rotated password. Refused before any write: a
password the BMC would refuse, a plan that disables, demotes or deletes the account the run is
connected with, or leaves no enabled Administrator.

Policy (bmc_access_policy): AccountService lockout and minimum password length, SessionService
timeout, LDAP / Active Directory / RADIUS off unless approved and TLS-only when approved.
"""

from __future__ import annotations

import re

from ansible_collections.bmclock.supermicro.plugins.module_utils import supermicro
from ansible_collections.bmclock.supermicro.plugins.module_utils.gather import destination
from ansible_collections.bmclock.supermicro.plugins.module_utils.enforce import (
    MASK, Operation, Plan, PlanRefused, difference, dig)

PURGE = ("disable", "delete", "keep")
UPDATE_PASSWORD = ("on_create", "always")
FACTORY_ADMIN = ("disabled", "rotated", "keep")
_BAD_NAME = re.compile(r"[\s:,\"<>&']")


# -- passwords -----------------------------------------------------------------------------

def password_problems(username, password, min_length=None, max_length=None):
    """Why the BMC would refuse `password` for `username` (never the password itself)."""
    low, high = supermicro.PASSWORD_LENGTH
    low, high = max(low, min_length or low), min(high, max_length or high)
    if not isinstance(password, str):
        return ["no password given"]
    problems = []
    if not low <= len(password) <= high:
        problems.append("must be %d to %d characters long, has %d" % (low, high, len(password)))
    missing = [name for name, chars in supermicro.PASSWORD_CLASSES.items() if not any(c in chars for c in password)]
    if missing:
        problems.append("needs at least one %s character" % ", one ".join(missing))
    if username and username.lower() in password.lower():
        problems.append("must not contain the user name")
    return problems


def _check_password(host, username, password, min_length=None, max_length=None):
    problems = password_problems(username, password, min_length, max_length)
    if problems:
        raise PlanRefused("%s: account %s: password %s" % (host, username, "; ".join(problems)))


# -- accounts: desired state -----------------------------------------------------------------

def validate_accounts(host, config, state, update_password="on_create", purge="disable", factory_admin="keep",
                      factory_admin_password=None):
    """The desired account list, normalized; PlanRefused naming host, account and field."""
    if not isinstance(config, list):
        raise PlanRefused("%s: config: expected a list of accounts" % host)
    if update_password not in UPDATE_PASSWORD or purge not in PURGE or factory_admin not in FACTORY_ADMIN:
        raise PlanRefused("%s: update_password, purge or factory_admin has an unknown value" % host)
    accounts, seen = [], set()
    for index, entry in enumerate(config):
        where = "%s: config[%d]" % (host, index)
        if not isinstance(entry, dict) or not isinstance(entry.get("username"), str):
            raise PlanRefused("%s: expected a mapping with a username" % where)
        unknown = set(entry) - {"username", "role", "enabled", "password", "update_password"}
        if unknown:
            raise PlanRefused("%s (%s): unknown key(s) %s" % (where, entry["username"], ", ".join(sorted(unknown))))
        name = entry["username"]
        if not 1 <= len(name) <= 16 or _BAD_NAME.search(name):
            raise PlanRefused("%s: user name %r: 1 to 16 characters, no blanks or : , \" < > & '" % (where, name))
        if name in seen:
            raise PlanRefused("%s: account %s is listed twice" % (where, name))
        seen.add(name)
        role = entry.get("role")
        if role is not None and role not in supermicro.ACCOUNT_ROLES:
            raise PlanRefused("%s: account %s: role %r is not one of %s" % (where, name, role, ", ".join(supermicro.ACCOUNT_ROLES)))
        if entry.get("enabled") is not None and not isinstance(entry["enabled"], bool):
            raise PlanRefused("%s: account %s: enabled must be true or false" % (where, name))
        mode = entry.get("update_password") or update_password
        if mode not in UPDATE_PASSWORD:
            raise PlanRefused("%s: account %s: update_password must be on_create or always" % (where, name))
        if entry.get("password") is not None:
            _check_password(host, name, entry["password"])
        elif mode == "always" and state != "deleted":
            raise PlanRefused("%s: account %s: update_password always needs a password" % (where, name))
        if state in ("replaced", "overridden"):
            entry = dict({"enabled": True}, **{k: v for k, v in entry.items() if v is not None})
        accounts.append(dict({k: v for k, v in entry.items() if v is not None}, update_password=mode))
    if factory_admin == "rotated":
        _check_password(host, "ADMIN", factory_admin_password)
    return {"accounts": accounts, "state": state, "purge": purge if state == "overridden" else "keep",
            "factory_admin": factory_admin, "factory_admin_password": factory_admin_password}


def render_accounts(desired):
    """The writes a desired list means on an empty BMC (state: rendered), secrets masked."""
    return [{"method": "POST", "path": supermicro.RESOURCE_PATHS["X13"]["accounts"],
             "body": {"UserName": a["username"], "Password": MASK if a.get("password") else None,
                      "RoleId": a.get("role", "ReadOnly"), "Enabled": a.get("enabled", True)}}
            for a in desired["accounts"]]


# -- accounts: current state and plan --------------------------------------------------------

def accounts_config(raw):
    """The BMC's accounts in the shape of `config` (no passwords: a BMC never shows them)."""
    members = raw.get("accounts")
    if not isinstance(members, list):
        return None
    return [{"id": a.get("Id"), "username": a.get("UserName"), "role": a.get("RoleId"), "enabled": a.get("Enabled"),
             "locked": a.get("Locked")} for a in members if a.get("UserName")]


def plan_accounts(host, raw, desired, ctx):
    """The Plan that brings the BMC's accounts to `desired` (validate_accounts), or PlanRefused."""
    members = raw.get("accounts")
    if not isinstance(members, list):
        raise PlanRefused("%s: the account list could not be read: %s" % (host, members))
    service = raw.get("account_service") if isinstance(raw.get("account_service"), dict) else {}
    lengths = (service.get("MinPasswordLength"), service.get("MaxPasswordLength"))
    threshold = service.get("AccountLockoutThreshold")
    by_name = {a.get("UserName"): a for a in members if a.get("UserName")}
    collection = supermicro.RESOURCE_PATHS["X13"]["accounts"]
    plan = Plan(host)
    listed = set()

    for entry in desired["accounts"]:
        name = entry["username"]
        listed.add(name)
        current = by_name.get(name)
        if desired["state"] == "deleted":
            if current is not None:
                plan.operations.append(_remove(current, "delete", "acct-allowlist"))
            continue
        if current is None:
            if entry.get("password") is None:
                raise PlanRefused("%s: account %s does not exist and has no password to create it with" % (host, name))
            _check_password(host, name, entry["password"], *lengths)
            body = {"UserName": name, "Password": entry["password"], "RoleId": entry.get("role", "ReadOnly"),
                    "Enabled": entry.get("enabled", True)}
            plan.operations.append(Operation("POST", collection, body, "acct-allowlist", "accounts", step="create",
                                             changes=_created(name, body), description="create account %s" % name))
            continue
        wanted = {"RoleId": entry.get("role"), "Enabled": entry.get("enabled")}
        body, changes = difference(current, {k: v for k, v in wanted.items() if v is not None})
        if body:
            control = "acct-least-privilege" if "RoleId" in body else "acct-allowlist"
            step = "disable" if body.get("Enabled") is False else ("enable" if body.get("Enabled") else "update")
            plan.operations.append(Operation("PATCH", current["@odata.id"], body, control, "accounts", _named(name, changes),
                                             step=step, description="account %s: %s" % (name, ", ".join(body))))
        if entry.get("update_password") == "always":
            enabled = body.get("Enabled", current.get("Enabled"))
            plan.operations += _password(ctx, current, entry["password"], "acct-allowlist", lengths, threshold, enabled,
                                         newly_enabled=body.get("Enabled") is True)

    factory = next((a for a in members if str(a.get("Id")) == supermicro.FACTORY_ADMIN_ID), None)
    if factory is not None and factory.get("UserName") not in listed and desired["state"] != "deleted":
        listed.add(factory.get("UserName"))
        if desired["factory_admin"] == "disabled" and factory.get("Enabled"):
            plan.operations.append(_remove(factory, "disable", "acct-default-creds"))
        elif desired["factory_admin"] == "rotated":     # kept enabled, with the vault's password
            if not factory.get("Enabled"):
                plan.operations.append(Operation("PATCH", factory["@odata.id"], {"Enabled": True}, "acct-default-creds", "accounts",
                                                 [{"field": "%s.Enabled" % factory["UserName"], "before": False, "after": True}],
                                                 step="enable", description="enable account %s" % factory["UserName"]))
            plan.operations += _password(ctx, factory, desired["factory_admin_password"], "acct-default-creds", lengths, threshold,
                                         True, newly_enabled=not factory.get("Enabled"))

    if desired["purge"] != "keep":
        for account in members:
            if account.get("UserName") and account["UserName"] not in listed and str(account.get("Id")) != "1":
                if desired["purge"] == "delete":
                    plan.operations.append(_remove(account, "delete", "acct-allowlist"))
                elif account.get("Enabled"):
                    plan.operations.append(_remove(account, "disable", "acct-allowlist"))

    _never_lock_out(host, members, plan, ctx)
    return plan


def _remove(account, how, control):
    """Disable or delete; an account the BMC cannot delete (Id 1, the factory ADMIN) is disabled."""
    name = account.get("UserName")
    if how == "delete" and str(account.get("Id")) not in supermicro.UNDELETABLE_ACCOUNT_IDS:
        return Operation("DELETE", account["@odata.id"], None, control, "accounts", step="delete",
                         changes=[{"field": "%s" % name, "before": "present", "after": "deleted"}],
                         description="delete account %s" % name)
    if not account.get("Enabled"):
        return None
    return Operation("PATCH", account["@odata.id"], {"Enabled": False}, control, "accounts", step="disable",
                     changes=[{"field": "%s.Enabled" % name, "before": True, "after": False}],
                     description="disable account %s" % name)


def _password(ctx, account, password, control, lengths, threshold, enabled, newly_enabled=False):
    """A password change when needed. The connecting account's is compared with the password the
    run connected with (and proven after the change); another enabled account's is probed with
    one fresh login, never when the lockout threshold would lock it out on that one failure. A
    disabled account cannot log in, so nothing can tell its password: it is set when the account
    is created or enabled, not on every run."""
    name = account["UserName"]
    _check_password(ctx.host, name, password, *lengths)
    if not enabled:
        return []
    if name == ctx.username:
        if ctx.is_current_password(password):
            return []
        rollback = Operation("PATCH", account["@odata.id"], {"Password": ctx.current_password}, control, "accounts",
                             step="update", description="restore the previous password of %s" % name)
        return [Operation("PATCH", account["@odata.id"], {"Password": password}, control, "accounts",
                          changes=[{"field": "%s.Password" % name, "before": MASK, "after": MASK + " (new)"}], step="update",
                          description="new password for %s (the connecting account: proven by a fresh login)" % name,
                          proves=name, rollback=rollback)]
    probe_safe = not newly_enabled and not account.get("Locked") and threshold != 1
    if probe_safe and ctx.probe(name, password):
        return []
    return [Operation("PATCH", account["@odata.id"], {"Password": password}, control, "accounts", step="update",
                      changes=[{"field": "%s.Password" % name, "before": MASK, "after": MASK + " (new)"}],
                      description="new password for %s" % name)]


def _created(name, body):
    return [{"field": "%s.%s" % (name, k), "before": None, "after": MASK if k == "Password" else v} for k, v in body.items()
            if k != "UserName"]


def _named(name, changes):
    return [dict(c, field="%s.%s" % (name, c["field"])) for c in changes]


def _never_lock_out(host, members, plan, ctx):
    """The account the run connects with stays an enabled Administrator, and at least one enabled
    Administrator remains. Checked on the accounts as the plan would leave them."""
    plan.operations = [op for op in plan.operations if op is not None]
    after = {a["@odata.id"]: dict(a) for a in members if a.get("UserName")}
    for op in plan.operations:
        if op.method == "POST":
            after["(new) " + op.body["UserName"]] = dict(op.body)
        elif op.method == "DELETE":
            after.pop(op.path, None)
        elif op.path in after:
            after[op.path].update({k: v for k, v in op.body.items() if k != "Password"})
    was = next((a for a in members if a.get("UserName") == ctx.username), {})
    mine = [a for a in after.values() if a.get("UserName") == ctx.username]
    what = None
    if was and not mine:
        what = "delete"
    elif was.get("Enabled") and not mine[0].get("Enabled"):
        what = "disable"
    elif was.get("RoleId") == "Administrator" and mine[0].get("RoleId") != "Administrator":
        what = "demote"
    if what:
        raise PlanRefused("%s: the plan would %s account %s, the account this run connects with (never locks itself out); "
                          "list it as an enabled Administrator" % (host, what, ctx.username))
    if not any(a.get("Enabled") and a.get("RoleId") == "Administrator" for a in after.values()):
        raise PlanRefused("%s: the plan would leave no enabled Administrator" % host)


# -- access policy ---------------------------------------------------------------------------

POLICY_RANGES = {"min_password_length": (8, 20), "lockout_threshold": (1, 10), "lockout_duration": (30, 86400),
                 "lockout_reset_after": (30, 86400), "session_timeout": (30, 86400)}
DIRECTORY_TLS = {"ldap": ("start_tls",), "active_directory": ("ldaps",), "radius": ()}


def validate_policy(host, config, baseline=None):
    """The desired policy, checked on its own and against the audit's bounds (the baseline), so a
    target the next audit would fail is refused before any BMC is touched."""
    if not isinstance(config, dict):
        raise PlanRefused("%s: config: expected a mapping" % host)
    unknown = set(config) - set(POLICY_RANGES) - set(DIRECTORY_TLS)
    if unknown:
        raise PlanRefused("%s: config: unknown key(s) %s" % (host, ", ".join(sorted(unknown))))
    policy = {}
    for key, (low, high) in POLICY_RANGES.items():
        value = config.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise PlanRefused("%s: config.%s: expected an integer between %d and %d, got %r" % (host, key, low, high, value))
        policy[key] = value
    for key, modes in DIRECTORY_TLS.items():
        entry = config.get(key)
        if entry is None:
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("enabled"), bool) or set(entry) - {"enabled", "tls"}:
            raise PlanRefused("%s: config.%s: expected {enabled: true|false, tls: %s}" % (host, key, "|".join(modes) or "-"))
        if entry["enabled"] and entry.get("tls") not in modes and modes:
            raise PlanRefused("%s: config.%s: approved logins need tls: %s" % (host, key, " or ".join(modes)))
        if entry["enabled"] and not modes:
            raise PlanRefused("%s: config.%s: RADIUS has no TLS: it cannot be approved here" % (host, key))
        policy[key] = dict(entry)
    for problem in _beyond_bounds(policy, baseline or {}):
        raise PlanRefused("%s: %s" % (host, problem))
    if any(entry.get("enabled") for key, entry in policy.items() if key in DIRECTORY_TLS):
        policy["approved_servers"] = [str(h).lower() for h in (baseline or {}).get("bmc_approved_directory_servers") or []]
    return policy


def _beyond_bounds(policy, baseline):
    bounds = baseline.get("bmc_password_policy") or {}
    checks = [("min_password_length", "ge", bounds.get("min_length"), "bmc_password_policy.min_length"),
              ("lockout_threshold", "le", bounds.get("lockout_threshold_max"), "bmc_password_policy.lockout_threshold_max"),
              ("lockout_duration", "ge", bounds.get("lockout_duration_min"), "bmc_password_policy.lockout_duration_min"),
              ("session_timeout", "le", baseline.get("bmc_session_timeout_max"), "bmc_session_timeout_max")]
    for key, op, bound, name in checks:
        value = policy.get(key)
        if value is not None and bound is not None and (value < bound if op == "ge" else value > bound):
            yield "target %s %s is %s the audit's bound %s %s" % (key, value, "below" if op == "ge" else "above", name, bound)


def policy_config(raw):
    service = raw.get("account_service") if isinstance(raw.get("account_service"), dict) else None
    session = raw.get("session_service") if isinstance(raw.get("session_service"), dict) else None
    config = {}
    for key, (resource, path) in supermicro.POLICY_FIELDS.items():
        body = service if resource == "account_service" else session
        config[key] = dig(body, path) if body is not None else None
    for key, spec in supermicro.DIRECTORY_FIELDS.items():
        body = raw.get(spec["resource"])
        if not isinstance(body, dict) or dig(body, spec["enabled"]) is None:
            continue
        entry = {"enabled": bool(dig(body, spec["enabled"]))}
        for mode, (path, value) in spec["tls"].items():
            if dig(body, path) == value:
                entry["tls"] = mode
        config[key] = entry
    return config


def plan_policy(host, raw, desired, paths):
    """The Plan that brings AccountService, SessionService and RADIUS to `desired`: one PATCH per
    resource with only the fields that differ."""
    plan = Plan(host)
    wanted = {}        # resource key -> (desired fields, {field path: control})
    for key, (resource, path) in supermicro.POLICY_FIELDS.items():
        if key in desired:
            control = "sess-timeout" if resource == "session_service" else "acct-password-policy"
            _want(wanted, resource, path, desired[key], control)
    for key, spec in supermicro.DIRECTORY_FIELDS.items():
        entry, body = desired.get(key), raw.get(spec["resource"])
        if entry is None or not isinstance(body, dict) or dig(body, spec["enabled"]) is None:
            continue    # not configured, or not on this BMC (X11 has no directory logins)
        # Off unless approved. ServiceAddresses are bmc_exposure's: it points an approved login at the
        # approved servers, so unapproved ones switch it off only when there is no approved server.
        approved = desired.get("approved_servers") or []
        unapproved = entry["enabled"] and not approved and directory_servers(key, body)
        if not entry["enabled"] or unapproved:
            _want(wanted, spec["resource"], spec["enabled"], False, "acct-directory-tls")
        elif dig(body, spec["enabled"]):
            path, value = spec["tls"][entry["tls"]]
            _want(wanted, spec["resource"], path, value, "acct-directory-tls")
    for resource, (fields, controls) in wanted.items():
        current = raw.get(resource)
        if not isinstance(current, dict):
            raise PlanRefused("%s: %s could not be read: %s" % (host, paths.get(resource) or resource, current))
        body, changes = difference(current, fields)
        if body:
            for change in changes:
                change["control"] = controls[change["field"]]
            plan.operations.append(Operation("PATCH", paths[resource], body, changes[0]["control"], resource, changes,
                                             step="settings", description="%s: %s" % (resource, ", ".join(c["field"] for c in changes))))
    return plan


def directory_servers(key, body):
    """The hosts a directory service binds to (gather.destination of its configured addresses)."""
    if key == "radius":
        addresses = [body.get("RadiusServer") or body.get("RadiusServerIP")]
    else:
        block = body.get("LDAP" if key == "ldap" else "ActiveDirectory") or {}
        addresses = list(block.get("ServiceAddresses") or [])
        if key == "active_directory":
            addresses += dig(body, ("Oem", "Supermicro", "ActiveDirectory", "DynamicServerAddresses")) or []
    return [h for h in map(destination, addresses) if h]


def _want(wanted, resource, path, value, control):
    fields, controls = wanted.setdefault(resource, ({}, {}))
    target = fields
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value
    controls[".".join(path)] = control


def render_policy(desired):
    paths = supermicro.RESOURCE_PATHS["X13"]
    plan = plan_policy("(rendered)", {"account_service": {}, "session_service": {}}, desired, paths)
    return [op.public() for op in plan.operations]


# -- the concerns' options (argument specs: the module stubs bmc_accounts, bmc_access_policy and
# bmc_access declare them, the actions validate them) ---------------------------------------
ACCOUNTS_SPEC = {"type": "list", "elements": "dict", "default": [], "options": {
    "username": {"type": "str", "required": True},
    "role": {"type": "str", "choices": list(supermicro.ACCOUNT_ROLES)},
    "enabled": {"type": "bool"},
    "password": {"type": "str", "no_log": True},
    "update_password": {"type": "str", "choices": list(UPDATE_PASSWORD)},
}}
ACCOUNT_OPTIONS_SPEC = {
    "purge": {"type": "str", "default": "disable", "choices": list(PURGE)},
    "update_password": {"type": "str", "default": "on_create", "choices": list(UPDATE_PASSWORD)},
    "factory_admin": {"type": "str", "default": "keep", "choices": list(FACTORY_ADMIN)},
    "factory_admin_password": {"type": "str", "no_log": True},
}
_DIRECTORY = {"type": "dict", "options": {"enabled": {"type": "bool", "required": True}, "tls": {"type": "str"}}}
POLICY_SPEC = {"type": "dict", "default": {}, "options": dict(
    {key: {"type": "int", "no_log": False} for key in POLICY_RANGES},   # numbers, not secrets
    ldap=_DIRECTORY, active_directory=_DIRECTORY, radius=_DIRECTORY)}
