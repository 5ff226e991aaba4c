"""Service root, tree layout per generation, errors, 404 forms, registry, $metadata."""
from simclient import X11, X12, X13, message_id, unlock


def test_service_root_per_generation(rf):
    _, _, x13 = rf(X13).get("/redfish/v1", auth=False)
    assert x13["RedfishVersion"] == "1.11.0" and "Vendor" not in x13
    assert x13["Tasks"] == {"@odata.id": "/redfish/v1/TaskService"}
    assert x13["Oem"]["Supermicro"]["DumpService"]["@odata.id"] == "/redfish/v1/Oem/Supermicro/DumpService"
    _, _, x12 = rf(X12).get("/redfish/v1", auth=False)
    assert x12["RedfishVersion"] == "1.14.0" and x12["Vendor"] == "Supermicro" and x12["ServiceIdentification"]
    _, _, x11 = rf(X11).get("/redfish/v1", auth=False)
    assert x11["RedfishVersion"] == "1.0.1" and x11["Oem"] == {} and "CertificateService" not in x11
    assert "@odata.etag" not in x11 and "@odata.etag" in x13


def test_fixed_ids_and_oem_layout(rf):
    c13, c11 = rf(X13), rf(X11)
    for path in ("/redfish/v1/Systems/1", "/redfish/v1/Chassis/1", "/redfish/v1/Managers/1"):
        assert c13.get(path)[0] == 200
    m13 = c13.get("/redfish/v1/Managers/1")[2]
    assert m13["Oem"]["Supermicro"]["IPAccessControl"]["@odata.id"] == "/redfish/v1/Managers/1/Oem/Supermicro/IPAccessControl"
    assert m13["Oem"]["Supermicro"]["LicenseManager"]["@odata.id"] == "/redfish/v1/Managers/1/LicenseManager"
    m11 = c11.get("/redfish/v1/Managers/1")[2]
    assert m11["Oem"]["Supermicro"]["IPAccessControl"]["@odata.id"] == "/redfish/v1/Managers/1/IPAccessControl"
    assert {"NTP", "Syslog", "SNMP", "SMTP"} <= set(m11["Oem"]["Supermicro"])
    for missing in ("LicenseManager", "SysLockdown", "KCSInterface"):
        assert missing not in m11["Oem"]["Supermicro"]
    assert c11.get("/redfish/v1/Managers/1/HostInterfaces/1")[0] == 404
    assert c11.get("/redfish/v1/UpdateService/SmcFirmwareInventory/BMC")[0] == 200
    assert rf(X12).get("/redfish/v1/UpdateService/Oem/Supermicro/FirmwareInventory/BMC")[0] == 200


def test_identity_and_firmware_consistency(sim, rf):
    for name in (X13, X12):
        c = rf(name)
        manager, bmc = c.get("/redfish/v1/Managers/1")[2], c.get("/redfish/v1/UpdateService/FirmwareInventory/BMC")[2]
        assert manager["FirmwareVersion"] == bmc["Version"]
        bios, system = c.get("/redfish/v1/UpdateService/FirmwareInventory/BIOS")[2], c.get("/redfish/v1/Systems/1")[2]
        assert bios["Version"].startswith("BIOS Date: ") and bios["Version"].endswith("Ver " + system["BiosVersion"])
        assert c.get("/redfish/v1/UpdateService/FirmwareInventory/Backup_BMC")[2]["Version"] == "Not Present"
        assert bmc["Oem"]["Supermicro"]["UniqueFilename"].startswith("BMC_X1")
        assert "SoftwareId" not in bmc
    c11 = rf(X11)
    assert c11.get("/redfish/v1/Managers/1")[2]["FirmwareVersion"] == c11.get("/redfish/v1/UpdateService/SmcFirmwareInventory/BMC")[2]["Version"]
    boards = {b["name"]: b["board"] for b in sim.bmcs}
    assert boards[X13].startswith("X13") and boards[X12].startswith("X12") and boards[X11].startswith("X11")


def test_unauthenticated_is_401_json(rf):
    status, headers, body = rf(X13).get("/redfish/v1/Managers/1", auth=False)
    assert status == 401 and headers["Content-Type"].startswith("application/json")
    assert body["error"]["code"] == "Base.v1_10_3.GeneralError" and "Message" in body["error"]


def test_not_found_json_and_x11_html(rf):
    status, _, body = rf(X13).get("/redfish/v1/Nope")
    assert status == 404 and message_id(body).endswith("ResourceMissingAtURI")
    status, headers, body = rf(X11).get("/redfish/v1/Nope")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and "404" in body


def test_unknown_property_message(sim, rf):
    unlock(sim, X13)
    status, _, body = rf(X13).patch("/redfish/v1/SessionService", {"Bogus": 1})
    assert status == 400
    info = body["error"]["@Message.ExtendedInfo"][0]
    assert info["Message"] == "The property Bogus is not in the list of valid properties for the resource."


def test_smc_registry_and_metadata(rf):
    status, _, reg = rf(X13).get("/redfish/v1/Registries/SMC")
    assert status == 200 and reg["RegistryPrefix"] == "SMC"
    assert {"OemLicenseNotPassed", "OemUserDisableFail", "NetworkProtocolServiceConfigureFailed"} <= set(reg["Messages"])
    status, headers, meta = rf(X13).get("/redfish/v1/$metadata", auth=False)
    assert status == 200 and 'Namespace="ManagerAccount"' in meta and 'Namespace="ServiceRoot"' in meta
