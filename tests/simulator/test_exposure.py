"""The exposure probe (plugins/module_utils/probe.py) against bmcsim's service listeners
(simulator/bmcsim/exposure.py): each service deviation is seen answering and gone after a PATCH,
the IP access control filters the listeners, the stuck-service knob keeps one answering."""

from __future__ import annotations

import urllib.error

import pytest
import yaml

from ansible_collections.bmclock.supermicro.plugins.module_utils import probe

from bmcsim.testing import SimFleet
from simclient import Redfish

NP = "/redfish/v1/Managers/1/NetworkProtocol"
# deviation -> (services it turns on, what the probe must see)
DEVIATIONS = {
    "ipmi_on": ({"IPMI": "ipmi"}, {"ipmi": "rmcp-pong+ipmi-auth-caps"}),
    "ssh_on": ({"SSH": "ssh"}, {"ssh": "ssh"}),
    "http_on": ({"HTTP": "http"}, {"http": "http"}),
    "snmp_v2c": ({"SNMP": "snmp"}, {"snmp": "snmp-v2c-response"}),
    "ssdp_on": ({"SSDP": "ssdp"}, {"ssdp": "ssdp"}),
    "kvm_on": ({"KVMIP": "kvm"}, {"kvm": "rfb"}),
    "vmedia_on": ({"VirtualMedia": "virtual_media", "IPMI": "ipmi"}, {"virtual_media": "accepted, silent", "ipmi": None}),
}
OUTSIDE = "127.0.99.1"      # a source address the test's ACL does not accept
TIMEOUT = 0.4


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=3, profile="mixed", base_address="127.0.61.1", extra_args=["--service-port-base", "23000"]) as sim:
        hosts = yaml.safe_load(open(sim.inventory_path))["all"]["children"]["bmcs"]["children"]
        sim.ports = {h: v["bmc_service_ports"] for g in hosts.values() for h, v in g["hosts"].items()}
        yield sim


def seen(fleet, bmc, source=None):
    """{service: (state, answer)} as the probe sees this BMC."""
    target = {"address": bmc["address"], "checks": probe.ports_for(fleet.ports[bmc["name"]])}
    [result] = probe.probe([target], timeout=TIMEOUT, source=source)
    return {p["name"]: (p["state"], p["answer"]) for p in result["ports"]}


def test_hardened_bmc_answers_only_https(fleet):
    for bmc in fleet.bmcs:
        fleet.admin.reset(bmc["name"])
        states = seen(fleet, bmc)
        assert {n: s for n, (s, _) in states.items()} == {
            "ssh": "closed", "http": "closed", "https": "open", "kvm": "closed", "virtual_media": "closed",
            "ipmi": "closed", "snmp": "closed", "ssdp": "closed"}, bmc
        assert states["https"][1] == "https"


@pytest.mark.parametrize("deviation", sorted(DEVIATIONS))
def test_deviation_seen_open_then_closed_after_patch(fleet, deviation):
    services, expected = DEVIATIONS[deviation]
    for bmc in fleet.bmcs:
        fleet.admin.reset(bmc["name"])
        fleet.admin.apply_deviations(bmc["name"], deviation)
        states = seen(fleet, bmc)
        for name, answer in expected.items():
            assert states[name][0] == "open", (bmc["generation"], name, states[name])
            if answer:
                assert states[name][1] == answer, (bmc["generation"], name, states[name])
        others = set(probe.CHECKS) - set(expected) - {"https"}
        assert all(states[n][0] == "closed" for n in others), states
        fleet.admin.patch_resource(bmc["name"], NP, {s: {"ProtocolEnabled": False} for s in services})
        states = seen(fleet, bmc)
        assert all(states[n][0] == "closed" for n in set(probe.CHECKS) - {"https"}), (bmc["generation"], states)


def test_snmp_answers_only_v2c_with_a_configured_community(fleet):
    bmc = next(b for b in fleet.bmcs if b["generation"] == "x13")
    fleet.admin.reset(bmc["name"])
    fleet.admin.apply_deviations(bmc["name"], "snmp_v2c")
    fleet.admin.patch_resource(bmc["name"], NP, {"SNMP": {"CommunityStrings": [{"CommunityString": "s3cret", "AccessMode": "Full",
                                                                                "Name": "s3cret"}]}})
    assert seen(fleet, bmc)["snmp"] == ("filtered", "no answer")     # runs, but 'public' gets nothing back


