"""Fidelity: the X13 profile serves every captured X13 resource with the same @odata.type and the
same property names, recursively (values may differ). Data keyed by content rather than schema
(BIOS Attributes, registry Messages) is compared member by member for the keys both sides have;
collections compare the keys of their member objects."""
from pathlib import Path

import pytest

from simclient import X13, unlock

CAPTURES = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "captures"
PREFIX = "X13DEG-OAD_SYS-821GE-TNHR_BMC11.01.01__"
# Capture names whose path cannot be read off the underscores.
EXPLICIT = {"ServiceRoot": "/redfish/v1", "Registries_SMC.1.0.0_MessageRegistry": "/redfish/v1/Registries/SMC"}
# The capture's sample ids that differ on a simulated BMC (boot option names are per machine).
RENAMED = {"/redfish/v1/Systems/1/BootOptions/Boot0019": "/redfish/v1/Systems/1/BootOptions/Boot0001",
           "/redfish/v1/AccountService/Accounts/4": "/redfish/v1/AccountService/Accounts/4"}
DATA_MAPS = {"Attributes", "Messages"}


def captures():
    if not CAPTURES.is_dir():
        return []
    return sorted(p for p in CAPTURES.glob(PREFIX + "*.json"))


def to_path(name: str, known: set[str]) -> str:
    if name in EXPLICIT:
        return EXPLICIT[name]
    parts = name.split("_")
    # Underscores separate segments except inside ids such as Backup_BMC: try the joins the simulator knows.
    def walk(i, prefix):
        if i == len(parts):
            return prefix if prefix in known else None
        for j in range(i + 1, len(parts) + 1):
            found = walk(j, f"{prefix}/{'_'.join(parts[i:j])}")
            if found:
                return found
        return None
    return walk(0, "/redfish/v1") or "/redfish/v1/" + "/".join(parts)


def shape_diff(real, ours, where="") -> list[str]:
    problems = []
    if isinstance(real, dict) and isinstance(ours, dict):
        if where.rsplit(".", 1)[-1] in DATA_MAPS:
            for key in set(real) & set(ours):
                problems += shape_diff(real[key], ours[key], f"{where}.{key}")
            return problems if set(real) & set(ours) else [f"{where}: no common members"]
        if set(real) != set(ours):
            problems.append(f"{where or '/'}: missing {sorted(set(real) - set(ours))} extra {sorted(set(ours) - set(real))}")
        if real.get("@odata.type") != ours.get("@odata.type"):
            problems.append(f"{where}: @odata.type {real.get('@odata.type')} != {ours.get('@odata.type')}")
        for key in set(real) & set(ours):
            problems += shape_diff(real[key], ours[key], f"{where}.{key}")
    elif isinstance(real, list) and isinstance(ours, list) and real and ours:
        if isinstance(real[0], dict) and isinstance(ours[0], dict):
            problems += shape_diff(real[0], ours[0], f"{where}[]")
    return problems


@pytest.fixture(scope="module")
def known_paths(fleet):
    return set(fleet.admin.call("GET", "/bmcs/bmc-001/paths"))


@pytest.mark.parametrize("capture", captures() or [None], ids=lambda p: p.name[len(PREFIX):-5] if p else "absent")
def test_x13_capture_shape(capture, sim, rf, known_paths):
    if capture is None:
        pytest.skip(f"reference captures absent ({CAPTURES.resolve()}): the shared reference data is not available here")
    import json
    real = json.loads(capture.read_text())
    name = capture.name[len(PREFIX):-5]
    path = to_path(name, known_paths)
    path = RENAMED.get(path, path)
    c = rf(X13)
    if path.startswith("/redfish/v1/SessionService/Sessions"):
        c.login()
        path = "/redfish/v1/SessionService/Sessions/1" if path.endswith("/1") else path
    if path.endswith("FilterRules"):
        real["Members"] = []       # the capture's collection is empty; compare the collection itself
    unlock(sim, X13)
    status, _, ours = c.get(path)
    assert status == 200, f"{name} -> {path}: {status}"
    if path.endswith("FilterRules"):
        ours["Members"] = []
    problems = shape_diff(real, ours)
    assert not problems, f"{name} -> {path}:\n" + "\n".join(problems)
