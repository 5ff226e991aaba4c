"""Supermicro account rules."""
from bmcsim import fleetgen
from simclient import X11, X12, X13, message_id, unlock

ACCOUNTS = "/redfish/v1/AccountService/Accounts"
GOOD = "Str0ng!Password#1"


def test_hardened_accounts(rf):
    _, _, coll = rf(X13).get(ACCOUNTS)
    assert [m["@odata.id"].rsplit("/", 1)[1] for m in coll["Members"]] == ["2", "3", "4"]
    admin = rf(X13).get(f"{ACCOUNTS}/2")[2]
    assert admin["UserName"] == "ADMIN" and admin["Enabled"] is False and admin["Password"] is None
    assert rf(X13).get(f"{ACCOUNTS}/3")[2]["UserName"] == "ansible"


def test_create_takes_lowest_free_id(sim, rf):
    unlock(sim, X13)
    c = rf(X13)
    assert c.delete(f"{ACCOUNTS}/4")[0] == 200
    status, headers, body = c.post(ACCOUNTS, {"UserName": "alice", "Password": GOOD, "RoleId": "Operator", "Enabled": True})
    assert status == 201 and headers["Location"] == f"{ACCOUNTS}/4" and body["Id"] == "4" and body["Password"] is None
    status, headers, _ = c.post(ACCOUNTS, {"UserName": "bob", "Password": GOOD, "RoleId": "ReadOnly"})
    assert headers["Location"] == f"{ACCOUNTS}/5"
    assert {"alice": GOOD}.items() <= {a["username"]: a["password"] for a in sim.admin.accounts(X13)}.items()
    assert rf(X13, "alice", GOOD).get("/redfish/v1/Managers/1")[0] == 200


def test_roles_and_password_policy(sim, rf):
    unlock(sim, X13)
    c = rf(X13)
    status, _, body = c.post(ACCOUNTS, {"UserName": "carol", "Password": GOOD, "RoleId": "User"})
    assert status == 400 and message_id(body).endswith("PropertyValueNotInList")
    assert c.post(ACCOUNTS, {"UserName": "carol", "Password": "Sh0rt!", "RoleId": "Operator"})[0] == 400           # min 14 (hardened)
    assert c.post(ACCOUNTS, {"UserName": "carol", "Password": "nouppercase!12345", "RoleId": "Operator"})[0] == 400
    assert c.post(ACCOUNTS, {"UserName": "carol", "Password": "A" * 10 + "a1!" * 4, "RoleId": "Operator"})[0] == 400  # > 20
    sim.admin.set_knobs(X13, password_classes=["lower"])
    assert c.post(ACCOUNTS, {"UserName": "carol", "Password": "onlylowercaseletters", "RoleId": "Operator"})[0] == 201
    status, _, body = c.post(ACCOUNTS, {"UserName": "dave", "Password": GOOD, "RoleId": "Operator", "Shell": "bash"})
    assert status == 400 and "The property Shell is not in the list of valid properties" in body["error"]["@Message.ExtendedInfo"][0]["Message"]


def test_read_only_user_cannot_write(sim, rf):
    unlock(sim, X13)
    monitor = next(a for a in sim.admin.accounts(X13) if a["username"] == "monitor")
    c = rf(X13, "monitor", monitor["password"])
    assert c.get("/redfish/v1/Managers/1")[0] == 200
    assert c.patch("/redfish/v1/SessionService", {"SessionTimeout": 600})[0] == 403


def test_cannot_disable_or_delete_user_with_session(sim, rf):
    unlock(sim, X13)
    c = rf(X13)
    c.post(ACCOUNTS, {"UserName": "erin", "Password": GOOD, "RoleId": "Operator"})
    rf(X13, "erin", GOOD).login()
    erin = f"{ACCOUNTS}/5"
    status, _, body = c.patch(erin, {"Enabled": False})
    assert status == 400 and message_id(body) == "SMC.1.0.OemUserDisableFail"
    status, _, body = c.delete(erin)
    assert status == 400 and message_id(body) == "SMC.1.0.OemUserDisableFail"


