# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""What the project's action plugins share: they work in the controller only."""

from __future__ import annotations

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance

_catalogs = {}


def load_catalog(path):
    """The control catalog, parsed and validated once per worker process (reloaded if edited)."""
    try:
        mtime = os.path.getmtime(path)
        cached = _catalogs.get(path)
        if cached is None or cached[0] != mtime:
            cached = _catalogs[path] = (mtime, compliance.load_catalog(path))
    except (OSError, ValueError) as exc:
        raise AnsibleActionFail("control catalog %s: %s" % (path, exc)) from exc
    return cached[1]


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
        """The host's bmc_* variables, templated: the baseline and the per-control switches."""
        names = [k for k in task_vars if k.startswith("bmc_")]
        return self._templar.template({k: task_vars[k] for k in names})
