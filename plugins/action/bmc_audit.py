# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Audit one Supermicro BMC: gather over Redfish, evaluate the control catalog, record.

An action plugin, so the work runs inside the controller's worker process: no module upload and
no new interpreter per host (about 10x less controller CPU than a module, see bench/).
"""

from __future__ import annotations

import contextlib
import datetime
import os
import signal
import threading

from ansible.errors import AnsibleActionFail

from ansible_collections.bmclock.supermicro.plugins.module_utils import audit_run, compliance, redfish, results, selection
from ansible_collections.bmclock.supermicro.plugins.module_utils.gather import gather
# The options: documented and declared once, in the module stub (validate-modules compares them).
from ansible_collections.bmclock.supermicro.plugins.modules.bmc_audit import ARGUMENT_SPEC
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.controller_action import ControllerAction, load_catalog


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        try:
            return self._audit(task_vars)
        except AnsibleActionFail as exc:
            # The host was not audited in this run: its stored record must not keep saying what
            # an earlier run saw (the same run's reports, groups and gate read that record).
            # A plain failed result (not the exception re-raised): ansible-core 2.19 drops the
            # exception's extra keys, and the summary callback and the rescue need this record.
            return {"failed": True, "msg": exc.message, "bmc_compliance": self._failure_record(task_vars, exc.message)}

    def _failure_record(self, task_vars, message):
        """An error record for a host whose audit task failed, written when results_dir is known;
        the stored control results are kept, each with its own audited_at."""
        host = task_vars["inventory_hostname"]
        results_dir = self._task.args.get("results_dir")
        results_dir = os.path.expanduser(results_dir) if isinstance(results_dir, str) and results_dir else None
        previous_fact = self._templar.template(task_vars.get("bmc_compliance"))
        previous_fact = previous_fact if isinstance(previous_fact, dict) else None
        previous = results.previous_record(results_dir, host, previous_fact) or {}
        stored = previous.get("results") if isinstance(previous.get("results"), list) else []
        reason = "audit task failed: %s" % message
        summary = dict(compliance.summarize(stored), status="error", reason=reason, compliant=False)
        record = {"schema": results.SCHEMA, "host": host, "address": previous.get("address"),
                  "audited_at": audit_run.iso(_now()), "audited_controls": [], "redfish_requests": 0,
                  "status": "error", "summary": summary, "results": stored, "facts": {}}
        if isinstance(previous.get("login_refused"), dict):
            record["login_refused"] = previous["login_refused"]  # the lockout window still holds
        if results_dir:
            try:
                record = results.write_record(results_dir, record, previous_fact)
                record["results_file"] = results.latest_path(results_dir, host)
            except (OSError, ValueError):
                pass  # the task fails anyway, with its own message
        record.pop("facts", None)
        return record

    def _audit(self, task_vars):
        args = self.connection_args(task_vars, ARGUMENT_SPEC)
        host = task_vars["inventory_hostname"]
        problems = audit_run.numeric_problems(args)
        if problems:
            raise AnsibleActionFail("%s: %s" % (host, "; ".join(problems)))

        catalog = load_catalog(args["catalog"])
        baseline, enabled = self._baseline(task_vars, catalog)
        selected = self._selected_controls(catalog, task_vars, args["controls"])
        previous_fact = self._templar.template(task_vars.get("bmc_compliance")) or None
        previous = results.previous_record(args["results_dir"], host, previous_fact)
        if task_vars.get("bmc_exposure") is None:     # no probe data in this run
            selected = selection.keep_recorded_evidence(selected, (previous or {}).get("results"))
        warnings = []
        if not args["validate_certs"]:
            warnings.append("%s: the BMC's TLS certificate is not verified (bmc_validate_certs: false); "
                            "the results record tls_verified: false" % host)

        started = _now()
        refusal = None if args["retry_refused_login"] else audit_run.refusal_in_force(previous, started)
        if refusal:
            facts, requests, refused = {}, 0, refusal
            failure = ("error", "login refused at %s: BMC not contacted until %s (its lockout window; "
                                "bmc_retry_refused_login: true to retry now)" % (refusal["at"], refusal["until"]))
        else:
            facts, failure, requests, refused = self._gather(args, host, previous, started)
        if failure is None and task_vars.get("bmc_exposure") is not None:
            # What a probe from outside the management network saw (set by the exposure probe).
            facts["exposure"] = self._templar.template(task_vars["bmc_exposure"])

        audited_at = audit_run.iso(started)
        if failure is None:
            evaluation = compliance.evaluate(facts, selected, baseline, enabled)
        else:
            evaluation = compliance.unreachable(selected, failure[1])
        for result in evaluation["results"]:
            result["audited_at"] = audited_at
        merged = results.merge(previous and previous.get("results"), evaluation["results"],
                               [c["id"] for c in catalog], {c["id"] for c in selected})
        if failure is None:
            summary = compliance.summarize(merged, facts)
        else:
            summary = dict(compliance.summarize(merged), status=failure[0], reason=failure[1], compliant=False)
        never = [c["id"] for c in catalog if c["id"] not in {r["id"] for r in merged}]
        if never and summary["status"] == "compliant":
            # Compliance is a claim about the whole catalog: a control never audited is no evidence.
            summary.update(status="error", compliant=False,
                           reason="never audited: %s (run the audit without --tags)" % ", ".join(never))
        summary["not_audited"] = never

        record = {
            "schema": results.SCHEMA,
            "host": host,
            "address": args["host"],
            "port": args["port"],
            "audited_at": audited_at,
            "audited_controls": [c["id"] for c in selected],
            "duration_s": round((_now() - started).total_seconds(), 3),
            "redfish_requests": requests,
            "tls_verified": bool(args["validate_certs"]),
            "status": summary["status"],
            "summary": summary,
            "results": merged,
            "facts": facts,
        }
        if refused:
            record["login_refused"] = refused
        if args["results_dir"]:
            record = results.write_record(args["results_dir"], record, previous_fact)
        else:
            record["drift"] = results.drift(previous_fact, record)

        compliance_fact = {k: v for k, v in record.items() if k != "facts"}
        if args["results_dir"]:
            compliance_fact["results_file"] = results.latest_path(args["results_dir"], record["host"])
        return {
            "changed": False,
            "ansible_facts": {"bmc": facts, "bmc_compliance": compliance_fact},
            "bmc_compliance": compliance_fact,
            "warnings": warnings,
            "msg": "%s: %s%s" % (host, record["status"], ": " + summary["reason"] if summary.get("reason") else ""),
        }

    def _gather(self, args, host, previous, started):
        """(facts, failure, requests, refused): failure is None, or (host status, reason) when the
        BMC could not be audited at all; refused is the login_refused entry of a refused login."""
        client = self.redfish_client(args, host, host_timeout=args["host_timeout"],
                                     max_response_bytes=args["max_response_size"])
        try:
            with _logout_on_signal(client), client as rf:
                facts = gather(rf)
        except redfish.LoginRefused as exc:
            refused = audit_run.login_refusal(previous, started, getattr(exc, "retry_after", None), args["refused_login_wait"])
            reason = "login refused: %s; not retried before %s (bmc_retry_refused_login: true to retry)" % (
                exc, refused["until"])
            return {}, ("error", reason), client.requests, dict(refused, reason=reason)
        except redfish.RedfishError as exc:
            # Unreachable only when nothing answered; a deadline, an oversized or odd answer is an error.
            answered = exc.status is not None or isinstance(exc, (redfish.HostTimeout, redfish.ResponseTooLarge))
            return {}, ("error" if answered else "unreachable", str(exc)), client.requests, None
        return facts, None, client.requests, None

    def _baseline(self, task_vars, catalog):
        """The baseline (bmc_* variables) and the per-control enable flags, templated."""
        values = self.bmc_vars(task_vars)
        baseline = compliance.baseline_from_vars(values)
        problems = compliance.validate_baseline(baseline)
        if problems:
            raise AnsibleActionFail("invalid baseline: " + "; ".join("%s: %s" % p for p in problems))
        enabled = {c["id"]: bool(values.get(compliance.enable_var(c["id"]), True)) for c in catalog}
        return baseline, enabled

    @staticmethod
    def _selected_controls(catalog, task_vars, controls):
        """Controls picked by --tags / --skip-tags and the `controls` option (module_utils/selection)."""
        wrong = selection.unknown(controls, catalog, play_tags=())
        if wrong:
            raise AnsibleActionFail("controls: unknown control or family %s (%s)" % (
                ", ".join(wrong), selection.describe_valid(catalog, play_tags=())))
        return selection.select(catalog, task_vars.get("ansible_run_tags"), task_vars.get("ansible_skip_tags"), controls)


@contextlib.contextmanager
def _logout_on_signal(client):
    """While the BMC is talked to, SIGINT/SIGTERM (Ctrl-C, an AWX cancel) first log the session
    out (bounded: client.close()), then go on as they would have (Ansible's worker exits)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread can set signal handlers
        return
    signums = (signal.SIGINT, signal.SIGTERM)
    saved = {signum: signal.getsignal(signum) for signum in signums}

    def restore():
        for signum, handler in saved.items():
            signal.signal(signum, handler)

    def handler(signum, frame):
        # Ansible's parent follows a SIGINT with a SIGTERM to its workers: that one waits for the
        # (bounded) logout instead of ending the worker half way through it.
        for other in signums:
            signal.signal(other, signal.SIG_IGN)
        try:
            client.close()
        finally:
            restore()
            previous = saved[signum]
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signum)

    for signum in signums:
        signal.signal(signum, handler)
    try:
        yield
    finally:
        restore()
