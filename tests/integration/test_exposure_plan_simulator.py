"""exposure_plan against the simulator: each exposure deviation on X11/X12/X13 is planned from
the bodies the BMC serves, the operations applied in plan order are accepted by the Supermicro
rules the simulator enforces, the audit then passes the controls, and a second plan is empty."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance, enforce, exposure_plan, gather, supermicro
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishClient
from bmcsim.testing import SimFleet

ROOT = Path(__file__).resolve().parents[2]
EXPOSURE = ("ipmi_on", "ssdp_on", "http_on", "ssh_on", "snmp_v2c", "vmedia_on", "kvm_on", "acl_off", "acl_allows_any",
            "ntp_unapproved", "ntp_off", "syslog_off", "syslog_unapproved", "hi_on", "kcs_admin", "lockdown_off", "rogue_subscription",
            "ldap_cleartext", "ad_dns_lookup")
CONTROLS = ("svc-ipmi-lan-off", "svc-ssdp-off", "svc-snmp", "svc-http-off", "svc-ssh-off", "svc-vmedia-kvm", "net-ip-acl",
            "net-egress", "host-hi-off", "host-kcs-callback", "host-syslockdown", "time-ntp", "log-syslog", "log-events")
LOCK = "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown"


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=3, profile="mixed", base_address="127.0.42.1") as running:
        yield running


@pytest.fixture(scope="module")
def baseline_vars(fleet):
    values = yaml.safe_load((ROOT / "inventory" / "group_vars" / "all" / "baseline.yml").read_text())
    values["bmc_allowed_accounts"][0]["username"] = fleet.username
    return values


def desired(values, controller="127.0.0.1"):
    return {"allowed_services": values["bmc_allowed_services"], "management_networks": values["bmc_management_networks"],
            "controller_address": controller, "approved_ntp_servers": values["bmc_approved_ntp_servers"],
            "approved_syslog_servers": values["bmc_approved_syslog_servers"], "approved_smtp_servers": values["bmc_approved_smtp_servers"],
            "approved_event_destinations": values["bmc_approved_event_destinations"],
            "approved_snmp_destinations": values["bmc_approved_snmp_destinations"],
            "approved_dns_servers": values["bmc_approved_dns_servers"], "kcs_privilege": values["bmc_kcs_privilege"],
            "approved_directory_servers": values["bmc_approved_directory_servers"],
            "system_lockdown": values["bmc_system_lockdown"]}


def client(fleet, bmc):
    return RedfishClient(bmc["address"], port=bmc["port"], username=fleet.username, password=fleet.password, ca_path=fleet.ca_path)


def read(rf, layout):
    """The raw bodies the plan needs (test-side reader; the action uses the framework's)."""
    paths = supermicro.resource_paths(layout)
    keys = [k for section in exposure_plan.SECTIONS for k in gather.SECTION_RESOURCES[section] if paths.get(k)]
    answers = rf.get_many(paths[k] for k in keys)
    raw = {k: answers[paths[k]] for k in keys}
    for key in ("ip_filter_rules", "subscriptions"):
        members = [m["@odata.id"] for m in raw[key]["Members"]]
        bodies = rf.get_many(members)
        raw[key] = [bodies[m] for m in members]
    return {k: (None if isinstance(v, Exception) else v) for k, v in raw.items()}, paths


@pytest.mark.parametrize("index", [0, 1, 2], ids=["x13", "x12", "x11"])
def test_every_exposure_deviation_is_planned_applied_and_gone(fleet, baseline_vars, index):
    bmc = fleet.bmcs[index]
    name, layout = bmc["name"], bmc["generation"].upper()
    fleet.admin.reset(name)
    applicable = [d for d in EXPOSURE if not (layout == "X11" and d in ("hi_on", "kcs_admin", "lockdown_off", "ldap_cleartext", "ad_dns_lookup"))]
    if layout != "X11":
        fleet.admin.patch_resource(name, LOCK, {"SysLockdownEnabled": False})   # the framework's unlock stands in here
    fleet.admin.apply_deviations(name, *applicable)
    with client(fleet, bmc) as rf:
        raw, paths = read(rf, layout)
        ops, manual = exposure_plan.plan_exposure(raw, paths, layout, desired(baseline_vars))
        expected = set(CONTROLS) - ({"host-hi-off", "host-kcs-callback", "host-syslockdown"} if layout == "X11" else set())
        # egress: NTP, syslog and subscriptions under their own controls; the LDAP server (X12/X13) under net-egress
        assert {op.control for op in ops} == expected - ({"net-egress"} if layout == "X11" else set()) and manual == {}
        fleet.admin.reset_requests(name)
        outcome = enforce.apply(rf, enforce.Plan(name, ops))
        assert outcome["status"] == "changed", outcome
        writes = [r for r in fleet.admin.requests(name)["log"] if r[0] in ("PATCH", "POST", "DELETE")]
        assert [r[2] for r in writes if r[2] >= 300] == [], writes          # the BMC accepted every write
        assert len(writes) == len(ops)
        raw, paths = read(rf, layout)
        assert exposure_plan.plan_exposure(raw, paths, layout, desired(baseline_vars)) == ([], {})
        facts = gather.gather(rf)
    catalog = compliance.load_catalog(ROOT / "roles" / "bmc_audit" / "vars" / "controls.yml")
    result = compliance.evaluate(facts, catalog, compliance.baseline_from_vars(baseline_vars))
    status = {c["id"]: c["status"] for c in result["results"]}
    reason = {c["id"]: c["reason"] for c in result["results"]}
    # X11 has no directory servers to read: net-egress passes every check it can run, the audit
    # (fail closed) calls that partially checked, never pass.
    partial = {"net-egress"} if layout == "X11" else set()
    assert {c: status[c] for c in expected - partial} == {c: "pass" for c in expected - partial}
    for c in partial:
        assert status[c] == "notchecked" and reason[c].startswith("partially checked"), (c, reason[c])
    if layout == "X11":
        assert {status[c] for c in ("host-hi-off", "host-kcs-callback", "host-syslockdown")} == {"notapplicable"}


def test_acl_plan_refused_for_an_address_the_bmc_would_drop(fleet, baseline_vars):
    bmc = fleet.bmcs[0]
    fleet.admin.reset(bmc["name"])
    with client(fleet, bmc) as rf:
        raw, paths = read(rf, "X13")
        with pytest.raises(enforce.PlanRefused, match="192.0.2.10"):
            exposure_plan.plan_exposure(raw, paths, "X13", desired(baseline_vars, controller="192.0.2.10"))


@pytest.mark.parametrize("index", [0, 2], ids=["x13", "x11"])
def test_approved_subscription_created_in_a_slot_unapproved_removed(fleet, baseline_vars, index):
    bmc = fleet.bmcs[index]
    name, layout = bmc["name"], bmc["generation"].upper()
    fleet.admin.reset(name)
    if layout != "X11":
        fleet.admin.patch_resource(name, LOCK, {"SysLockdownEnabled": False})   # the framework's unlock stands in here
    fleet.admin.apply_deviations(name, "rogue_subscription")
    values = dict(baseline_vars, bmc_approved_event_destinations=["events.mgmt.example"])
    want = dict(desired(values), event_subscriptions=[{"destination": "https://events.mgmt.example/redfish", "protocol": "Redfish",
                                                       "event_types": ["Alert"]}])
    with client(fleet, bmc) as rf:
        raw, paths = read(rf, layout)
        ops = exposure_plan.plan_subscriptions(raw["subscriptions"], ["events.mgmt.example"], [], None, want["event_subscriptions"])
        assert [op.method for op in ops] == ["DELETE", "PATCH"]
        fleet.admin.reset_requests(name)
        outcome = enforce.apply(rf, enforce.Plan(name, ops))
        assert outcome["status"] == "changed", outcome
        writes = [r for r in fleet.admin.requests(name)["log"] if r[0] in ("PATCH", "POST", "DELETE")]
        assert [(r[0], r[2]) for r in writes] == [("DELETE", 200), ("PATCH", 200)], writes
        raw, paths = read(rf, layout)
        assert exposure_plan.plan_subscriptions(raw["subscriptions"], ["events.mgmt.example"], [], None, want["event_subscriptions"]) == []
        facts = gather.gather(rf)
    subs = facts["event_subscriptions"]
    assert subs["destinations"] == ["events.mgmt.example"] and subs["snmp_destinations"] == []
    assert [s["enabled"] for s in subs["list"]] == [True]
    catalog = compliance.load_catalog(ROOT / "roles" / "bmc_audit" / "vars" / "controls.yml")
    result = compliance.evaluate(facts, catalog, compliance.baseline_from_vars(values))
    assert {c["id"]: c["status"] for c in result["results"]}["log-events"] == "pass"
