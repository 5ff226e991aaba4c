# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
# The work is done by the action plugin of the same name (plugins/action/bmc_audit.py), in the
# controller; this file carries the documentation.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: bmc_audit
short_description: Audit a Supermicro BMC over Redfish against the control catalog
version_added: "0.1.0"
description:
  - Logs in to one Supermicro BMC (X11, X12, X13) over Redfish with a single session, gathers the
    normalized C(bmc) facts that the controls need (identity, firmware, accounts, services, IP
    access control, host interface, lockdown, time, logging, certificate), evaluates every
    selected control of the catalog against the baseline variables and returns the result as
    host facts (C(bmc), C(bmc_compliance)) so that a fact cache (AWX) keeps them.
  - Read-only. It never changes the BMC, so it behaves the same in check mode.
  - A BMC that cannot be reached or refuses the login is not a task failure; its controls are
    reported with status C(error) and the reason, so the rest of the fleet keeps going. A refused
    login makes the host C(error) (C(login refused)), not C(unreachable).
  - When the task itself fails (bad CA file, missing credentials, invalid options), it still stores
    an C(error) record for the host (this run's reports and groups never show an older result) and
    returns it as C(bmc_compliance); the role sets it as the fact.
  - Each control result carries its own C(audited_at). A partial run (C(--tags), O(controls))
    replaces only the controls it audited in the stored record (or in the cached C(bmc_compliance)
    fact when there is no file); the host status is computed over every stored control, and a
    host with a catalog control never audited is not C(compliant).
  - Writes the result to O(results_dir)/<inventory_hostname>.json atomically (with the mode the
    umask allows) and keeps the previous run as O(results_dir)/previous/<inventory_hostname>.json;
    C(drift) lists controls whose status changed (against the cached C(bmc_compliance) fact when
    there is no previous file).
  - With O(validate_certs=false) the task warns and the record says C(tls_verified) false.
  - On SIGINT or SIGTERM (Ctrl-C, an AWX cancel) while it talks to the BMC it logs its session out
    (bounded) before the worker exits.
  - The baseline is every C(bmc_*) variable of the host (see the role C(bmc_audit) argument specs);
    each control is enabled by C(bmc_control_<id>) (dashes as underscores), and C(--tags) /
    C(--skip-tags) with a control id or category select controls.
  - When the host variable C(bmc_exposure) is defined (set by the exposure probe, what is reachable
    from outside the management network), it is passed to the evaluation as the C(exposure) fact
    section; absent, there is no such section.
  - Runs in the controller; O(host) is contacted from there.
options:
  catalog:
    description: YAML control catalog (the role passes its own C(vars/controls.yml)).
    type: path
    required: true
  results_dir:
    description: Directory of the per-host result files. No file is written when omitted.
    type: path
  controls:
    description:
      - Audit only these controls, given as control ids (V(svc-ssh-off)) or families (V(fw), V(net));
        applies in addition to C(--tags) / C(--skip-tags) (a control must be selected by both).
      - An unknown name fails the task and lists the valid ones. Omitted, every control the tags select.
      - The role passes its variable C(bmc_audit_select).
    type: list
    elements: str
  host_timeout:
    description:
      - Seconds the audit of one BMC may take in all (login, every GET, logout); when they run out
        the host is C(error) with C(timed out after N s), keeping what was read. The role passes
        C(bmc_host_timeout).
      - O(timeout) bounds each request as a whole, this the host.
    type: int
    default: 300
  max_response_size:
    description:
      - Largest Redfish answer read, in bytes; a larger one is refused (not read) and its section is
        an error. The role passes C(bmc_max_response_size).
    type: int
    default: 16777216
  retry_refused_login:
    description:
      - A BMC that refused the login (401/403) is not contacted again until its lockout window has
        passed (recorded in its result as C(login_refused)); V(true) tries it anyway. The role
        passes C(bmc_retry_refused_login).
    type: bool
    default: false
  refused_login_wait:
    description:
      - Seconds to leave a BMC alone after a refused login when its lockout duration is unknown
        (the C(AccountLockoutDuration) read by an earlier audit is used when there is one; a
        longer Retry-After of the BMC, up to a day, wins). The role passes C(bmc_refused_login_wait).
    type: int
    default: 1800
extends_documentation_fragment:
  - bmclock.supermicro.connection
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
    details: Read-only; nothing to diff.
  action:
    support: full
notes:
  - Needs an account with at least the ReadOnly role; Administrator shows more (e.g. licences).
seealso:
  - module: bmclock.supermicro.bmc_baseline
author:
  - bmclock contributors
"""

EXAMPLES = r"""
- name: Audit the BMC
  bmclock.supermicro.bmc_audit:
    port: "{{ bmc_port }}"
    username: "{{ bmc_username }}"
    password: "{{ bmc_password }}"
    ca_path: "{{ bmc_ca_path }}"
    catalog: "{{ role_path }}/vars/controls.yml"
    results_dir: "{{ playbook_dir }}/../reports"

- name: Audit only the firmware controls and SSH
  bmclock.supermicro.bmc_audit:
    catalog: "{{ role_path }}/vars/controls.yml"
    controls: [fw, svc-ssh-off]

- name: Audit with credentials injected by an AWX credential (BMC_USERNAME, BMC_PASSWORD)
  bmclock.supermicro.bmc_audit:
    catalog: /srv/bmclock/controls.yml
"""

RETURN = r"""
bmc_compliance:
  description: The audit result (also set as the host fact C(bmc_compliance)).
  returned: always
  type: dict
  contains:
    host: {description: inventory_hostname, type: str, returned: always}
    address: {description: BMC address audited, type: str, returned: always}
    status:
      description:
        - C(compliant), C(noncompliant), C(error) (some controls could not be evaluated, nothing could be
          checked, a catalog control was never audited, the login was refused or the task failed),
          C(unreachable) or C(unsupported) (not a Supermicro BMC, or an unknown board or firmware family).
        - docs/reports.md says what each means and what C(compliant) proves.
      type: str
      returned: always
      sample: noncompliant
    tls_verified: {description: Whether the BMC certificate was verified (O(validate_certs)), type: bool, returned: always}
    audited_controls: {description: Control ids audited by this run (the others were kept from earlier runs), type: list, elements: str, returned: always}
    login_refused:
      description: After a refused login, C(at), C(until) (the BMC is not contacted before), C(wait_s) and C(wait_from).
      type: dict
      returned: when the login was refused
    audited_at: {description: UTC start time (ISO 8601), type: str, returned: always}
    redfish_requests: {description: HTTP requests made to the BMC, type: int, returned: always}
    summary:
      description: Counts per status, failing control ids, worst failing severity.
      type: dict
      returned: always
    results:
      description: One entry per control with id, title, severity, status, expected, actual, reason, audited_at.
      type: list
      elements: dict
      returned: always
    drift:
      description:
        - Controls whose status changed since the previous run ({id, from, to}), compared with the
          previous result file or, when there is none, the previous C(bmc_compliance) fact kept by
          a fact cache (AWX).
      type: list
      elements: dict
      returned: always
ansible_facts:
  description: Host facts kept by the fact cache.
  returned: always
  type: dict
  contains:
    bmc: {description: Normalized BMC facts (docs/facts.md), type: dict, returned: always}
    bmc_compliance: {description: Same as the bmc_compliance return value, type: dict, returned: always}
"""

from ansible.module_utils.basic import AnsibleModule


def main():
    module = AnsibleModule(argument_spec={}, supports_check_mode=True)
    module.fail_json(msg="bmclock.supermicro.bmc_audit runs as an action plugin in the controller")


if __name__ == "__main__":
    main()
