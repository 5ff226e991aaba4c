"""The write framework against the simulator: plan -> apply -> verify over HTTPS, with the
SysLockdown cycle, fault injection in the middle, the password proof and its rollback, and the
simulator's request log as the witness of what was written."""

from __future__ import annotations

import pytest

from ansible_collections.bmclock.supermicro.plugins.module_utils import access, enforce
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishClient
from bmcsim.testing import SimFleet
from playbook_support import fresh

ACCESS_DEVIATIONS = ("default_admin_enabled", "extra_admin", "operator_role_escalated", "session_timeout_long",
                     "weak_password_policy", "ldap_cleartext")
LOCK = "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown"
WANTED = [{"username": "ansible", "role": "Administrator"}, {"username": "monitor", "role": "ReadOnly"}]


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=2, profile="x13", base_address="127.0.43.1", seed=8) as running:
        yield running


class Ctx:
    verifying = False

    def __init__(self, fleet, client_for):
        self.host, self.username, self._password, self._client_for = "bmc", fleet.username, fleet.password, client_for

    def is_current_password(self, candidate):
        return candidate == self._password

    @property
    def current_password(self):
        return self._password

    def probe(self, username, password):
        return False


def client(fleet, bmc, username=None, password=None):
    return RedfishClient(bmc["address"], port=bmc["port"], username=username or fleet.username,
                         password=password or fleet.password, ca_path=fleet.ca_path, retries=0)


def writes(fleet, bmc):
    return [(m, p, s) for m, p, s in fleet.admin.requests(bmc["name"])["log"]
            if m in ("PATCH", "POST", "DELETE") and not p.startswith("/redfish/v1/SessionService/Sessions")]


def accounts_plan(fleet, bmc, rf, config=WANTED, **options):
    state = enforce.read(rf, ("accounts", "account_policy"))
    wanted = access.validate_accounts("bmc", config, "overridden", factory_admin="disabled", **options)
    plan = access.plan_accounts("bmc", state.raw, wanted, Ctx(fleet, None))
    enforce.lock_state(plan, state)
    enforce.gate(plan, state.facts)
    return plan, wanted


def test_locked_bmc_untouched_without_unlock(fleet):
    bmc = fresh(fleet, "x13")
    fleet.admin.apply_deviations(bmc["name"], *ACCESS_DEVIATIONS)
    fleet.admin.reset_requests(bmc["name"])
    with client(fleet, bmc) as rf:
        plan, _ = accounts_plan(fleet, bmc, rf)
        outcome = enforce.apply(rf, plan, unlock=False)
    assert plan.locked and len(plan.operations) == 3
    assert outcome["status"] == "locked" and "locked: SysLockdown is on" in outcome["msg"]
    assert writes(fleet, bmc) == []


def test_unlock_apply_lock_verify_then_nothing_left(fleet):
    bmc = fresh(fleet, "x13")
    fleet.admin.apply_deviations(bmc["name"], *ACCESS_DEVIATIONS)
    fleet.admin.reset_requests(bmc["name"])
    with client(fleet, bmc) as rf:
        state = enforce.read(rf, ("accounts", "account_policy"))
        plan, wanted = accounts_plan(fleet, bmc, rf)
        outcome = enforce.apply(rf, plan, unlock=True)
        problems, after = enforce.verify(rf, state, plan, lambda s: access.plan_accounts("bmc", s.raw, wanted, Ctx(fleet, None)))
    assert outcome["status"] == "changed" and problems == []
    assert {a["username"]: a["enabled"] for a in access.accounts_config(after.raw)}["temp_admin"] is False
    sent = writes(fleet, bmc)
    assert sent[0] == ("PATCH", LOCK, 200) and sent[-1] == ("PATCH", LOCK, 200)
    assert sorted(p for _, p, _ in sent[1:-1]) == ["/redfish/v1/AccountService/Accounts/%s" % i for i in ("2", "4", "5")]
    assert fleet.admin.get_resource(bmc["name"], LOCK)["SysLockdownEnabled"] is True
    accounts = {a["username"]: a for a in fleet.admin.accounts(bmc["name"])}
    assert not accounts["ADMIN"]["enabled"] and not accounts["temp_admin"]["enabled"] and accounts["monitor"]["role"] == "ReadOnly"
    fleet.admin.reset_requests(bmc["name"])
    with client(fleet, bmc) as rf:
        plan, _ = accounts_plan(fleet, bmc, rf)
    assert plan.operations == [] and writes(fleet, bmc) == []


