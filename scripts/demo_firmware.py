"""`make demo-firmware`: a rollout of two simulated X13 BMCs with images made by `bmcsim image`.

Writes BMC and BIOS images (and their SHA-256) into a temporary folder, adds them as the targets of
both boards, shows the plan (--check), rolls out in batches of one, runs again (nothing to do) and
stops the fleet. The simulator's firmware time is scaled down (a BMC flash takes about 2 s).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
from bmcsim.testing import SimFleet  # starts the real bmcsim command, stops it by PID

TARGETS = {"BMC": ("BMC_X13AST2600-ROT-5501MS_20241001_01.06.10_STDsp.bin", "01.06.10"),
           "BIOS": ("BIOS_{board}-1D14_20241001_2.3_STDsp.bin", "2.3")}


def shell(*args, **kwargs):
    print("\n$ " + " ".join(str(a) for a in args) + "\n", flush=True)
    return subprocess.run([str(a) for a in args], **kwargs)


def main():
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_FORCE_COLOR="0")
    baseline = yaml.safe_load((ROOT / "inventory" / "group_vars" / "all" / "baseline.yml").read_text())
    approved = copy.deepcopy(baseline["bmc_approved_firmware"])
    with tempfile.TemporaryDirectory(prefix="bmclock-firmware-") as tmp, \
            SimFleet(count=2, profile="x13", base_address="127.0.12.1") as fleet:
        images, results = Path(tmp) / "firmware", Path(tmp) / "reports"
        images.mkdir()
        for bmc in fleet.admin.bmcs():
            fleet.admin.set_knobs(bmc["name"], firmware_time_scale=0.01, reboot_seconds=1)
            entry = approved[bmc["board"]]
            for component, (pattern, version) in TARGETS.items():
                name = pattern.format(board=bmc["board"])
                out = shell(BIN / "bmcsim", "image", "--component", component, "--generation", "x13",
                            "--version", version, "--out", images / name, capture_output=True, text=True, check=True)
                print(out.stdout.strip())
                entry["%s_target" % component.lower()] = {"image": name, "sha256": out.stdout.split()[0]}
                entry["%s_images" % component.lower()].append(name)
        extra = Path(tmp) / "vars.json"
        extra.write_text(json.dumps({
            "bmc_approved_firmware": approved, "bmc_firmware_dir": str(images), "bmc_audit_results_dir": str(results),
            "bmc_firmware_lift_lockdown": True, "bmc_firmware_poll_interval": 0.5, "bmc_firmware_batch": 1}))
        playbook = [BIN / "ansible-playbook", "playbooks/firmware.yml", "-i", fleet.inventory_path, "-i", "inventory/",
                    "-e", "@%s" % extra]
        shell(*playbook, "--check", cwd=ROOT, env=env)
        rollout = shell(*playbook, cwd=ROOT, env=env)
        again = shell(*playbook, cwd=ROOT, env=env)
        for bmc in fleet.admin.bmcs():
            version = fleet.admin.get_resource(bmc["name"], "/redfish/v1/UpdateService/FirmwareInventory/BMC")["Version"]
            state = json.loads((results / "firmware" / ("%s.json" % bmc["name"])).read_text())["firmware_update"]
            print("%s: BMC %s (%s), BIOS %s" % (bmc["name"], version, state["bmc"]["state"], state["bios"]["state"]))
    print("\nSimulated fleet stopped.")
    return rollout.returncode or again.returncode


if __name__ == "__main__":
    sys.exit(main())
