# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
# The work is done by the action plugin of the same name (plugins/action/bmc_certificate.py), in the
# controller; this file carries the documentation and the argument spec the action validates.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: bmc_certificate
short_description: Give a Supermicro BMC an HTTPS certificate the organisation issues
version_added: "0.2.0"
description:
  - Replaces the factory or self-signed HTTPS certificate of an X12/X13 BMC with one the organisation
    issues, either from files (O(config.cert_path) and O(config.key_path), the key from a vault; both are
    uploaded together through C(SmcSSLCert.Upload), which checks that they pair) or by CSR
    (C(CertificateService.GenerateCSR) on the BMC, the CSR signed on the controller with
    O(config.ca_cert_path) and O(config.ca_key_path) through C(cryptography), then
    C(CertificateService.ReplaceCertificate); needs the SFT-DCMS-SINGLE licence).
  - Idempotent by the SHA-256 fingerprint the BMC reports (files), or by issuer and days left (CSR); a
    certificate with fewer than O(config.min_days_remaining) days left is renewed (CSR) or reported as a
    manual step (files - issue a new one).
  - The run relies on the new certificate only after a fresh TLS connection verified against
    O(config.trust_path) logs in; otherwise the task fails saying so. Later runs and the audit must trust
    that CA (C(bmc_ca_path)).
  - The files are read and checked on the controller before any BMC is contacted (a key that is not the
    certificate's, a certificate already too close to its end, a CA key that is not the CA's) and the key
    never appears in a plan, a diff, a result or a log.
  - X11 has no Redfish certificate upload; the task reports the manual step (its web UI).
options:
  config:
    description: Where the certificate comes from and when it is renewed.
    type: dict
    required: true
    suboptions:
      cert_path: {description: PEM certificate (chain) issued for this BMC., type: path}
      key_path: {description: Its PEM private key (may be vault-encrypted)., type: path}
      ca_cert_path: {description: PEM certificate of the CA that signs the BMC's CSR., type: path}
      ca_key_path: {description: That CA's PEM private key (may be vault-encrypted)., type: path}
      subject:
        description: The CSR subject - CommonName, Organization, OrganizationalUnit, City, State, Country (all
          required by GenerateCSR) and optionally Email.
        type: dict
        default: {}
      alternative_names:
        description: Subject alternative names of the CSR. Defaults to the BMC address the run connects to.
        type: list
        elements: str
      days: {description: Validity of a certificate signed from a CSR., type: int, default: 397}
      min_days_remaining: {description: Renew below this many days left (C(bmc_cert_min_days_remaining))., type: int, required: true}
      trust_path: {description: CA file a fresh connection verifies the new certificate with. Defaults to O(config.ca_cert_path)., type: path}
extends_documentation_fragment:
  - bmclock.supermicro.connection
  - bmclock.supermicro.write
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - ansible.builtin.action_common_attributes.flow
notes:
  - Supports O(state) V(merged), V(replaced) (the same, one certificate), V(gathered) and V(rendered).
  - Control fixed - tls-cert-not-default.
  - A failed proof cannot be rolled back (the old key never leaves the BMC); fix the chain or its names
    and run again.
seealso:
  - module: bmclock.supermicro.bmc_network_exposure
author:
  - bmclock contributors (@bmclock)
"""

EXAMPLES = r"""
- name: Certificate from files (the key from a vault-encrypted file)
  bmclock.supermicro.bmc_certificate:
    username: "{{ bmc_username }}"
    password: "{{ bmc_password }}"
    config:
      cert_path: "pki/{{ inventory_hostname }}.crt"
      key_path: "pki/{{ inventory_hostname }}.key.vault"
      trust_path: pki/org-ca.pem
      min_days_remaining: 30

- name: Certificate by CSR, signed with the organisation's CA
  bmclock.supermicro.bmc_certificate:
    username: "{{ bmc_username }}"
    password: "{{ bmc_password }}"
    config:
      ca_cert_path: pki/org-ca.pem
      ca_key_path: pki/org-ca.key.vault
      subject: {CommonName: "{{ inventory_hostname }}", Organization: Example Org, OrganizationalUnit: Infrastructure,
                City: Berlin, State: Berlin, Country: DE}
      min_days_remaining: 30
"""

RETURN = r"""
before:
  description: The certificate as read (fingerprint, subject and issuer common names, valid_to).
  returned: when the BMC was read
  type: dict
after:
  description: The same, read back over a connection that trusts O(config.trust_path), or as planned.
  returned: when the BMC was read
  type: dict
plan:
  description: The operation (the upload or the CSR round), its change (fingerprint or issuer) and control.
  returned: when the BMC was read
  type: dict
applied:
  description: The operations sent.
  returned: when writes were attempted
  type: list
  elements: dict
manual:
  description: tls-cert-not-default -> the manual step (X11, or a file certificate too close to its end).
  returned: when a fix needs a person
  type: dict
gathered:
  description: The current certificate, for O(state=gathered).
  returned: when O(state=gathered)
  type: dict
rendered:
  description: The source (files with the fingerprint, or csr with the subject), for O(state=rendered).
  returned: when O(state=rendered)
  type: dict
bmc_remediation:
  description: The run's summary, as recorded under O(results_dir).
  returned: when the BMC was read
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.bmclock.supermicro.plugins.module_utils.connection import CONNECTION_SPEC
from ansible_collections.bmclock.supermicro.plugins.module_utils.enforce import WRITE_SPEC

# The action's options (the action adds CONNECTION_SPEC, as main() does).
ARGUMENT_SPEC = dict(WRITE_SPEC, **{
    "config": {"type": "dict", "required": True, "options": {
        "cert_path": {"type": "path"},
        "key_path": {"type": "path", "no_log": False},
        "ca_cert_path": {"type": "path"},
        "ca_key_path": {"type": "path", "no_log": False},
        "subject": {"type": "dict", "default": {}},
        "alternative_names": {"type": "list", "elements": "str"},
        "days": {"type": "int", "default": 397},
        "min_days_remaining": {"type": "int", "required": True},
        "trust_path": {"type": "path"},
    }},
})


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_SPEC, **ARGUMENT_SPEC), supports_check_mode=True)
    module.fail_json(msg="bmclock.supermicro.bmc_certificate runs as an action plugin in the controller")


if __name__ == "__main__":
    main()
