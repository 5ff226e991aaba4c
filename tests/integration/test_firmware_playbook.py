"""playbooks/firmware.yml end to end through ansible-runner against bmcsim, firmware time scaled down.

Images come from `bmcsim image`; the targets are added to the project's baseline per board. Each
assertion on writes reads the simulator's request log (AdminClient.requests), not our client.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import subprocess
import time

import pytest
import yaml

from playbook_support import BIN, ROOT, make_inventory

from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishClient
from bmcsim.image import write_image
from bmcsim.testing import SimFleet

BASELINE = yaml.safe_load((ROOT / "inventory" / "group_vars" / "all" / "baseline.yml").read_text())
FAST = {"firmware_time_scale": 0.004, "reboot_seconds": 0.5}
# per generation: (BMC platform, BMC target, BIOS target); the BIOS file names carry the board
TARGETS = {"x13": ("X13AST2600-ROT-5501MS", "01.06.10", "2.3"), "x12": ("X12AST2600-F201MS", "01.05.02", "2.0"),
           "x11": ("X11AST2500-4101MS", "01.74.11", "3.9")}
LOCKDOWN = "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown"
UPLOADS = ("/redfish/v1/UpdateService/upload", "SmcFirmwareInventory.Upload")


def image_name(component, generation, board, version=None):
    platform, bmc, bios = TARGETS[generation]
    if component == "BMC":
        return "BMC_%s_20241001_%s_STDsp.bin" % (platform, version or bmc)
    return "BIOS_%s-1D14_20241001_%s_STDsp.bin" % (board, version or bios)


def bmcsim_image(out, component, generation, version, corrupt=False):
    """What `bmcsim image` writes (tests/simulator/test_image_cli.py), without a process per image."""
    return write_image(str(out), component, generation, version, "2024-10-01", corrupt=corrupt)


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=6, profile="mixed", base_address="127.0.60.1") as running:
        yield running


class Rollout:
    """A fleet reset to its seeded state with fast firmware, an image folder, targets and a runner."""

    def __init__(self, fleet, tmp_path, run_playbook):
        self.fleet, self.tmp, self.run_playbook = fleet, tmp_path, run_playbook
        self.images = tmp_path / "firmware"
        self.images.mkdir()
        self.results = tmp_path / "reports"
        self.approved = copy.deepcopy(BASELINE["bmc_approved_firmware"])
        self.bmcs = {b["name"]: b for b in fleet.admin.bmcs()}
        for name, bmc in self.bmcs.items():
            fleet.admin.reset(name)
            fleet.admin.set_knobs(name, **FAST)
            fleet.admin.reset_requests(name)
            self.target(bmc["board"], bmc["generation"], "BMC", TARGETS[bmc["generation"]][1])
            self.target(bmc["board"], bmc["generation"], "BIOS", TARGETS[bmc["generation"]][2])
        self.inventory = make_inventory(tmp_path, fleet.inventory_path, self.results)

    def target(self, board, generation, component, version, corrupt=False, sha256=None):
        name = ("corrupt-" if corrupt else "") + image_name(component, generation, board, version)
        digest = bmcsim_image(self.images / name, component, generation, version, corrupt)
        entry = self.approved[board]
        entry["%s_target" % component.lower()] = {"image": name, "sha256": sha256 or digest, "version": version}
        images = entry["%s_images" % component.lower()]
        entry["%s_images" % component.lower()] = images + [name if generation != "x11" else version]
        return name

    def run(self, limit=None, check=False, diff=False, **extravars):
        variables = {"bmc_approved_firmware": self.approved, "bmc_firmware_dir": str(self.images),
                     "bmc_audit_results_dir": str(self.results), "bmc_firmware_lift_lockdown": True,
                     "bmc_firmware_poll_interval": 0.1, "bmc_firmware_restart_timeout": 30}
        variables.update(extravars)
        cmdline = " ".join(([("--limit %s" % limit)] if limit else []) + (["--check"] if check else []) + (["--diff"] if diff else []))
        return self.run_playbook("playbooks/firmware.yml", self.inventory, extravars=variables, cmdline=cmdline or None)

    def writes(self, name):
        return [(m, p, s) for m, p, s in self.fleet.admin.requests(name)["log"]
                if m != "GET" and "SessionService/Sessions" not in p]

    def uploads(self, name):
        return [w for w in self.writes(name) if any(u in w[1] for u in UPLOADS)]

    def version(self, name, component):
        path = {"x11": "/redfish/v1/UpdateService/SmcFirmwareInventory/%s"}.get(
            self.bmcs[name]["generation"], "/redfish/v1/UpdateService/FirmwareInventory/%s") % component
        return self.fleet.admin.get_resource(name, path)["Version"]

    def state(self, name):
        path = self.results / "firmware" / ("%s.json" % name)
        return json.loads(path.read_text())["firmware_update"] if path.exists() else {}

    def reset_counters(self):
        for name in self.bmcs:
            self.fleet.admin.reset_requests(name)


@pytest.fixture
def rollout(fleet, tmp_path, run_playbook):
    return Rollout(fleet, tmp_path, run_playbook)


def host_results(run, task="Bring BMC and BIOS firmware to the approved targets"):
    return {e["event_data"]["host"]: e for e in run.events
            if e.get("event") in ("runner_on_ok", "runner_on_failed") and e["event_data"].get("task") == task}


def test_fleet_updated_then_second_run_changes_nothing(rollout):
    run = rollout.run(bmc_firmware_batch=3)
    assert run.status == "successful", run.stdout[-3000:]
    for name, bmc in rollout.bmcs.items():
        _platform, bmc_version, bios_version = TARGETS[bmc["generation"]]
        assert rollout.version(name, "BMC") == bmc_version, name
        # BIOS: staged, not applied (bmc_firmware_bios_reset: never): the BIOS in effect is unchanged
        assert bios_version not in rollout.version(name, "BIOS"), name
        state = rollout.state(name)
        assert state["bmc"]["state"] == "done" and state["bios"]["state"] == "staged", state
        assert len(rollout.uploads(name)) == 2, rollout.writes(name)
    results = host_results(run)
    assert "BIOS %s staged, pending host reset" % TARGETS["x13"][2] in results["bmc-001"]["event_data"]["res"]["msg"]
    # re-audited and recorded: the firmware controls read the new BMC version
    record = json.loads((rollout.results / "bmc-001.json").read_text())
    assert record["facts"]["firmware"]["bmc_version"] == TARGETS["x13"][1]
    assert {r["id"]: r["status"] for r in record["results"]}["fw-bmc-min-version"] == "pass"
    # after the flash: a new session, then the version read from the inventory (not the task)
    log = rollout.fleet.admin.requests("bmc-001")["log"]
    start = max(i for i, (m, p, _s) in enumerate(log) if p.endswith("UpdateService.StartUpdate"))
    login = next(i for i, (m, p, s) in enumerate(log) if i > start and m == "POST" and p.endswith("/Sessions") and s == 201)
    assert any(p.endswith("FirmwareInventory/BMC") and s == 200 for _m, p, s in log[login:])
    assert rollout.fleet.credentials[1] not in run.all_text()
    # lockdown restored on X12/X13
    for name, bmc in rollout.bmcs.items():
        if bmc["generation"] != "x11":
            lockdown = rollout.fleet.admin.get_resource(name, "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown")
            assert lockdown["SysLockdownEnabled"] is True

    rollout.reset_counters()
    again = rollout.run(bmc_firmware_batch=3)
    assert again.status == "successful", again.stdout[-3000:]
    changed = {h for h, e in host_results(again).items() if e["event_data"]["res"].get("changed")}
    assert changed == set()
    for name in rollout.bmcs:
        assert rollout.uploads(name) == [], rollout.writes(name)
        assert rollout.writes(name) == [], name


def test_check_mode_plans_and_writes_nothing(rollout):
    run = rollout.run(check=True, diff=True, bmc_firmware_batch=2)
    assert run.status == "successful", run.stdout[-3000:]
    res = host_results(run)["bmc-001"]["event_data"]["res"]
    bmc = next(s for s in res["bmc_firmware"]["steps"] if s["component"] == "bmc")
    assert (bmc["from"], bmc["to"], bmc["action"], bmc["sha256_verified"]) == ("01.04.15", "01.06.10", "update", True)
    assert bmc["image"] == image_name("BMC", "x13", rollout.bmcs["bmc-001"]["board"]) and len(bmc["batch"]) == 2
    # --diff: the version read, then the target with its image and sha256 (every component the run would update)
    diff = res["diff"]
    assert "BMC: version 01.04.15" in diff["before"] and "BMC: version 01.06.10, image %s, sha256 %s" % (bmc["image"], bmc["sha256"]) \
        in diff["after"] and diff["before_header"] == "bmc-001 (read)"
    assert "-BMC: version 01.04.15" in run.stdout and "+BMC: version 01.06.10" in run.stdout
    for name in rollout.bmcs:
        assert rollout.writes(name) == [], name
        assert rollout.state(name) == {}


def test_sha256_mismatch_sends_nothing(rollout):
    board = rollout.bmcs["bmc-001"]["board"]
    rollout.approved[board]["bmc_target"]["sha256"] = "0" * 64
    run = rollout.run(limit="bmc-001")
    assert run.status == "failed"
    msg = host_results(run)["bmc-001"]["event_data"]["res"]["msg"]
    actual = bmcsim_image(rollout.tmp / "again.bin", "BMC", "x13", TARGETS["x13"][1])
    assert image_name("BMC", "x13", board) in msg and "0" * 64 in msg and actual in msg
    assert rollout.writes("bmc-001") == [] and rollout.uploads("bmc-001") == []


def test_corrupt_image_fails_verify_and_the_next_host_goes_on(rollout):
    x13 = [n for n, b in rollout.bmcs.items() if b["generation"] == "x13"]
    bad, good = x13
    rollout.target(rollout.bmcs[bad]["board"], "x13", "BMC", "01.06.10", corrupt=True)
    # one batch of both: Ansible ends a play whose whole batch failed, whatever max_fail_percentage says
    run = rollout.run(limit=",".join(x13), bmc_firmware_batch=2, bmc_firmware_max_fail_percentage=100,
                      bmc_firmware_components=["bmc"])
    assert run.status == "failed"
    results = host_results(run)
    assert results[bad]["event"] == "runner_on_failed"
    assert "BMC failed at verify" in results[bad]["event_data"]["res"]["msg"]
    assert "OemFirmwareUpdateWrongImage" in results[bad]["event_data"]["res"]["msg"]
    assert rollout.version(bad, "BMC") == "01.04.15"         # stays on its version
    assert rollout.state(bad)["bmc"]["state"] == "failed" and rollout.state(bad)["bmc"]["step"] == "verify"
    assert rollout.version(good, "BMC") == "01.06.10"        # the next host went on
    assert len(rollout.uploads(bad)) == 1


def test_x11_legacy_rejected_image_is_cancelled(rollout):
    name = "bmc-003"
    assert rollout.bmcs[name]["generation"] == "x11"
    rollout.target(rollout.bmcs[name]["board"], "x11", "BMC", "01.74.11", corrupt=True)
    run = rollout.run(limit=name, bmc_firmware_components=["bmc"])
    assert run.status == "failed"
    assert "BMC failed at verify" in host_results(run)[name]["event_data"]["res"]["msg"]
    paths = [p for _m, p, _s in rollout.writes(name)]
    assert paths[-1].endswith("SmcFirmwareInventory.Cancel")      # the BMC left update mode
    assert rollout.version(name, "BMC") == "01.74.09"


def test_bmc_already_in_update_mode(rollout):
    name = "bmc-003"
    bmc = rollout.bmcs[name]
    username, password = rollout.fleet.credentials
    with RedfishClient(bmc["address"], bmc["port"], username, password, ca_path=rollout.fleet.ca_path) as rf:
        # another tool's update, left in update mode
        rf.post("/redfish/v1/UpdateService/SmcFirmwareInventory/BMC/Actions/SmcFirmwareInventory.EnterUpdateMode", {})
    rollout.reset_counters()
    run = rollout.run(limit=name, bmc_firmware_components=["bmc"])
    assert run.status == "failed"
    msg = host_results(run)[name]["event_data"]["res"]["msg"]
    assert "already in update mode" in msg and rollout.uploads(name) == []


def test_downgrade_refused(rollout):
    board = rollout.bmcs["bmc-001"]["board"]
    rollout.approved[board]["bmc_min"] = "01.04.00"
    rollout.target(board, "x13", "BMC", "01.04.10")          # older than the active 01.04.15, same family
    run = rollout.run(limit="bmc-001", bmc_firmware_components=["bmc"])
    assert run.status == "failed"
    assert "BMC 01.04.15 is newer than the target 01.04.10: downgrade refused" in \
        host_results(run)["bmc-001"]["event_data"]["res"]["msg"]
    assert rollout.writes("bmc-001") == []
    assert rollout.version("bmc-001", "BMC") == "01.04.15"


def test_bios_applied_when_powered_off(rollout):
    rollout.fleet.admin.patch_resource("bmc-001", "/redfish/v1/Systems/1", {"PowerState": "Off"})
    run = rollout.run(limit="bmc-001", bmc_firmware_components=["bios"], bmc_firmware_bios_reset="if_powered_off")
    assert run.status == "successful", run.stdout[-3000:]
    assert rollout.version("bmc-001", "BIOS").endswith("Ver " + TARGETS["x13"][2])
    assert rollout.state("bmc-001")["bios"]["state"] == "done"
    assert any(p.endswith("ComputerSystem.Reset") for _m, p, _s in rollout.writes("bmc-001"))


def test_bad_target_stops_before_any_bmc_is_touched(rollout):
    board = rollout.bmcs["bmc-002"]["board"]
    rollout.approved[board]["bios_target"]["image"] = "BIOS_missing_20241001_2.0_STDsp.bin"
    rollout.approved[board]["bios_images"].append("BIOS_missing_20241001_2.0_STDsp.bin")
    run = rollout.run()
    assert run.status == "failed"
    assert "bmc_approved_firmware.%s.bios_target.image" % board in run.stdout
    assert "BIOS_missing_20241001_2.0_STDsp.bin not found" in run.stdout
    for name in rollout.bmcs:
        assert rollout.fleet.admin.requests(name)["count"] == 0, name


def test_bmc_that_never_returns_stops_the_rollout(rollout):
    first = rollout.run(check=True, bmc_firmware_batch=2, bmc_firmware_components=["bmc"])
    order = [h for h in host_results(first)]
    batches = [order[i:i + 2] for i in range(0, len(order), 2)]
    dead = batches[0][0]
    rollout.fleet.admin.set_knobs(dead, reboot_seconds=3600)
    rollout.reset_counters()
    run = rollout.run(bmc_firmware_batch=2, bmc_firmware_max_fail_percentage=0, bmc_firmware_components=["bmc"],
                      bmc_firmware_restart_timeout=3)
    assert run.status == "failed"
    results = host_results(run)
    assert "did not come back within 3s" in results[dead]["event_data"]["res"]["msg"]
    assert results[dead]["event"] == "runner_on_failed"       # failed, not unreachable
    assert set(results) == set(batches[0])                    # the rollout stopped after batch 1
    for later in [h for batch in batches[1:] for h in batch]:
        assert rollout.fleet.admin.requests(later)["count"] == 0, later
    assert rollout.state(dead)["bmc"]["step"] == "restart"


def test_controller_killed_mid_update_then_resumed(rollout, tmp_path):
    name = "bmc-001"
    rollout.fleet.admin.set_knobs(name, firmware_time_scale=0.05)     # a 12 s flash to kill the controller in
    variables = {"bmc_approved_firmware": rollout.approved, "bmc_firmware_dir": str(rollout.images),
                 "bmc_audit_results_dir": str(rollout.results), "bmc_firmware_lift_lockdown": True,
                 "bmc_firmware_poll_interval": 0.1, "bmc_firmware_components": ["bmc"]}
    (tmp_path / "vars.json").write_text(json.dumps(variables))
    env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"))
    proc = subprocess.Popen([str(BIN / "ansible-playbook"), "-i", str(rollout.inventory), "--limit", name,
                             "-e", "@%s" % (tmp_path / "vars.json"), str(ROOT / "playbooks" / "firmware.yml")],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while rollout.state(name).get("bmc", {}).get("state") != "updating":
            assert proc.poll() is None and time.monotonic() < deadline, "the update never reached the flash"
            time.sleep(0.1)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)         # the controller and its workers, mid-flash
        proc.wait()
    assert rollout.state(name)["bmc"]["state"] == "updating"
    run = rollout.run(limit=name, bmc_firmware_components=["bmc"])
    assert run.status == "successful", run.stdout[-3000:]
    assert rollout.version(name, "BMC") == "01.06.10"
    assert rollout.state(name)["bmc"]["state"] == "done"
    assert len(rollout.uploads(name)) == 1                  # never a second upload on top of the running one
    lockdown = rollout.fleet.admin.get_resource(name, "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown")
    assert lockdown["SysLockdownEnabled"] is True           # restored by the run that resumed


def test_never_uploads_on_top_of_a_running_update(rollout):
    """Another tool's upload is verifying on the BMC (no record of ours): the host fails, nothing is sent."""
    name = "bmc-004"
    bmc = rollout.bmcs[name]
    rollout.fleet.admin.patch_resource(name, "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown", {"SysLockdownEnabled": False})
    rollout.fleet.admin.set_knobs(name, firmware_time_scale=20)        # a Verify task of two minutes
    username, password = rollout.fleet.credentials
    image = rollout.images / image_name("BMC", "x13", bmc["board"])
    with RedfishClient(bmc["address"], bmc["port"], username, password, ca_path=rollout.fleet.ca_path) as rf:
        rf.upload("/redfish/v1/UpdateService/upload", files={"UpdateFile": str(image)}, fields={"UpdateParameters": {
            "Targets": ["/redfish/v1/Managers/1"], "@Redfish.OperationApplyTime": "OnStartUpdateRequest"}})
    rollout.reset_counters()
    run = rollout.run(limit=name, bmc_firmware_components=["bmc"])
    assert run.status == "failed"
    msg = host_results(run)[name]["event_data"]["res"]["msg"]
    assert "an update is running on the BMC (BMC Verify" in msg and "nothing uploaded on top of it" in msg
    assert rollout.uploads(name) == [] and rollout.writes(name) == []
    assert rollout.state(name)["bmc"]["state"] == "failed" and rollout.state(name)["bmc"]["step"] == "upload"


