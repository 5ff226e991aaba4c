# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""The connection options of every action that talks to a BMC, as an argument spec: documented
once by the doc fragment bmclock.supermicro.connection, validated by the actions
(plugin_utils/controller_action.py) and declared by their module stubs, which ansible-test's
validate-modules compares with the documentation. Plain data, so the stubs can import it."""

from __future__ import annotations

CONNECTION_SPEC = {
    "host": {"type": "str"},
    "port": {"type": "int", "default": 443},
    "username": {"type": "str"},
    "password": {"type": "str", "no_log": True},
    "ca_path": {"type": "path"},
    "validate_certs": {"type": "bool", "default": True},
    "auth": {"type": "str", "default": "session", "choices": ["session", "basic"]},
    "timeout": {"type": "int", "default": 30},
    "retries": {"type": "int", "default": 3},
    "concurrency": {"type": "int", "default": 4},
}

# Environment variables an AWX custom credential type can inject (docs/awx.md).
ENV_FALLBACK = {"username": "BMC_USERNAME", "password": "BMC_PASSWORD", "ca_path": "BMC_CA_PATH"}
