"""Benchmark: how long `bmcsim --count N` takes to print its ready line, then one service-root GET
on every BMC (TLS verified with the fleet CA, a few concurrent clients). Prints JSON.

    .venv/bin/python bench/fleet_start.py [--count 500] [--profile mixed] [--workers 16]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import ssl
import time
from concurrent.futures import ThreadPoolExecutor

from bmcsim.testing import SimFleet  # starts the real bmcsim command, stops it by PID


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--count", type=int, default=500)
    p.add_argument("--profile", default="mixed")
    p.add_argument("--workers", type=int, default=16)
    args = p.parse_args()
    fleet = SimFleet(count=args.count, profile=args.profile, base_address="127.0.40.1", timeout=120)
    t0 = time.monotonic()
    with fleet:  # entering returns once bmcsim printed its ready line
        ready = time.monotonic() - t0
        ctx = ssl.create_default_context(cafile=fleet.ca_path)

        def root(bmc) -> tuple[int, float]:
            t = time.monotonic()
            conn = http.client.HTTPSConnection(bmc["address"], bmc["port"], context=ctx, timeout=30)
            conn.request("GET", "/redfish/v1")
            status = conn.getresponse().status
            conn.close()
            return status, time.monotonic() - t

        t1 = time.monotonic()
        with ThreadPoolExecutor(args.workers) as pool:
            results = list(pool.map(root, fleet.bmcs))
        sweep = time.monotonic() - t1
        latencies = sorted(r[1] for r in results)
        print(json.dumps({"count": args.count, "profile": args.profile, "start_to_ready_s": round(ready, 3),
                          "root_get_sweep_s": round(sweep, 3), "ok": sum(r[0] == 200 for r in results),
                          "get_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
                          "get_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
                          "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
