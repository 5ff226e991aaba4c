"""gather() on the real X13 capture (served by a fake client), an X11 layout, licences, failures."""

from __future__ import annotations

import copy

import pytest

from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance, gather, supermicro
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishError

X13 = "X13DEG-OAD_SYS-821GE-TNHR_BMC11.01.01__"
NOT_LICENSED = RedfishError("bmc", "GET", "/x", 403, ["Not licensed to perform this request."],
                            ["SMC.1.0.OemLicenseNotPassed"])


DETECTION_KEYS = ("vendor", "supermicro", "layout", "board_error", "unsupported", "nothing_read", "detection")


class FakeClient:
    """Serves a {path: body | RedfishError} tree like RedfishClient (404 for unknown paths)."""

    def __init__(self, tree):
        self.tree, self.requests, self.log = tree, 1, []   # 1: the session login

    def get(self, path):
        self.requests += 1
        self.log.append(path)
        value = self.tree.get(path)
        if value is None:
            raise RedfishError("bmc", "GET", path, 404)
        if isinstance(value, RedfishError):
            raise value
        return copy.deepcopy(value)

    def get_many(self, paths):
        answers = {}
        for path in paths:
            try:
                answers[path] = self.get(path)
            except RedfishError as exc:
                answers[path] = exc
        return answers


@pytest.fixture
def x13_tree(capture):
    names = ["ServiceRoot", "Systems_1", "Chassis_1", "AccountService", "AccountService_Accounts",
             "AccountService_Accounts_2", "AccountService_Accounts_4", "SessionService", "Managers_1_NetworkProtocol",
             "Managers_1_NetworkProtocol_HTTPS_Certificates_1", "Managers_1_EthernetInterfaces_1",
             "Managers_1_HostInterfaces_1", "EventService", "EventService_Subscriptions", "EventService_Subscriptions_1",
             "Managers_1_LicenseManager_QueryLicense", "UpdateService_FirmwareInventory", "Managers_1",
             *("Managers_1_Oem_Supermicro_" + n for n in ("IPAccessControl", "IPAccessControl_FilterRules", "KCSInterface",
                                                           "SysLockdown", "NTP", "Syslog", "RADIUS")),
             *("UpdateService_FirmwareInventory_" + n for n in ("BMC", "Backup_BMC", "Golden_BMC", "Staging_BMC", "BIOS",
                                                                 "Backup_BIOS", "Golden_BIOS", "Staging_BIOS"))]
    tree = {}
    for name in names:
        body = capture(X13 + name)
        tree[body["@odata.id"]] = body
    # The capture saved subscription slot 1 of the 16 pre-allocated ones; the others look the same.
    for n in range(2, 17):
        slot = dict(tree["/redfish/v1/EventService/Subscriptions/1"], Id=str(n))
        tree["/redfish/v1/EventService/Subscriptions/%d" % n] = dict(slot, **{"@odata.id": "/redfish/v1/EventService/Subscriptions/%d" % n})
    return tree


