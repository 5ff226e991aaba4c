"""Partial audits (--tags, the `controls` option) against bmcsim through ansible-runner: a partial
run merges into the stored result, it never erases what it did not look at."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
import xml.etree.ElementTree as ET

import pytest
import yaml

from playbook_support import BIN, ROOT, make_inventory, read_fact_cache


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


# -- the key scenario: a partial run never erases findings ------------------------------------

CATALOG = yaml.safe_load((ROOT / "roles" / "bmc_audit" / "vars" / "controls.yml").read_text())["bmc_audit_controls"]
CONTROLS = [c["id"] for c in CATALOG]
NET = {c for c in CONTROLS if c.startswith("net-")}


def groups_of(inventory):
    graph = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(inventory), "--list"], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    return json.loads(graph.stdout, object_hook=lambda o: o.get("__ansible_unsafe", o))


def fleet_reports(results_dir):
    fleet_dir = results_dir / "fleet"
    document = json.loads((fleet_dir / "report.json").read_text())
    junit = ET.fromstring((fleet_dir / "junit.xml").read_bytes())
    return document, junit, (fleet_dir / "report.html").read_text(), (fleet_dir / "summary.md").read_text()


def summary_row(stdout, host):
    """The bmc_summary table line of `host`."""
    table = stdout.split("BMC COMPLIANCE", 1)[1]
    return next(line for line in table.splitlines() if line.startswith(host + " "))


@pytest.fixture
def audited(fleet, run_playbook, tmp_path):
    """A full audit: bmc-001 hardened, bmc-002 with the factory ADMIN enabled and SSH on."""
    hardened, weak = (b["name"] for b in fleet.bmcs)
    fleet.admin.reset(weak)
    fleet.admin.apply_deviations(weak, "default_admin_enabled", "ssh_on")
    results_dir = tmp_path / "reports"
    inventory = make_inventory(tmp_path, fleet.inventory_path, results_dir)
    run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(results_dir)})
    assert run.status == "successful", run.stdout[-3000:]
    yield hardened, weak, results_dir, inventory
    fleet.admin.reset(weak)


def test_a_tags_run_keeps_the_findings_it_did_not_look_at(audited, run_playbook):
    hardened, weak, results_dir, inventory = audited
    first = stored(results_dir, weak)
    assert first["status"] == "noncompliant" and {"acct-default-creds", "svc-ssh-off"} <= set(first["summary"]["failed"])

    run = run_playbook("playbooks/audit.yml", inventory, cmdline="--tags net",
                       extravars={"bmc_audit_results_dir": str(results_dir), "bmc_fail_on_noncompliant": True})

    assert run.status == "failed" and run.rc != 0                      # the gate
    assert "not compliant: %s (noncompliant)" % weak in run.stdout
    record = stored(results_dir, weak)                                  # the result file
    assert record["status"] == "noncompliant"
    assert [r["id"] for r in record["results"]] == CONTROLS
    assert {"acct-default-creds", "svc-ssh-off"} <= set(record["summary"]["failed"])
    audited_at = {r["id"]: r["audited_at"] for r in record["results"]}
    assert record["audited_controls"] == [c for c in CONTROLS if c in NET]
    assert {audited_at[c] for c in NET} == {record["audited_at"]}
    assert audited_at["acct-default-creds"] == first["audited_at"] != record["audited_at"]
    fact = run.cached_facts(weak)["bmc_compliance"]                     # the fact
    assert fact["status"] == "noncompliant" and fact["results"] == record["results"]
    groups = groups_of(inventory)                                       # the groups
    assert groups["bmc_noncompliant"]["hosts"] == [weak] and groups["bmc_compliant"]["hosts"] == [hardened]
    assert groups["bmc_fail_acct_default_creds"]["hosts"] == [weak]
    document, junit, page, markdown = fleet_reports(results_dir)        # every report format
    assert {h["host"]: h["status"] for h in document["hosts"]} == {weak: "noncompliant", hardened: "compliant"}
    assert junit.find("testsuite[@name='%s']/testcase[@name='acct-default-creds: %s']/failure" % (
        weak, next(c["title"] for c in CATALOG if c["id"] == "acct-default-creds"))) is not None
    assert 'data-host="%s" data-status="noncompliant"' % weak in page
    assert "| %s | noncompliant |" % weak in markdown
    assert summary_row(run.stdout, weak).split()[1] == "noncompliant"  # the terminal summary


def test_an_unknown_tag_fails_before_any_bmc_is_contacted(fleet, run_playbook, tmp_path):
    inventory = make_inventory(tmp_path, fleet.inventory_path, tmp_path / "reports")
    for bmc in fleet.bmcs:
        fleet.admin.reset_requests(bmc["name"])
    run = run_playbook("playbooks/audit.yml", inventory, cmdline="--tags nett,svc",
                       extravars={"bmc_audit_results_dir": str(tmp_path / "reports"), "bmc_fail_on_noncompliant": True})
    assert run.status == "failed"
    assert "--tags: unknown tag nett" in run.stdout and "net-egress" in run.stdout and "families" in run.stdout
    assert [fleet.admin.requests(b["name"])["count"] for b in fleet.bmcs] == [0, 0]
    assert not (tmp_path / "reports").exists()


def test_a_host_whose_audit_task_fails_gets_an_error_record_in_the_same_run(audited, run_playbook, tmp_path):
    hardened, weak, results_dir, inventory = audited
    assert stored(results_dir, hardened)["status"] == "compliant"
    bad_ca = tmp_path / "ca.pem"
    bad_ca.write_text("not a certificate\n")
    (inventory / "host_vars").mkdir(exist_ok=True)
    (inventory / "host_vars" / ("%s.yml" % hardened)).write_text(json.dumps({"bmc_ca_path": str(bad_ca)}))

    run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(results_dir)})

    assert run.status == "failed" and "%s: ca_path %s" % (hardened, bad_ca) in run.stdout
    record = stored(results_dir, hardened)
    assert record["status"] == "error" and "audit task failed" in record["summary"]["reason"]
    document, junit, page, markdown = fleet_reports(results_dir)
    assert document["overview"]["hosts"] == 2
    assert {h["host"]: h["status"] for h in document["hosts"]} == {hardened: "error", weak: "noncompliant"}
    assert junit.find("testsuite[@name='%s']/testcase[@name='audit: BMC audit']/error" % hardened) is not None
    assert "| %s | error |" % hardened in markdown
    assert "hosts: 2 " in run.stdout and summary_row(run.stdout, hardened).split()[1] == "error"
    assert run.cached_facts(hardened)["bmc_compliance"]["status"] == "error"
    assert groups_of(inventory)["bmc_error"]["hosts"] == [hardened]


def test_unverified_tls_is_warned_and_recorded(fleet, run_playbook, tmp_path):
    hardened = fleet.bmcs[0]["name"]
    results_dir = tmp_path / "reports"
    inventory = make_inventory(tmp_path, fleet.inventory_path, results_dir,
                               extra_vars={hardened: {"bmc_validate_certs": False}})
    run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(results_dir)},
                       cmdline="--limit %s" % hardened)
    assert run.status == "successful", run.stdout[-3000:]
    assert "TLS certificate is not verified" in run.stdout
    assert stored(results_dir, hardened)["tls_verified"] is False
    document, junit, page, markdown = fleet_reports(results_dir)
    assert document["overview"]["tls_unverified"] == [hardened]
    assert junit.find("testsuite/properties/property[@name='tls_verified']").get("value") == "false"
    assert "TLS not verified" in page and "TLS not verified" in markdown
    assert "TLS not verified (bmc_validate_certs: false): %s" % hardened in run.stdout


@pytest.mark.parametrize("variable", ["bmc_retries", "bmc_timeout", "bmc_host_timeout"])
def test_negative_numbers_fail_naming_the_variable_before_any_bmc_is_contacted(fleet, run_playbook, tmp_path, variable):
    inventory = make_inventory(tmp_path, fleet.inventory_path, tmp_path / "reports")
    for bmc in fleet.bmcs:
        fleet.admin.reset_requests(bmc["name"])
    run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(tmp_path / "reports"),
                                                                  variable: -1})
    assert run.status == "failed"
    assert "%s: -1 is out of range" % variable in run.stdout
    assert [fleet.admin.requests(b["name"])["count"] for b in fleet.bmcs] == [0, 0]


def test_a_refused_login_is_an_error_and_the_host_is_left_alone_for_its_lockout_window(audited, fleet, run_playbook):
    hardened, _, results_dir, inventory = audited
    lockout = stored(results_dir, hardened)["facts"]["account_policy"]["lockout_duration"]
    (inventory / "host_vars").mkdir(exist_ok=True)
    (inventory / "host_vars" / ("%s.yml" % hardened)).write_text(json.dumps({"bmc_password": "Wrong!Password9"}))
    audit = {"bmc_audit_results_dir": str(results_dir)}
    try:
        fleet.admin.reset_requests(hardened)
        refused = run_playbook("playbooks/audit.yml", inventory, extravars=audit, cmdline="--limit %s" % hardened)
        record = stored(results_dir, hardened)
        assert record["status"] == "error" and record["summary"]["reason"].startswith("login refused")
        window = record["login_refused"]
        assert window["wait_s"] == lockout and window["wait_from"] == "the BMC's AccountLockoutDuration"
        assert fleet.admin.requests(hardened)["count"] == 1
        assert "login refused (not retried within the lockout window): %s" % hardened in refused.stdout

        fleet.admin.reset_requests(hardened)
        skipped = run_playbook("playbooks/audit.yml", inventory, extravars=audit, cmdline="--limit %s" % hardened)
        assert fleet.admin.requests(hardened)["count"] == 0
        assert stored(results_dir, hardened)["login_refused"]["until"] == window["until"]
        assert "not contacted, login refused earlier" in skipped.stdout and window["until"] in skipped.stdout
        assert stored(results_dir, hardened)["status"] == "error"

        retried = run_playbook("playbooks/audit.yml", inventory, extravars=dict(audit, bmc_retry_refused_login=True),
                               cmdline="--limit %s" % hardened)
        assert retried.status == "successful"
        assert fleet.admin.requests(hardened)["log"] == [["POST", "/redfish/v1/SessionService/Sessions", 401]]
        assert "Wrong!Password9" not in refused.all_text() + skipped.all_text() + retried.all_text()
    finally:
        fleet.admin.reset(hardened)


# -- interruption: Ctrl-C or an AWX cancel logs the sessions out ------------------------------

@pytest.fixture(scope="module")
def slow_fleet():
    with SimFleet(count=4, profile="x13", base_address="127.0.58.1") as sim:
        for bmc in sim.bmcs:  # every audit waits on NetworkProtocol and AccountService long enough to be interrupted
            sim.admin.set_knobs(bmc["name"], latency_paths={"/redfish/v1/Managers/1/NetworkProtocol": 20000, "/redfish/v1/AccountService": 20000})
        yield sim


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_audit_logs_every_session_out(slow_fleet, tmp_path, signum):
    names = [b["name"] for b in slow_fleet.bmcs]
    inventory = make_inventory(tmp_path, slow_fleet.inventory_path, tmp_path / "reports")
    command = [str(BIN / "ansible-playbook"), "playbooks/audit.yml", "-i", str(inventory),
               "-e", "bmc_audit_results_dir=%s" % (tmp_path / "reports")]
    playbook = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=(tmp_path / "out").open("w"),
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        open_sessions = []
        for _ in range(300):  # until every BMC has its audit session open (or 30 s)
            open_sessions = [len(slow_fleet.admin.sessions(name)) for name in names]
            if all(open_sessions):
                break
            time.sleep(0.1)
        assert all(open_sessions), (open_sessions, (tmp_path / "out").read_text()[-3000:])
        playbook.send_signal(signum)   # to ansible-playbook only, as AWX/ansible-runner cancels a job
        try:
            playbook.wait(timeout=60)
        except subprocess.TimeoutExpired:
            # How long ansible-playbook takes to exit after a signal is Ansible's (its workers can
            # block on the result queue; AWX follows with SIGKILL). What is ours: the sessions.
            pass
    finally:
        if playbook.poll() is None:
            os.killpg(playbook.pid, signal.SIGKILL)
            playbook.wait()
    try:
        assert playbook.returncode != 0
        # Ansible's workers run in sessions of their own and may still be logging out when
        # ansible-playbook has exited: wait for that (bounded), as a next job would start later.
        for _ in range(200):
            if not any(slow_fleet.admin.sessions(name) for name in names):
                break
            time.sleep(0.1)
        assert {name: slow_fleet.admin.sessions(name) for name in names} == {name: [] for name in names}
    finally:
        stop_orphaned_workers(str(inventory))


def stop_orphaned_workers(marker):
    """Ansible's workers outlive a signalled ansible-playbook (their own sessions; one blocked on
    the result queue of a parent that is gone): stop the ones of this run, by PID."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "ansible-playbook" in command and marker in command:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
            except ProcessLookupError:
                pass


