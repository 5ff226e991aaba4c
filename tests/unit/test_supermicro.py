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
    assert not supermicro.is_legacy_root(root)
    assert supermicro.detect_generation(root, chassis["Model"]) == "X13"


@pytest.mark.parametrize("name", [
    "SYS-510T-MR_RF1.14.0__ServiceRoot",                            # X12, Vendor present
    "X13DEG-OAD_SYS-821GE-TNHR_earlierFW-RF1.9.0__ServiceRoot",     # X13, older firmware
    "gofish-SMC-unknown-RF1.11.0__ServiceRoot",
    "bmclib-SMC-unknown-RF1.9.0__ServiceRoot",
])
def test_x12_x13_roots_use_the_oem_layout(capture, name):
    root = capture(name)
    assert not supermicro.is_legacy_root(root)
    assert supermicro.layout(supermicro.detect_generation(root)) in ("X12", "X13")


def test_x12_capture_board_from_system(capture):
    root, system = capture("SYS-510T-MR_RF1.14.0__ServiceRoot"), capture("SYS-510T-MR_RF1.14.0__Systems_1")
    assert root["Vendor"] == "Supermicro" and system["Manufacturer"] == "Supermicro"
    assert supermicro.detect_generation(root, "X12STH-SYS") == "X12"


def test_x11_root_is_legacy():
    # The X11 root (RedfishVersion 1.0.1, empty Oem) was only seen as a Python mock, not saved.
    root = {"@odata.type": "#ServiceRoot.v1_1_0.ServiceRoot", "RedfishVersion": "1.0.1", "Oem": {}}
    assert supermicro.is_legacy_root(root)
    assert supermicro.detect_generation(root) == "X11"
    assert supermicro.detect_generation(root, "X11SSM-F") == "X11"


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
