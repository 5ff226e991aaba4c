# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
# The work is done by the action plugin of the same name, in the controller; this file carries
# the documentation and the argument spec the action validates.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: bmc_baseline
short_description: Validate the BMC baseline variables and the control catalog
version_added: "0.1.0"
description:
  - Checks every C(bmc_*) baseline variable of the host (approved firmware per board, allowed
    accounts and roles, management networks, approved NTP/syslog/SNMP/SMTP/directory/event/DNS
    destinations, password policy, session timeout, per-control enable flags) and the control
    catalog, without contacting any BMC.
  - Checks the numeric connection and audit variables too (C(bmc_port) 1..65535, C(bmc_timeout) and
    C(bmc_host_timeout) >= 1, C(bmc_retries) >= 0, C(bmc_concurrency) >= 1, C(bmc_max_response_size)
    >= 1, C(bmc_refused_login_wait) >= 0).
  - On a problem it fails with one line per problem naming the variable, the group_vars or
    host_vars file that sets it, and what was expected. Run it for every host before the audit,
    with C(any_errors_fatal), so that no BMC is contacted while any host's baseline is wrong.
options:
  catalog:
    description: YAML control catalog to validate along with the baseline.
    type: path
    required: true
  check_selection:
    description:
      - Also fail on a C(--tags) name, or an entry of C(bmc_audit_select), that is
        neither a control id, a control family of the catalog, nor a play tag (O(play_tags) and
        all, always, never, tagged, untagged, audit, bmc_audit, report); the message lists the valid ones.
      - The audit role sets it; a play whose tags are not controls leaves it off. C(--skip-tags) is
        not checked (an unknown one skips nothing; tools such as molecule add their own).
    type: bool
    default: false
  play_tags:
    description: More tag names that are valid in the play (with O(check_selection)).
    type: list
    elements: str
    default: []
  check_firmware_targets:
    description:
      - Also check the rollout targets (C(bmc_target), C(bios_target) of C(bmc_approved_firmware)).
        The image exists in O(firmware_dir), the sha256 is 64 hex digits, the version is in the
        board's image allowlist and not below its minimum. The C(bmc_firmware) role sets it.
    type: bool
    default: false
  firmware_dir:
    description: Folder of the approved image files (C(bmc_firmware_dir)).
    type: path
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    platforms: all
author:
  - bmclock contributors (@bmclock)
"""

EXAMPLES = r"""
- name: Validate the baseline before touching any BMC
  bmclock.supermicro.bmc_baseline:
    catalog: "{{ role_path }}/vars/controls.yml"
  any_errors_fatal: true
"""

RETURN = r"""
controls:
  description: Number of controls in the catalog.
  returned: success
  type: int
  sample: 23
"""

from ansible.module_utils.basic import AnsibleModule

ARGUMENT_SPEC = {
    "catalog": {"type": "path", "required": True},
    "check_selection": {"type": "bool", "default": False},
    "play_tags": {"type": "list", "elements": "str", "default": []},
    # given by the bmc_firmware role: the rollout targets are checked against the image files too
    "firmware_dir": {"type": "path"},
    "check_firmware_targets": {"type": "bool", "default": False},
}


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    module.fail_json(msg="bmclock.supermicro.bmc_baseline runs as an action plugin in the controller")


if __name__ == "__main__":
    main()
