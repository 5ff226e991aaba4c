# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Inventory groups from the stored audit results, so the next run can target them."""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: bmc_results
short_description: Groups BMCs by their last audit result
version_added: "0.1.0"
description:
  - Reads the per-host result files written by C(bmclock.supermicro.bmc_audit) (one JSON file per
    host in O(results_dir)) and puts each host in groups by compliance status, so that the next
    playbook can be limited to them, for example C(--limit bmc_noncompliant).
  - "Groups: C(bmc_compliant), C(bmc_noncompliant), C(bmc_error) (some controls could not be
    evaluated, the login was refused, or the audit task failed), C(bmc_unreachable),
    C(bmc_unsupported) (not a Supermicro BMC, or a board or firmware family the project does not
    know), C(bmc_drifted) (a control changed status since the previous audit) and
    C(bmc_fail_<control>) for each failing control (dashes become underscores). A record with any
    other status is put in C(bmc_error)."
  - "Host variables: C(bmc_compliance_status), C(bmc_compliance_reason), C(bmc_failed_controls),
    C(bmc_audited_at)."
  - Hosts are matched by inventory name; a host known only from a result file is added with its
    audited address as C(ansible_host).
  - The configuration file name must end with C(bmc_results.yml) or C(bmc_results.yaml).
options:
  plugin:
    description: Marks this file as a configuration of this plugin.
    type: str
    required: true
    choices: [bmclock.supermicro.bmc_results]
  results_dir:
    description: Directory of the result files, relative to this configuration file unless absolute.
    type: str
    default: ../reports
    env:
      - name: BMC_RESULTS_DIR
"""

EXAMPLES = r"""
# inventory/bmc_results.yml
plugin: bmclock.supermicro.bmc_results
results_dir: ../reports
"""

import os

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin

from ansible_collections.bmclock.supermicro.plugins.module_utils import results

STATUS_GROUPS = {
    "compliant": "bmc_compliant",
    "noncompliant": "bmc_noncompliant",
    "error": "bmc_error",
    "unreachable": "bmc_unreachable",
    "unsupported": "bmc_unsupported",
}


def group_name(control_id):
    return "bmc_fail_" + control_id.replace("-", "_").replace(".", "_")


class InventoryModule(BaseInventoryPlugin):
    NAME = "bmclock.supermicro.bmc_results"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("bmc_results.yml", "bmc_results.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        results_dir = os.path.expanduser(self.get_option("results_dir"))
        if not os.path.isabs(results_dir):
            results_dir = os.path.normpath(os.path.join(os.path.dirname(path), results_dir))
        records, problems = results.load_records(results_dir)
        if problems:
            raise AnsibleParserError("%s: %s" % (path, "; ".join(problems)))
        for group in list(STATUS_GROUPS.values()) + ["bmc_drifted"]:
            self.inventory.add_group(group)
        for host, record in records.items():
            if host not in self.inventory.hosts:
                self.inventory.add_host(host)
                self.inventory.set_variable(host, "ansible_host", record.get("address", host))
            summary = record.get("summary") if isinstance(record.get("summary"), dict) else {}
            status = record.get("status") if record.get("status") in STATUS_GROUPS else "error"
            self.inventory.add_child(STATUS_GROUPS[status], host)
            stored = record.get("results") if isinstance(record.get("results"), list) else []
            failed = sorted(str(r.get("id")) for r in stored if isinstance(r, dict) and r.get("status") == "fail")
            for control in failed:
                self.inventory.add_child(self.inventory.add_group(group_name(control)), host)
            if record.get("drift"):
                self.inventory.add_child("bmc_drifted", host)
            self.inventory.set_variable(host, "bmc_compliance_status", status)
            self.inventory.set_variable(host, "bmc_compliance_reason", summary.get("reason"))
            self.inventory.set_variable(host, "bmc_failed_controls", failed)
            self.inventory.set_variable(host, "bmc_audited_at", record.get("audited_at"))
