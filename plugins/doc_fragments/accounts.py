# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""The account options bmc_accounts and bmc_access share (module_utils/access.py ACCOUNT_OPTIONS_SPEC)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  purge:
    description: With O(state=overridden), what happens to enabled accounts the desired accounts do
      not list (the factory ADMIN aside, see O(factory_admin)).
    type: str
    choices: [disable, delete, keep]
    default: disable
  update_password:
    description: V(on_create) sets a password only when creating the account; V(always) makes the
      BMC's password equal the desired account's password (see the description for how this stays
      idempotent).
    type: str
    choices: [on_create, always]
    default: on_create
  factory_admin:
    description: What happens to the factory ADMIN (Id 2) when the desired accounts do not list it
      - V(disabled), V(rotated) (kept enabled with O(factory_admin_password)) or V(keep) (untouched).
    type: str
    choices: [disabled, rotated, keep]
    default: keep
  factory_admin_password:
    description: The factory ADMIN's password for O(factory_admin=rotated).
    type: str
"""
