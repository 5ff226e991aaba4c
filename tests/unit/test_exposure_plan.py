"""exposure_plan on real Supermicro bodies (../shared/reference/captures): only the fields that
differ, Supermicro's ordering, the lockout pre-check, and the certificate decision by fingerprint."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from ansible_collections.bmclock.supermicro.plugins.module_utils import exposure_plan as ep
X13 = "X13DEG-OAD_SYS-821GE-TNHR_BMC11.01.01__"

M = "/redfish/v1/Managers/1"
NP = M + "/NetworkProtocol"
ACL = M + "/Oem/Supermicro/IPAccessControl"
PATHS = {"kcs": M + "/Oem/Supermicro/KCSInterface", "host_interface": M + "/HostInterfaces/1", "lockdown": M + "/Oem/Supermicro/SysLockdown"}


def bodies(ops):
    return [(op.method, op.path, op.body) for op in ops]


def rule(n, address, prefix, policy="Accept"):
    return {"@odata.id": "%s/FilterRules/%d" % (ACL, n), "Id": str(n), "Address": address, "PrefixLength": prefix, "Policy": policy}


# -- services --------------------------------------------------------------------------------

def test_factory_services_off_only_what_differs(capture):
    protocol = capture(X13 + "Managers_1_NetworkProtocol")       # factory: IPMI, SSH, HTTP, VirtualMedia, KVM, SSDP on
    ops = ep.plan_services(protocol, NP, allowed=["https"])
    on = {k for k, v in protocol.items() if isinstance(v, dict) and v.get("ProtocolEnabled") and k not in ("HTTPS", "NTP")}
    # VirtualMedia rides on IPMI: it goes off first; then one PATCH per control for the rest.
    assert bodies(ops)[0] == ("PATCH", NP, {"VirtualMedia": {"ProtocolEnabled": False}})
    assert {k for op in ops for k in op.body} == on and all(v == {"ProtocolEnabled": False} for op in ops for v in op.body.values())
    assert [op.control for op in ops] == ["svc-vmedia-kvm", "svc-http-off", "svc-ipmi-lan-off", "svc-vmedia-kvm", "svc-ssdp-off",
                                          "svc-ssh-off"]
    assert ops[2].body == {"IPMI": {"ProtocolEnabled": False}} and ops[3].body == {"KVMIP": {"ProtocolEnabled": False}}
    assert ops[2].changes == [{"field": "IPMI.ProtocolEnabled", "before": True, "after": False}]


def test_allowed_services_are_switched_on_needed_first_and_compliant_is_empty(capture):
    protocol = capture(X13 + "Managers_1_NetworkProtocol")
    for key in ("IPMI", "VirtualMedia", "SSH", "HTTP", "KVMIP", "SSDP"):
        protocol[key]["ProtocolEnabled"] = False
    ops = ep.plan_services(protocol, NP, allowed=["https", "ipmi", "virtual_media"])
    assert bodies(ops) == [("PATCH", NP, {"IPMI": {"ProtocolEnabled": True}}), ("PATCH", NP, {"VirtualMedia": {"ProtocolEnabled": True}})]
    assert ep.plan_services(protocol, NP, allowed=["https"]) == []               # nothing differs: no write
    assert ep.plan_services(protocol, NP, allowed=["https", "ipmi"], controls={"svc-ssh-off"}) == []   # --tags


def test_snmp_allowed_means_v3_only_and_settings_before_switching_off(capture):
    protocol = capture(X13 + "Managers_1_NetworkProtocol")
    protocol["SNMP"].update({"ProtocolEnabled": True, "EnableSNMPv2c": True, "CommunityStrings": [{"CommunityString": "public"}]})
    ops = ep.plan_services(protocol, NP, allowed=["https", "snmp"], controls={"svc-snmp"})
    assert bodies(ops) == [("PATCH", NP, {"SNMP": {"EnableSNMPv2c": False, "CommunityStrings": [], "EnableSNMPv3": True}})]
    # Not allowed: switched off; its communities are not touched (a disabled service's settings cannot change).
    assert bodies(ep.plan_services(protocol, NP, allowed=["https"], controls={"svc-snmp"})) == [
        ("PATCH", NP, {"SNMP": {"ProtocolEnabled": False}})]


def test_x11_snmp_v3_only():
    snmp = {"SNMPEnabled": True, "SNMPv2Enabled": True, "ROCommunity": "public", "RWCommunity": "private", "SNMPv3Enabled": False}
    assert bodies(ep.plan_snmp_x11(snmp, M + "/SNMP", ["snmp"])) == [
        ("PATCH", M + "/SNMP", {"SNMPv2Enabled": False, "ROCommunity": "", "RWCommunity": "", "SNMPv3Enabled": True})]
    assert bodies(ep.plan_snmp_x11(snmp, M + "/SNMP", ["https"])) == [("PATCH", M + "/SNMP", {"SNMPEnabled": False})]
    assert ep.plan_snmp_x11(dict(snmp, SNMPEnabled=False), M + "/SNMP", ["https"]) == []


# -- IP access control -------------------------------------------------------------------------

def test_acl_from_factory_cleans_up_switches_on_then_adds(capture):
    acl = capture(X13 + "Managers_1_Oem_Supermicro_IPAccessControl")     # off, no rules
    ops = ep.plan_ip_access_control(acl, [rule(1, "0.0.0.0", 0)], ACL, ["10.0.0.0/8", "127.0.0.0/8"], "127.0.0.1")
    assert bodies(ops) == [("DELETE", ACL + "/FilterRules/1", None),
                           ("PATCH", ACL, {"ServiceEnabled": True}),
                           ("POST", ACL + "/FilterRules", {"Address": "10.0.0.0", "PrefixLength": 8, "Policy": "Accept"}),
                           ("POST", ACL + "/FilterRules", {"Address": "127.0.0.0", "PrefixLength": 8, "Policy": "Accept"})]


def test_acl_enabled_adds_before_it_removes_and_keeps_what_matches():
    acl = {"ServiceEnabled": True, "@odata.etag": '"e"'}
    rules = [rule(1, "127.0.0.0", 8), rule(2, "10.0.0.0", 8), rule(3, "0.0.0.0", 0), rule(4, "10.0.0.0", 8)]
    ops = ep.plan_ip_access_control(acl, rules, ACL, ["10.0.0.0/8", "127.0.0.0/8", "192.168.50.0/24"], "127.0.0.1")
    assert bodies(ops) == [("POST", ACL + "/FilterRules", {"Address": "192.168.50.0", "PrefixLength": 24, "Policy": "Accept"}),
                           ("DELETE", ACL + "/FilterRules/3", None), ("DELETE", ACL + "/FilterRules/4", None)]
    assert ep.plan_ip_access_control(acl, rules[:2], ACL, ["127.0.0.0/8", "10.0.0.0/8"], "127.0.0.1") == []
    assert ep.plan_ip_access_control(acl, rules, ACL, ["10.0.0.0/8"], "127.0.0.1", controls={"svc-ssh-off"}) == []


def test_acl_plan_that_would_lock_the_controller_out_is_refused():
    acl = {"ServiceEnabled": True}
    with pytest.raises(ep.PlanRefused, match="192.0.2.10"):
        ep.plan_ip_access_control(acl, [rule(1, "192.0.2.0", 24)], ACL, ["10.0.0.0/8"], "192.0.2.10")
    # A baseline Drop rule that shadows the controller counts too (first match decides, by Id).
    with pytest.raises(ep.PlanRefused):
        ep.plan_ip_access_control(acl, [rule(1, "10.1.0.0", 16, "Drop")], ACL, ["10.0.0.0/8"], "10.1.2.3",
                                  extra_rules=[{"address": "10.1.0.0", "prefix_length": 16, "policy": "Drop"}])
    assert ep.accepts([], "203.0.113.1") and not ep.accepts([(ep.ipaddress.ip_network("10.0.0.0/8"), "Accept")], "203.0.113.1")


# -- host channels -----------------------------------------------------------------------------

def test_host_channels_in_lockdown_order(capture):
    kcs, lock = capture(X13 + "Managers_1_Oem_Supermicro_KCSInterface"), capture(X13 + "Managers_1_Oem_Supermicro_SysLockdown")
    hi = capture(X13 + "Managers_1_HostInterfaces_1")
    ops = ep.plan_host_channels(hi, kcs, lock, PATHS)
    assert bodies(ops) == [("PATCH", PATHS["kcs"], {"Privilege": "Callback"}), ("PATCH", PATHS["host_interface"], {"InterfaceEnabled": False}),
                           ("PATCH", PATHS["lockdown"], {"SysLockdownEnabled": True})]
    assert ops[-1].step == "lock" and ops[0].control == "host-kcs-callback"
    assert ep.plan_host_channels(None, None, None, PATHS) == []                      # X11: none of them exist


def test_lockdown_wanted_off_is_switched_off_and_left_alone_when_off():
    on, off = {"SysLockdownEnabled": True}, {"SysLockdownEnabled": False}
    (op,) = ep.plan_host_channels(None, None, on, PATHS, lockdown_on=False)
    assert bodies([op]) == [("PATCH", PATHS["lockdown"], {"SysLockdownEnabled": False})] and op.control == "host-syslockdown"
    assert ep.plan_host_channels(None, None, off, PATHS, lockdown_on=False) == []
    assert ep.plan_host_channels(None, None, on, PATHS, lockdown_on=True) == []


# -- outbound destinations ---------------------------------------------------------------------

def test_ntp_from_factory_sets_approved_servers_with_the_switch(capture):
    protocol, ntp = capture(X13 + "Managers_1_NetworkProtocol"), capture(X13 + "Managers_1_Oem_Supermicro_NTP")
    ops = ep.plan_ntp(protocol, NP, ntp, M + "/Oem/Supermicro/NTP", ["ntp1.mgmt.example", "ntp2.mgmt.example"])
    assert bodies(ops) == [
        ("PATCH", NP, {"NTP": {"ProtocolEnabled": True, "NTPServers": ["ntp1.mgmt.example", "ntp2.mgmt.example"]}}),
        ("PATCH", M + "/Oem/Supermicro/NTP", {"NTPEnable": True, "PrimaryNTPServer": "ntp1.mgmt.example",
                                              "SecondaryNTPServer": "ntp2.mgmt.example"})]
    assert ep.plan_ntp(protocol, NP, ntp, M + "/Oem/Supermicro/NTP", []) == []      # off with placeholders only: nothing to do


def test_ntp_unapproved_kept_approved_and_cleared_before_off():
    ntp = {"NTPEnable": True, "PrimaryNTPServer": "ntp2.mgmt.example", "SecondaryNTPServer": "pool.ntp.org"}
    ops = ep.plan_ntp(None, NP, ntp, "/ntp", ["ntp1.mgmt.example", "ntp2.mgmt.example"])
    assert bodies(ops) == [("PATCH", "/ntp", {"SecondaryNTPServer": "ntp1.mgmt.example"})]
    ops = ep.plan_ntp(None, NP, ntp, "/ntp", [])
    assert bodies(ops) == [("PATCH", "/ntp", {"PrimaryNTPServer": "", "SecondaryNTPServer": ""}), ("PATCH", "/ntp", {"NTPEnable": False})]


def test_syslog(capture):
    syslog = capture(X13 + "Managers_1_Oem_Supermicro_Syslog")      # off, no server
    assert bodies(ep.plan_syslog(syslog, "/sys", ["10.10.0.50"])) == [
        ("PATCH", "/sys", {"EnableSyslog": True, "SyslogServer": "10.10.0.50", "SyslogPortNumber": 514})]
    assert ep.plan_syslog(syslog, "/sys", []) == []
    rogue = {"EnableSyslog": False, "SyslogServer": "192.0.2.99", "SyslogPortNumber": 514}
    # Off but still naming a destination: cleared without being switched on (nothing is sent there meanwhile).
    assert bodies(ep.plan_syslog(rogue, "/sys", [])) == [("PATCH", "/sys", {"SyslogServer": ""})]
    assert bodies(ep.plan_syslog(dict(rogue, EnableSyslog=True), "/sys", ["10.10.0.50"])) == [("PATCH", "/sys", {"SyslogServer": "10.10.0.50"})]


def test_subscriptions_unapproved_removed_empty_slots_ignored(capture):
    empty = capture(X13 + "EventService_Subscriptions_1")                 # 0.0.0.0: an unused slot
    rogue = dict(copy.deepcopy(empty), Destination="198.51.100.23", Protocol="SNMPv2c")
    rogue["@odata.id"] = "/redfish/v1/EventService/Subscriptions/2"
    ours = dict(copy.deepcopy(empty), Destination="https://events.mgmt.example/redfish", Protocol="Redfish")
    ours["@odata.id"] = "/redfish/v1/EventService/Subscriptions/3"
    ops = ep.plan_subscriptions([empty, rogue, ours], ["events.mgmt.example"], [])
    assert bodies(ops) == [("DELETE", "/redfish/v1/EventService/Subscriptions/2", None)]
    assert bodies(ep.plan_subscriptions([ours], [], [])) == [("DELETE", ours["@odata.id"], None)]


def test_directory_servers_not_approved_are_removed():
    service = {"LDAP": {"ServiceEnabled": False, "ServiceAddresses": ["ldap://10.10.0.40:389"]},
               "ActiveDirectory": {"ServiceEnabled": True, "ServiceAddresses": ["ldaps://ad1.mgmt.example:636", "ad.evil.example"]}}
    radius = {"RadiusEnabled": True, "RadiusServer": "192.0.2.7"}
    ops = ep.plan_directory(service, "/as", radius, "/radius", ["ad1.mgmt.example"])
    assert bodies(ops) == [("PATCH", "/as", {"LDAP": {"ServiceAddresses": []}}),          # off: cleared, not switched on
                           ("PATCH", "/as", {"ActiveDirectory": {"ServiceAddresses": ["ldaps://ad1.mgmt.example:636"]}}),
                           ("PATCH", "/radius", {"RadiusServer": ""})]
    assert all(op.control == "net-egress" for op in ops)
    # none approved: cleared while on, then switched off
    assert bodies(ep.plan_directory(service, "/as", None, "/radius", []))[1:] == [
        ("PATCH", "/as", {"ActiveDirectory": {"ServiceAddresses": []}}), ("PATCH", "/as", {"ActiveDirectory": {"ServiceEnabled": False}})]
    assert ep.plan_directory({"LDAP": {"ServiceEnabled": False, "ServiceAddresses": []}}, "/as", None, "/radius", []) == []



def test_approved_directory_logins_are_set_to_the_approved_servers_in_their_tls_form():
    """Where the access policy approves a login that is on, its ServiceAddresses are exactly the
    approved servers (LDAP: ldap://:389 with StartTLS; AD: ldaps://:636), only when they differ;
    a login that is off or not approved only loses its unapproved servers; nothing is switched on."""
    logins = {"ldap": {"enabled": True, "tls": "start_tls"}, "active_directory": {"enabled": True, "tls": "ldaps"}}
    approved = ["ldap.mgmt.example", "fd00::40"]
    service = {"LDAP": {"ServiceEnabled": True, "ServiceAddresses": ["ldap://10.10.0.40:389", ""]},
               "ActiveDirectory": {"ServiceEnabled": False, "ServiceAddresses": ["ad.evil.example"]}}
    ops = ep.plan_directory(service, "/as", None, "/radius", approved, logins=logins)
    assert bodies(ops) == [("PATCH", "/as", {"LDAP": {"ServiceAddresses": ["ldap://ldap.mgmt.example:389", "ldap://[fd00::40]:389"]}}),
                           ("PATCH", "/as", {"ActiveDirectory": {"ServiceAddresses": []}})]      # off: cleared, not set, not on
    assert ops[0].changes == [{"field": "LDAP.ServiceAddresses", "before": ["ldap://10.10.0.40:389", ""],
                               "after": ["ldap://ldap.mgmt.example:389", "ldap://[fd00::40]:389"]}]
    assert ops[0].control == "net-egress"
    done = {"LDAP": {"ServiceEnabled": True, "ServiceAddresses": ["ldap://ldap.mgmt.example:389", "ldap://[fd00::40]:389", ""]},
            "ActiveDirectory": {"ServiceEnabled": True, "ServiceAddresses": ["ldaps://ldap.mgmt.example:636", "ldaps://[fd00::40]:636"]}}
    assert ep.plan_directory(done, "/as", None, "/radius", approved, logins=logins) == []
    # not approved by the policy: the old rule (unapproved removed; bmc_access switches it off)
    assert bodies(ep.plan_directory(service, "/as", None, "/radius", approved, logins={"ldap": {"enabled": False}}))[0] == \
        ("PATCH", "/as", {"LDAP": {"ServiceAddresses": []}})
    # an empty approved list turns the feature off, approved login or not
    assert bodies(ep.plan_directory(service, "/as", None, "/radius", [], logins=logins)) == [
        ("PATCH", "/as", {"LDAP": {"ServiceAddresses": []}}), ("PATCH", "/as", {"LDAP": {"ServiceEnabled": False}}),
        ("PATCH", "/as", {"ActiveDirectory": {"ServiceAddresses": []}})]
    # outside net-egress: nothing
    assert ep.plan_directory(service, "/as", None, "/radius", approved, controls=["time-ntp"], logins=logins) == []


def _ad_lookup(capture, found, enabled=True, lookup=True):
    """The X13 capture's AccountService with Active Directory on over ldaps to ad1.mgmt.example
    and its DNS lookup `lookup`, having found `found`."""
    service = copy.deepcopy(capture(X13 + "AccountService"))
    service["ActiveDirectory"].update(ServiceEnabled=enabled, ServiceAddresses=["ldaps://ad1.mgmt.example:636"])
    service["Oem"]["Supermicro"]["ActiveDirectory"].update(DNSLookupEnable=lookup, Prefix="ldaps", Port=636, DynamicServerAddresses=found,
                                                           UserDomainNames=["corp.example.net"])
    return service


AD_LOGIN = {"active_directory": {"enabled": True, "tls": "ldaps"}}
LOOKUP_OFF = ("PATCH", "/as", {"Oem": {"Supermicro": {"ActiveDirectory": {"DNSLookupEnable": False}}}})


def test_active_directory_dns_lookup_off_when_it_finds_an_unapproved_controller(capture):
    """DynamicServerAddresses (what the DNS lookup found) count as Active Directory servers: one that
    is not approved switches the lookup off (only that field), so the servers are then exactly the
    approved ServiceAddresses; a lookup that only finds approved servers is left alone."""
    service = _ad_lookup(capture, ["dc07.corp.example.net", "ad1.mgmt.example"])
    ops = ep.plan_directory(service, "/as", None, "/radius", ["ad1.mgmt.example"], logins=AD_LOGIN)
    assert bodies(ops) == [LOOKUP_OFF]
    assert ops[0].control == "net-egress" and ops[0].resource == "account_service"
    assert ops[0].changes == [{"field": "Oem.Supermicro.ActiveDirectory.DNSLookupEnable", "before": True, "after": False}]
    # an upper-case or ldaps:// form of an approved host is that host
    assert ep.plan_directory(_ad_lookup(capture, ["AD1.mgmt.example", "ldaps://ad1.mgmt.example:636"]), "/as", None, "/radius",
                             ["ad1.mgmt.example"], logins=AD_LOGIN) == []
    assert ep.plan_directory(_ad_lookup(capture, []), "/as", None, "/radius", ["ad1.mgmt.example"], logins=AD_LOGIN) == []
    # a list that is missing or not a list proves nothing: off (fail closed)
    for odd in (None, "dc07.corp.example.net"):
        assert bodies(ep.plan_directory(_ad_lookup(capture, odd), "/as", None, "/radius", ["ad1.mgmt.example"], logins=AD_LOGIN)) == [LOOKUP_OFF]
    # already off (the capture's factory state): nothing, whatever the list says
    assert ep.plan_directory(_ad_lookup(capture, ["dc07.corp.example.net"], lookup=False), "/as", None, "/radius",
                             ["ad1.mgmt.example"], logins=AD_LOGIN) == []
    assert ep.plan_directory(capture(X13 + "AccountService"), "/as", None, "/radius", []) == []
    # outside net-egress: nothing
    assert ep.plan_directory(service, "/as", None, "/radius", ["ad1.mgmt.example"], controls=["acct-directory-tls"]) == []


def test_active_directory_dns_lookup_off_when_nothing_is_approved(capture):
    """An empty approved list turns the feature off: the lookup off first (a disabled service's
    settings cannot be changed), then the addresses cleared, then the service off; a login that is
    already off loses its lookup too, even one that finds nothing yet."""
    ops = ep.plan_directory(_ad_lookup(capture, ["ad1.mgmt.example"]), "/as", None, "/radius", [], logins=AD_LOGIN)
    assert bodies(ops) == [LOOKUP_OFF, ("PATCH", "/as", {"ActiveDirectory": {"ServiceAddresses": []}}),
                           ("PATCH", "/as", {"ActiveDirectory": {"ServiceEnabled": False}})]
    assert bodies(ep.plan_directory(_ad_lookup(capture, [], enabled=False), "/as", None, "/radius", ["ad1.mgmt.example"])) == [LOOKUP_OFF]


def test_active_directory_dns_lookup_after_and_diff_show_the_found_servers_gone(capture):
    """Check mode's `after` (enforce.simulate): the lookup off and the controllers it found gone
    from the directory servers, as the BMC derives them."""
    from ansible_collections.bmclock.supermicro.plugins.module_utils import enforce
    service = _ad_lookup(capture, ["dc07.corp.example.net"])
    state = enforce.State({}, {"account_service": service}, {"account_service": "/as"})
    before = ep.exposure_config(state.raw, "X13")
    assert (before["directory_dns_lookup"], before["directory_servers"]) == (True, ["ad1.mgmt.example", "dc07.corp.example.net"])
    ops = ep.plan_directory(service, "/as", None, "/radius", ["ad1.mgmt.example"], logins=AD_LOGIN)
    after = ep.exposure_config(enforce.simulate(state, enforce.Plan("h", ops)).raw, "X13")
    assert (after["directory_dns_lookup"], after["directory_servers"]) == (False, ["ad1.mgmt.example"])
    assert "directory_dns_lookup" not in ep.exposure_config({"account_service": service}, "X11")     # X11: no directory in Redfish


def test_directory_logins_need_their_tls_form():
    assert ep.check_directory_logins({"ldap": {"enabled": True, "tls": "start_tls"}, "active_directory": {"enabled": False}}) == []
    assert ep.check_directory_logins({"ldap": {"enabled": True}, "active_directory": {"enabled": True, "tls": "start_tls"}}) == [
        "directory_logins.ldap.tls: approved logins need tls: start_tls",
        "directory_logins.active_directory.tls: approved logins need tls: ldaps"]

def test_smtp_and_dns():
    event_service = {"SMTP": {"ServiceEnabled": True, "ServerAddress": "smtp.example.net"}, "@odata.etag": '"s"'}
    assert bodies(ep.plan_smtp(event_service, "/es", [])) == [
        ("PATCH", "/es", {"SMTP": {"ServerAddress": "0.0.0.0"}}), ("PATCH", "/es", {"SMTP": {"ServiceEnabled": False}})]
    assert bodies(ep.plan_smtp({"SMTPEnabled": False, "ServerAddress": "0.0.0.0"}, "/smtp", [], x11=True)) == []
    nic = {"DHCPv4": {"DHCPEnabled": True, "UseDNSServers": True}, "NameServers": ["8.8.8.8"], "StaticNameServers": []}
    assert bodies(ep.plan_dns(nic, "/nic", ["10.10.0.53"])) == [
        ("PATCH", "/nic", {"DHCPv4": {"UseDNSServers": False}, "StaticNameServers": ["10.10.0.53"]})]
    assert ep.plan_dns(dict(nic, NameServers=["10.10.0.53", "(null)"]), "/nic", ["10.10.0.53"]) == []


# -- TLS certificate ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def org(tmp_path_factory):
    from bmcsim.tls import CertificateAuthority
    return CertificateAuthority(tmp_path_factory.mktemp("org"))


def test_certificate_by_fingerprint(capture, org):
    factory = capture(X13 + "Managers_1_NetworkProtocol_HTTPS_Certificates_1")
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    _, cert_pem, key_pem = org.issue("10.0.0.5", "bmc1.mgmt.example", days=397)
    files = {"cert_pem": cert_pem, "key_pem": key_pem}
    (op,), manual = ep.plan_certificate(factory, "X13", 30, files, now=now)
    assert manual is None and op.path == ep.SSL_UPLOAD and op.send is not None and op.resource == "certificate"
    assert op.changes == [{"field": "Fingerprint", "before": factory["Fingerprint"], "after": ep._colons(ep.certificate_fingerprint(cert_pem))}]
    assert "BEGIN" not in str(op.public())                                # neither key nor certificate text in the plan
    # The capture's Fingerprint is the SHA-256 of its CertificateString: the comparison the plan makes.
    assert ep.normalize_fingerprint(factory["Fingerprint"]) == ep.certificate_fingerprint(factory["CertificateString"])
    served = dict(factory, Fingerprint=op.changes[0]["after"], ValidNotAfter=(now + dt.timedelta(days=300)).isoformat())
    assert ep.plan_certificate(served, "X13", 30, files, now=now) == ([], None)
    assert "issue a new one" in ep.plan_certificate(served, "X13", 400, files, now=now)[1]
    assert "web UI" in ep.plan_certificate(factory, "X11", 30, files, now=now)[1]


def test_certificate_by_csr_renews_near_expiry(capture, org):
    factory = capture(X13 + "Managers_1_NetworkProtocol_HTTPS_Certificates_1")
    now = dt.datetime.now(dt.timezone.utc)
    source = {"ca_cert_pem": org.cert_path.read_text(), "ca_key_pem": (org.dir / "ca.key").read_text(), "subject": {"CommonName": "bmc1"}}
    (op,), _ = ep.plan_certificate(factory, "X13", 30, source, now=now)
    assert op.path == ep.GENERATE_CSR and op.resource == "certificate_service" and op.body["CommonName"] == "bmc1"
    cert, cert_pem, _ = org.issue("10.0.0.5", "bmc1", days=10)
    near = dict(factory, CertificateString=cert_pem.decode(), ValidNotAfter=cert.not_valid_after_utc.isoformat())
    assert len(ep.plan_certificate(near, "X13", 30, source, now=now)[0]) == 1         # renewed: 10 days < 30
    assert ep.plan_certificate(near, "X13", 5, source, now=now) == ([], None)         # issued by the CA and fresh enough
    assert "CertificateService" in ep.plan_certificate(factory, "X11", 30, source, now=now)[1]


def test_certificate_by_csr_is_issued_again_when_it_lacks_a_wanted_name(capture, org):
    """Before a BMC moves, its certificate must name the new address too: one that names only the
    current address is replaced (then left alone)."""
    factory = capture(X13 + "Managers_1_NetworkProtocol_HTTPS_Certificates_1")
    cert, cert_pem, _ = org.issue("10.0.0.5", "bmc1", days=300)
    served = dict(factory, CertificateString=cert_pem.decode(), ValidNotAfter=cert.not_valid_after_utc.isoformat())
    assert ep.certificate_names(cert_pem) == ["10.0.0.5", "bmc1"]
    source = {"ca_cert_pem": org.cert_path.read_text(), "ca_key_pem": (org.dir / "ca.key").read_text(),
              "subject": {"CommonName": "bmc1", "AlternativeNames": ["10.0.0.5"]}}
    assert ep.plan_certificate(served, "X13", 30, source) == ([], None)
    source["subject"]["AlternativeNames"] = ["10.0.0.5", "10.20.0.7"]
    (op,), _ = ep.plan_certificate(served, "X13", 30, source)
    assert op.path == ep.GENERATE_CSR and op.body["AlternativeNames"] == ["10.0.0.5", "10.20.0.7"]


def test_certificate_diff_after_shows_the_new_certificate_never_the_key(capture, org):
    """Check mode's `after` (enforce.simulate) shows the certificate the plan puts there."""
    from ansible_collections.bmclock.supermicro.plugins.module_utils import enforce
    factory = capture(X13 + "Managers_1_NetworkProtocol_HTTPS_Certificates_1")
    state = enforce.State({}, {"certificate": factory}, {"certificate": ep.HTTPS_CERTIFICATE})
    cert, cert_pem, key_pem = org.issue("10.0.0.5", "bmc1.mgmt.example", days=397)
    ops, _ = ep.plan_certificate(factory, "X13", 30, {"cert_pem": cert_pem, "key_pem": key_pem})
    after = ep.certificate_config(enforce.simulate(state, enforce.Plan("h", ops)).raw["certificate"])
    assert after == {"fingerprint": ep._colons(ep.certificate_fingerprint(cert_pem)), "subject": "bmc1.mgmt.example",
                     "issuer": ep._ca_name(org.cert_path.read_text()), "valid_to": cert.not_valid_after_utc.isoformat()}
    assert after != ep.certificate_config(factory) and "PRIVATE" not in str(after)
    now = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    source = {"ca_cert_pem": org.cert_path.read_text(), "ca_key_pem": (org.dir / "ca.key").read_text(), "subject": {"CommonName": "bmc1"},
              "days": 90}
    ops, _ = ep.plan_certificate(factory, "X13", 30, source, now=now)
    after = ep.certificate_config(enforce.simulate(state, enforce.Plan("h", ops)).raw["certificate"])
    assert after["subject"] == "bmc1" and after["valid_to"] == "2026-04-01T00:00:00+00:00" and after["issuer"] == ep._ca_name(source["ca_cert_pem"])
    assert after["fingerprint"].startswith("(new")


def test_sign_csr_with_the_organisation_ca(org):
    from bmcsim.tls import generate_csr
    from cryptography import x509
    csr, _ = generate_csr({"CommonName": "bmc1.mgmt.example", "Country": "DE"}, ["10.0.0.5"], 2048)
    pem = ep.sign_csr(csr, org.cert_path.read_text(), (org.dir / "ca.key").read_bytes(), days=90)
    cert = x509.load_pem_x509_certificate(pem.encode())
    assert ep.issued_by(pem, org.cert_path.read_text()) and not ep.issued_by(pem, pem)
    assert cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.IPAddress)[0].exploded == "10.0.0.5"


