# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
# The work is done by the action plugin of the same name (plugins/action/bmc_report.py), in the
# controller; this file carries the documentation.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: bmc_report
short_description: Fleet compliance reports (HTML, JUnit XML, JSON, Markdown) from stored BMC audit results
version_added: "0.1.0"
description:
  - Reads every per-host result file that C(bmclock.supermicro.bmc_audit) stored in O(results_dir)
    (never one run's memory), so one report covers several runs or all the slices of a sliced AWX
    job, and writes the fleet reports to O(output_dir).
  - C(report.html) is one self-contained page (no external assets, works offline) with the
    fleet overview (hosts by status, controls failing on the most hosts, firmware versions per
    board), changes since each host's previous audit, and per-host detail with expected and
    actual values per control, filterable by status and severity.
  - C(junit.xml) has one testsuite per host and one testcase per host and control (C(fail) is a
    failure, C(error) an error, C(notapplicable) and C(notchecked) are skipped); a host whose audit
    proves nothing (status C(error), C(unreachable), C(unsupported)) has one more testcase,
    C(audit), with an error, so that CI never counts it as passed.
  - Every format flags results older than O(stale_after) days (a partial run leaves the other
    controls' older results in place) and hosts audited with C(tls_verified) false.
  - Any JSON value in a stored record renders; a record that cannot be read at all is an
    C(error) host named in the report's problems, the rest of the fleet is reported.
  - C(report.json) holds the full stored results plus the overview; C(summary.md) is a short
    Markdown summary for a ticket or a chat message.
  - Files are written atomically and only when their content changes (reports depend only on the
    stored results, so rerunning on unchanged results reports no change).
  - Runs in the controller; no host is contacted.
options:
  results_dir:
    description:
      - Directory of the per-host result files (the audit's C(bmc_audit_results_dir)).
      - With O(facts_of), only the base of the default O(output_dir).
    type: path
    required: true
  facts_of:
    description:
      - Build the report from these inventory hosts' facts (C(bmc_compliance) and C(bmc), as
        C(bmclock.supermicro.bmc_audit) returns them) instead of the result files.
      - For AWX, whose fact cache keeps every host's last audit whichever execution node or job
        slice ran it, for example O(facts_of=groups['bmcs']) in a job with fact storage enabled.
      - Hosts without those facts are listed in the report as missing.
    type: list
    elements: str
  output_dir:
    description:
      - Where the reports are written; C(report.html), C(junit.xml), C(report.json), C(summary.md).
      - Defaults to the C(fleet) folder inside O(results_dir). Must differ from O(results_dir).
    type: path
  formats:
    description: Which reports to write.
    type: list
    elements: str
    choices: [html, json, junit, markdown]
    default: [html, json, junit, markdown]
  stale_after:
    description:
      - A control result audited more than this many days ago is flagged stale in every report.
      - 0 flags nothing. Staleness is judged against the start of the current day (UTC), so the
        same results give the same files all day.
    type: float
    default: 7
attributes:
  check_mode:
    support: full
    details: Reports which files would be written (RV(would_write)) without writing them.
  diff_mode:
    support: none
  action:
    support: full
notes:
  - Unreadable result files and hosts without facts do not stop the report; they are listed in
    it and returned as warnings.
  - Fails when there is no result at all.
seealso:
  - module: bmclock.supermicro.bmc_audit
author:
  - bmclock contributors
"""

EXAMPLES = r"""
- name: Fleet report from AWX's fact cache (a sliced audit's results, whichever node ran them)
  bmclock.supermicro.bmc_report:
    results_dir: /var/lib/bmclock/reports
    facts_of: "{{ groups['bmcs'] }}"
  run_once: true

- name: Write all reports next to the stored results (reports/fleet/)
  bmclock.supermicro.bmc_report:
    results_dir: "{{ playbook_dir }}/../reports"
  run_once: true

- name: Only the JUnit file, for a CI job
  bmclock.supermicro.bmc_report:
    results_dir: /var/lib/bmclock/results
    output_dir: "{{ lookup('ansible.builtin.env', 'CI_PROJECT_DIR') }}/junit"
    formats: [junit]
  run_once: true
"""

RETURN = r"""
files:
  description: Path of each requested report, by format (written or not).
  returned: always
  type: dict
  sample: {html: reports/fleet/report.html, junit: reports/fleet/junit.xml}
written:
  description: Reports whose content changed and that were written.
  returned: always
  type: list
  elements: str
would_write:
  description: In check mode, the reports that would be written.
  returned: always
  type: list
  elements: str
summary:
  description: Fleet figures (small enough for C(set_stats) and AWX job artefacts).
  returned: always
  type: dict
  contains:
    hosts: {description: Hosts with a stored result, type: int, returned: always}
    host_status:
      description: Hosts per status (compliant, noncompliant, error, unreachable).
      type: dict
      returned: always
      sample: {compliant: 9, noncompliant: 2, error: 0, unreachable: 1}
    result_status:
      description: Control results per status (pass, fail, error, notapplicable, notchecked).
      type: dict
      returned: always
    worst_controls: {description: Up to 10 control ids failing on the most hosts, type: list, elements: str, returned: always}
    drifted_hosts: {description: Hosts with a control that changed status since their previous audit, type: int, returned: always}
    stale_hosts: {description: Hosts with a result older than O(stale_after) days, type: list, elements: str, returned: always}
    tls_unverified: {description: Hosts audited without verifying the BMC certificate, type: list, elements: str, returned: always}
    audited_from: {description: Oldest audit time among the results, type: str, returned: always}
    audited_to: {description: Newest audit time among the results, type: str, returned: always}
markdown:
  description: The Markdown summary (the content of C(summary.md)), to print in a job's output.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    module.fail_json(msg="bmclock.supermicro.bmc_report runs as an action plugin in the controller")


if __name__ == "__main__":
    main()
