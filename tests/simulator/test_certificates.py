"""The HTTPS certificate over real TLS: an uploaded certificate is what that BMC's listener serves
(SmcSSLCert.Upload, GenerateCSR + ReplaceCertificate), a pair that does not match is refused as
the firmware refuses it, and the other BMCs keep theirs."""
from __future__ import annotations

import base64
import datetime as dt
import http.client
import socket
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from bmcsim.tls import CertificateAuthority
from simclient import X11, X12, X13, message_id, post_form, unlock

R = "/redfish/v1"
CERT = f"{R}/Managers/1/NetworkProtocol/HTTPS/Certificates/1"
UPLOAD = f"{R}/UpdateService/Oem/Supermicro/SSLCert/Actions/SmcSSLCert.Upload"
CSR = f"{R}/CertificateService/Actions/CertificateService.GenerateCSR"
REPLACE = f"{R}/CertificateService/Actions/CertificateService.ReplaceCertificate"
SUBJECT = {"CommonName": "bmc.mgmt.example", "Organization": "Example Org", "OrganizationalUnit": "Infrastructure",
           "City": "Berlin", "State": "Berlin", "Country": "DE"}


@pytest.fixture(scope="module")
def org(tmp_path_factory):
    """The organisation's own CA (not the fleet CA the simulator starts with)."""
    return CertificateAuthority(tmp_path_factory.mktemp("org-ca"))


def served(sim, name: str, cafile: str | None = None) -> x509.Certificate:
    """The certificate a fresh TLS handshake gets; verified against `cafile` when given."""
    bmc = next(b for b in sim.bmcs if b["name"] == name)
    ctx = ssl.create_default_context(cafile=cafile) if cafile else ssl._create_unverified_context()
    with socket.create_connection((bmc["address"], bmc["port"]), timeout=10) as raw, \
            ctx.wrap_socket(raw, server_hostname=bmc["address"]) as tls:
        return x509.load_der_x509_certificate(tls.getpeercert(binary_form=True))


def fingerprint(cert: x509.Certificate) -> str:
    digest = cert.fingerprint(hashes.SHA256()).hex().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def pem_files(cert_pem: bytes, key_pem: bytes) -> dict:
    return {"cert_file": ("server.crt", cert_pem, "application/x-x509-ca-cert"), "key_file": ("server.key", key_pem, "application/octet-stream")}


def trusting(client, ca: CertificateAuthority):
    """The client, now verifying the BMC against `ca` (after that BMC got a certificate `ca` issued)."""
    client.ctx = ssl.create_default_context(cafile=str(ca.cert_path))
    return client


def address(sim, name):
    return next(b["address"] for b in sim.bmcs if b["name"] == name)


def test_upload_is_served_by_that_bmc(sim, rf, org):
    unlock(sim, X13)
    before_x12 = served(sim, X12)
    cert, cert_pem, key_pem = org.issue(address(sim, X13), "bmc.mgmt.example", days=397)
    status, _, body = post_form(rf(X13), UPLOAD, pem_files(cert_pem, key_pem))
    assert status == 200 and body["Success"]["@Message.ExtendedInfo"][0]["MessageId"] == "SMC.1.0.OemSslcertUploaded"
    now_served = served(sim, X13, cafile=str(org.cert_path))           # verifies against the organisation's CA
    assert now_served == cert
    with pytest.raises(ssl.SSLCertVerificationError):
        served(sim, X13, cafile=sim.ca_path)
    view = sim.admin.get_resource(X13, CERT)
    assert view["Fingerprint"] == fingerprint(cert) and view["Subject"]["CommonName"] == "bmc.mgmt.example"
    assert view["CertificateString"].strip() == cert_pem.decode().strip()
    assert view["ValidNotAfter"] == cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    ssl_cert = sim.admin.get_resource(X13, f"{R}/UpdateService/Oem/Supermicro/SSLCert")
    assert ssl_cert["GoodTHRU"] == cert.not_valid_after_utc.strftime("%b %d %H:%M:%S %Y GMT")
    assert served(sim, X12) == before_x12                                # the other BMCs keep theirs


