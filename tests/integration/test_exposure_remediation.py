"""playbooks/remediate.yml with the bmc_exposure role, end to end through ansible-runner against
bmcsim: a mixed fleet (X13, X12, X11) carrying every exposure deviation (services, IP access
control, NTP, syslog, event subscription, host interface, KCS, lockdown, factory certificate, a
public address on the X13).

audit -> remediate --check --diff (the plan, zero writes) -> remediate (the re-audit passes every
exposure control but the manual ones; the certificate comes from a CSR signed by the
organisation's CA) -> remediate again and --check (changed=0, zero writes). Then: the audit with
only the organisation's CA verifies, a second certificate run leaves it alone, a near-expiry
certificate is renewed; lockout safety (a refused plan, a rollback when the BMC drops the
controller) and System Lockdown (untouched without unlock, locked again after a failed write).
"""

from __future__ import annotations

import json

import pytest

from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishClient
from bmcsim.testing import SimFleet
from playbook_support import make_inventory, organisation_pki, playbook_run

EXPOSURE = ("ipmi_on", "ssdp_on", "http_on", "ssh_on", "snmp_v2c", "vmedia_on", "kvm_on", "acl_off", "acl_allows_any",
            "ntp_unapproved", "syslog_unapproved", "hi_on", "kcs_admin", "lockdown_off", "rogue_subscription", "default_cert")
CONTROLS = {"svc-ipmi-lan-off", "svc-ssdp-off", "svc-snmp", "svc-http-off", "svc-ssh-off", "svc-vmedia-kvm", "tls-cert-not-default",
            "net-ip-acl", "net-addressing", "net-egress", "host-hi-off", "host-kcs-callback", "host-syslockdown", "time-ntp",
            "log-syslog", "log-events"}
HOST = {"host-hi-off", "host-kcs-callback", "host-syslockdown"}
WRITES = ("PATCH", "POST", "DELETE")
ACL = "/redfish/v1/Managers/1/Oem/Supermicro/IPAccessControl"
LOCK = "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown"
ENFORCE = ("Enforce the network exposure", "Enforce the HTTPS certificate")


def writes(fleet, name):
    return [e for e in fleet.admin.requests(name)["log"] if e[0] in WRITES and not e[1].startswith("/redfish/v1/SessionService/Sessions")]


def statuses(results_dir, host):
    return {r["id"]: r["status"] for r in json.loads((results_dir / ("%s.json" % host)).read_text())["results"]}


def results(run, task_prefix=ENFORCE):
    return [e["event_data"] for e in run.events if e.get("event") in ("runner_on_ok", "runner_on_failed")
            and e["event_data"].get("task", "").startswith(task_prefix)]


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=3, profile="mixed", base_address="127.0.46.1", seed=4) as running:
        yield running


@pytest.fixture(scope="module")
def pki(tmp_path_factory, fleet):
    """The organisation's CA, a CA bundle the runs trust (the fleet's CA and the organisation's), its CSR variables."""
    return organisation_pki(tmp_path_factory.mktemp("pki"), fleet.ca_path)


@pytest.fixture(scope="module")
def setup(fleet, pki, tmp_path_factory):
    _, _, tls = pki
    tmp = tmp_path_factory.mktemp("exposure")
    results_dir = tmp / "reports"
    # bmc-003 (X11) keeps its factory certificate (no Redfish upload): never verifiable.
    inventory = make_inventory(tmp, fleet.inventory_path, results_dir, extra_vars={"bmc-003": {"bmc_validate_certs": False}})
    extravars = dict(tls, bmc_audit_results_dir=str(results_dir), bmc_remediate_unlock=True)
    return tmp, inventory, results_dir, extravars


def run_step(fleet, setup, name, playbook="playbooks/remediate.yml", cmdline=None, drop=(), **extra):
    tmp, inventory, _, extravars = setup
    for bmc in fleet.bmcs:
        fleet.admin.reset_requests(bmc["name"])
    extravars = {k: v for k, v in dict(extravars, **extra).items() if k not in drop}
    run = playbook_run(tmp / name, playbook, inventory, extravars=extravars, cmdline=cmdline)
    return run, {b["name"]: writes(fleet, b["name"]) for b in fleet.bmcs}


