"""X12 (Redfish 1.14.0, modelled on SYS-510T-MR): the X13 tree with the X12 differences.

* the root carries `Vendor`, `Product` and `ServiceIdentification` (only the 1.14.0 root does);
* the deprecated per-component OEM inventory `UpdateService/Oem/Supermicro/FirmwareInventory/{BMC,BIOS}`
  with its `SmcFirmwareInventory.*` actions is still present;
* no RoT 2.0 platform certificate / attestation dump (X13 only), no Capsule images;
* `ComputerSystem.Reset` advertises the concatenated "GracefulShutdownGracefulRestart" value;
* `EthernetInterface` OEM block v1_0_1 (`UDID`), LAN interface Dedicated/Shared/Failover.
"""
from __future__ import annotations

from . import x13
from .common import OK, R, action, collection, prune_members, ref

LEGACY = f"{R}/UpdateService/Oem/Supermicro/FirmwareInventory"


def legacy_inventory(component: str, version: str, base: str) -> dict:
    """Per-component OEM firmware resource with the SmcFirmwareInventory update actions (X11/X12)."""
    p = f"{base}/{component}"
    return {"@odata.type": "#SmcFirmwareInventory.v1_0_0.SmcFirmwareInventory", "@odata.id": p, "Id": component,
            "Name": f"{component} Firmware", "Version": version, "Status": dict(OK),
            "Actions": {f"#SmcFirmwareInventory.{a}": action(f"{p}/Actions/SmcFirmwareInventory.{a}")
                        for a in ("EnterUpdateMode", "Upload", "Update", "Cancel")}}


def build(i: dict) -> dict[str, dict]:
    t = x13.build(i)
    root = t[R]
    root.update({"@odata.type": "#ServiceRoot.v1_14_0.ServiceRoot", "RedfishVersion": "1.14.0", "Vendor": "Supermicro",
                 "Product": None, "ServiceIdentification": i["serial"]})
    for p in [p for p in t if p.startswith(f"{R}/Oem/Supermicro/DumpService/Dumps/AttestationDump")
              or p == f"{R}/Systems/1/Certificates/0" or p.endswith("/Capsule_BIOS")]:
        del t[p]
    prune_members(t)
    for p in (f"{R}/Systems/1/Bios", f"{R}/Systems/1/Bios/SD"):
        t[p]["Links"]["SoftwareImages"] = [m for m in t[p]["Links"]["SoftwareImages"] if not m["@odata.id"].endswith("Capsule_BIOS")]
    t[f"{R}/CertificateService/CertificateLocations"]["Links"]["Certificates"] = [
        ref(f"{R}/Managers/1/NetworkProtocol/HTTPS/Certificates/1")]
    t[f"{R}/Systems/1"]["Actions"]["#ComputerSystem.Reset"]["ResetType@Redfish.AllowableValues"] = [
        "On", "ForceOff", "GracefulShutdownGracefulRestart", "ForceRestart", "Nmi", "ForceOn"]
    nic = t[f"{R}/Managers/1/EthernetInterfaces/1"]
    nic["InterfaceEnabled"] = True
    oem = nic["Oem"]["Supermicro"]
    oem["@odata.type"] = "#SmcEthernetInterfaceExtensions.v1_0_1.EthernetInterface"
    oem["UDID"] = oem.pop("DUID")
    t[f"{R}/UpdateService"]["Oem"]["Supermicro"]["FirmwareInventory"] = ref(LEGACY)
    t[LEGACY] = collection(LEGACY, "SmcFirmwareInventoryCollection", "Firmware Inventory Collection",
                           [f"{LEGACY}/BMC", f"{LEGACY}/BIOS"])
    t[f"{LEGACY}/BMC"] = legacy_inventory("BMC", i["bmc"], LEGACY)
    t[f"{LEGACY}/BIOS"] = legacy_inventory("BIOS", i["bios"], LEGACY)
    return t
