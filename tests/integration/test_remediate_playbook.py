"""playbooks/remediate.yml end to end through ansible-runner against bmcsim: a mixed fleet
(X11, X12, X13) carrying every access deviation, SysLockdown on (X12/X13) and unlocked by the run.

audit -> remediate --check --diff (the plan, zero writes) -> remediate (the re-audit passes every
acct/sess control) -> remediate again and with --tags acct,sess (changed=0, zero writes); no
secret anywhere at -vvv; lockout safety and the locked BMC through the playbook.
"""

from __future__ import annotations

import json

import pytest

from playbook_support import make_inventory, playbook_run

from bmcsim.testing import SimFleet

ACCESS = ("default_admin_enabled", "extra_admin", "operator_role_escalated", "session_timeout_long",
          "weak_password_policy", "ldap_cleartext")
ACCESS_CONTROLS = {"acct-default-creds", "acct-allowlist", "acct-least-privilege", "acct-directory-tls",
                   "acct-password-policy", "sess-timeout"}
NEW_MONITOR_PASSWORD = "Mon!Rotated2025x"
WRITES = ("PATCH", "POST", "DELETE")


def writes(fleet, name):
    return [entry for entry in fleet.admin.requests(name)["log"]
            if entry[0] in WRITES and not entry[1].startswith("/redfish/v1/SessionService/Sessions")]


def deviate(fleet):
    for bmc in fleet.bmcs:
        fleet.admin.reset(bmc["name"])
        fleet.admin.apply_deviations(bmc["name"], *[d for d in ACCESS if not (d == "ldap_cleartext" and bmc["generation"] == "x11")])
        fleet.admin.reset_requests(bmc["name"])


def statuses(results_dir, host):
    record = json.loads((results_dir / ("%s.json" % host)).read_text())
    return {r["id"]: r["status"] for r in record["results"]}


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=3, profile="mixed", base_address="127.0.45.1", seed=3) as running:
        yield running


@pytest.fixture(scope="module")
def story(fleet, tmp_path_factory):
    """The ops story, run once: each step's run and the simulator's write log per BMC."""
    tmp = tmp_path_factory.mktemp("remediate")
    deviate(fleet)
    results_dir = tmp / "reports"
    inventory = make_inventory(tmp, fleet.inventory_path, results_dir)
    extravars = {"bmc_audit_results_dir": str(results_dir), "bmc_remediate_unlock": True,
                 "bmc_access_accounts": [{"username": fleet.username, "role": "Administrator"},
                                         {"username": "monitor", "role": "ReadOnly", "password": NEW_MONITOR_PASSWORD,
                                          "update_password": "always"}]}
    steps = {}
    for name, playbook, cmdline in [("audit", "playbooks/audit.yml", None),
                                    ("check", "playbooks/remediate.yml", "--check --diff -vvv"),
                                    ("apply", "playbooks/remediate.yml", "-vvv"),
                                    ("again", "playbooks/remediate.yml", None),
                                    ("tagged", "playbooks/remediate.yml", "--tags acct,sess")]:
        for bmc in fleet.bmcs:
            fleet.admin.reset_requests(bmc["name"])
        run = playbook_run(tmp / name, playbook, inventory, extravars=extravars, cmdline=cmdline)
        steps[name] = (run, {b["name"]: writes(fleet, b["name"]) for b in fleet.bmcs})
        if name == "audit":
            audited = {b["name"]: statuses(results_dir, b["name"]) for b in fleet.bmcs}
    return steps, results_dir, audited


def test_the_audit_finds_every_access_deviation(story, fleet):
    steps, results_dir, audited = story
    for bmc in fleet.bmcs:
        failing = {i for i, s in audited[bmc["name"]].items() if s == "fail"} & ACCESS_CONTROLS
        expected = ACCESS_CONTROLS - ({"acct-directory-tls"} if bmc["generation"] == "x11" else set())
        assert failing == expected, bmc


