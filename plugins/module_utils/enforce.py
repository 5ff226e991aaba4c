# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""The write side's framework: read -> plan -> (check mode stops) -> apply -> verify.

Pure Python (no Ansible imports). A concern (accounts, access policy, exposure, ...) reads the
BMC with `read()` (the gather code: only the sections it needs, raw bodies kept, ETags kept by the
client), turns desired state + what it read into a `Plan` of `Operation`s (pure), and hands the
plan to `apply()`, which:

* never writes when there is nothing to do, or when the BMC is locked (SysLockdown) and the run
  may not unlock it ("locked: SysLockdown is on");
* otherwise unlocks first and locks again last whatever happens in between (try/finally), then
  reads the lock back;
* sends the operations in Supermicro order (supermicro.WRITE_ORDER), each with only the fields
  that differ and the If-Match of the read; waits for the task of a 202;
* after an operation that changes the password of the account the run is connected with, proves
  the new password with a fresh login (`prove`) and restores the old one over the still-open
  session when the proof fails;
* stops at the first failure, naming host, path and fields; what was applied before is listed.

Secrets never leave: bodies are shown with supermicro.SECRET_FIELDS masked, and an error text
that echoes a secret is masked too.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Callable

from ansible_collections.bmclock.supermicro.plugins.module_utils import supermicro
from ansible_collections.bmclock.supermicro.plugins.module_utils.gather import gather
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishError

MASK = "********"


STATES = ["merged", "replaced", "overridden", "deleted", "gathered", "rendered"]
# The options every write action shares (documented once by the doc fragment
# bmclock.supermicro.write; each module stub declares them with its own options).
WRITE_SPEC = {
    "state": {"type": "str", "default": "merged", "choices": STATES},
    "unlock": {"type": "bool"},
    "controls": {"type": "list", "elements": "str"},
    "results_dir": {"type": "path"},
}


class PlanRefused(ValueError):
    """The desired state is invalid or unsafe for this BMC (bad password, lockout): no write at all."""


# -- operations and plans ------------------------------------------------------------------

@dataclass
class Operation:
    """One Redfish write: only the fields that differ, with their before/after."""

    method: str                     # PATCH, POST or DELETE
    path: str
    body: dict | None
    control: str                    # the catalog control id it fixes
    resource: str                   # resource key (supermicro.RESOURCE_PATHS): licences, order, verify
    changes: list = field(default_factory=list)   # [{"field", "before", "after"}], secrets masked
    step: str = "settings"          # supermicro.WRITE_ORDER key
    etag: str | None = None         # the If-Match sent (the client's remembered ETag of the read)
    description: str = ""
    proves: str | None = None       # a user name whose new password is proven by a fresh login
    rollback: Operation | None = None   # sent over the open session when the proof fails
    send: Callable | None = None    # send(client) -> response, for a write that is not one JSON request
    check: Callable | None = None   # check(client): raises when the run may not rely on the write (then rollback)
    predicts: tuple | None = None   # (resource key, body): what a write that is not a PATCH leaves there (check mode's after)

    @property
    def secret_only(self):
        """Every field it writes is a secret (a password change): nothing to read back."""
        return bool(self.body) and all(k in supermicro.SECRET_FIELDS for k in self.body)

    def public(self):
        """The operation as shown in a plan, a diff or a result: secrets masked."""
        shown = {"method": self.method, "path": self.path, "body": mask(self.body), "control": self.control,
                 "changes": self.changes, "description": self.description}
        if self.etag:
            shown["if_match"] = self.etag
        if self.proves:
            shown["proves"] = self.proves
        return shown


@dataclass
class Plan:
    host: str
    operations: list = field(default_factory=list)
    not_licensed: dict = field(default_factory=dict)    # control id -> reason; never written
    locked: bool = False                                 # SysLockdown was on when read
    lock_path: str | None = None
    unlock_licensed: bool = True

    @property
    def controls(self):
        return sorted({op.control for op in self.operations})

    def ordered(self):
        return sorted(self.operations, key=lambda op: supermicro.WRITE_ORDER[op.step])

    def public(self):
        return {"host": self.host, "operations": [op.public() for op in self.ordered()],
                "not_licensed": dict(self.not_licensed), "locked": self.locked}