def x11_tree(x13):
    """The X13 bodies moved to the X11 layout (OEM features under Managers/1, no KCS/lockdown/HI/licences)."""
    tree = {"/redfish/v1": {"RedfishVersion": "1.0.1", "Oem": {}},
            "/redfish/v1/Managers/1/SNMP": {"SNMPEnabled": False, "SNMPv2Enabled": False, "ROCommunity": "public",
                                            "RWCommunity": "private", "SNMPv3Enabled": False},
            "/redfish/v1/Managers/1/SMTP": {"SMTPEnabled": True, "ServerAddress": "smtp.example.net", "Port": 25},
            "/redfish/v1/UpdateService/SmcFirmwareInventory": {"Members": [
                {"@odata.id": "/redfish/v1/UpdateService/SmcFirmwareInventory/BMC"},
                {"@odata.id": "/redfish/v1/UpdateService/SmcFirmwareInventory/BIOS"}]},
            "/redfish/v1/UpdateService/SmcFirmwareInventory/BMC": {"Id": "BMC", "Version": "01.74.09"},
            "/redfish/v1/UpdateService/SmcFirmwareInventory/BIOS": {"Id": "BIOS", "Version": "BIOS Date: 06/10/2022 Ver 3.8"}}
    x13_paths, x11_paths = supermicro.resource_paths("X13"), supermicro.resource_paths("X11")
    for key, path in x11_paths.items():
        if path and key not in ("snmp", "smtp", "firmware") and x13_paths[key] in x13:
            tree[path] = copy.deepcopy(x13[x13_paths[key]])
    for path in list(x13):
        if path.startswith(("/redfish/v1/AccountService/Accounts/", "/redfish/v1/EventService/Subscriptions/")):
            tree[path] = x13[path]
    tree["/redfish/v1/Chassis/1"]["Model"] = "X11DPU"
    account_service = tree["/redfish/v1/AccountService"]
    for key in ("LDAP", "ActiveDirectory", "Oem"):
        account_service.pop(key)
    return tree


def test_x13_capture_facts(x13_tree):
    facts = gather.gather(FakeClient(x13_tree))
    assert {k: v for k, v in facts["identity"].items() if k not in DETECTION_KEYS} == {
        "supported": True, "manufacturer": "Supermicro", "model": "SYS-821GE-TNHR", "serial": "S889914X3710910",
        "board": "X13DEG-OAD", "board_serial": "OM234S005959", "generation": "X13", "redfish_version": "1.11.0",
        "bios_version": "1.4", "bmc_version": "11.01.01", "uuid": "00000000-0000-0000-0000-7CC25550A8FF"}
    assert facts["licenses"]["installed"] == ["SFT-DCMS-SINGLE"]
    firmware = facts["firmware"]
    assert (firmware["bmc_version"], firmware["bios_version"]) == ("11.01.01", "1.4")
    assert [c["id"] for c in firmware["components"]] == ["BMC", "Backup_BMC", "Golden_BMC", "Staging_BMC",
                                                         "BIOS", "Backup_BIOS", "Golden_BIOS", "Staging_BIOS"]
    golden = firmware["components"][2]
    assert golden == {"id": "Golden_BMC", "kind": "bmc", "slot": "golden", "version": "01.00.26",
                      "image": "BMC_X13AST2600-ROT-5501MS_20230801_01.00.26_STDsp.bin", "present": True,
                      "release_date": None, "health": "OK"}
    assert firmware["components"][1]["present"] is False and firmware["components"][1]["image"] is None
    assert facts["accounts"]["list"] == [
        {"id": "2", "username": "root", "role": "Administrator", "enabled": True, "locked": False},
        {"id": "4", "username": "tests_admin", "role": "Administrator", "enabled": True, "locked": False}]
    assert facts["account_policy"]["min_password_length"] == 8 and facts["account_policy"]["lockout_threshold"] == 3
    assert facts["session"]["timeout"] == 300
    assert facts["services"]["enabled"] == ["http", "https", "ipmi", "ssh", "virtual_media", "kvm", "ssdp"]
    assert facts["services"]["ipmi"] == {"enabled": True, "port": 623}
    assert facts["snmp"]["enabled"] is False and facts["snmp"]["community_strings"] == 0
    assert facts["smtp"]["servers"] == []              # 0.0.0.0 is "not set"
    network = facts["network"]
    assert network["addresses"] == ["192.168.133.92", "fe80::7ec2:55ff:fe50:a8ff"]
    assert network["gateways"] == ["192.168.133.65"] and network["dhcp"] is True
    assert network["dns_servers"] == ["192.168.126.14"]       # "(null)" dropped
    assert network["vlan"] == {"enabled": False, "id": 1}
    assert facts["ip_access_control"] == {"supported": True, "enabled": False, "rules": []}
    assert facts["host_interface"]["enabled"] is True and facts["host_interface"]["credential_bootstrapping"] is True
    assert facts["kcs"]["privilege"] == "Administrator" and facts["lockdown"]["enabled"] is False
    assert facts["ntp"] == {"supported": True, "enabled": False, "servers": []}   # localhost/127.0.0.1 are not egress
    assert facts["syslog"]["enabled"] is False and facts["syslog"]["servers"] == []
    assert facts["event_subscriptions"]["list"] == []          # 16 unused slots
    assert facts["directory"]["ldap"]["enabled"] is False and facts["radius"]["servers"] == []
    cert = facts["certificate"]
    assert cert["factory_default"] and cert["self_signed"] and cert["issuer"]["common_name"] == "IPMI"


