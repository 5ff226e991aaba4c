"""The catalog's `remediation` names stay real: every acct-* and sess-* control names a role that
exists and a tag that one of its tasks carries; any role a control names that exists carries the
tag; remediate.yml runs the roles it knows."""

from __future__ import annotations

from pathlib import Path

import yaml

from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance

ROOT = Path(__file__).resolve().parents[2]
CATALOG = [c for c in compliance.load_catalog(ROOT / "roles" / "bmc_audit" / "vars" / "controls.yml")
           if "remediation" in c]   # the exposure probe's findings have none (docs/exposure.md)


def role_tags(role):
    tasks = yaml.safe_load((ROOT / "roles" / role / "tasks" / "main.yml").read_text())
    return {tag for task in tasks for tag in task.get("tags") or []}


def test_every_access_control_is_remediated_by_a_real_role_and_tag():
    access = [c for c in CATALOG if c["id"].split("-")[0] in ("acct", "sess")]
    assert len(access) == 6
    for control in access:
        remediation = control["remediation"]
        assert (ROOT / "roles" / remediation["role"]).is_dir(), control["id"]
        assert remediation["tag"] == control["id"] and remediation["tag"] in role_tags(remediation["role"])


def test_every_existing_remediation_role_carries_its_controls_tags():
    for control in CATALOG:
        role = control["remediation"]["role"]
        if (ROOT / "roles" / role).is_dir():
            assert control["remediation"]["tag"] in role_tags(role), control["id"]
            assert control["id"].split("-")[0] in role_tags(role), control["id"]


def test_remediate_playbook_knows_the_existing_remediation_roles():
    play = yaml.safe_load((ROOT / "playbooks" / "remediate.yml").read_text())[0]
    known = set(play["vars"]["bmc_remediation_roles"])
    existing = {c["remediation"]["role"] for c in CATALOG if (ROOT / "roles" / c["remediation"]["role"]).is_dir()
                and "playbook" not in c["remediation"]}
    assert existing <= known


def test_a_control_remediated_by_its_own_playbook_names_a_real_one():
    # The firmware controls: playbooks/firmware.yml (rolling, a change window), not remediate.yml.
    own = [c for c in CATALOG if "playbook" in c["remediation"]]
    assert {c["id"] for c in own} == {"fw-bmc-min-version", "fw-bios-min-version", "fw-allowlist"}
    for control in own:
        playbook = ROOT / "playbooks" / control["remediation"]["playbook"]
        roles = [r if isinstance(r, str) else r.get("role") for play in yaml.safe_load(playbook.read_text())
                 for r in play.get("roles") or []] + \
                [t["ansible.builtin.include_role"]["name"] for play in yaml.safe_load(playbook.read_text())
                 for t in play.get("tasks") or [] if "ansible.builtin.include_role" in t]
        assert "bmclock.supermicro." + control["remediation"]["role"] in roles, control["id"]
