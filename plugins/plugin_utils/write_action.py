# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""The one base of the write actions (bmc_accounts, bmc_access_policy, ...): read -> plan ->
check mode stops -> apply -> verify -> record, with Ansible's resource-module vocabulary.

A concern subclasses WriteAction and supplies, as pure code from module_utils:
  SECTIONS                       the gather sections it reads
  desired(args, task_vars)       the validated desired state (before any BMC is touched)
  plan(state, desired, ctx)      an enforce.Plan (raises enforce.PlanRefused: no write at all)
  config(state)                  the current state in the shape of `config` (before/after/gathered)
  render(desired)                the writes `state: rendered` shows, without a BMC

Everything else is here, once: connection (CONNECTION_SPEC), check mode (the plan, zero writes),
diff (before/after, secrets masked), SysLockdown (`unlock`, from bmc_remediate_unlock), licence
gating, the password proof with a fresh login, verification by reading again, and the record.
"""

from __future__ import annotations

import datetime
import json
import os

from ansible.errors import AnsibleActionFail

from ansible_collections.bmclock.supermicro.plugins.module_utils import enforce, results
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishError
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.controller_action import ControllerAction

STATES = ["merged", "replaced", "overridden", "deleted", "gathered", "rendered"]
# Options of every write action (documented once in the doc fragment bmclock.supermicro.write).
WRITE_SPEC = {
    "state": {"type": "str", "default": "merged", "choices": STATES},
    "unlock": {"type": "bool"},
    "controls": {"type": "list", "elements": "str"},
    "results_dir": {"type": "path"},
}
REMEDIATION_DIR = "remediation"     # <results_dir>/remediation/<host>.json (audit records stay alone)


class Context:
    """What a plan may know about the run besides the BMC: the host, who is connected, and a
    probe that tells whether a password works for an account (one fresh login, never retried)."""

    verifying = False

    def __init__(self, host, username, password, probe=None):
        self.host, self.username, self.probe = host, username, probe
        self.__password = password

    def is_current_password(self, candidate):
        return candidate == self.__password

    @property
    def current_password(self):
        return self.__password


class WriteAction(ControllerAction):
    SECTIONS = ()
    ARGUMENT_SPEC = {}
    STATES = STATES

    # -- what a concern provides -------------------------------------------------------------

    def desired(self, args, task_vars):
        raise NotImplementedError

    def plan(self, state, desired, ctx):
        raise NotImplementedError

    def config(self, state):
        raise NotImplementedError

    def render(self, desired):
        raise NotImplementedError

    # -- the flow ----------------------------------------------------------------------------

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        args = self.connection_args(task_vars, dict(WRITE_SPEC, **self.ARGUMENT_SPEC))
        host = task_vars["inventory_hostname"]
        if args["state"] not in self.STATES:
            raise AnsibleActionFail("%s: state %s is not supported by %s (use one of %s)"
                                    % (host, args["state"], self._task.action, ", ".join(self.STATES)))
        if args["unlock"] is None:
            args["unlock"] = bool(self._templar.template(task_vars.get("bmc_remediate_unlock", False)))
        try:
            desired = self.desired(args, task_vars)     # validated before any BMC is touched
        except enforce.PlanRefused as exc:
            return self._failed(host, str(exc), writes=0)
        if args["state"] == "rendered":
            return {"changed": False, "rendered": self.render(desired)}

        ctx = Context(host, args["username"], args["password"], self._probe(args))
        client = self.redfish_client(args, host)
        try:
            with client as rf:
                return self._enforce(rf, args, desired, ctx)
        except RedfishError as exc:
            return self._failed(host, enforce.scrub(exc, desired), writes=0)

    def _enforce(self, rf, args, desired, ctx):
        state = enforce.read(rf, self.SECTIONS)
        before = self.config(state)
        if args["state"] == "gathered":
            return {"changed": False, "gathered": before}
        try:
            plan = self._selected(args, self.plan(state, desired, ctx))
            enforce.lock_state(plan, state)
        except enforce.PlanRefused as exc:
            return self._failed(ctx.host, "%s (nothing was written)" % exc, writes=0, before=before)
        enforce.gate(plan, state.facts)
        predicted = self.config(enforce.simulate(state, plan))
        result = {"changed": bool(plan.operations), "before": before, "after": predicted, "plan": plan.public(),
                  "not_licensed": plan.not_licensed, "bmc_remediation": None}
        if self._task.diff and plan.operations:
            result["diff"] = {"before": _shown(before), "after": _shown(predicted),
                              "before_header": "%s (read)" % ctx.host, "after_header": "%s (planned)" % ctx.host}
        if self._play_context.check_mode:
            result["msg"] = "%s: %d change(s) planned (check mode: nothing written)" % (ctx.host, len(plan.operations))
            if plan.locked and plan.operations and not args["unlock"]:
                result["msg"] += "; SysLockdown is on: the run would leave it untouched without bmc_remediate_unlock"
            return self._finish(args, ctx, result, "planned")

        outcome = enforce.apply(rf, plan, unlock=args["unlock"], prove=self._prover(args))
        result.update(applied=outcome["applied"], msg="%s: %s" % (ctx.host, outcome["msg"]))
        # The connecting account's new password works (proven): later tasks must connect with it.
        result["connection_password_changed"] = outcome["status"] == "changed" and any(
            op.get("proves") == ctx.username for op in outcome["applied"])
        if outcome["status"] == "locked":
            result.update(changed=False, after=before, locked=True, warnings=[result["msg"]])
            return self._finish(args, ctx, result, "locked")
        if outcome["status"] == "failed":
            result.update(changed=bool(outcome["applied"]), failed=True, after=None)
            return self._finish(args, ctx, result, "failed")
        if outcome["status"] == "changed":
            problems, after = self._verify(rf, args, state, plan, desired, ctx)
            result["after"] = self.config(after)
            if problems:
                result.update(failed=True, msg="%s: verification failed: %s" % (ctx.host, "; ".join(problems)))
                return self._finish(args, ctx, result, "failed")
        return self._finish(args, ctx, result, outcome["status"])

    @staticmethod
    def _selected(args, plan):
        """Only the operations of the selected controls (option controls)."""
        if args["controls"] is not None:
            plan.operations = [op for op in plan.operations if op.control in args["controls"]]
        return plan

    def _verify(self, rf, args, state, plan, desired, ctx):
        return enforce.verify(rf, state, plan, lambda after: self._selected(args, self.plan(after, desired, _Verifying(ctx))))

    def _probe(self, args):
        """True when `password` logs `username` in (a fresh session, logged out), False on 401."""
        prove = self._prover(args)

        def probe(username, password):
            try:
                prove(username, password)
            except RedfishError as exc:
                if exc.status == 401:
                    return False
                raise
            return True
        return probe

    def _prover(self, args):
        """A fresh login with the new password of the connecting account (then logged out)."""
        def prove(username, password):
            fresh = dict(args, username=username, password=password, retries=0)
            with self.redfish_client(fresh, args["host"]) as rf:
                rf.get("/redfish/v1/SessionService")
        return prove

    # -- results -----------------------------------------------------------------------------

    def _finish(self, args, ctx, result, status):
        summary = {
            "host": ctx.host, "action": self._task.action, "status": status,
            "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "check_mode": bool(self._play_context.check_mode),
            "controls": sorted({op["control"] for op in result["plan"]["operations"]}),
            "operations": [{k: op[k] for k in ("method", "path", "control")} for op in result["plan"]["operations"]],
            "changes": [c for op in result.get("applied") or result["plan"]["operations"] for c in _labelled(op)],
            "not_licensed": result.get("not_licensed") or {},
            "msg": result.get("msg"),
        }
        result["bmc_remediation"] = summary
        self.record(args, ctx, summary)
        return result

    def record(self, args, ctx, summary):
        """Appends the summary to <results_dir>/remediation/<host>.json (the hook the playbook's
        report reads); nothing when no results_dir is given."""
        if not args.get("results_dir"):
            return
        directory = os.path.join(args["results_dir"], REMEDIATION_DIR)
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, ctx.host + ".json")
        try:
            with open(path, encoding="utf-8") as handle:
                history = json.load(handle)
        except (OSError, ValueError):
            history = []
        results.atomic_write_text(path, json.dumps((history + [summary])[-50:], indent=1, sort_keys=True) + "\n")

    @staticmethod
    def _failed(host, msg, writes, before=None):
        result = {"failed": True, "changed": False, "msg": msg if msg.startswith(host) else "%s: %s" % (host, msg),
                  "writes": writes}
        if before is not None:
            result["before"] = before
        return result


class _Verifying:
    """The context of the verification plan: no more fresh logins (the proof already ran)."""

    def __init__(self, ctx):
        self.host, self.username, self.verifying = ctx.host, ctx.username, True
        self._ctx = ctx

    @staticmethod
    def probe(username, password):
        return True

    def is_current_password(self, candidate):
        return True

    @property
    def current_password(self):
        return self._ctx.current_password


def _labelled(op):
    return [dict(change, path=op["path"], control=op["control"]) for change in op.get("changes") or []]


def _shown(value):
    """Diff text: JSON, secrets masked."""
    return json.dumps(enforce.mask(value), indent=2, sort_keys=True) + "\n"
