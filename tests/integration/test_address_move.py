"""net-addressing with bmc_remediate_addressing, end to end through ansible-runner against bmcsim,
whose BMCs really move: an EthernetInterface PATCH answers 202 with a task, then the BMC's
listener (HTTPS and service ports) leaves the old address and opens on the new one, with the same
certificate; an address outside loopback leaves it lost until an admin reset.

* refused with zero writes: a taken address, a certificate that does not name the new address;
* moved: the certificate first (its CSR names both addresses), then the address; the run follows
  the BMC with a fresh login, locks it again there, re-audits it there (net-addressing passes) and
  warns that the inventory must change; with the inventory changed, the next run and --check write
  nothing;
* lost: a new address nothing can reach fails that host naming both addresses and the console
  step, while the other host of the run is remediated.
"""

from __future__ import annotations

import json
import socket

import pytest

from bmcsim.testing import SimFleet
from playbook_support import make_inventory, organisation_pki, playbook_run

NIC = "/redfish/v1/Managers/1/EthernetInterfaces/1"
LOCK = "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown"
CSR = "/redfish/v1/CertificateService/Actions/CertificateService"
WRITES = ("PATCH", "POST", "DELETE")
NEW = "127.0.98.7"
MOVE = {"bmc_remediate_addressing": True, "bmc_address_settle_seconds": 20,
        "bmc_target_address": {"address": NEW, "prefix_length": 8, "gateway": "127.0.0.254"}}


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=3, profile="x13", base_address="127.0.48.1", seed=2) as running:
        yield running


