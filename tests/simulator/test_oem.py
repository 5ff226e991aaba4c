"""Lockdown, licences, KCS, NTP/Syslog tasks, RADIUS alias, host interface, manager actions."""
import json
import time

from simclient import X11, X12, X13, message_id, unlock

OEM = "/redfish/v1/Managers/1/Oem/Supermicro"
LM = "/redfish/v1/Managers/1/LicenseManager"


def test_lockdown_refuses_writes_but_its_own_patch(sim, rf):
    c = rf(X13)
    assert c.get(f"{OEM}/SysLockdown")[2]["SysLockdownEnabled"] is True
    status, _, body = c.patch(f"{OEM}/KCSInterface", {"Privilege": "Administrator"})
    assert status == 403 and message_id(body) == "SMC.1.0.OemSystemLockdownEnabled"
    assert c.post("/redfish/v1/AccountService/Accounts", {"UserName": "x", "Password": "Str0ng!Password#1",
                                                          "RoleId": "Operator"})[0] == 403
    c.login()                                                         # sessions still work
    assert c.patch(f"{OEM}/SysLockdown", {"SysLockdownEnabled": False})[0] == 200
    assert c.patch(f"{OEM}/KCSInterface", {"Privilege": "Administrator"})[0] == 200


def test_kcs_values(sim, rf):
    unlock(sim, X13)
    c = rf(X13)
    assert c.get(f"{OEM}/KCSInterface")[2]["Privilege"] == "Callback"
    for value in ("Administrator", "Operator", "User", "Callback"):
        assert c.patch(f"{OEM}/KCSInterface", {"Privilege": value})[0] == 200
    assert c.patch(f"{OEM}/KCSInterface", {"Privilege": "Root"})[0] == 400


def test_oem_ntp_and_syslog_answer_202(sim, rf):
    unlock(sim, X13)
    c = rf(X13)
    status, headers, body = c.patch(f"{OEM}/Syslog", {"SyslogServer": "10.10.0.51"})
    assert status == 202 and "Accepted" in body and headers["Location"].startswith("/redfish/v1/TaskService/Tasks/")
    assert c.patch(f"{OEM}/NTP", {"PrimaryNTPServer": "ntp9.mgmt.example"})[0] == 202
    c.patch(f"{OEM}/NTP", {"NTPEnable": False})
    status, _, body = c.patch(f"{OEM}/NTP", {"PrimaryNTPServer": "x.example"})
    assert status == 400 and message_id(body) == "SMC.1.0.OemNtpPatchSettingCondition"
    assert rf(X11).patch("/redfish/v1/Managers/1/Syslog", {"SyslogPortNumber": 1514})[0] == 202


def test_radius_accepts_server_ip_alias(sim, rf):
    unlock(sim, X13)
    assert rf(X13).patch(f"{OEM}/RADIUS", {"RadiusServerIP": "10.10.0.60"})[0] == 200
    assert rf(X13).get(f"{OEM}/RADIUS")[2]["RadiusServer"] == "10.10.0.60"


def test_fan_mode_allowable_values(sim, rf):
    unlock(sim, X13)
    allowed = rf(X13).get(f"{OEM}/FanMode")[2]["Mode@Redfish.AllowableValues"]
    assert rf(X13).patch(f"{OEM}/FanMode", {"Mode": allowed[0]})[0] == 200
    assert rf(X13).patch(f"{OEM}/FanMode", {"Mode": "Turbo"})[0] == 400


