"""The DMTF validators against one simulated X13 BMC, offline.

* redfish-service-validator (schemas from ../shared/reference/dmtf/csdl, --skipschema): no FAIL outside
  Supermicro OEM resources;
* redfish-protocol-validator: its FAIL count may not rise above protocol_validator_baseline.json.

The remaining failures and why they stay are listed in docs/simulator.md ("DMTF validators").
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
from pathlib import Path

import pytest

from bmcsim.testing import SimFleet

REPO = Path(__file__).resolve().parents[2]
CSDL = REPO.parent / "shared" / "reference" / "dmtf" / "csdl"
BASELINE = Path(__file__).with_name("protocol_validator_baseline.json")
BIN = Path(sys.executable).parent
NAME = "bmc-001"
# FAILs a real Supermicro has too, kept for fidelity: (resource URI pattern, property, evidence).
FAITHFUL = [(r"/redfish/v1/AccountService/Roles/\w+", "/RoleId",
             "the X13 BMC 11.01.01 Role bodies have no RoleId (captures AccountService_Roles_*)")]


@pytest.fixture(scope="module")
def x13():
    """One X13 BMC, no latency, system lockdown off (factory state) so the protocol validator may write."""
    with SimFleet(count=1, profile="x13", base_address="127.0.40.1") as fleet:
        fleet.admin.patch_resource(NAME, "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown", {"SysLockdownEnabled": False})
        yield fleet


def run(fleet: SimFleet, tool: str, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    bmc = fleet.bmcs[0]
    user, password = fleet.credentials
    # requests lets REQUESTS_CA_BUNDLE override a session's CA: point it at the fleet CA.
    env = {**os.environ, "REQUESTS_CA_BUNDLE": fleet.ca_path, "CURL_CA_BUNDLE": fleet.ca_path}
    return subprocess.run([str(BIN / tool), "-r", f"https://{bmc['address']}:{bmc['port']}", "-u", user, "-p", password, *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def service_validator_fails(log: Path) -> list[tuple[str, str, str]]:
    """(resource URI, property path or '', message) of every FAIL in the debug log."""
    fails, uri = [], ""
    for line in log.read_text().splitlines():
        if m := re.search(r" - INFO - Validating (/redfish\S*?)\.\.\.$", line):
            uri = m.group(1)
        elif " - ERROR - FAIL - " in line:
            text = line.split(" - ERROR - FAIL - ", 1)[1]
            prop = text.split(" (", 1)[0] if text.startswith("/") else ""
            fails.append((uri, prop, text))
    return fails


def is_oem(fleet: SimFleet, uri: str, prop: str) -> bool:
    """A Supermicro OEM resource or property: under an Oem path, or of a type no DMTF schema defines."""
    if "/Oem/" in uri + "/" or prop.startswith("/Oem") or "/Oem/" in prop:
        return True
    try:
        odata_type = fleet.admin.get_resource(NAME, uri.rstrip("/") or "/").get("@odata.type", "#")
    except urllib.error.HTTPError:
        return False
    namespace = odata_type[1:].split(".")[0]
    return not (CSDL / f"{namespace}_v1.xml").exists()


def faithful(uri: str, prop: str) -> bool:
    return any(re.fullmatch(pattern, uri) and prop == name for pattern, name, _ in FAITHFUL)


def test_service_validator_no_fail_outside_oem(x13, tmp_path):
    if not CSDL.is_dir():
        pytest.skip(f"DMTF CSDL bundle not found at {CSDL} (../shared/reference/dmtf/csdl); "
                    "the service validator cannot run offline without it")
    result = run(x13, "rf_service_validator", "--authtype", "Session", "--schema_directory", str(CSDL), "--skipschema",
                 "--logdir", str(tmp_path / "reports"), cwd=tmp_path)
    table = re.search(r"PASS.*WARN.*FAIL.*NOT TESTED.*\n\+[-+]+\+\n\|([^\n]*)\|", result.stdout)
    assert table, f"no summary in the validator output:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    counts = dict(zip(("pass", "warn", "fail", "not_tested"), map(int, table.group(1).replace("|", " ").split())))
    (tmp_path / "service_validator_counts.json").write_text(json.dumps(counts))
    print(f"service validator: {counts}")

    fails = service_validator_fails(next((tmp_path / "reports").glob("*/RedfishServiceValidatorDebug_*.log")))
    standard = [f"{uri} {text}" for uri, prop, text in fails if not is_oem(x13, uri, prop) and not faithful(uri, prop)]
    assert len(fails) == counts["fail"]
    assert not standard, f"{len(standard)} FAIL outside Supermicro OEM resources:\n" + "\n".join(standard)


def test_protocol_validator_does_not_regress(x13, tmp_path):
    reports = tmp_path / "reports"
    run(x13, "rf_protocol_validator", "--report-dir", str(reports), "--report-type", "tsv", "--ca-bundle", x13.ca_path,
        cwd=tmp_path)
    results = json.loads((reports / "results.json").read_text())["TestResults"]["Protocol Validations"]
    counts = {"pass": results["pass"], "fail": results["fail"], "warn": results["warn"], "not_tested": results["skip"]}
    (tmp_path / "protocol_validator_counts.json").write_text(json.dumps(counts))
    print(f"protocol validator: {counts}")

    rows = [line.split("\t") for line in next(reports.glob("*.tsv")).read_text().splitlines()[1:]]
    failures = "\n".join(" | ".join(r[:4] + [r[5][:200]]) for r in rows if len(r) > 5 and r[4] == "FAIL")
    baseline = json.loads(BASELINE.read_text())["fail"]
    assert counts["fail"] <= baseline, f"{counts['fail']} failures, baseline {baseline}:\n{failures}"
