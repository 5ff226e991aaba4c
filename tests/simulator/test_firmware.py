"""Firmware update state machines over real HTTPS: the X12/X13 multipart upload, StartUpdate, the BMC
restart, the staged BIOS, SimpleUpdate, and the X11/X12 SmcFirmwareInventory legacy actions."""
from __future__ import annotations

import http.client
import http.server
import json
import threading
import time

import pytest

from bmcsim.firmware import make_image
from simclient import X11, X12, X13, message_id, post_form, unlock

R = "/redfish/v1"
FW = f"{R}/UpdateService/FirmwareInventory"
UPLOAD = f"{R}/UpdateService/upload"
START_UPDATE = f"{R}/UpdateService/Actions/UpdateService.StartUpdate"
SIMPLE_UPDATE = f"{R}/UpdateService/Actions/UpdateService.SimpleUpdate"
HOST_RESET = f"{R}/Systems/1/Actions/ComputerSystem.Reset"
MANAGER_RESET = f"{R}/Managers/1/Actions/Manager.Reset"
BMC_PARAMS = {"Targets": [f"{R}/Managers/1"], "@Redfish.OperationApplyTime": "OnStartUpdateRequest",
              "Oem": {"Supermicro": {"BMC": {"PreserveCfg": True, "PreserveSdr": True, "PreserveSsl": True, "BackupBMC": True}}}}
BIOS_PARAMS = {"Targets": [f"{R}/Systems/1/Bios"], "@Redfish.OperationApplyTime": "Immediate",
               "Oem": {"Supermicro": {"BIOS": {"PreserveME": True, "PreserveNVRAM": True, "PreserveSMBIOS": True,
                                               "BackupBIOS": False}}}}
BMC_FILE = "BMC_X13AST2600-ROT-5501MS_20241001_01.06.10_STDsp.bin"
FINAL = ("Completed", "Exception", "Interrupted", "Cancelled")


@pytest.fixture
def fw(sim):
    """Firmware steps 250x faster than on hardware (a BMC flash takes about 1 s), BMC reboots of 0.5 s;
    `sim` puts the launch knobs back afterwards."""
    for b in sim.bmcs:
        sim.admin.set_knobs(b["name"], firmware_time_scale=0.004, reboot_seconds=0.5)
    return sim


def upload(client, params: dict, image: bytes, filename: str = BMC_FILE):
    return post_form(client, UPLOAD, {"UpdateParameters": (None, json.dumps(params).encode(), "application/json"),
                                      "UpdateFile": (filename, image, "application/octet-stream")})


def task_of(accepted: dict) -> str:
    return accepted["Accepted"]["@Message.ExtendedInfo"][0]["MessageArgs"][0]