def test_query_license_and_gating(sim, rf):
    c = rf(X13)
    licenses = [json.loads(s)["ProductKey"]["Node"]["LicenseName"] for s in c.get(f"{LM}/QueryLicense")[2]["Licenses"]]
    assert sorted(licenses) == ["SFT-DCMS-SINGLE", "SFT-OOB-LIC"]
    assert c.get("/redfish/v1/Systems/1/Bios")[0] == 200
    unlock(sim, X13)
    assert c.post(f"{LM}/Actions/LicenseManager.ClearLicense", {"LicenseID": "2"})[0] == 200
    status, _, body = c.get("/redfish/v1/Systems/1/Bios")
    assert status == 403 and message_id(body) == "SMC.1.0.OemLicenseNotPassed"
    assert c.get("/redfish/v1/CertificateService")[0] == 403
    assert c.post(f"{LM}/Actions/LicenseManager.ActivateLicense", {"ProductKey": {
        "Node": {"LicenseID": "2", "LicenseName": "SFT-DCMS-SINGLE", "CreateDate": "20240407"}, "Signature": "c2ln"}})[0] == 200
    assert c.get("/redfish/v1/Systems/1/Bios")[0] == 200
    sim.admin.set_knobs(X12, licenses=[])
    assert rf(X12).get("/redfish/v1/Managers/1/HostInterfaces/1")[0] == 403


def test_lockdown_patch_needs_dcms(sim, rf):
    sim.admin.set_knobs(X13, licenses=["SFT-OOB-LIC"])
    status, _, body = rf(X13).patch(f"{OEM}/SysLockdown", {"SysLockdownEnabled": False})
    assert status == 403 and message_id(body) == "SMC.1.0.OemLicenseNotPassed"


def test_x11_licence_error_id(sim, rf):
    sim.admin.set_knobs(X11, licenses=[])
    status, _, body = rf(X11).get("/redfish/v1/Systems/1/Bios")
    assert status == 403 and message_id(body) == "Base.1.0.0.OemLicenseNotPassed"


def test_host_interface(sim, rf):
    unlock(sim, X13)
    path = "/redfish/v1/Managers/1/HostInterfaces/1"
    assert rf(X13).get(path)[2]["InterfaceEnabled"] is False
    assert rf(X13).patch(path, {"InterfaceEnabled": True})[0] == 200


def test_success_envelope_and_manager_reset(sim, rf):
    unlock(sim, X13)
    sim.admin.set_knobs(X13, reboot_seconds=0.5)
    status, _, body = rf(X13).post("/redfish/v1/Managers/1/Actions/Manager.Reset", {"ResetType": "GracefulRestart"})
    assert status == 200 and body["Success"]["code"] == "Base.v1_10_3.Success"
    time.sleep(0.4)
    assert not next(b for b in sim.admin.bmcs() if b["name"] == X13)["up"]
    time.sleep(0.6)
    assert rf(X13).get("/redfish/v1")[0] == 200


def test_factory_reset_keeps_the_installed_firmware(sim, rf):
    unlock(sim, X13)
    sim.admin.apply_deviations(X13, "old_bmc_fw")
    before = sim.admin.get_resource(X13, "/redfish/v1/UpdateService/FirmwareInventory/BMC")
    assert rf(X13).post("/redfish/v1/Managers/1/Actions/Oem/SmcManagerConfig.Reset", {"Option": "PreserveUser"})[0] == 200
    after = sim.admin.get_resource(X13, "/redfish/v1/UpdateService/FirmwareInventory/BMC")
    assert (after["Version"], after["Oem"]["Supermicro"]["UniqueFilename"]) == (
        before["Version"], before["Oem"]["Supermicro"]["UniqueFilename"])
    assert sim.admin.get_resource(X13, "/redfish/v1/Managers/1")["FirmwareVersion"] == before["Version"]


def test_factory_reset_to_admin(sim, rf):
    unlock(sim, X13)
    assert rf(X13).post("/redfish/v1/Managers/1/Actions/Oem/SmcManagerConfig.Reset", {"Option": "ResetToADMIN"})[0] == 200
    accounts = sim.admin.accounts(X13)
    assert [(a["id"], a["username"], a["enabled"]) for a in accounts] == [("2", "ADMIN", True)]
    assert rf(X13, "ADMIN", accounts[0]["password"]).get("/redfish/v1/Managers/1/NetworkProtocol")[2]["IPMI"]["ProtocolEnabled"]
