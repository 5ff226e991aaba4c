"""Basic auth, sessions (201 + token, 16 max, timeout, logout), account lockout."""
import time

from simclient import X11, X13, message_id, unlock

SESSIONS = "/redfish/v1/SessionService/Sessions"


def test_basic_auth_and_wrong_password(rf):
    assert rf(X13).get("/redfish/v1/Managers/1")[0] == 200
    status, _, body = rf(X13, "ansible", "wrong").get("/redfish/v1/Managers/1")
    assert status == 401 and message_id(body).endswith("NoValidSession")


def test_session_login_logout(sim, rf):
    c = rf(X13)
    location = c.login()
    assert location.startswith(SESSIONS + "/")
    status, _, body = c.get(location)
    assert status == 200 and body["UserName"] == "ansible" and body["@odata.type"] == "#Session.v1_3_0.Session"
    assert any(s["@odata.id"] == location for s in sim.admin.sessions(X13))
    status, _, _ = c.delete(location)
    assert status == 200
    assert c.get("/redfish/v1/Managers/1")[0] == 401     # the token is gone


def test_sixteen_sessions_max(rf):
    clients = [rf(X13) for _ in range(16)]
    for c in clients:
        c.login()
    status, _, body = rf(X13).post(SESSIONS, {"UserName": "ansible", "Password": "Sim!Operator2024"}, auth=False)
    assert status == 503 and message_id(body) == "Base.1.10.SessionLimitExceeded"
    clients[0].delete(clients[0].get(SESSIONS)[2]["Members"][-1]["@odata.id"])
    assert rf(X13).post(SESSIONS, {"UserName": "ansible", "Password": "Sim!Operator2024"}, auth=False)[0] == 201


def test_session_timeout_range_and_expiry(sim, rf):
    unlock(sim, X13)
    c = rf(X13)
    assert c.patch("/redfish/v1/SessionService", {"SessionTimeout": 10})[0] == 400
    assert c.patch("/redfish/v1/SessionService", {"SessionTimeout": 86401})[0] == 400
    assert c.patch("/redfish/v1/SessionService", {"SessionTimeout": 30})[0] == 200
    sim.admin.patch_resource(X13, "/redfish/v1/SessionService", {"SessionTimeout": 1})   # below the API range, for speed
    c.login()
    assert c.get("/redfish/v1/Managers/1")[0] == 200
    time.sleep(1.3)
    assert c.get("/redfish/v1/Managers/1")[0] == 401


def test_account_lockout(sim, rf):
    sim.admin.patch_resource(X13, "/redfish/v1/AccountService",
                             {"AccountLockoutThreshold": 3, "AccountLockoutDuration": 1, "AccountLockoutCounterResetAfter": 30})
    bad = rf(X13, "ansible", "Wrong!Password1")
    for _ in range(3):
        assert bad.get("/redfish/v1/Managers/1")[0] == 401
    status, _, body = rf(X13).get("/redfish/v1/Managers/1")          # right password, still locked
    assert status == 401 and message_id(body) == "SMC.1.0.AccountLockup"
    assert next(a for a in sim.admin.accounts(X13) if a["username"] == "ansible")["locked"] is True
    time.sleep(1.2)
    assert rf(X13).get("/redfish/v1/Managers/1")[0] == 200


def test_x11_sessions_without_etags(rf):
    c = rf(X11)
    location = c.login()
    _, headers, body = c.get(location)
    assert "@odata.etag" not in body and "ETag" not in headers