def test_check_diff_sends_no_write_and_shows_the_plan(story, fleet):
    steps, results_dir, _ = story
    run, sent = steps["check"]
    assert run.status == "successful" and sent == {b["name"]: [] for b in fleet.bmcs}
    plans = [e["event_data"]["res"] for e in run.events if e.get("event") == "runner_on_ok"
             and e["event_data"].get("task", "").startswith("Enforce the BMC")]
    assert len(plans) == len(fleet.bmcs)        # one task, one session per host for accounts and policy
    paths = {op["path"] for res in plans for op in res["plan"]["operations"]}
    assert {"/redfish/v1/AccountService", "/redfish/v1/SessionService", "/redfish/v1/AccountService/Accounts/2",
            "/redfish/v1/AccountService/Accounts/5"} <= paths
    assert all(res["bmc_remediation"]["status"] == "planned" for res in plans)
    assert '-      "role": "Administrator",\n+      "role": "ReadOnly",' in run.stdout       # --diff before/after
    assert '"SessionTimeout": 3600' not in run.stdout or "+    \"session_timeout\": 300" in run.stdout


def test_remediate_fixes_every_access_control_and_the_reaudit_passes_them(story, fleet):
    steps, results_dir, _ = story
    run, sent = steps["apply"]
    assert run.status == "successful"
    for bmc in fleet.bmcs:
        after = statuses(results_dir, bmc["name"])
        assert {i: after[i] for i in ACCESS_CONTROLS if after[i] not in ("pass", "notapplicable")} == {}, bmc
        paths = [p for _, p, _ in sent[bmc["name"]]]
        assert all(status == 200 or status == 201 for _, _, status in sent[bmc["name"]])
        locked = bmc["generation"] != "x11"
        # one unlock/lock pair per write task on a locked BMC, nothing else but the differing resources: bmc_access
        # (accounts and policy in one plan) and bmc_exposure, which removes the LDAP server ldap_cleartext leaves (net-egress)
        assert paths.count("/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown") == (4 if locked else 0)
        if locked:      # locked again at the end (X11 has no SysLockdown)
            assert fleet.admin.get_resource(bmc["name"], "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown")["SysLockdownEnabled"]
    accounts = {a["username"]: a for a in fleet.admin.accounts(fleet.bmcs[0]["name"])}
    assert accounts["monitor"]["password"] == NEW_MONITOR_PASSWORD and accounts["monitor"]["role"] == "ReadOnly"
    assert not accounts["ADMIN"]["enabled"] and not accounts["temp_admin"]["enabled"]
    assert "Summary of what changed per host" in run.stdout and "temp_admin.Enabled" in run.stdout


def test_second_run_changes_nothing_and_writes_nothing(story, fleet):
    steps, _, _ = story
    for name in ("again", "tagged"):
        run, sent = steps[name]
        assert run.status == "successful" and run.changed() == 0, name
        assert sent == {b["name"]: [] for b in fleet.bmcs}, name
    tagged = steps["tagged"][0]
    ran = [e for e in tagged.events if e.get("event") == "runner_on_ok" and e["event_data"].get("task", "").startswith("Enforce the BMC")]
    assert len(ran) == len(fleet.bmcs)      # --tags ran the role against every BMC: nothing left to do


def test_no_password_anywhere(story, fleet):
    steps, results_dir, _ = story
    secrets = [fleet.password, NEW_MONITOR_PASSWORD] + [a["password"] for b in fleet.bmcs for a in fleet.admin.accounts(b["name"])
                                                        if a["username"] in ("ADMIN", "temp_admin")]
    texts = [run.all_text() for run, _ in steps.values()]
    texts += [p.read_text() for p in results_dir.rglob("*") if p.is_file()]
    for text in texts:
        for secret in secrets:
            assert secret not in text
    assert any("remediation" in str(p) for p in results_dir.rglob("*.json"))


