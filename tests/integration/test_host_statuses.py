"""The five host statuses, each with its reason, through everything that records an audit: the
result file, the fact, the inventory groups, every fleet report format, the terminal summary and
the CI gate. One run over bmcsim BMCs and two foreign Redfish services written in the tests."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET

import pytest
import yaml

from foreign_redfish import ForeignRedfish
from playbook_support import BIN, ROOT, make_inventory, playbook_run

from bmcsim.testing import SimFleet

EXPECTED = {  # host: (status, words of its reason)
    "bmc-001": ("compliant", None),
    "bmc-002": ("noncompliant", None),
    "bmc-003": ("unreachable", "Connection refused"),
    "contoso-01": ("unsupported", "Manufacturer 'Contoso', not a Supermicro BMC"),
    "rootonly-01": ("error", ""),
}


@pytest.fixture(scope="module")
def statuses_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("statuses")
    results_dir = tmp / "reports"
    with SimFleet(count=3, profile="x13", base_address="127.0.60.1", unreachable=1) as fleet, \
            ForeignRedfish("generic", address="127.0.78.1") as contoso, \
            ForeignRedfish("root-only", address="127.0.78.2") as rootonly:
        fleet.admin.apply_deviations("bmc-002", "ssh_on")
        inventory = make_inventory(tmp, fleet.inventory_path, results_dir)
        foreign = {name: {"ansible_host": svc.address, "bmc_port": svc.port, "bmc_ca_path": svc.ca_path}
                   for name, svc in (("contoso-01", contoso), ("rootonly-01", rootonly))}
        (inventory / "foreign.yml").write_text(yaml.safe_dump({"all": {"children": {"bmcs": {"hosts": foreign}}}}))
        run = playbook_run(tmp / "runner", "playbooks/audit.yml", inventory,
                           extravars={"bmc_audit_results_dir": str(results_dir), "bmc_fail_on_noncompliant": True})
    return run, results_dir, inventory


def test_every_status_is_recorded_with_its_reason(statuses_run):
    run, results_dir, _ = statuses_run
    records = {host: json.loads((results_dir / ("%s.json" % host)).read_text()) for host in EXPECTED}
    assert {h: r["status"] for h, r in records.items()} == {h: s for h, (s, _) in EXPECTED.items()}
    for host, (status, reason) in EXPECTED.items():
        if reason is not None:
            assert reason in records[host]["summary"]["reason"], (host, records[host]["summary"])
        assert run.cached_facts(host)["bmc_compliance"]["status"] == status
    assert records["rootonly-01"]["summary"]["reason"]  # an error always says why


def test_groups_follow_the_statuses(statuses_run):
    _, _, inventory = statuses_run
    out = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(inventory), "--list"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    groups = json.loads(out.stdout, object_hook=lambda o: o.get("__ansible_unsafe", o))
    for host, (status, _) in EXPECTED.items():
        assert groups["bmc_" + status]["hosts"] == [host]
    assert sorted(groups["bmc_fail_svc_ssh_off"]["hosts"]) == ["bmc-002", "contoso-01"]  # the standard part ran
    assert groups["_meta"]["hostvars"]["contoso-01"]["bmc_compliance_reason"] == EXPECTED["contoso-01"][1]


def test_every_report_format_and_the_summary_follow_the_statuses(statuses_run):
    run, results_dir, _ = statuses_run
    fleet_dir = results_dir / "fleet"
    document = json.loads((fleet_dir / "report.json").read_text())
    assert {h["host"]: h["status"] for h in document["hosts"]} == {h: s for h, (s, _) in EXPECTED.items()}
    junit = ET.fromstring((fleet_dir / "junit.xml").read_bytes())
    for host, (status, _) in EXPECTED.items():
        audit_error = junit.find("testsuite[@name='%s']/testcase[@name='audit: BMC audit']/error" % host)
        assert (audit_error is not None) == (status in ("error", "unreachable", "unsupported")), host
    assert junit.find("testsuite[@name='contoso-01']/testcase[@name='audit: BMC audit']/error").get("message") == (
        "unsupported: Manufacturer 'Contoso', not a Supermicro BMC")
    page = (fleet_dir / "report.html").read_text()
    markdown = (fleet_dir / "summary.md").read_text()
    table = run.stdout.split("BMC COMPLIANCE", 1)[1]
    for host, (status, _) in EXPECTED.items():
        assert 'data-host="%s" data-status="%s"' % (host, status) in page
        if status != "compliant":
            assert "| %s | %s |" % (host, status) in markdown
        assert any(line.split()[:2] == [host, status] for line in table.splitlines() if line.strip()), host
    assert "Manufacturer 'Contoso', not a Supermicro BMC" in table


def test_the_gate_fails_on_anything_but_compliant(statuses_run):
    run, _, _ = statuses_run
    assert run.status == "failed"
    line = next(line for line in run.stdout.splitlines() if "not compliant:" in line)
    for host, (status, _) in EXPECTED.items():
        assert ("%s (%s)" % (host, status) in line) == (status != "compliant"), host
