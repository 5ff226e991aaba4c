"""RedfishError text: what the BMC said, never the password it may echo back."""

from __future__ import annotations

from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishClient, Response


def test_a_bmc_message_echoing_the_password_is_redacted():
    client = RedfishClient("192.0.2.10", username="ops", password="Secret!Pass42", validate_certs=False)
    echoed = {"error": {"code": "Base.v1_10_3.GeneralError", "Message": "A general error has occurred.",
                        "@Message.ExtendedInfo": [{
                            "MessageId": "Base.1.10.PropertyValueFormatError",
                            "Message": "The value Secret!Pass42 for the property Password is of a different format."}]}}
    error = client._error("POST", "/redfish/v1/SessionService/Sessions", Response(400, {}, echoed))
    assert "Secret!Pass42" not in str(error)
    assert "The value ******** for the property Password" in str(error)
    assert error.message_ids == ["Base.1.10.PropertyValueFormatError"]