def test_patch_password_and_role(sim, rf):
    unlock(sim, X13)
    c = rf(X13)
    assert c.patch(f"{ACCOUNTS}/4", {"Password": "Another!Passw0rd", "RoleId": "Operator"})[0] == 200
    acc = c.get(f"{ACCOUNTS}/4")[2]
    assert acc["RoleId"] == "Operator" and acc["Links"]["Role"]["@odata.id"].endswith("/Operator") and acc["Password"] is None
    assert rf(X13, "monitor", "Another!Passw0rd").get("/redfish/v1")[0] == 200


def test_x11_accounts(rf):
    c = rf(X11)
    status, headers, _ = c.post(ACCOUNTS, {"UserName": "frank", "Password": GOOD, "RoleId": "Operator"})
    assert status == 201 and headers["Location"] == f"{ACCOUNTS}/5"



def test_factory_admin_cannot_be_deleted_but_can_be_disabled(sim, rf):
    """Id 2 is IPMI user 2, the factory ADMIN: enabled, disabled, re-passworded, never deleted."""
    unlock(sim, X13)
    c = rf(X13)
    status, _, body = c.delete(f"{ACCOUNTS}/2")
    assert status == 405 and message_id(body).endswith("ActionNotSupported")
    assert c.patch(f"{ACCOUNTS}/2", {"Enabled": True})[0] == 200
    assert c.patch(f"{ACCOUNTS}/2", {"Password": GOOD})[0] == 200
    assert {a["id"]: a["password"] for a in sim.admin.accounts(X13)}["2"] == GOOD
    assert c.delete(f"{ACCOUNTS}/4")[0] == 200


def test_password_patch_lost_knob(sim, rf):
    """A BMC that acknowledges a password change and keeps the old password (what a proof catches)."""
    unlock(sim, X13)
    sim.admin.set_knobs(X13, password_patch_lost=True)
    assert rf(X13).patch(f"{ACCOUNTS}/4", {"Password": GOOD})[0] == 200
    assert {a["id"]: a["password"] for a in sim.admin.accounts(X13)}["4"] != GOOD


def test_active_directory_dns_lookup_lists_what_dns_finds_read_only(sim, rf):
    """Oem.Supermicro.ActiveDirectory: DynamicServerAddresses is derived (the domain controllers the
    DNS lookup finds), never written; the lookup switched off empties it, switched on fills it."""
    service = "/redfish/v1/AccountService"
    for name in (X13, X12):
        sim.admin.apply_deviations(name, "ad_dns_lookup")
        unlock(sim, name)
        c = rf(name)
        body = c.get(service)[2]
        ad = body["Oem"]["Supermicro"]["ActiveDirectory"]
        assert (body["ActiveDirectory"]["ServiceEnabled"], body["LDAP"]["ServiceEnabled"]) == (True, False)
        assert (ad["DNSLookupEnable"], ad["Prefix"], ad["Port"], ad["DynamicServerAddresses"]) == (True, "ldaps", 636, ["dc07.corp.example.net"])
        status, _, answer = c.patch(service, {"Oem": {"Supermicro": {"ActiveDirectory": {"DynamicServerAddresses": []}}}})
        assert status == 400 and message_id(answer).endswith("PropertyNotWritable")
        assert c.get(service)[2]["Oem"]["Supermicro"]["ActiveDirectory"]["DynamicServerAddresses"] == ["dc07.corp.example.net"]
        assert c.patch(service, {"ActiveDirectory": {"ServiceAddresses": ["ldaps://10.10.0.41:636"]}})[0] == 200   # the lookup stays
        assert c.get(service)[2]["Oem"]["Supermicro"]["ActiveDirectory"]["DynamicServerAddresses"] == ["dc07.corp.example.net"]
        assert c.patch(service, {"Oem": {"Supermicro": {"ActiveDirectory": {"DNSLookupEnable": False}}}})[0] == 200
        ad = c.get(service)[2]["Oem"]["Supermicro"]["ActiveDirectory"]
        assert (ad["DNSLookupEnable"], ad["DynamicServerAddresses"]) == (False, [])
        assert c.patch(service, {"Oem": {"Supermicro": {"ActiveDirectory": {"DNSLookupEnable": True}}}})[0] == 200
        assert c.get(service)[2]["Oem"]["Supermicro"]["ActiveDirectory"]["DynamicServerAddresses"] == ["dc07.corp.example.net"]
    assert "ad_dns_lookup" not in fleetgen.applicable("x11")   # X11: no directory in Redfish
