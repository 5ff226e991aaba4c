"""Remediation benchmark (hooked into bench/run.py; also runs alone):

  compliant   a hardened X13 fleet, audited, then `remediate.yml --tags acct,sess` (the access role
              runs against every BMC although nothing failed): writes must be zero, controller CPU
              per host is compared with the audit's.
  deviated    the same fleet with every access deviation (SysLockdown on, unlocked by the run):
              writes per host against the settings that differ (the operations of the check-mode
              plan), requests per host against the minimum (below).

The minimum per write task and host: session login and logout, the service root (layout), each
resource the plan reads once (licences, SysLockdown, the resources and account members), each
write, the unlock and the lock, one read of the lock, and one verification read per written path;
plus the minimum of the re-audit remediate.yml makes of the hosts it changed (gather.minimum_requests).

    python bench/remediate.py [--hosts 16] [--latency-ms 50] [--forks 50]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "bench"))

sys.path.insert(0, str(ROOT / "playbooks" / "collections"))

from ansible_collections.bmclock.supermicro.plugins.module_utils import gather, results  # noqa: E402
from bmcsim.testing import SimFleet  # noqa: E402

ACCESS = ("default_admin_enabled", "extra_admin", "operator_role_escalated", "session_timeout_long",
          "weak_password_policy", "ldap_cleartext")
WRITE = ("PATCH", "POST", "DELETE")
LOCK = "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown"


def _log(fleet):
    return {b["name"]: fleet.admin.requests(b["name"])["log"] for b in fleet.bmcs}


def _writes(entries):
    return [e for e in entries if e[0] in WRITE and "/SessionService/Sessions" not in e[1]]


def _minimum(plan_ops, members):
    """The minimum requests of the two write tasks on one X13 BMC, from its check-mode plans."""
    total = 0
    for task, ops in plan_ops.items():
        reads = {"bmc_accounts": 1 + 1 + 1 + 1 + members, "bmc_access_policy": 1 + 1 + 1 + 3}[task]   # root, licences, lock, ...
        written = len({op["path"] for op in ops})
        lock = 3 if ops else 0          # unlock, lock, read the lock back
        total += 2 + reads + len(ops) + lock + written
    return total


def measure(hosts=16, latency_ms=50, forks=50, audit_cpu_per_host=None, timed=None):
    """The figures (a dict for the bench JSON)."""
    if timed is None:
        from run import timed     # noqa: E402  (bench/run.py's timer: the command and its children)
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_FORKS=str(forks), ANSIBLE_NOCOLOR="1")
    out = ROOT / "bench" / "out" / "remediate"
    out.mkdir(parents=True, exist_ok=True)
    figures = {"hosts": hosts, "latency_ms": latency_ms}
    with SimFleet(count=hosts, profile="x13", seed=11, latency_ms=str(latency_ms), base_address="127.0.50.1",
                  timeout=120) as fleet:
        inventory = ["-i", fleet.inventory_path, "-i", str(ROOT / "inventory")]
        common = [*inventory, "-e", "bmc_audit_results_dir=%s" % (out / "reports"), "-e", "bmc_remediate_unlock=true"]

        def playbook(name, *extra):
            for bmc in fleet.bmcs:
                fleet.admin.reset_requests(bmc["name"])
            wall, cpu, _ = timed([str(BIN / "ansible-playbook"), "playbooks/%s.yml" % name, *common, *extra], env)
            return wall, cpu, _log(fleet)

        wall, cpu, _ = playbook("audit")
        audit_cpu = audit_cpu_per_host or cpu / hosts
        figures["compliant"] = {"audit_cpu_s_per_host": round(audit_cpu, 3)}
        # as ops run it (nothing failed: nothing to do), and forced with --tags (every BMC read)
        for name, extra in (("after_audit", ()), ("forced_tags_acct_sess", ("--tags", "acct,sess"))):
            wall, cpu, log = playbook("remediate", *extra)
            figures["compliant"][name] = {
                "wall_s": round(wall, 2), "cpu_s_per_host": round(cpu / hosts, 3),
                "cpu_ratio_to_audit": round(cpu / hosts / audit_cpu, 2), "writes_total": sum(len(_writes(v)) for v in log.values()),
                "requests_per_host": round(sum(len(v) for v in log.values()) / hosts, 1)}

        for bmc in fleet.bmcs:
            fleet.admin.apply_deviations(bmc["name"], *ACCESS)
        playbook("audit")
        playbook("remediate", "--check")
        planned = _planned(out / "reports")
        wall, cpu, log = playbook("remediate")
        records, _ = results.load_records(str(out / "reports"))
        per_host = []
        for bmc in fleet.bmcs:
            entries = log[bmc["name"]]
            writes = _writes(entries)
            settings = [w for w in writes if w[1] != LOCK]
            ops = planned[bmc["name"]]
            members = len(fleet.admin.accounts(bmc["name"]))
            per_host.append({"writes": len(settings), "lock_writes": len(writes) - len(settings),
                             "settings_that_differ": sum(len(v) for v in ops.values()),
                             "requests": len(entries), "minimum": _minimum(ops, members) + gather.minimum_requests(
                                 "X13", records[bmc["name"]]["facts"]["gather"]["members"])})
        n = len(per_host)
        figures["deviated"] = {
            "wall_s": round(wall, 2), "cpu_s_per_host": round(cpu / hosts, 3),
            "writes_per_host": round(sum(h["writes"] for h in per_host) / n, 2),
            "settings_that_differ_per_host": round(sum(h["settings_that_differ"] for h in per_host) / n, 2),
            "lock_writes_per_host": round(sum(h["lock_writes"] for h in per_host) / n, 2),
            "requests_per_host": round(sum(h["requests"] for h in per_host) / n, 1),
            "min_requests_per_host": round(sum(h["minimum"] for h in per_host) / n, 1),
        }
        figures["deviated"]["requests_ratio_to_min"] = round(figures["deviated"]["requests_per_host"]
                                                             / figures["deviated"]["min_requests_per_host"], 2)
        wall, cpu, log = playbook("remediate", "--tags", "acct,sess")
        figures["deviated"]["second_run_writes_total"] = sum(len(_writes(v)) for v in log.values())
    return figures


def _planned(results_dir):
    """Per host, per write action, the operations of the last check-mode plan (the record)."""
    planned = {}
    for path in (Path(results_dir) / "remediation").glob("*.json"):
        history = json.loads(path.read_text())
        last = {}
        for entry in history:
            if entry["check_mode"]:
                last[entry["action"].rsplit(".", 1)[-1]] = entry["operations"]
        planned[path.stem] = last
    return planned


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--forks", type=int, default=50)
    args = parser.parse_args()
    print(json.dumps(measure(args.hosts, args.latency_ms, args.forks)))


if __name__ == "__main__":
    main()