def test_acl_that_excludes_the_source_filters_everything(fleet):
    bmc = fleet.bmcs[0]
    fleet.admin.reset(bmc["name"])
    fleet.admin.apply_deviations(bmc["name"], *DEVIATIONS)
    rules = "/redfish/v1/Managers/1/Oem/Supermicro/IPAccessControl/FilterRules" if bmc["generation"] != "x11" \
        else "/redfish/v1/Managers/1/IPAccessControl/FilterRules"
    fleet.admin.patch_resource(bmc["name"], rules + "/1", {"Address": "127.0.61.0", "PrefixLength": 24})
    fleet.admin.delete_resource(bmc["name"], rules + "/2")
    outside = seen(fleet, bmc, source=OUTSIDE)
    assert {s for s, _ in outside.values()} == {"filtered"}, outside
    inside = seen(fleet, bmc, source="127.0.61.200")
    assert all(s == "open" for s, _ in inside.values()), inside
    fleet.admin.reset(bmc["name"])


def test_stuck_service_keeps_answering_while_networkprotocol_says_off(fleet):
    bmc = fleet.bmcs[1]
    fleet.admin.reset(bmc["name"])
    assert fleet.admin.get_resource(bmc["name"], NP)["IPMI"]["ProtocolEnabled"] is False
    fleet.admin.set_knobs(bmc["name"], stuck_services=["IPMI"])
    assert seen(fleet, bmc)["ipmi"] == ("open", "rmcp-pong+ipmi-auth-caps")
    fleet.admin.set_knobs(bmc["name"], stuck_services=[])
    assert seen(fleet, bmc)["ipmi"][0] == "closed"


def test_redfish_patch_turns_a_listener_on(fleet):
    """Through the BMC's own Redfish API (not the admin API): SSH on answers at once."""
    bmc = next(b for b in fleet.bmcs if b["generation"] == "x11")      # no system lockdown on X11
    fleet.admin.reset(bmc["name"])
    status, _, _ = Redfish(fleet, bmc["name"]).patch(NP, {"SSH": {"ProtocolEnabled": True}})
    assert status == 200
    assert seen(fleet, bmc)["ssh"] == ("open", "ssh")


def test_port_list_validation():
    with pytest.raises(ValueError, match="unknown services"):
        probe.ports_for({"telnet": 23})
    with pytest.raises(ValueError, match=r"bmc_probe_extra_ports\[0\]"):
        probe.ports_for(None, [{"name": "telnet", "port": "23"}])
    extra = probe.ports_for(None, [{"name": "telnet", "port": 23}])[-1]
    assert extra == {"name": "telnet", "transport": "tcp", "port": 23, "exchange": "banner", "standard_port": 23, "extra": True}


def test_acl_change_through_redfish_refilters_the_listeners(fleet):
    """The BMC's own API changes the rules (X11: no system lockdown): the listeners follow at once."""
    bmc = next(b for b in fleet.bmcs if b["generation"] == "x11")
    fleet.admin.reset(bmc["name"])
    fleet.admin.apply_deviations(bmc["name"], "ssh_on")
    rules = "/redfish/v1/Managers/1/IPAccessControl/FilterRules"
    redfish = Redfish(fleet, bmc["name"])
    assert seen(fleet, bmc, source="127.1.0.1")["ssh"] == ("open", "ssh")          # 127.0.0.0/8 accepts it
    for rule in ("2", "1"):
        assert redfish.delete(f"{rules}/{rule}")[0] == 200
    status, _, _ = redfish.post(rules, {"Address": "127.0.0.0", "PrefixLength": 16, "Policy": "Accept"})
    assert status == 201
    assert seen(fleet, bmc, source="127.1.0.1")["ssh"] == ("filtered", "no answer to SYN")
    assert seen(fleet, bmc)["ssh"] == ("open", "ssh")                                # 127.0.0.1 still accepted


def test_stuck_services_knob_names_are_checked(fleet):
    with pytest.raises(urllib.error.HTTPError) as refused:
        fleet.admin.set_knobs(fleet.bmcs[0]["name"], stuck_services=["Telnet"])
    assert refused.value.code == 400 and "Telnet" in refused.value.read().decode()
