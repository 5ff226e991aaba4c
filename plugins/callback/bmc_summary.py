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
  - A host whose audit task failed is listed with the error record the task stored (status
    C(error)), so the table, the fleet reports and the gate agree on the hosts and their status.
  - Says which hosts were not contacted because their login was refused within its lockout
    window, and which were audited without verifying the BMC certificate.
  - Strings from the BMCs (reasons, versions) are printed without control characters, CR or LF,
    so a BMC cannot forge lines of the table.
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

import collections
import os
import re

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
        if isinstance(record, dict):
            self.audits[result._host.get_name()] = record

    def v2_runner_on_failed(self, result, ignore_errors=False):
        # A failed audit task carries the error record it stored for this run.
        self.v2_runner_on_ok(result)

    def v2_playbook_on_stats(self, stats):
        if not self.audits:
            return
        for line in summary_lines(self.audits, self.get_option("max_hosts")):
            self._display.display(line)


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def plain(value, limit=200):
    """One line of text for the terminal: control characters (escapes, CR, LF) become a space."""
    text = " ".join(_CONTROL.sub(" ", value if isinstance(value, str) else str(value)).split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def summary_lines(audits, max_hosts=25):
    """The summary as text lines; host order and worst controls as in the fleet reports."""
    audits, _ = report.normalize(audits)
    view = report.overview(audits)
    lines = ["", "BMC COMPLIANCE " + "*" * 64,
             "hosts: %d  " % len(audits) + "  ".join("%s: %d" % item for item in view["host_status"].items()),
             ""]
    width = min(40, max(12, max(len(plain(h)) for h in audits)))
    lines.append("%-*s  %-12s %4s %4s %5s %4s %4s  %s" % (
        width, "host", "status", "pass", "fail", "error", "n/a", "n/c", "worst failing / reason"))
    hosts = report.host_order(audits)
    for host in hosts[:max_hosts]:
        record = audits[host]
        counts = collections.Counter(r["status"] for r in record["results"])
        detail = record["summary"].get("worst_severity") if record["status"] == "noncompliant" else None
        lines.append("%-*s  %-12s %4d %4d %5d %4d %4d  %s" % (
            width, plain(host), record["status"], counts["pass"], counts["fail"], counts["error"],
            counts["notapplicable"], counts["notchecked"], plain(detail or record["summary"].get("reason") or "-")))
    if len(hosts) > max_hosts:
        lines.append("... and %d more hosts" % (len(hosts) - max_hosts))

    if view["worst_controls"]:
        lines += ["", "controls failing on the most hosts:"]
        for control in view["worst_controls"][:8]:
            lines.append("  %-24s %-9s %d/%d hosts" % (plain(control["id"]), plain(control["severity"]),
                                                      control["fail"], len(audits)))
    skipped = sorted(h for h, r in audits.items() if r.get("login_refused") and not r.get("redfish_requests"))
    refused = sorted(h for h, r in audits.items() if r.get("login_refused") and r.get("redfish_requests"))
    if refused:
        lines += ["", "login refused (not retried within the lockout window): " + plain(", ".join(refused), 2000)]
    if skipped:
        lines += ["", "not contacted, login refused earlier and its lockout window lasts "
                      "(bmc_retry_refused_login: true to retry now): " + ", ".join(
                          "%s (until %s)" % (plain(h), plain(audits[h]["login_refused"].get("until"))) for h in skipped)]
    if view["tls_unverified"]:
        lines += ["", "TLS not verified (bmc_validate_certs: false): " + plain(", ".join(view["tls_unverified"]), 2000)]
    files = sorted({os.path.dirname(r["results_file"]) for r in audits.values() if isinstance(r.get("results_file"), str)})
    if files:
        lines += ["", "per-host results: " + ", ".join(files)]
    drifted = sum(1 for r in audits.values() if r.get("drift"))
    if drifted:
        lines.append("")
        lines.append("%d hosts changed since their previous audit (see drift in the result files)" % drifted)
    return lines
