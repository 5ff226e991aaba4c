"""The collection's metadata agrees with itself: one version (galaxy.yml) that every other place
derives or repeats exactly, the tested ansible-core range, an ignore file per tested version with
a reason on every line, the action group holding exactly the actions that take the connection
options, and each action validating the argument spec its module stub declares."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())
RUNTIME = yaml.safe_load((ROOT / "meta" / "runtime.yml").read_text())
STUBS = sorted(p.stem for p in (ROOT / "plugins" / "modules").glob("*.py") if not p.name.startswith("_"))


def doc(name):
    """A module stub and its documentation with this collection's doc fragments merged (as ansible-doc
    does: the module's own entries win)."""
    module = importlib.import_module("ansible_collections.bmclock.supermicro.plugins.modules." + name)
    documentation = yaml.safe_load(module.DOCUMENTATION)
    for fragment in documentation.get("extends_documentation_fragment") or []:
        if fragment.startswith("bmclock.supermicro."):
            source = importlib.import_module("ansible_collections.bmclock.supermicro.plugins.doc_fragments." + fragment.split(".")[2])
            extra = yaml.safe_load(source.ModuleDocFragment.DOCUMENTATION)
            for key in ("options", "attributes"):
                documentation[key] = dict(extra.get(key) or {}, **(documentation.get(key) or {}))
    return module, documentation


def core_range():
    """(lowest, first excluded) minor versions from requirements/base.txt, e.g. ((2, 19), (2, 22))."""
    line = next(line for line in (ROOT / "requirements/base.txt").read_text().splitlines()
                if line.startswith("ansible-core"))
    bounds = [int(n) for n in re.fullmatch(r"ansible-core>=(\d+)\.(\d+),<(\d+)\.(\d+)", line.strip()).groups()]
    return tuple(bounds[:2]), tuple(bounds[2:])


def test_the_version_lives_in_galaxy_yml_and_every_other_place_repeats_it():
    version = GALAXY["version"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert tomllib.loads((ROOT / "simulator/pyproject.toml").read_text())["project"]["version"] == version
    ee = (ROOT / "execution-environment.yml").read_text()
    assert set(re.findall(r"bmclock-supermicro-([\w.]+)\.tar\.gz", ee)) == {version}
    # Released in the changelog, or about to be (fragments waiting for `antsibull-changelog release`).
    releases = yaml.safe_load((ROOT / "changelogs/changelog.yaml").read_text())["releases"]
    fragments = [p for p in (ROOT / "changelogs/fragments").glob("*.y*ml")]
    assert version in releases or fragments
    newest = max(releases, key=lambda v: tuple(map(int, v.split("."))))
    assert tuple(map(int, newest.split("."))) <= tuple(map(int, version.split(".")))
    assert ("v%s\n" % version in (ROOT / "CHANGELOG.rst").read_text()) == (version in releases)


def test_requires_ansible_is_the_tested_range_with_an_ignore_file_per_version():
    (low_major, low_minor), (high_major, high_minor) = core_range()
    assert RUNTIME["requires_ansible"] == ">=%d.%d.0,<%d.%d.0" % (low_major, low_minor, high_major, high_minor)
    tested = ["%d.%d" % (low_major, minor) for minor in range(low_minor, high_minor)]
    files = sorted(p.name for p in (ROOT / "tests/sanity").glob("ignore-*.txt"))
    assert files == ["ignore-%s.txt" % v for v in tested]
    contents = {(ROOT / "tests/sanity" / f).read_text() for f in files}
    assert len(contents) == 1  # the same plugins, the same checks that cannot apply
    for line in contents.pop().splitlines():
        path, check, reason = re.fullmatch(r"(\S+) (\S+) # (.+)", line).groups()
        assert (ROOT / path).exists(), line
        assert reason.strip()


def test_the_bmc_action_group_is_every_action_taking_the_connection_options():
    connection = [name for name in STUBS
                  if "bmclock.supermicro.connection" in (doc(name)[1].get("extends_documentation_fragment") or [])]
    assert connection, "no action documents the connection options"
    assert RUNTIME["action_groups"]["bmc"] == connection
    for name in STUBS:
        membership = (doc(name)[1]["attributes"].get("action_group") or {}).get("membership", [])
        assert membership == (["bmclock.supermicro.bmc"] if name in connection else []), name


def test_each_action_validates_the_spec_its_stub_declares_and_documents():
    for name in sorted(p.stem for p in (ROOT / "plugins" / "action").glob("*.py")):
        stub, documentation = doc(name)
        action = importlib.import_module("ansible_collections.bmclock.supermicro.plugins.action." + name)
        assert action.ARGUMENT_SPEC is stub.ARGUMENT_SPEC, name
        spec = dict(stub.ARGUMENT_SPEC)
        if "bmclock.supermicro.connection" in (documentation.get("extends_documentation_fragment") or []):
            from ansible_collections.bmclock.supermicro.plugins.module_utils.connection import CONNECTION_SPEC

            assert not set(spec) & set(CONNECTION_SPEC), name
            spec.update(CONNECTION_SPEC)
        for fragment_name in documentation.get("extends_documentation_fragment") or []:
            if fragment_name.startswith("bmclock.supermicro."):     # the collection's own fragments document options
                fragment = importlib.import_module("ansible_collections.bmclock.supermicro.plugins.doc_fragments." + fragment_name.rsplit(".", 1)[1])
                documentation["options"].update(yaml.safe_load(fragment.ModuleDocFragment.DOCUMENTATION).get("options") or {})
        assert set(documentation["options"]) == set(spec), name
