"""X11 (Redfish 1.0.1, BMC 01.7x): the old layout.

* root `#ServiceRoot.v1_1_0`, `Oem: {}`, no CertificateService, TelemetryService or DumpService;
* no `@odata.etag` anywhere (the rendering layer leaves it out for X11);
* OEM features directly under `Managers/1/<Feature>` (IPAccessControl, NTP, Syslog, SNMP, SMTP,
  RADIUS, ...); no LicenseManager resource, SysLockdown, KCSInterface, LLDP or HostInterfaces;
* firmware inventory only through `UpdateService/SmcFirmwareInventory/{BMC,BIOS}`;
* SNMP community details and SMTP live in the OEM SNMP/SMTP resources (field names inferred).
"""
from __future__ import annotations

from . import x12, x13
from .common import R, action, collection, prune_members, ref

M = f"{R}/Managers/1"
SMC_FW = f"{R}/UpdateService/SmcFirmwareInventory"
DROP = ("CertificateService", "TelemetryService", "Oem/Supermicro", "Managers/1/Oem/Supermicro", "Managers/1/LicenseManager",
        "Managers/1/HostInterfaces", "Managers/1/EthernetInterfaces/ToHost", "Systems/1/EthernetInterfaces/ToManager",
        "Systems/1/Certificates", "UpdateService/FirmwareInventory", "UpdateService/Oem", "UpdateService/SimpleUpdateActionInfo",
        "Systems/1/Oem/Supermicro", "Managers/1/VirtualMedia", "Managers/1/SerialInterfaces")


