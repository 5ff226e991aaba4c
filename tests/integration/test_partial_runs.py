"""Partial audits (--tags, the `controls` option) against bmcsim through ansible-runner: a partial
run merges into the stored result, it never erases what it did not look at."""

from __future__ import annotations

import json

import pytest

from playbook_support import make_inventory


from bmcsim.testing import SimFleet


def stored(results_dir, host):
    return json.loads((results_dir / ("%s.json" % host)).read_text())


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=2, profile="x13", base_address="127.0.57.1") as sim:
        yield sim


def test_controls_option_restricts_the_audit_and_exposure_reaches_the_facts(fleet, run_playbook, tmp_path):
    first, second = (b["name"] for b in fleet.bmcs)
    exposure = {"probed_from": "outside", "open_ports": [443]}
    inventory = make_inventory(tmp_path, fleet.inventory_path, tmp_path / "reports",
                               extra_vars={first: {"bmc_exposure": exposure}})
    run = run_playbook("playbooks/audit.yml", inventory,
                       extravars={"bmc_audit_results_dir": str(tmp_path / "reports"),
                                  "bmc_audit_select": ["net", "svc-ssh-off"]})
    assert run.status == "successful", run.stdout[-3000:]
    record = stored(tmp_path / "reports", first)
    assert {r["id"] for r in record["results"]} == {"net-ip-acl", "net-addressing", "net-egress", "svc-ssh-off"}
    assert record["facts"]["exposure"] == exposure
    assert "exposure" not in stored(tmp_path / "reports", second)["facts"]


def test_an_unknown_control_name_fails_and_lists_the_valid_ones(fleet, run_playbook, tmp_path):
    inventory = make_inventory(tmp_path, fleet.inventory_path, tmp_path / "reports")
    run = run_playbook("playbooks/audit.yml", inventory,
                       extravars={"bmc_audit_results_dir": str(tmp_path / "reports"), "bmc_audit_select": ["nett"]})
    assert run.status == "failed"
    assert "unknown control or family nett" in run.stdout and "svc-ssh-off" in run.stdout
