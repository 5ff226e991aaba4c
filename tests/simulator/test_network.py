"""NetworkProtocol rules, BMC LAN interface quirks, IP access control (API and enforcement)."""
import socket
import ssl
import time

import pytest

from simclient import X11, X12, X13, message_id, unlock

NP = "/redfish/v1/Managers/1/NetworkProtocol"
ACL = "/redfish/v1/Managers/1/Oem/Supermicro/IPAccessControl"
NIC = "/redfish/v1/Managers/1/EthernetInterfaces/1"


def test_hardened_protocols(rf):
    np = rf(X13).get(NP)[2]
    assert {k: np[k]["ProtocolEnabled"] for k in ("IPMI", "SSDP", "HTTP", "SSH", "SNMP", "VirtualMedia", "KVMIP", "HTTPS", "NTP")} == {
        "IPMI": False, "SSDP": False, "HTTP": False, "SSH": False, "SNMP": False, "VirtualMedia": False, "KVMIP": False,
        "HTTPS": True, "NTP": True}
    assert np["NTP"]["NTPServers"] == ["ntp1.mgmt.example", "ntp2.mgmt.example"]


def test_same_value_is_refused(sim, rf):
    unlock(sim, X13)
    status, _, body = rf(X13).patch(NP, {"SSH": {"ProtocolEnabled": False}})
    assert status == 400 and message_id(body) == "SMC.1.0.NetworkProtocolServiceConfigureFailed"
    assert rf(X13).patch(NP, {"SSH": {"ProtocolEnabled": True}})[0] == 200
    assert rf(X13).get(NP)[2]["SSH"]["ProtocolEnabled"] is True


def test_ntp_change_is_a_task(sim, rf):
    unlock(sim, X13)
    status, headers, body = rf(X13).patch(NP, {"NTP": {"NTPServers": ["ntp3.mgmt.example"]}})
    assert status == 202
    task = body["Accepted"]["@Message.ExtendedInfo"][0]["MessageArgs"][0]
    assert headers["Location"] == task and rf(X13).get(task)[2]["TaskState"] == "Completed"


def test_virtual_media_needs_ipmi(sim, rf):
    unlock(sim, X13)
    status, _, body = rf(X13).patch(NP, {"VirtualMedia": {"ProtocolEnabled": True}})
    assert status == 400 and message_id(body) == "SMC.1.0.OemIPMIServiceDisabled"
    assert rf(X13).patch(NP, {"IPMI": {"ProtocolEnabled": True}, "VirtualMedia": {"ProtocolEnabled": True}})[0] == 200


def test_ethernet_interface_quirks(rf):
    nic = rf(X13).get("/redfish/v1/Managers/1/EthernetInterfaces/1")[2]
    assert nic["IPv4StaticAddresses"] == [{"Address": None, "SubnetMask": None, "Gateway": None}]
    assert len(nic["IPv6StaticAddresses"]) == 5 and nic["SpeedMbps@Redfish.AllowableValues"] == ["100", "1000"]
    assert "(null)" in nic["NameServers"] and "DUID" in nic["Oem"]["Supermicro"]
    assert rf(X13).get("/redfish/v1/Managers/1/EthernetInterfaces/ToHost")[0] == 200
    assert "UDID" in rf(X12).get("/redfish/v1/Managers/1/EthernetInterfaces/1")[2]["Oem"]["Supermicro"]


def _moved(sim, name, address):
    """Waits (bounded) until the admin API shows the BMC at `address`."""
    for _ in range(50):
        if next(b for b in sim.admin.bmcs() if b["name"] == name)["address"] == address:
            return True
        time.sleep(0.1)
    return False


