"""Supermicro-style Redfish errors, success envelopes and the SMC message registry.

Handlers raise `RedfishError`; the request middleware renders it with the BMC's generation, so
X11 answers with its older ids (`Base.1.0.0.OemLicenseNotPassed`) and X12/X13 with `SMC.1.0.*`.
"""
from __future__ import annotations

# id: (Message, Severity, NumberOfArgs, Resolution, Description). The subset of the SMC.1.0.0
# registry the simulator uses, worded as the BMC words it.
SMC_MESSAGES = {
    "OemLicenseNotPassed": ("Not licensed to perform this request. The following licenses %1 were needed", "Warning", 1,
                            "Please activate at least one license in the above message.",
                            "Indicate that the privilege checking was failed."),
    "OemSystemLockdownEnabled": ("System is in lockdown mode. This action is forbidden.", "OK", 0,
                                 "No resolution was required.", "Indicate that the System Lockdown was enabled."),
    "OemSystemLockdownEnabledPatchValid": ("The System Lockdown was turned on, only support patch %1.", "OK", 1,
                                           "No resolution was required.", "Indicate that the System Lockdown was enabled."),
    "OemUserDisableFail": ("The User %1 cannot be disabled or deleted, because there is an active session created by this user.",
                           "Warning", 1, "Logout the session and try disable action again.",
                           "Indicates that the user cannot be disabled or deleted, because there is an session activated by this user."),
    "NetworkProtocolServiceConfigureFailed": ("%1 %2 Service is not allowed, because user configure it to the same setting as current.",
                                              "Warning", 2, "Please check the service current settings.",
                                              "Indicates that NetworkProtocol configuration is not allowed in current state."),
    "OemIPMIServiceDisabled": ("The IPMI service was disabled hence %1 can't be enabled.", "Warning", 1,
                               "Please enable the IPMI service first and try again.",
                               "Indicate that current setting was failed to apply due to the IPMI service was not enabled."),
    "OemIpAccessControlDisabled": ("To set the filtering rule, must enable the IP Access Control Service first.", "Warning", 0,
                                   "Enable the IP Access Control Service first and try again.",
                                   "Indicate that the filtering rule was able to be added only when service was running."),
    "OemIpAccessControlRefuseLocal": ("The accept policy with localhost %1 is the default setting in the IP table.", "Warning", 1,
                                      "Enter the other valid IP address instead of localhost.",
                                      "Indicate that accept policy with localhost is the default setting in the IP table."),
    "OemRequestDataDuplicate": ("The requested data %1 are duplicated.", "Critical", 1,
                                "Do not repeat the requested data for this resource.",
                                "Indicates that operation cannot proceed because there are two or more same requested data."),
    "OemNetworkProtocolAcceptedMessage": ("Please also check Task Resource %1 to see more information.", "OK", 1,
                                          "No resolution was required.",
                                          "Indicate that request was accepted successfully but it takes time to perform."),
    "OemNtpAcceptedMessage": ("Please also check Task Resource %1 to see more information.", "OK", 0,
                              "No resolution was required.",
                              "Indicate that request to configure NTP was accepted successfully but it takes time to perform."),
    "OemRequestAcceptedMessage": ("Please also check Task Resource %1 to see more information.", "OK", 1,
                                  "No resolution was required.",
                                  "Indicate that request was accepted successfully but it takes time to perform."),
    "OemSyslogModified": ("The Syslog was configured successfully.", "OK", 0, "No resolution was required.",
                          "Indicate that the Syslog was successfully configured."),
    "OemPortInUse": ("The port number %1 was in use.", "Warning", 1, "Please change to another port number.",
                     "Indicate that the port number was occupied."),
    "AccountLockup": ("The account was locked up.", "Warning", 0, "Please wait until the account is unlocked.",
                      "Indicate that the current account was locked up."),
    "OemNtpPatchSettingCondition": ("To set the required information to access the NTP server, user must enable the NTP first.",
                                    "Warning", 0, "Enable the NTP",
                                    "Indicates that to set the required information, user needs to enable the NTP first."),
    "OemActivatelicenseErrorMessage": ("Error: %1.", "Warning", 1, "Please check the reason for the error.",
                                       "Indicate that something wrong on ActivateLicense."),
    "LicenseClearFailed": ("License cannot be deactivated.", "Warning", 0,
                           "Please check the product key does exist or not.", "Indicates the product key doesn't exist."),
    "OemSimpleupdateAcceptedMessage": ("Please also check Task Resource %1 to see more information.", "OK", 1,
                                       "No resolution was required.",
                                       "Indicate that request was accepted and it took some time to update."),
    "OemFirmwareAlreadyInUpdateMode": ("The %1 firmware update was already in update mode.", "Warning", 1,
                                       "Please check if there was the next step with respective API to execute.",
                                       "Indicate that a duplicated Enter Update Mode was performed."),
    "OemFirmwareUpdateIsInProgress": ("The BMC firmware Update was in progress.", "Warning", 0,
                                      "The BMC was updating and please wait until it was finished.",
                                      "Indicate that there was already one BMC firmware was updating."),
    "OemFirmwareNotInUpdateMode": ("The BMC firmware update was not in update mode.", "Warning", 0,
                                   "Please execute Enter Update Mode and try again.",
                                   "Indicate that the BMC firmware update was not following the correct procedure to perform updating."),
    "OemFirmwareUpdateNoImage": ("No BMC image to update, please upload first.", "Warning", 0,
                                 "Please upload a BMC firmware and try again.",
                                 "Indicate that there was no BMC firmware uploaded to perform updating."),
    "OemFirmwareUpdateWrongImage": ("The BMC firmware image content was not recognized so the update was stopped.", "Warning", 0,
                                    "Please upload a valid BMC firmware image and try again.",
                                    "Indicate that the BMC firmware image content checking failed thus firmware updating process was stopped."),
    "OemBiosUpdateIsInProgress": ("The BIOS Update was in progress.", "Warning", 0,
                                  "The BIOS was updating and please wait till it was finished.",
                                  "Indicate that there was already one BIOS image was updating."),
    "OemBiosUpdateNoImage": ("No BIOS image to update, please upload first.", "Warning", 0,
                             "Please upload a BIOS image and try again.",
                             "Indicate that there was no BIOS image uploaded to perform image updating."),
    "OemBiosUpdateWrongImage": ("Unable to recognize the BIOS image content.", "Warning", 0,
                                "Please upload a valid BIOS firmware image and try again.",
                                "Indicate that a wrong BIOS was uploaded to perform updating."),
    "OemBiosUploadFail": ("There's a New BIOS fw is loaded into Staging Region and will be transferred to BIOS NOR Flash "
                          "region upon system reset.", "Warning", 0,
                          "If want to cancel the staging update for BIOS, to delete the pending task in task service",
                          "Indicates that there's a New BIOS fw is loaded into Staging Region (NAND device) and will be "
                          "transferred to BIOS NOR Flash region upon system reset."),
    "OemSimpleupdateErrorMessage": ("Error: %1.", "Warning", 1, "Please check the error reason.",
                                    "Indicate that something wrong on SimpleUpdate."),
    "OemApiObsolete": ("It is NOT recommended to use this API, because this Redfish API is obsolete. Supermicro considers "
                       "removing this API from %1-and-after platforms. Please use the URI:%2 alternative.", "Warning", 2,
                       "Please use the standard Redfish API.", "It indicates that this Redfish API will be removed."),
    "OemSslcertMissingItem": ("Upload files should have the private key and SSL certificate, please put the correct values in the "
                              "POST key fields.", "Warning", 0, "Check the key value of the POST method for those two upload files.",
                              "Indicate that wrong files were uploaded."),
    "OemSslcertIllegalPair": ("The certificate and private key files should be a pair.", "Warning", 0,
                              "Check those two upload files and try again.",
                              "Indicate that uploaded files were not matching to activate the SSL."),
    "OemSslcertUploaded": ("SSL certificate and private key were successfully uploaded.", "OK", 0,
                           "No resolution was required.",
                           "Indicate that the SSL certificate and private key were successfully uploaded."),
}

