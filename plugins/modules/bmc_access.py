# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
# The work is done by the action plugin of the same name (plugins/action/bmc_access.py), in the
# controller; this file carries the documentation and the argument spec the action validates.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: bmc_access
short_description: Supermicro BMC accounts and access policy in one session, with check mode, diff and no lockout
version_added: "0.2.0"
description:
  - What M(bmclock.supermicro.bmc_accounts) and M(bmclock.supermicro.bmc_access_policy) do, in one
    task - one Redfish session, one read, one plan, and on a BMC with SysLockdown on one
    unlock/lock cycle for both. The role bmclock.supermicro.bmc_access uses it.
  - O(accounts) and the account options are those of M(bmclock.supermicro.bmc_accounts) (its
    O(bmclock.supermicro.bmc_accounts#module:config)); O(policy) is the
    O(bmclock.supermicro.bmc_access_policy#module:config) of M(bmclock.supermicro.bmc_access_policy).
  - O(state) applies to the accounts; the policy is always merged.
  - The policy is planned first and the accounts on the state it leaves, so a new password shorter
    than the C(MinPasswordLength) this run sets is refused; all refusals (passwords, lockout safety,
    targets) happen before any write. The policy settings are written before the accounts change.
  - A concern none of whose controls O(controls) selects is not planned.
options:
  accounts:
    description: The desired accounts (as O(bmclock.supermicro.bmc_accounts#module:config)).
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
  policy:
    description: The desired policy; a key left out is not managed.
    type: dict
    default: {}
    suboptions:
      min_password_length:
        description: AccountService MinPasswordLength (8 to 20).
        type: int
      lockout_threshold:
        description: Failed logins before an account is locked (1 to 10; 0, no lockout, is refused).
        type: int
      lockout_duration:
        description: Seconds an account stays locked (30 to 86400).
        type: int
      lockout_reset_after:
        description: Seconds after which the failed-login counter resets (30 to 86400).
        type: int
      session_timeout:
        description: SessionService SessionTimeout in seconds (30 to 86400).
        type: int
      ldap:
        description:
          - "LDAP logins: C({enabled: false}), or C({enabled: true, tls: start_tls}) when approved."
          - An approved service that is off is left off (its servers are not configured here).
        type: dict
        suboptions:
          enabled: {description: Allowed., type: bool, required: true}
          tls: {description: How binds are protected when allowed., type: str}
      active_directory:
        description: "Active Directory logins: C({enabled: false}), or C({enabled: true, tls: ldaps})."
        type: dict
        suboptions:
          enabled: {description: Allowed., type: bool, required: true}
          tls: {description: How binds are protected when allowed., type: str}
      radius:
        description: "RADIUS logins: only C({enabled: false}) (RADIUS has no TLS)."
        type: dict
        suboptions:
          enabled: {description: Allowed., type: bool, required: true}
          tls: {description: Not used., type: str}
extends_documentation_fragment:
  - bmclock.supermicro.connection
  - bmclock.supermicro.write
  - bmclock.supermicro.accounts
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - ansible.builtin.action_common_attributes.flow
notes:
  - Supports O(state) V(merged), V(replaced), V(overridden), V(deleted) (for the accounts), V(gathered) and V(rendered).
  - Controls fixed - acct-default-creds, acct-allowlist, acct-least-privilege, acct-password-policy,
    sess-timeout, acct-directory-tls.
seealso:
  - module: bmclock.supermicro.bmc_accounts
  - module: bmclock.supermicro.bmc_access_policy
author:
  - bmclock contributors (@bmclock)
"""

EXAMPLES = r"""
- name: Who can log in, in one session per BMC
  bmclock.supermicro.bmc_access:
    state: overridden
    factory_admin: disabled
    accounts:
      - {username: "{{ bmc_username }}", role: Administrator}
      - {username: monitor, role: ReadOnly, password: "{{ vault_monitor_password }}"}
    policy:
      min_password_length: 14
      lockout_threshold: 5
      session_timeout: 300
      ldap: {enabled: false}
"""

RETURN = r"""
before:
  description: The current state as read, C({accounts, policy}).
  returned: when the BMC was read
  type: dict
after:
  description: The state read back after the writes, or as planned in check mode.
  returned: when the BMC was read
  type: dict
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
  type: dict
rendered:
  description: The writes O(accounts) and O(policy) mean, C({accounts, policy}), for O(state=rendered).
  returned: when O(state=rendered)
  type: dict
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

# The action's options (the action adds CONNECTION_SPEC, as main() does): the two concerns'.
ARGUMENT_SPEC = dict(WRITE_SPEC, accounts=access.ACCOUNTS_SPEC, policy=access.POLICY_SPEC, **access.ACCOUNT_OPTIONS_SPEC)


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_SPEC, **ARGUMENT_SPEC), supports_check_mode=True)
    module.fail_json(msg="bmclock.supermicro.bmc_access runs as an action plugin in the controller")


if __name__ == "__main__":
    main()
