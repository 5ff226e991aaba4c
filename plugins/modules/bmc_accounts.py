# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
# The work is done by the action plugin of the same name (plugins/action/bmc_accounts.py), in the
# controller; this file carries the documentation and the argument spec the action validates.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: bmc_accounts
short_description: Declarative Supermicro BMC accounts with check mode, diff and no lockout
version_added: "0.2.0"
description:
  - Brings the BMC's user accounts to the list in O(config) - create (POST with C(Enabled)), role
    and enabled updates, passwords, and what happens to accounts the list does not name (O(purge)).
  - The factory C(ADMIN) account (Id 2) follows O(factory_admin); it is never deleted (the BMC
    refuses), only disabled.
  - Refused before any write, naming host and account - a password the BMC would refuse (8 to 20
    characters or the BMC's own minimum, upper and lower case, digit, special character, not
    containing the user name); a plan that would disable, demote or delete the account the run
    connects with; a plan that leaves no enabled Administrator.
  - A new password for the connecting account is proven with a fresh login; when that fails the
    old password is restored over the still-open session and the task fails.
  - Passwords cannot be read back from a BMC. With O(update_password=always) the connecting
    account's password is compared with the one the run connected with; another enabled account's
    is checked by one fresh login with the desired password (no change when it works). That probe
    is skipped when the BMC's lockout threshold is 1; then the password is set on every run.
options:
  config:
    description: The desired accounts.
    type: list
    elements: dict
    default: []
    suboptions:
      username:
        description: "User name (1 to 16 characters, no blanks, colons, commas, quotes, angle brackets or ampersands)."
        type: str
        required: true
      role:
        description: Role. New accounts default to C(ReadOnly).
        type: str
        choices: [Administrator, Operator, ReadOnly]
      enabled:
        description: Whether the account may log in. With O(state=replaced) or O(state=overridden) it defaults to true.
        type: bool
      password:
        description: Password (from a vault or the environment). Needed to create the account, and with
          O(update_password=always).
        type: str
      update_password:
        description: Per-account O(update_password).
        type: str
        choices: [on_create, always]
extends_documentation_fragment:
  - bmclock.supermicro.connection
  - bmclock.supermicro.write
  - bmclock.supermicro.accounts
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - ansible.builtin.action_common_attributes.flow
notes:
  - Supports O(state) V(merged), V(replaced), V(overridden), V(deleted), V(gathered) and V(rendered).
  - Controls fixed - acct-default-creds (factory ADMIN), acct-allowlist (accounts created, disabled, deleted),
    acct-least-privilege (roles).
seealso:
  - module: bmclock.supermicro.bmc_access_policy
  - module: bmclock.supermicro.bmc_audit
author:
  - bmclock contributors (@bmclock)
"""

EXAMPLES = r"""
- name: Only the automation and the monitor may log in; ADMIN disabled
  bmclock.supermicro.bmc_accounts:
    username: "{{ bmc_username }}"
    password: "{{ bmc_password }}"
    ca_path: "{{ bmc_ca_path }}"
    state: overridden
    purge: disable
    factory_admin: disabled
    config:
      - {username: "{{ bmc_username }}", role: Administrator}
      - {username: monitor, role: ReadOnly, password: "{{ vault_monitor_password }}"}

- name: Rotate the monitor password (proven by a login with it on later runs)
  bmclock.supermicro.bmc_accounts:
    update_password: always
    config:
      - {username: monitor, role: ReadOnly, password: "{{ vault_monitor_password_new }}"}

- name: Show the current accounts
  bmclock.supermicro.bmc_accounts:
    state: gathered
"""

RETURN = r"""
before:
  description: The current state as read, in the shape of O(config).
  returned: when the BMC was read
  type: raw
after:
  description: The state read back after the writes, or as planned in check mode.
  returned: when the BMC was read
  type: raw
plan:
  description: The operations (method, path, body with secrets masked, control, changes with
    before/after per field, if_match), the controls marked not licensed, and whether SysLockdown was on.
  returned: when the BMC was read
  type: dict
applied:
  description: The operations sent, in order (a rolled-back password change included).
  returned: when writes were attempted
  type: list
  elements: dict
gathered:
  description: The current state, for O(state=gathered).
  returned: when O(state=gathered)
  type: raw
rendered:
  description: The writes O(config) means on a BMC without that state, for O(state=rendered).
  returned: when O(state=rendered)
  type: list
  elements: dict
connection_password_changed:
  description: The password of the account the run connects with was changed and proven by a fresh
    login; later tasks must connect with the new one (the role bmc_access switches C(bmc_password)).
  returned: when writes were attempted
  type: bool
bmc_remediation:
  description: The run's summary (host, action, status planned, unchanged, changed, locked or failed;
    controls, changes, not_licensed, msg), as recorded under O(results_dir).
  returned: when the BMC was read
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.bmclock.supermicro.plugins.module_utils import access
from ansible_collections.bmclock.supermicro.plugins.module_utils.connection import CONNECTION_SPEC
from ansible_collections.bmclock.supermicro.plugins.module_utils.enforce import WRITE_SPEC

# The action's options (the action adds CONNECTION_SPEC, as main() does).
ARGUMENT_SPEC = dict(WRITE_SPEC, config=access.ACCOUNTS_SPEC, **access.ACCOUNT_OPTIONS_SPEC)


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_SPEC, **ARGUMENT_SPEC), supports_check_mode=True)
    module.fail_json(msg="bmclock.supermicro.bmc_accounts runs as an action plugin in the controller")


if __name__ == "__main__":
    main()
