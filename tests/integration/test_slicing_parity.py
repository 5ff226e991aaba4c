"""AWX job slicing parity: the audit run once over the whole simulated fleet and as three slices
(three ansible-runner runs on disjoint thirds, as AWX gives each slice its own job on possibly
another execution node) gives the same fleet report, built from the slices' stored results:
their result files gathered in one folder, or their facts as AWX's fact cache re-injects them.

Credentials come only from the environment the AWX credential type (awx/credential_type.yml)
injects; the inventory holds no password.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jinja2.sandbox
import pytest
import yaml

from playbook_support import ROOT, make_inventory
from test_report_playbook import awx_job

bmcsim_testing = pytest.importorskip("bmcsim.testing")

SLICES = 3


def credential_env(username, password, ca_path):
    """The environment AWX injects for a credential of our custom type."""
    injectors = yaml.safe_load((ROOT / "awx" / "credential_type.yml").read_text())["injectors"]["env"]
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    return {name: env.from_string(template).render(username=username, password=password, ca_path=ca_path)
            for name, template in injectors.items()}


def fleet_without_secrets(fleet, tmp_path):
    """The simulator's inventory minus the credentials, as an AWX inventory would be."""
    inventory = yaml.safe_load(Path(fleet.inventory_path).read_text())
    group_vars = inventory["all"]["children"]["bmcs"]["vars"]
    for key in ("bmc_username", "bmc_password", "bmc_ca_path"):
        group_vars.pop(key)
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump(inventory))
    return path


def statuses(report_dir):
    """{host: (host status, {control: status})} from a report.json."""
    document = json.loads((Path(report_dir) / "report.json").read_text())
    return {h["host"]: (h["status"], {r["id"]: r["status"] for r in h["results"]}) for h in document["hosts"]}


@pytest.mark.slow
def test_sliced_audit_gives_the_same_fleet_report_as_a_whole_run(run_playbook, tmp_path):
    with bmcsim_testing.SimFleet(count=6, profile="mixed", noncompliant=0.5, unreachable=1, seed=7) as fleet:
        env = dict(credential_env(*fleet.credentials, fleet.ca_path), ANSIBLE_NOCOLOR="1")
        hosts = sorted(b["name"] for b in fleet.bmcs)
        inventory = make_inventory(tmp_path, fleet_without_secrets(fleet, tmp_path), tmp_path / "whole")

        def audit(name, limit=None):
            results_dir = tmp_path / name
            run = run_playbook("playbooks/audit.yml", inventory, envvars=env,
                               extravars={"bmc_audit_results_dir": str(results_dir)},
                               cmdline="--limit %s" % ",".join(limit) if limit else None)
            assert run.status == "successful", run.stdout
            return run, results_dir

        whole, whole_results = audit("whole")
        slices = [audit("slice-%d" % k, hosts[k::SLICES]) for k in range(SLICES)]

    assert "BMC COMPLIANCE" in whole.stdout  # the summary callback, beside runner's awx_display
    # The injected password shows nowhere the project writes (runner's own env record aside).
    written = [whole.stdout, json.dumps(whole.events)] + [p.read_text() for p in whole_results.glob("*.json")]
    assert not any(fleet.password in text for text in written)

    def report(results_dir, name):
        output = tmp_path / ("report-" + name)
        run = run_playbook("playbooks/report.yml", inventory, extravars={
            "bmc_report_results_dir": str(results_dir), "bmc_report_output_dir": str(output)})
        assert run.status == "successful", run.stdout
        return statuses(output)

    # Each slice kept its result files on its own node; gathered in one shared folder:
    shared = tmp_path / "shared-results"
    shared.mkdir()
    for _, results_dir in slices:
        for path in results_dir.glob("*.json"):
            shutil.copy(path, shared / path.name)
    expected = report(whole_results, "whole")
    assert sorted(expected) == hosts
    assert {status for status, _ in expected.values()} >= {"compliant", "noncompliant", "unreachable"}
    assert report(shared, "slices") == expected

    # Or, with no shared folder: AWX stores each slice's facts and re-injects them in the next job.
    output = tmp_path / "report-facts"
    runner, stdout = awx_job(tmp_path, "playbooks/report.yml", inventory,
                             [run.artifacts / "fact_cache" for run, _ in slices],
                             {"bmc_report_facts_group": "bmcs", "bmc_report_output_dir": str(output),
                              "bmc_report_results_dir": str(shared)})
    assert runner.status == "successful", stdout
    assert statuses(output) == expected
