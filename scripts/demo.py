"""`make demo`: the main job end to end on a simulated fleet.

Starts bmcsim (a dozen mixed X11/X12/X13 BMCs, some hardened, some not, one unreachable), runs
the audit playbook against it exactly as ops would against real BMCs, shows the groups the next
run can target, and stops the fleet.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FLEET = ["--count", "12", "--profile", "mixed", "--seed", "2026", "--noncompliant", "0.6",
         "--unreachable", "1", "--port", "18443", "--base-address", "127.0.10.1",
         "--latency-ms", "20-120"]


def start_fleet(workdir):
    inventory = workdir / "fleet.yml"
    log = open(workdir / "bmcsim.log", "w+", encoding="utf-8")
    proc = subprocess.Popen([str(BIN / "bmcsim"), *FLEET, "--inventory", str(inventory),
                             "--state-dir", str(workdir / "state")],
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        log.seek(0)
        ready = re.search(r"^bmcsim ready:.*$", log.read(), re.M)
        if ready:
            return proc, inventory, ready.group(0)
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    log.seek(0)
    stop(proc)
    sys.exit("bmcsim did not start:\n" + log.read())


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_FORCE_COLOR="0")
    with tempfile.TemporaryDirectory(prefix="bmclock-demo-") as tmp:
        proc, inventory, ready = start_fleet(Path(tmp))
        try:
            print(ready, flush=True)
            print("\n$ ansible-playbook playbooks/audit.yml -i <simulated fleet> -i inventory/\n", flush=True)
            audit = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/audit.yml",
                                    "-i", str(inventory), "-i", "inventory/"], cwd=ROOT, env=env)
            print("\n$ ansible-inventory -i inventory/ --graph bmc_noncompliant\n", flush=True)
            subprocess.run([str(BIN / "ansible-inventory"), "-i", "inventory/", "--graph", "bmc_noncompliant"],
                           cwd=ROOT, env=env)
            print("\nPer-host results: %s/reports/<host>.json (the previous run is kept for drift)." % ROOT)
            print("Fleet reports:    %s/reports/fleet/ (report.html, junit.xml, report.json, summary.md)" % ROOT)
        finally:
            stop(proc)
    print("Simulated fleet stopped.")
    return audit.returncode


if __name__ == "__main__":
    sys.exit(main())
