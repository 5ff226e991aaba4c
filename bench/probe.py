"""Exposure probe benchmark: 100 simulated BMCs x 9 ports (the 8 standard checks + one extra TCP
port) from one vantage with the default concurrency, timeout and rate of
plugins/module_utils/probe.py. Half the fleet carries deviations, so open, closed and silent
ports are all in the mix. Prints one JSON object: wall time, the probe's CPU time, port states.

  python bench/probe.py [--hosts 100]
"""

from __future__ import annotations

import argparse
import collections
import json
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "playbooks" / "collections"))

from ansible_collections.bmclock.supermicro.plugins.module_utils import probe  # noqa: E402
from bmcsim.testing import SimFleet  # noqa: E402


def measure(hosts: int = 100) -> dict:
    with SimFleet(count=hosts, profile="mixed", seed=3, noncompliant=0.5, base_address="127.0.70.1",
                  extra_args=["--service-port-base", "25000"], timeout=120) as fleet:
        groups = yaml.safe_load(open(fleet.inventory_path))["all"]["children"]["bmcs"]["children"]
        hostvars = {h: v for g in groups.values() for h, v in g["hosts"].items()}
        targets = [{"address": v["ansible_host"],
                    "checks": probe.ports_for(v["bmc_service_ports"], [{"name": "telnet", "port": 25023}])}
                   for v in hostvars.values()]
        wall, cpu = time.perf_counter(), time.process_time()
        found = probe.probe(targets)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    states = collections.Counter(p["state"] for t in found for p in t["ports"])
    return {"bmcs": hosts, "ports": sum(states.values()), "wall_s": round(wall, 2), "cpu_s": round(cpu, 2),
            "states": dict(states), **probe.DEFAULTS}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hosts", type=int, default=100)
    print(json.dumps(measure(parser.parse_args().hosts)))
