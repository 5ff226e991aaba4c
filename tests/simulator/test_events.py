"""EventService: 16 pre-allocated slots, PATCH to configure, POST/DELETE, SubmitTestEvent."""
from simclient import X13, unlock

SUBS = "/redfish/v1/EventService/Subscriptions"


def test_sixteen_slots(rf):
    coll = rf(X13).get(SUBS)[2]
    assert coll["Members@odata.count"] == 16
    slot = rf(X13).get(f"{SUBS}/16")[2]
    assert slot["Destination"] == "0.0.0.0" and slot["Status"]["State"] == "Disabled"


def test_patch_post_delete(sim, rf):
    unlock(sim, X13)
    c = rf(X13)
    assert c.patch(f"{SUBS}/2", {"Destination": "10.10.0.70", "Protocol": "SNMPv3",
                                 "Oem": {"Supermicro": {"EnableSubscription": True, "Severity": "Warning"}}})[0] == 200
    slot = c.get(f"{SUBS}/2")[2]
    assert slot["Status"]["State"] == "Enabled" and slot["SubscriptionType"] == "SNMPTrap"
    status, headers, body = c.post(SUBS, {"Destination": "https://10.10.0.71/events", "Protocol": "Redfish",
                                          "EventTypes": ["Alert"]})
    assert status == 201 and headers["Location"] == f"{SUBS}/1" and body["SubscriptionType"] == "RedfishEvent"
    assert c.delete(f"{SUBS}/1")[0] == 200
    assert c.get(f"{SUBS}/1")[2]["Destination"] == "0.0.0.0" and c.get(SUBS)[2]["Members@odata.count"] == 16
    assert c.post("/redfish/v1/EventService/Actions/EventService.SubmitTestEvent", {"MessageId": "Event.1.0.Test"})[0] == 200
