"""X13 (Redfish 1.11.0, BMC 01.0x / 11.01.01), modelled on the X13DEG-OAD / SYS-821GE-TNHR tree."""
from __future__ import annotations

from . import standard
from .common import OK, R, action, action_info, collection, param, ref

M = f"{R}/Managers/1"
S = f"{R}/Systems/1"
FW = f"{R}/UpdateService/FirmwareInventory"
OEM = f"{M}/Oem/Supermicro"

TIME_ZONES = ["(UTC-08:00) Pacific Time (US & Canada)", "(UTC-05:00) Eastern Time (US & Canada)",
              "(UTC+00:00) Coordinated Universal Time", "(UTC+00:00) Dublin, Edinburgh, Lisbon, London",
              "(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna", "(UTC+08:00) Taipei",
              "(UTC+09:00) Osaka, Sapporo, Tokyo"]

# A realistic slice of the X13 BIOS attribute table (hex-suffixed names, as on BMC 11.01.01).
BIOS_ATTRIBUTES = {
    "Above4GDecoding_0041": "Enabled", "AES_NI_3C75": "Enable", "ARISupport_0049": "Enabled",
    "AdministratorPassword_0117": None, "BootupNumLockState_002F": "On", "CSMSupport_0121": "Enabled",
    "ConsoleRedirection_0080": True, "CorrectableErrorThreshold_3C34": 512, "HyperThreading_3C1D": "Enable",
    "IntelVTforDirectedI_O_VT_d_3C7A": "Enable", "IntelVirtualizationTechnology_3C7E": "Enable",
    "IPMIFWUpdate_0109": "Enabled", "PowerButtonFunction_0039": "Instant Off", "QuietBoot_002E": True,
    "RestoreOnACPowerLoss_0037": "Last State", "SecureBootEnable_0119": False, "SRIOVSupport_004D": "Enabled",
    "TPMSupport_0110": "Enable", "TXTSupport_0062": "Disable", "UserPassword_0118": None,
    "WatchDogFunction_0034": False, "BootModeSelect_0120": "UEFI", "Re_tryBoot_0123": "Disabled",
    "SecurityDeviceSupport_0045": "Enable", "SMCBusMasterEnable_0048": "Enabled",
}


def software(id_: str, name: str, version: str, related: list[str], filename=..., updateable=True, write_protected=False,
             manufacturer="Supermicro", release_date=None, oem_extra=None) -> dict:
    body = {"@odata.type": "#SoftwareInventory.v1_3_0.SoftwareInventory", "@odata.id": f"{FW}/{id_}", "Id": id_,
            "Name": name, "Updateable": updateable, "Version": version, "Status": dict(OK),
            "RelatedItem": [ref(p) for p in related], "Actions": {"Oem": {}}, "Oem": {}, "Manufacturer": manufacturer}
    if filename is not ...:
        body["Oem"] = {"Supermicro": {"@odata.type": "#SmcSoftwareInventoryExtensions.v1_0_0.SoftwareInventory",
                                      "UniqueFilename": filename, **(oem_extra or {})}}
    if release_date:
        body["ReleaseDate"] = release_date
    body["WriteProtected"] = write_protected
    return body


def firmware_inventory(i: dict) -> dict[str, dict]:
    bmc, bios = [f"{M}"], [f"{S}/Bios"]
    items = [
        software("BMC", "BMC", i["bmc"], bmc, i["bmc_file"], release_date=i["bmc_date"] + "T00:00:00Z"),
        software("Backup_BMC", "BMC Backup", "Not Present", bmc, None),
        software("Golden_BMC", "BMC Golden", i["golden_bmc"], bmc, i["golden_bmc_file"]),
        software("Staging_BMC", "BMC Staging", i["bmc"], bmc, i["bmc_file"]),
        software("BIOS", "BIOS", i["bios"], bios, i["bios_file"],
                 oem_extra={"MicrocodeVersion": i["microcode"], "SPSVersion": i["sps"]}),
        software("Backup_BIOS", "BIOS Backup", "Not Present", bios, None),
        software("Golden_BIOS", "BIOS Golden", i["golden_bios"], bios, i["golden_bios_file"]),
        software("Staging_BIOS", "BIOS Staging", i["bios"], bios, i["bios_file"]),
        software("Capsule_BIOS", "Capsule BIOS", "1.0", bios, None),
        software("BIOS_ME", "BIOS ME", i["bios_me"], bios),
        software("CPLD_Motherboard", "CPLD Motherboard", i["cpld"], []),
        software("Golden_CPLD_Motherboard", "CPLD Motherboard Golden", i["golden_cpld"], []),
        software("NIC1", f"NIC1 System Slot1 {i['nic_model']}", i["nic_fw"], [f"{R}/Chassis/1/PCIeDevices/NIC1"],
                 updateable=False),
        software("PowerSupply1", "Power supply 1", i["psu_fw"], [f"{R}/Chassis/1/Power"], updateable=False,
                 write_protected=True, manufacturer="SUPERMICRO"),
        software("PowerSupply2", "Power supply 2", i["psu_fw"], [f"{R}/Chassis/1/Power"], updateable=False,
                 write_protected=True, manufacturer="SUPERMICRO"),
    ]
    # Capsule_BIOS carries package fields instead of a file name.
    items[8]["Oem"]["Supermicro"] = {"SeamlessPackageVersion": "1.0", "LayoutID": "0", "Description": i["bios_family"] + " BIOS",
                                     "@odata.type": "#SmcSoftwareInventoryExtensions.v1_0_0.SoftwareInventory"}
    tree = {b["@odata.id"]: b for b in items}
    tree[FW] = collection(FW, "SoftwareInventoryCollection", "Software Inventory Collection", list(tree), Oem={})
    return tree


