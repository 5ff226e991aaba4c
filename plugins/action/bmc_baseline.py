# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Validate the baseline (bmc_* variables) and the control catalog before any BMC is contacted.

An error names the file that sets the variable, the key and what was expected, so ops fix the
right line of inventory/group_vars instead of guessing.
"""

from __future__ import annotations

import glob
import os

import yaml

from ansible.errors import AnsibleActionFail

from ansible_collections.bmclock.supermicro.plugins.module_utils import audit_run, compliance, firmware, selection
# The options: documented and declared once, in the module stub (validate-modules compares them).
from ansible_collections.bmclock.supermicro.plugins.modules.bmc_baseline import ARGUMENT_SPEC
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.controller_action import ControllerAction, load_catalog


def defining_files(task_vars, host, key, value):
    """group_vars files, and `host`'s host_vars files, next to the inventory sources or the
    playbook, that set `key` to `value` (the one in effect: a file overridden by extra vars or
    play vars is not where the problem is)."""
    roots = set()
    for source in task_vars.get("ansible_inventory_sources") or []:
        roots.add(source if os.path.isdir(source) else os.path.dirname(source))
    if task_vars.get("playbook_dir"):
        roots.add(task_vars["playbook_dir"])
    found = []
    for root in sorted(roots):
        candidates = glob.glob(os.path.join(root, "group_vars", "**", "*"), recursive=True)
        candidates += glob.glob(os.path.join(root, "host_vars", host))
        candidates += glob.glob(os.path.join(root, "host_vars", host + ".*"))
        candidates += glob.glob(os.path.join(root, "host_vars", host, "**", "*"), recursive=True)
        for path in sorted(set(candidates)):
            if not os.path.isfile(path):
                continue
            try:
                with open(path, encoding="utf-8") as handle:
                    data = yaml.safe_load(handle)
            except (OSError, yaml.YAMLError, UnicodeDecodeError):
                continue
            if isinstance(data, dict) and key in data and data[key] == value:
                found.append(os.path.relpath(path))
    return found


def problems_of(values, catalog, catalog_path):
    """[(variable, problem)] for one host's bmc_* variables."""
    problems = compliance.validate_baseline(compliance.baseline_from_vars(values))
    known = {compliance.enable_var(c["id"]) for c in catalog}
    for name in sorted(values):
        if name.startswith("bmc_control_") and name not in known:
            problems.append((name, "no control with this id in %s" % catalog_path))
        elif name.startswith("bmc_control_") and not isinstance(values[name], bool):
            problems.append((name, "expected true or false, got %r" % (values[name],)))
    return problems


class ActionModule(ControllerAction):
    """Runs for every host, before the audit, with any_errors_fatal: play vars, vars_files and
    extra vars count as they will for the audit (hostvars alone would miss them)."""

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        args = self.run_args(task_vars, ARGUMENT_SPEC)
        catalog = load_catalog(args["catalog"])
        host = task_vars["inventory_hostname"]
        lines = []
        values = self.bmc_vars(task_vars)
        problems = problems_of(values, catalog, args["catalog"])
        if args["check_firmware_targets"] and not problems:
            problems = firmware.validate_targets(values.get("bmc_approved_firmware"), args["firmware_dir"])
        for key, problem in problems:
            top = key.split(".")[0].split("[")[0]
            where = ", ".join(defining_files(task_vars, host, top, values.get(top))) or "play vars, extra vars or role defaults"
            lines.append("%s (set in %s): %s" % (key, where, problem))
        lines += self._run_option_problems(task_vars)
        if args["check_selection"]:
            lines += self._selection_problems(task_vars, catalog, args["play_tags"])
        if lines:
            raise AnsibleActionFail("%s: invalid BMC baseline, no BMC was contacted:\n  %s" % (host, "\n  ".join(lines)))
        return {"changed": False, "controls": len(catalog),
                "msg": "baseline valid; %d controls in the catalog" % len(catalog)}

    def _run_option_problems(self, task_vars):
        """Numeric connection and audit variables (bmc_timeout, bmc_retries, ...) out of bounds."""
        values = {}
        for name in audit_run.NUMERIC_BOUNDS:
            value = self._templar.template(task_vars.get("bmc_" + name))
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                value = int(value)
            if value is not None and value != "":
                values[name] = value
        return audit_run.numeric_problems(values)

    def _selection_problems(self, task_vars, catalog, play_tags):
        """--tags and bmc_audit_select names that select nothing: a typo would audit nothing and let
        a CI gate pass. (--skip-tags is not checked: an unknown one skips nothing, audits more, and
        tools add their own, e.g. molecule's notest.)"""
        problems = []
        known = selection.PLAY_TAGS | set(play_tags)
        wrong = selection.unknown(task_vars.get("ansible_run_tags"), catalog, known)
        if wrong:
            problems.append("--tags: unknown tag %s (%s)" % (", ".join(wrong), selection.describe_valid(catalog, known)))
        chosen = self._templar.template(task_vars.get("bmc_audit_select")) or []
        if isinstance(chosen, str):
            chosen = [chosen]
        wrong = selection.unknown(chosen, catalog, play_tags=())
        if wrong:
            problems.append("bmc_audit_select: unknown control or family %s (%s)" % (
                ", ".join(wrong), selection.describe_valid(catalog, play_tags=())))
        return problems