# DMTF Base messages (Base.1.10) the BMC answers with.
BASE_MESSAGES = {
    "PropertyUnknown": ("The property %1 is not in the list of valid properties for the resource.", "Warning", 1,
                        "Remove the unknown property from the request body and resubmit the request if the operation failed."),
    "PropertyValueNotInList": ("The value %1 for the property %2 is not in the list of acceptable values.", "Warning", 2,
                               "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed."),
    "PropertyValueTypeError": ("The value %1 for the property %2 is of a different type than the property can accept.", "Warning", 2,
                               "Correct the value for the property in the request body and resubmit the request if the operation failed."),
    "PropertyValueFormatError": ("The value %1 for the property %2 is of a different format than the property can accept.", "Warning", 2,
                                 "Correct the value for the property in the request body and resubmit the request if the operation failed."),
    "PropertyValueOutOfRange": ("The value %1 for the property %2 is not in the supported range of acceptable values.", "Warning", 2,
                                "Correct the value for the property in the request body and resubmit the request if the operation failed."),
    "PropertyValueConflict": ("The property %1 could not be written because its value would conflict with the value of the %2 property.",
                              "Warning", 2, "No resolution is required."),
    "PropertyNotWritable": ("The property %1 is a read only property and cannot be assigned a value.", "Warning", 1,
                            "Remove the property from the request body and resubmit the request if the operation failed."),
    "ActionParameterMissing": ("The action %1 requires the parameter %2 to be present in the request body.", "Critical", 2,
                               "Supply the action with the required parameter in the request body when the request is resubmitted."),
    "ActionParameterNotSupported": ("The parameter %1 for the action %2 is not supported on the target resource.", "Warning", 2,
                                    "Remove the parameter supplied and resubmit the request if the operation failed."),
    "ActionParameterValueNotInList": ("The value %1 for the parameter %2 in the action %3 is not in the list of acceptable values.",
                                      "Warning", 3, "Choose a value from the enumeration list that the implementation can support "
                                      "and resubmit the request if the operation failed."),
    "PropertyMissing": ("The property %1 is a required property and must be included in the request.", "Warning", 1,
                        "Ensure that the property is in the request body and has a valid value and resubmit the request if the operation failed."),
    "MalformedJSON": ("The request body submitted was malformed JSON and could not be parsed by the receiving service.", "Critical", 0,
                      "Ensure that the request body is valid JSON and resubmit the request."),
    "ResourceMissingAtURI": ("The resource at the URI %1 was not found.", "Critical", 1,
                             "Place a valid resource at the URI or correct the URI and resubmit the request."),
    "ResourceAlreadyExists": ("The requested resource of type %1 with the property %2 with the value %3 already exists.", "Critical", 3,
                              "Do not repeat the create operation as the resource has already been created."),
    "CreateLimitReachedForResource": ("The create operation failed because the resource has reached the limit of possible resources.",
                                      "Critical", 0, "Either delete resources and resubmit the request if the operation failed or do not resubmit the request."),
    "PreconditionFailed": ("The ETag supplied did not match the ETag required to change this resource.", "Critical", 0,
                           "Try the operation again using the appropriate ETag."),
    "PreconditionRequired": ("A precondition header or annotation is required to change the resource.", "Critical", 0,
                             "Try the request again with an If-Match header."),
    "NoValidSession": ("There is no valid session established with the implementation.", "Critical", 0,
                       "Establish a session before attempting any operations."),
    "SessionLimitExceeded": ("The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.",
                             "Critical", 0, "Reduce the number of other sessions before trying to establish the session or increase the limit of simultaneous sessions (if supported)."),
    "InsufficientPrivilege": ("There are insufficient privileges for the account or credentials associated with the current session to perform the requested operation.",
                              "Critical", 0, "Either abandon the operation or change the associated access rights and resubmit the request if the operation failed."),
    "OperationNotAllowed": ("The HTTP method is not allowed on this resource.", "Critical", 0,
                            "None."),
    "ActionNotSupported": ("The action %1 is not supported by the resource.", "Critical", 1,
                           "The action supplied cannot be resubmitted to the implementation. Perhaps the action was invalid, the wrong resource was the target or the implementation documentation may be of assistance."),
    "ServiceTemporarilyUnavailable": ("The service is temporarily unavailable. Retry in %1 seconds.", "Critical", 1,
                                      "Wait for the indicated retry duration and retry the operation."),
    "GeneralError": ("A general error has occurred. See Resolution for information on how to resolve the error.", "Critical", 0,
                     "None."),
}

