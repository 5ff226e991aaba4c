# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Declarative BMC accounts (documentation: plugins/modules/bmc_accounts.py). The flow, check
mode, diff, SysLockdown and the record are the write base's (plugin_utils/write_action.py); the
plan is module_utils/access.py."""

from __future__ import annotations

from ansible_collections.bmclock.supermicro.plugins.module_utils import access
# The options: documented and declared once, in the module stub (validate-modules compares them).
from ansible_collections.bmclock.supermicro.plugins.modules.bmc_accounts import ARGUMENT_SPEC
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.write_action import WriteAction


class ActionModule(WriteAction):
    SECTIONS = ("accounts", "account_policy")
    CONTROLS = ("acct-default-creds", "acct-allowlist", "acct-least-privilege")     # the controls it fixes
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def desired(self, args, task_vars):
        return access.validate_accounts(task_vars["inventory_hostname"], args["config"], args["state"], args["update_password"],
                                        args["purge"], args["factory_admin"], args["factory_admin_password"])

    def plan(self, state, desired, ctx):
        return access.plan_accounts(ctx.host, state.raw, desired, ctx)

    def config(self, state):
        return access.accounts_config(state.raw)

    def render(self, desired):
        return access.render_accounts(desired)
