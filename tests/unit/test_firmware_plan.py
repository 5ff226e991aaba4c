"""Firmware planning, targets, request bodies and update states (plugins/module_utils/firmware.py)."""
from __future__ import annotations

import hashlib
import io

import pytest

from ansible_collections.bmclock.supermicro.plugins.module_utils import firmware, results

BMC_FILE = "BMC_X13AST2600-ROT-5501MS_20241001_01.06.10_STDsp.bin"
SUM = "a" * 64


def entry(**target):
    return {"bmc_min": "01.04.15", "bios_min": "2.1", "bmc_images": [BMC_FILE, "01.07.01"], "bios_images": [],
            "bmc_target": dict({"image": BMC_FILE, "sha256": SUM}, **target)}


def test_target_version_from_supermicro_file_name_or_given():
    assert firmware.target_version({"image": BMC_FILE}) == "01.06.10"
    assert firmware.target_version({"image": "BIOS_X13DEG-OAD-1D14_20240322_2.1_STDsp.bin"}) == "2.1"
    assert firmware.target_version({"image": "SMT_X11_174.bin", "version": "01.74.11"}) == "01.74.11"
    assert firmware.target_version({"image": "SMT_X11_174.bin"}) is None


def test_valid_target(tmp_path):
    (tmp_path / BMC_FILE).write_bytes(b"x")
    assert firmware.validate_targets({"X13DEG-OAD": entry()}, str(tmp_path)) == []


@pytest.mark.parametrize("change, where, words", [
    ({"image": "nope.bin", "version": "01.07.01"}, "bmc_target.image", "not found"),
    ({"image": "../etc/passwd"}, "bmc_target.image", "file name"),
    ({"sha256": "abc"}, "bmc_target.sha256", "64 hex"),
    ({"sha256": "g" * 64}, "bmc_target.sha256", "64 hex"),
    ({"image": "SMT.bin", "version": "01.05.00"}, "bmc_target", "not in bmc_images"),
    ({"image": "SMT.bin"}, "bmc_target.version", "no version"),
])
def test_bad_target_names_board_field_and_problem(tmp_path, change, where, words):
    (tmp_path / BMC_FILE).write_bytes(b"x")
    (tmp_path / "SMT.bin").write_bytes(b"x")
    problems = firmware.validate_targets({"X13DEG-OAD": entry(**change)}, str(tmp_path))
    assert any(path == "bmc_approved_firmware.X13DEG-OAD." + where and words in text for path, text in problems), problems


def test_target_below_minimum(tmp_path):
    (tmp_path / BMC_FILE).write_bytes(b"x")
    approved = {"X13DEG-OAD": dict(entry(), bmc_min="01.07.00")}
    assert ("bmc_approved_firmware.X13DEG-OAD.bmc_target", "version 01.06.10 is below bmc_min 01.07.00") in \
        firmware.validate_targets(approved, str(tmp_path))


def test_firmware_dir_unset(tmp_path):
    problems = firmware.validate_targets({"X13DEG-OAD": entry()}, None)
    assert problems == [("bmc_approved_firmware.X13DEG-OAD.bmc_target.image",
                         "bmc_firmware_dir is not set (the folder holding %s)" % BMC_FILE)]


def test_board_entry_default():
    approved = {"X13DEG-OAD": {"a": 1}, "default": {"b": 2}}
    assert firmware.board_entry(approved, "X13DEG-OAD") == {"a": 1}
    assert firmware.board_entry(approved, "X12STW-F") == {"b": 2}
    assert firmware.board_entry({}, "X12STW-F") is None


@pytest.mark.parametrize("active, allow, action", [
    ("01.06.10", False, "none"),
    ("01.04.15", False, "update"),
    ("01.07.01", False, "downgrade_refused"),
    ("01.07.01", True, "update"),
    ("11.01.01", False, "unknown"),        # another version family, no release dates: fail closed
    ("11.01.01", True, "update"),
    ("Not Present", False, "unknown"),
    (None, False, "unknown"),
])
def test_plan_bmc(active, allow, action):
    step = firmware.plan("bmc", active, {"image": BMC_FILE, "sha256": SUM.upper()}, allow)
    assert step["action"] == action
    assert (step["from"], step["to"], step["image"], step["sha256"]) == (active, "01.06.10", BMC_FILE, SUM)


def test_diff_shows_only_what_the_run_updates():
    target = {"image": BMC_FILE, "sha256": SUM}
    old = "BMC_X13AST2600-ROT-5501MS_20230801_01.04.15_STDsp.bin"
    update = firmware.plan("bmc", "01.04.15", target, active_image=old)
    current = firmware.plan("bios", "2.1", {"image": "BIOS_X13DEG-OAD-1D14_20240322_2.1_STDsp.bin", "sha256": SUM})
    shown = firmware.diff("bmc-001", [update, current])
    assert shown["before"] == "BMC: version 01.04.15, image %s\n" % old
    assert shown["after"] == "BMC: version 01.06.10, image %s, sha256 %s\n" % (BMC_FILE, SUM)
    assert (shown["before_header"], shown["after_header"]) == ("bmc-001 (read)", "bmc-001 (planned)")
    assert firmware.diff("bmc-001", [current]) is None


