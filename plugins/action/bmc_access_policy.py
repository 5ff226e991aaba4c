# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""BMC access policy: lockout, minimum password length, session timeout, directory logins
(documentation: plugins/modules/bmc_access_policy.py). Flow: plugin_utils/write_action.py; plan:
module_utils/access.py."""

from __future__ import annotations

from ansible_collections.bmclock.supermicro.plugins.module_utils import access, compliance
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.write_action import WriteAction

_DIRECTORY = {"type": "dict", "options": {"enabled": {"type": "bool", "required": True}, "tls": {"type": "str"}}}


class ActionModule(WriteAction):
    SECTIONS = ("account_policy", "directory", "radius", "session")
    STATES = ["merged", "replaced", "gathered", "rendered"]     # one resource: replaced is merged
    ARGUMENT_SPEC = {
        "config": {"type": "dict", "default": {}, "options": dict(
            {key: {"type": "int"} for key in access.POLICY_RANGES},
            ldap=_DIRECTORY, active_directory=_DIRECTORY, radius=_DIRECTORY)},
    }

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
