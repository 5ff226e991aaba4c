"""The pure parts of the write side: differences, masking, prediction, password rules, the
never-lock-out check and the policy targets against the audit's bounds."""

from __future__ import annotations

import pytest

from ansible_collections.bmclock.supermicro.plugins.module_utils import access, enforce, supermicro

ACCOUNTS = supermicro.RESOURCE_PATHS["X13"]["accounts"]


class Ctx:
    verifying = False

    def __init__(self, username="ansible", password="Sim!Operator2024", probe=lambda u, p: False):
        self.host, self.username, self._password, self.probe = "bmc1", username, password, probe

    def is_current_password(self, candidate):
        return candidate == self._password

    @property
    def current_password(self):
        return self._password


def member(id_, name, role="Administrator", enabled=True):
    return {"@odata.id": "%s/%s" % (ACCOUNTS, id_), "Id": id_, "UserName": name, "RoleId": role, "Enabled": enabled, "Locked": False}


def raw(*members, min_length=8):
    return {"accounts": list(members), "account_service": {"MinPasswordLength": min_length, "MaxPasswordLength": 20,
                                                           "AccountLockoutThreshold": 5}}


FLEET = (member("2", "ADMIN", enabled=False), member("3", "ansible"), member("4", "monitor", "ReadOnly"))


def desired(config, state="merged", **kwargs):
    return access.validate_accounts("bmc1", config, state, **kwargs)


def test_difference_sends_only_what_differs_nested():
    body, changes = enforce.difference({"A": 1, "B": {"C": 2, "D": 3}}, {"A": 1, "B": {"C": 2, "D": 4}, "E": 5})
    assert body == {"B": {"D": 4}, "E": 5}
    assert [c["field"] for c in changes] == ["B.D", "E"]


def test_secrets_are_masked_in_bodies_changes_and_error_texts():
    body, changes = enforce.difference({}, {"UserName": "x", "Password": "S3cret!Pass"})
    assert enforce.mask(body) == {"UserName": "x", "Password": enforce.MASK}
    assert "S3cret!Pass" not in str(changes)
    assert enforce.scrub("value S3cret!Pass refused", body) == "value ******** refused"


def test_simulate_predicts_the_after_state():
    state = enforce.State({}, raw(*FLEET), supermicro.RESOURCE_PATHS["X13"])
    plan = access.plan_accounts("bmc1", state.raw, desired([{"username": "ansible"}, {"username": "new1", "role": "Operator",
                                                                                      "password": "Fresh!Pass42"}], "overridden"), Ctx())
    after = access.accounts_config(enforce.simulate(state, plan).raw)
    assert {a["username"]: a["enabled"] for a in after} == {"ADMIN": False, "ansible": True, "monitor": False, "new1": True}
    assert access.accounts_config(state.raw)[2]["enabled"] is True     # the read itself is untouched


@pytest.mark.parametrize("password, problem", [
    ("Sh0rt!", "8 to 20 characters"),
    ("Way!Too!Long!Password123", "8 to 20 characters"),
    ("alllower1!x", "upper case"),
    ("NoDigits!Here", "digit"),
    ("NoSpecial123x", "special"),
    ("Xmonitor!2024", "user name"),
])
def test_password_rules_refused_before_any_write_naming_host_and_account(password, problem):
    with pytest.raises(enforce.PlanRefused) as refused:
        desired([{"username": "monitor", "password": password}])
    assert "bmc1" in str(refused.value) and "account monitor" in str(refused.value) and problem in str(refused.value)
    assert password not in str(refused.value)


def test_password_checked_against_the_bmc_minimum_too():
    wanted = desired([{"username": "ansible"}, {"username": "new1", "password": "Good!Pass12"}])
    with pytest.raises(enforce.PlanRefused, match="must be 14 to 20"):
        access.plan_accounts("bmc1", raw(*FLEET, min_length=14), wanted, Ctx())


@pytest.mark.parametrize("config, state, what", [
    ([{"username": "ansible", "enabled": False}], "merged", "disable account ansible"),
    ([{"username": "ansible", "role": "Operator"}], "merged", "demote account ansible"),
    ([{"username": "ansible"}], "deleted", "delete account ansible"),
    ([{"username": "monitor", "role": "ReadOnly"}], "overridden", "disable account ansible"),
])
def test_the_connecting_account_is_never_disabled_demoted_or_deleted(config, state, what):
    with pytest.raises(enforce.PlanRefused, match=what):
        access.plan_accounts("bmc1", raw(*FLEET), desired(config, state), Ctx())


