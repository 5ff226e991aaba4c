"""Every plugin's documentation parses and `ansible-doc` renders it (modules, callback, inventory, roles)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODULES = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if p.stem != "__init__")
PLUGINS = [("module", m) for m in MODULES] + [
    ("callback", "bmc_summary"), ("inventory", "bmc_results"), ("role", "bmc_audit"), ("role", "bmc_report"), ("role", "bmc_firmware"), ("role", "bmc_access"),
    ("role", "bmc_exposure")]


@pytest.mark.parametrize("name", MODULES)
def test_module_doc_blocks_are_valid_yaml(name):
    source = (ROOT / "plugins" / "modules" / ("%s.py" % name)).read_text()
    namespace = {}
    exec(compile(source.split("\nfrom ansible.module_utils")[0], name, "exec"), namespace)  # the doc strings only
    doc = yaml.safe_load(namespace["DOCUMENTATION"])
    assert doc["module"] == name and doc["short_description"] and doc["options"] is not None
    examples = yaml.safe_load(namespace["EXAMPLES"])
    assert all("bmclock.supermicro.%s" % name in task for task in examples)
    assert yaml.safe_load(namespace["RETURN"])


@pytest.mark.parametrize("kind, name", PLUGINS)
def test_ansible_doc_renders(kind, name):
    doc = subprocess.run([str(BIN / "ansible-doc"), "-t", kind, "bmclock.supermicro.%s" % name],
                         cwd=ROOT, capture_output=True, text=True)
    assert doc.returncode == 0, doc.stderr
    assert "bmclock.supermicro.%s" % name in doc.stdout
