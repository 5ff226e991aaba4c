"""Running project playbooks through ansible-runner (as AWX runs them) against bmcsim: helpers
imported by the integration tests (a module of its own, so its name is unique)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# ansible-runner starts `ansible-playbook` from PATH: the venv's, not whatever the machine has.
os.environ["PATH"] = "%s:%s" % (BIN, os.environ.get("PATH", ""))


def read_fact_cache(directory, host):
    """Facts of `host` from a jsonfile fact cache, read by Ansible's own cache plugin (in a child
    process: loading plugins installs Ansible's collection finder, which must not leak into the
    other tests' imports)."""
    reader = (
        "import json, sys\n"
        "from ansible.plugins.loader import cache_loader, init_plugin_loader\n"
        "init_plugin_loader()\n"
        "cache = cache_loader.get('ansible.builtin.jsonfile', _uri=sys.argv[1])\n"
        "print(json.dumps(cache.get(sys.argv[2]) if cache.contains(sys.argv[2]) else None))\n")
    out = subprocess.run([sys.executable, "-c", reader, str(directory), host], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


class Run:
    """One finished ansible-runner run: status, stats, stdout, cached facts, artefacts."""

    def __init__(self, runner, private_dir):
        self.runner = runner
        self.status = runner.status
        self.rc = runner.rc
        self.stats = runner.stats or {}
        self.stdout = runner.stdout.read()
        self.events = list(runner.events)
        self.artifacts = Path(runner.config.artifact_dir)
        self.private_dir = private_dir

    def cached_facts(self, host):
        """Facts of `host` from this run's jsonfile fact cache, as AWX stores them."""
        return read_fact_cache(self.artifacts / "fact_cache", host)

    def changed(self):
        return sum((self.stats.get("changed") or {}).values())

    def all_text(self):
        """Everything the run left behind: stdout, events, artefact files (to grep for secrets)."""
        chunks = [self.stdout, json.dumps(self.events)]
        for path in self.artifacts.rglob("*"):
            if path.is_file():
                chunks.append(path.read_text(errors="replace"))
        return "\n".join(chunks)


def fresh(fleet, generation):
    """A BMC of `generation` back in its seeded state: knobs, faults and request log cleared."""
    bmc = next(b for b in fleet.bmcs if b["generation"] == generation)
    fleet.admin.reset(bmc["name"])
    fleet.admin.reset_requests(bmc["name"])
    return bmc


def make_inventory(tmp_path, fleet_inventory, results_dir, extra_vars=None):
    """An inventory folder like ops keep: the fleet, the project's group_vars, the results source."""
    inv = tmp_path / "inventory"
    inv.mkdir(exist_ok=True)
    (inv / "fleet.yml").write_text(Path(fleet_inventory).read_text())
    (inv / "group_vars").symlink_to(ROOT / "inventory" / "group_vars")
    (inv / "bmc_results.yml").write_text(
        "plugin: bmclock.supermicro.bmc_results\nresults_dir: %s\n" % results_dir)
    if extra_vars:
        host_vars = inv / "host_vars"
        host_vars.mkdir(exist_ok=True)
        for host, values in extra_vars.items():
            (host_vars / ("%s.yml" % host)).write_text(json.dumps(values))
    return inv


def playbook_run(private_dir, playbook, inventory, extravars=None, envvars=None, cmdline=None, fact_cache=True):
    """Run a project playbook with ansible-runner, jsonfile fact cache on (as in AWX)."""
    import ansible_runner

    private_dir = Path(private_dir)
    private_dir.mkdir(parents=True)
    runner = ansible_runner.run(
        private_data_dir=str(private_dir), project_dir=str(ROOT), playbook=playbook,
        inventory=str(inventory), extravars=extravars or {},
        envvars=dict({"ANSIBLE_NOCOLOR": "1"}, **(envvars or {})), cmdline=cmdline, quiet=True,
        rotate_artifacts=1, **({"fact_cache_type": "jsonfile"} if fact_cache else {}))
    return Run(runner, private_dir)


def organisation_pki(directory, fleet_ca_path):
    """The organisation's CA (in `directory`), a CA bundle the runs trust (the fleet's CA and the
    organisation's), and the variables that have bmc_certificate issue each BMC's certificate from a
    CSR signed by that CA: (ca, bundle path, variables)."""
    from bmcsim.tls import CertificateAuthority
    org = CertificateAuthority(Path(directory) / "org", common_name="Example Org BMC CA")
    bundle = Path(directory) / "bundle.pem"
    bundle.write_text(Path(fleet_ca_path).read_text() + org.cert_path.read_text())
    variables = {"bmc_ca_path": str(bundle), "bmc_tls_ca_cert_path": str(org.cert_path), "bmc_tls_ca_key_path": str(org.dir / "ca.key"),
                 "bmc_tls_csr_subject": {"CommonName": "{{ inventory_hostname }}", "Organization": "Example Org",
                                         "OrganizationalUnit": "Infrastructure", "City": "Berlin", "State": "Berlin", "Country": "DE"}}
    return org, bundle, variables