@pytest.fixture(scope="module")
def story(fleet, setup):
    for bmc in fleet.bmcs:
        fleet.admin.reset(bmc["name"])
        extra = ("public_ip",) if bmc["generation"] == "x13" else ()
        fleet.admin.apply_deviations(bmc["name"], *[d for d in EXPOSURE + extra
                                                    if not (bmc["generation"] == "x11" and d in ("hi_on", "kcs_admin", "lockdown_off"))])
    # Every BMC serves its self-signed factory certificate: the first runs cannot verify it (as on
    # a factory fleet); the certificate's own proof verifies the new one against the organisation's CA.
    factory = {"bmc_validate_certs": False}
    steps = {"audit": run_step(fleet, setup, "audit", "playbooks/audit.yml", **factory)}
    steps["audited"] = {b["name"]: statuses(setup[2], b["name"]) for b in fleet.bmcs}
    for name, cmdline in [("check", "--check --diff"), ("apply", None)]:
        steps[name] = run_step(fleet, setup, name, cmdline=cmdline, **factory)
    # From here on X12/X13 serve the organisation's certificate: verified again (bundle).
    for name, cmdline in [("again", None), ("check-again", "--check")]:
        steps[name] = run_step(fleet, setup, name, cmdline=cmdline)
    return steps


def expected_failing(bmc):
    """The exposure controls the deviations break on this BMC."""
    x11, x13 = bmc["generation"] == "x11", bmc["generation"] == "x13"
    return CONTROLS - (HOST if x11 else set()) - (set() if x13 else {"net-addressing"})


def test_the_audit_finds_every_exposure_deviation(story, fleet):
    for bmc in fleet.bmcs:
        failing = {i for i, s in story["audited"][bmc["name"]].items() if s == "fail"} & CONTROLS
        assert failing == expected_failing(bmc), bmc