def test_refused_plans_and_locked_bmcs_write_nothing(fleet, tmp_path):
    """Not listing the connecting account would disable it: refused before any write, for every
    host. A locked BMC without bmc_remediate_unlock is left untouched and reported locked."""
    deviate(fleet)
    results_dir = tmp_path / "reports"
    inventory = make_inventory(tmp_path, fleet.inventory_path, results_dir)
    run = playbook_run(tmp_path / "refused", "playbooks/remediate.yml", inventory,
                       extravars={"bmc_audit_results_dir": str(results_dir), "bmc_remediate_unlock": True,
                                  "bmc_access_accounts": [{"username": "monitor", "role": "ReadOnly"}]})
    assert run.status == "failed"
    assert "the plan would disable account %s, the account this run connects with" % fleet.username in run.stdout
    assert all(writes(fleet, b["name"]) == [] for b in fleet.bmcs)

    for bmc in fleet.bmcs:
        fleet.admin.reset_requests(bmc["name"])
    run = playbook_run(tmp_path / "locked", "playbooks/remediate.yml", inventory,
                       extravars={"bmc_audit_results_dir": str(results_dir), "bmc_remediate_unlock": False})
    assert run.status == "successful"
    locked = [b["name"] for b in fleet.bmcs if b["generation"] != "x11"]
    assert locked and all(writes(fleet, name) == [] for name in locked)
    assert "locked: SysLockdown is on" in run.stdout


def test_rotating_the_automations_own_password_then_the_reaudit_uses_it(fleet, tmp_path):
    """The fleet rotation's last step: the connecting account gets a new password (proven by a
    fresh login), the rest of the run (policy, re-audit) connects with it, and it never shows."""
    deviate(fleet)
    new = "Rotated!Auto2026"
    results_dir = tmp_path / "reports"
    inventory = make_inventory(tmp_path, fleet.inventory_path, results_dir)
    try:
        run = playbook_run(tmp_path / "rotate", "playbooks/remediate.yml", inventory, cmdline="-vvv",
                           extravars={"bmc_audit_results_dir": str(results_dir), "bmc_remediate_unlock": True,
                                      "bmc_access_accounts": [{"username": fleet.username, "role": "Administrator", "password": new,
                                                               "update_password": "always"},
                                                              {"username": "monitor", "role": "ReadOnly"}]})
        assert run.status == "successful"
        for bmc in fleet.bmcs:
            assert {a["username"]: a["password"] for a in fleet.admin.accounts(bmc["name"])}[fleet.username] == new
            after = statuses(results_dir, bmc["name"])      # the re-audit logged in with the new password
            assert {i: after[i] for i in ACCESS_CONTROLS if after[i] not in ("pass", "notapplicable")} == {}, bmc
        assert new not in run.all_text() and fleet.password not in run.all_text()
        assert new not in "".join(p.read_text() for p in results_dir.rglob("*") if p.is_file())
    finally:
        for bmc in fleet.bmcs:
            fleet.admin.reset(bmc["name"])


def test_fail_on_noncompliant_gates_after_the_reaudit(fleet, tmp_path):
    """The access controls are fixed, but the old BMC firmware on X12/X13 (the firmware role's,
    not in this run) is still there: the gate fails the run and names those hosts; without the
    gate the run succeeds."""
    deviate(fleet)
    for bmc in fleet.bmcs:
        if bmc["generation"] != "x11":
            fleet.admin.apply_deviations(bmc["name"], "old_bmc_fw")
    results_dir = tmp_path / "reports"
    inventory = make_inventory(tmp_path, fleet.inventory_path, results_dir)
    extravars = {"bmc_audit_results_dir": str(results_dir), "bmc_remediate_unlock": True, "bmc_fail_on_noncompliant": True}
    run = playbook_run(tmp_path / "gate", "playbooks/remediate.yml", inventory, extravars=extravars)
    assert run.status == "failed" and "not compliant:" in run.stdout
    named = run.stdout.split("not compliant:", 1)[1].splitlines()[0]
    assert {b["name"] for b in fleet.bmcs if b["generation"] != "x11"} <= set(named.replace(",", " ").replace('"', " ").split())
    for bmc in fleet.bmcs:
        after = statuses(results_dir, bmc["name"])
        assert {i: after[i] for i in ACCESS_CONTROLS if after[i] not in ("pass", "notapplicable")} == {}, bmc


