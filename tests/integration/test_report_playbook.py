"""playbooks/report.yml through ansible-runner, as AWX runs it: survey answers, check mode,
idempotence, job artefacts (set_stats), and a clear failure when there is nothing to report."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

from ansible_collections.bmclock.supermicro.plugins.module_utils import results


def stored(results_dir, host, statuses):
    results.write_record(str(results_dir), {
        "host": host, "address": "127.0.10.1", "audited_at": "2026-11-25T02:00:00+00:00",
        "status": "noncompliant" if "fail" in statuses else "compliant",
        "results": [{"id": "ctl-%d" % i, "title": "control %d" % i, "severity": "high", "status": s,
                     "expected": True, "actual": s == "pass", "reason": ""} for i, s in enumerate(statuses)],
        "facts": {"identity": {"board": "X13SEI-F", "generation": "X13", "bmc_version": "01.04.10"}}})


@pytest.fixture
def results_dir(tmp_path):
    directory = tmp_path / "results"
    stored(directory, "bmc-001", ["pass", "pass", "fail"])
    stored(directory, "bmc-002", ["pass", "notapplicable", "pass"])
    return directory


@pytest.fixture
def inventory(tmp_path):
    path = tmp_path / "empty.ini"  # report.yml runs on the implicit localhost only
    path.write_text("")
    return path


def task_result(run, task_name):
    return next(e["event_data"]["res"] for e in run.events
                if e["event"] in ("runner_on_ok", "runner_on_failed") and e["event_data"]["task"] == task_name)


WRITE = "Write the fleet reports from the stored audit results"


def test_check_mode_tells_what_would_be_written_and_writes_nothing(run_playbook, results_dir, inventory):
    run = run_playbook("playbooks/report.yml", inventory, cmdline="--check",
                       extravars={"bmc_report_results_dir": str(results_dir), "bmc_report_formats": "junit,markdown"})
    assert run.status == "successful", run.stdout
    written = task_result(run, WRITE)
    assert sorted(Path(p).name for p in written["would_write"]) == ["junit.xml", "summary.md"]
    assert not (results_dir / "fleet").exists()


def test_empty_survey_answers_mean_defaults_and_reruns_change_nothing(run_playbook, results_dir, inventory):
    survey = {"bmc_report_results_dir": str(results_dir), "bmc_report_output_dir": "", "bmc_report_formats": ""}
    run = run_playbook("playbooks/report.yml", inventory, extravars=survey)
    assert run.status == "successful", run.stdout
    assert run.changed() == 1
    output = results_dir / "fleet"
    assert sorted(p.name for p in output.iterdir()) == ["junit.xml", "report.html", "report.json", "summary.md"]
    junit = ET.parse(output / "junit.xml").getroot()
    assert (junit.get("tests"), junit.get("failures"), junit.get("skipped")) == ("6", "1", "1")
    assert len(json.loads((output / "report.json").read_text())["hosts"]) == 2
    assert "| bmc-001 | noncompliant | 1 | 0 | ctl-2 |" in run.stdout  # the summary in the job output

    stats = next(e for e in run.events if e["event"] == "playbook_on_stats")["event_data"]["artifact_data"]
    assert stats["bmc_report"]["host_status"] == {"compliant": 1, "noncompliant": 1, "error": 0, "unreachable": 0,
                                                 "unsupported": 0}
    assert stats["bmc_report"]["files"]["html"] == str(output / "report.html")

    again = run_playbook("playbooks/report.yml", inventory, extravars=survey)
    assert again.status == "successful" and again.changed() == 0


def test_no_results_is_a_clear_failure(run_playbook, tmp_path, inventory):
    run = run_playbook("playbooks/report.yml", inventory, extravars={"bmc_report_results_dir": str(tmp_path / "none")})
    assert run.status == "failed"
    assert "no audit results in %s" % (tmp_path / "none") in task_result(run, WRITE)["msg"]


def awx_job(tmp_path, playbook, inventory, cached_facts, extravars):
    """Run `playbook` as an AWX job with fact storage on: AWX writes every host's stored facts
    into the job's jsonfile fact cache (artifacts/<job>/fact_cache) before ansible-runner starts.
    `cached_facts` are fact cache folders of earlier runs (their files, as that ansible-core wrote them)."""
    import ansible_runner

    private_dir = tmp_path / "awx-job"
    cache = private_dir / "artifacts" / "job" / "fact_cache"
    cache.mkdir(parents=True)
    for folder in cached_facts:
        for path in Path(folder).iterdir():
            shutil.copy(path, cache / path.name)
    runner = ansible_runner.run(
        private_data_dir=str(private_dir), project_dir=str(ROOT), playbook=playbook, inventory=str(inventory),
        ident="job", fact_cache_type="jsonfile", extravars=extravars, quiet=True,
        envvars={"ANSIBLE_NOCOLOR": "1"})  # ansible.cfg: the project root's, as in AWX
    return runner, runner.stdout.read()


def test_report_from_cached_facts_as_awx_injects_them(run_playbook, tmp_path):
    """The report reads the hosts' cached facts, so an audit sliced over several execution nodes,
    whose result files stay on those nodes, still gives one fleet report."""
    inventory = tmp_path / "hosts.ini"
    inventory.write_text("[bmcs]\nbmc-001\nbmc-002\nbmc-003\n")
    # An earlier job cached the facts of two hosts.
    seed = tmp_path / "seed.yml"
    seed.write_text(json.dumps([{"hosts": "bmc-001,bmc-002", "gather_facts": False, "connection": "local", "tasks": [
        {"ansible.builtin.set_fact": {"cacheable": True, "bmc": {"identity": {"board": "X13SEI-F"}}, "bmc_compliance": {
            "host": "{{ inventory_hostname }}", "audited_at": "2026-11-25T02:00:00+00:00", "drift": [],
            "status": "{{ 'compliant' if inventory_hostname == 'bmc-001' else 'noncompliant' }}",
            "results": [{"id": "svc-ssh-off", "title": "SSH off", "severity": "medium",
                         "status": "{{ 'pass' if inventory_hostname == 'bmc-001' else 'fail' }}"}]}}}]}]))
    earlier = run_playbook(str(seed), inventory)
    assert earlier.status == "successful", earlier.stdout

    output = tmp_path / "out"
    runner, stdout = awx_job(tmp_path, "playbooks/report.yml", inventory, [earlier.artifacts / "fact_cache"], {
        "bmc_report_facts_group": "bmcs", "bmc_report_output_dir": str(output),
        "bmc_report_results_dir": str(tmp_path / "unused")})
    assert runner.status == "successful", stdout
    document = json.loads((output / "report.json").read_text())
    assert {h["host"]: h["status"] for h in document["hosts"]} == {"bmc-001": "compliant", "bmc-002": "noncompliant"}
    assert document["problems"] == ["bmc-003: no bmc_compliance fact (never audited, or its cached facts expired)"]
    assert "bmc-003: no bmc_compliance fact" in stdout  # a warning in the job output


def test_reports_are_never_written_into_the_results_folder(run_playbook, results_dir, inventory):
    """report.json there would be read back as a host's result by the next report or inventory."""
    run = run_playbook("playbooks/report.yml", inventory, extravars={
        "bmc_report_results_dir": str(results_dir), "bmc_report_output_dir": str(results_dir)})
    assert run.status == "failed"
    assert "output_dir must differ from results_dir" in task_result(run, WRITE)["msg"]
