"""@odata.etag + ETag header on X12/X13, 412 on mismatch, strict mode 428, none on X11."""
import re

from simclient import X11, X12, X13, message_id, unlock

SS = "/redfish/v1/SessionService"


def test_every_resource_has_quoted_md5_etag(rf):
    for name in (X13, X12):
        for path in ("/redfish/v1", "/redfish/v1/Managers/1", "/redfish/v1/AccountService/Accounts/3", SS):
            _, headers, body = rf(name).get(path)
            assert re.fullmatch(r'"[0-9a-f]{32}"', body["@odata.etag"])
            assert headers["ETag"] == body["@odata.etag"]


def test_if_match(sim, rf):
    unlock(sim, X13)
    c = rf(X13)
    etag = c.get(SS)[2]["@odata.etag"]
    status, _, body = c.patch(SS, {"SessionTimeout": 600}, headers={"If-Match": '"0123456789abcdef0123456789abcdef"'})
    assert status == 412 and message_id(body).endswith("PreconditionFailed")
    assert c.patch(SS, {"SessionTimeout": 600}, headers={"If-Match": etag})[0] == 200
    assert c.get(SS)[2]["@odata.etag"] != etag
    assert c.patch(SS, {"SessionTimeout": 700})[0] == 200        # If-Match is optional by default


def test_strict_etag_requires_if_match(sim, rf):
    unlock(sim, X13)
    sim.admin.set_knobs(X13, strict_etag=True)
    c = rf(X13)
    status, _, body = c.patch(SS, {"SessionTimeout": 600})
    assert status == 428 and message_id(body).endswith("PreconditionRequired")
    assert c.patch(SS, {"SessionTimeout": 600}, headers={"If-Match": c.get(SS)[2]["@odata.etag"]})[0] == 200


def test_x11_has_no_etags(rf):
    _, headers, body = rf(X11).get("/redfish/v1/Managers/1")
    assert "@odata.etag" not in body and "ETag" not in headers