def test_one_enabled_administrator_always_remains():
    # connected as a read-only user (the BMC would refuse anyway): the last administrator is never demoted
    fleet = (member("3", "ansible"), member("4", "monitor", "ReadOnly"))
    with pytest.raises(enforce.PlanRefused, match="no enabled Administrator"):
        access.plan_accounts("bmc1", raw(*fleet), desired([{"username": "ansible", "role": "ReadOnly"}]), Ctx("monitor"))


def test_factory_admin_is_disabled_never_deleted():
    fleet = (member("2", "ADMIN"), member("3", "ansible"))
    plan = access.plan_accounts("bmc1", raw(*fleet), desired([{"username": "ansible"}], "overridden", purge="delete",
                                                             factory_admin="disabled"), Ctx())
    assert [(op.method, op.path, op.body, op.control) for op in plan.operations] == [
        ("PATCH", ACCOUNTS + "/2", {"Enabled": False}, "acct-default-creds")]


def test_connecting_account_password_change_is_proven_and_has_a_rollback():
    plan = access.plan_accounts("bmc1", raw(*FLEET), desired([{"username": "ansible", "password": "New!Operator2025"}],
                                                             update_password="always"), Ctx())
    (op,) = plan.operations
    assert op.proves == "ansible" and op.rollback.body == {"Password": "Sim!Operator2024"}
    assert "Operator2025" not in str(op.public()) and "Operator2024" not in str(op.rollback.public())
    assert op.secret_only
    same = access.plan_accounts("bmc1", raw(*FLEET), desired([{"username": "ansible", "password": "Sim!Operator2024"}],
                                                             update_password="always"), Ctx())
    assert same.operations == []


def test_other_passwords_probed_once_and_not_when_lockout_would_trigger():
    probes = []
    config = [{"username": "ansible"}, {"username": "monitor", "password": "Mon!Rotated2025", "update_password": "always"}]
    ctx = Ctx(probe=lambda user, password: probes.append(user) or True)
    assert access.plan_accounts("bmc1", raw(*FLEET), desired(config), ctx).operations == []
    assert probes == ["monitor"]
    strict = raw(*FLEET)
    strict["account_service"]["AccountLockoutThreshold"] = 1
    plan = access.plan_accounts("bmc1", strict, desired(config), ctx)
    assert probes == ["monitor"] and [op.body for op in plan.operations] == [{"Password": "Mon!Rotated2025"}]


def test_create_sends_enabled_and_needs_a_password():
    plan = access.plan_accounts("bmc1", raw(*FLEET), desired([{"username": "ansible"}, {"username": "ops", "role": "Operator",
                                                                                      "password": "Team!Account42"}]), Ctx())
    (op,) = plan.operations
    assert (op.method, op.path, op.step) == ("POST", ACCOUNTS, "create")
    assert op.body == {"UserName": "ops", "Password": "Team!Account42", "RoleId": "Operator", "Enabled": True}
    with pytest.raises(enforce.PlanRefused, match="account ops does not exist and has no password"):
        access.plan_accounts("bmc1", raw(*FLEET), desired([{"username": "ops"}]), Ctx())


def test_policy_targets_validated_against_the_audit_bounds():
    baseline = {"bmc_password_policy": {"min_length": 14, "lockout_threshold_max": 5, "lockout_duration_min": 300},
                "bmc_session_timeout_max": 900}
    assert access.validate_policy("bmc1", {"min_password_length": 14, "session_timeout": 300}, baseline)
    for config, text in [({"min_password_length": 12}, "below the audit's bound bmc_password_policy.min_length 14"),
                         ({"session_timeout": 1800}, "above the audit's bound bmc_session_timeout_max 900"),
                         ({"lockout_threshold": 0}, "between 1 and 10"),
                         ({"ldap": {"enabled": True}}, "tls: start_tls"),
                         ({"radius": {"enabled": True}}, "RADIUS has no TLS")]:
        with pytest.raises(enforce.PlanRefused, match=text.replace("(", r"\(")):
            access.validate_policy("bmc1", config, baseline)