# Registry details as the BMC publishes them.
NO_PARAM_TYPES = {"OemSystemLockdownEnabledPatchValid"}
NUMBER_ARGS = {"OemUserDisableFail", "OemPortInUse"}

GENERAL = "A general error has occurred. See ExtendedInfo for more information."


class RedfishError(Exception):
    """An error answer: HTTP status plus one SMC or Base message."""

    def __init__(self, status: int, message_id: str, *args, related=()):
        super().__init__(message_id)
        self.status, self.message_id, self.args_, self.related = status, message_id, [str(a) for a in args], list(related)


def _fill(text: str, args) -> str:
    for i, a in enumerate(args, 1):
        text = text.replace(f"%{i}", a)
    return text


def message_info(message_id: str, args=(), related=(), x11=False) -> dict:
    args = [str(a) for a in args]
    if message_id in SMC_MESSAGES:
        text, severity, _, resolution, _ = SMC_MESSAGES[message_id]
        # X11 firmware reports its OEM ids under the Base prefix (Base.1.0.0.OemLicenseNotPassed).
        full = f"Base.1.0.0.{message_id}" if x11 else f"SMC.1.0.{message_id}"
    else:
        text, severity, _, resolution = BASE_MESSAGES[message_id]
        full = f"Base.1.0.0.{message_id}" if x11 else f"Base.1.10.{message_id}"
    return {"MessageId": full, "Severity": severity, "Resolution": resolution, "Message": _fill(text, args),
            "MessageArgs": args, "RelatedProperties": list(related)}


