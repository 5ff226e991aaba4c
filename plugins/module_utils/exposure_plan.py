# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Plans that close a Supermicro BMC to the network: from the raw Redfish bodies the read step
kept to the Redfish operations that make the BMC match the baseline (pure, no Ansible imports).

An operation is a dict: `method`, `path`, `body` (only the fields that differ), `before` / `after`
(the same fields, now and wanted), `controls` (the catalog ids it fixes), `etag` (If-Match from
the read) and, where Supermicro answers with a task, `task: True`. Plans are ordered as Supermicro
needs them (reference/enforcement.md 3.1, 3.2, 3.9, 3.10):

* only the fields that differ (re-setting a current value is refused);
* a service is switched on before its settings change and its settings change before it is
  switched off (a disabled service's settings cannot be changed); a service another depends on
  (IPMI under VirtualMedia) is switched on first and off last;
* IP access control: rules the plan keeps or adds come before the ones it removes, so the
  controller is never without its Accept rule; a plan whose final rules would not accept the
  controller's address (as the BMC sees it) is refused before any write (`PlanRefused`);
* host channels in NVIDIA's lockdown order: KCS, host interface, System Lockdown last.

Where a plan needs a person (moving the BMC's address, a TLS certificate on X11) it returns a
`manual` step with the exact action instead of operations.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress

from ansible_collections.bmclock.supermicro.plugins.module_utils.gather import PROTOCOLS, destination

R = "/redfish/v1"

# NetworkProtocol service -> the control that wants it off. Telnet has no control of its own: it is
# the other clear remote shell, so it goes with SSH.
SERVICE_CONTROLS = {"IPMI": "svc-ipmi-lan-off", "SSDP": "svc-ssdp-off", "HTTP": "svc-http-off", "SSH": "svc-ssh-off",
                    "Telnet": "svc-ssh-off", "SNMP": "svc-snmp", "VirtualMedia": "svc-vmedia-kvm", "KVMIP": "svc-vmedia-kvm"}
# Services that need another one on (Supermicro: OemIPMIServiceDisabled for VirtualMedia on port 623).
SERVICE_NEEDS = {"VirtualMedia": "IPMI"}
# Never planned here: HTTPS carries Redfish itself (svc-http-off wants it on), NTP is an outbound destination.
NOT_A_SERVICE = ("HTTPS", "NTP")

# Where the certificate goes (X12/X13; X11 has no Redfish upload, its web UI does it).
SSL_UPLOAD = R + "/UpdateService/Oem/Supermicro/SSLCert/Actions/SmcSSLCert.Upload"
GENERATE_CSR = R + "/CertificateService/Actions/CertificateService.GenerateCSR"
REPLACE_CERTIFICATE = R + "/CertificateService/Actions/CertificateService.ReplaceCertificate"
HTTPS_CERTIFICATE = R + "/Managers/1/NetworkProtocol/HTTPS/Certificates/1"
DCMS = "SFT-DCMS-SINGLE"      # CertificateService needs it (RG34, reference 1.5)


class PlanRefused(ValueError):
    """A desired state this module will not apply (it would lock the controller out)."""


def operation(method, path, body, before, after, controls, etag=None, **extra):
    op = {"method": method, "path": path, "body": body, "before": before, "after": after,
          "controls": sorted(set(controls)), "etag": etag}
    op.update(extra)
    return op


def etag_of(body):
    return (body or {}).get("@odata.etag")


def _wanted(controls, *ids):
    return controls is None or any(i in controls for i in ids)


# -- network services -----------------------------------------------------------------------

def plan_services(protocol, path, allowed, controls=None):
    """NetworkProtocol: every service not in `allowed` (bmc_allowed_services names) off, the allowed
    ones on; SNMP, where allowed, v3 only (v1/v2c communities removed)."""
    allowed = set(allowed)
    enable, settings, disable = {}, {}, {}
    for key, name in PROTOCOLS.items():
        block = protocol.get(key)
        if key in NOT_A_SERVICE or not isinstance(block, dict) or not _wanted(controls, SERVICE_CONTROLS.get(key)):
            continue
        on, want = bool(block.get("ProtocolEnabled")), name in allowed
        if want and not on:
            enable[key] = {"ProtocolEnabled": True}
        elif on and not want:
            disable[key] = {"ProtocolEnabled": False}
        if want and key == "SNMP":
            snmp_v3 = {"EnableSNMPv2c": False, "CommunityStrings": [], "EnableSNMPv3": True}
            changed = {k: v for k, v in snmp_v3.items() if k in block and block[k] != v}
            if changed:
                settings[key] = changed
    ops = []
    # Switched on: what others need first; then settings (of services that are or will be on); then off, dependents first.
    for stage, order in ((enable, True), (settings, None), (disable, False)):
        for tier in _tiers(stage, order):
            body = {key: stage[key] for key in tier}
            ops.append(operation("PATCH", path, body, {k: {f: protocol[k].get(f) for f in v} for k, v in body.items()}, body,
                                 [SERVICE_CONTROLS[k] for k in body], etag_of(protocol)))
    return ops


def _tiers(stage, switching_on):
    """Keys of one stage in groups that may share a PATCH: needed services before the ones that
    need them when switching on, after them when switching off."""
    if not stage:
        return []
    needed = {SERVICE_NEEDS[k] for k in stage if SERVICE_NEEDS.get(k) in stage}
    dependents = [k for k in stage if SERVICE_NEEDS.get(k) in needed]
    rest = [k for k in stage if k not in dependents]
    tiers = [rest, dependents] if switching_on is not False else [dependents, rest]
    return [sorted(t) for t in tiers if t]


def plan_snmp_x11(snmp, path, allowed, controls=None):
    """X11 keeps SNMP's own switch, versions and communities in Managers/1/SNMP (field names [I]):
    off when SNMP is not allowed, else v3 only with the communities cleared."""
    if not _wanted(controls, "svc-snmp"):
        return []
    if "snmp" not in set(allowed):
        return _diff_op(path, snmp, {"SNMPEnabled": False}, ["svc-snmp"])
    return plan_switched(snmp, path, "SNMPEnabled", {"SNMPv2Enabled": False, "ROCommunity": "", "RWCommunity": "", "SNMPv3Enabled": True},
                         True, ["svc-snmp"])


# -- IP access control ------------------------------------------------------------------------

def desired_rules(networks, extra_rules=()):
    """The rule set: every management network Accepted, then the baseline's extra rules
    ({address, prefix_length, policy}); as [(network, policy)]."""
    rules = [(ipaddress.ip_network(str(n), strict=False), "Accept") for n in networks]
    for extra in extra_rules or ():
        prefix = extra.get("prefix_length", 32)
        rules.append((ipaddress.ip_network("%s/%s" % (extra["address"], prefix), strict=False), extra.get("policy", "Accept")))
    return list(dict.fromkeys(rules))


def _rule_key(rule):
    try:
        net = ipaddress.ip_network("%s/%s" % (rule.get("Address"), rule.get("PrefixLength", 32)), strict=False)
    except (TypeError, ValueError):
        return None
    return net, rule.get("Policy")


def accepts(rules, address):
    """Supermicro's filter as the simulator models it: rules by Id, the first whose network holds
    the address decides; no match drops; an enabled filter with no rules filters nothing."""
    if not rules:
        return True
    addr = ipaddress.ip_address(address)
    for net, policy in rules:
        if addr.version == net.version and addr in net:
            return policy == "Accept"
    return False


def plan_ip_access_control(acl, rules, acl_path, networks, controller_address, extra_rules=(), controls=None):
    """IP access control = exactly the management networks (Accept) plus the baseline's extra rules,
    unmanaged rules removed, the service on. `rules` are the FilterRules member bodies; POSTed rules
    get the lowest free Id (Supermicro order is by Id)."""
    if not _wanted(controls, "net-ip-acl"):
        return []
    wanted = desired_rules(networks, extra_rules)
    keep, remove = [], []
    for rule in sorted(rules, key=lambda r: int(r.get("Id", 0))):
        key = _rule_key(rule)
        (keep if key in wanted and key not in [k for _, k in keep] else remove).append((rule, key))
    add = [k for k in wanted if k not in [kk for _, kk in keep]]

    # The rules the BMC will hold, in its Id order: the kept ones, the added ones in the lowest free Ids.
    ids = {int(r["Id"]): k for r, k in keep}
    free = (n for n in range(1, 10 ** 4) if n not in ids)
    final = dict(ids)
    for key in add:
        final[next(free)] = key
    final_rules = [final[i] for i in sorted(final)]
    if not accepts(final_rules, controller_address):
        raise PlanRefused("the IP access rules %s would not accept the controller's address %s as the BMC sees it "
                          "(set bmc_controller_address if the BMC sees the controller behind NAT); nothing was changed"
                          % (", ".join("%s %s" % (n, p) for n, p in final_rules), controller_address))

    collection = acl_path + "/FilterRules"
    post = [operation("POST", collection, {"Address": str(n.network_address), "PrefixLength": n.prefixlen, "Policy": p},
                      {}, {"rule": "%s %s" % (n, p)}, ["net-ip-acl"]) for n, p in add]
    delete = [operation("DELETE", r["@odata.id"], None, {"rule": "%s/%s %s" % (r.get("Address"), r.get("PrefixLength"), r.get("Policy"))},
                        {}, ["net-ip-acl"], etag_of(r)) for r, _ in remove]
    enable = []
    if not acl.get("ServiceEnabled"):
        enable = [operation("PATCH", acl_path, {"ServiceEnabled": True}, {"ServiceEnabled": acl.get("ServiceEnabled")},
                            {"ServiceEnabled": True}, ["net-ip-acl"], etag_of(acl))]
        # Rules can be added only while the service is on (OemIpAccessControlDisabled): clean up, switch on, add.
        return delete + enable + post
    return post + delete


# -- host channels ----------------------------------------------------------------------------

def plan_host_channels(host_interface, kcs, lockdown, paths, kcs_privilege="Callback", lockdown_on=True, controls=None):
    """KCS privilege to the baseline, the Redfish host interface off, System Lockdown last
    (NVIDIA's lockdown order). A resource that is None does not exist on this generation."""
    ops = []
    if kcs is not None and _wanted(controls, "host-kcs-callback") and kcs.get("Privilege") != kcs_privilege:
        ops.append(operation("PATCH", paths["kcs"], {"Privilege": kcs_privilege}, {"Privilege": kcs.get("Privilege")},
                             {"Privilege": kcs_privilege}, ["host-kcs-callback"], etag_of(kcs)))
    if host_interface is not None and _wanted(controls, "host-hi-off") and host_interface.get("InterfaceEnabled") is not False:
        ops.append(operation("PATCH", paths["host_interface"], {"InterfaceEnabled": False},
                             {"InterfaceEnabled": host_interface.get("InterfaceEnabled")}, {"InterfaceEnabled": False},
                             ["host-hi-off"], etag_of(host_interface)))
    if lockdown is not None and _wanted(controls, "host-syslockdown") and bool(lockdown.get("SysLockdownEnabled")) != lockdown_on:
        ops.append(operation("PATCH", paths["lockdown"], {"SysLockdownEnabled": lockdown_on},
                             {"SysLockdownEnabled": lockdown.get("SysLockdownEnabled")}, {"SysLockdownEnabled": lockdown_on},
                             ["host-syslockdown"], etag_of(lockdown), lockdown=True))
    return ops


# -- outbound destinations --------------------------------------------------------------------

def _pick(current, approved, slots):
    """The destinations to configure: the current ones that are approved (kept, in order), then
    approved ones, up to `slots`."""
    approved_hosts = [destination(a) for a in approved]
    kept = [c for c in current if destination(c) and destination(c) in approved_hosts]
    return (kept + [a for a, h in zip(approved, approved_hosts) if h not in map(destination, kept)])[:slots]


def _diff_op(path, body, wanted, controls, wrap=None, **extra):
    """One PATCH of the fields of `wanted` that differ from `body` (inside `wrap` when given), or none."""
    block = (body.get(wrap) or {}) if wrap else body
    changed = {k: v for k, v in wanted.items() if block.get(k) != v}
    if not changed:
        return []
    before = {k: block.get(k) for k in changed}
    patch, before = ({wrap: changed}, {wrap: before}) if wrap else (changed, before)
    return [operation("PATCH", path, patch, before, patch, controls, etag_of(body), **extra)]


def plan_switched(body, path, switch, settings, on, controls, wrap=None, **extra):
    """A feature with an on/off `switch` and `settings`, each PATCH only what differs. Switched on
    together with its settings (RG34's Syslog example sends both in one PATCH); settings change
    before it is switched off (a disabled service's settings cannot be changed, reference
    enforcement 3.2). A feature that is off but still names a destination gets the setting
    cleared without being switched on, so nothing is ever sent to that destination."""
    state = dict((body.get(wrap) or {}) if wrap else body)
    is_on = bool(state.get(switch))
    pending = {k: v for k, v in settings.items() if state.get(k) != v}
    if on:
        steps = [dict(pending)] if is_on else [dict({switch: True}, **pending)]
    else:
        steps = [dict(pending)] + ([{switch: False}] if is_on else [])
    steps = [fields for fields in steps if fields]
    ops = []
    for fields in steps:
        before = {k: state.get(k) for k in fields}
        patch, before = ({wrap: fields}, {wrap: before}) if wrap else (fields, before)
        ops.append(operation("PATCH", path, patch, before, patch, controls, etag_of(body), **extra))
        state.update(fields)
    return ops


def _destinations(values):
    return [v for v in values if destination(v)]


def plan_ntp(protocol, protocol_path, oem_ntp, oem_path, approved, controls=None):
    """NTP, in both places the audit reads (NetworkProtocol.NTP and the OEM NTP resource): the
    approved servers and NTP on; no server and NTP off when none is approved. Both answer 202 + task."""
    if not _wanted(controls, "time-ntp", "net-egress"):
        return []
    ids = ["time-ntp", "net-egress"]
    ops = []
    standard = (protocol or {}).get("NTP")
    if isinstance(standard, dict):
        current = standard.get("NTPServers") or []
        servers = _pick(_destinations(current), approved, 2)
        settings = {"NTPServers": servers} if servers or _destinations(current) else {}
        ops += plan_switched(protocol, protocol_path, "ProtocolEnabled", settings, bool(servers), ids, wrap="NTP", task=True)
    if oem_ntp is not None:
        keys = ("PrimaryNTPServer", "SecondaryNTPServer")
        servers = _pick(_destinations(oem_ntp.get(k) for k in keys), approved, 2)
        settings = {k: (servers[i] if i < len(servers) else "") for i, k in enumerate(keys)}
        settings = {k: v for k, v in settings.items() if v or destination(oem_ntp.get(k))}   # leave empty/localhost alone
        ops += plan_switched(oem_ntp, oem_path, "NTPEnable", settings, bool(servers), ids, task=True)
    return ops


def plan_syslog(syslog, path, approved, port=514, controls=None):
    """Remote syslog to the approved collector; off with no server when none is approved (202 + task)."""
    if syslog is None or not _wanted(controls, "log-syslog", "net-egress"):
        return []
    current = syslog.get("SyslogServer")
    servers = _pick(_destinations([current]), approved, 1)
    settings = {"SyslogServer": servers[0], "SyslogPortNumber": port} if servers else ({"SyslogServer": ""} if destination(current) else {})
    return plan_switched(syslog, path, "EnableSyslog", settings, bool(servers), ["log-syslog", "net-egress"], task=True)


def plan_smtp(body, path, approved, x11=False, controls=None):
    """SMTP (EventService.SMTP on X12/X13, Managers/1/SMTP on X11): an approved server, or off."""
    if body is None or not _wanted(controls, "net-egress"):
        return []
    wrap = None if x11 else "SMTP"
    block = body if x11 else body.get("SMTP")
    if not isinstance(block, dict):
        return []
    current = block.get("ServerAddress")
    servers = _pick(_destinations([current]), approved, 1)
    settings = {"ServerAddress": servers[0]} if servers else ({"ServerAddress": "0.0.0.0"} if destination(current) else {})
    return plan_switched(body, path, "SMTPEnabled" if x11 else "ServiceEnabled", settings, bool(servers), ["net-egress"], wrap)


def plan_subscriptions(subscriptions, approved_events, approved_snmp, controls=None):
    """Event subscriptions (16 fixed slots): every slot pointing at a host that is not approved is
    emptied with DELETE (reference enforcement 3.9). New subscriptions need more than a host name
    (protocol, event types, community or credentials), so approved ones are not created here."""
    if not _wanted(controls, "log-events", "net-egress"):
        return []
    events = {destination(a) for a in approved_events}
    snmp = {destination(a) for a in approved_snmp}
    ops = []
    for sub in subscriptions:
        protocol = sub.get("Protocol") or ""
        host = None if protocol == "SMTP" else destination(sub.get("Destination"))
        if not host:
            continue
        if host not in (snmp if protocol.startswith("SNMP") else events):
            ops.append(operation("DELETE", sub["@odata.id"], None, {"Destination": sub.get("Destination"), "Protocol": protocol},
                                 {}, ["log-events", "net-egress"], etag_of(sub)))
    return ops


def plan_dns(nic, path, approved, controls=None):
    """DNS: static name servers the approved ones, and the DHCP-supplied ones not used when they
    are not approved."""
    if nic is None or not _wanted(controls, "net-egress"):
        return []
    approved_hosts = {destination(a) for a in approved}
    body = {}
    static = nic.get("StaticNameServers")
    if isinstance(static, list) and any(destination(s) and destination(s) not in approved_hosts for s in static):
        body["StaticNameServers"] = [a for a in approved]
    dhcp = nic.get("DHCPv4") or {}
    if dhcp.get("DHCPEnabled") and dhcp.get("UseDNSServers") and \
            any(destination(s) and destination(s) not in approved_hosts for s in nic.get("NameServers") or []):
        body["DHCPv4"] = {"UseDNSServers": False}
        body.setdefault("StaticNameServers", list(approved))
    if not body:
        return []
    before = {"StaticNameServers": static, "DHCPv4": {"UseDNSServers": dhcp.get("UseDNSServers")}}
    return [operation("PATCH", path, body, {k: before[k] for k in body}, body, ["net-egress"], etag_of(nic))]


# -- TLS certificate --------------------------------------------------------------------------

def normalize_fingerprint(text):
    return "".join(ch for ch in str(text or "").upper() if ch in "0123456789ABCDEF")


def certificate_fingerprint(pem_or_der):
    """SHA-256 over the DER of a certificate (what Redfish's `Fingerprint` shows), hex upper case."""
    from cryptography import x509
    data = pem_or_der.encode() if isinstance(pem_or_der, str) else pem_or_der
    cert = x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    return hashlib.sha256(cert.public_bytes(_der())).hexdigest().upper()


def _der():
    from cryptography.hazmat.primitives.serialization import Encoding
    return Encoding.DER


def _days_left(body, now):
    not_after = body.get("ValidNotAfter")
    if not not_after:
        return None
    moment = datetime.datetime.fromisoformat(str(not_after).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return (moment - now).days


def issued_by(cert_pem, ca_pem):
    """True when `cert_pem` (the BMC's certificate) was signed by the CA certificate `ca_pem`."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    try:
        cert = x509.load_pem_x509_certificate(cert_pem.encode() if isinstance(cert_pem, str) else cert_pem)
        ca = x509.load_pem_x509_certificate(ca_pem.encode() if isinstance(ca_pem, str) else ca_pem)
        cert.verify_directly_issued_by(ca)
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False


def plan_certificate(current, generation, licenses, min_days, now=None, cert_pem=None, key_pem=None, ca_pem=None,
                     csr_subject=None, controls=None):
    """The HTTPS certificate, by SHA-256 fingerprint. From files (`cert_pem` + `key_pem`, uploaded
    together through SmcSSLCert.Upload), or by CSR (`ca_pem`: the BMC's certificate must be issued
    by that CA; GenerateCSR, the CSR signed on the controller, ReplaceCertificate; DCMS licence).
    Renewed when fewer than `min_days` days remain. Returns {"operations": [...]} or
    {"manual": text} or {"not_licensed": text}."""
    if not _wanted(controls, "tls-cert-not-default"):
        return {"operations": []}
    now = now or datetime.datetime.now(datetime.timezone.utc)
    have = normalize_fingerprint(current.get("Fingerprint"))
    days = _days_left(current, now)
    fresh = days is not None and days >= min_days
    before = {"fingerprint": current.get("Fingerprint"), "subject": (current.get("Subject") or {}).get("CommonName"),
              "issuer": (current.get("Issuer") or {}).get("CommonName"), "valid_to": current.get("ValidNotAfter")}
    if cert_pem:
        want = certificate_fingerprint(cert_pem)
        if want == have and fresh:
            return {"operations": []}
        if want == have:
            return {"manual": "the certificate file is the one the BMC serves and it expires in %s days (fewer than %s): "
                              "issue a new one" % (days, min_days)}
        if generation == "X11":
            return {"manual": "X11 takes a certificate only in its web UI (Configuration > SSL Certificates): upload the "
                              "certificate and key there"}
        return {"operations": [operation("POST", SSL_UPLOAD, {"cert_file": "<certificate, SHA-256 %s>" % want, "key_file": "<key>"},
                                         before, {"fingerprint": want}, ["tls-cert-not-default"], upload=True)]}
    if ca_pem:
        if fresh and current.get("CertificateString") and issued_by(current["CertificateString"], ca_pem):
            return {"operations": []}
        if generation == "X11":
            return {"manual": "X11 has no CertificateService: generate a CSR in its web UI, have it signed, upload it there"}
        if DCMS not in (licenses or ()):
            return {"not_licensed": "CertificateService needs the %s licence" % DCMS}
        subject = dict(csr_subject or {})
        return {"operations": [
            operation("POST", GENERATE_CSR, dict(subject, CertificateCollection={"@odata.id": HTTPS_CERTIFICATE.rsplit("/", 1)[0]}),
                      before, {"csr": subject.get("CommonName")}, ["tls-cert-not-default"], csr=True),
            operation("POST", REPLACE_CERTIFICATE, {"CertificateString": "<the CSR signed by the CA>", "CertificateType": "PEM",
                                                    "CertificateUri": {"@odata.id": HTTPS_CERTIFICATE}},
                      before, {"issuer": "the organisation's CA"}, ["tls-cert-not-default"], replace=True)]}
    return {"manual": "no certificate source: set bmc_tls_cert_path and bmc_tls_key_path, or bmc_tls_ca_cert_path and "
                      "bmc_tls_ca_key_path to sign a CSR"}


def sign_csr(csr_pem, ca_cert_pem, ca_key_pem, days, now=None):
    """Sign the BMC's CSR with the organisation's CA (serverAuth, the CSR's SANs): the PEM certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    now = now or datetime.datetime.now(datetime.timezone.utc)
    csr = x509.load_pem_x509_csr(csr_pem.encode() if isinstance(csr_pem, str) else csr_pem)
    ca = x509.load_pem_x509_certificate(ca_cert_pem.encode() if isinstance(ca_cert_pem, str) else ca_cert_pem)
    ca_key = serialization.load_pem_private_key(ca_key_pem.encode() if isinstance(ca_key_pem, str) else ca_key_pem, None)
    if not csr.is_signature_valid:
        raise ValueError("the BMC's CSR carries an invalid signature")
    builder = (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(ca.subject).public_key(csr.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=days))
               .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(csr.public_key()), critical=False))
    try:
        builder = builder.add_extension(csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value, critical=False)
    except x509.ExtensionNotFound:
        pass
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


# -- addressing --------------------------------------------------------------------------------

def plan_addressing(nic, path, networks, enabled=False, target=None, controls=None):
    """net-addressing: a BMC address or gateway outside the management networks. Not changed unless
    `enabled` and a `target` ({address, prefix_length or subnet_mask, gateway}) is given: moving a
    BMC's address is how you lose it. Returns {"operations"} or {"manual": the exact step}."""
    if not _wanted(controls, "net-addressing"):
        return {"operations": []}
    nets = [ipaddress.ip_network(str(n), strict=False) for n in networks]
    inside = lambda a: any(ipaddress.ip_address(a) in n for n in nets if n.version == ipaddress.ip_address(a).version)
    ipv4 = [a for a in nic.get("IPv4Addresses") or [] if a.get("Address")]
    outside = [a for a in ipv4 if not inside(a["Address"]) or (a.get("Gateway") not in (None, "", "0.0.0.0") and not inside(a["Gateway"]))]
    if not outside:
        return {"operations": []}
    current = outside[0]
    if not enabled or not target:
        return {"manual": "the BMC address %s (gateway %s) lies outside the management networks %s: move it at the console "
                          "or on the DHCP server, or set bmc_remediate_addressing: true with bmc_target_address "
                          "{address, prefix_length, gateway} for this host"
                          % (current["Address"], current.get("Gateway"), ", ".join(map(str, nets)))}
    net = ipaddress.ip_network("%s/%s" % (target["address"], target.get("prefix_length", 24)), strict=False)
    for value in (target["address"], target.get("gateway")):
        if value and not inside(value):
            raise PlanRefused("bmc_target_address %s lies outside the management networks" % value)
    static = [{"Address": target["address"], "SubnetMask": str(net.netmask), "Gateway": target.get("gateway")}]
    body = {"DHCPv4": {"DHCPEnabled": False}, "IPv4StaticAddresses": static}
    return {"operations": [operation("PATCH", path, body, {"IPv4Addresses": [{k: current.get(k) for k in ("Address", "SubnetMask", "Gateway")}],
                                                           "DHCPv4": {"DHCPEnabled": (nic.get("DHCPv4") or {}).get("DHCPEnabled")}},
                                     body, ["net-addressing"], etag_of(nic), moves_address=target["address"])]}


# -- the whole exposure plan -------------------------------------------------------------------

# The resources (gather's keys, supermicro.RESOURCE_PATHS) the plan reads; lists are collection members.
RESOURCES = ("network_protocol", "snmp", "ip_access_control", "ip_filter_rules", "host_interface", "kcs", "lockdown",
             "ntp", "syslog", "smtp", "event_service", "subscriptions", "ethernet")


def plan_exposure(raw, paths, layout, desired, controls=None):
    """Every exposure plan for one BMC, in the order they are applied: services, outbound
    destinations, IP access control, host channels (System Lockdown last).

    `raw`: {resource key: body, or list of member bodies, or None when the layout has none};
    `paths`: supermicro.resource_paths(layout); `desired`: the baseline values (see
    roles/bmc_exposure/meta/argument_specs.yml). Returns {"operations": [...], "manual": {control: text}}.
    Raises PlanRefused (nothing applied) for a plan that would lock the controller out."""
    d, x11 = desired, layout == "X11"
    get = lambda key: raw.get(key)
    ops = plan_services(get("network_protocol"), paths["network_protocol"], d["allowed_services"], controls)
    if get("snmp") is not None:
        ops += plan_snmp_x11(get("snmp"), paths["snmp"], d["allowed_services"], controls)
    ops += plan_ntp(get("network_protocol"), paths["network_protocol"], get("ntp"), paths["ntp"], d["approved_ntp_servers"], controls)
    ops += plan_syslog(get("syslog"), paths["syslog"], d["approved_syslog_servers"], d.get("syslog_port", 514), controls)
    if x11:
        ops += plan_smtp(get("smtp"), paths["smtp"], d["approved_smtp_servers"], x11=True, controls=controls)
    else:
        ops += plan_smtp(get("event_service"), paths["event_service"], d["approved_smtp_servers"], controls=controls)
    ops += plan_subscriptions(get("subscriptions") or [], d["approved_event_destinations"], d["approved_snmp_destinations"], controls)
    ops += plan_dns(get("ethernet"), paths["ethernet"], d["approved_dns_servers"], controls)
    ops += plan_ip_access_control(get("ip_access_control"), get("ip_filter_rules") or [], paths["ip_access_control"],
                                  d["management_networks"], d["controller_address"], d.get("ip_acl_extra_rules") or (), controls)
    addressing = plan_addressing(get("ethernet"), paths["ethernet"], d["management_networks"], d.get("remediate_addressing", False),
                                 d.get("target_address"), controls)
    ops += addressing.get("operations", [])
    ops += plan_host_channels(get("host_interface"), get("kcs"), get("lockdown"), paths, d.get("kcs_privilege", "Callback"),
                              d.get("system_lockdown", True), controls)
    manual = {"net-addressing": addressing["manual"]} if "manual" in addressing else {}
    return {"operations": read_etag_once(ops), "manual": manual}


def read_etag_once(ops):
    """The ETag from the read holds for the first write to a resource only; later writes to it go
    without If-Match (the body, and so its ETag, changed in between)."""
    seen = set()
    for op in ops:
        if op["path"] in seen:
            op["etag"] = None
        seen.add(op["path"])
    return ops