# -- deadlines and limits reach the client -----------------------------------------------------

def test_host_timeout_and_response_size_reach_the_client(fleet, run_playbook, tmp_path):
    hardened = fleet.bmcs[0]["name"]
    results_dir = tmp_path / "reports"
    fleet.admin.set_knobs(hardened, fault={"kind": "huge", "bytes": 300000, "paths": ["/redfish/v1/AccountService"],
                                           "methods": ["GET"]})
    try:
        inventory = make_inventory(tmp_path, fleet.inventory_path, results_dir,
                                   extra_vars={hardened: {"bmc_max_response_size": 100000}})
        run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(results_dir)},
                           cmdline="--limit %s" % hardened)
        assert run.status == "successful", run.stdout[-3000:]
        record = stored(results_dir, hardened)
        assert record["status"] == "error"
        assert "larger than the 100000 bytes allowed" in json.dumps(record["facts"])

        fleet.admin.set_knobs(hardened, fault={"kind": "timeout", "seconds": 60, "methods": ["GET"],
                                               "paths": ["/redfish/v1/AccountService"]})
        (inventory / "host_vars" / ("%s.yml" % hardened)).write_text(json.dumps({"bmc_host_timeout": 2, "bmc_timeout": 30}))
        run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(results_dir)},
                           cmdline="--limit %s" % hardened)
        assert run.status == "successful", run.stdout[-3000:]
        record = stored(results_dir, hardened)
        assert record["status"] == "error"
        assert "timed out after 2 s" in json.dumps(record)
    finally:
        fleet.admin.set_knobs(hardened, fault=None)


