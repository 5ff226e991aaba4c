"""playbooks/exposure.yml through ansible-runner against bmcsim: the probe from the controller and
from a vantage host (delegate_to, its own source address outside the simulated ACL), recorded by
the exposure controls in the result file, the fact cache and the groups; a non-inventory address
is refused."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from playbook_support import BIN, ROOT, make_inventory

from bmcsim.testing import SimFleet

EXPOSURE = ("exposure-outside", "exposure-services", "exposure-agreement")
ACL = "/redfish/v1/Managers/1/Oem/Supermicro/IPAccessControl/FilterRules"


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=2, profile="x13", base_address="127.0.62.1", extra_args=["--service-port-base", "24000"]) as sim:
        yield sim


def vantage_inventory(tmp_path, fleet, **host_vars):
    inventory = make_inventory(tmp_path, fleet.inventory_path, tmp_path / "reports", extra_vars=host_vars)
    (inventory / "vantage.yml").write_text(yaml.safe_dump({"all": {"children": {"bmc_vantage": {"hosts": {"vantage-dmz": {
        "ansible_host": "127.0.0.1",                 # the vantage's own address: never what it probes
        "ansible_connection": "local", "ansible_python_interpreter": "{{ ansible_playbook_python }}",
        "bmc_probe_zone": "outside", "bmc_probe_source": "127.1.0.1"}}}}}}))
    return inventory


def results(path, host):
    record = json.loads((path / ("%s.json" % host)).read_text())
    return record, {r["id"]: r for r in record["results"]}


def test_exposure_playbook_records_the_controls(fleet, run_playbook, tmp_path):
    exposed, hardened = (b["name"] for b in fleet.bmcs)
    for bmc in fleet.bmcs:
        fleet.admin.reset(bmc["name"])
    fleet.admin.apply_deviations(exposed, "ssh_on")
    fleet.admin.set_knobs(exposed, stuck_services=["IPMI"])           # answers although NetworkProtocol says off
    fleet.admin.patch_resource(exposed, ACL + "/1", {"Address": "127.0.0.0", "PrefixLength": 16})   # the controller stays in
    fleet.admin.delete_resource(exposed, ACL + "/2")                   # the vantage (127.1.0.1) is outside the ACL
    fleet.admin.apply_deviations(hardened, "acl_allows_any")           # ... but this BMC lets anyone in
    inventory = vantage_inventory(tmp_path, fleet)
    run = run_playbook("playbooks/exposure.yml", inventory,
                       extravars={"bmc_audit_results_dir": str(tmp_path / "reports"), "bmc_probe_timeout": 0.4})
    assert run.status == "successful", run.stdout[-4000:]

    record, by_id = results(tmp_path / "reports", exposed)
    assert {"exposure-outside", "exposure-services", "exposure-agreement"} <= set(by_id)
    assert by_id["exposure-outside"]["status"] == "pass"               # everything filtered from outside
    assert by_id["exposure-services"]["status"] == "fail"
    assert by_id["exposure-services"]["reason"] == "['ssh', 'https', 'ipmi'] not within ['https']"
    assert by_id["exposure-agreement"]["status"] == "fail"
    assert by_id["exposure-agreement"]["reason"] == "ipmi answer(s) on the network, yet the BMC reports them off"
    probes = {p["vantage"]: p for p in record["facts"]["exposure"]["probes"]}
    outside = {p["name"]: p["state"] for p in probes["vantage-dmz"]["ports"]}
    assert outside["ssh"] == outside["ipmi"] == outside["https"] == "filtered" and "open" not in outside.values()
    assert probes["vantage-dmz"]["source"] == "127.1.0.1" and probes["localhost"]["zone"] == "inside"

    _, by_id = results(tmp_path / "reports", hardened)
    assert by_id["exposure-outside"]["status"] == "fail"               # HTTPS answers the outside vantage
    assert "https 443/tcp" in by_id["exposure-outside"]["reason"]
    assert by_id["exposure-services"]["status"] == "pass" and by_id["exposure-agreement"]["status"] == "pass"

    fact = run.cached_facts(exposed)["bmc_compliance"]
    assert "exposure-services" in fact["summary"]["failed"]
    assert "exposure-agreement" in fact["summary"]["failed"]
    assert fleet.credentials[1] not in run.all_text()

    graph = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(inventory), "--list"], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    groups = json.loads(graph.stdout, object_hook=lambda o: o.get("__ansible_unsafe", o))
    assert groups["bmc_fail_exposure_agreement"]["hosts"] == [exposed]
    assert groups["bmc_fail_exposure_outside"]["hosts"] == [hardened]
    report = json.loads((tmp_path / "reports" / "fleet" / "report.json").read_text())
    assert "exposure-agreement" in json.dumps(report)


def test_audit_without_probe_data_is_notchecked(fleet, run_playbook, tmp_path):
    inventory = make_inventory(tmp_path, fleet.inventory_path, tmp_path / "reports")
    run = run_playbook("playbooks/audit.yml", inventory,
                       extravars={"bmc_audit_results_dir": str(tmp_path / "reports"), "bmc_audit_select": ["exposure"]})
    assert run.status == "successful", run.stdout[-3000:]
    _, by_id = results(tmp_path / "reports", fleet.bmcs[0]["name"])
    assert {by_id[c]["status"] for c in EXPOSURE} == {"notchecked"}


def test_probe_of_a_non_inventory_address_is_refused(fleet, run_playbook, tmp_path):
    inventory = vantage_inventory(tmp_path, fleet)
    play = tmp_path / "probe_other.yml"
    play.write_text(yaml.safe_dump([{"name": "Probe an address that is no BMC of the inventory", "hosts": fleet.bmcs[0]["name"],
                                     "gather_facts": False, "tasks": [{"name": "Probe", "bmclock.supermicro.bmc_probe": {
                                         "address": "127.0.62.77"}}]}]))
    run = run_playbook(str(play), inventory)
    assert run.status == "failed"
    assert "refused: 127.0.62.77 is not the address of a BMC in the inventory group bmcs" in run.stdout
    assert not any(e.get("event_data", {}).get("res", {}).get("probe") for e in run.events)


def test_probe_without_delegation_never_runs_on_the_bmc(fleet, run_playbook, tmp_path):
    host = fleet.bmcs[0]["name"]
    inventory = make_inventory(tmp_path, fleet.inventory_path, tmp_path / "reports",
                               extra_vars={host: {"ansible_connection": "ssh"}})      # as a real BMC inventory
    play = tmp_path / "probe_on_bmc.yml"
    play.write_text(yaml.safe_dump([{"name": "Probe without delegate_to", "hosts": host, "gather_facts": False,
                                     "tasks": [{"name": "Probe", "bmclock.supermicro.bmc_probe": None}]}]))
    run = run_playbook(str(play), inventory)
    assert run.status == "failed"
    assert "run bmc_probe with delegate_to" in run.stdout


def test_a_vantage_that_cannot_probe_is_an_error_never_a_pass(fleet, run_playbook, tmp_path):
    inventory = vantage_inventory(tmp_path, fleet)
    (inventory / "vantage.yml").write_text((inventory / "vantage.yml").read_text().replace("127.1.0.1", "192.0.2.1"))
    run = run_playbook("playbooks/exposure.yml", inventory, extravars={"bmc_audit_results_dir": str(tmp_path / "reports"),
                                                                      "bmc_probe_timeout": 0.4, "bmc_probe_from_controller": False})
    assert run.status == "successful", run.stdout[-3000:]
    _, by_id = results(tmp_path / "reports", fleet.bmcs[0]["name"])
    assert by_id["exposure-outside"]["status"] == by_id["exposure-agreement"]["status"] == "error"
    assert "source address 192.0.2.1 cannot be used" in by_id["exposure-outside"]["reason"]
    assert by_id["exposure-services"]["status"] == "notchecked"          # no inside vantage in this run


def test_check_mode_probes_and_changes_nothing(fleet, run_playbook, tmp_path):
    name = fleet.bmcs[0]["name"]
    fleet.admin.reset(name)
    fleet.admin.apply_deviations(name, "ipmi_on")
    before = fleet.admin.get_resource(name, "/redfish/v1/Managers/1/NetworkProtocol")
    fleet.admin.reset_requests(name)
    run = run_playbook("playbooks/exposure.yml", vantage_inventory(tmp_path, fleet), cmdline="--check",   # no result files
                       extravars={"bmc_audit_results_dir": "", "bmc_probe_timeout": 0.4})
    assert run.status == "successful", run.stdout[-3000:]
    assert run.changed() == 0
    assert "exposure-services" in run.cached_facts(name)["bmc_compliance"]["summary"]["failed"]
    assert {m for m, _, _ in fleet.admin.requests(name)["log"]} <= {"GET", "POST", "DELETE"}     # reads + session
    assert fleet.admin.get_resource(name, "/redfish/v1/Managers/1/NetworkProtocol") == before


def test_https_is_probed_on_bmc_port_when_the_port_map_lacks_it(fleet, run_playbook, tmp_path):
    bmc = fleet.bmcs[1]
    fleet.admin.reset(bmc["name"])
    ports = {"ssh": 24022, "http": 24080, "kvm": 29900, "virtual_media": 24623, "ipmi": 24623, "snmp": 24161, "ssdp": 25900}
    inventory = make_inventory(tmp_path, fleet.inventory_path, tmp_path / "reports",
                               extra_vars={bmc["name"]: {"bmc_service_ports": ports}})
    run = run_playbook("playbooks/exposure.yml", inventory, cmdline="--limit %s" % bmc["name"],
                       extravars={"bmc_audit_results_dir": str(tmp_path / "reports"), "bmc_probe_timeout": 0.4})
    assert run.status == "successful", run.stdout[-3000:]
    record, _ = results(tmp_path / "reports", bmc["name"])
    [https] = [p for p in record["facts"]["exposure"]["probes"][0]["ports"] if p["name"] == "https"]
    assert (https["port"], https["state"], https["answer"]) == (fleet.port, "open", "https")


def test_a_later_audit_keeps_what_the_probe_found(fleet, run_playbook, tmp_path):
    # Before: the nightly audit (no probe data) re-recorded the exposure controls as notchecked,
    # erasing the probe's failure, and the host could read compliant again.
    exposed = fleet.bmcs[0]["name"]
    fleet.admin.reset(exposed)
    fleet.admin.apply_deviations(exposed, "ssh_on")
    inventory = vantage_inventory(tmp_path, fleet)
    reports = tmp_path / "reports"
    extravars = {"bmc_audit_results_dir": str(reports), "bmc_probe_timeout": 0.4}
    assert run_playbook("playbooks/exposure.yml", inventory, extravars=extravars).status == "successful"
    _, by_id = results(reports, exposed)
    assert by_id["exposure-services"]["status"] == "fail"
    probed_at = by_id["exposure-services"]["audited_at"]

    fleet.admin.reset(exposed)                       # SSH off again: the Redfish audit sees a hardened BMC
    run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(reports)})
    record, by_id = results(reports, exposed)
    assert by_id["exposure-services"]["status"] == "fail" and by_id["exposure-services"]["audited_at"] == probed_at
    assert "exposure-services" not in record["audited_controls"]
    assert by_id["svc-ssh-off"]["status"] == "pass"
    assert record["status"] == "noncompliant" and run.cached_facts(exposed)["bmc_compliance"]["status"] == "noncompliant"
