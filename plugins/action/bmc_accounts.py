# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Declarative BMC accounts (documentation: plugins/modules/bmc_accounts.py). The flow, check
mode, diff, SysLockdown and the record are the write base's (plugin_utils/write_action.py); the
plan is module_utils/access.py."""

from __future__ import annotations

from ansible_collections.bmclock.supermicro.plugins.module_utils import access
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.write_action import WriteAction


class ActionModule(WriteAction):
    SECTIONS = ("accounts", "account_policy")
    ARGUMENT_SPEC = {
        "config": {"type": "list", "elements": "dict", "default": [], "options": {
            "username": {"type": "str", "required": True},
            "role": {"type": "str", "choices": list(access.supermicro.ACCOUNT_ROLES)},
            "enabled": {"type": "bool"},
            "password": {"type": "str", "no_log": True},
            "update_password": {"type": "str", "choices": list(access.UPDATE_PASSWORD)},
        }},
        "purge": {"type": "str", "default": "disable", "choices": list(access.PURGE)},
        "update_password": {"type": "str", "default": "on_create", "choices": list(access.UPDATE_PASSWORD)},
        "factory_admin": {"type": "str", "default": "keep", "choices": list(access.FACTORY_ADMIN)},
        "factory_admin_password": {"type": "str", "no_log": True},
    }

    def desired(self, args, task_vars):
        return access.validate_accounts(task_vars["inventory_hostname"], args["config"], args["state"], args["update_password"],
                                        args["purge"], args["factory_admin"], args["factory_admin_password"])

    def plan(self, state, desired, ctx):
        return access.plan_accounts(ctx.host, state.raw, desired, ctx)

    def config(self, state):
        return access.accounts_config(state.raw)

    def render(self, desired):
        return access.render_accounts(desired)