@pytest.fixture(scope="module")
def setup(fleet, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("move")
    _, _, tls = organisation_pki(tmp, fleet.ca_path)
    results_dir = tmp / "reports"
    return tmp, results_dir, dict(tls, bmc_audit_results_dir=str(results_dir), bmc_remediate_unlock=True)


def address(fleet, name):
    return next(b["address"] for b in fleet.admin.bmcs() if b["name"] == name)


def answers(host, port):
    try:
        socket.create_connection((host, port), timeout=2).close()
        return True
    except OSError:
        return False


def run(fleet, setup, name, playbook="playbooks/remediate.yml", cmdline=None, host_vars=None, **extra):
    """One ansible-runner run (its own inventory folder: host_vars as the operator keeps them);
    returns the run and the writes each BMC received (session logins aside)."""
    tmp, results_dir, extravars = setup
    for bmc in fleet.bmcs:
        fleet.admin.reset_requests(bmc["name"])
    (tmp / name).mkdir()
    inventory = make_inventory(tmp / name, fleet.inventory_path, results_dir, extra_vars=host_vars)
    done = playbook_run(tmp / name / "run", playbook, inventory, extravars=dict(extravars, **extra), cmdline=cmdline)
    sent = {b["name"]: [(m, p) for m, p, _ in fleet.admin.requests(b["name"])["log"]
                        if m in WRITES and not p.startswith("/redfish/v1/SessionService/Sessions")] for b in fleet.bmcs}
    return done, sent


def task_result(done, host, task="Enforce the network exposure"):
    (event,) = [e["event_data"] for e in done.events if e.get("event") in ("runner_on_ok", "runner_on_failed")
                and e["event_data"].get("task", "").startswith(task) and e["event_data"]["host"] == host]
    return event["res"]


def statuses(setup, host):
    return {r["id"]: r["status"] for r in json.loads((setup[1] / ("%s.json" % host)).read_text())["results"]}


@pytest.fixture(scope="module")
def public(fleet, setup):
    """bmc-001 with a public address on DHCP, audited."""
    fleet.admin.apply_deviations("bmc-001", "public_ip")
    run(fleet, setup, "audit", "playbooks/audit.yml", cmdline="--limit bmc-001")
    assert statuses(setup, "bmc-001")["net-addressing"] == "fail"
    return "bmc-001"


def test_a_taken_address_is_refused_with_zero_writes(fleet, setup, public):
    taken = dict(MOVE, bmc_target_address=dict(MOVE["bmc_target_address"], address=address(fleet, "bmc-002")))
    done, sent = run(fleet, setup, "taken", cmdline="--limit bmc-001 --tags net-addressing", **taken)
    assert done.status == "failed" and sent["bmc-001"] == []
    msg = task_result(done, "bmc-001")["msg"]
    assert "something already answers on port %s there (the address is taken)" % fleet.port in msg and "nothing was written" in msg


def test_a_certificate_that_does_not_name_the_new_address_is_refused_with_zero_writes(fleet, setup, public):
    done, sent = run(fleet, setup, "unnamed", cmdline="--limit bmc-001 --tags net-addressing", **MOVE)
    assert done.status == "failed" and sent["bmc-001"] == []
    msg = task_result(done, "bmc-001")["msg"]
    assert "the certificate the BMC serves names 127.0.48.1, bmc-001, not the new address" in msg, msg
    assert address(fleet, "bmc-001") == "127.0.48.1"


def test_an_address_the_ip_access_control_would_not_let_the_controller_reach_is_refused(fleet, setup, public):
    """Toward 10.99.0.7 this controller sends from its own LAN address, which the management
    networks (127.0.0.0/8, 10.0.0.0/8) do not hold: the BMC would drop it there."""
    far = dict(MOVE, bmc_validate_certs=False, bmc_target_address={"address": "10.99.0.7", "prefix_length": 16, "gateway": "10.99.0.1"})
    done, sent = run(fleet, setup, "far", cmdline="--limit bmc-001 --tags net-addressing", **far)
    assert done.status == "failed" and sent["bmc-001"] == []
    msg = task_result(done, "bmc-001")["msg"]
    assert "the IP access control (127.0.0.0/8 Accept, 10.0.0.0/8 Accept) would not accept the controller's address" in msg, msg


def test_the_bmc_moves_is_followed_and_reaudited_at_its_new_address(fleet, setup, public):
    done, sent = run(fleet, setup, "check", cmdline="--limit bmc-001 --tags tls-cert-not-default,net-addressing --check --diff",
                     **MOVE)
    assert done.status == "successful" and sent["bmc-001"] == [], done.stdout[-3000:]
    diff = task_result(done, "bmc-001")["diff"]                  # --diff: the address read, the one planned
    assert '"203.0.113.2"' in diff["before"] and '"%s"' % NEW in diff["after"] and '"127.0.0.254"' in diff["after"], diff

    done, sent = run(fleet, setup, "move", cmdline="--limit bmc-001 --tags tls-cert-not-default,net-addressing", **MOVE)
    assert done.status == "successful", done.stdout[-3000:]
    # The certificate names both addresses before the move; the lock goes back on at the new address.
    assert sent["bmc-001"] == [("PATCH", LOCK), ("POST", CSR + ".GenerateCSR"), ("POST", CSR + ".ReplaceCertificate"), ("PATCH", LOCK),
                               ("PATCH", LOCK), ("PATCH", NIC), ("PATCH", LOCK)]
    res = task_result(done, "bmc-001")
    assert res["moved"] == res["bmc_remediation"]["moved"] == {"from": "127.0.48.1", "to": NEW}
    recorded = json.loads((setup[1] / "remediation" / "bmc-001.json").read_text())[-1]
    assert recorded["moved"] == res["moved"] and recorded["status"] == "changed"
    assert "bmc-001 moved from 127.0.48.1 to %s: update ansible_host in the inventory" % NEW in done.stdout
    assert "moved to %s: update ansible_host in the inventory" % NEW in done.stdout.split("Summary of what changed per host")[1]
    assert address(fleet, "bmc-001") == NEW and not answers("127.0.48.1", fleet.port) and answers(NEW, fleet.port)
    assert fleet.admin.get_resource("bmc-001", LOCK)["SysLockdownEnabled"] is True
    # the re-audit went to the new address: the BMC passes there
    after = statuses(setup, "bmc-001")
    assert (after["net-addressing"], after["tls-cert-not-default"]) == ("pass", "pass"), after

    moved = {"bmc-001": {"ansible_host": NEW}}      # the operator updates the inventory
    for name, cmdline in [("again", "--limit bmc-001"), ("check-again", "--limit bmc-001 --check")]:
        done, sent = run(fleet, setup, name, cmdline=cmdline, host_vars=moved, **MOVE)
        assert done.status == "successful" and done.changed() == 0 and sent["bmc-001"] == [], (name, done.stdout[-3000:])
    fleet.admin.reset("bmc-001")
    assert address(fleet, "bmc-001") == "127.0.48.1" and answers("127.0.48.1", fleet.port)


def test_a_bmc_lost_at_its_new_address_fails_alone_naming_both_addresses(fleet, setup):
    """bmc-002 is moved to an address nothing here reaches. The pre-flight cannot see that (the
    controller is said to reach the BMCs as 10.0.0.5, behind NAT; certificates are not checked);
    bmc-003 in the same run gets its SSH switched off."""
    fleet.admin.apply_deviations("bmc-002", "gateway_outside")
    fleet.admin.apply_deviations("bmc-003", "ssh_on")
    lost = dict(MOVE, bmc_address_settle_seconds=3, bmc_validate_certs=False, bmc_controller_address="10.0.0.5",
                bmc_target_address={"address": "10.99.0.7", "prefix_length": 16, "gateway": "10.99.0.1"})
    run(fleet, setup, "lost-audit", "playbooks/audit.yml", cmdline="--limit bmc-002,bmc-003", **lost)
    done, sent = run(fleet, setup, "lost", cmdline="--limit bmc-002,bmc-003", **lost)
    assert done.status == "failed"
    msg = task_result(done, "bmc-002")["msg"]
    assert "does not answer a fresh login at its new address 10.99.0.7" in msg and "reach it at its console" in msg, msg
    assert "the rollback failed too" in msg and "127.0.48.2" in msg and "SysLockdown NOT locked again" in msg, msg
    assert sent["bmc-002"] == [("PATCH", LOCK), ("PATCH", NIC)]
    assert address(fleet, "bmc-002") == "10.99.0.7" and not answers("127.0.48.2", fleet.port)
    assert task_result(done, "bmc-003")["bmc_remediation"]["status"] == "changed"      # the rest of the fleet goes on
    assert statuses(setup, "bmc-003")["svc-ssh-off"] == "pass"
    fleet.admin.reset("bmc-002")
    assert answers("127.0.48.2", fleet.port)


def test_a_gateway_outside_is_fixed_in_place_and_proven(fleet, setup):
    """The address stays (it is the one the run connects to), only the gateway moves inside: one
    PATCH, a fresh connection proves the BMC still lets the controller in, nothing moves."""
    fleet.admin.reset("bmc-003")
    fleet.admin.apply_deviations("bmc-003", "gateway_outside")
    here = dict(MOVE, bmc_target_address={"address": "127.0.48.3", "prefix_length": 8, "gateway": "127.0.0.254"})
    run(fleet, setup, "gateway-audit", "playbooks/audit.yml", cmdline="--limit bmc-003", **here)
    assert statuses(setup, "bmc-003")["net-addressing"] == "fail"
    done, sent = run(fleet, setup, "gateway", cmdline="--limit bmc-003 --tags net-addressing", **here)
    assert done.status == "successful", done.stdout[-3000:]
    assert sent["bmc-003"] == [("PATCH", LOCK), ("PATCH", NIC), ("PATCH", LOCK)]
    res = task_result(done, "bmc-003")
    assert "moved" not in res and address(fleet, "bmc-003") == "127.0.48.3"
    assert [(op["method"], op["path"]) for op in res["applied"]] == [("PATCH", NIC)] and "followed" not in res["applied"][0]["description"]
    nic = fleet.admin.get_resource("bmc-003", NIC)
    assert (nic["DHCPv4"]["DHCPEnabled"], nic["IPv4Addresses"][0]["Gateway"]) == (False, "127.0.0.254")
    assert statuses(setup, "bmc-003")["net-addressing"] == "pass"
    done, sent = run(fleet, setup, "gateway-again", cmdline="--limit bmc-003 --tags net-addressing", **here)
    assert done.status == "successful" and done.changed() == 0 and sent["bmc-003"] == []
