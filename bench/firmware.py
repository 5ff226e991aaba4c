"""Firmware rollout benchmark (playbooks/firmware.yml against bmcsim; docs/firmware.md).

1. rollout: N X13 BMCs, batches of B, a simulated flash time of T s per BMC (Verify task + Update
   task + restart, the BMC's own time): the wall time of the whole playbook (validation play,
   update, re-audit and fleet report of every batch) against batches x T, the limit the batch size sets.
2. memory: B BMCs in one batch with forks B, a 256 MiB image vs a 1 MiB image: the peak RSS of the
   largest controller process (ru_maxrss over ansible-playbook and its workers). The image streams
   from disk, so it should not grow with the image.

    .venv/bin/python bench/firmware.py [--hosts 50] [--batch 10] [--flash-s 60] [--image-mib 256] [--parts rollout,memory]
Prints one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out" / "firmware"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bmcsim.testing import SimFleet  # noqa: E402
from run import timed  # noqa: E402  (wall, CPU, peak RSS of a child command tree)

IMAGE = "BMC_X13AST2600-ROT-5501MS_20241001_01.06.10_STDsp.bin"
STEPS_S = 6 + 240          # BMC Verify + Update at firmware_time_scale 1 (bmcsim/firmware.py DURATIONS)
REBOOT_S = 2


def make_image(folder, mib):
    folder.mkdir(parents=True, exist_ok=True)
    out = subprocess.run([str(BIN / "bmcsim"), "image", "--component", "BMC", "--generation", "x13", "--version",
                          "01.06.10", "--size", "%dM" % mib, "--out", str(folder / IMAGE)],
                         capture_output=True, text=True, check=True)
    return out.stdout.split()[0]


def rollout(hosts, batch, flash_s, mib, forks, base_address, tag):
    """One rollout of the BMC firmware; returns its figures."""
    work = OUT / tag
    digest = make_image(work / "images", mib)
    approved = copy.deepcopy(yaml.safe_load((ROOT / "inventory" / "group_vars" / "all" / "baseline.yml").read_text())
                             ["bmc_approved_firmware"])
    for board, entry in approved.items():
        if board.startswith("X13"):
            entry["bmc_images"] = entry["bmc_images"] + [IMAGE]
            entry["bmc_target"] = {"image": IMAGE, "sha256": digest}
    variables = work / "vars.json"
    variables.write_text(json.dumps({
        "bmc_approved_firmware": approved, "bmc_firmware_dir": str(work / "images"),
        "bmc_audit_results_dir": str(work / "reports"), "bmc_firmware_lift_lockdown": True,
        "bmc_firmware_components": ["bmc"], "bmc_firmware_poll_interval": 0.5, "bmc_firmware_batch": batch,
        "bmc_firmware_max_fail_percentage": 0}))
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_FORKS=str(forks),
               ANSIBLE_NOCOLOR="1")
    with SimFleet(count=hosts, profile="x13", base_address=base_address, timeout=120) as fleet:
        for bmc in fleet.bmcs:
            fleet.admin.set_knobs(bmc["name"], firmware_time_scale=(flash_s - REBOOT_S) / STEPS_S, reboot_seconds=REBOOT_S)
        cmd = [str(BIN / "ansible-playbook"), "playbooks/firmware.yml", "-i", fleet.inventory_path,
               "-i", str(ROOT / "inventory"), "-e", "@%s" % variables]
        wall, cpu, rss = timed(cmd, env)
        versions = [fleet.admin.get_resource(b["name"], "/redfish/v1/UpdateService/FirmwareInventory/BMC")["Version"]
                    for b in fleet.bmcs]
    batches = math.ceil(hosts / batch)
    return {"hosts": hosts, "batch": batch, "batches": batches, "flash_s": flash_s, "image_mib": mib, "forks": forks,
            "wall_s": round(wall, 1), "limit_s": batches * flash_s, "ratio": round(wall / (batches * flash_s), 2),
            "updated": sum(v == "01.06.10" for v in versions), "cpu_s": round(cpu, 1), "peak_rss_mb": round(rss, 1)}


def run(hosts=50, batch=10, flash_s=60, image_mib=256, parts=("rollout", "memory")):
    figures = {}
    if "rollout" in parts:
        figures["rollout"] = rollout(hosts, batch, flash_s, 1, batch, "127.0.70.1", "rollout")
        print("rollout: %(hosts)d BMCs, batches of %(batch)d, flash %(flash_s)s s: wall %(wall_s)s s = %(ratio)sx "
              "(batches x flash = %(limit_s)s s), %(updated)d updated" % figures["rollout"], flush=True)
    if "memory" in parts:
        for mib in (1, image_mib):
            figures["memory_%dmib" % mib] = rollout(batch, batch, 4, mib, batch, "127.0.72.1", "memory-%d" % mib)
            print("memory: %d BMCs, forks %d, %d MiB image: peak RSS %.1f MB, wall %.1f s" % (
                batch, batch, mib, figures["memory_%dmib" % mib]["peak_rss_mb"], figures["memory_%dmib" % mib]["wall_s"]),
                flush=True)
    return figures


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hosts", type=int, default=50)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--flash-s", type=float, default=60)
    p.add_argument("--image-mib", type=int, default=256)
    p.add_argument("--parts", default="rollout,memory")
    args = p.parse_args()
    print(json.dumps(run(args.hosts, args.batch, args.flash_s, args.image_mib, args.parts.split(","))))


if __name__ == "__main__":
    main()
