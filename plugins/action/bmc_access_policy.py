# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""BMC access policy: lockout, minimum password length, session timeout, directory logins
(documentation: plugins/modules/bmc_access_policy.py). Flow: plugin_utils/write_action.py; plan:
module_utils/access.py."""

from __future__ import annotations

from ansible_collections.bmclock.supermicro.plugins.module_utils import access, compliance
# The options: documented and declared once, in the module stub (validate-modules compares them).
from ansible_collections.bmclock.supermicro.plugins.modules.bmc_access_policy import ARGUMENT_SPEC
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.write_action import WriteAction


class ActionModule(WriteAction):
    SECTIONS = ("account_policy", "directory", "radius", "session")
    CONTROLS = ("acct-password-policy", "sess-timeout", "acct-directory-tls")     # the controls it fixes
    STATES = ["merged", "replaced", "gathered", "rendered"]     # one resource: replaced is merged
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def desired(self, args, task_vars):
        config = {k: v for k, v in args["config"].items() if v is not None}
        for entry in config.values():
            if isinstance(entry, dict) and entry.get("tls") is None:
                entry.pop("tls", None)
        baseline = compliance.baseline_from_vars(self.bmc_vars(task_vars))
        return access.validate_policy(task_vars["inventory_hostname"], config, baseline)

    def plan(self, state, desired, ctx):
        return access.plan_policy(ctx.host, state.raw, desired, state.paths)

    def config(self, state):
        return access.policy_config(state.raw)

    def render(self, desired):
        return access.render_policy(desired)
