"""Unit-test fixtures: the collection on sys.path, the real Supermicro captures, the baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

# Real payloads live next to the repository (../shared/reference/captures) and are never copied in.
CAPTURES = ROOT.parent / "shared" / "reference" / "captures"
X13 = "X13DEG-OAD_SYS-821GE-TNHR_BMC11.01.01__"


@pytest.fixture
def capture():
    """capture(name) -> the parsed JSON of ../shared/reference/captures/<name>.json (skips if absent)."""
    if not CAPTURES.is_dir():
        pytest.skip("real captures not found at %s (they are not part of the repository)" % CAPTURES)

    def load(name):
        path = CAPTURES / (name + ".json")
        if not path.exists():
            pytest.skip("capture %s not found" % path.name)
        return json.loads(path.read_text())
    return load


@pytest.fixture(scope="session")
def catalog():
    from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance
    return compliance.load_catalog(ROOT / "roles" / "bmc_audit" / "vars" / "controls.yml")


@pytest.fixture
def baseline():
    """inventory/group_vars/all/baseline.yml as the audit sees it (the username template resolved)."""
    from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance
    values = yaml.safe_load((ROOT / "inventory" / "group_vars" / "all" / "baseline.yml").read_text())
    values["bmc_allowed_accounts"][0]["username"] = "ansible"
    return compliance.baseline_from_vars(values)
