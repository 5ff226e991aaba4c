"""The probe's payloads and parsers (plugins/module_utils/probe.py), byte for byte against the
protocols' encodings; the behaviour against live listeners is in tests/simulator/test_exposure.py."""

from __future__ import annotations

import pytest

from ansible_collections.bmclock.supermicro.plugins.module_utils import probe


def test_rmcp_presence_ping_is_asf():
    # RMCP v1.0, reserved, sequence 0xff (no ACK), class ASF; IANA 4542; Presence Ping; tag 0; data length 0
    assert probe.RMCP_PING == bytes.fromhex("0600ff06" "000011be" "80" "00" "00" "00")


def test_ipmi_get_channel_auth_caps_checksums():
    packet = probe.IPMI_AUTH_CAPS
    assert packet[:4] == bytes.fromhex("0600ff07") and packet[4] == 0 and packet[13] == 9      # IPMI class, no auth
    msg = packet[14:]
    assert len(msg) == 9 and msg[1] >> 2 == 0x06 and msg[5] == 0x38                           # App netfn, cmd 0x38
    assert sum(msg[:3]) % 256 == 0 and sum(msg[3:]) % 256 == 0                                # both IPMB checksums


def test_snmp_v2c_get_sysdescr_encoding():
    expected = bytes.fromhex("3027" "020101" "0406" + b"public".hex() + "a01a" "02021234" "020100" "020100"
                             "300e" "300c" "06082b06010201010100" "0500")
    assert probe.snmp_get(b"public", 0x1234) == expected


def test_snmp_response_value():
    value = b"Linux bmc"
    varbind = bytes.fromhex("3015" "300f") + bytes.fromhex("06082b06010201010100") + b"\x04\x09" + value
    assert probe.snmp_value(b"\x30\x2a" + varbind) == "Linux bmc"
    assert probe.describe_udp("snmp", b"\x30\x2a" + varbind) == ("snmp-v2c-response", "Linux bmc")
    assert probe.snmp_value(b"\x30\x00") is None


def test_udp_answer_kinds():
    pong = bytes.fromhex("0600ff06" "000011be" "40" "00" "00" "10") + bytes(16)
    assert probe.describe_udp("rmcp", pong) == ("rmcp-pong", None)
    ssdp = b"HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\nUSN: uuid:abc::upnp:rootdevice\r\n\r\n"
    assert probe.describe_udp("ssdp", ssdp) == ("ssdp", "uuid:abc::upnp:rootdevice")


def test_labels_name_the_standard_port_and_the_mapped_one():
    port = {"name": "ipmi", "transport": "udp", "port": 20623, "standard_port": 623, "answer": "rmcp-pong"}
    assert probe.label(port) == "ipmi 623/udp (as 20623): rmcp-pong"
    result = probe.vantage_result("dmz", "outside", None, [dict(port, state="open"), dict(port, name="snmp", state="closed")])
    assert result["open"] == ["ipmi 623/udp (as 20623): rmcp-pong"] and result["error"] == ""


@pytest.mark.parametrize("kwargs", [{"timeout": 0}, {"concurrency": -1}, {"rate": -5}])
def test_bounds_must_be_positive(kwargs):
    with pytest.raises(ValueError):
        probe.probe([], **kwargs)


def test_a_source_address_the_vantage_lacks_is_an_error_not_filtered():
    with pytest.raises(ValueError, match="source address 192.0.2.1 cannot be used on this host"):
        probe.probe([{"address": "127.0.0.1", "checks": probe.ports_for()}], source="192.0.2.1")
