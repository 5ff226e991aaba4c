"""Audit benchmark: our way vs the two ways people collect the same facts today.

On one simulated fleet (N BMCs, L ms per request), in one invocation:
  ours     playbooks/audit.yml (one action-plugin task per host, one session, parallel GETs)
  uri      one ansible.builtin.uri task per resource (and a loop per collection), Basic auth
  cg       community.general.redfish_info for what it knows + uri tasks for the Supermicro OEM
           resources it cannot read (community.general is unpacked from the `ansible` wheel into
           bench/out only; the project itself never needs it)

Prints a table, then one JSON object on the last line (with the firmware rollout figures of
bench/firmware.py under "firmware" unless --no-firmware). Usage:
  python bench/run.py [--hosts 16] [--latency-ms 50] [--forks 50] [--ways ours,uri,cg,probe,remediate,exposure] [--no-firmware]
(probe: bench/probe.py, the exposure probe over 100 BMCs x 9 ports, whatever --hosts says;
remediate: bench/remediate.py's figures (its own fleets) under "remediate" in the JSON;
exposure: bench/exposure.py's exposure remediation figures under "exposure")
The uri way costs about 0.4 s of controller CPU per task per host (a module process each), so the
default fleet is small enough for the whole run to finish in a few minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "playbooks" / "collections"))

from ansible_collections.bmclock.supermicro.plugins.module_utils import gather, results, supermicro  # noqa: E402
from bmcsim.testing import SimFleet  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import probe as probe_bench  # noqa: E402
import exposure  # noqa: E402  (bench/exposure.py)
import remediate  # noqa: E402  (bench/remediate.py)


def request_counts(fleet):
    """Redfish requests each BMC served since the last reset."""
    return [fleet.admin.requests(b["name"])["count"] for b in fleet.bmcs]


def reset_counts(fleet):
    for bmc in fleet.bmcs:
        fleet.admin.reset_requests(bmc["name"])


def community_general():
    """Unpack community.general from the `ansible` wheel matching our ansible-core (bench only)."""
    colls = OUT / "collections"
    if (colls / "ansible_collections" / "community" / "general").is_dir():
        return colls
    import ansible.release
    major_minor = tuple(int(x) for x in ansible.release.__version__.split(".")[:2])
    package = {(2, 19): "ansible>=12,<13", (2, 20): "ansible>=13,<14", (2, 21): "ansible>=14,<15"}[major_minor]
    dl = OUT / "dl"
    subprocess.run([str(BIN / "python"), "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(dl), package],
                   check=True)
    wheel = next(dl.glob("ansible-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        members = [n for n in archive.namelist() if n.startswith("ansible_collections/community/general/")]
        archive.extractall(colls, members)
    return colls


def uri_task(name, url_path, register=None, loop=None):
    task = {
        "name": name,
        "ansible.builtin.uri": {
            "url": "https://{{ ansible_host }}:{{ bmc_port }}" + url_path,
            "url_username": "{{ bmc_username }}", "url_password": "{{ bmc_password }}",
            "force_basic_auth": True, "ca_path": "{{ bmc_ca_path }}", "return_content": bool(register),
        },
        "no_log": True,
    }
    if register:
        task["register"] = register
    if loop:
        task["loop"] = loop
    return task


def uri_tasks(resources, collections):
    """What people write by hand: a task per resource; a collection's members in a loop."""
    tasks = []
    for index, path in enumerate(resources):
        if path in collections:
            tasks.append(uri_task("GET %s" % path, path, register="coll%d" % index))
            tasks.append(uri_task("GET members of %s" % path, "{{ item['@odata.id'] }}",
                                  loop="{{ coll%d.json.Members }}" % index))
        else:
            tasks.append(uri_task("GET %s" % path, path))
    return tasks


# What community.general.redfish_info reads itself (the commands below); the Supermicro OEM
# resources and the rest of what the controls need it cannot read, so uri tasks add them.
CG_COMMANDS = {
    "Systems": ["GetSystemInventory"],
    "Accounts": ["ListUsers", "GetAccountServiceConfig"],
    "Update": ["GetFirmwareInventory"],
    "Manager": ["GetNetworkProtocols", "GetManagerNicInventory", "GetHostInterfaces"],
}
CG_COVERED = {"/redfish/v1/Systems/1", "/redfish/v1/AccountService", "/redfish/v1/AccountService/Accounts", "/redfish/v1/UpdateService/FirmwareInventory",
              "/redfish/v1/Managers/1/NetworkProtocol", "/redfish/v1/Managers/1/EthernetInterfaces/1",
              "/redfish/v1/Managers/1/HostInterfaces/1"}


