"""gather() and the catalog against the real simulator: X11/X12/X13, licences, slow resources,
and the request count of one audit equal to the plan (what the benchmark calls the minimum)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance, gather
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishClient
from bmcsim.testing import SimFleet
from playbook_support import fresh


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=3, profile="mixed", base_address="127.0.41.1", seed=5) as running:
        yield running


@pytest.fixture(scope="module")
def catalog():
    return compliance.load_catalog(ROOT / "roles" / "bmc_audit" / "vars" / "controls.yml")


@pytest.fixture(scope="module")
def baseline(fleet):
    values = yaml.safe_load((ROOT / "inventory" / "group_vars" / "all" / "baseline.yml").read_text())
    values["bmc_allowed_accounts"][0]["username"] = fleet.username
    return compliance.baseline_from_vars(values)


def audit(fleet, bmc, **options):
    rf = RedfishClient(bmc["address"], port=bmc["port"], username=fleet.username, password=fleet.password,
                       ca_path=fleet.ca_path, **options)
    with rf:
        facts = gather.gather(rf)
    return facts, rf


@pytest.mark.parametrize("generation, layout, not_applicable, partial", [
    ("x13", "X13", set(), set()),
    ("x12", "X12", set(), set()),
    # X11 has no directory settings in Redfish: net-egress checks 7 of its 8 destinations.
    ("x11", "X11", {"host-hi-off", "host-kcs-callback", "host-syslockdown", "acct-directory-tls"}, {"net-egress"}),
])
def test_hardened_bmc_is_compliant(fleet, catalog, baseline, generation, layout, not_applicable, partial):
    bmc = fresh(fleet, generation)
    facts, rf = audit(fleet, bmc)
    assert facts["identity"]["generation"] == layout and facts["identity"]["board"] == bmc["board"]
    assert facts["identity"]["model"] == bmc["model"]
    assert not [name for name, section in facts.items() if isinstance(section, dict) and section.get("error")]
    evaluation = compliance.evaluate(facts, catalog, baseline)
    statuses = {r["id"]: r["status"] for r in evaluation["results"]}
    assert {i for i, s in statuses.items() if s != "pass"} == not_applicable | partial
    assert {statuses[i] for i in not_applicable} <= {"notapplicable"}
    assert {statuses[i] for i in partial} <= {"notchecked"}
    assert evaluation["summary"]["status"] == "compliant"


@pytest.mark.parametrize("generation", ["x11", "x12", "x13"])
def test_requests_per_audit_equal_the_plan(fleet, generation):
    bmc = fresh(fleet, generation)
    facts, rf = audit(fleet, bmc)
    served = fleet.admin.requests(bmc["name"])
    members = facts["gather"]["members"]
    assert rf.requests == served["count"] == gather.minimum_requests(facts["identity"]["generation"], members)
    paths = [p for method, p, _ in served["log"] if method == "GET"]
    assert "/redfish/v1/Managers/1" not in paths and len(paths) == len(set(paths))
    plan = gather.PLAN[facts["gather"]["layout"]]
    collections = set(plan["collections"].values())
    assert set(paths) - {"/redfish/v1"} - set(plan["resources"]) == {p for p in paths if p.rsplit("/", 1)[0] in collections}


def test_basic_auth_audit_costs_one_request_less(fleet):
    bmc = fresh(fleet, "x13")
    facts, rf = audit(fleet, bmc, auth="basic")
    assert rf.requests == gather.minimum_requests("X13", facts["gather"]["members"], auth="basic")
    assert fleet.admin.sessions(bmc["name"]) == []


def test_unlicensed_host_interface_is_notchecked(fleet, catalog, baseline):
    bmc = fresh(fleet, "x13")
    fleet.admin.set_knobs(bmc["name"], licenses=[])
    facts, _ = audit(fleet, bmc)
    assert facts["host_interface"] == {"supported": False, "reason": "not licensed"}
    assert facts["licenses"]["installed"] == []
    result = {r["id"]: r for r in compliance.evaluate(facts, catalog, baseline)["results"]}["host-hi-off"]
    assert (result["status"], result["reason"]) == ("notchecked", "not licensed")


def test_slow_resource_is_an_error_not_a_failed_audit(fleet, catalog, baseline):
    bmc = fresh(fleet, "x13")
    fleet.admin.set_knobs(bmc["name"], latency_paths={"/redfish/v1/Managers/1/Oem/Supermicro/Syslog": 3000})
    facts, _ = audit(fleet, bmc, timeout=1)
    assert "no answer within 1s" in facts["syslog"]["error"]
    evaluation = compliance.evaluate(facts, catalog, baseline)
    results = {r["id"]: r for r in evaluation["results"]}
    assert results["log-syslog"]["status"] == "error" and results["net-egress"]["status"] == "error"
    assert results["time-ntp"]["status"] == "pass" and evaluation["summary"]["status"] == "error"


@pytest.mark.parametrize("generation, deviation, control", [
    ("x13", ("/redfish/v1/Managers/1/NetworkProtocol", {"IPMI": {"ProtocolEnabled": True}}), "svc-ipmi-lan-off"),
    ("x13", ("/redfish/v1/Managers/1/Oem/Supermicro/KCSInterface", {"Privilege": "Administrator"}), "host-kcs-callback"),
    ("x12", ("/redfish/v1/AccountService/Accounts/2", {"Enabled": True}), "acct-default-creds"),
    ("x11", ("/redfish/v1/Managers/1/IPAccessControl", {"ServiceEnabled": False}), "net-ip-acl"),
    ("x11", ("/redfish/v1/Managers/1/Syslog", {"SyslogServer": "192.0.2.99"}), "log-syslog"),
])
def test_deviation_fails_its_control(fleet, catalog, baseline, generation, deviation, control):
    bmc = fresh(fleet, generation)
    fleet.admin.patch_resource(bmc["name"], *deviation)
    facts, _ = audit(fleet, bmc)
    evaluation = compliance.evaluate(facts, catalog, baseline)
    assert control in evaluation["summary"]["failed"] and evaluation["summary"]["status"] == "noncompliant"


def test_ldaps_directory_counts_as_tls(fleet, catalog, baseline):
    bmc = fresh(fleet, "x13")
    fleet.admin.patch_resource(bmc["name"], "/redfish/v1/AccountService",
                               {"LDAP": {"ServiceEnabled": True, "ServiceAddresses": ["ldaps://10.10.0.40:636"]}})
    facts, _ = audit(fleet, bmc)
    assert facts["directory"]["ldap"]["enabled"] is True and facts["directory"]["ldap"]["tls"] is True
    result = {r["id"]: r for r in compliance.evaluate(facts, catalog, baseline)["results"]}["acct-directory-tls"]
    assert result["status"] == "pass"
