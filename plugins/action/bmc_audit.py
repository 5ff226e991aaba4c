# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Audit one Supermicro BMC: gather over Redfish, evaluate the control catalog, record.

An action plugin, so the work runs inside the controller's worker process: no module upload and
no new interpreter per host (about 10x less controller CPU than a module, see bench/).
"""

from __future__ import annotations

import datetime
import os

from ansible.errors import AnsibleActionFail

from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance, results
from ansible_collections.bmclock.supermicro.plugins.module_utils.gather import gather
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishClient, RedfishError
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.controller_action import ControllerAction, load_catalog

ARGUMENT_SPEC = {
    "host": {"type": "str"},
    "port": {"type": "int", "default": 443},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "ca_path": {"type": "path"},
    "validate_certs": {"type": "bool", "default": True},
    "auth": {"type": "str", "default": "session", "choices": ["session", "basic"]},
    "timeout": {"type": "int", "default": 30},
    "retries": {"type": "int", "default": 3},
    "concurrency": {"type": "int", "default": 4},
    "catalog": {"type": "path", "required": True},
    "results_dir": {"type": "path"},
}

# Environment variables an AWX custom credential type can inject (docs/awx.md).
ENV_FALLBACK = {"username": "BMC_USERNAME", "password": "BMC_PASSWORD", "ca_path": "BMC_CA_PATH"}

class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        args = self.run_args(task_vars, ARGUMENT_SPEC)
        for key, env in ENV_FALLBACK.items():
            if not args.get(key):
                args[key] = os.environ.get(env)
        args["host"] = args["host"] or task_vars.get("ansible_host") or task_vars["inventory_hostname"]
        if not args["username"] or not args["password"]:
            raise AnsibleActionFail(
                "%s: no BMC credentials: set bmc_username/bmc_password (vault) or the BMC_USERNAME/"
                "BMC_PASSWORD environment variables" % task_vars["inventory_hostname"])

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
        try:
            client = RedfishClient(
                args["host"], port=args["port"], username=args["username"], password=args["password"],
                ca_path=args["ca_path"], validate_certs=args["validate_certs"], timeout=args["timeout"],
                retries=args["retries"], auth=args["auth"], concurrency=args["concurrency"])
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError: a missing or non-PEM CA file
            raise AnsibleActionFail("%s: ca_path %s (bmc_ca_path / BMC_CA_PATH): %s"
                                    % (inventory_hostname, args["ca_path"], exc)) from exc
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