def write_playbooks(workdir):
    plan = gather.PLAN[supermicro.layout("X13")]
    resources, collections = plan["resources"], set(plan["collections"].values())
    uri = [{"name": "Collect BMC facts with ansible.builtin.uri", "hosts": "bmcs", "gather_facts": False,
            "tasks": uri_tasks([plan["root"]] + resources, collections)}]
    cg_tasks = [{
        "name": "Redfish %s inventory" % category,
        "community.general.redfish_info": {
            "category": category, "command": commands,
            "baseuri": "{{ ansible_host }}:{{ bmc_port }}",
            "username": "{{ bmc_username }}", "password": "{{ bmc_password }}",
            "validate_certs": True, "ca_path": "{{ bmc_ca_path }}",
        }, "no_log": True,
    } for category, commands in CG_COMMANDS.items()]
    cg = [{"name": "Collect BMC facts with community.general.redfish_info", "hosts": "bmcs", "gather_facts": False,
           "tasks": cg_tasks + uri_tasks([p for p in resources if p not in CG_COVERED], collections - CG_COVERED)}]
    (workdir / "uri.yml").write_text(json.dumps(uri, indent=1))
    (workdir / "cg.yml").write_text(json.dumps(cg, indent=1))


def minimum_requests(results_dir):
    """Per host, the fewest requests that read every resource the controls need (login, the
    root, each resource once, each needed collection member once, logout), from our audit."""
    records, _ = results.load_records(str(results_dir))
    minimum = [gather.minimum_requests(r["facts"]["identity"]["generation"], r["facts"]["gather"]["members"])
               for r in records.values()]
    return sum(minimum) / len(minimum)


def timed(cmd, env, cwd=ROOT):
    """Wall time, CPU seconds and peak RSS (MB) of one command and everything it started."""
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)  # this child's usage, its own children included
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit("%s failed:\n%s" % (" ".join(cmd), output[-4000:]))
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--forks", type=int, default=50)
    parser.add_argument("--ways", default="ours,uri,cg,probe,remediate,exposure")
    parser.add_argument("--firmware", action=argparse.BooleanOptionalAction, default=True,
                        help="also the firmware rollout figures (bench/firmware.py defaults)")
    parser.add_argument("--deadlines", action="store_true", help="measure the client's deadlines and limits instead")
    args = parser.parse_args()
    if args.deadlines:
        return __import__("deadlines").main()     # bench/deadlines.py
    ways = args.ways.split(",")

    OUT.mkdir(parents=True, exist_ok=True)
    workdir = OUT / "run"
    workdir.mkdir(exist_ok=True)
    write_playbooks(workdir)
    env = dict(os.environ, PATH="%s:%s" % (BIN, os.environ.get("PATH", "")), ANSIBLE_FORKS=str(args.forks),
               ANSIBLE_NOCOLOR="1")
    if "cg" in ways:
        env["ANSIBLE_COLLECTIONS_PATH"] = "%s:%s" % (ROOT / "playbooks" / "collections", community_general())

    figures = {}
    with SimFleet(count=args.hosts, profile="x13", seed=1, latency_ms=str(args.latency_ms),
                  base_address="127.0.40.1", timeout=120) as fleet:
        inventory = ["-i", fleet.inventory_path, "-i", str(ROOT / "inventory")]
        commands = {
            "ours": [str(BIN / "ansible-playbook"), "playbooks/audit.yml", *inventory,
                     "-e", "bmc_audit_results_dir=%s" % (workdir / "reports")],
            "uri": [str(BIN / "ansible-playbook"), str(workdir / "uri.yml"), *inventory],
            "cg": [str(BIN / "ansible-playbook"), str(workdir / "cg.yml"), *inventory],
        }
        for way in [w for w in ways if w in commands]:
            reset_counts(fleet)
            wall, cpu, rss = timed(commands[way], env)
            counts = request_counts(fleet)
            figures[way] = {"wall_s": round(wall, 2), "cpu_s_per_host": round(cpu / args.hosts, 3),
                            "requests_per_host": round(sum(counts) / len(counts), 1), "peak_rss_mb": round(rss, 1)}
            print("%-5s wall %7.2f s  cpu/host %6.3f s  requests/host %6.1f  peak rss %6.1f MB" % (
                way, wall, cpu / args.hosts, sum(counts) / len(counts), rss), flush=True)

    result = {"hosts": args.hosts, "latency_ms": args.latency_ms, "forks": args.forks}
    if "ours" in figures:
        result["min_requests_per_host"] = minimum_requests(workdir / "reports")
        result.update(figures["ours"])
    if "probe" in ways:
        result["probe"] = probe_bench.measure()      # bench/probe.py: 100 BMCs x 9 ports from one vantage
    for way in [w for w in ways if w in figures]:
        if way != "ours":
            result[way] = dict(figures[way])
            if "ours" in figures:
                result[way]["ratio_to_ours"] = round(figures[way]["wall_s"] / figures["ours"]["wall_s"], 1)
    if args.firmware:  # rollout wall vs batches x flash time, peak RSS by image size
        result["firmware"] = __import__("firmware").run()
    if "remediate" in ways:   # bench/remediate.py: remediation on a compliant and a deviated fleet
        result["remediate"] = remediate.measure(args.hosts, args.latency_ms, args.forks, figures.get("ours", {}).get("cpu_s_per_host"), timed)
    if "exposure" in ways:    # bench/exposure.py: exposure remediation, compliant and with every exposure deviation
        result["exposure"] = exposure.measure(args.hosts, args.latency_ms, args.forks, timed)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
