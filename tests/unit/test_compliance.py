"""The compliance engine: operators, catalog and baseline validation, every control pass and fail."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance

X13_BMC = "BMC_X13AST2600-ROT-5501MS_20240510_01.04.15_STDsp.bin"
X13_BIOS = "BIOS_X13DEG-OAD-1D14_20240322_2.1_STDsp.bin"


def image(id_, kind, slot, version, name):
    return {"id": id_, "kind": kind, "slot": slot, "version": version, "image": name, "present": name is not None,
            "release_date": None, "health": "OK"}


def ok(**data):
    return dict(supported=True, **data)


@pytest.fixture
def facts():
    """A hardened X13 (the simulator's hardened state), compliant with the default baseline."""
    return {
        "schema": 1,
        "identity": ok(manufacturer="Supermicro", model="SYS-821GE-TNHR", serial="S1", board="X13DEG-OAD", board_serial="B1",
                       generation="X13", redfish_version="1.11.0", bios_version="2.1", bmc_version="01.04.15", uuid="u"),
        "licenses": ok(installed=["SFT-OOB-LIC", "SFT-DCMS-SINGLE"]),
        "firmware": ok(bmc_version="01.04.15", bios_version="2.1", components=[
            image("BMC", "bmc", "active", "01.04.15", X13_BMC),
            image("Backup_BMC", "bmc", "backup", "Not Present", None),
            image("Golden_BMC", "bmc", "golden", "01.00.26", "BMC_X13AST2600-ROT-5501MS_20230801_01.00.26_STDsp.bin"),
            image("Staging_BMC", "bmc", "staging", "01.04.15", X13_BMC),
            image("BIOS", "bios", "active", "BIOS Date: 03/22/2024 Ver 2.1", X13_BIOS),
            image("Golden_BIOS", "bios", "golden", "BIOS Date: 05/04/2023 Ver 1.3", "BIOS_X13DEG-OAD-1D14_20230504_1.3_STDsp.bin")]),
        "accounts": ok(list=[
            {"id": "2", "username": "ADMIN", "role": "Administrator", "enabled": False, "locked": False},
            {"id": "3", "username": "ansible", "role": "Administrator", "enabled": True, "locked": False},
            {"id": "4", "username": "monitor", "role": "ReadOnly", "enabled": True, "locked": False}]),
        "account_policy": ok(min_password_length=14, max_password_length=20, lockout_threshold=5, lockout_duration=900,
                             lockout_reset_after=900, auth_failure_logging_threshold=3),
        "directory": ok(ldap={"enabled": False, "servers": [], "tls": False, "start_tls": False},
                        active_directory={"enabled": False, "servers": [], "tls": False}, servers=[]),
        "radius": ok(enabled=False, server="0.0.0.0", port=1812, servers=[]),
        "session": ok(timeout=300),
        "services": ok(http={"enabled": False, "port": 80}, https={"enabled": True, "port": 443},
                       ipmi={"enabled": False, "port": 623}, ssh={"enabled": False, "port": 22},
                       snmp={"enabled": False, "port": 161}, virtual_media={"enabled": False, "port": 623},
                       kvm={"enabled": False, "port": 5900}, ssdp={"enabled": False, "port": 1900}, enabled=["https"]),
        "snmp": ok(enabled=False, v2c_enabled=False, v3_enabled=False, community_strings=0, auth_protocol=None,
                   encryption_protocol=None),
        "smtp": ok(enabled=False, server="0.0.0.0", port=587, tls=False, **{"from": None}, servers=[]),
        "network": ok(hostname=None, fqdn=None, mac="7C:C2:55:00:00:01", dhcp=True, ipv6_autoconfig=True,
                      ipv4=[{"address": "127.0.10.1", "subnet_mask": "255.255.0.0", "gateway": "127.0.0.254", "origin": "DHCP"}],
                      addresses=["127.0.10.1", "fe80::7ec2:55ff:fe00:1"], gateways=["127.0.0.254"],
                      vlan={"enabled": False, "id": 1}, dns_servers=["10.10.0.53"], lan_interface="Failover"),
        "ip_access_control": ok(enabled=True, rules=[
            {"id": "1", "address": "127.0.0.0", "prefix_length": 8, "policy": "Accept", "cidr": "127.0.0.0/8"},
            {"id": "2", "address": "10.0.0.0", "prefix_length": 8, "policy": "Accept", "cidr": "10.0.0.0/8"}]),
        "host_interface": ok(enabled=False, credential_bootstrapping=True, auth_modes=["BasicAuth", "RedfishSessionAuth"]),
        "kcs": ok(privilege="Callback"),
        "lockdown": ok(enabled=True),
        "ntp": ok(enabled=True, servers=["ntp1.mgmt.example", "ntp2.mgmt.example"]),
        "syslog": ok(enabled=True, server="10.10.0.50", port=514, servers=["10.10.0.50"]),
        "event_subscriptions": ok(list=[], destinations=[], snmp_destinations=[], email_recipients=[]),
        "certificate": ok(issuer={"common_name": "Example Org CA", "organization": "Example"},
                          subject={"common_name": "bmc-001", "organization": "Example"}, valid_from="2024-01-01T00:00:00+00:00",
                          valid_to="2026-04-01T00:00:00+00:00", days_remaining=400, self_signed=False, factory_default=False,
                          fingerprint="AA"),
        "exposure": {"supported": True, "error": "", "probes": [      # what bmc_probe saw (playbooks/exposure.yml)
            {"vantage": "controller", "zone": "inside", "ports": [
                {"name": "https", "state": "open", "label": "https 443/tcp: https"},
                {"name": "ipmi", "state": "closed", "label": "ipmi 623/udp: port unreachable"}]},
            {"vantage": "vantage-dmz", "zone": "outside", "ports": [
                {"name": "https", "state": "filtered", "label": "https 443/tcp: no answer to SYN"}]}]},
    }


def results_of(facts, catalog, baseline, enabled=None):
    return {r["id"]: r for r in compliance.evaluate(facts, catalog, baseline, enabled)["results"]}


# -- operators -------------------------------------------------------------------------------

@pytest.mark.parametrize("op, actual, expected, outcome", [
    ("eq", True, True, True), ("eq", "Callback", "Administrator", False),
    ("ne", 1, 2, True), ("ne", 1, 1, False),
    ("le", 300, 900, True), ("le", 3600, 900, False),
    ("ge", 14, 14, True), ("ge", 8, 14, False),
    ("in", "ReadOnly", ["ReadOnly", "Operator"], True), ("in", "Administrator", ["ReadOnly"], False),
    ("not_in", "ADMIN", ["root"], True), ("not_in", "ADMIN", ["ADMIN"], False),
    ("subset_of", ["https"], ["https", "ssh"], True), ("subset_of", [], [], True), ("subset_of", None, [], True),
    ("subset_of", ["ipmi"], ["https"], False),
    ("subset_of", [{"username": "a", "role": "ReadOnly"}], [{"username": "a", "role": "ReadOnly"}], True),
    ("subset_of", [{"username": "a", "role": "Administrator"}], [{"username": "a", "role": "ReadOnly"}], False),
    ("disjoint_from", ["ansible"], ["ADMIN"], True), ("disjoint_from", ["ADMIN", "x"], ["ADMIN"], False),
    ("empty", [], None, True), ("empty", None, None, True), ("empty", ["0.0.0.0/0"], None, False),
    ("not_empty", [1], None, True), ("not_empty", [], None, False),
    ("version_ge", "01.04.15", "01.04.15", True), ("version_ge", "BIOS Date: 08/04/2023 Ver 1.4", "2.1", False),
    ("version_ge", "11.01.01", "01.04.15", True),
    ("all_in_networks", ["10.1.0.0/16", "10.2.3.4"], ["10.0.0.0/8"], True), ("all_in_networks", [], ["10.0.0.0/8"], True),
    ("all_in_networks", ["0.0.0.0/0"], ["10.0.0.0/8"], False), ("all_in_networks", ["192.168.1.1"], ["10.0.0.0/8"], False),
    ("all_in_networks", ["fd00::1"], ["10.0.0.0/8", "fd00::/8"], True),
    ("none_public", ["10.0.0.1", "192.168.1.1", "127.0.10.1", "fe80::1", "fd12::1", "100.64.0.1"], None, True),
    ("none_public", ["203.0.113.5"], None, False), ("none_public", ["8.8.8.8"], None, False),
    ("none_public", ["2001:db8::1"], None, False),
])
def test_operator(op, actual, expected, outcome):
    assert compliance.OPERATORS[op](actual, expected) is outcome


@pytest.mark.parametrize("op, actual, expected", [
    ("le", None, 900), ("ge", "14", 8), ("ge", True, 1), ("version_ge", None, "1.0"), ("version_ge", "Not Present", "1.0"),
    ("all_in_networks", ["not-an-ip"], ["10.0.0.0/8"]), ("none_public", ["host.example"], None),
])
def test_operator_cannot_decide(op, actual, expected):
    with pytest.raises((TypeError, ValueError)):
        compliance.OPERATORS[op](actual, expected)


def test_sections_of():
    assert compliance.sections_of("length(accounts.list[?enabled && role=='Administrator'])") == ["accounts"]
    assert compliance.sections_of("services.enabled[?@=='ntp']") == ["services"]     # 'ntp' is a literal
    assert compliance.sections_of("snmp.enabled && (snmp.v2c_enabled || snmp.community_strings > `0`)") == ["snmp"]
    assert compliance.sections_of("foo.bar") == []


# -- catalog ---------------------------------------------------------------------------------

def test_the_catalog_is_valid_and_complete(catalog):
    ids = [c["id"] for c in catalog]
    for required in ("fw-bmc-min-version", "fw-bios-min-version", "fw-allowlist", "acct-default-creds", "acct-allowlist",
                     "acct-least-privilege", "acct-password-policy", "sess-timeout", "svc-ipmi-lan-off", "svc-ssdp-off",
                     "svc-snmp", "svc-http-off", "svc-ssh-off", "svc-vmedia-kvm", "tls-cert-not-default", "net-ip-acl",
                     "net-addressing", "net-egress", "host-hi-off", "host-kcs-callback", "host-syslockdown", "time-ntp",
                     "log-syslog", "log-events"):
        assert required in ids
    assert compliance.validate_catalog(catalog) == []
    assert all(c["references"].get("nist_800_53") for c in catalog)
    # Every control names what fixes it, except the findings of the exposure probe (their evidence
    # comes from another job, applicability.requires): the Redfish controls failing with them are fixed.
    probed = {c["id"] for c in catalog if (c.get("applicability") or {}).get("requires")}
    assert probed == {"exposure-outside", "exposure-services", "exposure-agreement"}
    assert all({"role", "tag"} <= set(c["remediation"]) and c["remediation"]["tag"] == c["id"]
               for c in catalog if c["id"] not in probed)
    assert not any(c.get("remediation") for c in catalog if c["id"] in probed)


def good_control(**changes):
    control = {"id": "svc-x-off", "title": "X", "severity": "low", "rationale": "r", "references": {"nist_800_53": ["CM-7"]},
               "checks": [{"query": "services.x.enabled", "op": "eq", "value": False}]}
    control.update(changes)
    return control


@pytest.mark.parametrize("control, problem", [
    (good_control(id="Bad_Id"), "id must look like"),
    (good_control(severity="urgent"), "severity: expected one of low, medium, high, critical"),
    (good_control(title=""), "title: expected a non-empty string"),
    (good_control(references=["AC-2"]), "references: expected a mapping"),
    (good_control(checks=[]), "checks: expected a non-empty list"),
    (good_control(checks=[{"query": "services.[", "op": "eq", "value": 1}]), "checks[0]: query 'services.['"),
    (good_control(checks=[{"query": "nothing.here", "op": "eq", "value": 1}]), "reads no fact section"),
    (good_control(checks=[{"query": "services.x", "op": "like", "value": 1}]), "op: expected one of eq, ne"),
    (good_control(checks=[{"query": "services.x", "op": "eq"}]), "exactly one of value"),
    (good_control(checks=[{"query": "services.x", "op": "empty", "value": 1}]), "op empty takes no value"),
    (good_control(checks=[{"query": "services.x", "op": "eq", "var": "bmc_nope"}]), "var 'bmc_nope' is not a baseline variable"),
    (good_control(checks=[{"query": "services.x", "op": "eq", "value": 1, "select": "a"}]), "select and per_board apply to a var"),
    (good_control(checks=[{"query": "services.x", "op": "eq", "value": 1}, {"query": "services.y", "op": "eq", "value": 1}]),
     "several checks need distinct names"),
    (good_control(applicability={"generations": ["X9"]}), "applicability.generations"),
    (good_control(remediation={"role": "bmc_services"}), "remediation: expected {role, tag}"),
])
def test_catalog_problems_are_named(control, problem):
    problems = compliance.validate_catalog([control])
    assert any(problem in text for _, text in problems), problems
    with pytest.raises(ValueError, match="invalid control catalog"):
        compliance.load_catalog([control])


def test_catalog_duplicates_and_shape():
    assert compliance.validate_catalog([good_control(), good_control()]) == [("svc-x-off", "duplicate id")]
    assert compliance.validate_catalog({}) == [("bmc_audit_controls", "expected a non-empty list of controls")]
    assert compliance.load_catalog({"bmc_audit_controls": [good_control()]})[0]["id"] == "svc-x-off"


# -- baseline --------------------------------------------------------------------------------

def test_default_baseline_is_valid(baseline):
    assert compliance.validate_baseline(baseline) == []


@pytest.mark.parametrize("key, value, where, expectation", [
    ("bmc_management_networks", ["10.0.0.0/8", "10.0.0/33"], "bmc_management_networks[1]", "CIDR notation"),
    ("bmc_management_networks", [], "bmc_management_networks", "a non-empty list"),
    ("bmc_session_timeout_max", "900", "bmc_session_timeout_max", "an integer between 30 and 86400"),
    ("bmc_session_timeout_max", 10, "bmc_session_timeout_max", "an integer between 30 and 86400"),
    ("bmc_max_administrators", True, "bmc_max_administrators", "an integer >= 1"),
    ("bmc_allowed_accounts", [{"username": "a", "role": "Admin"}], "bmc_allowed_accounts[0].role",
     "one of Administrator, Operator, ReadOnly"),
    ("bmc_allowed_accounts", [{"username": "a"}], "bmc_allowed_accounts[0].role", "missing"),
    ("bmc_allowed_services", ["https", "telnett"], "bmc_allowed_services[1]", "one of http, https"),
    ("bmc_approved_ntp_servers", ["ntp://pool.ntp.org"], "bmc_approved_ntp_servers[0]", "a host name or IP address"),
    ("bmc_kcs_privilege", "callback", "bmc_kcs_privilege", "one of Administrator, Operator, User, Callback"),
    ("bmc_system_lockdown", "yes", "bmc_system_lockdown", "true or false"),
    ("bmc_password_policy", {"min_length": 30, "lockout_threshold_max": 5, "lockout_duration_min": 300},
     "bmc_password_policy.min_length", "an integer between 8 and 20"),
    ("bmc_password_policy", {"min_length": 14, "lockout_threshold_max": 5, "lockout_duration_min": 300, "x": 1},
     "bmc_password_policy.x", "unknown key"),
    ("bmc_approved_firmware", {"X13DEG-OAD": {"bmc_min": "latest", "bios_min": "2.1", "bmc_images": [], "bios_images": []}},
     "bmc_approved_firmware.X13DEG-OAD.bmc_min", "a firmware version"),
    ("bmc_approved_firmware", {"X13DEG-OAD": {"bmc_min": "01.04.15", "bios_min": 2.1, "bmc_images": [], "bios_images": []}},
     "bmc_approved_firmware.X13DEG-OAD.bios_min", "quoted string"),
    ("bmc_approved_firmware", [], "bmc_approved_firmware", "a mapping of board model"),
])
def test_baseline_problems_name_key_and_expectation(baseline, key, value, where, expectation):
    baseline[key] = value
    problems = compliance.validate_baseline(baseline)
    assert any(path == where and expectation in text for path, text in problems), problems


def test_missing_baseline_variable(baseline):
    del baseline["bmc_approved_dns_servers"]
    assert compliance.validate_baseline(baseline) == [
        ("bmc_approved_dns_servers", "missing (set it in inventory/group_vars/all/baseline.yml)")]


def test_baseline_from_vars_keeps_only_baseline_keys(baseline):
    variables = dict(baseline, bmc_username="ansible", bmc_password="secret", bmc_control_sess_timeout=False, other=1)
    assert compliance.baseline_from_vars(variables) == baseline


def test_enable_var():
    assert compliance.enable_var("fw-bmc-min-version") == "bmc_control_fw_bmc_min_version"


# -- evaluation: every control passes on the hardened facts and fails on purpose ---------------

def test_hardened_facts_are_compliant(facts, catalog, baseline):
    evaluation = compliance.evaluate(facts, catalog, baseline)
    assert {r["id"]: r["status"] for r in evaluation["results"] if r["status"] != "pass"} == {}
    assert evaluation["summary"]["status"] == "compliant" and evaluation["summary"]["compliant"] is True
    assert evaluation["summary"]["counts"]["pass"] == len(catalog)


def set_path(facts, path, value):
    *parents, last = path.split(".")
    target = facts
    for part in parents:
        target = target[part]
    target[last] = value


def enable_service(name):
    def change(facts):
        facts["services"][name]["enabled"] = True
        facts["services"]["enabled"].append(name)
    return change


FAILURES = {
    "fw-bmc-min-version": lambda f: set_path(f, "firmware.bmc_version", "01.01.06"),
    "fw-bios-min-version": lambda f: set_path(f, "firmware.bios_version", "1.4"),
    "fw-allowlist": lambda f: f["firmware"]["components"][0].update(image="BMC_X13AST2600-ROT-5501MS_20231117_11.01.01_OEMsp.bin"),
    "acct-default-creds": lambda f: f["accounts"]["list"][0].update(enabled=True),
    "acct-allowlist": lambda f: f["accounts"]["list"].append(
        {"id": "5", "username": "temp_admin", "role": "Operator", "enabled": True, "locked": False}),
    "acct-least-privilege": lambda f: f["accounts"]["list"][2].update(role="Administrator"),
    "acct-password-policy": lambda f: set_path(f, "account_policy.lockout_threshold", 0),
    "sess-timeout": lambda f: set_path(f, "session.timeout", 3600),
    "svc-ipmi-lan-off": enable_service("ipmi"),
    "svc-ssdp-off": enable_service("ssdp"),
    "svc-snmp": enable_service("snmp"),
    "svc-http-off": enable_service("http"),
    "svc-ssh-off": enable_service("ssh"),
    "svc-vmedia-kvm": enable_service("kvm"),
    "tls-cert-not-default": lambda f: f["certificate"].update(factory_default=True, self_signed=True),
    "net-ip-acl": lambda f: f["ip_access_control"]["rules"].append(
        {"id": "3", "address": "0.0.0.0", "prefix_length": 0, "policy": "Accept", "cidr": "0.0.0.0/0"}),
    "net-addressing": lambda f: f["network"].update(addresses=["203.0.113.7"], gateways=["203.0.113.254"],
                                                     ipv4=[{"address": "203.0.113.7", "gateway": "203.0.113.254"}]),
    "net-egress": lambda f: set_path(f, "network.dns_servers", ["8.8.8.8"]),
    "host-hi-off": lambda f: set_path(f, "host_interface.enabled", True),
    "host-kcs-callback": lambda f: set_path(f, "kcs.privilege", "Administrator"),
    "host-syslockdown": lambda f: set_path(f, "lockdown.enabled", False),
    "time-ntp": lambda f: set_path(f, "ntp.enabled", False),
    "log-syslog": lambda f: set_path(f, "syslog.servers", ["192.0.2.99"]),
    "acct-directory-tls": lambda f: f["directory"]["active_directory"].update(enabled=True, servers=["10.10.0.41"]),
    "log-events": lambda f: f["event_subscriptions"].update(snmp_destinations=["198.51.100.23"]),
    "exposure-outside": lambda f: f["exposure"]["probes"][1]["ports"][0].update(state="open"),
    "exposure-services": lambda f: f["exposure"]["probes"][0]["ports"][1].update(state="open"),
    "exposure-agreement": lambda f: f["exposure"]["probes"][0]["ports"][1].update(state="open"),
}


def test_exposure_reasons_and_missing_probe_data(facts, catalog, baseline):
    f = dict(facts)
    FAILURES["exposure-services"](f)
    found = results_of(f, catalog, baseline)
    assert found["exposure-agreement"]["reason"] == "ipmi answer(s) on the network, yet the BMC reports them off"
    assert found["exposure-services"]["reason"] == "['https', 'ipmi'] not within ['https']"
    FAILURES["exposure-outside"](f)
    assert results_of(f, catalog, baseline)["exposure-outside"]["reason"] == "['https 443/tcp: no answer to SYN'] != []"
    del f["exposure"]                                  # never probed: notchecked, never pass
    found = results_of(f, catalog, baseline)
    assert {found[c]["status"] for c in ("exposure-outside", "exposure-services", "exposure-agreement")} == {"notchecked"}
    assert "playbooks/exposure.yml" in found["exposure-agreement"]["reason"]
    f["exposure"] = {"supported": True, "error": "vantage-dmz: no python", "probes": facts["exposure"]["probes"]}
    assert results_of(f, catalog, baseline)["exposure-outside"]["status"] == "error"


def test_every_control_has_a_failure_case(catalog):
    assert sorted(FAILURES) == sorted(c["id"] for c in catalog)


@pytest.mark.parametrize("control_id", sorted(FAILURES))
def test_control_fails_on_purpose(facts, catalog, baseline, control_id):
    FAILURES[control_id](facts)
    result = results_of(facts, catalog, baseline)[control_id]
    assert result["status"] == "fail", result
    assert result["reason"] and result["actual"] is not None and result["expected"] is not None
    assert set(result) >= {"id", "title", "severity", "status", "expected", "actual", "reason"}


def test_directory_over_tls_passes(facts, catalog, baseline):
    facts["directory"]["ldap"].update(enabled=True, servers=["10.10.0.40"], tls=True)
    assert results_of(facts, catalog, baseline)["acct-directory-tls"]["status"] == "pass"


@pytest.mark.parametrize("control_id, change, reason", [
    ("svc-snmp", lambda f: f["snmp"].update(enabled=True, v2c_enabled=True), "v3_only: True != False"),
    ("acct-least-privilege", lambda f: f["accounts"]["list"].append(
        {"id": "6", "username": "x", "role": "Administrator", "enabled": True, "locked": False}) or
     f["accounts"]["list"].append({"id": "7", "username": "y", "role": "Administrator", "enabled": True, "locked": False}),
     "administrators: 3 > 2"),
    ("net-ip-acl", lambda f: set_path(f, "ip_access_control.enabled", False), "enabled: False != True"),
    ("net-ip-acl", lambda f: set_path(f, "ip_access_control.rules", []), "accept_rules: [] is empty"),
    ("time-ntp", lambda f: set_path(f, "ntp.servers", ["pool.ntp.org"]), "approved: ['pool.ntp.org'] not within"),
    ("fw-bmc-min-version", lambda f: set_path(f, "identity.board", "X99NEW"),
     "no bmc_min for board X99NEW (nor a default) in bmc_approved_firmware"),
    ("acct-password-policy", lambda f: set_path(f, "account_policy.min_password_length", 8), "min_length: 8 < 14"),
])
def test_failure_reasons(facts, catalog, baseline, control_id, change, reason):
    change(facts)
    result = results_of(facts, catalog, baseline)[control_id]
    assert result["status"] == "fail" and reason in result["reason"], result["reason"]


def test_default_board_entry(facts, catalog, baseline):
    facts["identity"]["board"] = "X99NEW"
    baseline["bmc_approved_firmware"]["default"] = baseline["bmc_approved_firmware"]["X13DEG-OAD"]
    assert results_of(facts, catalog, baseline)["fw-bmc-min-version"]["status"] == "pass"


# -- evaluation: the other statuses ----------------------------------------------------------

def test_unsupported_section_is_notapplicable(facts, catalog, baseline):
    facts["kcs"] = {"supported": False, "reason": "not supported on X11"}
    result = results_of(facts, catalog, baseline)["host-kcs-callback"]
    assert (result["status"], result["reason"]) == ("notapplicable", "not supported on X11")


def test_unlicensed_section_is_notchecked(facts, catalog, baseline):
    facts["host_interface"] = {"supported": False, "reason": "not licensed"}
    result = results_of(facts, catalog, baseline)["host-hi-off"]
    assert (result["status"], result["reason"]) == ("notchecked", "not licensed")


def test_generation_applicability(facts, catalog, baseline):
    facts["identity"]["generation"] = "H11"
    result = results_of(facts, catalog, baseline)["host-syslockdown"]
    assert (result["status"], result["reason"]) == ("notapplicable", "not supported on H11")


def test_licence_applicability(facts, baseline):
    control = good_control(applicability={"licenses": ["SFT-DCMS-SINGLE"]})
    facts["services"]["x"] = {"enabled": False}
    facts["licenses"]["installed"] = ["SFT-OOB-LIC"]
    result = compliance.evaluate(facts, [control], baseline)["results"][0]
    assert (result["status"], result["reason"]) == ("notchecked", "not licensed (needs SFT-DCMS-SINGLE)")
    facts["licenses"]["installed"] = ["SFT-DCMS-SINGLE"]
    assert compliance.evaluate(facts, [control], baseline)["results"][0]["status"] == "pass"


def test_partly_supported_control_is_not_a_pass(facts, catalog, baseline):
    # Old: "pass", "checked without directory: ...": a control passes only when all its checks ran.
    facts["directory"] = {"supported": False, "reason": "not supported on X11"}
    result = results_of(facts, catalog, baseline)["net-egress"]
    assert result["status"] == "notchecked" and "directory: not supported on X11" in result["reason"]
    assert result["checks"] == {"ran": 7, "total": 8, "skipped": ["directory: not supported on X11"]}
    assert "directory" not in result["actual"]


def test_errored_section_is_an_error(facts, catalog, baseline):
    facts["session"] = {"error": "bmc: GET /redfish/v1/SessionService: HTTP 500 Internal Server Error"}
    evaluation = compliance.evaluate(facts, catalog, baseline)
    result = {r["id"]: r for r in evaluation["results"]}["sess-timeout"]
    assert result["status"] == "error" and "HTTP 500" in result["reason"]
    assert evaluation["summary"]["status"] == "error" and evaluation["summary"]["errors"] == ["sess-timeout"]


def test_uncomparable_value_is_an_error(facts, catalog, baseline):
    facts["firmware"]["bmc_version"] = "Not Present"
    result = results_of(facts, catalog, baseline)["fw-bmc-min-version"]
    assert result["status"] == "error" and "cannot compare" in result["reason"]


def test_nothing_read_is_an_error(facts, catalog, baseline):
    facts["firmware"]["bmc_version"] = None
    result = results_of(facts, catalog, baseline)["fw-bmc-min-version"]
    assert result["status"] == "error" and result["reason"] == "nothing read at firmware.bmc_version"


def test_missing_baseline_variable_is_an_error(facts, catalog, baseline):
    del baseline["bmc_session_timeout_max"]
    result = results_of(facts, catalog, baseline)["sess-timeout"]
    assert (result["status"], result["reason"]) == ("error", "baseline variable bmc_session_timeout_max is not set")


def test_disabled_control_is_notchecked(facts, catalog, baseline):
    FAILURES["sess-timeout"](facts)
    result = results_of(facts, catalog, baseline, {"sess-timeout": False})["sess-timeout"]
    assert (result["status"], result["reason"]) == ("notchecked", "disabled by bmc_control_sess_timeout")


def test_summary(facts, catalog, baseline):
    for control_id in ("sess-timeout", "fw-bmc-min-version", "svc-ssh-off"):
        FAILURES[control_id](facts)
    facts["kcs"] = {"supported": False, "reason": "not supported on X11"}
    summary = compliance.evaluate(facts, catalog, baseline)["summary"]
    assert summary["status"] == "noncompliant" and summary["compliant"] is False
    assert summary["failed"] == ["fw-bmc-min-version", "sess-timeout", "svc-ssh-off"]
    assert summary["worst_severity"] == "critical"
    assert summary["counts"] == {"pass": len(catalog) - 4, "fail": 3, "error": 0, "notapplicable": 1, "notchecked": 0}
    assert summary["total"] == len(catalog)


def test_unreachable(catalog):
    evaluation = compliance.unreachable(catalog, "bmc-007: GET /redfish/v1: connection failed: refused")
    assert evaluation["summary"]["status"] == "unreachable" and "refused" in evaluation["summary"]["reason"]
    assert {r["status"] for r in evaluation["results"]} == {"error"}


def test_evaluation_does_not_change_its_inputs(facts, catalog, baseline):
    before = copy.deepcopy((facts, catalog, baseline))
    compliance.evaluate(facts, catalog, baseline)
    assert (facts, catalog, baseline) == before


# -- issue 7: host statuses, partial checks, firmware families, vendors -------------------------

def test_a_failing_control_names_the_checks_it_skipped(facts, catalog, baseline):
    # Old: the reason named only the failing check.
    facts["ntp"]["servers"] = ["pool.ntp.org"]
    facts["syslog"] = {"supported": False, "reason": "not a Supermicro BMC"}
    result = results_of(facts, catalog, baseline)["net-egress"]
    assert result["status"] == "fail"
    assert result["reason"] == ("ntp: ['pool.ntp.org'] not within ['ntp1.mgmt.example', 'ntp2.mgmt.example']; "
                                "not checked: syslog: not a Supermicro BMC")
    assert result["checks"] == {"ran": 7, "total": 8, "skipped": ["syslog: not a Supermicro BMC"]}


def test_every_result_says_which_checks_ran(facts, catalog, baseline):
    results = results_of(facts, catalog, baseline)
    assert results["acct-password-policy"]["checks"] == {"ran": 4, "total": 4, "skipped": []}
    assert results["net-egress"]["checks"] == {"ran": 8, "total": 8, "skipped": []}


def test_nothing_checked_is_never_compliant(facts, catalog, baseline):
    # Old: every section "not supported": 25 notapplicable, host compliant.
    for name in (*compliance.SECTIONS, *compliance.EXTERNAL_SECTIONS):
        if name != "identity":
            facts[name] = {"supported": False, "reason": "not supported on X13"}
    summary = compliance.evaluate(facts, catalog, baseline)["summary"]
    assert summary["status"] == "error" and not summary["compliant"] and "nothing could be checked" in summary["reason"]


def test_unsupported_takes_precedence_and_results_keep_their_status(facts, catalog, baseline):
    facts["identity"].update(supermicro=False, vendor="Contoso", unsupported="Manufacturer 'Contoso', not a Supermicro BMC")
    evaluation = compliance.evaluate(facts, catalog, baseline)
    results = {r["id"]: r for r in evaluation["results"]}
    assert (evaluation["summary"]["status"], evaluation["summary"]["reason"]) == (
        "unsupported", "Manufacturer 'Contoso', not a Supermicro BMC")
    assert results["host-kcs-callback"]["status"] == "notapplicable" and results["svc-ssh-off"]["status"] == "pass"
    # Firmware: only an entry for exactly this board; Supermicro's default entry does not apply.
    assert results["fw-bmc-min-version"]["status"] == "pass"
    facts["identity"]["board"] = "PowerBox R750"
    result = {r["id"]: r for r in compliance.evaluate(facts, catalog, baseline)["results"]}["fw-bmc-min-version"]
    assert result["status"] == "notapplicable" and "names no entry for its board PowerBox R750" in result["reason"]


def test_summarize_merged_results_from_several_runs(facts, catalog, baseline):
    full = compliance.evaluate(facts, catalog, baseline)["results"]
    FAILURES["svc-ssh-off"](facts)
    partial = [r for r in compliance.evaluate(facts, catalog, baseline)["results"] if r["id"].startswith("svc-")]
    merged = {r["id"]: r for r in full}
    merged.update({r["id"]: r for r in partial})
    summary = compliance.summarize(list(merged.values()), facts)
    assert summary["status"] == "noncompliant" and summary["failed"] == ["svc-ssh-off"]
    assert compliance.summarize([r for r in full if r["id"] == "fw-allowlist"])["status"] == "compliant"
    assert compliance.summarize([dict(full[0], status="notapplicable")])["status"] == "error"


def test_unreachable_with_another_status(catalog):
    evaluation = compliance.unreachable(catalog, "login refused", status="error")
    assert (evaluation["summary"]["status"], evaluation["summary"]["reason"]) == ("error", "login refused")
    assert evaluation["summary"]["compliant"] is False


def test_an_unknown_board_is_an_error_not_a_failure(facts, catalog, baseline):
    # Old: "fail: no bmc_min for board None (nor a default)" (the baseline looked wrong).
    facts["identity"].update(board=None, board_error="bmc: GET /redfish/v1/Chassis/1: HTTP 500 Internal Server Error")
    results = results_of(facts, catalog, baseline)
    for control in ("fw-bmc-min-version", "fw-bios-min-version", "fw-allowlist"):
        assert results[control]["status"] == "error" and "Chassis/1: HTTP 500" in results[control]["reason"]


OEM_IMAGE = "BMC_X13AST2600-ROT-5501MS_20231117_11.01.01_OEMsp.bin"


@pytest.mark.parametrize("release_date, status, words", [
    ("2023-11-17T00:00:00Z", "fail", "compared by release date, 2023-11-17 of 11.01.01 and 2024-05-10 of 01.04.15"),
    ("2024-06-01T00:00:00Z", "pass", ""),
    (None, "error", "list the image explicitly"),
])
def test_an_oem_build_is_compared_by_release_date(facts, catalog, baseline, release_date, status, words):
    # Old: 11.01.01 > 01.04.15: pass.
    facts["firmware"].update(bmc_version="11.01.01", bmc_image=OEM_IMAGE, bmc_release_date=release_date)
    result = results_of(facts, catalog, baseline)["fw-bmc-min-version"]
    assert result["status"] == status and words in result["reason"]


def test_catalog_vendors_and_component_are_validated():
    assert compliance.validate_catalog([good_control(applicability={"vendors": ["Dell"]})])
    assert compliance.validate_catalog([good_control(checks=[{"query": "session.timeout", "op": "le", "value": 1,
                                                              "component": "bmc"}])])
