# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""One-screen fleet summary at the end of an audit run.

A notification callback, so it works beside any stdout callback (default, yaml, AWX's
awx_display): enable it with callbacks_enabled, nothing to replace.
"""

from __future__ import annotations

DOCUMENTATION = r"""
---
name: bmc_summary
type: notification
short_description: Fleet compliance summary at the end of a BMC audit
version_added: "0.1.0"
description:
  - Collects the C(bmc_compliance) result of every C(bmclock.supermicro.bmc_audit) task and, at the
    end of the playbook, prints a table of hosts by status with pass/fail/error counts, the
    controls failing on the most hosts, and where the per-host result files are.
  - Works with any stdout callback, including AWX's; it does not replace it.
requirements:
  - enable in ansible.cfg (C(callbacks_enabled = bmclock.supermicro.bmc_summary))
options:
  max_hosts:
    description: Hosts listed individually (the worst first); the rest are counted.
    type: int
    default: 25
    env:
      - name: BMC_SUMMARY_MAX_HOSTS
    ini:
      - section: bmc_summary
        key: max_hosts
"""

import os

from ansible.plugins.callback import CallbackBase

from ansible_collections.bmclock.supermicro.plugins.module_utils import report


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "notification"
    CALLBACK_NAME = "bmclock.supermicro.bmc_summary"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audits = {}

    def v2_runner_on_ok(self, result):
        if result._task.action.rsplit(".", 1)[-1] != "bmc_audit":
            return
        record = result._result.get("bmc_compliance")
        if record:
            self.audits[result._host.get_name()] = record

    def v2_playbook_on_stats(self, stats):
        if not self.audits:
            return
        for line in summary_lines(self.audits, self.get_option("max_hosts")):
            self._display.display(line)


def summary_lines(audits, max_hosts=25):
    """The summary as text lines; host order and worst controls as in the fleet reports."""
    view = report.overview(audits)
    lines = ["", "BMC COMPLIANCE " + "*" * 64,
             "hosts: %d  " % len(audits) + "  ".join("%s: %d" % item for item in view["host_status"].items()),
             ""]
    width = max(12, max(len(h) for h in audits))
    lines.append("%-*s  %-12s %4s %4s %5s %4s %4s  %s" % (
        width, "host", "status", "pass", "fail", "error", "n/a", "n/c", "worst failing"))
    hosts = report.host_order(audits)
    for host in hosts[:max_hosts]:
        record = audits[host]
        counts = record["summary"].get("counts", {})
        lines.append("%-*s  %-12s %4d %4d %5d %4d %4d  %s" % (
            width, host, record["status"], counts.get("pass", 0), counts.get("fail", 0),
            counts.get("error", 0), counts.get("notapplicable", 0), counts.get("notchecked", 0),
            record["summary"].get("worst_severity") or record["summary"].get("reason") or "-"))
    if len(hosts) > max_hosts:
        lines.append("... and %d more hosts" % (len(hosts) - max_hosts))

    if view["worst_controls"]:
        lines += ["", "controls failing on the most hosts:"]
        for control in view["worst_controls"][:8]:
            lines.append("  %-24s %-9s %d/%d hosts" % (control["id"], control["severity"], control["fail"], len(audits)))
    files = sorted({os.path.dirname(r["results_file"]) for r in audits.values() if r.get("results_file")})
    if files:
        lines += ["", "per-host results: " + ", ".join(files)]
    drifted = sum(1 for r in audits.values() if r.get("drift"))
    if drifted:
        lines.append("")
        lines.append("%d hosts changed since their previous audit (see drift in the result files)" % drifted)
    return lines
