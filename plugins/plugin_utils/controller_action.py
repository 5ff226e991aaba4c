# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""What the project's action plugins share: they work in the controller only, and those that
talk to a BMC share one connection spec (documented once in doc_fragments/connection.py)."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance
# CONNECTION_SPEC: the options of the doc fragment bmclock.supermicro.connection; an action adds its own.
from ansible_collections.bmclock.supermicro.plugins.module_utils.connection import CONNECTION_SPEC, ENV_FALLBACK
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishClient


# The inventory variables the connection options fall back to (bmc_port, bmc_username, ...):
# roles pass no connection option, so module_defaults on group/bmclock.supermicro.bmc reach them.
VAR_FALLBACK = {name: "bmc_" + name for name in CONNECTION_SPEC if name != "host"}


def load_catalog(path):
    """The control catalog, parsed and validated; an unreadable one fails the task with its path.

    Ansible forks a worker per task and host, so there is nothing to cache it in."""
    try:
        return compliance.load_catalog(path)
    except (OSError, ValueError) as exc:
        raise AnsibleActionFail("control catalog %s: %s" % (path, exc)) from exc


class ControllerAction(ActionBase):
    """No connection to the host, no file transfer, full check mode (they only read BMCs or
    write local files)."""

    TRANSFERS_FILES = False
    _requires_connection = False
    _supports_check_mode = True

    def run_args(self, task_vars, argument_spec):
        """Validated task arguments (call at the start of run())."""
        super().run(None, task_vars)
        return self.validate_argument_spec(argument_spec=argument_spec)[1]

    def connection_args(self, task_vars, argument_spec):
        """Validated arguments of an action whose spec is CONNECTION_SPEC plus its own options.
        Each connection option comes from the task or module_defaults, else the variable
        bmc_<option>, else (credentials, CA) the environment; the host from the inventory."""
        fallback = {}
        for key, name in VAR_FALLBACK.items():
            value = self._templar.template(task_vars[name]) if key not in self._task.args and name in task_vars else None
            if value not in (None, ""):
                fallback[key] = value
        self._task.args = dict(fallback, **self._task.args)
        args = self.run_args(task_vars, dict(CONNECTION_SPEC, **argument_spec))
        for key, env in ENV_FALLBACK.items():
            if not args.get(key):
                args[key] = os.environ.get(env)
        args["host"] = args["host"] or task_vars.get("ansible_host") or task_vars["inventory_hostname"]
        if not args["username"] or not args["password"]:
            raise AnsibleActionFail(
                "%s: no BMC credentials: set bmc_username/bmc_password (vault) or the BMC_USERNAME/"
                "BMC_PASSWORD environment variables" % task_vars["inventory_hostname"])
        return args

    @staticmethod
    def redfish_client(args, inventory_hostname, **overrides):
        """A RedfishClient from connection_args(); a missing or non-PEM CA file fails the task
        naming the host and the path."""
        options = {k: args[k] for k in CONNECTION_SPEC if k != "host"}
        options.update(overrides)
        try:
            return RedfishClient(args["host"], **options)
        except (OSError, ValueError) as exc:  # ssl.SSLError is an OSError
            raise AnsibleActionFail("%s: ca_path %s (bmc_ca_path / BMC_CA_PATH): %s"
                                    % (inventory_hostname, args["ca_path"], exc)) from exc

    def bmc_vars(self, task_vars):
        """The host's baseline variables and per-control switches (bmc_control_*), templated;
        nothing else (credentials, the previous bmc_compliance fact) is templated here."""
        names = [k for k in task_vars if k in compliance.BASELINE_SCHEMA or k.startswith("bmc_control_")]
        return self._templar.template({k: task_vars[k] for k in names})