def test_without_result_files_a_tags_run_merges_into_the_cached_fact(fleet, tmp_path):
    """AWX on a fresh execution node: no result files, the fact cache holds the last full audit."""
    weak = fleet.bmcs[1]["name"]
    fleet.admin.reset(weak)
    fleet.admin.apply_deviations(weak, "default_admin_enabled")
    inventory = make_inventory(tmp_path, fleet.inventory_path, tmp_path / "unused")
    env = dict(os.environ, ANSIBLE_CACHE_PLUGIN="jsonfile", ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"))
    audit = [str(BIN / "ansible-playbook"), "playbooks/audit.yml", "-i", str(inventory), "--limit", weak,
             "-e", "bmc_audit_results_dir=''"]
    try:
        assert subprocess.run(audit, cwd=ROOT, env=env, capture_output=True).returncode == 0
        partial = subprocess.run(audit + ["--tags", "net", "-e", "bmc_fail_on_noncompliant=true"], cwd=ROOT, env=env,
                                 capture_output=True, text=True)
    finally:
        fleet.admin.reset(weak)
    assert partial.returncode != 0 and "not compliant: %s (noncompliant)" % weak in partial.stdout
    fact = read_fact_cache(tmp_path / "facts", weak)["bmc_compliance"]
    assert fact["status"] == "noncompliant" and "acct-default-creds" in fact["summary"]["failed"]
    assert [r["id"] for r in fact["results"]] == CONTROLS
    assert not (tmp_path / "unused").exists()