def test_mismatched_or_missing_item_is_refused(sim, rf, org):
    unlock(sim, X13)
    before = served(sim, X13)
    _, cert_pem, _ = org.issue(address(sim, X13), "a.mgmt.example")
    _, _, other_key = org.issue(address(sim, X13), "b.mgmt.example")
    status, _, body = post_form(rf(X13), UPLOAD, pem_files(cert_pem, other_key))
    assert status == 400 and message_id(body) == "SMC.1.0.OemSslcertIllegalPair"
    status, _, body = post_form(rf(X13), UPLOAD, {"cert_file": ("server.crt", cert_pem, "application/octet-stream")})
    assert status == 400 and message_id(body) == "SMC.1.0.OemSslcertMissingItem"
    status, _, body = post_form(rf(X13), UPLOAD, pem_files(b"not a certificate", other_key))
    assert status == 400 and message_id(body) == "SMC.1.0.OemSslcertMissingItem"
    assert served(sim, X13) == before and sim.admin.get_resource(X13, CERT)["Fingerprint"] == fingerprint(before)


def test_generate_csr_then_replace(sim, rf, org):
    unlock(sim, X12)
    c = rf(X12)
    status, _, body = c.post(CSR, {**SUBJECT, "AlternativeNames": [address(sim, X12)], "KeyBitLength": 2048,
                                   "CertificateCollection": {"@odata.id": f"{R}/Managers/1/NetworkProtocol/HTTPS/Certificates"}})
    assert status == 200
    csr = x509.load_pem_x509_csr(body["CSRString"].encode())
    assert csr.is_signature_valid and csr.subject.rfc4514_string() == "CN=bmc.mgmt.example,OU=Infrastructure,O=Example Org,L=Berlin,ST=Berlin,C=DE"
    now = dt.datetime.now(dt.timezone.utc)
    signed = (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(org.cert.subject).public_key(csr.public_key())
              .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=90))
              .add_extension(csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value, critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(org.key.public_key()), critical=False)
              .add_extension(x509.SubjectKeyIdentifier.from_public_key(csr.public_key()), critical=False)
              .sign(org.key, hashes.SHA256()))
    pem = signed.public_bytes(serialization.Encoding.PEM).decode()
    status, _, body = c.post(REPLACE, {"CertificateString": pem, "CertificateType": "PEM", "CertificateUri": {"@odata.id": CERT}})
    assert status == 200 and body["Fingerprint"] == fingerprint(signed)
    assert served(sim, X12, cafile=str(org.cert_path)) == signed
    # The CSR key was used up: the same certificate again has no key to pair with.
    status, _, body = trusting(c, org).post(REPLACE, {"CertificateString": pem, "CertificateType": "PEM", "CertificateUri": {"@odata.id": CERT}})
    assert status == 400 and message_id(body) == "SMC.1.0.OemSslcertMissingItem"


def test_replace_with_key_in_bundle_and_bad_parameters(sim, rf, org):
    unlock(sim, X13)
    c = rf(X13)
    cert, cert_pem, key_pem = org.issue(address(sim, X13), "c.mgmt.example")
    bad = c.post(REPLACE, {"CertificateString": cert_pem.decode(), "CertificateType": "DER", "CertificateUri": {"@odata.id": CERT}})
    assert bad[0] == 400 and message_id(bad[2]) == "Base.1.10.ActionParameterValueNotInList"
    assert message_id(c.post(REPLACE, {"CertificateString": cert_pem.decode(), "CertificateType": "PEM"})[2]) == \
        "Base.1.10.ActionParameterMissing"
    bundle = (cert_pem + key_pem).decode()
    assert c.post(REPLACE, {"CertificateString": bundle, "CertificateType": "PEM", "CertificateUri": {"@odata.id": CERT}})[0] == 200
    assert served(sim, X13, cafile=str(org.cert_path)) == cert
    assert trusting(c, org).post(CSR, {**SUBJECT, "KeyPairAlgorithm": "TPM_ALG_ECDSA",
                        "CertificateCollection": {"@odata.id": f"{R}/Managers/1/NetworkProtocol/HTTPS/Certificates"}})[0] == 400


def test_licence_lockdown_and_x11(sim, rf, org):
    _, cert_pem, key_pem = org.issue(address(sim, X13), "d.mgmt.example")
    status, _, body = post_form(rf(X13), UPLOAD, pem_files(cert_pem, key_pem))
    assert status == 403 and message_id(body) == "SMC.1.0.OemSystemLockdownEnabled"      # hardened X13 is locked
    unlock(sim, X13)
    sim.admin.set_knobs(X13, licenses=["SFT-OOB-LIC"])
    status, _, body = rf(X13).post(REPLACE, {"CertificateString": (cert_pem + key_pem).decode(), "CertificateType": "PEM",
                                             "CertificateUri": {"@odata.id": CERT}})
    assert status == 403 and message_id(body) == "SMC.1.0.OemLicenseNotPassed"
    assert post_form(rf(X13), UPLOAD, pem_files(cert_pem, key_pem))[0] == 200          # the OEM upload needs no licence
    assert post_form(rf(X11), UPLOAD, pem_files(cert_pem, key_pem))[0] == 404           # X11: no Redfish upload