def test_x13_request_count_is_the_plan(x13_tree):
    client = FakeClient(x13_tree)
    facts = gather.gather(client)
    members = {"accounts": 2, "ip_filter_rules": 0, "subscriptions": 16, "firmware": 8}
    assert facts["gather"]["members"] == members
    assert facts["gather"]["requests"] == facts["gather"]["planned_requests"] == client.requests - 1
    assert gather.minimum_requests("X13", members) == client.requests + 1     # + logout
    assert "/redfish/v1/Managers/1" not in client.log                         # seconds on real BMCs
    planned = {"/redfish/v1"} | set(gather.PLAN["X13"]["resources"])
    assert set(client.log) - planned <= {p for p in client.log if p.rsplit("/", 1)[0] in gather.PLAN["X13"]["collections"].values()}
    assert len(client.log) == len(set(client.log))                             # nothing fetched twice


def test_only_bmc_and_bios_images_are_fetched(x13_tree):
    inventory = x13_tree["/redfish/v1/UpdateService/FirmwareInventory"]
    assert len(inventory["Members"]) > 100
    client = FakeClient(x13_tree)
    gather.gather(client)
    assert len([p for p in client.log if "/FirmwareInventory/" in p]) == 8


def test_licence_gated_resource_is_not_licensed(x13_tree, catalog, baseline):
    x13_tree["/redfish/v1/Managers/1/HostInterfaces/1"] = NOT_LICENSED
    facts = gather.gather(FakeClient(x13_tree))
    assert facts["host_interface"] == {"supported": False, "reason": "not licensed"}
    result = {r["id"]: r for r in compliance.evaluate(facts, catalog, baseline)["results"]}["host-hi-off"]
    assert (result["status"], result["reason"]) == ("notchecked", "not licensed")


def test_failed_resource_is_an_error_section_not_a_failed_gather(x13_tree, catalog, baseline):
    x13_tree["/redfish/v1/Managers/1/Oem/Supermicro/Syslog"] = RedfishError("bmc", "GET", "/syslog", 500, ["boom"])
    x13_tree["/redfish/v1/AccountService/Accounts/4"] = RedfishError("bmc", "GET", "/a/4", None, reason="no answer within 30s")
    facts = gather.gather(FakeClient(x13_tree))
    assert "HTTP 500" in facts["syslog"]["error"] and "boom" in facts["syslog"]["error"]
    assert "no answer" in facts["accounts"]["error"]
    results = {r["id"]: r for r in compliance.evaluate(facts, catalog, baseline)["results"]}
    assert results["log-syslog"]["status"] == "error" and "HTTP 500" in results["log-syslog"]["reason"]
    assert results["acct-allowlist"]["status"] == "error"
    assert results["sess-timeout"]["status"] == "pass"


def test_missing_chassis_falls_back_to_the_root(x13_tree):
    del x13_tree["/redfish/v1/Chassis/1"]
    facts = gather.gather(FakeClient(x13_tree))
    assert facts["identity"]["generation"] == "X13" and facts["identity"]["board"] is None