def error_body(err: RedfishError, x11=False) -> dict:
    code = "Base.v1_4_0.GeneralError" if x11 else "Base.v1_10_3.GeneralError"
    return {"error": {"code": code, "Message": GENERAL,
                      "@Message.ExtendedInfo": [message_info(err.message_id, err.args_, err.related, x11)]}}


def success_body(message_id=None, *args) -> dict:
    body = {"code": "Base.v1_10_3.Success", "message": "Successfully Completed Request."}
    if message_id:
        body["@Message.ExtendedInfo"] = [message_info(message_id, args)]
    return {"Success": body}


def accepted_body(message_id: str, task_uri: str, related=()) -> dict:
    return {"Accepted": {
        "code": "Base.v1_10_3.Accepted",
        "Message": "Successfully Accepted Request. Please see the location header and ExtendedInfo for more information.",
        "@Message.ExtendedInfo": [message_info(message_id, [task_uri], related)]}}


def smc_registry() -> dict:
    """The SMC.1.0.0 message registry as served at /redfish/v1/Registries/SMC (compact: the ids used here)."""
    messages = {}
    for mid, (text, severity, nargs, resolution, description) in SMC_MESSAGES.items():
        m = {"Description": description, "Message": text, "Severity": severity, "MessageSeverity": severity,
             "NumberOfArgs": nargs, "Resolution": resolution}
        if nargs and mid not in NO_PARAM_TYPES:
            m["ParamTypes"] = ["number" if mid in NUMBER_ARGS else "string"] * nargs
        messages[mid] = m
    return {"@Redfish.Copyright": "Copyright \u00a9 2014-2015 Distributed Management Task Force, Inc. (DMTF). All rights reserved.",
            "@odata.type": "#MessageRegistry.v1_4_0.MessageRegistry", "Id": "SMC.1.0.0", "Name": "SMC Message Registry",
            "Language": "en", "Description": "This registry defines the OEM messages for Redfish", "RegistryPrefix": "SMC",
            "RegistryVersion": "1.0.0", "OwningEntity": "DMTF", "Messages": messages}
