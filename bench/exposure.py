"""Exposure remediation benchmark (hooked into bench/run.py as the way `exposure`; also runs alone):

  compliant   a hardened fleet: remediate.yml as operators run it (from the last audit: nothing
              failing) and forced over every exposure control (--tags, compliant_forced) sends
              zero writes; controller CPU per host against the audit's on the same fleet
  deviating   every exposure deviation on every BMC: writes per host against the minimum (the
              operations the --check plan lists, the CSR round's second POST, one unlock/lock
              pair per task on a locked BMC) and requests per host

    .venv/bin/python bench/exposure.py [--hosts 16] [--latency-ms 50] [--forks 50]
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

from bmcsim.testing import SimFleet  # noqa: E402

DEVIATIONS = ("ipmi_on", "ssdp_on", "http_on", "ssh_on", "snmp_v2c", "vmedia_on", "kvm_on", "acl_off", "acl_allows_any",
              "ntp_unapproved", "syslog_unapproved", "hi_on", "kcs_admin", "lockdown_off", "rogue_subscription", "default_cert",
              "ad_dns_lookup")
X12_X13_ONLY = ("hi_on", "kcs_admin", "lockdown_off", "ad_dns_lookup")
TAGS = "svc,tls,net,host,time,log"
WRITES = ("PATCH", "POST", "DELETE")


def writes(fleet):
    return [sum(1 for m, p, _ in fleet.admin.requests(b["name"])["log"]
                if m in WRITES and not p.startswith("/redfish/v1/SessionService/Sessions")) for b in fleet.bmcs]


def requests(fleet):
    return [fleet.admin.requests(b["name"])["count"] for b in fleet.bmcs]


def reset(fleet):
    for bmc in fleet.bmcs:
        fleet.admin.reset_requests(bmc["name"])


def measure(hosts=16, latency_ms=50, forks=50, timed=None):
    if timed is None:
        from run import timed    # noqa: E402  (bench/run.py's timer: the command and its children)
    out = ROOT / "bench" / "out" / "exposure"
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_FORKS=str(forks), ANSIBLE_NOCOLOR="1")
    figures = {}
    with SimFleet(count=hosts, profile="mixed", seed=1, latency_ms=str(latency_ms), base_address="127.0.47.1", timeout=120) as fleet:
        # The fleet's CA stands for the organisation's: the hardened BMCs' certificates are the organisation's.
        ca = Path(fleet.ca_path)
        extra = {"bmc_audit_results_dir": str(out / "reports"), "bmc_remediate_unlock": True,
                 "bmc_tls_ca_cert_path": str(ca), "bmc_tls_ca_key_path": str(ca.with_name("ca.key")),
                 "bmc_tls_csr_subject": {"CommonName": "{{ inventory_hostname }}", "Organization": "Example Org",
                                         "OrganizationalUnit": "Infrastructure", "City": "Berlin", "State": "Berlin", "Country": "DE"}}
        (out / "extra.json").write_text(json.dumps(extra))

        def playbook(name, *cmdline):
            reset(fleet)
            return timed([str(BIN / "ansible-playbook"), name, "-i", fleet.inventory_path, "-i", str(ROOT / "inventory"),
                          "-e", "@%s" % (out / "extra.json"), *cmdline], env)

        _, audit_cpu, _ = playbook("playbooks/audit.yml")
        # as operators run it (the roles of the controls the last audit found failing: none), then forced over every control
        for key, cmdline in (("compliant", ()), ("compliant_forced", ("--tags", TAGS))):
            wall, cpu, _ = playbook("playbooks/remediate.yml", *cmdline)
            figures[key] = {"writes_per_host": sum(writes(fleet)) / hosts, "wall_s": round(wall, 2),
                            "cpu_s_per_host": round(cpu / hosts, 3), "audit_cpu_s_per_host": round(audit_cpu / hosts, 3),
                            "cpu_ratio_to_audit": round(cpu / audit_cpu, 2)}

        for bmc in fleet.bmcs:
            fleet.admin.apply_deviations(bmc["name"], *[d for d in DEVIATIONS
                                                        if not (bmc["generation"] == "x11" and d in X12_X13_ONLY)])
        # The BMCs now serve their self-signed factory certificate: not verifiable (as on a factory fleet).
        factory = ("-e", "bmc_validate_certs=false")
        playbook("playbooks/audit.yml", *factory)
        minimum = minimum_writes(check_plans(fleet, out, dict(extra, bmc_validate_certs=False)))
        wall, cpu, _ = playbook("playbooks/remediate.yml", *factory)
        sent, asked = writes(fleet), requests(fleet)
        figures["deviating"] = {"writes_per_host": round(sum(sent) / hosts, 2), "min_writes_per_host": round(sum(minimum.values()) / hosts, 2),
                                "writes_equal_minimum": sent == [minimum[b["name"]] for b in fleet.bmcs],
                                "requests_per_host": round(sum(asked) / hosts, 1), "wall_s": round(wall, 2),
                                "cpu_s_per_host": round(cpu / hosts, 3)}
    return figures


def check_plans(fleet, out, extra):
    """The plans of a remediate.yml --check run, by host and task (through ansible-runner's events)."""
    import shutil

    import ansible_runner
    inventory = out / "inventory"
    shutil.rmtree(inventory, ignore_errors=True)
    inventory.mkdir()
    (inventory / "fleet.yml").write_text(Path(fleet.inventory_path).read_text())
    (inventory / "group_vars").symlink_to(ROOT / "inventory" / "group_vars")
    shutil.rmtree(out / "runner", ignore_errors=True)
    (out / "runner").mkdir()
    os.environ["PATH"] = "%s:%s" % (BIN, os.environ.get("PATH", ""))     # ansible-runner starts ansible-playbook from PATH
    runner = ansible_runner.run(private_data_dir=str(out / "runner"), project_dir=str(ROOT), playbook="playbooks/remediate.yml",
                                inventory=str(inventory), extravars=extra, cmdline="--check", quiet=True)
    return [(e["event_data"]["host"], e["event_data"]["res"]) for e in runner.events if e.get("event") == "runner_on_ok"
            and e["event_data"].get("task", "").startswith(("Enforce the network exposure", "Enforce the HTTPS certificate"))]


def minimum_writes(plans):
    """Per host: the planned operations, the CSR round's second POST, one unlock/lock pair per task
    on a locked BMC."""
    needed = {}
    for host, res in plans:
        ops = res["plan"]["operations"]
        count = len(ops) + sum(op["path"].endswith("GenerateCSR") for op in ops) + (2 if ops and res["plan"]["locked"] else 0)
        needed[host] = needed.get(host, 0) + count
    return needed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--forks", type=int, default=50)
    args = parser.parse_args()
    print(json.dumps(measure(args.hosts, args.latency_ms, args.forks)))


if __name__ == "__main__":
    main()
