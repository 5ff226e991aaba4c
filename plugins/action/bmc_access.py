# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Both access concerns, accounts and access policy, in one task (documentation:
plugins/modules/bmc_access.py): one Redfish session, one read, one plan, one SysLockdown
unlock/lock cycle per host. The concerns' own code (bmc_accounts, bmc_access_policy) does the
validation, planning and shaping; the flow is the write base's (plugin_utils/write_action.py)."""

from __future__ import annotations

from ansible_collections.bmclock.supermicro.plugins.action.bmc_access_policy import ActionModule as Policy
from ansible_collections.bmclock.supermicro.plugins.action.bmc_accounts import ActionModule as Accounts
from ansible_collections.bmclock.supermicro.plugins.module_utils import enforce
# The options: documented and declared once, in the module stub (validate-modules compares them).
from ansible_collections.bmclock.supermicro.plugins.modules.bmc_access import ARGUMENT_SPEC
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.write_action import WriteAction

# option -> the action that owns the concern, in planning order: the accounts are checked against
# the policy this run sets (a password shorter than the new MinPasswordLength is refused before any write).
CONCERNS = {"policy": Policy, "accounts": Accounts}


class ActionModule(WriteAction):
    SECTIONS = tuple(dict.fromkeys(Policy.SECTIONS + Accounts.SECTIONS))
    ARGUMENT_SPEC = ARGUMENT_SPEC

    # Each concern's method runs on this action (they use only the write base's API), with its
    # option as the concern's `config`. A concern none of whose controls is selected (option
    # controls) is neither planned nor able to refuse the run.
    def desired(self, args, task_vars):
        return {key: concern.desired(self, dict(args, config=args[key]), task_vars) for key, concern in CONCERNS.items()
                if args["controls"] is None or set(concern.CONTROLS) & set(args["controls"])}

    def plan(self, state, desired, ctx):
        combined = enforce.Plan(ctx.host)
        for key, wanted in desired.items():
            plan = CONCERNS[key].plan(self, state, wanted, ctx)
            combined.operations += plan.operations       # applied in supermicro.WRITE_ORDER
            combined.not_licensed.update(plan.not_licensed)
            state = enforce.simulate(state, plan)        # the next concern plans on what this one leaves
        return combined

    def config(self, state):
        return {key: concern.config(self, state) for key, concern in CONCERNS.items()}

    def render(self, desired):
        return {key: CONCERNS[key].render(self, wanted) for key, wanted in desired.items()}