def build(i: dict) -> dict[str, dict]:
    mac, uuid = i["mac"], i["uuid"]
    t: dict[str, dict] = {}

    t[R] = {"@odata.type": "#ServiceRoot.v1_9_0.ServiceRoot", "@odata.id": R, "Id": "ServiceRoot", "Name": "Root Service",
            "RedfishVersion": "1.11.0", "UUID": uuid,
            **{k: ref(f"{R}/{k}") for k in ("Systems", "Chassis", "Managers")}, "Tasks": ref(f"{R}/TaskService"),
            **{k: ref(f"{R}/{k}") for k in ("SessionService", "AccountService", "EventService", "UpdateService",
                                             "CertificateService", "Registries", "JsonSchemas", "TelemetryService")},
            "Links": {"Sessions": ref(f"{R}/SessionService/Sessions")},
            "Oem": {"Supermicro": {"DumpService": ref(f"{R}/Oem/Supermicro/DumpService")}},
            "ProtocolFeaturesSupported": {"FilterQuery": True, "SelectQuery": True, "ExcerptQuery": False, "OnlyMemberQuery": False,
                                          "DeepOperations": {"DeepPATCH": False, "DeepPOST": False, "MaxLevels": 1},
                                          "ExpandQuery": {"Links": True, "NoLinks": True, "ExpandAll": True, "Levels": True,
                                                          "MaxLevels": 2}}}

    # ---- accounts and sessions ----------------------------------------------------------------
    A = f"{R}/AccountService"
    directory = lambda kind: {"AccountProviderType": kind, "ServiceEnabled": False, "ServiceAddresses": [],
                              "Authentication": {"AuthenticationType": "UsernameAndPassword", "Username": "", "Password": None,
                                                 "Oem": {}}, "PasswordSet": False, "RemoteRoleMapping": []}
    t[A] = {"@odata.type": "#AccountService.v1_7_2.AccountService", "@odata.id": A, "Id": "AccountService",
            "Name": "Account Service", "Description": "Account Service", "Status": dict(OK), "ServiceEnabled": True,
            "MinPasswordLength": 8, "MaxPasswordLength": 20, "AuthFailureLoggingThreshold": 3, "AccountLockoutThreshold": 3,
            "AccountLockoutDuration": 30, "AccountLockoutCounterResetAfter": 30, "Accounts": ref(f"{A}/Accounts"),
            "Roles": ref(f"{A}/Roles"),
            "LDAP": {**directory("LDAPService"), "LDAPService": {"SearchSettings": {"BaseDistinguishedNames": []}, "Oem": {}}},
            "ActiveDirectory": directory("ActiveDirectoryService"),
            "Oem": {"Supermicro": {"@odata.type": "#SmcAccountServiceExtensions.v1_0_1.AccountService",
                                   "LDAP": {"StartTLSEnabled": False},
                                   "ActiveDirectory": {"DNSLookupEnable": False, "Prefix": "ldap", "Port": 389,
                                                       "UserDomainNames": [], "DynamicServerAddresses": []}}}}
    t[f"{A}/Accounts"] = collection(f"{A}/Accounts", "ManagerAccountCollection", "Accounts Collection", [])
    t[f"{A}/Accounts"] = {k: t[f"{A}/Accounts"][k] for k in ("@odata.type", "@odata.id", "Name", "Members", "Members@odata.count")}
    privileges = {"Administrator": (["Login", "ConfigureManager", "ConfigureUsers", "ConfigureSelf", "ConfigureComponents"],
                                    ["OemClearLog", "OemPowerControl"]),
                  "Operator": (["Login", "ConfigureSelf", "ConfigureComponents"], []),
                  "ReadOnly": (["Login", "ConfigureSelf"], [])}
    t[f"{A}/Roles"] = collection(f"{A}/Roles", "RoleCollection", "Roles Collection", [f"{A}/Roles/{r}" for r in privileges])
    for role, (assigned, oem) in privileges.items():
        t[f"{A}/Roles/{role}"] = {"@odata.type": "#Role.v1_2_5.Role", "@odata.id": f"{A}/Roles/{role}", "Id": role,
                                  "Name": "User Role", "IsPredefined": True, "Description": f"{role} User Role",
                                  "AssignedPrivileges": assigned, "OemPrivileges": oem}

    SS = f"{R}/SessionService"
    t[SS] = {"@odata.type": "#SessionService.v1_1_7.SessionService", "@odata.id": SS, "Id": "SessionService",
             "Name": "Session Service", "Description": "Session Service", "Status": dict(OK), "ServiceEnabled": True,
             "SessionTimeout": 300, "Sessions": ref(f"{SS}/Sessions")}

    # ---- systems, chassis ------------------------------------------------------------------------
    t[f"{R}/Systems"] = collection(f"{R}/Systems", "ComputerSystemCollection", "Computer System Collection", [S],
                                   Description="Computer System Collection")
    delay = lambda lo: [f"{lo}:254:1"]
    t[S] = {"@odata.type": "#ComputerSystem.v1_14_0.ComputerSystem", "@odata.id": S, "Id": "1", "Name": "System",
            "Description": "Description of server", "Status": dict(OK), "SerialNumber": i["serial"],
            "PartNumber": i["part_number"], "IndicatorLED": "Off", "LocationIndicatorActive": False, "SystemType": "Physical",
            "BiosVersion": i["bios"].rsplit("Ver ", 1)[-1], "Manufacturer": "Supermicro", "Model": i["model"], "SKU": i["sku"],
            "UUID": uuid,
            "ProcessorSummary": {"Count": i["cpus"], "Model": "Intel(R) Xeon(R) processor",
                                 "Status": {**OK, "HealthRollup": "OK"}, "Metrics": ref(f"{S}/ProcessorSummary/ProcessorMetrics")},
            "MemorySummary": {"TotalSystemMemoryGiB": i["memory_gib"], "MemoryMirroring": "System",
                              "Status": {**OK, "HealthRollup": "OK"}, "Metrics": ref(f"{S}/MemorySummary/MemoryMetrics")},
            "PowerState": "On", "PowerOnDelaySeconds": 3, "PowerOnDelaySeconds@Redfish.AllowableNumbers": delay(3),
            "PowerOffDelaySeconds": 3, "PowerOffDelaySeconds@Redfish.AllowableNumbers": delay(3),
            "PowerCycleDelaySeconds": 5, "PowerCycleDelaySeconds@Redfish.AllowableNumbers": delay(5),
            "Boot": {"BootSourceOverrideEnabled": "Disabled", "BootSourceOverrideMode": "UEFI", "BootSourceOverrideTarget": "None",
                     "BootSourceOverrideTarget@Redfish.AllowableValues": ["None", "Pxe", "Floppy", "Cd", "Usb", "Hdd", "BiosSetup",
                                                                          "UsbCd", "UefiBootNext", "UefiHttp"],
                     "BootOptions": ref(f"{S}/BootOptions"), "BootNext": None, "BootOrder": ["Boot0001", "Boot0002", "Boot0003"]},
            "GraphicalConsole": {"ServiceEnabled": True, "Port": 5900, "MaxConcurrentSessions": 4, "ConnectTypesSupported": ["KVMIP"]},
            "SerialConsole": {"MaxConcurrentSessions": 1,
                              "SSH": {"ServiceEnabled": True, "Port": 22, "SharedWithManagerCLI": True,
                                      "ConsoleEntryCommand": "cd system1/sol1; start",
                                      "HotKeySequenceDisplay": "press <Enter>, <Esc>, and then <T> to terminate session"},
                              "IPMI": {"HotKeySequenceDisplay": "Press ~.  - terminate connection", "ServiceEnabled": True, "Port": 623}},
            "VirtualMediaConfig": {"ServiceEnabled": True, "Port": 623},
            "BootProgress": {"LastState": "SystemHardwareInitializationComplete"},
            **{k: ref(f"{S}/{k}") for k in ("Processors", "Memory", "EthernetInterfaces", "NetworkInterfaces", "SimpleStorage",
                                             "Storage", "LogServices", "SecureBoot", "Bios")},
            "VirtualMedia": ref(f"{M}/VirtualMedia"),
            "Links": {"Chassis": [ref(f"{R}/Chassis/1")], "ManagedBy": [ref(M)]},
            "Actions": {"Oem": {}, "#ComputerSystem.Reset": action(f"{S}/Actions/ComputerSystem.Reset", f"{S}/ResetActionInfo")},
            "Oem": {"Supermicro": {"NodeManager": ref(f"{S}/Oem/Supermicro/NodeManager"),
                                   "FixedBootOrder": ref(f"{S}/Oem/Supermicro/FixedBootOrder"),
                                   "@odata.type": "#SmcSystemExtensions.v1_0_0.System"}}}
    t[f"{S}/ResetActionInfo"] = action_info(f"{S}/ResetActionInfo", "ResetActionInfo", "Reset Action Info", [
        param("ResetType", required=True, AllowableValues=["On", "ForceOff", "GracefulShutdown", "GracefulRestart",
                                                           "ForceRestart", "Nmi", "ForceOn", "PowerCycle"])])
    bios_links = {"ActiveSoftwareImage": ref(f"{FW}/BIOS"),
                  "SoftwareImages": [ref(f"{FW}/{x}") for x in ("BIOS", "Backup_BIOS", "Golden_BIOS", "Staging_BIOS", "Capsule_BIOS")]}
    t[f"{S}/Bios"] = {"@odata.type": "#Bios.v1_1_1.Bios", "@odata.id": f"{S}/Bios", "Id": "Bios",
                      "Name": "BIOS Configuration Current Settings", "AttributeRegistry": "BiosAttributeRegistry.v1_0_0",
                      "Description": "BIOS Configuration Current Settings",
                      "@Redfish.Settings": {"@odata.type": "#Settings.v1_0_4.Settings", "SettingsObject": ref(f"{S}/Bios/SD")},
                      "Actions": {"Oem": {}, "#Bios.ResetBios": action(f"{S}/Bios/Actions/Bios.ResetBios"),
                                  "#Bios.ChangePassword": action(f"{S}/Bios/Actions/Bios.ChangePassword",
                                                                 f"{S}/Bios/ChangePasswordActionInfo")},
                      "Links": bios_links, "Attributes": dict(BIOS_ATTRIBUTES)}
    # Supermicro omits Attributes from Bios/SD while nothing is pending.
    t[f"{S}/Bios/SD"] = {"@odata.type": "#Bios.v1_1_1.Bios", "@odata.id": f"{S}/Bios/SD", "Id": "SD",
                         "Name": "BIOS Configuration Pending Settings", "AttributeRegistry": "BiosAttributeRegistry.v1_0_0",
                         "Description": "BIOS Configuration Pending Settings. These settings will be applied on next system reboot.",
                         "Links": bios_links}
    t[f"{S}/Bios/ChangePasswordActionInfo"] = action_info(f"{S}/Bios/ChangePasswordActionInfo", "ChangePasswordActionInfo",
                                                          "Change Password Action Info",
                                                          [param(n, required=True) for n in ("PasswordName", "OldPassword", "NewPassword")])
    boot_names = ["UEFI Hard Disk:(NVMe) Samsung SSD 980 PRO 1TB", f"(B26/D0/F0) UEFI PXE IPv4 Intel(R) Ethernet Controller X550 - {mac.replace(':', '')}",
                  "UEFI: Built-in EFI Shell"]
    t[f"{S}/BootOptions"] = collection(f"{S}/BootOptions", "BootOptionCollection", "Boot Option Collection",
                                       [f"{S}/BootOptions/Boot000{n}" for n in (1, 2, 3)])
    for n, display in enumerate(boot_names, 1):
        t[f"{S}/BootOptions/Boot000{n}"] = {"@odata.type": "#BootOption.v1_0_4.BootOption", "@odata.id": f"{S}/BootOptions/Boot000{n}",
                                            "Id": f"Boot000{n}", "Name": "Boot Option", "Description": "UEFI Boot Option",
                                            "BootOptionEnabled": True, "BootOptionReference": f"Boot000{n}", "DisplayName": display}
    t[f"{S}/SecureBoot"] = {"@odata.type": "#SecureBoot.v1_1_0.SecureBoot", "@odata.id": f"{S}/SecureBoot", "Id": "Security Boot",
                            "Name": "SecureBoot", "SecureBootCurrentBoot": "Disabled", "SecureBootEnable": False,
                            "SecureBootMode": "SetupMode", "SecureBootDatabases": ref(f"{S}/SecureBoot/SecureBootDatabases"),
                            "Actions": {"Oem": {}, "#SecureBoot.ResetKeys": action(f"{S}/SecureBoot/Actions/SecureBoot.ResetKeys",
                                                                                   f"{S}/SecureBoot/ResetKeysActionInfo")}}
    t[f"{S}/Certificates/0"] = {"@odata.type": "#Certificate.v1_5_0.Certificate", "@odata.id": f"{S}/Certificates/0", "Id": "0",
                                "Name": "BMC internal Certificate", **i["certs"]["platform"], "CertificateType": "PEM",
                                "CertificateUsageTypes": ["Platform"], "FingerprintHashAlgorithm": "TPM_ALG_SHA256",
                                "KeyUsage": ["ServerAuthentication"]}
    t[f"{S}/EthernetInterfaces/ToManager"] = host_nic(f"{S}/EthernetInterfaces/ToManager", "ToManager", "Host Network Interface",
                                                      i["host_mac"], "169.254.3.1")
    t[f"{S}/LogServices/Log1"] = {"@odata.type": "#LogService.v1_2_0.LogService", "@odata.id": f"{S}/LogServices/Log1", "Id": "Log1",
                                  "Name": "Health Event Log Service", "MaxNumberOfRecords": 4096, "OverWritePolicy": "WrapsWhenFull",
                                  "DateTime": "2024-06-01T12:00:00Z", "DateTimeLocalOffset": "+00:00", "ServiceEnabled": True,
                                  "Status": dict(OK), "LogEntryType": "SEL",
                                  "Oem": {"Supermicro": {"@odata.type": "#SmcLogService.v1_0_0.LogService", "ACPowerOnEventLog": True,
                                                         "FIFOEventLog": True, "SmartPowerEventLog": False}},
                                  "Entries": ref(f"{S}/LogServices/Log1/Entries"),
                                  "Actions": {"Oem": {"#SmcLogService.ClearAcknowledgements": action(
                                      f"{S}/LogServices/Log1/Actions/Oem/SmcLogService.ClearAcknowledgements")},
                                      "#LogService.ClearLog": action(f"{S}/LogServices/Log1/Actions/LogService.ClearLog")}}
    t[f"{S}/LogServices/Log1/Entries"] = collection(f"{S}/LogServices/Log1/Entries", "LogEntryCollection", "Log Entry Collection",
                                                    [f"{S}/LogServices/Log1/Entries/1"])
    t[f"{S}/LogServices/Log1/Entries/1"] = {
        "@odata.type": "#LogEntry.v1_7_0.LogEntry", "@odata.id": f"{S}/LogServices/Log1/Entries/1", "Id": "1",
        "Name": "Health Event Log Entry 1", "EntryType": "SEL", "Severity": "Warning", "Created": "2024-05-21T15:35:03Z",
        "EntryCode": "Assert", "OemSensorType": "System NIC", "SensorNumber": 255, "Message": "[LAN-0006] Dedicated LAN Link Down",
        "MessageId": "0xA401FF", "GeneratorId": "0x0020",
        "Oem": {"Supermicro": {"MarkAsAcknowledged": False, "@odata.type": "#SmcLogEntryExtensions.v1_0_1.LogEntry",
                               "RawEventData": {"EventDirAndType": "0x6F", "SensorType": "0xD0", "SensorName": None}}}}
    t[f"{S}/Oem/Supermicro/FixedBootOrder"] = {
        "@odata.type": "#SmcFixedBootOrder.v1_0_0.SmcFixedBootOrder", "@odata.id": f"{S}/Oem/Supermicro/FixedBootOrder",
        "Id": "FixedBootOrder", "Name": "Fixed Boot Order", "BootModeSelected": "UEFI",
        "FixedBootOrder": ["UEFI Hard Disk", "UEFI CD/DVD", "UEFI USB Hard Disk", "UEFI USB CD/DVD", "UEFI USB Key",
                           "UEFI USB Floppy", "UEFI USB Lan", f"UEFI Network:{boot_names[1]}", "UEFI AP:UEFI: Built-in EFI Shell"],
        "FixedBootOrderDisabledItem": ["Disabled"], "UEFIAP": ["UEFI: Built-in EFI Shell"], "UEFIAPDisabledItem": ["Disabled"],
        "UEFINetwork": [boot_names[1]], "UEFINetworkDisabledItem": ["Disabled"]}
    t[f"{S}/Oem/Supermicro/NodeManager"] = {
        "@odata.type": "#SmcNodeManager.v1_0_1.SmcNodeManager", "@odata.id": f"{S}/Oem/Supermicro/NodeManager",
        "Id": "Node Manager", "Name": "Node Manager",
        "Capabilities": [{"DomainID": "Entire platform", "PolicyType": "Power Control Policy", "MaxConcurrentSettings": 16,
                          "MaxValueAfterReset": 32767, "MinValueAfterReset": 1, "MaxCorrectionTime": 600000,
                          "MinCorrectionTime": 3000, "MaxReportingPeriod": 3600, "MinReportingPeriod": 1, "DomainLimitingScope": 128}],
        "Statistics": [{"Mode": "Global power statistics", "DomainID": "Entire platform", "Timestamp": "2024-06-01T12:00:00:+00:00",
                        "CurrentValue": 412, "MaximumValue": 655, "MinimumValue": 1, "AverageValue": 398, "ReportingPeriod": 86400}],
        "IntelPsysEnabled": False, "IntelPsysSupported": False,
        "Version": {"IntelNMVersion": "Supported Intel NM 6.0", "IPMIVersion": "Intel NM IPMI version 6.0", "PatchVersion": 0,
                    "MajorRevision": 6, "MinorRevision": 5},
        "Selftest": {"MajorCode": 85, "MinorCode": 0, "ImageFlags": "Operational"},
        "Policy": [{"DomainID": "Entire platform", "PolicyID": 1, "PolicyType": 0, "PolicyExceptionActions": 0, "PowerLimit": 0,
                    "CorrectionTimeLimit": 0, "PolicyTriggerLimit": 0, "StatReportingPeriod": 0}],
        "Actions": {"#SmcNodeManager.ClearAllPolicies": action(f"{S}/Oem/Supermicro/NodeManager/Actions/SmcNodeManager.ClearAllPolicies")}}

    t[f"{R}/Chassis"] = collection(f"{R}/Chassis", "ChassisCollection", "Chassis Collection", [f"{R}/Chassis/1"])
    t[f"{R}/Chassis"] = {k: t[f"{R}/Chassis"][k] for k in ("@odata.type", "@odata.id", "Name", "Members", "Members@odata.count")}
    t[f"{R}/Chassis/1"] = {
        "@odata.type": "#Chassis.v1_14_0.Chassis", "@odata.id": f"{R}/Chassis/1", "Id": "1", "Name": "Computer System Chassis",
        "ChassisType": "RackMount", "Manufacturer": "Supermicro", "Model": i["board"], "SerialNumber": i["chassis_serial"],
        "PartNumber": i["chassis_part"], "AssetTag": None, "IndicatorLED": "Off", "LocationIndicatorActive": False,
        "MaxPowerWatts": i["max_power"], "PowerState": "On", "Status": {**OK, "HealthRollup": "OK"},
        **{k: ref(f"{R}/Chassis/1/{k}") for k in ("Power", "PCIeDevices", "Thermal", "NetworkAdapters", "PCIeSlots", "Sensors")},
        "Memory": ref(f"{S}/Memory"),
        "Links": {"ComputerSystems": [ref(S)], "ManagedBy": [ref(M)], "ManagersInChassis": [ref(M)]},
        "Oem": {"Supermicro": {"@odata.type": "#SmcChassisExtensions.v1_0_0.Chassis", "BoardSerialNumber": i["board_serial"],
                               "GUID": i["guid"], "BoardID": "0x" + i["board_id"].lower()}}}

    # ---- manager ------------------------------------------------------------------------------
    t[f"{R}/Managers"] = collection(f"{R}/Managers", "ManagerCollection", "Manager Collection", [M], Description="Manager Collection")
    oem_links = ["RADIUS", "MouseMode", "NTP", "IPAccessControl", "SMCRAKP", "Syslog", "SysLockdown", "Snooping", "FanMode",
                 "IKVM", "KCSInterface", "LLDP"]
    t[M] = {"@odata.type": "#Manager.v1_11_0.Manager", "@odata.id": M, "Id": "1", "Name": "Manager", "Description": "BMC",
            "ManagerType": "BMC", "UUID": uuid, "Model": "ASPEED", "FirmwareVersion": i["bmc"], "DateTime": "2024-06-01T12:00:00Z",
            "DateTimeLocalOffset": "+00:00", "LastResetTime": "2024-05-30T08:12:44Z", "AutoDSTEnabled": False,
            "AutoDSTEnabled@Redfish.AllowableValues": ["false"], "TimeZoneName": "(UTC+00:00) Coordinated Universal Time",
            "TimeZoneName@Redfish.AllowableValues": TIME_ZONES, "Status": dict(OK),
            "GraphicalConsole": {"ServiceEnabled": True, "MaxConcurrentSessions": 4, "ConnectTypesSupported": ["KVMIP"]},
            "CommandShell": {"ServiceEnabled": True, "MaxConcurrentSessions": 0, "ConnectTypesSupported": ["SSH"]},
            **{k: ref(f"{M}/{k}") for k in ("NetworkProtocol", "EthernetInterfaces", "SerialInterfaces", "LogServices",
                                             "VirtualMedia", "HostInterfaces")},
            "Links": {"ManagerForServers": [ref(S)], "ManagerForChassis": [ref(f"{R}/Chassis/1")],
                      "ManagerInChassis": ref(f"{R}/Chassis/1/"), "ActiveSoftwareImage": ref(f"{FW}/BMC"),
                      "SoftwareImages": [ref(f"{FW}/{x}") for x in ("BMC", "Backup_BMC", "Golden_BMC", "Staging_BMC")], "Oem": {}},
            "Actions": {"Oem": {"#SmcManagerConfig.Reset": action(f"{M}/Actions/Oem/SmcManagerConfig.Reset", f"{OEM}/ResetActionInfo")},
                        "#Manager.ResetToDefaults": action(f"{M}/Actions/Manager.ResetToDefaults", f"{M}/ResetToDefaultsActionInfo"),
                        "#Manager.Reset": action(f"{M}/Actions/Manager.Reset", **{"ResetType@Redfish.AllowableValues": ["GracefulRestart"]})},
            "Oem": {"Supermicro": {"@odata.type": "#SmcManagerExtensions.v1_0_0.Manager",
                                   **{k: ref(f"{OEM}/{k}") for k in oem_links}, "LicenseManager": ref(f"{M}/LicenseManager")}}}
    t[f"{OEM}/ResetActionInfo"] = action_info(f"{OEM}/ResetActionInfo", "Oem", "OEM Factory Default Action Info",
                                              [param("Option", required=True, AllowableValues=["PreserveUser", "ResetToADMIN"])])
    t[f"{M}/ResetToDefaultsActionInfo"] = action_info(f"{M}/ResetToDefaultsActionInfo", "ResetToDefaultsActionInfo",
                                                      "Factory Default Action Info",
                                                      [param("ResetType", required=True,
                                                             AllowableValues=["PreserveNetworkAndUsers", "PreserveNetwork"])])
    NP = f"{M}/NetworkProtocol"
    t[NP] = {"@odata.type": "#ManagerNetworkProtocol.v1_6_2.ManagerNetworkProtocol", "@odata.id": NP, "Id": "NetworkProtocol",
             "Name": "Manager Network Protocol", "Description": "Manager Network Service Status", "Status": dict(OK),
             "HostName": None, "FQDN": None, "HTTP": {"ProtocolEnabled": True, "Port": 80},
             "HTTPS": {"ProtocolEnabled": True, "Port": 443, "Certificates": ref(f"{NP}/HTTPS/Certificates")},
             "SNMP": {"AuthenticationProtocol": None, "CommunityAccessMode": None, "CommunityStrings": [], "EnableSNMPv2c": False,
                      "EnableSNMPv3": False, "EncryptionProtocol": None, "EngineId": {"PrivateEnterpriseId": "00 00 53 45"},
                      "HideCommunityStrings": None, "ProtocolEnabled": False, "Port": 161},
             "IPMI": {"ProtocolEnabled": True, "Port": 623}, "SSH": {"ProtocolEnabled": True, "Port": 22},
             "VirtualMedia": {"ProtocolEnabled": True, "Port": 623}, "KVMIP": {"ProtocolEnabled": True, "Port": 5900},
             "NTP": {"ProtocolEnabled": False, "NTPServers": ["localhost", "127.0.0.1"]},
             "SSDP": {"ProtocolEnabled": True, "Port": 1900, "NotifyTTL": 2, "NotifyIPv6Scope": "Link"}}
    t[f"{NP}/HTTPS/Certificates"] = collection(f"{NP}/HTTPS/Certificates", "CertificateCollection", "Certificate Collection",
                                               [f"{NP}/HTTPS/Certificates/1"], **{"@Redfish.SupportedCertificates": ["PEM"]})
    t[f"{NP}/HTTPS/Certificates/1"] = https_certificate(i["certs"]["factory"])
    t[f"{M}/EthernetInterfaces"] = collection(f"{M}/EthernetInterfaces", "EthernetInterfaceCollection",
                                              "Ethernet Network Interface Collection",
                                              [f"{M}/EthernetInterfaces/1", f"{M}/EthernetInterfaces/ToHost"],
                                              Description="Collection of EthernetInterfaces for this Manager")
    t[f"{M}/EthernetInterfaces/1"] = bmc_nic(i)
    t[f"{M}/EthernetInterfaces/ToHost"] = host_nic(f"{M}/EthernetInterfaces/ToHost", "ToHost", "Management Network Interface",
                                                   i["tohost_mac"], "169.254.3.254", host_name=True)
    t[f"{M}/HostInterfaces"] = collection(f"{M}/HostInterfaces", "HostInterfaceCollection", "Host Interface Collection",
                                          [f"{M}/HostInterfaces/1"])
    t[f"{M}/HostInterfaces/1"] = {
        "@odata.type": "#HostInterface.v1_3_0.HostInterface", "@odata.id": f"{M}/HostInterfaces/1", "Id": "1",
        "Name": "Host Interface", "Description": "Management Host Interface", "HostInterfaceType": "NetworkHostInterface",
        "Status": dict(OK), "InterfaceEnabled": True, "ExternallyAccessible": False,
        "AuthenticationModes": ["BasicAuth", "RedfishSessionAuth"],
        "CredentialBootstrapping": {"Enabled": True, "EnableAfterReset": True, "RoleId": "Administrator"},
        "HostEthernetInterfaces": ref(f"{M}/HostInterfaces/1/HostEthernetInterfaces"),
        "ManagerEthernetInterface": ref(f"{M}/EthernetInterfaces/ToHost"), "NetworkProtocol": ref(NP),
        "Links": {"ComputerSystems": [ref(S)], "CredentialBootstrappingRole": ref(f"{A}/Roles/Administrator")}, "Oem": {}}
    t[f"{M}/SerialInterfaces"] = collection(f"{M}/SerialInterfaces", "SerialInterfaceCollection", "Serial Interface Collection",
                                            [f"{M}/SerialInterfaces/1"])
    t[f"{M}/SerialInterfaces/1"] = {"@odata.type": "#SerialInterface.v1_1_7.SerialInterface", "@odata.id": f"{M}/SerialInterfaces/1",
                                    "Id": "1", "Name": "SerialInterface", "Description": "Serial over LAN", "InterfaceEnabled": True,
                                    "SignalType": "Rs232", "BitRate": "115200", "Parity": "None", "DataBits": "8", "StopBits": "1",
                                    "FlowControl": "None", "ConnectorType": "RJ45", "PinOut": "Cyclades"}
    t[f"{M}/LogServices"] = collection(f"{M}/LogServices", "LogServiceCollection", "Log Service Collection", [f"{M}/LogServices/Log1"])
    t[f"{M}/LogServices/Log1"] = {"@odata.type": "#LogService.v1_2_0.LogService", "@odata.id": f"{M}/LogServices/Log1", "Id": "Log1",
                                  "Name": "Maintenance Event Log Service", "MaxNumberOfRecords": 512, "OverWritePolicy": "WrapsWhenFull",
                                  "DateTime": "2024-06-01T12:00:00Z", "DateTimeLocalOffset": "+00:00", "ServiceEnabled": True,
                                  "Status": dict(OK), "LogEntryType": "OEM", "Oem": {}, "Entries": ref(f"{M}/LogServices/Log1/Entries"),
                                  "Actions": {"Oem": {}, "#LogService.ClearLog": action(f"{M}/LogServices/Log1/Actions/LogService.ClearLog")}}
    t[f"{M}/LogServices/Log1/Entries"] = collection(f"{M}/LogServices/Log1/Entries", "LogEntryCollection", "Log Entry Collection",
                                                    [f"{M}/LogServices/Log1/Entries/1"])
    t[f"{M}/LogServices/Log1/Entries/1"] = {
        "@odata.type": "#LogEntry.v1_7_0.LogEntry", "@odata.id": f"{M}/LogServices/Log1/Entries/1", "Id": "1",
        "Name": "Maintenance Event Log Entry 1", "EntryType": "Oem", "Severity": "OK", "Created": "2024-05-30T08:13:40Z",
        "OemRecordFormat": "SMC", "Message": "[MEL-0207] The host FW user password has been removed.",
        "MessageId": "Event.1.0.HostFwPwdRemoved",
        "Oem": {"Supermicro": {"@odata.type": "#SmcLogEntryExtensions.v1_0_1.LogEntry", "Interface": "IPMI", "User": "ADMIN(ADMIN)",
                               "Source": "Localhost", "Category": "Account"}}}
    VM = f"{M}/VirtualMedia"
    t[VM] = collection(VM, "VirtualMediaCollection", "Virtual Media Collection", [f"{VM}/VirtualMedia{n}" for n in (1, 2, 3)],
                       Description="Collection of Virtual Media for this System")
    for n in (1, 2, 3):
        p = f"{VM}/VirtualMedia{n}"
        t[p] = {"@odata.type": "#VirtualMedia.v1_4_1.VirtualMedia", "@odata.id": p, "Id": f"VirtualMedia{n}",
                "Name": "Virtual Removable Media", "MediaTypes": ["CD", "DVD", "Floppy", "USBStick"], "Inserted": False,
                "Image": None, "TransferMethod": None, "ImageName": None, "ConnectedVia": "NotConnected", "UserName": None,
                "Password": None, "WriteProtected": None, "TransferProtocolType": None, "VerifyCertificate": None,
                "Oem": {"Supermicro": {"AcceptSelfSigned": None, "@odata.type": "#VirtualMediaConfig.v1_0_0.VirtualMediaConfig"}},
                "Actions": {"Oem": {}, "#VirtualMedia.InsertMedia": action(f"{p}/Actions/VirtualMedia.InsertMedia",
                                                                           f"{p}/InsertMediaActionInfo")}}
        t[f"{p}/InsertMediaActionInfo"] = action_info(f"{p}/InsertMediaActionInfo", "InsertMediaActionInfo", "Insert Media Action Info", [
            param("Image", required=True), param("UserName"), param("Password"), param("Inserted", "Boolean"),
            param("TransferMethod"), param("TransferProtocolType"), param("WriteProtected", "Boolean")])
    t[f"{M}/LicenseManager"] = {
        "@odata.type": "#LicenseManager.v1_0_0.LicenseManager", "@odata.id": f"{M}/LicenseManager", "Id": "License Manager",
        "Name": "License Manager", "QueryLicense": ref(f"{M}/LicenseManager/QueryLicense"),
        "Actions": {"Oem": {}, "#LicenseManager.ActivateLicense": action(f"{M}/LicenseManager/Actions/LicenseManager.ActivateLicense"),
                    "#LicenseManager.ClearLicense": action(f"{M}/LicenseManager/Actions/LicenseManager.ClearLicense")}}
    t[f"{M}/LicenseManager/QueryLicense"] = {"@odata.type": "#QueryLicense.v1_0_0.QueryLicense",
                                             "@odata.id": f"{M}/LicenseManager/QueryLicense", "Id": "1", "Name": "LicenseManager",
                                             "Licenses": []}
    t.update(oem_manager(i, OEM))

    # ---- services -------------------------------------------------------------------------------
    E = f"{R}/EventService"
    t[E] = {"@odata.type": "#EventService.v1_7_0.EventService", "@odata.id": E, "Id": "EventService", "Name": "Event Service",
            "Status": dict(OK), "ServiceEnabled": True, "DeliveryRetryAttempts": 3, "DeliveryRetryIntervalSeconds": 60,
            "EventTypesForSubscription": ["StatusChange", "ResourceUpdated", "ResourceAdded", "ResourceRemoved", "Alert"],
            "SMTP": {"ServiceEnabled": False, "Port": 587, "ServerAddress": "0.0.0.0", "FromAddress": None, "ConnectionProtocol": "None",
                     "Authentication": "None", "Username": None, "Password": None},
            "Subscriptions": ref(f"{E}/Subscriptions"),
            "Actions": {"Oem": {}, "#EventService.SubmitTestEvent": action(f"{E}/Actions/EventService.SubmitTestEvent",
                                                                           f"{E}/SubmitTestEventActionInfo")}, "Oem": {}}
    t[f"{E}/SubmitTestEventActionInfo"] = action_info(f"{E}/SubmitTestEventActionInfo", "SubmitTestEventActionInfo",
                                                      "SubmitTestEvent Action Info", [
        param("EventId"), param("EventTimestamp"), param("Severity", AllowableValues=["Information", "Warning", "Critical"]),
        param("Message"), param("MessageId", required=True), param("MessageArgs", "StringArray"), param("OriginOfCondition")])
    t[f"{E}/Subscriptions"] = collection(f"{E}/Subscriptions", "EventDestinationCollection", "Event Subscriptions Collection",
                                         [f"{E}/Subscriptions/{n}" for n in range(1, 17)])
    t[f"{E}/Subscriptions"] = {k: t[f"{E}/Subscriptions"][k] for k in ("@odata.type", "@odata.id", "Name", "Members", "Members@odata.count")}
    for n in range(1, 17):
        t[f"{E}/Subscriptions/{n}"] = empty_subscription(n)

    T = f"{R}/TaskService"
    t[T] = {"@odata.type": "#TaskService.v1_1_5.TaskService", "@odata.id": T, "Id": "TaskService", "Name": "Tasks Service",
            "DateTime": "2024-06-01T12:00:00Z", "CompletedTaskOverWritePolicy": "Oldest", "LifeCycleEventOnTaskStateChange": False,
            "Status": dict(OK), "ServiceEnabled": True, "Tasks": ref(f"{T}/Tasks"), "Oem": {}}
    t[f"{T}/Tasks"] = collection(f"{T}/Tasks", "TaskCollection", "Task Collection", [])

    U = f"{R}/UpdateService"
    t[U] = {"@odata.type": "#UpdateService.v1_8_4.UpdateService", "@odata.id": U, "Id": "UpdateService", "Name": "Update Service",
            "Description": "Service for updating firmware and includes inventory of firmware",
            "Status": {**OK, "HealthRollup": "OK"}, "ServiceEnabled": True, "MultipartHttpPushUri": f"{U}/upload",
            "FirmwareInventory": ref(FW),
            "Actions": {"Oem": {"#SmcUpdateService.Install": action(f"{U}/Actions/Oem/SmcUpdateService.Install",
                                                                    f"{U}/Oem/Supermicro/InstallActionInfo")},
                        "#UpdateService.SimpleUpdate": action(f"{U}/Actions/UpdateService.SimpleUpdate", f"{U}/SimpleUpdateActionInfo"),
                        "#UpdateService.StartUpdate": action(f"{U}/Actions/UpdateService.StartUpdate")},
            "Oem": {"Supermicro": {"@odata.type": "#SmcUpdateServiceExtensions.v1_0_0.UpdateService",
                                   "SSLCert": ref(f"{U}/Oem/Supermicro/SSLCert"), "IPMIConfig": ref(f"{U}/Oem/Supermicro/IPMIConfig")}}}
    t[f"{U}/SimpleUpdateActionInfo"] = action_info(f"{U}/SimpleUpdateActionInfo", "SimpleUpdateActionInfo", "Simple Update Action Info", [
        param("ImageURI", required=True), param("TransferProtocol", AllowableValues=["HTTP", "HTTPS", "FTP"]),
        param("Targets", "StringArray", AllowableValues=[M, f"{FW}/BMC", S, f"{FW}/BIOS", f"{FW}/CPLD_Motherboard"])])
    t[f"{U}/Oem/Supermicro/InstallActionInfo"] = action_info(f"{U}/Oem/Supermicro/InstallActionInfo", "InstallActionInfo",
                                                            "Install Action Info", [
        param("Targets", "StringArray", required=True,
              AllowableValues=["redfish/v1/Managers/1", "redfish/v1/Systems/1", f"{FW}/CPLD_Motherboard"]),
        param("InstallOptions", "StringArray", required=True, AllowableValues=["Recover", "UpdateGolden"])])
    t[f"{U}/Oem/Supermicro/SSLCert"] = {
        "@odata.type": "#SSLCert.v1_0_0.SSLCert", "@odata.id": f"{U}/Oem/Supermicro/SSLCert", "Id": "SSLCert", "Name": "SSLCert",
        "VaildFrom": "Apr 26 00:00:00 2023 GMT", "GoodTHRU": "Apr 26 00:00:00 2033 GMT",
        "Actions": {"#SmcSSLCert.Upload": action(f"{U}/Oem/Supermicro/SSLCert/Actions/SmcSSLCert.Upload",
                                                 **{"UploadKeyWords@Redfish.AllowableValues": ["cert_file", "key_file"]})}}
    t[f"{U}/Oem/Supermicro/IPMIConfig"] = {
        "@odata.type": "#IPMIConfig.v1_0_0.IPMIConfig", "@odata.id": f"{U}/Oem/Supermicro/IPMIConfig", "Id": "IPMIConfig",
        "Name": "Supermicro IPMI Configuration File", "Description": "Description of Supermicro IPMI Configuration File",
        "Actions": {"#SmcIPMIConfig.Upload": action(f"{U}/Oem/Supermicro/IPMIConfig/Actions/SmcIPMIConfig.Upload",
                                                    **{"UploadKeyWords@Redfish.AllowableValues": ["ipmi_config_file"]}),
                    "#SmcIPMIConfig.Download": action(f"{U}/Oem/Supermicro/IPMIConfig/Actions/SmcIPMIConfig.Download")}, "Oem": {}}
    t.update(firmware_inventory(i))

    C = f"{R}/CertificateService"
    t[C] = {"@odata.type": "#CertificateService.v1_0_3.CertificateService", "@odata.id": C, "Id": "CertificateService",
            "Name": "Certificate Service", "CertificateLocations": ref(f"{C}/CertificateLocations"),
            "Actions": {"Oem": {}, "#CertificateService.GenerateCSR": action(f"{C}/Actions/CertificateService.GenerateCSR",
                                                                             f"{C}/GenerateCSRActionInfo"),
                        "#CertificateService.ReplaceCertificate": action(f"{C}/Actions/CertificateService.ReplaceCertificate",
                                                                         f"{C}/ReplaceCertificateActionInfo")}}
    t[f"{C}/CertificateLocations"] = {"@odata.type": "#CertificateLocations.v1_0_2.CertificateLocations",
                                      "@odata.id": f"{C}/CertificateLocations", "Id": "CertificateLocations",
                                      "Name": "Certificate Locations",
                                      "Links": {"Certificates": [ref(f"{NP}/HTTPS/Certificates/1"), ref(f"{S}/Certificates/0")]}}
    t[f"{C}/GenerateCSRActionInfo"] = action_info(f"{C}/GenerateCSRActionInfo", "GenerateCSRActionInfo", "Generate CSR Action Info", [
        param("CommonName", required=True), param("AlternativeNames", "StringArray"), param("Organization", required=True),
        param("OrganizationalUnit", required=True), param("City", required=True), param("State", required=True),
        param("Country", required=True), param("Email"), param("KeyPairAlgorithm", AllowableValues=["TPM_ALG_RSA"]),
        param("KeyBitLength", "Number", MinimumValue=1024, MaximumValue=4096), param("CertificateCollection", "Object", required=True),
        param("KeyUsage", "StringArray", AllowableValues=["ServerAuthentication"])])
    t[f"{C}/ReplaceCertificateActionInfo"] = action_info(f"{C}/ReplaceCertificateActionInfo", "ReplaceCertificateActionInfo",
                                                         "Replace Certificate Action Info", [
        param("CertificateString", required=True), param("CertificateType", required=True, AllowableValues=["PEM"]),
        param("CertificateUri", "Object", required=True)])

    D = f"{R}/Oem/Supermicro/DumpService"
    t[D] = {"@odata.type": "#DumpService.v1_0_2.DumpService", "@odata.id": D, "Id": "DumpService", "Name": "Dump Service",
            "Description": "Dump Service", "Dumps": ref(f"{D}/Dumps"),
            "Actions": {"Oem": {}, "#SmcDumpService.CreateDump": action(f"{D}/Actions/SmcDumpService.CreateDump", f"{D}/CreateDumpActionInfo"),
                        "#SmcDumpService.DeleteAll": action(f"{D}/Actions/SmcDumpService.DeleteAll")}}
    AD = f"{D}/Dumps/AttestationDump"
    t[AD] = {"@odata.type": "#Dump.v1_1_0.Dump", "@odata.id": AD, "Id": "AttestationDump", "Name": "AttestationDump",
             "Description": "Supermicro Attestation Dump Service",
             "AttestationFile": [f"attd_BS={i['board_serial']}_2024-05-30T08:18:21+00:00.bin"],
             "Actions": {"Oem": {}, **{f"#SmcAttestationDump.{a}": action(f"{AD}/Actions/SmcAttestationDump.{a}", f"{AD}/{a}ActionInfo")
                                       for a in ("Generate", "Download", "Delete")}}}
    t[f"{R}/Registries"] = collection(f"{R}/Registries", "MessageRegistryFileCollection", "Registry File Collection",
                                      [f"{R}/Registries/SMC.1.0.0"])
    t.update(standard.build(i, t))
    return t


