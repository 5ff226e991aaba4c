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
import sys
import time
from pathlib import Path

import pytest
import yaml

from playbook_support import BIN, ROOT, make_inventory

from bmcsim.testing import SimFleet

BASELINE = yaml.safe_load((ROOT / "inventory" / "group_vars" / "all" / "baseline.yml").read_text())
FAST = {"firmware_time_scale": 0.004, "reboot_seconds": 0.5}
# per generation: (BMC platform, BMC target, BIOS target); the BIOS file names carry the board
TARGETS = {"x13": ("X13AST2600-ROT-5501MS", "01.06.10", "2.3"), "x12": ("X12AST2600-F201MS", "01.05.02", "2.0"),
           "x11": ("X11AST2500-4101MS", "01.74.11", "3.9")}
UPLOADS = ("/redfish/v1/UpdateService/upload", "SmcFirmwareInventory.Upload")


def image_name(component, generation, board):
    platform, bmc, bios = TARGETS[generation]
    if component == "BMC":
        return "BMC_%s_20241001_%s_STDsp.bin" % (platform, bmc)
    return "BIOS_%s-1D14_20241001_%s_STDsp.bin" % (board, bios)


def bmcsim_image(out, component, generation, version, corrupt=False):
    cmd = [str(BIN / "bmcsim"), "image", "--component", component, "--generation", generation, "--version", version,
           "--date", "2024-10-01", "--out", str(out)] + (["--corrupt"] if corrupt else [])
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()[0]


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
        name = image_name(component, generation, board)
        digest = bmcsim_image(self.images / name, component, generation, version, corrupt)
        entry = self.approved[board]
        entry["%s_target" % component.lower()] = {"image": name, "sha256": sha256 or digest, "version": version}
        images = entry["%s_images" % component.lower()]
        entry["%s_images" % component.lower()] = images + [name if generation != "x11" else version]
        return name

    def run(self, limit=None, check=False, **extravars):
        variables = {"bmc_approved_firmware": self.approved, "bmc_firmware_dir": str(self.images),
                     "bmc_audit_results_dir": str(self.results), "bmc_firmware_lift_lockdown": True,
                     "bmc_firmware_poll_interval": 0.1, "bmc_firmware_restart_timeout": 30}
        variables.update(extravars)
        cmdline = " ".join(([("--limit %s" % limit)] if limit else []) + (["--check"] if check else []))
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
