"""Supermicro knowledge: version strings, generation detection on real captures, OEM paths."""

from __future__ import annotations

import pytest

from ansible_collections.bmclock.supermicro.plugins.module_utils import supermicro
X13 = "X13DEG-OAD_SYS-821GE-TNHR_BMC11.01.01__"


@pytest.mark.parametrize("text, parsed", [
    ("01.74.09", (1, 74, 9)),                       # X11 BMC
    ("11.01.01", (11, 1, 1)),                       # X13 OEM build
    ("1.69", (1, 69)),                              # X11 Managers/1 FirmwareVersion
    ("1.13.04", (1, 13, 4)),                        # X12 image name form
    ("BIOS Date: 08/04/2023 Ver 1.4", (1, 4)),      # FirmwareInventory/BIOS
    ("1.4", (1, 4)),                                # Systems/1 BiosVersion
    ("3.1a", (3, 1, 1)),
    ("01.71.11 10/25/2019", (1, 71, 11)),
])
def test_parse_version(text, parsed):
    assert supermicro.parse_version(text) == parsed


@pytest.mark.parametrize("text", ["Not Present", "", None, "F5.11.CB", "latest"])
def test_parse_version_rejects_text_without_a_version(text):
    with pytest.raises(ValueError):
        supermicro.parse_version(text)
    assert supermicro.parse_version(text, default=(0,)) == (0,)


@pytest.mark.parametrize("left, right, result", [
    ("01.04.15", "01.04.15", 0),
    ("01.04.15", "01.04.11", 1),
    ("01.01.06", "01.04.15", -1),
    ("1.4", "1.4.0", 0),
    ("BIOS Date: 08/04/2023 Ver 1.4", "2.1", -1),
    ("3.1a", "3.1", 1),
    ("3.1a", "3.2", -1),
    ("1.69", "01.74.09", -1),
    ("11.01.01", "01.04.15", 1),    # an OEM build compares above: why fw-allowlist exists
])
def test_compare_versions(left, right, result):
    assert supermicro.compare_versions(left, right) == result
    assert supermicro.version_ge(left, right) == (result >= 0)


def test_short_bios_version():
    assert supermicro.short_bios_version("BIOS Date: 08/04/2023 Ver 1.4") == "1.4"
    assert supermicro.short_bios_version("2.1") == "2.1"


@pytest.mark.parametrize("board, generation", [
    ("X13DEG-OAD", "X13"), ("X12STH-SYS", "X12"), ("X11DPU", "X11"), ("H12SSL-i", "H12"),
    ("MBD-X13SEDW-F", "X13"), ("B13DET", "B13"), ("", None), (None, None), ("ASPEED", None),
])
def test_board_generation(board, generation):
    assert supermicro.board_generation(board) == generation


@pytest.mark.parametrize("generation, layout", [
    ("X11", "X11"), ("H11", "X11"), ("X12", "X12"), ("H12", "X12"), ("X13", "X13"), ("H13", "X13"),
    ("X14", "X13"), ("X10", "X11"), (None, "X13"),
])
def test_layout(generation, layout):
    assert supermicro.layout(generation) == layout


def test_x13_capture_is_x13(capture):
    root, chassis = capture(X13 + "ServiceRoot"), capture(X13 + "Chassis_1")
    assert supermicro.root_layout(root) == "X13"
    assert supermicro.detect(root, None, chassis)["generation"] == "X13"


@pytest.mark.parametrize("name", [
    "SYS-510T-MR_RF1.14.0__ServiceRoot",                            # X12, Vendor present
    "X13DEG-OAD_SYS-821GE-TNHR_earlierFW-RF1.9.0__ServiceRoot",     # X13, older firmware
    "gofish-SMC-unknown-RF1.11.0__ServiceRoot",
    "bmclib-SMC-unknown-RF1.9.0__ServiceRoot",
])
def test_x12_x13_roots_use_the_oem_layout(capture, name):
    root = capture(name)
    assert supermicro.root_layout(root) == "X13"        # X12 and X13 share it
    assert supermicro.detect(root)["layout"] == "X13" and supermicro.detect(root)["generation"] is None


def test_x12_capture_board_from_system(capture):
    root, system = capture("SYS-510T-MR_RF1.14.0__ServiceRoot"), capture("SYS-510T-MR_RF1.14.0__Systems_1")
    assert root["Vendor"] == "Supermicro" and system["Manufacturer"] == "Supermicro"
    assert supermicro.detect(root, system, {"Model": "X12STH-SYS"})["generation"] == "X12"


def test_x11_root_is_legacy():
    # The X11 root (RedfishVersion 1.0.1, empty Oem) was only seen as a Python mock, not saved.
    root = {"@odata.type": "#ServiceRoot.v1_1_0.ServiceRoot", "RedfishVersion": "1.0.1", "Oem": {}}
    assert supermicro.root_layout(root) == "X11"
    assert supermicro.detect(root, {"Manufacturer": "Supermicro"})["layout"] == "X11"
    assert supermicro.detect(root, {"Manufacturer": "Supermicro"}, {"Model": "X11SSM-F"})["generation"] == "X11"


def test_oem_paths_move_between_generations():
    x11, x13 = supermicro.resource_paths("X11"), supermicro.resource_paths("H13")
    assert x11["ip_access_control"] == "/redfish/v1/Managers/1/IPAccessControl"
    assert x13["ip_access_control"] == "/redfish/v1/Managers/1/Oem/Supermicro/IPAccessControl"
    assert x13["ip_filter_rules"] == x13["ip_access_control"] + "/FilterRules"
    assert x11["snmp"] == "/redfish/v1/Managers/1/SNMP" and x13["snmp"] is None      # NetworkProtocol.SNMP
    assert x11["smtp"] == "/redfish/v1/Managers/1/SMTP" and x13["smtp"] is None      # EventService.SMTP
    assert x11["firmware"] == "/redfish/v1/UpdateService/SmcFirmwareInventory"
    assert x13["firmware"] == "/redfish/v1/UpdateService/FirmwareInventory"
    assert x11["kcs"] is x11["lockdown"] is x11["host_interface"] is x11["licenses"] is None
    assert supermicro.resource_paths("X12") == x13


