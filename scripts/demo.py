"""`make demo`: the main job end to end on a simulated fleet.

Starts bmcsim (a dozen mixed X11/X12/X13 BMCs, some hardened, some not, one unreachable; three
of them also carry every access deviation), then tells the ops story exactly as against real
BMCs: audit -> remediate --check --diff (the plan, nothing written) -> remediate (SysLockdown
unlocked for the run and locked again) -> audit again -> the outside probe (exposure.yml), and
shows what still fails and why (only the firmware controls and net-addressing, which remediation
leaves alone on purpose; the rest passes or, where the demo cannot evaluate it, is notchecked).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
from bmcsim.testing import SimFleet  # starts the real bmcsim command, stops it by PID

ACCESS = ("default_admin_enabled", "extra_admin", "operator_role_escalated", "session_timeout_long",
          "weak_password_policy", "ldap_cleartext")


def playbook(env, fleet, *args):
    command = [str(BIN / "ansible-playbook"), *args, "-i", fleet.inventory_path, "-i", "inventory/"]
    print("\n$ ansible-playbook %s -i <simulated fleet> -i inventory/\n" % " ".join(args), flush=True)
    return subprocess.run(command, cwd=ROOT, env=env).returncode


# What stays after remediation, and why: firmware has its own playbook, an address move is opt-in,
# and what cannot be evaluated here stays notchecked (never a pass).
LEFT = {("fw", "fail"): "firmware: playbooks/firmware.yml (make demo-firmware)",
        ("net-addressing", "fail"): "manual step in the result, or bmc_remediate_addressing with bmc_target_address",
        ("exposure-outside", "notchecked"): "needs a vantage outside the management networks (group bmc_vantage, "
                                             "bmc_probe_zone: outside); the demo probes from the controller, inside",
        ("net-egress", "notchecked"): "X11 shows no directory settings over Redfish: not every check can run"}


def failing_after(fleet):
    """{host: {control: status}} of every control not passing, from the result files."""
    statuses = {}
    for bmc in fleet.bmcs:
        record = json.loads((ROOT / "reports" / ("%s.json" % bmc["name"])).read_text())
        statuses[bmc["name"]] = {r["id"]: r["status"] for r in record["results"] if r["status"] not in ("pass", "notapplicable")}
        if record["status"] in ("unreachable", "unsupported"):     # nothing was remediated there
            statuses[bmc["name"]] = {"(the BMC)": record["status"]}
    return statuses


def why(control, status):
    return LEFT.get((control, status)) or LEFT.get((control.split("-")[0], status)) or "NOT EXPECTED"


def main():
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_FORCE_COLOR="0")
    started = time.monotonic()
    with SimFleet(count=12, profile="mixed", seed=2026, noncompliant=0.6, unreachable=1,
                  latency_ms="20-120", base_address="127.0.10.1") as fleet:
        reachable = [b for b in fleet.bmcs if b["reachable"]]
        deviated = {}
        for bmc in reachable:
            if bmc["generation"] not in deviated:
                fleet.admin.apply_deviations(bmc["name"], *[d for d in ACCESS if not (d == "ldap_cleartext" and bmc["generation"] == "x11")])
                deviated[bmc["generation"]] = bmc["name"]
        print("Simulated fleet: %d BMCs on %s..%s (X11/X12/X13), one of them unreachable; %s carry every access "
              "deviation" % (len(fleet.bmcs), fleet.bmcs[0]["address"], fleet.bmcs[-1]["address"], ", ".join(deviated.values())),
              flush=True)
        codes = [playbook(env, fleet, "playbooks/audit.yml")]
        print("\n# The plan first: what would change, before/after per host (secrets masked), nothing written.", flush=True)
        codes.append(playbook(env, fleet, "playbooks/remediate.yml", "--check", "--diff", "--limit", ",".join(deviated.values()),
                              "-e", "bmc_remediate_unlock=true"))
        print("\n# Apply: SysLockdown unlocked for the run and locked again; the changed hosts are audited again.", flush=True)
        codes.append(playbook(env, fleet, "playbooks/remediate.yml", "-e", "bmc_remediate_unlock=true"))
        print("\n# The whole fleet once more.", flush=True)
        codes.append(playbook(env, fleet, "playbooks/audit.yml"))
        print("\n# And from the outside: which service ports answer (the exposure-* controls).", flush=True)
        codes.append(playbook(env, fleet, "playbooks/exposure.yml"))
        statuses = failing_after(fleet)
    print("\nSimulated fleet stopped.")
    print("\nControls not passing after remediation (every other control passes):")
    for host, bad in statuses.items():
        print("  %-8s %s" % (host, "all passing" if not bad else ", ".join("%s %s" % kv for kv in sorted(bad.items()))))
    left = sorted({(c, status) for bad in statuses.values() for c, status in bad.items() if c != "(the BMC)"})
    for control, status in left:
        print("  %-22s %-10s %s" % (control, status, why(control, status)))
    if any(why(control, status) == "NOT EXPECTED" for control, status in left):
        print("\nThe fleet did not end as documented: a control above is not expected to fail.")
        codes.append(1)
    print("\n$ ansible-inventory -i inventory/ --graph bmc_noncompliant   # what the next run can --limit to\n", flush=True)
    subprocess.run([str(BIN / "ansible-inventory"), "-i", "inventory/", "--graph", "bmc_noncompliant"], cwd=ROOT, env=env)
    print("\nPer-host results: %s/reports/<host>.json (the run before: reports/previous/<host>.json, for drift)." % ROOT)
    print("Remediation records: %s/reports/remediation/<host>.json" % ROOT)
    print("Fleet reports:    %s/reports/fleet/ (report.html, junit.xml, report.json, summary.md)" % ROOT)
    print("Demo took %.0f s." % (time.monotonic() - started))
    return max(codes)


if __name__ == "__main__":
    sys.exit(main())
