"""playbooks/audit.yml end to end through ansible-runner (as AWX runs it) against bmcsim.

One X13 fleet: a hardened BMC, one BMC per named deviation of the simulator (each deviation is
set through the admin API, not through our client), one BMC that is not there. A mixed fleet
covers X11/X12, wrong credentials, a slow BMC, tags and a malformed baseline.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest
import yaml

from playbook_support import BIN, ROOT, make_inventory, playbook_run, read_fact_cache


from bmcsim import fleetgen
from bmcsim.testing import SimFleet

CATALOG = yaml.safe_load((ROOT / "roles" / "bmc_audit" / "vars" / "controls.yml").read_text())
CONTROLS = sorted(c["id"] for c in CATALOG["bmc_audit_controls"])
# Evaluated from the exposure probe's data (playbooks/exposure.yml, test_exposure_playbook.py):
# notchecked in a plain audit.
PROBED = sorted(c for c in CONTROLS if c.startswith("exposure-"))

# What each deviation must make fail (and nothing else), read from the control definitions:
# an enabled factory ADMIN is also an extra administrator; virtual media needs IPMI on;
# an unapproved NTP/syslog/LDAP/event destination is also egress to an unapproved place.
EXPECTED_FAILS = {
    "default_admin_enabled": {"acct-default-creds", "acct-allowlist", "acct-least-privilege"},
    "extra_admin": {"acct-allowlist", "acct-least-privilege"},
    "operator_role_escalated": {"acct-least-privilege"},
    "ipmi_on": {"svc-ipmi-lan-off"},
    "ssdp_on": {"svc-ssdp-off"},
    "http_on": {"svc-http-off"},
    "ssh_on": {"svc-ssh-off"},
    "snmp_v2c": {"svc-snmp"},
    "vmedia_on": {"svc-vmedia-kvm", "svc-ipmi-lan-off"},
    "kvm_on": {"svc-vmedia-kvm"},
    "acl_off": {"net-ip-acl"},
    "acl_allows_any": {"net-ip-acl"},
    "old_bmc_fw": {"fw-bmc-min-version", "fw-allowlist"},
    "old_bios_fw": {"fw-bios-min-version", "fw-allowlist"},
    # X13 11.01.01 is an OEM build (2023-11-17), older than the approved 01.04.15 (2024-05-10) by date.
    "unapproved_fw": {"fw-allowlist", "fw-bmc-min-version"},
    "default_cert": {"tls-cert-not-default"},
    "session_timeout_long": {"sess-timeout"},
    "weak_password_policy": {"acct-password-policy"},
    "ntp_unapproved": {"time-ntp", "net-egress"},
    "ntp_off": {"time-ntp"},
    "syslog_off": {"log-syslog"},
    "syslog_unapproved": {"log-syslog", "net-egress"},
    "hi_on": {"host-hi-off"},
    "kcs_admin": {"host-kcs-callback"},
    "lockdown_off": {"host-syslockdown"},
    "public_ip": {"net-addressing"},
    "gateway_outside": {"net-addressing"},
    "rogue_subscription": {"log-events", "net-egress"},
    "ldap_cleartext": {"acct-directory-tls", "net-egress"},
    # over ldaps (TLS passes), but to a server and a DNS-found domain controller the baseline does not approve
    "ad_dns_lookup": {"net-egress"},
}


# One BMC per deviation after the hardened bmc-001, then the one that is not there.
DEVIATIONS = fleetgen.applicable("x13")
UNREACHABLE = "bmc-%03d" % (len(DEVIATIONS) + 2)


def stored(results_dir, host):
    return json.loads((results_dir / ("%s.json" % host)).read_text())


def failing(record):
    return {r["id"] for r in record["results"] if r["status"] == "fail"}


@pytest.fixture(scope="module")
def x13_fleet():
    with SimFleet(count=len(DEVIATIONS) + 2, profile="x13", base_address="127.0.50.1", unreachable=1) as fleet:
        fleet.deviated = {}
        for bmc, deviation in zip(fleet.bmcs[1:], DEVIATIONS):
            fleet.admin.apply_deviations(bmc["name"], deviation)
            fleet.deviated[bmc["name"]] = deviation
        yield fleet


@pytest.fixture(scope="module")
def audited(x13_fleet, tmp_path_factory):
    """One audit of the whole X13 fleet, as ops run it, with the fact cache on (as AWX)."""
    tmp = tmp_path_factory.mktemp("audit")
    results_dir = tmp / "reports"
    # A BMC still on its factory certificate serves it (self-signed, CN=IPMI): audited as operators
    # audit such a BMC before its certificate is replaced, without certificate verification.
    factory = {h: {"bmc_validate_certs": False} for h, d in x13_fleet.deviated.items() if d == "default_cert"}
    inventory = make_inventory(tmp, x13_fleet.inventory_path, results_dir, extra_vars=factory)
    run = playbook_run(tmp / "runner", "playbooks/audit.yml", inventory,
                       extravars={"bmc_audit_results_dir": str(results_dir)})
    return run, results_dir, inventory


def test_every_control_passes_on_a_hardened_bmc(audited):
    run, results_dir, _ = audited
    assert run.status == "successful", run.stdout[-3000:]
    record = stored(results_dir, "bmc-001")
    assert record["status"] == "compliant"
    assert sorted(r["id"] for r in record["results"]) == CONTROLS
    assert {r["status"] for r in record["results"] if r["id"] not in PROBED} == {"pass"}
    assert {r["status"] for r in record["results"] if r["id"] in PROBED} == {"notchecked"}


def test_each_deviation_fails_exactly_its_controls(audited, x13_fleet):
    _, results_dir, _ = audited
    assert set(x13_fleet.deviated.values()) == set(EXPECTED_FAILS), "a new simulator deviation needs an expectation"
    wrong = {}
    for host, deviation in x13_fleet.deviated.items():
        record = stored(results_dir, host)
        if failing(record) != EXPECTED_FAILS[deviation] or record["status"] != "noncompliant":
            wrong[deviation] = sorted(failing(record))
    assert wrong == {}
    covered = set().union(*EXPECTED_FAILS.values())
    assert covered == set(CONTROLS) - set(PROBED), "every control is shown failing by some deviation"


def test_unreachable_bmc_is_reported_and_does_not_stop_the_fleet(audited):
    run, results_dir, _ = audited
    record = stored(results_dir, UNREACHABLE)
    assert record["status"] == "unreachable"
    assert "Connection refused" in record["summary"]["reason"]
    assert {r["status"] for r in record["results"]} == {"error"}
    assert run.stats["failures"] == {} and run.stats["dark"] == {}


def test_results_land_in_the_fact_cache_as_awx_keeps_them(audited):
    run, results_dir, _ = audited
    facts = run.cached_facts("bmc-002")
    assert facts["bmc_compliance"]["status"] == "noncompliant"
    assert "acct-default-creds" in facts["bmc_compliance"]["summary"]["failed"]
    assert facts["bmc"]["identity"]["generation"] == "X13"
    assert facts["bmc_compliance"]["results"] == stored(results_dir, "bmc-002")["results"]


def test_audit_changes_nothing_and_prints_the_fleet_summary(audited):
    run, _, _ = audited
    changed = {e["event_data"]["task"] for e in run.events
               if e["event"] == "runner_on_ok" and e["event_data"]["res"].get("changed")}
    assert changed <= {"Write the fleet reports from the stored audit results"}  # local files only
    assert "BMC COMPLIANCE" in run.stdout
    assert "hosts: %d" % (len(DEVIATIONS) + 2) in run.stdout and "unreachable: 1" in run.stdout and "compliant: 1" in run.stdout


def test_no_password_in_any_output(audited, x13_fleet):
    run, results_dir, _ = audited
    _, password = x13_fleet.credentials
    leaks = [p.name for p in results_dir.rglob("*") if p.is_file() and password in p.read_text()]
    assert password not in run.all_text()
    assert leaks == []


def test_groups_from_stored_results(audited):
    _, _, inventory = audited
    graph = subprocess.run([str(BIN / "ansible-inventory"), "-i", str(inventory), "--list"], cwd=ROOT,
                           capture_output=True, text=True, check=True)
    # ansible-inventory marks values from inventory plugins as unsafe ({"__ansible_unsafe": v})
    groups = json.loads(graph.stdout, object_hook=lambda o: o.get("__ansible_unsafe", o))
    assert groups["bmc_compliant"]["hosts"] == ["bmc-001"]
    assert groups["bmc_unreachable"]["hosts"] == [UNREACHABLE]
    assert len(groups["bmc_noncompliant"]["hosts"]) == len(DEVIATIONS)
    assert sorted(groups["bmc_fail_svc_ssh_off"]["hosts"]) == ["bmc-008"]
    assert groups["_meta"]["hostvars"]["bmc-008"]["bmc_failed_controls"] == ["svc-ssh-off"]


def test_check_mode_rerun_on_a_group_records_drift(audited, x13_fleet, run_playbook):
    _, results_dir, inventory = audited
    x13_fleet.admin.patch_resource("bmc-001", "/redfish/v1/Managers/1/NetworkProtocol", {"IPMI": {"ProtocolEnabled": True}})
    x13_fleet.admin.reset_requests("bmc-001")
    try:
        run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(results_dir)},
                           cmdline="--check --limit bmc_compliant")
    finally:  # bmc-001 stays the fleet's hardened BMC for the tests after this one
        x13_fleet.admin.patch_resource("bmc-001", "/redfish/v1/Managers/1/NetworkProtocol", {"IPMI": {"ProtocolEnabled": False}})
    assert run.status == "successful", run.stdout[-3000:]
    record = stored(results_dir, "bmc-001")
    assert record["drift"] == [{"id": "svc-ipmi-lan-off", "from": "pass", "to": "fail"}]
    assert stored(results_dir, "bmc-002")["drift"] == []  # not in the limited group: untouched
    methods = {method for method, _path, _status in x13_fleet.admin.requests("bmc-001")["log"]}
    assert methods <= {"GET", "POST", "DELETE"}  # session login/logout only; nothing patched


@pytest.fixture(scope="module")
def mixed_fleet():
    with SimFleet(count=3, profile="mixed", base_address="127.0.51.1") as fleet:
        yield fleet


def test_x11_x12_x13_hardened_are_compliant(mixed_fleet, run_playbook, tmp_path):
    inventory = make_inventory(tmp_path, mixed_fleet.inventory_path, tmp_path / "reports")
    run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(tmp_path / "reports")})
    assert run.status == "successful", run.stdout[-3000:]
    by_generation = {}
    for bmc in mixed_fleet.bmcs:
        record = stored(tmp_path / "reports", bmc["name"])
        by_generation[record["facts"]["identity"]["generation"]] = record
    assert sorted(by_generation) == ["X11", "X12", "X13"]
    assert {g: r["status"] for g, r in by_generation.items()} == {"X11": "compliant", "X12": "compliant", "X13": "compliant"}
    x11_na = {r["id"]: r["reason"] for r in by_generation["X11"]["results"] if r["status"] == "notapplicable"}
    assert set(x11_na) == {"host-hi-off", "host-kcs-callback", "host-syslockdown", "acct-directory-tls"}
    assert all("X11" in reason for reason in x11_na.values())


def test_wrong_password_is_one_login_attempt_and_no_lockout(mixed_fleet, run_playbook, tmp_path):
    host = mixed_fleet.bmcs[2]["name"]
    inventory = make_inventory(tmp_path, mixed_fleet.inventory_path, tmp_path / "reports",
                               extra_vars={host: {"bmc_password": "Wrong!Password9"}})
    mixed_fleet.admin.reset_requests(host)
    run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(tmp_path / "reports")},
                       cmdline="--limit %s" % host)
    assert run.status == "successful", run.stdout[-3000:]
    record = stored(tmp_path / "reports", host)
    assert record["status"] == "error" and "login refused" in record["summary"]["reason"] and "401" in record["summary"]["reason"]
    assert mixed_fleet.admin.requests(host)["log"] == [["POST", "/redfish/v1/SessionService/Sessions", 401]]
    operator = next(a for a in mixed_fleet.admin.accounts(host) if a["username"] == mixed_fleet.username)
    assert operator["locked"] is False
    assert "Wrong!Password9" not in run.all_text()


def test_slow_bmc_hits_the_timeout_and_is_an_error(mixed_fleet, run_playbook, tmp_path):
    host = mixed_fleet.bmcs[0]["name"]
    mixed_fleet.admin.set_knobs(host, latency_paths={"/redfish/v1/AccountService": 4000})
    try:
        inventory = make_inventory(tmp_path, mixed_fleet.inventory_path, tmp_path / "reports",
                                   extra_vars={host: {"bmc_timeout": 1, "bmc_retries": 0}})
        run = run_playbook("playbooks/audit.yml", inventory,
                           extravars={"bmc_audit_results_dir": str(tmp_path / "reports")}, cmdline="--limit %s" % host)
    finally:
        mixed_fleet.admin.set_knobs(host, latency_paths={})
    assert run.status == "successful", run.stdout[-3000:]
    record = stored(tmp_path / "reports", host)
    assert record["status"] == "error"
    errors = {r["id"] for r in record["results"] if r["status"] == "error"}
    assert "acct-password-policy" in errors and "svc-ipmi-lan-off" not in errors


def test_tags_select_controls(mixed_fleet, run_playbook, tmp_path):
    inventory = make_inventory(tmp_path, mixed_fleet.inventory_path, tmp_path / "reports")
    run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(tmp_path / "reports")},
                       cmdline="--tags svc-ipmi-lan-off,net")
    assert run.status == "successful", run.stdout[-3000:]
    ids = {r["id"] for r in stored(tmp_path / "reports", mixed_fleet.bmcs[0]["name"])["results"]}
    assert ids == {"svc-ipmi-lan-off", "net-ip-acl", "net-addressing", "net-egress"}


def test_role_tags_list_every_control():
    tasks = yaml.safe_load((ROOT / "roles" / "bmc_audit" / "tasks" / "main.yml").read_text())
    audit = next(t for t in tasks if any("bmclock.supermicro.bmc_audit" in inner for inner in t.get("block", [])))
    families = {c.split("-")[0] for c in CONTROLS}
    assert set(audit["tags"]) == set(CONTROLS) | families | {"audit"}


def test_role_argument_specs_document_every_control_switch_and_baseline_variable():
    specs = yaml.safe_load((ROOT / "roles" / "bmc_audit" / "meta" / "argument_specs.yml").read_text())
    options = specs["argument_specs"]["main"]["options"]
    switches = {o for o in options if o.startswith("bmc_control_")}
    assert switches == {"bmc_control_" + c.replace("-", "_") for c in CONTROLS}
    baseline = yaml.safe_load((ROOT / "inventory" / "group_vars" / "all" / "baseline.yml").read_text())
    # the remediation targets in the same file are documented by the role that uses them
    access = yaml.safe_load((ROOT / "roles" / "bmc_access" / "meta" / "argument_specs.yml").read_text())
    assert set(baseline) <= set(options) | set(access["argument_specs"]["main"]["options"])


def test_malformed_baseline_stops_before_any_bmc_is_contacted(x13_fleet, run_playbook, tmp_path):
    host = x13_fleet.bmcs[-2]["name"]  # not the host that runs the check: every host is checked
    inventory = make_inventory(tmp_path, x13_fleet.inventory_path, tmp_path / "reports",
                               extra_vars={host: {"bmc_session_timeout_max": "ten minutes",
                                                  "bmc_management_networks": ["10.0.0.0/33"]}})
    for bmc in x13_fleet.bmcs:
        x13_fleet.admin.reset_requests(bmc["name"])
    run = run_playbook("playbooks/audit.yml", inventory, extravars={"bmc_audit_results_dir": str(tmp_path / "reports")})
    assert run.status == "failed"
    assert "bmc_session_timeout_max" in run.stdout and "host_vars/%s.yml" % host in run.stdout
    assert "bmc_management_networks" in run.stdout
    assert [b["name"] for b in x13_fleet.bmcs if x13_fleet.admin.requests(b["name"])["count"]] == []
    assert not (tmp_path / "reports").exists()


def test_gate_fails_the_run_and_names_the_noncompliant_hosts(audited, x13_fleet, run_playbook, tmp_path):
    _, _, inventory = audited
    run = run_playbook("playbooks/audit.yml", inventory, cmdline="--limit bmc-001,bmc-005",
                       extravars={"bmc_fail_on_noncompliant": True, "bmc_audit_results_dir": str(tmp_path / "reports")})
    assert run.status == "failed"
    assert "not compliant: bmc-005" in run.stdout


def test_baseline_from_extra_vars_is_checked_too(x13_fleet, run_playbook, tmp_path):
    inventory = make_inventory(tmp_path, x13_fleet.inventory_path, tmp_path / "reports")
    run = run_playbook("playbooks/audit.yml", inventory, cmdline="--limit bmc-001",
                       extravars={"bmc_audit_results_dir": str(tmp_path / "reports"), "bmc_max_administrators": "two"})
    assert run.status == "failed"
    assert "bmc_max_administrators (set in play vars, extra vars or role defaults)" in run.stdout


def test_drift_from_the_fact_cache_without_result_files(mixed_fleet, tmp_path):
    """AWX: a fresh execution node has no result files, but the fact cache has the last run."""
    host = mixed_fleet.bmcs[0]["name"]
    inventory = make_inventory(tmp_path, mixed_fleet.inventory_path, tmp_path / "unused")
    env = dict(os.environ, ANSIBLE_CACHE_PLUGIN="jsonfile", ANSIBLE_CACHE_PLUGIN_CONNECTION=str(tmp_path / "facts"))
    audit = [str(BIN / "ansible-playbook"), "playbooks/audit.yml", "-i", str(inventory), "--limit", host,
             "-e", "bmc_audit_results_dir=''"]
    assert subprocess.run(audit, cwd=ROOT, env=env, capture_output=True).returncode == 0
    mixed_fleet.admin.patch_resource(host, "/redfish/v1/Managers/1/NetworkProtocol", {"SSH": {"ProtocolEnabled": True}})
    try:
        assert subprocess.run(audit, cwd=ROOT, env=env, capture_output=True).returncode == 0
    finally:
        mixed_fleet.admin.reset(host)
    cached = read_fact_cache(tmp_path / "facts", host)
    assert cached["bmc_compliance"]["drift"] == [{"id": "svc-ssh-off", "from": "pass", "to": "fail"}]
    assert not (tmp_path / "unused").exists()


def test_a_ca_file_that_is_not_pem_fails_the_task_with_its_path(mixed_fleet, run_playbook, tmp_path):
    host = mixed_fleet.bmcs[0]["name"]
    bad_ca = tmp_path / "ca.pem"
    bad_ca.write_text("not a certificate\n")
    inventory = make_inventory(tmp_path, mixed_fleet.inventory_path, tmp_path / "reports",
                               extra_vars={host: {"bmc_ca_path": str(bad_ca)}})
    run = run_playbook("playbooks/audit.yml", inventory, cmdline="--limit %s" % host,
                       extravars={"bmc_audit_results_dir": str(tmp_path / "reports")})
    assert run.status == "failed"
    assert "%s: ca_path %s" % (host, bad_ca) in run.stdout and "Traceback" not in run.stdout


def test_a_factory_certificate_fails_verification_and_is_an_error(audited, x13_fleet, tmp_path):
    """With certificate verification on, a BMC serving the factory certificate is not trusted: an
    error naming the verification, never a pass."""
    host = next(h for h, d in x13_fleet.deviated.items() if d == "default_cert")
    results_dir = tmp_path / "reports"
    inventory = make_inventory(tmp_path, x13_fleet.inventory_path, results_dir)
    run = playbook_run(tmp_path / "runner", "playbooks/audit.yml", inventory, cmdline="--limit %s" % host,
                       extravars={"bmc_audit_results_dir": str(results_dir)})
    record = stored(results_dir, host)
    assert record["status"] != "compliant" and not any(r["status"] == "pass" for r in record["results"])
    assert record["summary"]["status"] == "unreachable" and "TLS certificate not trusted (self-signed certificate)" in json.dumps(record)
