"""Latency, fault injection (503, reset, timeout, down), request accounting."""
import socket
import ssl
import time

import pytest

from simclient import X12, X13, message_id


def test_latency_fixed_range_and_per_path(sim, rf):
    sim.admin.set_knobs(X13, latency_ms=[150, 200], latency_paths={"/redfish/v1/Managers/1": 300})
    t = time.monotonic()
    rf(X13).get("/redfish/v1")
    assert 0.15 <= time.monotonic() - t < 1.5
    t = time.monotonic()
    rf(X13).get("/redfish/v1/Managers/1")
    assert time.monotonic() - t >= 0.45


def test_fault_503_on_some_paths(sim, rf):
    sim.admin.set_knobs(X13, fault={"kind": "503", "rate": 1, "paths": ["/redfish/v1/Systems"]})
    status, _, body = rf(X13).get("/redfish/v1/Systems/1")
    assert status == 503 and message_id(body).endswith("ServiceTemporarilyUnavailable")
    assert rf(X13).get("/redfish/v1/Managers/1")[0] == 200


def test_fault_reset(sim, rf):
    sim.admin.set_knobs(X13, fault={"kind": "reset"})
    with pytest.raises((ConnectionError, ssl.SSLError, OSError)):
        rf(X13).get("/redfish/v1")


def test_fault_timeout(sim, rf):
    sim.admin.set_knobs(X13, fault={"kind": "timeout"})
    with pytest.raises((TimeoutError, socket.timeout)):
        rf(X13, timeout=0.5).get("/redfish/v1")


def test_down_refuses_connections_and_comes_back(sim, rf):
    sim.admin.set_knobs(X12, up=False)
    with pytest.raises(ConnectionRefusedError):
        rf(X12).get("/redfish/v1")
    assert not next(b for b in sim.admin.bmcs() if b["name"] == X12)["up"]
    sim.admin.set_knobs(X12, up=True)
    assert rf(X12).get("/redfish/v1")[0] == 200


def test_fault_kind_down(sim, rf):
    sim.admin.set_knobs(X12, fault={"kind": "down"})
    with pytest.raises((ConnectionError, ssl.SSLError, OSError)):
        rf(X12).get("/redfish/v1")
    with pytest.raises(ConnectionRefusedError):
        rf(X12).get("/redfish/v1")


def test_request_accounting(sim, rf):
    sim.admin.reset_requests(X13)
    c = rf(X13)
    c.get("/redfish/v1")
    c.get("/redfish/v1/Managers/1", auth=False)
    log = sim.admin.requests(X13)
    assert log["count"] == 2 and log["log"] == [["GET", "/redfish/v1", 200], ["GET", "/redfish/v1/Managers/1", 401]]
    assert sim.admin.reset_requests(X13)["count"] == 0


def test_admin_applies_named_deviations():
    import urllib.error

    from bmcsim.testing import SimFleet

    with SimFleet(count=3, profile="mixed", base_address="127.0.62.1") as fleet:
        x11 = next(b for b in fleet.bmcs if b["generation"] == "x11")
        assert fleet.admin.apply_deviations(x11["name"], "ssh_on")["deviations"] == ["ssh_on"]
        protocol = fleet.admin.get_resource(x11["name"], "/redfish/v1/Managers/1/NetworkProtocol")
        assert protocol["SSH"]["ProtocolEnabled"] is True
        with pytest.raises(urllib.error.HTTPError) as refused:
            fleet.admin.apply_deviations(x11["name"], "kcs_admin")  # no KCSInterface on X11
        assert refused.value.code == 400
