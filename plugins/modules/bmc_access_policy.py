# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
# The work is done by the action plugin of the same name (plugins/action/bmc_access_policy.py), in the
# controller; this file carries the documentation and the argument spec the action validates.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: bmc_access_policy
short_description: Supermicro BMC access policy - lockout, password length, session timeout, directory logins
version_added: "0.2.0"
description:
  - Sets the AccountService lockout threshold, duration and counter reset and the minimum password
    length, the SessionService timeout, and turns LDAP, Active Directory and RADIUS logins off
    unless approved; approved LDAP and Active Directory logins are made TLS-only (StartTLS for LDAP,
    the ldaps prefix for Active Directory).
  - A directory service counts as approved when O(config) enables it and every server it binds to is in
    the host's C(bmc_approved_directory_servers); otherwise an enabled one is turned off.
  - One PATCH per resource with only the fields that differ (Supermicro refuses a value set to
    what it already is).
  - The targets are checked against the audit's bounds (C(bmc_password_policy),
    C(bmc_session_timeout_max)) before any BMC is touched, so a run never sets a value the next
    audit fails.
options:
  config:
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
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - ansible.builtin.action_common_attributes.flow
notes:
  - Supports O(state) V(merged), V(replaced) (the same, for one resource), V(gathered) and V(rendered).
  - Controls fixed - acct-password-policy, sess-timeout, acct-directory-tls.
seealso:
  - module: bmclock.supermicro.bmc_accounts
author:
  - bmclock contributors (@bmclock)
"""

EXAMPLES = r"""
- name: Lockout, password length, session timeout; no directory logins
  bmclock.supermicro.bmc_access_policy:
    username: "{{ bmc_username }}"
    password: "{{ bmc_password }}"
    config:
      min_password_length: 14
      lockout_threshold: 5
      lockout_duration: 900
      lockout_reset_after: 900
      session_timeout: 300
      ldap: {enabled: false}
      active_directory: {enabled: false}
      radius: {enabled: false}
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
ARGUMENT_SPEC = dict(WRITE_SPEC, config=access.POLICY_SPEC)


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_SPEC, **ARGUMENT_SPEC), supports_check_mode=True)
    module.fail_json(msg="bmclock.supermicro.bmc_access_policy runs as an action plugin in the controller")


if __name__ == "__main__":
    main()