def oem_manager(i: dict, base: str, x11: bool = False) -> dict[str, dict]:
    """The Supermicro OEM manager features (X12/X13 under Oem/Supermicro; X11 directly under Managers/1)."""
    def res(name, odata_type, id_, **props):
        return {"@odata.type": f"#{odata_type}", "@odata.id": f"{base}/{name}", "Id": id_, **props}
    t = {
        f"{base}/IPAccessControl": res("IPAccessControl", "IPAccessControl.v1_0_1.IPAccessControl", "IP Access Control",
                                       Name="IP Access Control", ServiceEnabled=False,
                                       FilterRules=ref(f"{base}/IPAccessControl/FilterRules")),
        f"{base}/IPAccessControl/FilterRules": collection(f"{base}/IPAccessControl/FilterRules", "FilterRuleCollection",
                                                          "Filter Rule Collection", []),
        f"{base}/NTP": res("NTP", "NTP.v1_0_3.NTP", "NTP", Name="NTP Service", NTPEnable=False, PrimaryNTPServer="localhost",
                           SecondaryNTPServer="127.0.0.1", DaylightSavingTime=False),
        f"{base}/Syslog": res("Syslog", "Syslog.v1_0_1.Syslog", "Syslog", Name="Syslog", EnableSyslog=False, SyslogServer=None,
                              SyslogPortNumber=0),
        f"{base}/RADIUS": res("RADIUS", "RADIUS.v1_0_2.RADIUS", "RADIUS", Name="RADIUS", RadiusEnabled=False, RadiusServer="0.0.0.0",
                              RadiusPortNumber=1812, RadiusSecret=None),
        f"{base}/FanMode": {"@odata.type": "#FanMode.v1_0_1.FanMode", "@odata.id": f"{base}/FanMode", "Name": "FanMode",
                            "Id": "Fan Mode", "Mode": "Optimal", "Mode@Redfish.AllowableValues": i["fan_modes"]},
        f"{base}/MouseMode": {"@odata.type": "#MouseMode.v1_0_0.MouseMode", "@odata.id": f"{base}/MouseMode", "Name": "MouseMode",
                              "Id": "Mouse Mode", "Mode": "Absolute", "Mode@Redfish.AllowableValues": ["Absolute", "Relative", "Single"]},
        f"{base}/SMCRAKP": {"@odata.type": "#SMCRAKP.v1_0_0.SMCRAKP", "@odata.id": f"{base}/SMCRAKP", "Name": "SMCRAKP",
                            "Id": "SMC RAKP", "Mode": "Disabled"},
        f"{base}/Snooping": {"@odata.type": "#Snooping.v1_0_0.Snooping", "@odata.id": f"{base}/Snooping", "Name": "Snooping",
                             "Id": "Snooping", "PostCode": "00"},
        f"{base}/IKVM": res("IKVM", "IKVM.v1_0_2.IKVM", "IKVM", Name="IKVM", **{"Current interface": "HTML 5"},
                            URI=f"/redfish/{i['ikvm_token']}.IKVM"),
    }
    if not x11:
        t[f"{base}/SysLockdown"] = res("SysLockdown", "SysLockdown.v1_0_0.SysLockdown", "SysLockdown", Name="SysLockdown",
                                       SysLockdownEnabled=False)
        t[f"{base}/KCSInterface"] = res("KCSInterface", "KCSInterface.v1_1_0.KCSInterface", "KCS Interface", Name="KCS Interface",
                                        Privilege="Administrator")
        t[f"{base}/LLDP"] = res("LLDP", "LldpService.v1_0_0.LldpService", "LLDP", Name="LLDP", Description="LLDP Service",
                                LLDPEnabled=False, LLDPReceive={})
    return t