def test_capture_paths_match_x13_layout(capture):
    """Every X13 resource the gather reads exists in the real capture under that path."""
    for key, path in supermicro.resource_paths("X13").items():
        if path:
            body = capture(X13 + path.replace("/redfish/v1/", "").replace("/", "_"))
            assert body["@odata.id"] == path, key


# -- issue 7: vendor, layout and generation from several signals ----------------------------------

def test_detect_the_x13_capture_with_its_evidence(capture):
    found = supermicro.detect(capture(X13 + "ServiceRoot"), capture(X13 + "Systems_1"), capture(X13 + "Chassis_1"),
                              capture(X13 + "UpdateService"))
    assert (found["vendor"], found["supermicro"], found["layout"], found["generation"]) == ("Supermicro", True, "X13", "X13")
    assert found["signals"]["root.Oem"] == "Supermicro" and found["signals"]["UpdateService.Oem"] == "Supermicro"
    assert found["signals"]["layout:Chassis.Model"] == "X13" and found["unsupported"] is None and found["conflicts"] == []


def test_x12_without_its_chassis_is_x12_from_the_image_names(capture):
    # Old: detect_generation(root) -> "X13" (the layout fallback) for the SYS-510T-MR.
    found = supermicro.detect(capture("SYS-510T-MR_RF1.14.0__ServiceRoot"), capture("SYS-510T-MR_RF1.14.0__Systems_1"),
                              None, None, ["BMC_X12AST2600-F201MS_20220627_1.13.04_STDsp.bin"])
    assert (found["generation"], found["layout"]) == ("X12", "X12")


def test_a_redfish_1_9_root_without_oem_tells_no_layout(capture):
    # Old: is_legacy_root() -> True: "X11".
    root = capture("X13DEG-OAD_SYS-821GE-TNHR_earlierFW-RF1.9.0__ServiceRoot")
    root.pop("Oem")
    assert supermicro.root_layout(root) is None
    found = supermicro.detect(root, {"Manufacturer": "Supermicro"}, None, {"FirmwareInventory": {"@odata.id": "/x"}})
    assert found["layout"] == "X13" and found["supermicro"]
    assert supermicro.detect(root)["unsupported"].startswith("nothing names the vendor")


def test_another_vendor_is_named():
    root = {"RedfishVersion": "1.11.0", "Vendor": "Dell", "Oem": {"Dell": {}}}
    found = supermicro.detect(root, {"Manufacturer": "Dell Inc."}, {"Manufacturer": "Dell Inc.", "Model": "PowerEdge R750"})
    assert (found["supermicro"], found["vendor"], found["layout"]) == (False, "Dell Inc.", None)
    assert found["unsupported"] == "Manufacturer 'Dell Inc.', not a Supermicro BMC"


def test_the_bmc_signals_outrank_the_manufacturer():
    # A Supermicro-built system behind another vendor's BMC firmware is not a Supermicro BMC.
    found = supermicro.detect({"Vendor": "OpenBMC"}, {"Manufacturer": "Supermicro"})
    assert not found["supermicro"] and found["unsupported"] == "Manufacturer 'Supermicro', not a Supermicro BMC"


def test_x11_from_the_root_and_the_update_service():
    root = {"RedfishVersion": "1.0.1", "Oem": {}}
    found = supermicro.detect(root, {"Manufacturer": "Supermicro"}, {"Model": "X11DPU"},
                              {"Oem": {"Supermicro": {"SmcFirmwareInventory": {"@odata.id": "/x"}}}})
    assert (found["layout"], found["generation"]) == ("X11", "X11")
    assert found["signals"]["layout:UpdateService.Oem.Supermicro"] == "X11" and found["signals"]["layout:root"] == "X11"


@pytest.mark.parametrize("name, info", [
    ("BMC_X13AST2600-ROT-5501MS_20231117_11.01.01_OEMsp.bin",
     {"kind": "BMC", "platform": "X13AST2600-ROT-5501MS", "date": "2023-11-17", "version": "11.01.01", "build": "OEM"}),
    ("BIOS_X13DEG-OAD-1D14_20240322_2.1_STDsp.bin",
     {"kind": "BIOS", "platform": "X13DEG-OAD-1D14", "date": "2024-03-22", "version": "2.1", "build": "STD"}),
    ("3.8", None),
])
def test_image_info(name, info):
    assert supermicro.image_info(name) == info


def test_firmware_families():
    oem = "BMC_X13AST2600-ROT-5501MS_20231117_11.01.01_OEMsp.bin"
    assert supermicro.firmware_at_least("01.04.20", "01.04.15") == (True, None)
    assert supermicro.firmware_at_least("11.01.01", "01.04.15", actual_image=oem, actual_date="2023-11-17T00:00:00Z",
                                        minimum_date="2024-05-10")[0] is False
    with pytest.raises(ValueError, match="11.01.01 .* and 01.04.15 .* different version families.*list the image"):
        supermicro.firmware_at_least("11.01.01", "01.04.15", actual_image=oem)
    assert supermicro.firmware_at_least("2.1", "1.4", "BIOS") == (True, None)     # BIOS majors are one family
