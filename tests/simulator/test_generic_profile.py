"""The generic profile: a Redfish BMC that is not a Supermicro (another Manufacturer, no OEM)."""
from __future__ import annotations

import pytest

from bmcsim.testing import SimFleet
from simclient import Redfish


def oem_keys(value):
    if isinstance(value, dict):
        return ["Oem"] * ("Oem" in value) + [k for v in value.values() for k in oem_keys(v)]
    return [k for v in value for k in oem_keys(v)] if isinstance(value, list) else []


@pytest.fixture(scope="module")
def generic():
    with SimFleet(count=1, profile="generic", base_address="127.0.21.1") as fleet:
        yield fleet


def test_another_vendor_without_any_oem(generic):
    rf = Redfish(generic, "bmc-001")
    _, _, root = rf.get("/redfish/v1", auth=False)
    assert root["Vendor"] == "Contoso" and "Oem" not in root
    assert rf.get("/redfish/v1/Systems/1")[2]["Manufacturer"] == "Contoso"
    assert rf.get("/redfish/v1/Chassis/1")[2]["Model"] == "PowerBox R760"
    paths = generic.admin.call("GET", "/bmcs/bmc-001/paths")
    assert not [p for p in paths if "/Oem/" in p or "LicenseManager" in p]
    for path in paths:
        assert not oem_keys(generic.admin.get_resource("bmc-001", path)), path
    assert rf.get("/redfish/v1/Managers/1/Oem/Supermicro/IPAccessControl")[0] == 404
    assert generic.admin.bmcs()[0]["generation"] == "generic"


def test_standard_resources_behave_as_hardened(generic):
    rf = Redfish(generic, "bmc-001")
    protocol = rf.get("/redfish/v1/Managers/1/NetworkProtocol")[2]
    assert protocol["SSH"]["ProtocolEnabled"] is False and protocol["HTTPS"]["ProtocolEnabled"] is True
    assert rf.get("/redfish/v1/Managers/1/HostInterfaces/1")[0] == 200      # no Supermicro licence gate
    status, _, _ = rf.patch("/redfish/v1/SessionService", {"SessionTimeout": 600})
    assert status == 200 and rf.get("/redfish/v1/SessionService")[2]["SessionTimeout"] == 600
    generic.admin.reset("bmc-001")