# -- addressing --------------------------------------------------------------------------------

def test_addressing_is_a_manual_step_unless_asked():
    nic = {"IPv4Addresses": [{"Address": "203.0.113.7", "SubnetMask": "255.255.255.0", "Gateway": "203.0.113.254"}],
           "DHCPv4": {"DHCPEnabled": True}}
    ops, manual = ep.plan_addressing(nic, "/nic", ["10.0.0.0/8"])
    assert ops == [] and "203.0.113.7" in manual and "bmc_remediate_addressing" in manual
    target = {"address": "10.20.0.7", "prefix_length": 16, "gateway": "10.20.0.1"}
    (op,), manual = ep.plan_addressing(nic, "/nic", ["10.0.0.0/8"], enabled=True, target=target)
    assert manual is None and op.body == {"DHCPv4": {"DHCPEnabled": False},
                          "IPv4StaticAddresses": [{"Address": "10.20.0.7", "SubnetMask": "255.255.0.0", "Gateway": "10.20.0.1"}]}
    with pytest.raises(ep.PlanRefused):
        ep.plan_addressing(nic, "/nic", ["10.0.0.0/8"], enabled=True, target=dict(target, gateway="203.0.113.1"))
    with pytest.raises(ep.PlanRefused, match="the gateway 10.30.0.1 is not in the new address's network 10.20.0.0/16"):
        ep.plan_addressing(nic, "/nic", ["10.0.0.0/8"], enabled=True, target=dict(target, gateway="10.30.0.1"))
    inside = {"IPv4Addresses": [{"Address": "10.1.1.1", "Gateway": "10.1.1.254"}]}
    assert ep.plan_addressing(inside, "/nic", ["10.0.0.0/8"]) == ([], None)