def test_failed_write_in_between_still_ends_locked_and_lists_what_was_applied(fleet):
    bmc = fresh(fleet, "x13")
    fleet.admin.apply_deviations(bmc["name"], *ACCESS_DEVIATIONS)
    # the third account write fails: Accounts/5 answers 503 to PATCH (GETs still work)
    fleet.admin.set_knobs(bmc["name"], fault={"kind": "503", "paths": ["/redfish/v1/AccountService/Accounts/5"], "methods": ["PATCH"]})
    fleet.admin.reset_requests(bmc["name"])
    with client(fleet, bmc) as rf:
        plan, _ = accounts_plan(fleet, bmc, rf)
        outcome = enforce.apply(rf, plan, unlock=True)
    assert outcome["status"] == "failed"
    assert "Accounts/5" in outcome["error"] and "temp_admin.Enabled" in outcome["error"] and "127.0.43" in outcome["error"]
    assert [op["path"].rsplit("/", 1)[1] for op in outcome["applied"]] == ["4", "2"]
    assert writes(fleet, bmc)[-1] == ("PATCH", LOCK, 200)
    assert fleet.admin.get_resource(bmc["name"], LOCK)["SysLockdownEnabled"] is True


def test_new_password_of_the_connecting_account_rolled_back_when_the_proof_fails(fleet):
    bmc = fresh(fleet, "x12") if any(b["generation"] == "x12" for b in fleet.bmcs) else fresh(fleet, "x13")
    fleet.admin.set_knobs(bmc["name"], password_patch_lost=True)     # the BMC says 200 but keeps the old password
    new = "New!Operator2025"
    config = [dict(WANTED[0], password=new, update_password="always"), WANTED[1]]

    def prove(username, password):
        with client(fleet, bmc, username, password) as fresh_login:
            fresh_login.get("/redfish/v1/SessionService")

    with client(fleet, bmc) as rf:
        plan, _ = accounts_plan(fleet, bmc, rf, config)
        assert [op.proves for op in plan.operations] == ["ansible"]
        outcome = enforce.apply(rf, plan, unlock=True, prove=prove)
    assert outcome["status"] == "failed" and "did not work for a fresh login" in outcome["error"]
    assert "the old password was restored" in outcome["error"] and new not in str(outcome)
    assert [op["description"].split(":")[0] for op in outcome["applied"]] == [
        "new password for ansible (the connecting account", "rolled back"]
    assert {a["username"]: a["password"] for a in fleet.admin.accounts(bmc["name"])}["ansible"] == fleet.password
    with client(fleet, bmc) as rf:      # the operator still gets in
        rf.get("/redfish/v1/AccountService")


def test_connecting_account_password_change_proven(fleet):
    bmc = fresh(fleet, "x13")
    new = "New!Operator2025"
    config = [dict(WANTED[0], password=new, update_password="always"), WANTED[1]]
    proofs = []

    def prove(username, password):
        with client(fleet, bmc, username, password) as fresh_login:
            proofs.append(fresh_login.get("/redfish/v1/SessionService")["@odata.id"])

    try:
        with client(fleet, bmc) as rf:
            plan, _ = accounts_plan(fleet, bmc, rf, config)
            outcome = enforce.apply(rf, plan, unlock=True, prove=prove)
        assert outcome["status"] == "changed" and proofs == ["/redfish/v1/SessionService"]
        assert {a["username"]: a["password"] for a in fleet.admin.accounts(bmc["name"])}["ansible"] == new
    finally:
        fleet.admin.reset(bmc["name"])


def test_approved_directory_made_tls_only_through_the_simulator(fleet):
    bmc = fresh(fleet, "x13")
    fleet.admin.apply_deviations(bmc["name"], "ldap_cleartext")
    wanted = access.validate_policy("bmc", {"ldap": {"enabled": True, "tls": "start_tls"},
                                            "active_directory": {"enabled": True, "tls": "ldaps"}},
                                    {"bmc_approved_directory_servers": ["10.10.0.40"]})
    sections = ("account_policy", "directory", "radius", "session")
    with client(fleet, bmc) as rf:
        state = enforce.read(rf, sections)
        plan = access.plan_policy("bmc", state.raw, wanted, state.paths)
        enforce.lock_state(plan, state)
        outcome = enforce.apply(rf, plan, unlock=True)
        problems, _ = enforce.verify(rf, state, plan, lambda s: access.plan_policy("bmc", s.raw, wanted, s.paths))
        after = enforce.read(rf, sections, gates=False).facts["directory"]
    assert outcome["status"] == "changed" and problems == []
    assert [op.body for op in plan.operations] == [{"Oem": {"Supermicro": {"LDAP": {"StartTLSEnabled": True}}}}]  # AD is off: left off
    assert after["ldap"]["enabled"] and after["ldap"]["tls"]
