"""Deadlines and limits of the Redfish client against a misbehaving BMC (issue 7), measured.

One simulated X13; each case sets a bmcsim fault, runs the client or a whole gather, and reports
the wall time, the requests left without an answer and the peak memory growth:
  drip     the BMC answers one byte every 3 s; timeout 10 s (a total deadline per request)
  hang     every GET after the login hangs; timeout 10 s (2 timeouts in a row end the gather)
  budget   250 ms per request; host_timeout 2 s (the sections not read: "timed out after 2 s")
  huge     a 300 MiB answer without Content-Length; max_response_bytes 16 MiB
Prints a table, then one JSON object on the last line. Usage: python bench/deadlines.py
(or python bench/run.py --deadlines). About 30 s.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "playbooks" / "collections"))

from ansible_collections.bmclock.supermicro.plugins.module_utils import gather  # noqa: E402
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishClient, RedfishError  # noqa: E402
from bmcsim.testing import SimFleet  # noqa: E402

R = "/redfish/v1"
HANG = [R + "/" + p for p in ("Systems", "Chassis", "AccountService", "SessionService", "Managers", "EventService", "UpdateService")]
CASES = {
    "drip": ({"fault": {"kind": "drip", "seconds": 3, "paths": [R + "/SessionService"], "methods": ["GET"]}}, {"timeout": 10}),
    "hang": ({"fault": {"kind": "timeout", "seconds": 120, "paths": HANG, "methods": ["GET"]}}, {"timeout": 10}),
    "budget": ({"latency_ms": 250}, {"host_timeout": 2}),
    "huge": ({"fault": {"kind": "huge", "bytes": 300 * 1024 * 1024, "announce": False, "paths": [R + "/SessionService"],
                        "methods": ["GET"]}}, {"timeout": 120}),
}


def run(fleet, bmc, name):
    knobs, options = CASES[name]
    fleet.admin.reset(bmc["name"])
    fleet.admin.set_knobs(bmc["name"], **knobs)
    fleet.admin.reset_requests(bmc["name"])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with RedfishClient(bmc["address"], port=bmc["port"], username=fleet.username, password=fleet.password,
                       ca_path=fleet.ca_path, **options) as rf:
        if name in ("hang", "budget"):
            facts = gather.gather(rf)
            errors = [s["error"] for s in facts.values() if isinstance(s, dict) and s.get("error")]
            outcome = "%d sections error, e.g. %r" % (len(errors), errors[0][:60] if errors else None)
        else:
            try:
                rf.get(R + "/SessionService")
                outcome = "answered"
            except RedfishError as exc:
                outcome = exc.reason
    wall = time.monotonic() - started
    log = fleet.admin.requests(bmc["name"])["log"]
    return {"wall_s": round(wall, 1), "unanswered": sum(1 for entry in log if entry[2] == 0),
            "rss_growth_mb": round((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) / 1024, 1), "outcome": outcome}


def main():
    figures = {}
    with SimFleet(count=1, profile="x13", base_address="127.0.49.1") as fleet:
        bmc = fleet.bmcs[0]
        for name in CASES:
            figures[name] = run(fleet, bmc, name)
            print("%-7s %6.1f s  unanswered %2d  rss +%6.1f MB  %s" % (
                name, figures[name]["wall_s"], figures[name]["unanswered"], figures[name]["rss_growth_mb"],
                figures[name]["outcome"]), flush=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
