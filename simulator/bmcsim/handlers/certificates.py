"""The HTTPS certificate (X12/X13): Supermicro's `SmcSSLCert.Upload` (multipart `cert_file` +
`key_file`, reference 4.4) and the standard `CertificateService.GenerateCSR` /
`ReplaceCertificate` (DCMS-licensed, reference 6.4). An accepted certificate is shown in Redfish
and served by the BMC's own TLS listener from the next handshake on (bmcsim/fleet.py).

The upload checks what the firmware's messages name: both items present (`OemSslcertMissingItem`)
and a certificate that belongs to the key (`OemSslcertIllegalPair`). ReplaceCertificate takes the
key from the PEM bundle, or the key a GenerateCSR left on the BMC [I: the HTTP status of both
refusals is not captured; 400 here]."""
from __future__ import annotations

from .. import tls
from ..bmc import BMC, MANAGER, R
from ..errors import RedfishError
from ..profiles.x13 import https_certificate
from .context import Ctx

HTTPS_CERTS = f"{MANAGER}/NetworkProtocol/HTTPS/Certificates"
HTTPS_CERT = f"{HTTPS_CERTS}/1"
SSLCERT = f"{R}/UpdateService/Oem/Supermicro/SSLCert"
CS = f"{R}/CertificateService/Actions/CertificateService"
CSR_SUBJECT = ("CommonName", "Organization", "OrganizationalUnit", "City", "State", "Country")   # Required in the ActionInfo


def install(bmc: BMC, chain_pem: bytes, key_pem: bytes | None) -> None:
    """Check the pair as the firmware does, then serve it and show it (Certificates/1, SSLCert)."""
    certs = tls.check_pair(chain_pem, key_pem)
    view = tls.describe(certs[0])
    bmc.tls = {"chain": chain_pem.decode(), "key": key_pem.decode()}
    bmc.put(HTTPS_CERT, {**https_certificate(view), "@odata.type": bmc.store[HTTPS_CERT]["@odata.type"]})
    if bmc.get(SSLCERT) is not None:
        # "VaildFrom" (sic) and "GoodTHRU" in OpenSSL's date style, as the captured SSLCert shows them.
        fmt = "%b %d %H:%M:%S %Y GMT"
        bmc.patch(SSLCERT, {"VaildFrom": certs[0].not_valid_before_utc.strftime(fmt),
                            "GoodTHRU": certs[0].not_valid_after_utc.strftime(fmt)})


def _refused(err: tls.CertificateRefused) -> RedfishError:
    return RedfishError(400, err.message_id)


async def upload(ctx: Ctx):
    ctx.require_admin()
    parts = {}
    if ctx.request.content_type.startswith("multipart/"):
        async for part in await ctx.request.multipart():
            parts[part.name] = await part.read()
    if not parts.get("cert_file") or not parts.get("key_file"):
        raise RedfishError(400, "OemSslcertMissingItem")
    try:
        install(ctx.bmc, bytes(parts["cert_file"]), bytes(parts["key_file"]))
    except tls.CertificateRefused as err:
        raise _refused(err) from None
    return ctx.success("OemSslcertUploaded")


def _parameters(body: dict, action: str, required, known) -> None:
    for name in body:
        if name not in known:
            raise RedfishError(400, "ActionParameterNotSupported", name, action)
    for name in required:
        if body.get(name) in (None, "", {}):
            raise RedfishError(400, "ActionParameterMissing", action, name)


def _target(value, expected: str, name: str, action: str) -> None:
    if not isinstance(value, dict) or value.get("@odata.id", "").rstrip("/") != expected:
        raise RedfishError(400, "ActionParameterValueNotInList", str(value), name, action)


async def replace_certificate(ctx: Ctx):
    ctx.require_admin()
    body = await ctx.json()
    action = "CertificateService.ReplaceCertificate"
    _parameters(body, action, ("CertificateString", "CertificateType", "CertificateUri"),
                ("CertificateString", "CertificateType", "CertificateUri"))
    if body["CertificateType"] != "PEM":
        raise RedfishError(400, "ActionParameterValueNotInList", str(body["CertificateType"]), "CertificateType", action)
    _target(body["CertificateUri"], HTTPS_CERT, "CertificateUri", action)
    if not isinstance(body["CertificateString"], str):
        raise RedfishError(400, "OemSslcertMissingItem")
    chain, key = tls.split_pem(body["CertificateString"])
    from_csr = key is None and ctx.bmc.csr_key is not None
    try:
        install(ctx.bmc, chain, key if key is not None else (ctx.bmc.csr_key or "").encode() or None)
    except tls.CertificateRefused as err:
        raise _refused(err) from None
    if from_csr:
        ctx.bmc.csr_key = None
    return ctx.serve(HTTPS_CERT)


async def generate_csr(ctx: Ctx):
    ctx.require_admin()
    body = await ctx.json()
    action = "CertificateService.GenerateCSR"
    _parameters(body, action, (*CSR_SUBJECT, "CertificateCollection"),
                (*CSR_SUBJECT, "AlternativeNames", "Email", "KeyPairAlgorithm", "KeyBitLength", "CertificateCollection"))
    _target(body["CertificateCollection"], HTTPS_CERTS, "CertificateCollection", action)
    if body.get("KeyPairAlgorithm", "TPM_ALG_RSA") != "TPM_ALG_RSA":
        raise RedfishError(400, "ActionParameterValueNotInList", str(body["KeyPairAlgorithm"]), "KeyPairAlgorithm", action)
    bits = body.get("KeyBitLength", 2048)
    if not isinstance(bits, int) or isinstance(bits, bool) or not 1024 <= bits <= 4096:
        raise RedfishError(400, "ActionParameterValueNotInList", str(bits), "KeyBitLength", action)
    names = body.get("AlternativeNames") or []
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise RedfishError(400, "ActionParameterValueNotInList", str(names), "AlternativeNames", action)
    csr, key = tls.generate_csr(body, names, bits)
    ctx.bmc.csr_key = key.decode()
    return ctx.reply({"CSRString": csr.decode(), "CertificateCollection": {"@odata.id": HTTPS_CERTS}})


def register(router) -> None:
    router.add("POST", f"{SSLCERT}/Actions/SmcSSLCert.Upload", upload, "x12 x13")
    router.add("POST", f"{CS}.ReplaceCertificate", replace_certificate, "x12 x13")
    router.add("POST", f"{CS}.GenerateCSR", generate_csr, "x12 x13")