def test_the_previous_addressing_is_what_a_failed_move_writes_back():
    assert ep.previous_addressing({"DHCPv4": {"DHCPEnabled": True}}) == {"DHCPv4": {"DHCPEnabled": True}}
    static = {"DHCPv4": {"DHCPEnabled": False},
              "IPv4StaticAddresses": [{"Address": "10.1.1.1", "SubnetMask": "255.255.0.0", "Gateway": "10.1.1.254", "Extra": 1}]}
    assert ep.previous_addressing(static) == {"IPv4StaticAddresses": [{"Address": "10.1.1.1", "SubnetMask": "255.255.0.0",
                                                                       "Gateway": "10.1.1.254"}]}


def test_the_rules_a_move_is_checked_against():
    rules = [{"Id": "2", "Address": "10.0.0.0", "PrefixLength": 8, "Policy": "Accept"},
             {"Id": "1", "Address": "192.0.2.0", "PrefixLength": 24, "Policy": "Drop"}]
    assert ep.rules_after({"ServiceEnabled": False}, rules, ["127.0.0.0/8"]) == []          # off: nothing filtered
    with pytest.raises(ep.PlanRefused, match="not read"):                                    # unread: not "nothing filtered"
        ep.rules_after(None, rules, ["127.0.0.0/8"])
    read = ep.rules_after({"ServiceEnabled": True}, rules, ["127.0.0.0/8"])
    assert [str(n) for n, _ in read] == ["192.0.2.0/24", "10.0.0.0/8"] and not ep.accepts(read, "127.0.0.1")
    enforced = ep.rules_after({"ServiceEnabled": True}, rules, ["127.0.0.0/8"], enforced=True)
    assert ep.accepts(enforced, "127.0.0.1") and not ep.accepts(enforced, "10.1.1.1")


