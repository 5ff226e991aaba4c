# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
# The work is done by the action plugin of the same name (plugins/action/bmc_audit.py), in the
# controller; this file carries the documentation and the argument spec the action validates.

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
    reported with status C(error) and the reason, so the rest of the fleet keeps going.
  - Writes the result to O(results_dir)/<inventory_hostname>.json atomically and keeps the
    previous run as <inventory_hostname>.previous.json; C(drift) lists controls whose status changed
    (against the cached C(bmc_compliance) fact when there is no previous file).
  - The baseline is every C(bmc_*) variable of the host (see the role C(bmc_audit) argument specs);
    each control is enabled by C(bmc_control_<id>) (dashes as underscores), and C(--tags) /
    C(--skip-tags) with a control id or category select controls.
  - Runs in the controller; O(host) is contacted from there.
options:
  catalog:
    description: YAML control catalog (the role passes its own C(vars/controls.yml)).
    type: path
    required: true
  results_dir:
    description: Directory of the per-host result files. No file is written when omitted.
    type: path
extends_documentation_fragment:
  - bmclock.supermicro.connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - ansible.builtin.action_common_attributes.facts
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  action_group:
    membership: [bmclock.supermicro.bmc]
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: none
    details: Read-only; nothing to diff.
  facts:
    support: full
  platform:
    platforms: all
notes:
  - Needs an account with at least the ReadOnly role; Administrator shows more (e.g. licences).
seealso:
  - module: bmclock.supermicro.bmc_baseline
author:
  - bmclock contributors (@bmclock)
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
      description: C(compliant), C(noncompliant), C(error) (some controls could not be checked) or C(unreachable).
      type: str
      returned: always
      sample: noncompliant
    audited_at: {description: UTC start time (ISO 8601), type: str, returned: always}
    redfish_requests: {description: HTTP requests made to the BMC, type: int, returned: always}
    summary:
      description: Counts per status, failing control ids, worst failing severity.
      type: dict
      returned: always
    results:
      description: One entry per control with id, title, severity, status, expected, actual, reason.
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

from ansible_collections.bmclock.supermicro.plugins.module_utils.connection import CONNECTION_SPEC

# The action's own options (the action adds CONNECTION_SPEC, as main() does).
ARGUMENT_SPEC = {
    "catalog": {"type": "path", "required": True},
    "results_dir": {"type": "path"},
}


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_SPEC, **ARGUMENT_SPEC), supports_check_mode=True)
    module.fail_json(msg="bmclock.supermicro.bmc_audit runs as an action plugin in the controller")


if __name__ == "__main__":
    main()