def https_certificate(view: dict) -> dict:
    p = f"{M}/NetworkProtocol/HTTPS/Certificates/1"
    return {"@odata.type": "#Certificate.v1_5_0.Certificate", "@odata.id": p, "Id": "1", "Name": "HTTPS Certificate",
            "CertificateString": view["CertificateString"], "CertificateType": "PEM", "CertificateUsageTypes": ["Web"],
            # copies: a later merge-patch of the store must not change the view it was made from
            "Fingerprint": view["Fingerprint"], "FingerprintHashAlgorithm": "TPM_ALG_SHA256", "Issuer": dict(view["Issuer"]),
            "Subject": dict(view["Subject"]), "ValidNotBefore": view["ValidNotBefore"], "ValidNotAfter": view["ValidNotAfter"],
            "KeyUsage": ["ServerAuthentication"], "SerialNumber": view["SerialNumber"], "SignatureAlgorithm": view["SignatureAlgorithm"],
            "Actions": {"Oem": {}, "#Certificate.Rekey": action(f"{p}/Actions/Certificate.Rekey", f"{p}/RekeyActionInfo"),
                        "#Certificate.Renew": action(f"{p}/Actions/Certificate.Renew")}}


def empty_subscription(n: int) -> dict:
    """A pre-allocated, unused event subscription slot."""
    return {"@odata.type": "#EventDestination.v1_9_0.EventDestination", "@odata.id": f"{R}/EventService/Subscriptions/{n}",
            "Id": str(n), "Name": f"EventSubscription {n}", "Status": {"State": "Disabled", "Health": "OK"},
            "Destination": "0.0.0.0", "Context": None, "EventFormatType": "Event", "Protocol": "SNMPv1", "SubscriptionType": "SNMPTrap",
            "SNMP": {"TrapCommunity": None}, "EventTypes": [],
            "Oem": {"Supermicro": {"@odata.type": "#SmcEventDestinationExtensions.v1_0_0.EventDestination", "Severity": "Information",
                                   "EnableSubscription": False}}}