@pytest.mark.parametrize("released, action", [("2023-11-30T00:00:00Z", "update"), ("2025-01-15T00:00:00Z", "downgrade_refused")])
def test_plan_across_families_by_release_date(released, action):
    step = firmware.plan("bmc", "11.01.01", {"image": BMC_FILE, "sha256": SUM}, False,
                         "BMC_X13AST2600-ROT-5501MS_20231130_11.01.01_OEMsp.bin", released)
    assert step["action"] == action
    if action == "downgrade_refused":
        assert "compared by release date 2025-01-15 and 2024-10-01" in step["reason"]


def test_same_version_of_another_build_is_not_the_target():
    oem = "BMC_X13AST2600-ROT-5501MS_20241001_01.06.10_OEMsp.bin"
    assert firmware.plan("bmc", "01.06.10", {"image": BMC_FILE, "sha256": SUM}, False, BMC_FILE, None)["action"] == "none"
    assert firmware.plan("bmc", "01.06.10", {"image": BMC_FILE, "sha256": SUM}, False, "renamed.bin", None)["action"] == "none"
    assert firmware.plan("bmc", "01.06.10", {"image": BMC_FILE, "sha256": SUM}, False, oem, None)["action"] == "unknown"


def test_plan_bios_compares_inventory_form():
    target = {"image": "BIOS_X13DEG-OAD-1D14_20241001_2.3_STDsp.bin", "sha256": SUM}
    assert firmware.plan("bios", "BIOS Date: 10/01/2024 Ver 2.3", target)["action"] == "none"
    assert firmware.plan("bios", "BIOS Date: 03/22/2024 Ver 2.1", target)["action"] == "update"
    assert firmware.at_target("BIOS Date: 10/01/2024 Ver 2.3", "2.3")
    assert not firmware.at_target("Not Present", "2.3")


def test_sha256_streams_and_restores_position(tmp_path):
    data = b"SMCFW" + bytes(3 * firmware.CHUNK + 5)
    path = tmp_path / "img"
    path.write_bytes(data)
    assert firmware.sha256_file(str(path)) == hashlib.sha256(data).hexdigest()
    handle = io.BytesIO(data)
    handle.seek(5)
    assert firmware.sha256_file(handle) == hashlib.sha256(data[5:]).hexdigest() and handle.tell() == 5


def test_update_parameters_and_legacy_body():
    params = firmware.update_parameters("bmc", {"preserve_ssl": False})
    assert params == {"Targets": ["/redfish/v1/Managers/1"], "@Redfish.OperationApplyTime": "OnStartUpdateRequest",
                      "Oem": {"Supermicro": {"BMC": {"PreserveCfg": True, "PreserveSdr": True, "PreserveSsl": False,
                                                     "BackupBMC": True}}}}
    assert firmware.update_parameters("bios", {})["Oem"]["Supermicro"]["BIOS"] == {
        "PreserveME": True, "PreserveNVRAM": True, "PreserveSMBIOS": True, "BackupBIOS": False}
    assert firmware.options_for("bios", {}, legacy=True) == {"PreserveME": True, "PreserveNVRAM": True, "PreserveSMBIOS": True}
    assert firmware.legacy_action("bmc", "EnterUpdateMode") == \
        "/redfish/v1/UpdateService/SmcFirmwareInventory/BMC/Actions/SmcFirmwareInventory.EnterUpdateMode"


def test_active_update_tasks():
    tasks = [{"Name": "BMC Verify", "TaskState": "Completed"}, {"Name": "BIOS Update", "TaskState": "Running"},
             {"Name": "NTP", "TaskState": "Running"}]
    assert firmware.active_update_tasks(tasks) == [tasks[1]]


@pytest.mark.parametrize("policy, power, allowed, expected", [
    ("never", "Off", ["On"], None),
    ("if_powered_off", "On", ["ForceRestart"], None),
    ("if_powered_off", "Off", ["On"], "On"),
    ("always", "On", ["On", "ForceRestart", "GracefulRestart"], "GracefulRestart"),
    ("always", "On", ["On", "ForceRestart"], "ForceRestart"),
    ("always", "Off", ["On"], "On"),
])
def test_reset_type(policy, power, allowed, expected):
    assert firmware.reset_type(policy, power, allowed) == expected


def test_states_and_descriptions(tmp_path):
    step = firmware.plan("bmc", "01.04.15", {"image": BMC_FILE, "sha256": SUM})
    entry_ = firmware.new_state(step, batch=2)
    assert entry_["state"] == "uploading" and entry_["batch"] == 2
    assert firmware.describe("bmc", entry_).startswith("BMC update to 01.06.10 in progress since ")
    failed = firmware.advance(entry_, "failed", step="verify", message="wrong image")
    assert firmware.describe("bmc", failed) == "BMC failed at verify: wrong image" and failed["since"] == entry_["since"]
    assert firmware.describe("bios", dict(entry_, state="staged", to="2.3")) == "BIOS 2.3 staged, pending host reset"
    with pytest.raises(ValueError):
        firmware.advance(entry_, "flashing")
    results.write_firmware_update(str(tmp_path), "bmc-001", {"bmc": failed})
    assert results.read_firmware_update(str(tmp_path), "bmc-001") == {"bmc": failed}
    assert results.read_firmware_update(str(tmp_path), "bmc-002") == {}
    (tmp_path / "firmware" / "bmc-003.json").write_text("{")
    with pytest.raises(ValueError, match="bmc-003.json"):
        results.read_firmware_update(str(tmp_path), "bmc-003")
    # the state lives beside the audit records, not among them
    assert results.load_records(str(tmp_path)) == ({}, [])