def test_subscriptions_approved_set_by_patch_of_a_slot(capture):
    empty = capture(X13 + "EventService_Subscriptions_1")
    rogue = dict(copy.deepcopy(empty), Destination="198.51.100.23", Protocol="SNMPv2c")
    rogue["@odata.id"] = "/redfish/v1/EventService/Subscriptions/2"
    want = [{"destination": "https://events.mgmt.example/redfish", "protocol": "Redfish", "event_types": []}]
    ops = ep.plan_subscriptions([rogue, empty], ["events.mgmt.example"], [], wanted=want)
    # the unapproved one emptied, the approved one written into the free slot with all its fields
    assert bodies(ops) == [("DELETE", rogue["@odata.id"], None),
                           ("PATCH", empty["@odata.id"], {"Destination": "https://events.mgmt.example/redfish", "Protocol": "Redfish",
                                                          "Oem": {"Supermicro": {"EnableSubscription": True}}})]
    # no empty slot left: the one this plan empties is used (after its DELETE, step order)
    ops = ep.plan_subscriptions([rogue], ["events.mgmt.example"], [], wanted=want)
    assert [(op.method, op.path, op.step) for op in ops] == [("DELETE", rogue["@odata.id"], "settings"), ("PATCH", rogue["@odata.id"], "create")]
    # matched by Destination: only what differs (a disabled subscription is enabled), nothing when it matches
    ours = dict(copy.deepcopy(empty), Destination="https://events.mgmt.example/redfish", Protocol="Redfish")
    assert bodies(ep.plan_subscriptions([ours, empty], ["events.mgmt.example"], [], wanted=want)) == [
        ("PATCH", ours["@odata.id"], {"Oem": {"Supermicro": {"EnableSubscription": True}}})]
    ours["Oem"]["Supermicro"]["EnableSubscription"] = True
    assert ep.plan_subscriptions([ours, empty], ["events.mgmt.example"], [], wanted=want) == []
    with pytest.raises(ep.PlanRefused, match="no free event subscription slot"):
        ep.plan_subscriptions([ours], ["events.mgmt.example"], [], wanted=[dict(want[0], destination="https://events.mgmt.example/b")])


def test_wanted_subscriptions_must_be_approved_once():
    want = [{"destination": "https://events.mgmt.example/r", "protocol": "Redfish"}, {"destination": "trap.evil.example", "protocol": "SNMPv3"},
            {"destination": "https://EVENTS.mgmt.example/r", "protocol": "Redfish"}]
    assert ep.check_subscriptions(want, ["events.mgmt.example"], []) == [
        "event_subscriptions[1].destination: trap.evil.example is not in approved_snmp_destinations",
        "event_subscriptions[2].destination: https://EVENTS.mgmt.example/r is listed twice"]
