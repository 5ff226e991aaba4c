"""A local CA and one leaf certificate per BMC (EC P-256: 500 BMCs start in well under a second).

Clients verify every BMC with the CA (`bmc_ca_path` in the inventory). A BMC serves that leaf
until a certificate is uploaded through Redfish (handlers/certificates.py); from then on its
listener serves the uploaded certificate and key (`served_context`, chosen per handshake).
"""
from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import ssl
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

CA_SUBJECT = x509.Name([
    x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Org"),
    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Infrastructure"),
    x509.NameAttribute(NameOID.COMMON_NAME, "bmcsim fleet CA"),
    x509.NameAttribute(NameOID.EMAIL_ADDRESS, "pki@example.org"),
])
# The Supermicro factory certificate: self-signed, the same subject on every board, 10 years.
FACTORY_SUBJECT = x509.Name([
    x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
    x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "California"),
    x509.NameAttribute(NameOID.LOCALITY_NAME, "San Jose"),
    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Super Micro Computer"),
    x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Software"),
    x509.NameAttribute(NameOID.COMMON_NAME, "IPMI"),
    x509.NameAttribute(NameOID.EMAIL_ADDRESS, "support@supermicro.com"),
])


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


class CertificateAuthority:
    """Loaded from `directory` when present (state dir), otherwise generated there (tests make an
    organisation's CA the same way, with another name)."""

    def __init__(self, directory: Path, common_name: str = "bmcsim fleet CA"):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cert_path = (self.dir / "ca.pem").resolve()
        key_path = self.dir / "ca.key"
        if self.cert_path.exists() and key_path.exists():
            self.key = serialization.load_pem_private_key(key_path.read_bytes(), None)
            self.cert = x509.load_pem_x509_certificate(self.cert_path.read_bytes())
            return
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        subject = x509.Name([a if a.oid != NameOID.COMMON_NAME else x509.NameAttribute(NameOID.COMMON_NAME, common_name)
                             for a in CA_SUBJECT])
        self.cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
                     .public_key(self.key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                     .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                                  content_commitment=False, key_encipherment=False, data_encipherment=False,
                                                  key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
                     .add_extension(x509.SubjectKeyIdentifier.from_public_key(self.key.public_key()), critical=False)
                     .sign(self.key, hashes.SHA256()))
        _write_private(key_path, self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                        serialization.NoEncryption()))
        self.cert_path.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    def factory_certificate(self) -> x509.Certificate:
        """The Supermicro factory certificate (self-signed RSA, made once per CA directory)."""
        return x509.load_pem_x509_certificate(self.factory_pair()[0])

    def factory_pair(self) -> tuple[bytes, bytes]:
        """(certificate PEM, key PEM) of the factory certificate: what a BMC that still runs its
        default certificate serves on its TLS listener (CN=IPMI, no address in it)."""
        path, key_path = self.dir / "supermicro-factory.pem", self.dir / "supermicro-factory.key"
        if path.exists() and key_path.exists():
            return path.read_bytes(), key_path.read_bytes()
        from cryptography.hazmat.primitives.asymmetric import rsa
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cert = (x509.CertificateBuilder().subject_name(FACTORY_SUBJECT).issuer_name(FACTORY_SUBJECT)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(dt.datetime(2023, 4, 26, tzinfo=dt.timezone.utc))
                .not_valid_after(dt.datetime(2033, 4, 26, tzinfo=dt.timezone.utc))
                .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=False)
                .sign(key, hashes.SHA256()))
        _write_private(key_path, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return path.read_bytes(), key_path.read_bytes()

    def issue(self, address: str, hostname: str, days: int = 825) -> tuple[x509.Certificate, bytes, bytes]:
        """A server certificate for one BMC address: (cert, cert PEM, key PEM)."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.timezone.utc)
        subject = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                             x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Org"),
                             x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Infrastructure"),
                             x509.NameAttribute(NameOID.COMMON_NAME, hostname),
                             x509.NameAttribute(NameOID.EMAIL_ADDRESS, "pki@example.org")])
        cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(self.cert.subject)
                .public_key(key.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=days))
                .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address)),
                                                            x509.DNSName(hostname)]), critical=False)
                .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
                # Python 3.13's strict verification wants the key identifiers.
                .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()), critical=False)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
                .sign(self.key, hashes.SHA256()))
        return (cert, cert.public_bytes(serialization.Encoding.PEM),
                key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))

    def server_context(self, address: str, hostname: str, workdir: Path) -> tuple[ssl.SSLContext, x509.Certificate]:
        cert, cert_pem, key_pem = self.issue(address, hostname)
        return served_context(cert_pem + self.cert.public_bytes(serialization.Encoding.PEM), key_pem, workdir / address), cert


def served_context(chain_pem: bytes, key_pem: bytes, stem: Path) -> ssl.SSLContext:
    """A server context for one certificate chain and key (written next to `stem`, key mode 0600)."""
    cert_file, key_file = stem.with_name(stem.name + ".pem"), stem.with_name(stem.name + ".key")
    cert_file.write_bytes(chain_pem)
    _write_private(key_file, key_pem)
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert_file, key_file)
    return ctx


class CertificateRefused(ValueError):
    """What the firmware answers for an upload it cannot use: the SMC message id."""

    def __init__(self, message_id: str):
        super().__init__(message_id)
        self.message_id = message_id


def check_pair(chain_pem: bytes, key_pem: bytes | None) -> list[x509.Certificate]:
    """The certificates of an upload, first the server's, after checking what the Supermicro upload
    checks: both items present and parseable (OemSslcertMissingItem), the key belongs to the first
    certificate (OemSslcertIllegalPair)."""
    try:
        certs = x509.load_pem_x509_certificates(chain_pem)
        key = serialization.load_pem_private_key(key_pem, None) if key_pem else None
    except ValueError:
        raise CertificateRefused("OemSslcertMissingItem") from None
    if key is None or not certs:
        raise CertificateRefused("OemSslcertMissingItem")
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, spki) != certs[0].public_key().public_bytes(serialization.Encoding.DER, spki):
        raise CertificateRefused("OemSslcertIllegalPair")
    return certs


def split_pem(text: str) -> tuple[bytes, bytes | None]:
    """A PEM bundle -> (the certificate blocks, the private key block or None)."""
    blocks = [(m.group(1), m.group(0)) for m in re.finditer(r"-----BEGIN ([A-Z0-9 ]+)-----.*?-----END \1-----", text, re.S)]
    certs = "\n".join(b for kind, b in blocks if kind == "CERTIFICATE")
    keys = [b for kind, b in blocks if kind.endswith("PRIVATE KEY")]
    return (certs + "\n").encode() if certs else b"", (keys[0] + "\n").encode() if keys else None


def generate_csr(subject: dict, alternative_names, key_bits: int) -> tuple[bytes, bytes]:
    """CertificateService.GenerateCSR: a new RSA key kept on the BMC and the CSR for it (PEM, PEM)."""
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=key_bits)
    oids = {"Country": NameOID.COUNTRY_NAME, "State": NameOID.STATE_OR_PROVINCE_NAME, "City": NameOID.LOCALITY_NAME,
            "Organization": NameOID.ORGANIZATION_NAME, "OrganizationalUnit": NameOID.ORGANIZATIONAL_UNIT_NAME,
            "CommonName": NameOID.COMMON_NAME, "Email": NameOID.EMAIL_ADDRESS}
    name = x509.Name([x509.NameAttribute(oid, subject[k]) for k, oid in oids.items() if subject.get(k)])
    builder = x509.CertificateSigningRequestBuilder().subject_name(name)
    if alternative_names:
        sans = []
        for n in alternative_names:
            try:
                sans.append(x509.IPAddress(ipaddress.ip_address(n)))
            except ValueError:
                sans.append(x509.DNSName(n))
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    csr = builder.sign(key, hashes.SHA256())
    return (csr.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))


# Issuer/Subject of the Supermicro root CA behind the X13 RoT platform certificate (Systems/1/Certificates/0).
SUPERMICRO_ROOT_CA = {"Country": "US", "State": "California", "City": "San Jose", "Organization": "Super Micro Computer Inc.",
                      "OrganizationalUnit": "Super Micro CA Center", "CommonName": "Super Micro Root CA"}


def describe(cert: x509.Certificate) -> dict:
    """The fields Redfish's Certificate resource shows for a real certificate."""
    def name(n: x509.Name) -> dict:
        get = lambda oid: (n.get_attributes_for_oid(oid) or [None])[0]
        fields = {"Country": NameOID.COUNTRY_NAME, "State": NameOID.STATE_OR_PROVINCE_NAME, "City": NameOID.LOCALITY_NAME,
                  "Organization": NameOID.ORGANIZATION_NAME, "OrganizationalUnit": NameOID.ORGANIZATIONAL_UNIT_NAME,
                  "CommonName": NameOID.COMMON_NAME, "Email": NameOID.EMAIL_ADDRESS}
        return {k: (a.value if (a := get(oid)) else "") for k, oid in fields.items()}
    fp = cert.fingerprint(hashes.SHA256()).hex().upper()
    serial = f"{cert.serial_number:x}".upper()
    serial = serial if len(serial) % 2 == 0 else "0" + serial
    return {"CertificateString": cert.public_bytes(serialization.Encoding.PEM).decode(),
            "Fingerprint": ":".join(fp[i:i + 2] for i in range(0, len(fp), 2)),
            "Issuer": name(cert.issuer), "Subject": name(cert.subject),
            "ValidNotBefore": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "ValidNotAfter": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "SerialNumber": ":".join(serial[i:i + 2] for i in range(0, len(serial), 2)),
            "SignatureAlgorithm": cert.signature_algorithm_oid._name}  # sha256WithRSAEncryption, ecdsa-with-SHA256