def wait_task(client, uri: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _, task = client.get(uri)
        if status == 200 and task["TaskState"] in FINAL:
            return task
        time.sleep(0.02)
    raise AssertionError(f"{uri} did not finish: {task}")


def newest_task(client) -> dict:
    _, _, tasks = client.get(f"{R}/TaskService/Tasks")
    return client.get(tasks["Members"][-1]["@odata.id"])[2]


def reachable(client) -> bool:
    try:
        return client.get(R, auth=False)[0] == 200
    except OSError:         # connection refused while the BMC restarts
        return False


def task_or_none(client, uri: str) -> dict | None:
    """The task, or None once the BMC has gone down to restart."""
    try:
        return client.get(uri)[2]
    except OSError:
        return None


def wait_restart(client, timeout: float = 15) -> None:
    """The BMC goes away (connections refused) if it has not yet, then answers again."""
    deadline = time.monotonic() + timeout
    while reachable(client):
        assert time.monotonic() < deadline, "the BMC never went down"
        time.sleep(0.01)
    while not reachable(client):
        assert time.monotonic() < deadline, "the BMC never came back"
        time.sleep(0.05)


def version(client, member: str) -> str:
    return client.get(f"{FW}/{member}")[2]["Version"]


def test_inventory_versions_are_consistent(rf):
    client = rf(X13)
    _, _, inventory = client.get(FW)
    members = {m["@odata.id"].rsplit("/", 1)[1] for m in inventory["Members"]}
    assert {"BMC", "Backup_BMC", "Golden_BMC", "Staging_BMC", "BIOS", "Backup_BIOS", "Golden_BIOS", "Staging_BIOS"} <= members
    assert client.get(f"{R}/Managers/1")[2]["FirmwareVersion"] == version(client, "BMC")
    bios = version(client, "BIOS")
    assert bios.startswith("BIOS Date: ") and bios.endswith(" Ver " + client.get(f"{R}/Systems/1")[2]["BiosVersion"])


def test_bmc_update_verify_start_update_restart(fw, rf):
    unlock(fw, X13)
    client = rf(X13)
    old = version(client, "BMC")
    client.login()

    status, headers, body = upload(client, BMC_PARAMS, make_image("BMC", "X13", "01.06.10"))
    assert status == 202, body
    info = body["Accepted"]["@Message.ExtendedInfo"][0]
    assert body["Accepted"]["code"] == "Base.v1_10_3.Accepted"
    assert info["MessageId"] == "SMC.1.0.OemSimpleupdateAcceptedMessage" and info["RelatedProperties"] == ["BmcVerifyAccepted"]
    verify_uri = task_of(body)
    assert headers["Location"] == verify_uri
    _, _, task = client.get(verify_uri)
    assert task["@odata.type"] == "#Task.v1_4_3.Task" and task["Name"] == "BMC Verify" and task["HidePayload"] is True
    assert task["TaskMonitor"].startswith(f"{R}/TaskMonitor/") and task["Messages"][0]["MessageId"] == ""

    # a second upload while this one is pending: already in update mode
    status, _, error = upload(client, BMC_PARAMS, make_image("BMC", "X13", "01.06.11"))
    assert status == 405 and message_id(error) == "SMC.1.0.OemFirmwareAlreadyInUpdateMode"
    assert error["error"]["@Message.ExtendedInfo"][0]["MessageArgs"] == ["BMC"]

    task = wait_task(client, verify_uri)
    assert (task["TaskState"], task["TaskStatus"], task["PercentComplete"]) == ("Completed", "OK", 100)
    assert version(client, "BMC") == old          # OnStartUpdateRequest: nothing flashed yet

    status, _, body = client.post(START_UPDATE)
    assert status == 202 and body["Accepted"]["@Message.ExtendedInfo"][0]["RelatedProperties"] == ["BmcUpdateAccepted"]
    update_uri = task_of(body)
    seen = []
    while (task := task_or_none(client, update_uri)) and task["TaskState"] == "Running":
        assert task["Name"] == "BMC Update"
        seen.append(task["PercentComplete"])
        time.sleep(0.05)
    assert len(set(seen)) >= 3 and seen == sorted(seen)

    wait_restart(client)           # the flash ends with a restart: connections refused for a while
    assert client.get(f"{R}/Managers/1")[0] == 401       # the session died with the restart
    client.token = None
    assert version(client, "BMC") == "01.06.10"
    assert client.get(f"{R}/Managers/1")[2]["FirmwareVersion"] == "01.06.10"
    assert version(client, "Backup_BMC") == old
    assert version(client, "Staging_BMC") == "01.06.10"
    assert client.get(f"{FW}/BMC")[2]["Oem"]["Supermicro"]["UniqueFilename"] == BMC_FILE
    assert fw.admin.sessions(X13) == []


def test_bios_update_is_staged_until_host_reset(fw, rf):
    unlock(fw, X13)
    client = rf(X13)
    old = version(client, "BIOS")
    status, _, body = upload(client, BIOS_PARAMS, make_image("BIOS", "X13", "2.3", "2024-11-05"), "BIOS_X13.bin")
    assert status == 202 and body["Accepted"]["@Message.ExtendedInfo"][0]["RelatedProperties"] == ["BiosVerifyAccepted"]
    assert wait_task(client, task_of(body))["Name"] == "BIOS Verify"

    update = newest_task(client)             # Immediate: the update starts by itself after the verification
    assert update["Name"] == "BIOS Update"
    assert wait_task(client, update["@odata.id"])["TaskState"] == "Completed"
    assert version(client, "Staging_BIOS") == "BIOS Date: 11/05/2024 Ver 2.3"
    assert version(client, "BIOS") == old

    status, _, error = upload(client, BIOS_PARAMS, make_image("BIOS", "X13", "2.4"))
    assert status == 400 and message_id(error) == "SMC.1.0.OemBiosUploadFail"

    status, _, body = client.post(HOST_RESET, {"ResetType": "ForceRestart"})
    assert status == 200 and "Success" in body
    assert version(client, "BIOS") == "BIOS Date: 11/05/2024 Ver 2.3"
    assert client.get(f"{R}/Systems/1")[2]["BiosVersion"] == "2.3"


@pytest.mark.parametrize("image", [b"\x7fELF not a Supermicro image", make_image("BMC", "X12", "01.06.10"),
                                   make_image("BIOS", "X13", "2.3")], ids=["garbage", "other-generation", "other-component"])
def test_corrupt_image_fails_verify_and_changes_nothing(fw, rf, image):
    unlock(fw, X13)
    client = rf(X13)
    before = {m: version(client, m) for m in ("BMC", "Backup_BMC", "Staging_BMC")}
    status, _, body = upload(client, {**BMC_PARAMS, "@Redfish.OperationApplyTime": "Immediate"}, image)
    assert status == 202
    task = wait_task(client, task_of(body))
    assert (task["TaskState"], task["TaskStatus"]) == ("Exception", "Critical")
    assert task["Messages"][0]["MessageId"] == "SMC.1.0.OemFirmwareUpdateWrongImage"
    time.sleep(0.3)
    assert newest_task(client)["@odata.id"] == task["@odata.id"]      # no update task followed
    assert {m: version(client, m) for m in before} == before
    assert client.post(START_UPDATE)[0] == 400                          # and the BMC left update mode
    assert upload(client, BMC_PARAMS, make_image("BMC", "X13", "01.06.10"))[0] == 202


@pytest.mark.parametrize("params, missing, expected", [
    ({**BMC_PARAMS, "Targets": [f"{R}/Chassis/1"]}, None, "Base.1.10.PropertyValueNotInList"),
    ({**BMC_PARAMS, "@Redfish.OperationApplyTime": "OnReset"}, None, "Base.1.10.PropertyValueNotInList"),
    ({**BMC_PARAMS, "Oem": {"Supermicro": {"BMC": {"PreserveEverything": True}}}}, None, "Base.1.10.PropertyUnknown"),
    ({**BMC_PARAMS, "Oem": {"Supermicro": {"BIOS": {"PreserveME": True}}}}, None, "Base.1.10.PropertyUnknown"),
    ({k: v for k, v in BMC_PARAMS.items() if k != "Targets"}, None, "Base.1.10.PropertyMissing"),
    (BMC_PARAMS, "UpdateFile", "Base.1.10.PropertyMissing"),
])
def test_upload_parameters_are_validated(fw, rf, params, missing, expected):
    unlock(fw, X13)
    fields = {"UpdateParameters": (None, json.dumps(params).encode(), "application/json"),
              "UpdateFile": (BMC_FILE, make_image("BMC", "X13", "01.06.10"), "application/octet-stream")}
    fields.pop(missing, None)
    status, _, error = post_form(rf(X13), UPLOAD, fields)
    assert status == 400 and message_id(error) == expected


def test_lockdown_refuses_updates(fw, rf):
    client = rf(X13)                                    # the hardened BMC is in system lockdown
    status, _, error = upload(client, BMC_PARAMS, make_image("BMC", "X13", "01.06.10"))
    assert status == 403 and message_id(error) == "SMC.1.0.OemSystemLockdownEnabled"
    assert message_id(client.post(START_UPDATE)[2]) == "SMC.1.0.OemSystemLockdownEnabled"


def test_start_update_needs_a_verified_upload(fw, rf):
    unlock(fw, X13)
    status, _, error = rf(X13).post(START_UPDATE)
    assert status == 400 and message_id(error) == "SMC.1.0.OemFirmwareUpdateNoImage"


def test_manager_reset_leaves_update_mode(fw, rf):
    unlock(fw, X13)
    client = rf(X13)
    status, _, body = upload(client, BMC_PARAMS, make_image("BMC", "X13", "01.06.10"))
    wait_task(client, task_of(body))
    assert upload(client, BMC_PARAMS, make_image("BMC", "X13", "01.06.10"))[0] == 405       # stuck until...
    assert client.post(MANAGER_RESET, {"ResetType": "GracefulRestart"})[0] == 200
    wait_restart(client)
    assert upload(client, BMC_PARAMS, make_image("BMC", "X13", "01.06.10"))[0] == 202


class ImageServer:
    """A loopback HTTP server with one image, for SimpleUpdate."""

    def __init__(self, image: bytes):
        handler = type("Handler", (http.server.BaseHTTPRequestHandler,), {
            "do_GET": lambda h: (h.send_response(200), h.send_header("Content-Length", str(len(image))), h.end_headers(),
                                 h.wfile.write(image)),
            "log_message": lambda *a: None})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/{BMC_FILE}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_simple_update_needs_dcms_and_fetches_from_loopback_only(fw, rf):
    unlock(fw, X13)
    fw.admin.set_knobs(X13, licenses=[])
    client = rf(X13)
    body = {"ImageURI": "http://192.0.2.10/BMC.bin", "TransferProtocol": "HTTP", "Targets": [f"{R}/Managers/1"]}
    status, _, error = client.post(SIMPLE_UPDATE, body)
    assert status == 403 and message_id(error) == "SMC.1.0.OemLicenseNotPassed"

    fw.admin.set_knobs(X13, licenses=["SFT-DCMS-SINGLE"])
    status, _, accepted = client.post(SIMPLE_UPDATE, body)           # never fetched: not a loopback host
    assert status == 202
    task = wait_task(client, task_of(accepted))
    assert task["TaskState"] == "Exception" and task["Messages"][0]["MessageId"] == "SMC.1.0.OemSimpleupdateErrorMessage"

    server = ImageServer(make_image("BMC", "X13", "01.06.12"))
    try:
        status, _, accepted = client.post(SIMPLE_UPDATE, {**body, "ImageURI": server.url})
        assert status == 202
        assert wait_task(client, task_of(accepted))["TaskState"] == "Completed"
        wait_restart(client)
    finally:
        server.close()
    assert version(client, "BMC") == "01.06.12"


LEGACY_X11 = f"{R}/UpdateService/SmcFirmwareInventory"
LEGACY_X12 = f"{R}/UpdateService/Oem/Supermicro/FirmwareInventory"


def legacy(base: str, component: str, action: str) -> str:
    return f"{base}/{component}/Actions/SmcFirmwareInventory.{action}"


def test_x11_legacy_bmc_update(fw, rf):
    client = rf(X11)
    enter, upload_, update = (legacy(LEGACY_X11, "BMC", a) for a in ("EnterUpdateMode", "Upload", "Update"))
    assert client.post(enter)[0] == 200
    status, _, error = client.post(enter)
    assert status == 405 and message_id(error) == "Base.1.0.0.OemFirmwareAlreadyInUpdateMode"
    status, _, _ = post_form(client, upload_, {"bmc": ("BMC_X11.bin", make_image("BMC", "X11", "01.74.11"), "application/octet-stream")})
    assert status == 200
    status, _, body = client.post(update, {"PreserveCfg": True, "PreserveSdr": True, "PreserveSsl": True})
    assert status == 202
    task_uri = task_of(body)
    percentages = []
    while (task := task_or_none(client, task_uri)) and task["TaskState"] == "Running":
        percentages.append(int(task["Oem"]["Percentage"].rstrip("%")))
        time.sleep(0.05)
    assert len(set(percentages)) >= 3 and percentages == sorted(percentages)
    wait_restart(client)
    assert client.get(task_uri)[2]["Oem"]["Percentage"] == "100%"
    assert client.get(f"{LEGACY_X11}/BMC")[2]["Version"] == "01.74.11"
    assert client.get(f"{R}/Managers/1")[2]["FirmwareVersion"] == "01.74.11"


def test_x11_stuck_update_mode_is_cleared_by_cancel_or_reset(fw, rf):
    client = rf(X11)
    enter = legacy(LEGACY_X11, "BIOS", "EnterUpdateMode")
    assert client.post(enter)[0] == 200
    status, _, error = post_form(client, legacy(LEGACY_X11, "BIOS", "Upload"),
                                 {"bios": ("BIOS.bin", b"not a BIOS", "application/octet-stream")})
    assert status == 400 and message_id(error) == "Base.1.0.0.OemBiosUpdateWrongImage"
    status, _, error = client.post(legacy(LEGACY_X11, "BIOS", "Update"), {"PreserveME": False})
    assert status == 400 and message_id(error) == "Base.1.0.0.OemBiosUpdateNoImage"
    assert client.post(legacy(LEGACY_X11, "BMC", "EnterUpdateMode"))[0] == 405          # still in (BIOS) update mode
    assert client.post(legacy(LEGACY_X11, "BIOS", "Cancel"))[0] == 200
    assert client.post(enter)[0] == 200
    assert client.post(f"{R}/Managers/1/Actions/Manager.Reset", {"ResetType": "ForceRestart"})[0] == 200
    wait_restart(client)
    assert client.post(enter)[0] == 200


def test_x12_legacy_bios_update_applies_at_host_reset(fw, rf):
    unlock(fw, X12)
    client = rf(X12)
    assert client.post(legacy(LEGACY_X12, "BIOS", "EnterUpdateMode"))[0] == 200
    status, _, _ = post_form(client, legacy(LEGACY_X12, "BIOS", "Upload"),
                             {"bios": ("BIOS_X12.bin", make_image("BIOS", "X12", "2.0", "2024-08-01"), "application/octet-stream")})
    assert status == 200
    status, _, body = client.post(legacy(LEGACY_X12, "BIOS", "Update"),
                                  {"PreserveME": False, "PreserveNVRAM": False, "PreserveSMBIOS": True})
    assert status == 202
    task = wait_task(client, task_of(body))
    assert task["Name"] == "BIOS Update" and task["Oem"]["Percentage"] == "100%"
    assert client.get(f"{R}/Systems/1")[2]["BiosVersion"] != "2.0"
    assert client.post(HOST_RESET, {"ResetType": "GracefulShutdownGracefulRestart"})[0] == 200
    assert client.get(f"{R}/Systems/1")[2]["BiosVersion"] == "2.0"
    assert version(client, "BIOS") == client.get(f"{LEGACY_X12}/BIOS")[2]["Version"] == "BIOS Date: 08/01/2024 Ver 2.0"