def mask(value):
    """A copy of a body with every secret field's value replaced by MASK."""
    if isinstance(value, dict):
        return {k: (MASK if k in supermicro.SECRET_FIELDS and v is not None else mask(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v) for v in value]
    return value


def _secrets(value):
    if isinstance(value, dict):
        return [v for k, v in value.items() if k in supermicro.SECRET_FIELDS and isinstance(v, str) and v] + \
            [s for v in value.values() for s in _secrets(v)]
    return [s for v in value for s in _secrets(v)] if isinstance(value, list) else []


def scrub(text, *bodies):
    """`text` with every secret of `bodies` replaced by MASK (BMC messages echo rejected values)."""
    text = str(text)
    for secret in sorted({s for b in bodies for s in _secrets(b)}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def difference(current, desired, prefix=""):
    """(body, changes): the part of `desired` that differs from `current`, nested dicts followed.

    Supermicro refuses a write that sets a value to what it already is, so only this is sent.
    """
    body, changes = {}, []
    for key, want in desired.items():
        have = current.get(key) if isinstance(current, dict) else None
        name = prefix + key
        if isinstance(want, dict) and isinstance(have, dict):
            sub, sub_changes = difference(have, want, name + ".")
            if sub:
                body[key] = sub
                changes += sub_changes
        elif key in supermicro.SECRET_FIELDS:
            body[key] = want
            changes.append({"field": name, "before": MASK, "after": MASK + " (new)"})
        elif have != want:
            body[key] = want
            changes.append({"field": name, "before": have, "after": want})
    return body, changes


def nested(path, value):
    """{"A": {"B": value}} from ("A", "B")."""
    for key in reversed(path):
        value = {key: value}
    return value


def dig(body, path):
    for key in path:
        body = body.get(key) if isinstance(body, dict) else None
    return body


def licensed(resource, facts):
    """None when a write to `resource` needs no licence or the BMC has one, else the reason."""
    needed = supermicro.WRITE_LICENCES.get(resource)
    if not needed:
        return None
    installed = (facts.get("licenses") or {}).get("installed")
    if installed is None:    # X11 (no licence manager) or unreadable: the write itself will tell
        return None
    return None if set(needed) & set(installed) else "not licensed (needs %s)" % " or ".join(needed)


def gate(plan, facts):
    """Moves every operation whose write needs a licence the BMC lacks to plan.not_licensed."""
    kept = []
    for op in plan.operations:
        reason = licensed(op.resource, facts)
        if reason:
            plan.not_licensed[op.control] = reason
        else:
            kept.append(op)
    plan.operations = kept
    return plan


# -- reading -------------------------------------------------------------------------------

@dataclass
class State:
    """What one read found: normalized facts (gather), raw bodies by resource key, the paths."""
    facts: dict
    raw: dict
    paths: dict

    def body(self, key):
        value = self.raw.get(key)
        if isinstance(value, RedfishError):
            raise value
        return value


def read(client, sections, gates=True):
    """A State with the fact sections named and their raw bodies; `gates` adds the licences and
    the lockdown, which every write plan needs (identity always comes). Raises PlanRefused on a
    BMC that is not a Supermicro one, of an unknown layout, or with a section in error."""
    wanted = list(dict.fromkeys((["licenses", "lockdown"] if gates else []) + list(sections)))
    raw = {}
    facts = gather(client, sections=wanted, raw=raw)
    identity = facts.get("identity") or {}
    # Fail closed: Supermicro OEM writes only on a BMC read as a supported Supermicro one (the
    # audit's `unsupported` host status), and never a plan from a section that was not read.
    if identity.get("supermicro") is not True or identity.get("unsupported") or not identity.get("generation"):
        raise PlanRefused("unsupported BMC, no Supermicro writes: %s" % (identity.get("unsupported") or "not read as a Supermicro BMC"))
    unread = ["%s: %s" % (name, facts[name]["error"]) for name in wanted if (facts.get(name) or {}).get("error")]
    if unread:
        raise PlanRefused("not read, so nothing is planned from it: %s" % "; ".join(unread))
    return State(facts, raw, supermicro.resource_paths(identity["generation"]))


def lock_state(plan, state):
    """Records in the plan whether SysLockdown is on (and whether this BMC may unlock it)."""
    lockdown = state.facts.get("lockdown") or {}
    if lockdown.get("error"):
        raise PlanRefused("cannot tell whether SysLockdown is on: %s" % lockdown["error"])
    plan.locked = bool(lockdown.get("enabled"))
    plan.lock_path = state.paths.get("lockdown")
    plan.unlock_licensed = licensed("lockdown", state.facts) is None
    return plan


# -- applying ------------------------------------------------------------------------------

class ApplyFailed(Exception):
    def __init__(self, message, applied):
        super().__init__(message)
        self.applied = applied


def apply(client, plan, unlock=False, prove=None):
    """Sends the plan. Returns {"status", "applied": [public ops], "msg"}; status is one of
    "unchanged", "changed", "locked", "failed" (then "error" names host, path and fields and
    "applied" what was written before the failure, rolled-back proofs included)."""
    if not plan.operations:
        return {"status": "unchanged", "applied": [], "msg": "no changes needed"}
    if plan.locked and not unlock:
        return {"status": "locked", "applied": [], "msg": "locked: SysLockdown is on (set bmc_remediate_unlock: true to "
                "unlock, apply and lock again)"}
    if plan.locked and not plan.unlock_licensed:
        return {"status": "locked", "applied": [], "msg": "locked: SysLockdown is on and unlocking it is %s"
                % licensed("lockdown", {"licenses": {"installed": []}})}
    applied, error = [], None
    # A plan that itself switches SysLockdown off (the baseline wants it off): that is the unlock,
    # and the BMC is not locked again once the plan went through.
    unlocks = next((op for op in plan.operations if op.path == plan.lock_path and op.body == {supermicro.LOCKDOWN_FIELD: False}), None)
    try:
        if plan.locked:
            _send(client, unlocks or Operation("PATCH", plan.lock_path, {supermicro.LOCKDOWN_FIELD: False}, "host-syslockdown",
                                               "lockdown", description="unlock SysLockdown for the run"))
            if unlocks:
                applied.append(unlocks.public())
        for op in plan.ordered():
            if op is unlocks:
                continue
            _send(client, op)
            applied.append(op.public())
            if op.proves and prove is not None:
                _prove(client, op, prove, applied)
            if op.check is not None:
                _check(client, op, applied)
    except (RedfishError, ApplyFailed) as exc:
        error = str(exc)
    finally:
        if plan.locked and (error or not unlocks):
            error = _relock(client, plan, error)
    if error:
        return {"status": "failed", "applied": applied, "error": error,
                "msg": "%s (applied before the failure: %d operation(s))" % (error, len(applied))}
    return {"status": "changed", "applied": applied, "msg": "%d change(s) applied" % len(applied)}


def _send(client, op):
    op.etag = op.etag or client.etag(op.path)   # shown in the result; the client sends it as If-Match
    try:
        if op.send is not None:
            response = op.send(client)
        elif op.method == "PATCH":
            response = client.patch(op.path, op.body)
        elif op.method == "POST":
            response = client.post(op.path, op.body)
        else:
            response = client.delete(op.path)
        if response is not None and response.status == 202 and response.task_uri:
            client.wait_task(response, timeout=120, interval=1)
    except RedfishError as exc:
        fields = ", ".join(c["field"] for c in op.changes) or "-"
        raise ApplyFailed("%s (control %s, field(s) %s)" % (scrub(exc, op.body), op.control, fields), []) from None
    return response


def _prove(client, op, prove, applied):
    try:
        prove(op.proves, op.body["Password"])
    except Exception as exc:   # any failure of the fresh login means: do not rely on the new password
        reason = scrub(exc, op.body)
        if op.rollback is not None:
            _send(client, op.rollback)
            applied.append(dict(op.rollback.public(), description="rolled back: " + op.rollback.description))
        raise ApplyFailed("%s: the new password of %s did not work for a fresh login (%s); the old password was restored"
                          % (client.where, op.proves, reason), applied) from None


def _check(client, op, applied):
    """The proof a write asks for (a fresh connection after new IP access rules, a TLS handshake
    with a new certificate); when it fails, the rollback goes over the still-open session."""
    try:
        op.check(client)
    except Exception as exc:   # any failure of the proof means: do not rely on the write
        restored = ""
        if op.rollback is not None:
            try:
                _send(client, op.rollback)
                applied.append(dict(op.rollback.public(), description="rolled back: " + op.rollback.description))
                restored = "; %s" % op.rollback.description
            except ApplyFailed as undo:
                restored = "; the rollback failed too: %s" % undo
        raise ApplyFailed("%s: %s: %s%s" % (client.where, op.description, scrub(exc, op.body), restored), applied) from None


def _relock(client, plan, error):
    """Locks again whatever happened, and reads the lock back."""
    try:
        client.get(plan.lock_path)      # a fresh ETag for the If-Match
        _send(client, Operation("PATCH", plan.lock_path, {supermicro.LOCKDOWN_FIELD: True}, "host-syslockdown",
                                "lockdown", description="lock SysLockdown again"))
        if client.get(plan.lock_path).get(supermicro.LOCKDOWN_FIELD) is not True:
            raise ApplyFailed("%s: %s: SysLockdown did not read back on" % (client.where, plan.lock_path), [])
    except (RedfishError, ApplyFailed) as exc:
        return "; ".join(filter(None, [error, "SysLockdown NOT locked again: %s" % exc]))
    return error


# -- predicting and verifying --------------------------------------------------------------

def simulate(state, plan):
    """The State the plan would leave (raw bodies only): what check mode shows as `after`."""
    raw = copy.deepcopy(state.raw)
    for op in plan.ordered():
        current = raw.get(op.resource)
        if isinstance(current, list):   # a collection: its members
            if op.method == "POST":
                current.append(dict(op.body, **{"@odata.id": "(new)"}))
            for index, member in enumerate(list(current)):
                if member.get("@odata.id") == op.path:
                    if op.method == "DELETE":
                        current.remove(member)
                    else:
                        current[index] = _merged(member, op.body)
        elif isinstance(current, dict) and op.method == "PATCH":
            raw[op.resource] = _merged(current, op.body)
        if op.predicts:
            raw[op.predicts[0]] = _merged(raw.get(op.predicts[0]) or {}, op.predicts[1])
    return State(state.facts, raw, state.paths)


def _merged(body, patch):
    out = dict(body)
    for key, value in patch.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def verify(client, state, plan, replan):
    """Reads back what the plan wrote and plans again: whatever is still planned (password
    changes aside: a password cannot be read back) did not stick. Only the written paths are
    read (a collection that gained or lost a member: the collection and its members).
    Returns (problems, the State after)."""
    raw = copy.deepcopy(state.raw)
    written, membership = {}, set()
    for op in plan.ordered():
        written.setdefault(op.resource, set()).add(op.path)
        if op.method in ("POST", "DELETE"):
            membership.add(op.resource)
    for resource, paths in written.items():
        current = raw.get(resource)
        collection = state.paths.get(resource)
        if isinstance(current, list) and (collection in paths or resource in membership):   # membership changed
            listed = client.get(collection).get("Members") or []
            members = client.get_many(m["@odata.id"] for m in listed if isinstance(m, dict) and m.get("@odata.id"))
            raw[resource] = [_body(b) for b in members.values()]
            continue
        fresh = client.get_many(paths)
        if isinstance(current, list):
            raw[resource] = [_body(fresh[m.get("@odata.id")]) if m.get("@odata.id") in fresh else m for m in current]
        else:
            raw[resource] = _body(fresh[state.paths[resource]])
    after = State(state.facts, raw, state.paths)
    again = replan(after)
    problems = ["%s %s: %s still differs after the write" % (op.method, op.path, ", ".join(c["field"] for c in op.changes))
                for op in again.operations if not op.secret_only]
    return problems, after


def _body(answer):
    if isinstance(answer, RedfishError):
        raise answer
    return answer