def test_policy_plan_one_patch_per_resource_with_only_the_differences():
    current = {"account_service": {"MinPasswordLength": 8, "AccountLockoutThreshold": 5, "LDAP": {"ServiceEnabled": True},
                                   "ActiveDirectory": {"ServiceEnabled": False}},
               "session_service": {"SessionTimeout": 300}, "radius": {"RadiusEnabled": False}}
    wanted = access.validate_policy("bmc1", {"min_password_length": 14, "lockout_threshold": 5, "session_timeout": 300,
                                             "ldap": {"enabled": False}, "active_directory": {"enabled": False},
                                             "radius": {"enabled": False}})
    plan = access.plan_policy("bmc1", current, wanted, supermicro.RESOURCE_PATHS["X13"])
    assert [(op.path, op.body) for op in plan.operations] == [
        ("/redfish/v1/AccountService", {"MinPasswordLength": 14, "LDAP": {"ServiceEnabled": False}})]
    assert {c["control"] for c in plan.operations[0].changes} == {"acct-password-policy", "acct-directory-tls"}


def test_licence_gate_marks_the_control_not_licensed():
    plan = enforce.Plan("bmc1", [enforce.Operation("PATCH", "/x", {"SysLockdownEnabled": True}, "host-syslockdown", "lockdown")])
    enforce.gate(plan, {"licenses": {"supported": True, "installed": ["SFT-OOB-LIC"]}})
    assert plan.operations == [] and plan.not_licensed == {"host-syslockdown": "not licensed (needs SFT-DCMS-SINGLE)"}


def test_factory_admin_rotated_is_enabled_with_the_vault_password_then_left_alone():
    wanted = desired([{"username": "ansible"}], factory_admin="rotated", factory_admin_password="Label!Rotated42")
    plan = access.plan_accounts("bmc1", raw(*FLEET), wanted, Ctx())
    assert [(op.body, op.control) for op in plan.ordered()] == [
        ({"Password": "Label!Rotated42"}, "acct-default-creds"), ({"Enabled": True}, "acct-default-creds")]
    enabled = (member("2", "ADMIN"),) + FLEET[1:]
    assert access.plan_accounts("bmc1", raw(*enabled), wanted, Ctx(probe=lambda u, p: True)).operations == []


def test_disabled_accounts_get_no_password_change_on_every_run():
    fleet = FLEET[:2] + (member("4", "monitor", "ReadOnly", enabled=False),)
    config = [{"username": "ansible"}, {"username": "monitor", "enabled": False, "password": "Mon!Rotated2025",
                                        "update_password": "always"}]
    assert access.plan_accounts("bmc1", raw(*fleet), desired(config), Ctx()).operations == []


def test_directory_logins_stay_on_only_when_approved_and_then_tls_only():
    current = {"account_service": {"LDAP": {"ServiceEnabled": True, "ServiceAddresses": ["ldap://10.10.0.40:389"]},
                                   "Oem": {"Supermicro": {"LDAP": {"StartTLSEnabled": False}}}}}
    paths = supermicro.RESOURCE_PATHS["X13"]
    approved = access.validate_policy("bmc1", {"ldap": {"enabled": True, "tls": "start_tls"}},
                                      {"bmc_approved_directory_servers": ["10.10.0.40"]})
    (op,) = access.plan_policy("bmc1", current, approved, paths).operations
    assert op.body == {"Oem": {"Supermicro": {"LDAP": {"StartTLSEnabled": True}}}}
    # Bound to another server than the approved one: bmc_exposure owns ServiceAddresses and points it
    # at the approved server, so bmc_access only makes it TLS-only; with no approved server, off.
    elsewhere = access.validate_policy("bmc1", {"ldap": {"enabled": True, "tls": "start_tls"}},
                                       {"bmc_approved_directory_servers": ["10.10.0.41"]})
    (op,) = access.plan_policy("bmc1", current, elsewhere, paths).operations
    assert op.body == {"Oem": {"Supermicro": {"LDAP": {"StartTLSEnabled": True}}}}
    nowhere = access.validate_policy("bmc1", {"ldap": {"enabled": True, "tls": "start_tls"}}, {"bmc_approved_directory_servers": []})
    (op,) = access.plan_policy("bmc1", current, nowhere, paths).operations
    assert op.body == {"LDAP": {"ServiceEnabled": False}} and op.control == "acct-directory-tls"
