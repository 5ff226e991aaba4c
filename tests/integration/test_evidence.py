"""Evidence, not absence of evidence (issue 7): gather + evaluate against the simulator with its
knobs (a property dropped or retyped, a listed member answering 404, an HTTP 500, another root)
and against a foreign Redfish service written here (tests/integration/foreign_redfish.py).
Each test names what the code before issue 7 returned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance, gather
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishClient
from bmcsim.testing import SimFleet
from foreign_redfish import ForeignRedfish
from playbook_support import fresh

ROOT = Path(__file__).resolve().parents[2]
CAPTURES = ROOT.parent / "shared" / "reference" / "captures"
R = "/redfish/v1"
NETWORK_PROTOCOL = R + "/Managers/1/NetworkProtocol"
IP_ACL = R + "/Managers/1/Oem/Supermicro/IPAccessControl"
OEM_CONTROLS = {"fw-allowlist", "net-ip-acl", "host-hi-off", "host-kcs-callback", "host-syslockdown", "log-syslog"}


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=3, profile="mixed", base_address="127.0.42.1", seed=7) as running:
        yield running


@pytest.fixture(scope="module")
def catalog():
    return compliance.load_catalog(ROOT / "roles" / "bmc_audit" / "vars" / "controls.yml")


@pytest.fixture(scope="module")
def baseline(fleet):
    values = yaml.safe_load((ROOT / "inventory" / "group_vars" / "all" / "baseline.yml").read_text())
    values["bmc_allowed_accounts"][0]["username"] = fleet.username
    return compliance.baseline_from_vars(values)


def audit(fleet, bmc, catalog, baseline):
    with RedfishClient(bmc["address"], port=bmc["port"], username=fleet.username, password=fleet.password,
                       ca_path=fleet.ca_path) as rf:
        facts = gather.gather(rf)
    evaluation = compliance.evaluate(facts, catalog, baseline)
    return facts, {r["id"]: r for r in evaluation["results"]}, evaluation["summary"]


def audit_foreign(service, catalog, baseline):
    with RedfishClient(service.address, port=service.port, username="ops", password="Foreign!Pass1",
                       ca_path=service.ca_path) as rf:
        facts = gather.gather(rf)
    evaluation = compliance.evaluate(facts, catalog, baseline)
    return facts, {r["id"]: r for r in evaluation["results"]}, evaluation["summary"]


def capture(name):
    return json.loads((CAPTURES / name).read_text())


# -- missing or odd data is an error -----------------------------------------------------------

def test_a_deleted_ssh_property_is_an_error_not_a_pass(fleet, catalog, baseline):
    # Old: with SSH on, deleting NetworkProtocol.SSH turned svc-ssh-off from fail into pass.
    bmc = fresh(fleet, "x13")
    fleet.admin.apply_deviations(bmc["name"], "ssh_on")
    assert audit(fleet, bmc, catalog, baseline)[1]["svc-ssh-off"]["status"] == "fail"
    fleet.admin.patch_resource(bmc["name"], NETWORK_PROTOCOL, {"SSH": None})
    facts, results, summary = audit(fleet, bmc, catalog, baseline)
    assert results["svc-ssh-off"]["status"] == "error"
    assert NETWORK_PROTOCOL in results["svc-ssh-off"]["reason"] and "SSH is missing" in results["svc-ssh-off"]["reason"]
    assert "HTTP 200" in results["svc-ssh-off"]["reason"]
    assert summary["status"] != "compliant"


def test_service_enabled_as_a_string_is_an_error(fleet, catalog, baseline):
    # Old: "false" (a string) counted as enabled and net-ip-acl passed.
    bmc = fresh(fleet, "x13")
    fleet.admin.patch_resource(bmc["name"], IP_ACL, {"ServiceEnabled": "false"})
    facts, results, summary = audit(fleet, bmc, catalog, baseline)
    assert facts["ip_access_control"] == {"error": "GET %s: HTTP 200 but property ServiceEnabled is str 'false', expected bool"
                                          % IP_ACL}
    assert results["net-ip-acl"]["status"] == "error" and summary["status"] == "error"


def test_a_wrong_type_makes_the_section_an_error(fleet, catalog, baseline):
    bmc = fresh(fleet, "x12")
    fleet.admin.patch_resource(bmc["name"], R + "/AccountService", {"MinPasswordLength": "14"})
    facts, results, _ = audit(fleet, bmc, catalog, baseline)
    assert facts["account_policy"] == {"error": "GET %s/AccountService: HTTP 200 but property MinPasswordLength is str '14', "
                                                "expected int" % R}
    assert results["acct-password-policy"]["status"] == "error"


def test_a_listed_account_answering_404_is_an_error(fleet, catalog, baseline):
    # Old: acct-default-creds, acct-allowlist, acct-least-privilege notapplicable "not supported on X13".
    bmc = fresh(fleet, "x13")
    fleet.admin.set_knobs(bmc["name"], fault={"kind": "404", "paths": [R + "/AccountService/Accounts/4"]})
    facts, results, summary = audit(fleet, bmc, catalog, baseline)
    for control in ("acct-default-creds", "acct-allowlist", "acct-least-privilege"):
        assert results[control]["status"] == "error", control
        assert "/AccountService/Accounts/4: HTTP 404" in results[control]["reason"]
    assert summary["status"] == "error"


def test_a_listed_subscription_answering_404_is_an_error(fleet, catalog, baseline):
    # Old: log-events notapplicable and net-egress passed without its subscription checks.
    bmc = fresh(fleet, "x12")
    fleet.admin.set_knobs(bmc["name"], fault={"kind": "404", "paths": [R + "/EventService/Subscriptions/3"]})
    _, results, _ = audit(fleet, bmc, catalog, baseline)
    for control in ("log-events", "net-egress"):
        assert results[control]["status"] == "error" and "Subscriptions/3: HTTP 404" in results[control]["reason"]


def test_a_404_on_a_resource_every_service_has_is_an_error(fleet, catalog, baseline):
    # Old: "not supported on X11 (HTTP 404 on /redfish/v1/SessionService)", sess-timeout notapplicable.
    bmc = fresh(fleet, "x11")
    fleet.admin.set_knobs(bmc["name"], fault={"kind": "404", "paths": [R + "/SessionService"], "methods": ["GET"]})
    facts, results, _ = audit(fleet, bmc, catalog, baseline)
    assert "supported" not in facts["session"] and "HTTP 404" in facts["session"]["error"]
    assert results["sess-timeout"]["status"] == "error"


def test_positive_knowledge_is_still_notapplicable(fleet, catalog, baseline):
    bmc = fresh(fleet, "x11")
    facts, results, summary = audit(fleet, bmc, catalog, baseline)
    assert facts["kcs"] == {"supported": False, "reason": "not supported on X11"}
    assert results["host-kcs-callback"]["status"] == "notapplicable"
    assert results["net-egress"]["status"] == "notchecked"
    assert results["net-egress"]["checks"] == {"ran": 7, "total": 8, "skipped": ["directory: not supported on X11"]}
    assert summary["status"] == "compliant"


# -- firmware ----------------------------------------------------------------------------------

def test_chassis_500_makes_firmware_controls_error_not_fail(fleet, catalog, baseline):
    # Old: fw-bmc-min-version, fw-bios-min-version, fw-allowlist "fail: no bmc_min for board None".
    bmc = fresh(fleet, "x13")
    fleet.admin.set_knobs(bmc["name"], fault={"kind": "500", "paths": [R + "/Chassis/1"]})
    facts, results, summary = audit(fleet, bmc, catalog, baseline)
    for control in ("fw-bmc-min-version", "fw-bios-min-version", "fw-allowlist"):
        assert results[control]["status"] == "error", control
        assert "the board is unknown" in results[control]["reason"] and "Chassis/1: HTTP 500" in results[control]["reason"]
    assert facts["identity"]["generation"] == "X13"      # from the firmware image names
    assert summary["status"] == "error"


def test_an_oem_build_is_not_newer_than_the_approved_release(fleet, catalog, baseline):
    # Old: 11.01.01 >= 01.04.15, fw-bmc-min-version passed. The build is from 2023-11-17, the
    # approved 01.04.15 from 2024-05-10: older.
    bmc = fresh(fleet, "x13")
    fleet.admin.apply_deviations(bmc["name"], "unapproved_fw")
    facts, results, _ = audit(fleet, bmc, catalog, baseline)
    assert facts["firmware"]["bmc_image"] == "BMC_X13AST2600-ROT-5501MS_20231117_11.01.01_OEMsp.bin"
    assert results["fw-bmc-min-version"]["status"] == "fail"
    # Without a release date the versions cannot be compared: an error naming both.
    fleet.admin.patch_resource(bmc["name"], R + "/UpdateService/FirmwareInventory/BMC", {"ReleaseDate": None})
    result = audit(fleet, bmc, catalog, baseline)[1]["fw-bmc-min-version"]
    assert result["status"] == "error"
    assert "11.01.01" in result["reason"] and "01.04.15" in result["reason"] and "list the image" in result["reason"]


# -- vendor, generation and layout --------------------------------------------------------------

def test_x12_stays_x12_when_chassis_does_not_answer(fleet, catalog, baseline):
    # Old: generation "X13" (the layout fallback). The root is the real SYS-510T-MR one.
    bmc = fresh(fleet, "x12")
    fleet.admin.put_resource(bmc["name"], R, capture("SYS-510T-MR_RF1.14.0__ServiceRoot.json"))
    fleet.admin.set_knobs(bmc["name"], fault={"kind": "500", "paths": [R + "/Chassis/1"]})
    facts, _, _ = audit(fleet, bmc, catalog, baseline)
    identity = facts["identity"]
    assert identity["generation"] == "X12" and identity["vendor"] == "Supermicro" and identity["board"] is None
    assert identity["detection"]["signals"]["root.Vendor"] == "Supermicro"
    assert identity["detection"]["signals"]["layout:firmware images"] == "X12"


def test_a_redfish_1_9_root_without_oem_is_not_silently_x11(fleet, catalog, baseline):
    # Old: layout X11 (no Oem.Supermicro in the root): every OEM resource "not supported on X11".
    bmc = fresh(fleet, "x13")
    root = capture("X13DEG-OAD_SYS-821GE-TNHR_earlierFW-RF1.9.0__ServiceRoot.json")
    root.pop("Oem")
    fleet.admin.put_resource(bmc["name"], R, root)
    facts, results, summary = audit(fleet, bmc, catalog, baseline)
    assert facts["identity"]["layout"] == "X13" and facts["identity"]["generation"] == "X13"
    assert facts["gather"]["layout"] == "X13" and facts["kcs"]["supported"] is True
    assert summary["status"] == "compliant"


def test_a_foreign_redfish_service_is_unsupported_and_still_audited(catalog, baseline):
    # Old: classed X11; "compliant" or n/a everywhere; the user never heard it is no Supermicro.
    with ForeignRedfish("generic") as service:
        facts, results, summary = audit_foreign(service, catalog, baseline)
    assert (summary["status"], summary["reason"]) == ("unsupported", "Manufacturer 'Contoso', not a Supermicro BMC")
    assert facts["identity"]["vendor"] == "Contoso" and facts["identity"]["supermicro"] is False
    for control in OEM_CONTROLS:
        assert (results[control]["status"], results[control]["reason"]) == ("notapplicable", "not a Supermicro BMC"), control
    # The standard part ran on the standard resources, found by following links.
    assert results["svc-ssh-off"]["status"] == "fail" and results["svc-ipmi-lan-off"]["status"] == "fail"
    assert results["acct-password-policy"]["status"] == "fail"
    assert results["sess-timeout"]["status"] == "fail"
    assert results["acct-default-creds"]["status"] == "pass"
    assert results["fw-bmc-min-version"]["status"] == "notapplicable"   # the baseline names no Contoso board
    assert facts["firmware"]["bmc_version"] == "7.00.00.171"
    # NTP from the standard NetworkProtocol.NTP: pool.ntp.org is not approved; the OEM syslog and
    # RADIUS checks could not run, and the reason says so.
    assert results["time-ntp"]["status"] == "fail" and results["net-egress"]["status"] == "fail"
    assert "not checked: syslog: not a Supermicro BMC; radius: not a Supermicro BMC" in results["net-egress"]["reason"]
    assert results["net-egress"]["checks"]["ran"] == 6


@pytest.mark.parametrize("mode", ["empty", "html", "redirect"])
def test_a_service_answering_nothing_useful_has_no_pass(mode, catalog, baseline):
    # Old: 11 passes (acct-default-creds, acct-allowlist, svc-ipmi-lan-off, svc-ssh-off, net-egress, ...).
    with ForeignRedfish(mode) as service:
        facts, results, summary = audit_foreign(service, catalog, baseline)
    assert [i for i, r in results.items() if r["status"] == "pass"] == []
    assert summary["status"] in ("unsupported", "error") and not summary["compliant"] and summary["reason"]


@pytest.mark.parametrize("mode", ["root-only", "systems-only"])
def test_a_service_with_nothing_behind_the_root_is_never_compliant(mode, catalog, baseline):
    # Old: 25 of 25 controls notapplicable, host compliant.
    with ForeignRedfish(mode) as service:
        facts, results, summary = audit_foreign(service, catalog, baseline)
    assert not summary["compliant"] and summary["status"] in ("error", "unsupported")
    assert [i for i, r in results.items() if r["status"] == "pass"] == []
    assert summary["counts"]["error"] > 0


def test_the_generic_profile_is_unsupported_with_its_standard_controls_checked(catalog, baseline):
    # Old: classed X11 (no Oem.Supermicro in the root), every OEM control "not supported on X11",
    # host compliant; the user never heard this is no Supermicro.
    with SimFleet(count=1, profile="generic", base_address="127.0.45.1") as generic:
        bmc = generic.bmcs[0]
        values = dict(baseline, bmc_allowed_accounts=[dict(a, username=generic.username) if a["role"] == "Administrator" else a
                                                      for a in baseline["bmc_allowed_accounts"]])
        facts, results, summary = audit(generic, bmc, catalog, values)
        assert (summary["status"], summary["reason"]) == ("unsupported", "Manufacturer 'Contoso', not a Supermicro BMC")
        assert facts["identity"]["detection"]["signals"]["root.Vendor"] == "Contoso" and facts["gather"]["layout"] is None
        for control in OEM_CONTROLS:
            assert results[control]["status"] == "notapplicable", control
        assert results["svc-ssh-off"]["status"] == "pass" and results["acct-default-creds"]["status"] == "pass"
        generic.admin.patch_resource(bmc["name"], NETWORK_PROTOCOL, {"SSH": {"ProtocolEnabled": True}})
        assert audit(generic, bmc, catalog, values)[1]["svc-ssh-off"]["status"] == "fail"


def test_retry_after_is_honoured():
    # Old: Retry-After ignored: the retry came after the 0.01 s backoff and got 503 again.
    with ForeignRedfish("busy") as service:
        with RedfishClient(service.address, port=service.port, username="ops", password="Foreign!Pass1",
                           ca_path=service.ca_path, retries=1, backoff=0.01) as rf:
            assert rf.get(R)["Vendor"] == "Contoso"
        assert [s for m, p, s in service.requests if m == "GET"] == [503, 200]


def test_a_firmware_version_that_is_a_number_is_an_error(fleet, catalog, baseline):
    # Old: the number went into the facts and broke the fleet report ('<' between str and int).
    bmc = fresh(fleet, "x13")
    fleet.admin.patch_resource(bmc["name"], R + "/UpdateService/FirmwareInventory/BMC", {"Version": 1.5})
    facts, results, _ = audit(fleet, bmc, catalog, baseline)
    assert facts["firmware"] == {"error": "GET %s/UpdateService/FirmwareInventory/BMC: HTTP 200 but property Version is "
                                          "float 1.5, expected str" % R}
    assert results["fw-bmc-min-version"]["status"] == "error"


@pytest.mark.parametrize("mode, words", [("no-members", "HTTP 200 OK, but property Members is missing"),
                                         ("no-accounts", "lists no account, not even the one logged in")])
def test_an_account_collection_without_accounts_is_an_error(catalog, baseline, mode, words):
    # Old: no members, no accounts: acct-default-creds and acct-allowlist passed.
    with ForeignRedfish(mode) as service:
        facts, results, _ = audit_foreign(service, catalog, baseline)
    assert words in facts["accounts"]["error"] and "/AccountService/Accounts" in facts["accounts"]["error"]
    assert results["acct-default-creds"]["status"] == "error" and results["acct-allowlist"]["status"] == "error"