def test_check_diff_sends_no_write_and_shows_the_plan(story, fleet):
    run, sent = story["check"]
    assert run.status == "successful" and sent == {b["name"]: [] for b in fleet.bmcs}
    planned = {e["host"]: e["res"] for e in results(run, "Enforce the network exposure")}
    assert set(planned) == {b["name"] for b in fleet.bmcs}
    for bmc in fleet.bmcs:
        res = planned[bmc["name"]]
        assert res["bmc_remediation"]["status"] == "planned" and res["changed"]
        controls = {op["control"] for op in res["plan"]["operations"]}
        assert controls == expected_failing(bmc) - {"tls-cert-not-default", "net-addressing", "net-egress"}
    assert planned["bmc-001"]["manual"]["net-addressing"].startswith("move the BMC address 203.0.113.")
    removed = [line for line in run.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in run.stdout.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert any('"ipmi"' in line for line in removed) and any('"0.0.0.0/0 Accept"' in line for line in removed)   # --diff
    assert any('"ntp1.mgmt.example"' in line for line in added) and any('"Callback"' in line for line in added)
    # the certificate's diff: the factory one read, the organisation's planned (subject, issuer, not-after; never the key)
    certs = {e["host"]: e["res"] for e in results(run, "Enforce the HTTPS certificate")}
    for bmc in fleet.bmcs[:2]:
        diff = certs[bmc["name"]]["diff"]
        assert diff["before"] != diff["after"] and '"issuer": "Example Org BMC CA"' in diff["after"], diff
        assert '"subject": "%s"' % bmc["name"] in diff["after"] and '"valid_to"' in diff["after"] and '"fingerprint"' in diff["before"]
    assert any('"issuer": "Example Org BMC CA"' in line for line in added)


def test_remediate_fixes_every_exposure_control_and_the_reaudit_passes_them(story, fleet, setup):
    run, sent = story["apply"]
    assert run.status == "successful", run.stdout[-3000:]
    for bmc in fleet.bmcs:
        after = statuses(setup[2], bmc["name"])
        manual = {"net-addressing"} if bmc["generation"] == "x13" else set()
        if bmc["generation"] == "x11":
            manual.add("tls-cert-not-default")              # X11: the web UI takes certificates
            # X11 has no directory servers in Redfish: net-egress passes every check it can run, which
            # the audit (fail closed) reports as partially checked, never pass
            manual.add("net-egress")
        assert {c for c in CONTROLS if after[c] not in ("pass", "notapplicable")} == manual, (bmc, after)
        if bmc["generation"] == "x11":
            assert after["net-egress"] == "notchecked"
            assert {after[c] for c in HOST} == {"notapplicable"}     # stays notapplicable, never changed
        assert all(status in (200, 201, 202) for _, _, status in sent[bmc["name"]]), sent[bmc["name"]]
    # The minimum: the planned operations (the CSR round is two POSTs), one unlock/lock pair per task on a locked BMC.
    by_host = {}
    for event in results(run):
        res = event["res"]
        by_host[event["host"]] = by_host.get(event["host"], 0) + len(res.get("applied") or []) + \
            sum(op["path"].endswith("GenerateCSR") for op in res.get("applied") or []) + (2 if res["plan"]["locked"] else 0)
    assert by_host == {b["name"]: len(sent[b["name"]]) for b in fleet.bmcs}
    for bmc in fleet.bmcs[:2]:
        assert fleet.admin.get_resource(bmc["name"], LOCK)["SysLockdownEnabled"] is True      # on again, and last
        assert sent[bmc["name"]][-1][1] == LOCK
    assert "Summary of what changed per host" in run.stdout


def test_second_run_and_check_change_nothing_and_write_nothing(story, fleet):
    for name in ("again", "check-again"):
        run, sent = story[name]
        assert run.status == "successful" and run.changed() == 0, name
        assert sent == {b["name"]: [] for b in fleet.bmcs}, name


def test_the_audit_verifies_with_the_organisation_ca_alone(story, fleet, setup, pki):
    org, _, _ = pki
    run, _ = run_step(fleet, setup, "audit-org-ca", "playbooks/audit.yml", cmdline="--limit x12,x13",
                      bmc_ca_path=str(org.cert_path))
    assert run.status == "successful"
    for bmc in fleet.bmcs[:2]:
        assert statuses(setup[2], bmc["name"])["tls-cert-not-default"] == "pass"
        cert = fleet.admin.get_resource(bmc["name"], "/redfish/v1/Managers/1/NetworkProtocol/HTTPS/Certificates/1")
        assert cert["Issuer"]["CommonName"] == "Example Org BMC CA" and cert["Subject"]["CommonName"] == bmc["name"]


def test_a_second_certificate_run_leaves_it_alone(story, fleet, setup):
    run, sent = run_step(fleet, setup, "tls-again", cmdline="--tags tls-cert-not-default --limit x12,x13")
    assert run.status == "successful" and run.changed() == 0
    assert sent == {b["name"]: [] for b in fleet.bmcs}
    assert {e["res"]["bmc_remediation"]["status"] for e in results(run, "Enforce the HTTPS certificate")} == {"unchanged"}


def test_a_near_expiry_certificate_is_renewed(story, fleet, setup, pki):
    org, bundle, _ = pki
    x13 = fleet.bmcs[0]
    fleet.admin.patch_resource(x13["name"], LOCK, {"SysLockdownEnabled": False})
    cert, cert_pem, key_pem = org.issue(x13["address"], x13["name"], days=10)
    with RedfishClient(x13["address"], port=x13["port"], username=fleet.username, password=fleet.password, ca_path=str(bundle)) as rf:
        assert rf.upload("/redfish/v1/UpdateService/Oem/Supermicro/SSLCert/Actions/SmcSSLCert.Upload",
                         files={"cert_file": ("c.pem", cert_pem), "key_file": ("k.pem", key_pem)}).status == 200
    fleet.admin.patch_resource(x13["name"], LOCK, {"SysLockdownEnabled": True})
    run, sent = run_step(fleet, setup, "renew-audit", "playbooks/audit.yml", cmdline="--limit bmc-001")
    assert statuses(setup[2], "bmc-001")["tls-cert-not-default"] == "fail"                     # 10 days < 30
    run, sent = run_step(fleet, setup, "renew", cmdline="--limit bmc-001")
    assert run.status == "successful"
    assert [p for _, p, _ in sent["bmc-001"]] == [LOCK, "/redfish/v1/CertificateService/Actions/CertificateService.GenerateCSR",
                                                  "/redfish/v1/CertificateService/Actions/CertificateService.ReplaceCertificate", LOCK]
    now = fleet.admin.get_resource("bmc-001", "/redfish/v1/Managers/1/NetworkProtocol/HTTPS/Certificates/1")
    assert now["ValidNotAfter"] > cert.not_valid_after_utc.isoformat() and statuses(setup[2], "bmc-001")["tls-cert-not-default"] == "pass"


def test_an_acl_plan_without_the_controller_is_refused_with_zero_writes(story, fleet, setup):
    fleet.admin.apply_deviations("bmc-001", "acl_allows_any")
    run_step(fleet, setup, "refuse-audit", "playbooks/audit.yml", cmdline="--limit bmc-001")
    run, sent = run_step(fleet, setup, "refuse", cmdline="--limit bmc-001 --tags net-ip-acl", bmc_controller_address="192.0.2.10")
    assert run.status == "failed" and sent["bmc-001"] == []
    (event,) = results(run, "Enforce the network exposure")
    assert "would not accept the controller's address 192.0.2.10" in event["res"]["msg"] and "nothing was written" in event["res"]["msg"]


def test_rules_that_drop_the_controller_are_rolled_back(story, fleet, setup):
    """The BMC sees the controller as 192.0.2.10 (NAT), which only an unmanaged rule accepts: the
    plan (made with the controller's own address) removes it, the fresh connection is dropped, the
    rule comes back over the open session, the host fails saying so, and the BMC answers again."""
    name = "bmc-001"
    fleet.admin.put_resource(name, ACL + "/FilterRules/3", {"@odata.type": "#FilterRule.v1_0_0.FilterRule", "Id": "3",
                                                             "Name": "Filter Rule 3", "Address": "192.0.2.0", "PrefixLength": 24,
                                                             "Policy": "Accept"})
    fleet.admin.set_knobs(name, seen_source="192.0.2.10")
    run_step(fleet, setup, "rollback-audit", "playbooks/audit.yml", cmdline="--limit bmc-001")
    run, sent = run_step(fleet, setup, "rollback", cmdline="--limit bmc-001 --tags net-ip-acl")
    assert run.status == "failed"
    (event,) = results(run, "Enforce the network exposure")
    assert "the previous IP access rules were restored" in event["res"]["msg"], event["res"]["msg"]
    paths = [(m, p) for m, p, _ in sent[name]]
    assert paths[1] == ("DELETE", ACL + "/FilterRules/3") and ("POST", ACL + "/FilterRules") in paths and paths[-1] == ("PATCH", LOCK)
    rules = [fleet.admin.get_resource(name, m["@odata.id"]) for m in fleet.admin.get_resource(name, ACL + "/FilterRules")["Members"]]
    assert {(r["Address"], r["PrefixLength"]) for r in rules} == {("127.0.0.0", 8), ("10.0.0.0", 8), ("192.0.2.0", 24)}
    assert fleet.admin.get_resource(name, LOCK)["SysLockdownEnabled"] is True
    with RedfishClient(fleet.bmcs[0]["address"], port=fleet.port, username=fleet.username, password=fleet.password,
                       ca_path=str(setup[3]["bmc_ca_path"]), retries=0) as rf:
        assert rf.get("/redfish/v1")["Id"]                           # new connections get in again
    fleet.admin.set_knobs(name, seen_source=None)


def test_a_locked_bmc_is_untouched_without_unlock(story, fleet, setup):
    fleet.admin.reset("bmc-002")
    fleet.admin.apply_deviations("bmc-002", "ssh_on")
    run_step(fleet, setup, "locked-audit", "playbooks/audit.yml", cmdline="--limit bmc-002")
    run, sent = run_step(fleet, setup, "locked", cmdline="--limit bmc-002", bmc_remediate_unlock=False)
    assert sent["bmc-002"] == []
    (event,) = results(run, "Enforce the network exposure")
    assert event["res"]["bmc_remediation"]["status"] == "locked" and "locked: SysLockdown is on" in event["res"]["msg"]


def test_locked_again_when_a_write_in_between_fails(story, fleet, setup):
    fleet.admin.set_knobs("bmc-002", fault={"kind": "reset", "paths": ["/redfish/v1/Managers/1/NetworkProtocol"], "methods": ["PATCH"]})
    run, sent = run_step(fleet, setup, "fault", cmdline="--limit bmc-002")
    assert run.status == "failed"
    assert [p for _, p, _ in sent["bmc-002"]] == [LOCK, "/redfish/v1/Managers/1/NetworkProtocol", LOCK]
    assert fleet.admin.get_resource("bmc-002", LOCK)["SysLockdownEnabled"] is True
    (event,) = results(run, "Enforce the network exposure")
    assert "svc-ssh-off" in event["res"]["msg"] and "/redfish/v1/Managers/1/NetworkProtocol" in event["res"]["msg"]
    fleet.admin.reset("bmc-002")


def test_no_password_or_private_key_anywhere(story, fleet, setup, pki):
    org, _, _ = pki
    key_line = (org.dir / "ca.key").read_text().splitlines()[1]
    texts = [story[name][0].all_text() for name in ("check", "apply", "again", "check-again")]
    texts += [p.read_text() for p in setup[2].rglob("*") if p.is_file()]
    for text in texts:
        assert fleet.password not in text and key_line not in text and "PRIVATE KEY" not in text
    assert any("remediation" in str(p) for p in setup[2].rglob("*.json"))



def test_bad_input_stops_before_any_bmc_is_contacted(story, fleet, setup, pki, tmp_path):
    org, _, _ = pki
    _, cert_pem, _ = org.issue(fleet.bmcs[0]["address"], "a")
    _, _, other_key = org.issue(fleet.bmcs[0]["address"], "b")
    (tmp_path / "bmc.crt").write_bytes(cert_pem)
    (tmp_path / "bmc.key").write_bytes(other_key)
    tls = {"bmc_tls_cert_path": str(tmp_path / "bmc.crt"), "bmc_tls_key_path": str(tmp_path / "bmc.key"),
           "bmc_tls_trust_path": str(org.cert_path)}
    run, sent = run_step(fleet, setup, "bad-pair", cmdline="--tags tls-cert-not-default",
                         drop=("bmc_tls_ca_cert_path", "bmc_tls_ca_key_path"), **tls)
    assert run.status == "failed" and "config.key_path %s is not the key of config.cert_path" % (tmp_path / "bmc.key") in run.stdout
    assert sent == {b["name"]: [] for b in fleet.bmcs}
    assert all(fleet.admin.requests(b["name"])["count"] == 0 for b in fleet.bmcs)       # not even a read
    run, sent = run_step(fleet, setup, "bad-network", cmdline="--tags net-ip-acl", bmc_management_networks=["10.0.0.0/33"])
    assert run.status == "failed" and "config" in run.stdout and "10.0.0.0/33" in run.stdout
    assert all(fleet.admin.requests(b["name"])["count"] == 0 for b in fleet.bmcs)


def test_approved_event_subscription_is_created_and_left_alone_next_run(story, fleet, setup):
    """bmc_event_subscriptions (to an approved receiver): the rogue one emptied, the approved one
    set by PATCH of a slot; the next run writes nothing; an unapproved one stops the run unread."""
    fleet.admin.reset("bmc-002")
    fleet.admin.apply_deviations("bmc-002", "rogue_subscription")
    events = {"bmc_approved_event_destinations": ["events.mgmt.example"],
              "bmc_event_subscriptions": [{"destination": "https://events.mgmt.example/redfish", "protocol": "Redfish"}]}
    run_step(fleet, setup, "subs-audit", "playbooks/audit.yml", cmdline="--limit bmc-002", **events)
    run, sent = run_step(fleet, setup, "subs", cmdline="--limit bmc-002 --tags log-events", **events)
    assert run.status == "successful", run.stdout[-2000:]
    slot = "/redfish/v1/EventService/Subscriptions/"
    assert [(m, p) for m, p, _ in sent["bmc-002"]] == [("PATCH", LOCK), ("DELETE", slot + "1"), ("PATCH", slot + "2"), ("PATCH", LOCK)]
    created = fleet.admin.get_resource("bmc-002", slot + "2")
    assert (created["Destination"], created["Protocol"], created["Status"]["State"]) == ("https://events.mgmt.example/redfish",
                                                                                          "Redfish", "Enabled")
    assert statuses(setup[2], "bmc-002")["log-events"] == "pass"
    run, sent = run_step(fleet, setup, "subs-again", cmdline="--limit bmc-002 --tags log-events", **events)
    assert run.status == "successful" and run.changed() == 0 and sent["bmc-002"] == []
    bad = dict(events, bmc_event_subscriptions=[{"destination": "https://evil.example/x", "protocol": "Redfish"}])
    run, sent = run_step(fleet, setup, "subs-bad", cmdline="--limit bmc-002 --tags log-events", **bad)
    assert run.status == "failed" and "event_subscriptions[0].destination: https://evil.example/x is not in approved_event_destinations" \
        in run.stdout
    assert fleet.admin.requests("bmc-002")["count"] == 0
    fleet.admin.reset("bmc-002")


def test_a_baseline_that_wants_lockdown_off_is_not_locked_again(story, fleet, setup):
    """bmc_system_lockdown: false: the plan's own PATCH to off is the unlock and the run does not
    lock again (then a second run writes nothing); when a write in between fails, it is locked again."""
    fleet.admin.reset("bmc-002")                                   # X12, locked
    fleet.admin.apply_deviations("bmc-002", "ssh_on")
    run_step(fleet, setup, "unlocked-audit", "playbooks/audit.yml", cmdline="--limit bmc-002", bmc_system_lockdown=False)
    assert statuses(setup[2], "bmc-002")["host-syslockdown"] == "fail"
    fleet.admin.set_knobs("bmc-002", fault={"kind": "reset", "paths": ["/redfish/v1/Managers/1/NetworkProtocol"], "methods": ["PATCH"]})
    run, sent = run_step(fleet, setup, "unlocked-fault", cmdline="--limit bmc-002", bmc_system_lockdown=False)
    assert run.status == "failed" and [p for _, p, _ in sent["bmc-002"]] == [LOCK, "/redfish/v1/Managers/1/NetworkProtocol", LOCK]
    assert fleet.admin.get_resource("bmc-002", LOCK)["SysLockdownEnabled"] is True
    fleet.admin.set_knobs("bmc-002", fault=None)
    run, sent = run_step(fleet, setup, "unlocked", cmdline="--limit bmc-002", bmc_system_lockdown=False)
    assert run.status == "successful", run.stdout[-2000:]
    assert [(m, p) for m, p, _ in sent["bmc-002"]] == [("PATCH", LOCK), ("PATCH", "/redfish/v1/Managers/1/NetworkProtocol")]
    assert fleet.admin.get_resource("bmc-002", LOCK)["SysLockdownEnabled"] is False
    assert {statuses(setup[2], "bmc-002")[c] for c in ("host-syslockdown", "svc-ssh-off")} == {"pass"}
    run, sent = run_step(fleet, setup, "unlocked-again", cmdline="--limit bmc-002", bmc_system_lockdown=False)
    assert run.status == "successful" and run.changed() == 0 and sent["bmc-002"] == []
    fleet.admin.reset("bmc-002")


def test_factory_certificates_are_served_and_not_trusted_until_replaced(story, fleet, setup):
    run, _ = run_step(fleet, setup, "factory-audit", "playbooks/audit.yml", cmdline="--limit bmc-003",
                      bmc_validate_certs=True)
    record = json.loads((setup[2] / "bmc-003.json").read_text())
    assert record["summary"]["status"] == "unreachable" and "TLS certificate not trusted (self-signed certificate)" in json.dumps(record)



def test_approved_directory_login_is_pointed_at_the_approved_servers(story, fleet, setup):
    """An LDAP login the policy approves (start_tls) binding in clear text to an unapproved server:
    bmc_access switches StartTLS on (it owns the TLS switches), bmc_exposure sets ServiceAddresses to
    the approved server in its TLS form (it owns the addresses), each between its unlock/lock pair;
    the re-audit passes net-egress and acct-directory-tls; the next run and --check write nothing."""
    fleet.admin.reset("bmc-002")                                   # X12, locked
    fleet.admin.apply_deviations("bmc-002", "ldap_cleartext")      # ldap://10.10.0.40:389, StartTLS off
    policy = {"min_password_length": 14, "lockout_threshold": 5, "lockout_duration": 900, "lockout_reset_after": 900,
              "session_timeout": 300, "ldap": {"enabled": True, "tls": "start_tls"}, "active_directory": {"enabled": False},
              "radius": {"enabled": False}}
    ldap = {"bmc_approved_directory_servers": ["ldap.mgmt.example"], "bmc_access_policy_targets": policy}
    run_step(fleet, setup, "ldap-audit", "playbooks/audit.yml", cmdline="--limit bmc-002", **ldap)
    assert {statuses(setup[2], "bmc-002")[c] for c in ("net-egress", "acct-directory-tls")} == {"fail"}
    tags = "--limit bmc-002 --tags net-egress,acct-directory-tls"
    run, sent = run_step(fleet, setup, "ldap-check", cmdline=tags + " --check", **ldap)
    assert run.status == "successful" and sent["bmc-002"] == [], run.stdout[-2000:]
    service = "/redfish/v1/AccountService"
    planned = [(o["method"], o["path"], o["body"]) for o in results(run, "Enforce the network exposure")[0]["res"]["plan"]["operations"]]
    assert planned == [("PATCH", service, {"LDAP": {"ServiceAddresses": ["ldap://ldap.mgmt.example:389"]}})]
    run, sent = run_step(fleet, setup, "ldap", cmdline=tags, **ldap)
    assert run.status == "successful", run.stdout[-2000:]
    assert [(m, p) for m, p, _ in sent["bmc-002"]] == [("PATCH", LOCK), ("PATCH", service), ("PATCH", LOCK),
                                                       ("PATCH", LOCK), ("PATCH", service), ("PATCH", LOCK)]
    (applied,) = [(o["method"], o["path"], o["body"]) for e in results(run, "Enforce the network exposure") for o in e["res"]["applied"]]
    assert applied == planned[0]       # the exposure task wrote exactly what it planned (between its unlock/lock pair)
    body = fleet.admin.get_resource("bmc-002", service)
    assert (body["LDAP"]["ServiceEnabled"], body["LDAP"]["ServiceAddresses"], body["Oem"]["Supermicro"]["LDAP"]["StartTLSEnabled"]) == \
        (True, ["ldap://ldap.mgmt.example:389"], True)
    assert {statuses(setup[2], "bmc-002")[c] for c in ("net-egress", "acct-directory-tls")} == {"pass"}
    for name, cmdline in [("ldap-again", tags), ("ldap-check-again", tags + " --check")]:
        run, sent = run_step(fleet, setup, name, cmdline=cmdline, **ldap)
        assert run.status == "successful" and run.changed() == 0 and sent["bmc-002"] == [], run.stdout[-2000:]
    fleet.admin.reset("bmc-002")


AD_POLICY = {"min_password_length": 14, "lockout_threshold": 5, "lockout_duration": 900, "lockout_reset_after": 900,
             "session_timeout": 300, "ldap": {"enabled": False}, "active_directory": {"enabled": True, "tls": "ldaps"},
             "radius": {"enabled": False}}
DNS_LOOKUP_OFF = {"Oem": {"Supermicro": {"ActiveDirectory": {"DNSLookupEnable": False}}}}


def ad_state(fleet, name):
    body = fleet.admin.get_resource(name, "/redfish/v1/AccountService")
    ad, oem = body["ActiveDirectory"], body["Oem"]["Supermicro"]["ActiveDirectory"]
    return ad["ServiceEnabled"], ad["ServiceAddresses"], oem["DNSLookupEnable"], oem["DynamicServerAddresses"]


@pytest.mark.parametrize("approved", [["ad1.mgmt.example"], []], ids=["approved", "none-approved"])
def test_active_directory_dns_lookup_finding_an_unapproved_controller_is_switched_off(story, fleet, setup, approved):
    """Active Directory over ldaps on an X13 and an X12 whose DNS lookup found an unapproved domain
    controller (DynamicServerAddresses, read-only): with an approved server, bmc_exposure switches
    the lookup off and points ServiceAddresses at the approved server; with none approved, Active
    Directory ends off (bmc_access switches it off, bmc_exposure the lookup and the addresses). The
    re-audit passes net-egress and acct-directory-tls; the next run and --check write nothing."""
    hosts = [b["name"] for b in fleet.bmcs[:2]]                      # X13, X12 (X11 has no directory in Redfish)
    for name in hosts:
        fleet.admin.reset(name)
        fleet.admin.apply_deviations(name, "ad_dns_lookup")          # ldaps://10.10.0.40:636; DNS finds dc07.corp.example.net
        assert ad_state(fleet, name) == (True, ["ldaps://10.10.0.40:636"], True, ["dc07.corp.example.net"])
    ad = {"bmc_approved_directory_servers": approved, "bmc_access_policy_targets": AD_POLICY}
    limit = "--limit " + ",".join(hosts)
    run_step(fleet, setup, "ad-audit-%d" % len(approved), "playbooks/audit.yml", cmdline=limit, **ad)
    for name in hosts:
        assert (statuses(setup[2], name)["net-egress"], statuses(setup[2], name)["acct-directory-tls"]) == ("fail", "pass")
    tags = limit + " --tags net-egress,acct-directory-tls"
    service = "/redfish/v1/AccountService"

    run, sent = run_step(fleet, setup, "ad-check-%d" % len(approved), cmdline=tags + " --check --diff", **ad)
    assert run.status == "successful" and sent == {b["name"]: [] for b in fleet.bmcs}, run.stdout[-2000:]
    planned = {e["host"]: [(o["method"], o["path"], o["body"]) for o in e["res"]["plan"]["operations"]]
               for e in results(run, "Enforce the network exposure")}
    addresses = ["ldaps://ad1.mgmt.example:636"] if approved else []
    expected = [("PATCH", service, DNS_LOOKUP_OFF), ("PATCH", service, {"ActiveDirectory": {"ServiceAddresses": addresses}})]
    if not approved:
        expected.append(("PATCH", service, {"ActiveDirectory": {"ServiceEnabled": False}}))
    assert planned == {name: expected for name in hosts}
    lines = run.stdout.splitlines()                                 # --diff: the lookup and what it found, before/after
    assert any(line.startswith("-") and '"directory_dns_lookup": true' in line for line in lines), run.stdout[-3000:]
    assert any(line.startswith("+") and '"directory_dns_lookup": false' in line for line in lines)
    assert any(line.startswith("-") and '"dc07.corp.example.net"' in line for line in lines)
    assert not any(line.startswith("+") and "dc07" in line for line in lines)

    run, sent = run_step(fleet, setup, "ad-%d" % len(approved), cmdline=tags, **ad)
    assert run.status == "successful", run.stdout[-2000:]
    for name in hosts:
        if approved:    # bmc_access has nothing to do (AD approved, ldaps): only the exposure plan, between one unlock/lock pair
            assert [(m, p) for m, p, _ in sent[name]] == [("PATCH", LOCK), ("PATCH", service), ("PATCH", service), ("PATCH", LOCK)]
            (applied,) = [[(o["method"], o["path"], o["body"]) for o in e["res"]["applied"]]
                          for e in results(run, "Enforce the network exposure") if e["host"] == name]
            assert applied == expected
        else:           # bmc_access switches Active Directory off, then bmc_exposure the lookup and the addresses (off already)
            assert [(m, p) for m, p, _ in sent[name]] == [("PATCH", LOCK), ("PATCH", service), ("PATCH", LOCK),
                                                          ("PATCH", LOCK), ("PATCH", service), ("PATCH", service), ("PATCH", LOCK)]
        assert ad_state(fleet, name) == (bool(approved), addresses, False, [])
        assert {statuses(setup[2], name)[c] for c in ("net-egress", "acct-directory-tls")} == {"pass"}
    for step, cmdline in [("ad-again-%d" % len(approved), tags), ("ad-check-again-%d" % len(approved), tags + " --check")]:
        run, sent = run_step(fleet, setup, step, cmdline=cmdline, **ad)
        assert run.status == "successful" and run.changed() == 0 and sent == {b["name"]: [] for b in fleet.bmcs}, run.stdout[-2000:]
    for name in hosts:
        fleet.admin.reset(name)
