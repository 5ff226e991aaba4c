"""`make demo`: the main job end to end on a simulated fleet.

Starts bmcsim (a dozen mixed X11/X12/X13 BMCs, some hardened, some not, one unreachable), runs
the audit playbook against it exactly as ops would against real BMCs, shows the groups the next
run can target, and stops the fleet.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
from bmcsim.testing import SimFleet  # starts the real bmcsim command, stops it by PID


def main():
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_FORCE_COLOR="0")
    with SimFleet(count=12, profile="mixed", seed=2026, noncompliant=0.6, unreachable=1,
                  latency_ms="20-120", base_address="127.0.10.1") as fleet:
        print("Simulated fleet: %d BMCs on %s..%s (X11/X12/X13), one of them unreachable"
              % (len(fleet.bmcs), fleet.bmcs[0]["address"], fleet.bmcs[-1]["address"]), flush=True)
        print("\n$ ansible-playbook playbooks/audit.yml -i <simulated fleet> -i inventory/\n", flush=True)
        audit = subprocess.run([str(BIN / "ansible-playbook"), "playbooks/audit.yml",
                                "-i", fleet.inventory_path, "-i", "inventory/"], cwd=ROOT, env=env)
    print("\nSimulated fleet stopped.")
    print("\n$ ansible-inventory -i inventory/ --graph bmc_noncompliant   # what the next run can --limit to\n",
          flush=True)
    subprocess.run([str(BIN / "ansible-inventory"), "-i", "inventory/", "--graph", "bmc_noncompliant"],
                   cwd=ROOT, env=env)
    print("\nPer-host results: %s/reports/<host>.json (the previous run is kept for drift)." % ROOT)
    print("Fleet reports:    %s/reports/fleet/ (report.html, junit.xml, report.json, summary.md)" % ROOT)
    return audit.returncode


if __name__ == "__main__":
    sys.exit(main())