def build(i: dict) -> dict[str, dict]:
    full = x13.build(i)
    t = {p: b for p, b in full.items() if not any(p == f"{R}/{d}" or p.startswith(f"{R}/{d}/") for d in DROP)}
    t[R] = {"@odata.type": "#ServiceRoot.v1_1_0.ServiceRoot", "@odata.id": R, "Id": "ServiceRoot", "Name": "Root Service",
            "RedfishVersion": "1.0.1", "UUID": i["uuid"],
            **{k: ref(f"{R}/{k}") for k in ("Systems", "Chassis", "Managers")}, "Tasks": ref(f"{R}/TaskService"),
            **{k: ref(f"{R}/{k}") for k in ("SessionService", "AccountService", "EventService", "UpdateService", "Registries",
                                             "JsonSchemas")},
            "Links": {"Sessions": ref(f"{R}/SessionService/Sessions")}, "Oem": {}}
    features = x13.oem_manager(i, M, x11=True)
    features[f"{M}/SNMP"] = {"@odata.type": "#SNMP.v1_0_0.SNMP", "@odata.id": f"{M}/SNMP", "Id": "SNMP", "Name": "SNMP",
                             "SNMPEnabled": False, "SNMPv2Enabled": False, "ROCommunity": "public", "RWCommunity": "private",
                             "SNMPv3Enabled": False}
    features[f"{M}/SMTP"] = {"@odata.type": "#SMTP.v1_0_0.SMTP", "@odata.id": f"{M}/SMTP", "Id": "SMTP", "Name": "SMTP",
                             "SMTPEnabled": False, "ServerAddress": "0.0.0.0", "Port": 25, "SSLEnabled": False, "UserName": None,
                             "Password": None, "SenderAddress": None}
    t.update(features)

    m = t[M]
    m["@odata.type"] = "#Manager.v1_3_0.Manager"
    for k in ("LastResetTime", "AutoDSTEnabled", "AutoDSTEnabled@Redfish.AllowableValues", "TimeZoneName",
              "TimeZoneName@Redfish.AllowableValues", "HostInterfaces", "SerialInterfaces"):
        m.pop(k, None)
    m["VirtualMedia"] = ref(f"{M}/VM1")
    m["Links"] = {"ManagerForServers": [ref(f"{R}/Systems/1")], "ManagerForChassis": [ref(f"{R}/Chassis/1")], "Oem": {}}
    m["Actions"] = {"Oem": {"#ManagerConfig.Reset": action(f"{M}/Actions/Oem/ManagerConfig.Reset")},
                    "#Manager.Reset": action(f"{M}/Actions/Manager.Reset")}
    m["Oem"] = {"Supermicro": {"@odata.type": "#SmcManagerExtensions.v1_0_0.Manager",
                               **{p.rsplit("/", 1)[1]: ref(p) for p in features if p.count("/") == M.count("/") + 1}}}
    t[f"{M}/VM1"] = {"@odata.type": "#VirtualMedia.v1_0_0.VirtualMedia", "@odata.id": f"{M}/VM1", "Id": "VM1",
                     "Name": "Virtual Media", "MediaTypes": ["CD", "USBStick"], "Image": None, "ImageName": None,
                     "ConnectedVia": "NotConnected", "Inserted": False, "WriteProtected": True}
    nic = t[f"{M}/EthernetInterfaces/1"]
    nic["@odata.type"] = "#EthernetInterface.v1_0_3.EthernetInterface"
    nic["VLAN"]["VLANId"] = 0
    nic["Oem"] = {}
    np = t[f"{M}/NetworkProtocol"]
    np["@odata.type"] = "#ManagerNetworkProtocol.v1_0_0.ManagerNetworkProtocol"
    np["SNMP"] = {"ProtocolEnabled": False, "Port": 161}
    t[f"{M}/NetworkProtocol/HTTPS/Certificates/1"]["@odata.type"] = "#Certificate.v1_0_0.Certificate"

    s = t[f"{R}/Systems/1"]
    s["@odata.type"] = "#ComputerSystem.v1_3_0.ComputerSystem"
    s.pop("VirtualMedia")  # X11 has one virtual media resource, linked from the manager (VM1)
    s["Oem"] = {"Supermicro": {"NodeManager": ref(f"{R}/Systems/1/SmcNodeManager")}}
    node_manager = full[f"{R}/Systems/1/Oem/Supermicro/NodeManager"]
    t[f"{R}/Systems/1/SmcNodeManager"] = {**node_manager, "@odata.id": f"{R}/Systems/1/SmcNodeManager", "Actions": {}}
    s["Actions"]["#ComputerSystem.Reset"].pop("@Redfish.ActionInfo")
    s["Actions"]["#ComputerSystem.Reset"]["ResetType@Redfish.AllowableValues"] = [
        "On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart", "Nmi", "ForceOn"]
    t[f"{R}/AccountService"]["@odata.type"] = "#AccountService.v1_0_2.AccountService"
    for k in ("LDAP", "ActiveDirectory", "Oem"):
        t[f"{R}/AccountService"].pop(k)

    u = t[f"{R}/UpdateService"]
    u["@odata.type"] = "#UpdateService.v1_2_0.UpdateService"
    for k in ("MultipartHttpPushUri", "FirmwareInventory"):
        u.pop(k)
    u["Actions"] = {"Oem": {}}
    u["Oem"] = {"Supermicro": {"SmcFirmwareInventory": ref(SMC_FW)}}
    t[SMC_FW] = collection(SMC_FW, "SmcFirmwareInventoryCollection", "Firmware Inventory Collection",
                           [f"{SMC_FW}/BMC", f"{SMC_FW}/BIOS"])
    t[f"{SMC_FW}/BMC"] = x12.legacy_inventory("BMC", i["bmc"], SMC_FW)
    t[f"{SMC_FW}/BIOS"] = x12.legacy_inventory("BIOS", i["bios"], SMC_FW)
    for p in (f"{R}/Systems/1/Bios", f"{R}/Systems/1/Bios/SD"):
        t[p].pop("Links")
    t[f"{R}/Registries"]["Members"] = []
    t[f"{R}/Registries"]["Members@odata.count"] = 0
    return prune_members(t)
