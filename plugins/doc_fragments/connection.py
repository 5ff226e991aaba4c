# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""The connection options every bmc_* action that talks to a BMC shares (one place, no copies)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
options:
  host:
    description: BMC address or name. Defaults to C(ansible_host), then C(inventory_hostname).
    type: str
  port:
    description: HTTPS port of the Redfish service.
    type: int
    default: 443
  username:
    description: BMC account to connect with. Falls back to the environment variable E(BMC_USERNAME).
    type: str
  password:
    description: Its password. Falls back to E(BMC_PASSWORD). Never logged.
    type: str
  ca_path:
    description: PEM file of the CA that signs the BMC certificates. Falls back to E(BMC_CA_PATH).
    type: path
  validate_certs:
    description: Verify the BMC's TLS certificate. Only turn off for lab equipment.
    type: bool
    default: true
  auth:
    description: Redfish session (one login, logout at the end) or HTTP Basic on every request.
    type: str
    choices: [session, basic]
    default: session
  timeout:
    description: Seconds to wait for each HTTP request.
    type: int
    default: 30
  retries:
    description: Retries on HTTP 503 and connection resets (never on 401/403, to avoid lockouts).
    type: int
    default: 3
  concurrency:
    description: Concurrent requests to the BMC (BMCs are slow and small; keep it low).
    type: int
    default: 4
"""