def test_bios_always_restarts_a_running_host(rollout):
    name = "bmc-002"        # X12 advertises "GracefulShutdownGracefulRestart" (captured bug), no GracefulRestart
    run = rollout.run(limit=name, bmc_firmware_components=["bios"], bmc_firmware_bios_reset="always")
    assert run.status == "successful", run.stdout[-3000:]
    assert rollout.version(name, "BIOS").endswith("Ver " + TARGETS["x12"][2])
    state = rollout.state(name)["bios"]
    assert state["state"] == "done" and state["reset"] == "ForceRestart"


def test_x13_upload_refused_in_update_mode_is_a_clear_failure(rollout):
    """An earlier upload verified but never started (update mode held, no running task): the BMC refuses
    the new image with OemFirmwareAlreadyInUpdateMode and the host fails saying what to do."""
    name = "bmc-004"
    bmc = rollout.bmcs[name]
    rollout.fleet.admin.patch_resource(name, "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown", {"SysLockdownEnabled": False})
    username, password = rollout.fleet.credentials
    with RedfishClient(bmc["address"], bmc["port"], username, password, ca_path=rollout.fleet.ca_path) as rf:
        answer = rf.upload("/redfish/v1/UpdateService/upload", files={"UpdateFile": str(rollout.images / image_name(
            "BMC", "x13", bmc["board"]))}, fields={"UpdateParameters": {
                "Targets": ["/redfish/v1/Managers/1"], "@Redfish.OperationApplyTime": "OnStartUpdateRequest"}})
        rf.wait_task(answer, interval=0.05, timeout=30)
    rollout.reset_counters()
    run = rollout.run(limit=name, bmc_firmware_components=["bmc"])
    assert run.status == "failed"
    msg = host_results(run)[name]["event_data"]["res"]["msg"]
    assert "already in update mode" in msg and "Manager.Reset" in msg
    assert [s for _m, _p, s in rollout.uploads(name)] == [405]
    assert rollout.version(name, "BMC") == "01.04.15"



