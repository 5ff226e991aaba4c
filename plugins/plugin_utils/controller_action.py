# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""What the project's action plugins share: they work in the controller only."""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance

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

    def bmc_vars(self, task_vars):
        """The host's baseline variables and per-control switches (bmc_control_*), templated;
        nothing else (credentials, the previous bmc_compliance fact) is templated here."""
        names = [k for k in task_vars if k in compliance.BASELINE_SCHEMA or k.startswith("bmc_control_")]
        return self._templar.template({k: task_vars[k] for k in names})
