# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""The connection options every bmc_* action that talks to a BMC shares (one place, no copies)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
notes:
  - Each connection option not set in the task (nor by C(module_defaults), for example on the action
    group C(group/bmclock.supermicro.bmc)) is read from the inventory variable of its name with a
    C(bmc_) prefix (C(bmc_port), C(bmc_username), C(bmc_password), C(bmc_ca_path),
    C(bmc_validate_certs), C(bmc_auth), C(bmc_timeout), C(bmc_retries), C(bmc_concurrency)), so that
    roles need not pass them.
options:
  host:
    description: BMC address or name. Defaults to C(ansible_host), then C(inventory_hostname).
    type: str
  port:
    description: HTTPS port of the Redfish service.
    type: int
    default: 443
  username:
    description: BMC account to connect with. Falls back to C(bmc_username), then the environment variable E(BMC_USERNAME).
    type: str
  password:
    description: Its password. Falls back to C(bmc_password), then E(BMC_PASSWORD). Never logged.
    type: str
  ca_path:
    description: PEM file of the CA that signs the BMC certificates. Falls back to C(bmc_ca_path), then E(BMC_CA_PATH).
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