def test_seen_source_knob_and_established_connections(sim, rf):
    """The BMC judges a connection by the address it sees (the knob stands for NAT); a rule change
    stops new connections, an established one keeps working (so a client can undo its change)."""
    unlock(sim, X13)
    acl = f"{R}/Managers/1/Oem/Supermicro/IPAccessControl"
    sim.admin.set_knobs(X13, seen_source="192.0.2.10")
    with pytest.raises((ConnectionError, ssl.SSLError, OSError)):
        rf(X13).get(R)                                   # 192.0.2.10 matches no Accept rule
    sim.admin.put_resource(X13, f"{acl}/FilterRules/3", {"@odata.type": "#FilterRule.v1_0_0.FilterRule", "Id": "3",
                                                         "Name": "Filter Rule 3", "Address": "192.0.2.0", "PrefixLength": 24,
                                                         "Policy": "Accept"})
    c = rf(X13)
    conn = http.client.HTTPSConnection(address(sim, X13), c.port, context=c.ctx, timeout=10)
    headers = {"Authorization": "Basic " + base64.b64encode(f"{c.username}:{c.password}".encode()).decode()}

    def call(method, path):
        conn.request(method, path, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp.status

    assert call("GET", R) == 200
    assert call("DELETE", f"{acl}/FilterRules/3") == 200
    with pytest.raises((ConnectionError, ssl.SSLError, OSError)):
        rf(X13).get(R)                                   # a new connection is refused now
    assert call("GET", f"{acl}/FilterRules") == 200      # the established one still answers
    conn.close()
    sim.admin.set_knobs(X13, seen_source=None)
    assert rf(X13).get(R)[0] == 200


def test_served_key_is_private(sim, org, rf):
    """The uploaded key is kept out of every Redfish answer."""
    unlock(sim, X13)
    _, cert_pem, key_pem = org.issue(address(sim, X13), "e.mgmt.example")
    post_form(rf(X13), UPLOAD, pem_files(cert_pem, key_pem))
    key_body = key_pem.decode().splitlines()[1]
    for path in (CERT, f"{R}/UpdateService/Oem/Supermicro/SSLCert", f"{R}/CertificateService"):
        assert key_body not in str(trusting(rf(X13), org).get(path)[2])


def test_uploaded_certificate_survives_a_restart(tmp_path, org):
    from bmcsim.testing import SimFleet
    from simclient import Redfish
    state = str(tmp_path / "state")
    with SimFleet(count=1, profile="x13", base_address="127.0.21.1", state_dir=state) as f:
        unlock(f, "bmc-001")
        cert, cert_pem, key_pem = org.issue("127.0.21.1", "f.mgmt.example")
        assert post_form(Redfish(f, "bmc-001"), UPLOAD, pem_files(cert_pem, key_pem))[0] == 200
    with SimFleet(count=1, profile="x13", base_address="127.0.21.1", state_dir=state) as f:
        assert served(f, "bmc-001", cafile=str(org.cert_path)) == cert
        assert f.admin.get_resource("bmc-001", CERT)["Fingerprint"] == fingerprint(cert)


def test_a_reset_after_the_default_cert_deviation_shows_the_served_leaf_again(sim, rf):
    sim.admin.apply_deviations(X12, "default_cert")
    assert sim.admin.get_resource(X12, CERT)["Issuer"]["CommonName"] == "IPMI"
    # A factory BMC serves the self-signed Supermicro certificate it shows: a verifying client fails.
    factory = served(sim, X12)
    assert factory.issuer == factory.subject and fingerprint(factory) == sim.admin.get_resource(X12, CERT)["Fingerprint"]
    with pytest.raises(ssl.SSLCertVerificationError):
        served(sim, X12, cafile=sim.ca_path)
    sim.admin.reset(X12)
    view = sim.admin.get_resource(X12, CERT)
    assert view["Issuer"]["CommonName"] == "bmcsim fleet CA" and view["Fingerprint"] == fingerprint(served(sim, X12))
