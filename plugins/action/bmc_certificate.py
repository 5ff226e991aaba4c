# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""The BMC's HTTPS certificate, from files or by CSR signed with the organisation's CA
(documentation: plugins/modules/bmc_certificate.py). Flow: plugin_utils/write_action.py;
plan: module_utils/exposure_plan.py (plan_certificate)."""

from __future__ import annotations

import datetime
import types

from ansible.errors import AnsibleError

from ansible_collections.bmclock.supermicro.plugins.module_utils import enforce, exposure_plan, supermicro
# The options: documented and declared once, in the module stub (validate-modules compares them).
from ansible_collections.bmclock.supermicro.plugins.modules.bmc_certificate import ARGUMENT_SPEC
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.write_action import WriteAction

CSR_SUBJECT = ("CommonName", "Organization", "OrganizationalUnit", "City", "State", "Country")   # required by GenerateCSR


class ActionModule(WriteAction):
    SECTIONS = ("certificate",)
    STATES = ["merged", "replaced", "gathered", "rendered"]     # one certificate: replaced is merged
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def run(self, tmp=None, task_vars=None):
        self._manual = None
        result = super().run(tmp, task_vars)
        if self._manual:
            result["manual"] = {"tls-cert-not-default": self._manual}
            if result.get("bmc_remediation") is not None:
                result["bmc_remediation"]["manual"] = result["manual"]
        return result

    def connection_args(self, task_vars, argument_spec):
        self._args = super().connection_args(task_vars, argument_spec)
        return self._args

    def desired(self, args, task_vars):
        """The certificate source, read and checked on the controller before any BMC is touched:
        a pair that does not match, a certificate that is already too close to its end, or a CA
        key that does not belong to the CA certificate is refused naming the file."""
        host, config = task_vars["inventory_hostname"], args["config"]
        files = config["cert_path"] or config["key_path"]
        csr = config["ca_cert_path"] or config["ca_key_path"]
        if bool(files) == bool(csr) or (files and not (config["cert_path"] and config["key_path"])) or \
                (csr and not (config["ca_cert_path"] and config["ca_key_path"])):
            raise enforce.PlanRefused("%s: config: give cert_path and key_path (files), or ca_cert_path and ca_key_path "
                                      "(a CSR signed by that CA)" % host)
        desired = {"min_days_remaining": config["min_days_remaining"],
                   "trust_path": config["trust_path"] or config["ca_cert_path"]}
        if not desired["trust_path"]:
            raise enforce.PlanRefused("%s: config.trust_path: the CA file that proves the new certificate is required" % host)
        if files:
            cert, key = self._read(host, "cert_path", config["cert_path"]), self._read(host, "key_path", config["key_path"])
            left = (_load_pair(host, config, "cert_path", "key_path", cert, key).not_valid_after_utc
                    - datetime.datetime.now(datetime.timezone.utc)).days
            if left < config["min_days_remaining"]:
                raise enforce.PlanRefused("%s: config.cert_path %s: %d days remain, fewer than min_days_remaining %d"
                                          % (host, config["cert_path"], left, config["min_days_remaining"]))
            desired["source"] = {"cert_pem": cert, "key_pem": key}
        else:
            missing = [k for k in CSR_SUBJECT if not config["subject"].get(k)]
            if missing:
                raise enforce.PlanRefused("%s: config.subject lacks %s (GenerateCSR requires them)" % (host, ", ".join(missing)))
            ca, ca_key = self._read(host, "ca_cert_path", config["ca_cert_path"]), self._read(host, "ca_key_path", config["ca_key_path"])
            _load_pair(host, config, "ca_cert_path", "ca_key_path", ca, ca_key)
            subject = dict(config["subject"], AlternativeNames=config["alternative_names"] or [args["host"]])
            desired["source"] = {"ca_cert_pem": ca, "ca_key_pem": ca_key, "subject": subject, "days": config["days"]}
        return desired

    def _read(self, host, option, path):
        """A file's bytes on the controller; vault-encrypted files (the key) are decrypted."""
        try:
            real = self._loader.get_real_file(path, decrypt=True)
            with open(real, "rb") as handle:
                return handle.read()
        except (AnsibleError, OSError) as exc:
            raise enforce.PlanRefused("%s: config.%s %s: %s" % (host, option, path, exc)) from None

    def plan(self, state, desired, ctx):
        layout = supermicro.layout((state.facts.get("identity") or {}).get("generation"))
        operations, self._manual = exposure_plan.plan_certificate(state.body("certificate") or {}, layout,
                                                                  desired["min_days_remaining"], desired["source"])
        for op in operations if not getattr(ctx, "verifying", False) else ():
            # The run relies on the new certificate only once a fresh TLS connection verifies it against
            # the organisation's CA. There is no rollback: the old key never leaves the BMC.
            op.check = lambda client: self._fresh_connection(desired["trust_path"])
            op.description += " (then proven by a fresh TLS connection verified with %s)" % desired["trust_path"]
        return enforce.Plan(ctx.host, operations)

    def config(self, state):
        return exposure_plan.certificate_config(state.raw.get("certificate"))

    def render(self, desired):
        source = desired["source"]
        if "cert_pem" in source:
            return {"source": "files", "fingerprint": exposure_plan.certificate_fingerprint(source["cert_pem"])}
        return {"source": "csr", "subject": source["subject"], "days": source["days"]}

    def _fresh_connection(self, trust_path):
        args = self._args
        with self.redfish_client(dict(args, ca_path=trust_path, validate_certs=True, retries=0), args["host"]) as rf:
            rf.get("/redfish/v1/SessionService")

    def _verify(self, rf, args, state, plan, desired, ctx):
        """Read the certificate back over a new connection that trusts only the organisation's CA
        (the BMC serves the new certificate now), and plan again: nothing may be left."""
        with self.redfish_client(dict(args, ca_path=desired["trust_path"], validate_certs=True), args["host"]) as fresh:
            after = enforce.read(fresh, self.SECTIONS, gates=False)
        again = self._selected(args, self.plan(after, desired, types.SimpleNamespace(host=ctx.host, verifying=True)))
        return ["%s: %s" % (op.path, op.description) + " is still planned after the write" for op in again.operations], after


def _load_pair(host, config, cert_option, key_option, cert_pem, key_pem):
    """The certificate of a certificate/key pair read from files, after checking that the key is
    its key (what the BMC checks on upload: OemSslcertIllegalPair)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization
    try:
        cert = x509.load_pem_x509_certificate(cert_pem)
        key = serialization.load_pem_private_key(key_pem, None)
    except (ValueError, TypeError) as exc:
        raise enforce.PlanRefused("%s: config.%s/%s: not a PEM certificate and an unencrypted PEM key (%s)"
                                  % (host, cert_option, key_option, type(exc).__name__)) from None
    spki = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    if key.public_key().public_bytes(*spki) != cert.public_key().public_bytes(*spki):
        raise enforce.PlanRefused("%s: config.%s %s is not the key of config.%s %s" % (
            host, key_option, config[key_option], cert_option, config[cert_option]))
    return cert
