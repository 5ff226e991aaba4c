"""The command line contract: ready line, inventory, SIGTERM, --unreachable, --seed, --state-dir."""
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bmcsim.testing import SimFleet, free_port
from simclient import Redfish


def test_ready_line_and_sigterm(tmp_path):
    port, admin = free_port(), free_port()
    bmcsim = Path(sys.executable).with_name("bmcsim")
    proc = subprocess.Popen([str(bmcsim), "--count", "2", "--profile", "x13", "--port", str(port), "--admin-port", str(admin),
                             "--base-address", "127.0.30.1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("bmcsim ready:") and f"admin=http://127.0.0.1:{admin}" in line
        ca = next(f for f in line.split() if f.startswith("ca="))[3:]
        assert os.path.isabs(ca) and Path(ca).exists()
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        assert proc.wait(10) == 0


def test_inventory_and_unreachable(tmp_path):
    with SimFleet(count=4, profile="mixed", base_address="127.0.31.1", unreachable=1) as fleet:
        mode = stat.S_IMODE(os.stat(fleet.inventory_path).st_mode)
        assert mode == 0o600
        inv = yaml.safe_load(Path(fleet.inventory_path).read_text())
        bmcs = inv["all"]["children"]["bmcs"]
        assert bmcs["vars"]["bmc_username"] == "ansible" and bmcs["vars"]["bmc_ca_path"] == fleet.ca_path
        assert bmcs["vars"]["ansible_connection"] == "local"
        assert bmcs["vars"]["ansible_python_interpreter"] == "{{ ansible_playbook_python }}"
        hosts = {h: v for g in bmcs["children"].values() for h, v in g["hosts"].items()}
        assert sorted(hosts) == ["bmc-001", "bmc-002", "bmc-003", "bmc-004"]
        assert hosts["bmc-004"] == {"ansible_host": "127.0.31.4", "bmc_port": fleet.port, "bmc_generation": "x13",
                                    "bmc_service_ports": {"ssh": 20022, "http": 20080, "kvm": 25900, "virtual_media": 20623,
                                                          "ipmi": 20623, "snmp": 20161, "ssdp": 21900, "https": fleet.port}}
        assert Redfish(fleet, "bmc-003").get("/redfish/v1")[0] == 200
        with pytest.raises(ConnectionRefusedError):
            Redfish(fleet, "bmc-004").get("/redfish/v1")
        assert [b["up"] for b in fleet.admin.bmcs()] == [True, True, True, False]


def test_seed_reproducible_noncompliant_fleet():
    def snapshot(seed):
        with SimFleet(count=12, profile="mixed", base_address="127.0.32.1", seed=seed, noncompliant=0.5) as fleet:
            return [(b["board"], tuple(b["deviations"])) for b in fleet.admin.bmcs()]
    first = snapshot(7)
    assert first == snapshot(7) and first != snapshot(8)
    assert any(devs for _, devs in first) and any(not devs for _, devs in first)


def test_deviations_show_in_state(tmp_path):
    with SimFleet(count=6, profile="x13", base_address="127.0.33.1", seed=3, noncompliant=1.0) as fleet:
        for b in fleet.admin.bmcs():
            assert b["deviations"]
            if "ipmi_on" in b["deviations"]:
                np = fleet.admin.get_resource(b["name"], "/redfish/v1/Managers/1/NetworkProtocol")
                assert np["IPMI"]["ProtocolEnabled"] is True


def test_state_dir_survives_restart(tmp_path):
    state = str(tmp_path / "state")
    with SimFleet(count=2, profile="x12", base_address="127.0.34.1", state_dir=state) as fleet:
        ca = fleet.ca_path
        fleet.admin.patch_resource("bmc-001", "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown", {"SysLockdownEnabled": False})
        c = Redfish(fleet, "bmc-001")
        assert c.post("/redfish/v1/AccountService/Accounts",
                      {"UserName": "persisted", "Password": "Str0ng!Password#1", "RoleId": "Operator"})[0] == 201
    with SimFleet(count=2, profile="x12", base_address="127.0.34.1", state_dir=state) as fleet:
        assert fleet.ca_path == ca
        assert Redfish(fleet, "bmc-001", "persisted", "Str0ng!Password#1").get("/redfish/v1/Managers/1")[0] == 200
        assert fleet.admin.get_resource("bmc-001", "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown")["SysLockdownEnabled"] is False


def test_dies_with_clear_error():
    with pytest.raises(RuntimeError, match="did not become ready"):
        SimFleet(count=1, profile="x13", extra_args=["--unreachable", "5"]).start()