def test_lockdown_is_lifted_only_when_the_run_may_unlock(rollout):
    # bmc_firmware_lift_lockdown defaults to bmc_remediate_unlock: one decision for every write path.
    name = next(n for n, b in rollout.bmcs.items() if b["generation"] == "x13")
    rollout.fleet.admin.patch_resource(name, LOCKDOWN, {"SysLockdownEnabled": True})
    rollout.reset_counters()

    def run(**extravars):
        variables = {"bmc_approved_firmware": rollout.approved, "bmc_firmware_dir": str(rollout.images),
                     "bmc_audit_results_dir": str(rollout.results), "bmc_firmware_poll_interval": 0.1,
                     "bmc_firmware_restart_timeout": 30, **extravars}
        return rollout.run_playbook("playbooks/firmware.yml", rollout.inventory, extravars=variables,
                                    cmdline="--limit %s" % name)

    refused = run()
    assert refused.status == "failed" and "System Lockdown is on" in refused.stdout
    assert rollout.writes(name) == []
    allowed = run(bmc_remediate_unlock=True)
    assert allowed.status == "successful", allowed.stdout[-3000:]
    assert len(rollout.uploads(name)) == 2
    assert rollout.fleet.admin.get_resource(name, LOCKDOWN)["SysLockdownEnabled"] is True