def dhcp_lease(address: str) -> dict:
    """The IPv4 address a BMC on DHCP reports: its own (home) address, the loopback lease."""
    return {"Address": address, "SubnetMask": "255.255.0.0", "AddressOrigin": "DHCP", "Gateway": "127.0.0.254"}


def bmc_nic(i: dict) -> dict:
    """Managers/1/EthernetInterfaces/1 with the capture quirks: null static IPv4 under DHCP, five
    '::' IPv6 slots, string SpeedMbps allowable values, the '(null)' name server."""
    mac = i["mac"]
    b = mac.lower().split(":")
    return {"@odata.type": "#EthernetInterface.v1_6_3.EthernetInterface", "@odata.id": f"{M}/EthernetInterfaces/1", "Id": "1",
            "Name": "Manager Ethernet Interface", "Description": "Management Network Interface", "Status": dict(OK),
            "LinkStatus": "LinkUp", "MACAddress": mac, "SpeedMbps": 1000, "SpeedMbps@Redfish.AllowableValues": ["100", "1000"],
            "AutoNeg": True, "FullDuplex": True, "MTUSize": 1500, "HostName": None, "FQDN": None, "MaxIPv6StaticAddresses": 5,
            "VLAN": {"VLANEnable": False, "VLANId": 1},
            "DHCPv4": {"DHCPEnabled": True, "UseDNSServers": False, "UseGateway": True, "UseNTPServers": False,
                       "UseStaticRoutes": False, "UseDomainName": False, "FallbackAddress": "None"},
            "DHCPv6": {"OperatingMode": "Stateless", "UseDNSServers": False, "UseDomainName": False, "UseNTPServers": False,
                       "UseRapidCommit": False},
            "IPv4Addresses": [dhcp_lease(i["address"])],
            "StatelessAddressAutoConfig": {"IPv4AutoConfigEnabled": False, "IPv6AutoConfigEnabled": True},
            "IPv4StaticAddresses": [{"Address": None, "SubnetMask": None, "Gateway": None}],
            "IPv6StaticAddresses": [{"Address": "::", "PrefixLength": 64} for _ in range(5)],
            "IPv6StaticDefaultGateways": [], "IPv6DefaultGateway": None,
            "IPv6Addresses": [{"Address": f"fe80::{int(b[0], 16) ^ 2:02x}{b[1]}:{b[2]}ff:fe{b[3]}:{b[4]}{b[5]}", "PrefixLength": 64,
                               "AddressOrigin": "LinkLocal", "AddressState": "Preferred"}],
            "NameServers": ["10.10.0.53", "(null)"], "StaticNameServers": [],
            "Oem": {"Supermicro": {"@odata.type": "#SmcEthernetInterfaceExtensions.v1_0_2.EthernetInterface", "IPProtocolStatus": "Dual",
                                   "DUID": "0E:00:00:01:00:01:2D:" + ":".join(b[:3]).upper() + ":" + mac,
                                   "LANInterface": "Failover", "LANInterface@Redfish.AllowableValues": i["lan_values"],
                                   "ActiveInterface": "Dedicated"}}}


def host_nic(path: str, id_: str, description: str, mac: str, address: str, host_name: bool = False) -> dict:
    body = {"@odata.type": "#EthernetInterface.v1_6_3.EthernetInterface", "@odata.id": path, "Id": id_,
            "Name": "Manager Ethernet Interface", "Description": description, "Status": dict(OK), "InterfaceEnabled": True,
            "PermanentMACAddress": mac, "MACAddress": mac, "SpeedMbps": 100, "AutoNeg": True, "FullDuplex": True, "MTUSize": 1500}
    if host_name:
        body["HostName"] = None
    return {**body, "IPv4Addresses": [{"Address": address, "SubnetMask": "255.255.255.0", "AddressOrigin": "Static",
                                       "Gateway": "169.254.3.254"}],
            "IPv4StaticAddresses": [{"Address": address, "SubnetMask": "255.255.255.0", "Gateway": "169.254.3.254"}],
            "Links": {"HostInterface": ref(f"{M}/HostInterfaces/1")},
            "Oem": {"Supermicro": {"@odata.type": "#SmcEthernetInterfaceExtensions.v1_0_2.EthernetInterface", "USBConnection": "RNDIS"}}}