def test_an_unsupported_host_is_not_remediated_even_when_forced(tmp_path):
    # Another vendor's Redfish service: the audit says unsupported; remediate.yml, even with
    # --tags acct,sess, sends it no Supermicro write and says why in the summary.
    with SimFleet(count=1, profile="generic", base_address="127.0.45.21") as generic:
        name = generic.bmcs[0]["name"]
        results_dir = tmp_path / "reports"
        inventory = make_inventory(tmp_path, generic.inventory_path, results_dir)
        extravars = {"bmc_audit_results_dir": str(results_dir), "bmc_remediate_unlock": True}
        playbook_run(tmp_path / "audit", "playbooks/audit.yml", inventory, extravars=extravars)
        assert json.loads((results_dir / ("%s.json" % name)).read_text())["status"] == "unsupported"
        generic.admin.reset_requests(name)
        run = playbook_run(tmp_path / "forced", "playbooks/remediate.yml", inventory, extravars=extravars,
                           cmdline="--tags acct,sess")
        assert run.status == "successful", run.stdout
        assert writes(generic, name) == []
        assert "unsupported at the last audit" in run.stdout and "not remediated" in run.stdout


def test_a_concern_whose_controls_are_not_selected_is_not_planned(fleet, tmp_path):
    """--tags sess-timeout: the one access task plans only the policy; an account list that would
    be refused (the connecting account left out) does not block it, and only the session timeout
    is written (with one unlock/lock pair on a locked BMC)."""
    deviate(fleet)
    results_dir = tmp_path / "reports"
    inventory = make_inventory(tmp_path, fleet.inventory_path, results_dir)
    run = playbook_run(tmp_path / "sess", "playbooks/remediate.yml", inventory, cmdline="--tags sess-timeout",
                       extravars={"bmc_audit_results_dir": str(results_dir), "bmc_remediate_unlock": True,
                                  "bmc_access_accounts": [{"username": "monitor", "role": "ReadOnly"}]})
    assert run.status == "successful", run.stdout
    for bmc in fleet.bmcs:
        paths = [p for _, p, _ in writes(fleet, bmc["name"])]
        lock = ["/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown"] * (2 if bmc["generation"] != "x11" else 0)
        assert sorted(paths) == sorted(["/redfish/v1/SessionService"] + lock), bmc["name"]


def test_a_password_shorter_than_the_minimum_this_run_sets_is_refused_before_any_write(fleet, tmp_path):
    """Policy and accounts are one plan: the accounts are checked against the MinPasswordLength
    the run sets (14 in the baseline), not only the BMC's current, weaker one."""
    deviate(fleet)
    results_dir = tmp_path / "reports"
    inventory = make_inventory(tmp_path, fleet.inventory_path, results_dir)
    short = "Mon!Short2x"     # 11 characters: fine for the weak policy the BMC has, not for 14
    run = playbook_run(tmp_path / "short", "playbooks/remediate.yml", inventory,
                       extravars={"bmc_audit_results_dir": str(results_dir), "bmc_remediate_unlock": True,
                                  "bmc_access_accounts": [{"username": fleet.username, "role": "Administrator"},
                                                          {"username": "monitor", "role": "ReadOnly", "password": short,
                                                           "update_password": "always"}]})
    assert run.status == "failed"
    assert "account monitor: password must be 14 to 20 characters long" in run.stdout and "nothing was written" in run.stdout
    assert all(writes(fleet, b["name"]) == [] for b in fleet.bmcs)
    assert short not in run.stdout