def test_an_address_change_is_a_task_and_moves_the_listener(sim, rf):
    """Static IP needs DHCP off in the same PATCH; the change answers 202 with a task, then the BMC
    leaves its address: the old one refuses connections, the new one serves the same certificate
    (and the same session); back on DHCP it returns to its lease."""
    unlock(sim, X13)
    home, port = rf(X13).address, rf(X13).port
    path, static = NIC, [{"Address": "127.0.97.9", "SubnetMask": "255.0.0.0", "Gateway": "127.0.0.254"}]
    assert rf(X13).patch(path, {"IPv4StaticAddresses": static})[0] == 400
    client = rf(X13)
    client.login()
    certificate = ssl.get_server_certificate((home, port))
    status, headers, body = client.patch(path, {"IPv4StaticAddresses": static, "DHCPv4": {"DHCPEnabled": False}})
    task = body["Accepted"]["@Message.ExtendedInfo"][0]["MessageArgs"][0]
    assert status == 202 and headers["Location"] == task and client.get(task)[2]["TaskState"] == "Completed"
    assert _moved(sim, X13, "127.0.97.9")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((home, port), timeout=2)
    client.address = "127.0.97.9"
    assert ssl.get_server_certificate(("127.0.97.9", port)) == certificate
    with pytest.raises(ssl.SSLCertVerificationError, match="IP address mismatch"):   # it names the old address only
        client.get(path)
    client.ctx.check_hostname = False
    nic = client.get(path)[2]                                   # the session lives on at the new address
    assert nic["IPv4Addresses"][0] == dict(static[0], AddressOrigin="Static") and nic["DHCPv4"]["DHCPEnabled"] is False
    assert client.patch(path, {"DHCPv4": {"DHCPEnabled": True}})[0] == 202
    assert _moved(sim, X13, home)
    client.address = home
    client.ctx.check_hostname = True
    nic = client.get(path)[2]
    assert nic["IPv4Addresses"][0]["Address"] == home and nic["IPv4StaticAddresses"] == [{"Address": None, "SubnetMask": None, "Gateway": None}]


def test_a_bmc_moved_off_loopback_is_lost_until_reset(sim, rf):
    unlock(sim, X13)
    home, port = rf(X13).address, rf(X13).port
    static = [{"Address": "10.1.2.3", "SubnetMask": "255.255.255.0", "Gateway": "10.1.2.1"}]
    assert rf(X13).patch(NIC, {"IPv4StaticAddresses": static, "DHCPv4": {"DHCPEnabled": False}})[0] == 202
    assert _moved(sim, X13, "10.1.2.3")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((home, port), timeout=2)
    sim.admin.reset(X13)
    assert rf(X13).get(NIC)[2]["IPv4Addresses"][0]["Address"] == home


def test_filter_rules_api(sim, rf):
    unlock(sim, X13)
    c = rf(X13)
    rules = c.get(f"{ACL}/FilterRules")[2]["Members"]
    assert [c.get(m["@odata.id"])[2]["Address"] for m in rules] == ["127.0.0.0", "10.0.0.0"]
    status, headers, body = c.post(f"{ACL}/FilterRules", {"Address": "192.168.1.0", "PrefixLength": 24, "Policy": "Drop"})
    assert status == 201 and headers["Location"] == f"{ACL}/FilterRules/3" and body["Policy"] == "Drop"
    assert c.post(f"{ACL}/FilterRules", {"Address": "192.168.1.0", "PrefixLength": 24, "Policy": "Drop"})[0] == 400
    assert c.post(f"{ACL}/FilterRules", {"Address": "10.9.0.0", "PrefixLength": 16, "Policy": "Allow"})[0] == 400
    assert c.delete(f"{ACL}/FilterRules/3")[0] == 200 and c.get(f"{ACL}/FilterRules/3")[0] == 404
    assert c.patch(ACL, {"ServiceEnabled": False})[0] == 200
    status, _, body = c.post(f"{ACL}/FilterRules", {"Address": "10.9.0.0", "PrefixLength": 16, "Policy": "Accept"})
    assert status == 400 and message_id(body) == "SMC.1.0.OemIpAccessControlDisabled"


def test_acl_is_enforced_on_the_listener(sim, rf):
    unlock(sim, X13)
    outsider = rf(X13, source="127.99.0.1")
    assert outsider.get("/redfish/v1")[0] == 200                     # 127.0.0.0/8 is accepted
    c = rf(X13)
    c.post(f"{ACL}/FilterRules", {"Address": "127.99.0.1", "PrefixLength": 32, "Policy": "Drop"})
    sim.admin.put_resource(X13, f"{ACL}/FilterRules/1", {**sim.admin.get_resource(X13, f"{ACL}/FilterRules/1"), "Id": "9"})
    with pytest.raises((ConnectionError, ssl.SSLError, OSError)):
        outsider.get("/redfish/v1")                                  # first match is the Drop rule: reset
    assert c.get("/redfish/v1")[0] == 200                            # 127.0.0.1 still accepted
    c.patch(ACL, {"ServiceEnabled": False})
    assert outsider.get("/redfish/v1")[0] == 200


def test_acl_without_matching_rule_drops(sim, rf):
    sim.admin.delete_resource(X11, "/redfish/v1/Managers/1/IPAccessControl/FilterRules/1")    # leave only 10.0.0.0/8
    with pytest.raises((ConnectionError, ssl.SSLError, OSError)):
        rf(X11).get("/redfish/v1")