def test_x11_layout(x13_tree, catalog, baseline):
    client = FakeClient(x11_tree(x13_tree))
    facts = gather.gather(client)
    assert facts["identity"]["generation"] == "X11" and facts["gather"]["layout"] == "X11"
    for section in ("kcs", "lockdown", "host_interface", "licenses"):
        assert facts[section] == {"supported": False, "reason": "not supported on X11"}, section
    assert facts["directory"] == {"supported": False, "reason": "not supported on X11"}
    assert facts["ip_access_control"]["supported"] is True
    assert facts["smtp"]["servers"] == ["smtp.example.net"] and facts["snmp"]["community_strings"] == 2
    assert facts["firmware"]["bios_version"] == "3.8"
    assert [c["image"] for c in facts["firmware"]["components"]] == ["01.74.09", "3.8"]
    assert not any("Oem/Supermicro" in p or "HostInterfaces" in p for p in client.log)
    members = facts["gather"]["members"]
    assert client.requests + 1 == gather.minimum_requests("X11", members) and len(gather.PLAN["X11"]["resources"]) == 19
    results = {r["id"]: r for r in compliance.evaluate(facts, catalog, baseline)["results"]}
    for control in ("host-hi-off", "host-kcs-callback", "host-syslockdown"):
        assert (results[control]["status"], results[control]["reason"]) == ("notapplicable", "not supported on X11")
    egress = results["net-egress"]
    assert egress["status"] == "fail" and "directory" not in egress["actual"] and "smtp" in egress["actual"]


@pytest.mark.parametrize("value, host", [
    ("ldap://10.0.0.5:389", "10.0.0.5"), ("https://[fd00::5]:443/events", "fd00::5"), ("syslog.Example.com:514", "syslog.example.com"),
    ("10.1.2.3", "10.1.2.3"), ("fd00::1", "fd00::1"), ("0.0.0.0", None), ("(null)", None), ("localhost", None),
    ("127.0.0.1", None), ("::1", None), ("", None), (None, None),
])
def test_destination(value, host):
    assert gather.destination(value) == host


def test_a_supermicro_of_unknown_family_is_unsupported_without_guesses(x13_tree):
    # Old: a root without Oem.Supermicro was "X11", and every OEM resource "not supported on X11".
    tree = {"/redfish/v1": {"RedfishVersion": "1.9.0", "Vendor": "Supermicro"},
            "/redfish/v1/Systems/1": x13_tree["/redfish/v1/Systems/1"]}
    facts = gather.gather(FakeClient(tree))
    assert facts["identity"]["unsupported"].startswith("unknown board and firmware family")
    assert "error" in facts["kcs"] and "error" in facts["session"]
    assert not [name for name, section in facts.items() if isinstance(section, dict) and section.get("supported") is False]


def test_a_spent_host_budget_on_the_root_gives_facts_not_an_exception(catalog):
    from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import HostTimeout
    facts = gather.gather(FakeClient({"/redfish/v1": HostTimeout("bmc", "GET", "/redfish/v1", 30)}))
    assert facts["session"] == {"error": "timed out after 30 s"} and facts["identity"]["nothing_read"] is True
    evaluation = compliance.evaluate(facts, catalog, {})
    assert evaluation["summary"]["status"] == "error"


def test_section_resources_name_every_resource_each_section_builder_reads():
    # gather(sections=...) fetches only SECTION_RESOURCES (and DETECTION_KEYS): a builder reading
    # another resource would find it unread and report an error on a partial read.
    import inspect
    import re as _re

    from ansible_collections.bmclock.supermicro.plugins.module_utils import gather as g

    assert set(g.SECTION_RESOURCES) == set(g.SECTIONS)
    for name, build in g.SECTIONS.items():
        read = set(_re.findall(r'\bres(?:\.lenient)?\("(\w+)"', inspect.getsource(build)))
        assert read <= set(g.SECTION_RESOURCES[name]) | set(g.DETECTION_KEYS), name
