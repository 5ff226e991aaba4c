"""Benchmark: how long `bmcsim --count N` takes to print its ready line, then one service-root GET
on every BMC (TLS verified with the fleet CA, a few concurrent clients). Prints JSON.

    .venv/bin/python bench/fleet_start.py [--count 500] [--profile mixed] [--workers 16]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import ssl
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "simulator"))
from bmcsim.testing import free_port  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--count", type=int, default=500)
    p.add_argument("--profile", default="mixed")
    p.add_argument("--workers", type=int, default=16)
    args = p.parse_args()
    port, admin = free_port(), free_port()
    cmd = [str(Path(sys.executable).with_name("bmcsim")), "--count", str(args.count), "--profile", args.profile,
           "--port", str(port), "--admin-port", str(admin), "--base-address", "127.0.40.1"]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        ready = time.monotonic() - t0
        if not line.startswith("bmcsim ready:"):
            raise SystemExit(f"bmcsim failed: {line!r}")
        ca = next(f for f in line.split() if f.startswith("ca="))[3:]
        bmcs = json.load(__import__("urllib.request").request.urlopen(f"http://127.0.0.1:{admin}/bmcs"))
        ctx = ssl.create_default_context(cafile=ca)

        def root(bmc) -> tuple[int, float]:
            t = time.monotonic()
            conn = http.client.HTTPSConnection(bmc["address"], port, context=ctx, timeout=30)
            conn.request("GET", "/redfish/v1")
            status = conn.getresponse().status
            conn.close()
            return status, time.monotonic() - t

        t1 = time.monotonic()
        with ThreadPoolExecutor(args.workers) as pool:
            results = list(pool.map(root, bmcs))
        sweep = time.monotonic() - t1
        latencies = sorted(r[1] for r in results)
        print(json.dumps({"count": args.count, "profile": args.profile, "start_to_ready_s": round(ready, 3),
                          "root_get_sweep_s": round(sweep, 3), "ok": sum(r[0] == 200 for r in results),
                          "get_p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
                          "get_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
                          "cpus": os.cpu_count()}))
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(30)


if __name__ == "__main__":
    main()
