"""The repository works as an AWX project as it is: what AWX installs on sync, a copy of the
tracked files run from its own root with a clean environment, no machine paths, the custom
credential type, and the execution environment definition (ansible-builder create)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import jinja2.sandbox
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def tracked_files():
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    return [name for name in listing.decode().split("\0") if name and (ROOT / name).exists()]


def load(path):
    return yaml.safe_load((ROOT / path).read_text())


def test_collections_awx_installs_are_the_top_level_requirements_and_sync_offline(tmp_path):
    awx, top = load("collections/requirements.yml"), load("requirements.yml")
    assert awx["collections"] == top["collections"]
    assert not top.get("roles") and not (ROOT / "roles" / "requirements.yml").exists()
    # An air-gapped AWX must be able to sync the project: nothing to download.
    for path in ("collections/requirements.yml", "requirements.yml"):
        sync = subprocess.run([str(BIN / "ansible-galaxy"), "collection", "install", "--offline", "-r", path,
                               "-p", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, check=False)
        assert sync.returncode == 0, sync.stdout + sync.stderr


def test_tracked_files_hold_no_machine_paths():
    # This checkout's own parent and home, plus the usual home and temp roots.
    machine = {str(ROOT.parent) + "/", str(Path.home()) + "/", "/home/", "/Users/", "/tmp/pytest"}
    offenders = []
    for name in tracked_files():
        path = ROOT / name
        if path == Path(__file__):  # the set above
            continue
        if path.is_symlink():
            if os.path.isabs(os.readlink(path)):
                offenders.append("%s -> %s" % (name, os.readlink(path)))
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        offenders += ["%s: %s" % (name, prefix) for prefix in machine if prefix in text]
    assert offenders == []


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory):
    """The tracked files where AWX puts a project (a fresh folder), symlinks kept."""
    target = tmp_path_factory.mktemp("awx") / "project"
    for name in tracked_files():
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination, follow_symlinks=False)
    return target


def ansible(project, *command):
    """A command run as AWX runs it: from the project root, nothing from the developer's setup."""
    env = {"PATH": "%s:/usr/bin:/bin" % BIN, "HOME": str(project.parent), "ANSIBLE_NOCOLOR": "1",
           "LANG": "C.UTF-8"}
    done = subprocess.run([str(BIN / command[0]), *command[1:]], cwd=project, env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_project_root_config_finds_every_custom_plugin(project_copy):
    for kind, name in (("module", "bmc_audit"), ("module", "bmc_report"), ("callback", "bmc_summary"),
                       ("inventory", "bmc_results")):
        assert "bmclock.supermicro." + name in ansible(project_copy, "ansible-doc", "-t", kind, "-j",
                                                       "bmclock.supermicro." + name)
    config = ansible(project_copy, "ansible-config", "dump", "--only-changed")
    assert "ansible.cfg" in config and "playbooks/collections" in config
    for playbook in ("playbooks/audit.yml", "playbooks/report.yml"):
        ansible(project_copy, "ansible-playbook", "--syntax-check", playbook)


def test_credential_type_injects_what_the_audit_reads():
    from ansible_collections.bmclock.supermicro.plugins.plugin_utils.controller_action import ENV_FALLBACK

    credential = load("awx/credential_type.yml")
    assert credential["kind"] == "cloud"
    fields = {f["id"]: f for f in credential["inputs"]["fields"]}
    assert set(fields) == set(ENV_FALLBACK)
    assert fields["password"].get("secret") is True
    assert set(credential["inputs"]["required"]) == {"username", "password"}
    # AWX renders injectors with a sandboxed Jinja environment over the credential's inputs.
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(undefined=jinja2.StrictUndefined)
    rendered = {name: env.from_string(template).render(username="ops", password="s3cret")
                for name, template in credential["injectors"]["env"].items()}
    assert rendered == {ENV_FALLBACK["username"]: "ops", ENV_FALLBACK["password"]: "s3cret",
                        ENV_FALLBACK["ca_path"]: ""}
    assert "extra_vars" not in credential["injectors"]  # extra vars would show in the job's details


class VaultLoader(yaml.SafeLoader):
    """Reads inventory YAML with its !vault values (encrypted, so allowed) as a marker."""


VaultLoader.add_constructor("!vault", lambda loader, node: "<vaulted>")


def plain_passwords(data, where):
    """Keys ending in `password` whose value is written out (not vaulted, not templated)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).endswith("password") and isinstance(value, str) and value and \
                    value != "<vaulted>" and "{{" not in value:
                yield "%s: %s" % (where, key)
            yield from plain_passwords(value, where)
    elif isinstance(data, list):
        for item in data:
            yield from plain_passwords(item, where)


def test_no_password_in_inventory_files():
    found = []
    for name in tracked_files():
        if name.startswith("inventory/") and name.endswith((".yml", ".yaml")):
            found += plain_passwords(yaml.load((ROOT / name).read_text(), Loader=VaultLoader), name)
    assert found == []


def test_execution_environment_definition_builds_a_context(tmp_path):
    # The definition with what it reads, and the collection built where the README says (build/).
    source = tmp_path / "source"
    (source / "requirements").mkdir(parents=True)
    for name in ("execution-environment.yml", "requirements/base.txt"):
        shutil.copy2(ROOT / name, source / name)
    subprocess.run([str(BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(source / "build")],
                   cwd=ROOT, capture_output=True, check=True)
    context = tmp_path / "context"
    create = subprocess.run([str(BIN / "ansible-builder"), "create", "-f", "execution-environment.yml",
                             "-c", str(context), "--output-filename", "Containerfile"],
                            cwd=source, capture_output=True, text=True, check=False)
    assert create.returncode == 0, create.stdout + create.stderr
    assert "No matches" not in create.stdout + create.stderr
    containerfile = (context / "Containerfile").read_text()
    base = [line.strip() for line in (ROOT / "requirements/base.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    core = next(r for r in base if r.startswith("ansible-core"))
    runner = next(r for r in base if r.startswith("ansible-runner"))
    assert 'ANSIBLE_INSTALL_REFS="%s %s"' % (core, runner) in containerfile  # the venv's bounds
    assert 'PYCMD="/usr/bin/python3.12"' in containerfile
    assert (context / "_build" / "requirements.txt").read_text() == (ROOT / "requirements/base.txt").read_text()
    # The image installs the built collection from its tarball, copied into the context (/build).
    version = load("galaxy.yml")["version"]
    tarball = "bmclock-supermicro-%s.tar.gz" % version
    assert (context / "_build" / "collection" / tarball).read_bytes() == (source / "build" / tarball).read_bytes()
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert galaxy["collections"] == [{"name": "/build/collection/" + tarball, "type": "file"}]
    assert "COPY _build /build" in containerfile and "ansible-galaxy collection install" in containerfile
    # The builder's own introspection, as the image build runs it: the Python the EE installs.
    introspect = subprocess.run([sys.executable, "scripts/introspect.py", "introspect", "--user-pip=requirements.txt"],
                                cwd=context / "_build", capture_output=True, text=True, check=True).stdout
    wanted = {line.split(" #")[0].strip("- '") for line in introspect.splitlines() if "# from" in line}
    assert {"jmespath", "pyyaml", "ansible-core", "ansible-runner"} <= {r.split(">")[0].split("<")[0] for r in wanted}
