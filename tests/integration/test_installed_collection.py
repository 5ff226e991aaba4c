"""The collection as its users get it: the tarball `ansible-galaxy collection build` makes,
installed into a collections folder of its own and used by a playbook outside this repository
that names only FQCNs (no repository path, no ansible.cfg of ours, no sys.path collections);
module_defaults set through the action group bmclock.supermicro.bmc. Against bmcsim over HTTPS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bmcsim.testing import SimFleet

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
GALAXY = yaml.safe_load((ROOT / "galaxy.yml").read_text())


@pytest.fixture(scope="module")
def collections_path(tmp_path_factory):
    """The built tarball installed into a fresh collections folder (as `ansible-galaxy collection
    install bmclock-supermicro-X.Y.Z.tar.gz -p ...` on another machine)."""
    work = tmp_path_factory.mktemp("installed")
    subprocess.run([BIN / "ansible-galaxy", "collection", "build", "--output-path", work], cwd=ROOT, check=True,
                   capture_output=True)
    tarball = work / ("bmclock-supermicro-%s.tar.gz" % GALAXY["version"])
    subprocess.run([BIN / "ansible-galaxy", "collection", "install", "--offline", "-p", work / "collections", tarball],
                   cwd=work, check=True, capture_output=True)
    installed = work / "collections" / "ansible_collections" / "bmclock" / "supermicro"
    assert json.loads((installed / "MANIFEST.json").read_text())["collection_info"]["version"] == GALAXY["version"]
    assert not (installed / "simulator").exists() and not (installed / "tests" / "unit").exists()
    return work / "collections"


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=2, profile="x13", base_address="127.0.112.1") as sim:
        yield sim


def own_project(tmp_path, fleet):
    """An operator's own folder: their inventory (the fleet without any connection variable: they
    come from module_defaults), a copy of the sample baseline as their group_vars, an empty ansible.cfg."""
    project = tmp_path / "ops"
    assert ROOT not in project.parents
    inventory = fleet_inventory = yaml.safe_load(Path(fleet.inventory_path).read_text())
    bmcs = fleet_inventory["all"]["children"]["bmcs"]
    for key in ("bmc_username", "bmc_password", "bmc_ca_path"):
        del bmcs["vars"][key]
    for group in bmcs["children"].values():
        for host_vars in group["hosts"].values():
            del host_vars["bmc_port"]
    (project / "inventory" / "group_vars" / "all").mkdir(parents=True)
    (project / "inventory" / "hosts.yml").write_text(yaml.safe_dump(inventory))
    for baseline in (ROOT / "inventory" / "group_vars" / "all").glob("*.yml"):
        (project / "inventory" / "group_vars" / "all" / baseline.name).write_text(baseline.read_text())
    (project / "ansible.cfg").write_text("")
    return project


def ansible_playbook(project, collections_path, playbook, *args):
    playbook_path = project / "site.yml"
    playbook_path.write_text(yaml.safe_dump(playbook, sort_keys=False))
    env = {"PATH": "%s:/usr/bin:/bin" % BIN, "HOME": os.environ.get("HOME", str(project)), "LANG": "C.UTF-8",
           "ANSIBLE_CONFIG": str(project / "ansible.cfg"), "ANSIBLE_COLLECTIONS_PATH": str(collections_path),
           "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "false", "ANSIBLE_NOCOLOR": "1"}
    # Nothing of this checkout but the Python environment running ansible-playbook.
    assert not any(str(ROOT) in value for name, value in env.items() if name != "PATH")
    return subprocess.run([BIN / "ansible-playbook", "-i", "inventory", "site.yml", *args], cwd=project, env=env,
                          capture_output=True, text=True, check=False)


def module_defaults(fleet):
    return {"group/bmclock.supermicro.bmc": {"port": fleet.port, "username": fleet.username,
                                             "password": fleet.password, "ca_path": fleet.ca_path}}


def test_own_playbook_audits_and_reports_with_the_installed_collection(collections_path, fleet, tmp_path):
    """The playbook of the README's 'Use the collection from your own playbooks', the password
    in a vaulted variable."""
    project = own_project(tmp_path, fleet)
    (project / "vault-pass").write_text("not-the-bmc-password\n")
    vaulted = subprocess.run([BIN / "ansible-vault", "encrypt_string", "--vault-password-file", "vault-pass",
                              "--name", "vault_bmc_password", fleet.password], cwd=project, capture_output=True,
                             text=True, check=True).stdout
    (project / "inventory" / "group_vars" / "all" / "vault.yml").write_text(vaulted)
    defaults = module_defaults(fleet)
    defaults["group/bmclock.supermicro.bmc"]["password"] = "{{ vault_bmc_password }}"
    playbook = [{
        "name": "Audit with the installed collection", "hosts": "bmcs", "gather_facts": False,
        "module_defaults": defaults,
        "roles": [
            {"role": "bmclock.supermicro.bmc_audit", "vars": {"bmc_audit_results_dir": "{{ playbook_dir }}/results"}},
            {"role": "bmclock.supermicro.bmc_report", "vars": {"bmc_report_results_dir": "{{ playbook_dir }}/results"}},
        ],
    }]
    done = ansible_playbook(project, collections_path, playbook, "--vault-password-file", "vault-pass")
    assert done.returncode == 0, done.stdout + done.stderr
    for bmc in fleet.bmcs:
        record = json.loads((project / "results" / ("%s.json" % bmc["name"])).read_text())
        assert record["status"] == "compliant", record["summary"]
        assert record["redfish_requests"] > 0
    assert (project / "results" / "fleet" / "report.html").exists()
    assert fleet.password not in done.stdout + done.stderr


def test_module_defaults_group_sets_the_connection_options_once(collections_path, fleet, tmp_path):
    """No connection variable in the inventory: port, credentials and CA come only from
    module_defaults on group/bmclock.supermicro.bmc; without them the same task fails."""
    project = own_project(tmp_path, fleet)
    catalog = collections_path / "ansible_collections/bmclock/supermicro/roles/bmc_audit/vars/controls.yml"
    tasks = [{"name": "Audit", "bmclock.supermicro.bmc_audit": {"catalog": str(catalog)}, "register": "audit"},
             {"name": "Keep the result", "ansible.builtin.copy": {
                 "content": "{{ audit.bmc_compliance | to_json }}", "dest": "{{ playbook_dir }}/{{ inventory_hostname }}.json",
                 "mode": "0600"}}]
    play = {"name": "Audit through module_defaults", "hosts": "bmcs", "gather_facts": False, "tasks": tasks}
    without = ansible_playbook(project, collections_path, [play])
    assert without.returncode != 0 and "no BMC credentials" in without.stdout, without.stdout + without.stderr

    # module_defaults are task options, so they win over the bmc_* inventory variables (README).
    (project / "inventory" / "group_vars" / "all" / "connection.yml").write_text("bmc_port: 9\n")
    done = ansible_playbook(project, collections_path, [dict(play, module_defaults=module_defaults(fleet))])
    assert done.returncode == 0, done.stdout + done.stderr
    for bmc in fleet.bmcs:
        result = json.loads((project / ("%s.json" % bmc["name"])).read_text())
        # Logged in on the fleet's port with its CA: every control evaluated and passing.
        assert result["status"] == "compliant" and result["port"] == fleet.port, result["summary"]
    assert fleet.password not in done.stdout + done.stderr
