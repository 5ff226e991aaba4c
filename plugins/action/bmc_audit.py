# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Audit one Supermicro BMC: gather over Redfish, evaluate the control catalog, record.

An action plugin, so the work runs inside the controller's worker process: no module upload and
no new interpreter per host (about 10x less controller CPU than a module, see bench/).
"""

from __future__ import annotations

import datetime

from ansible.errors import AnsibleActionFail

from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance, results
from ansible_collections.bmclock.supermicro.plugins.module_utils.gather import gather
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishError
# The options: documented and declared once, in the module stub (validate-modules compares them).
from ansible_collections.bmclock.supermicro.plugins.modules.bmc_audit import ARGUMENT_SPEC
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.controller_action import ControllerAction, load_catalog


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        args = self.connection_args(task_vars, ARGUMENT_SPEC)

        catalog = load_catalog(args["catalog"])
        baseline, enabled = self._baseline(task_vars, catalog)
        selected = self._selected_controls(catalog, task_vars)

        started = datetime.datetime.now(datetime.timezone.utc)
        facts, error, requests = self._gather(args, task_vars["inventory_hostname"])
        if error is None:
            evaluation = compliance.evaluate(facts, selected, baseline, enabled)
        else:
            evaluation = compliance.unreachable(selected, error)
        record = {
            "schema": results.SCHEMA,
            "host": task_vars["inventory_hostname"],
            "address": args["host"],
            "port": args["port"],
            "audited_at": started.isoformat(timespec="seconds"),
            "duration_s": round((datetime.datetime.now(datetime.timezone.utc) - started).total_seconds(), 3),
            "redfish_requests": requests,
            "status": evaluation["summary"]["status"],
            "summary": evaluation["summary"],
            "results": evaluation["results"],
            "facts": facts,
        }
        # The last run's result, when a fact cache (AWX) kept it: drift even without result files.
        previous_fact = self._templar.template(task_vars.get("bmc_compliance")) or None
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
            "msg": "%s: %s" % (record["host"], record["status"]),
        }

    def _gather(self, args, inventory_hostname):
        """Facts, or the reason the BMC could not be audited at all (unreachable, login refused)."""
        client = self.redfish_client(args, inventory_hostname)
        try:
            with client as rf:
                facts = gather(rf)
        except RedfishError as exc:
            return {}, str(exc), client.requests
        return facts, None, client.requests

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
    def _selected_controls(catalog, task_vars):
        """Controls picked by --tags / --skip-tags: a control's id and its family (the id's first
        word: fw, acct, sess, svc, tls, net, host, time, log) are its tags."""
        run_tags = set(task_vars.get("ansible_run_tags") or ["all"])
        skip_tags = set(task_vars.get("ansible_skip_tags") or [])

        def tags(control):
            return {control["id"], control["id"].split("-", 1)[0]}

        if not run_tags & {"all", "bmc_audit", "audit"}:
            catalog = [c for c in catalog if tags(c) & run_tags]
        return [c for c in catalog if not tags(c) & skip_tags]
