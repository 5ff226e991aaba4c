"""Standard resources the X13 tree links to that the captures do not hold (processors, memory, power,
thermal, PCIe, telemetry, ...). Short, schema-valid bodies, so that no link of the tree dangles: a real
BMC answers every link it serves, and the DMTF service validator fails a 404 link.

Collections list the members the tree already holds (Systems/1/EthernetInterfaces/ToManager, ...)."""
from __future__ import annotations

from .common import OK, R, action_info, collection, param

S, C, M = f"{R}/Systems/1", f"{R}/Chassis/1", f"{R}/Managers/1"

COLLECTIONS = {
    f"{S}/Processors": "ProcessorCollection", f"{S}/Memory": "MemoryCollection",
    f"{S}/EthernetInterfaces": "EthernetInterfaceCollection", f"{S}/NetworkInterfaces": "NetworkInterfaceCollection",
    f"{S}/SimpleStorage": "SimpleStorageCollection", f"{S}/Storage": "StorageCollection", f"{S}/LogServices": "LogServiceCollection",
    f"{S}/SecureBoot/SecureBootDatabases": "SecureBootDatabaseCollection", f"{C}/PCIeDevices": "PCIeDeviceCollection",
    f"{C}/NetworkAdapters": "NetworkAdapterCollection", f"{C}/Sensors": "SensorCollection",
    f"{M}/HostInterfaces/1/HostEthernetInterfaces": "EthernetInterfaceCollection", f"{R}/JsonSchemas": "JsonSchemaFileCollection",
}


def resource(path: str, odata_type: str, name: str, **props) -> dict:
    return {"@odata.type": f"#{odata_type}", "@odata.id": path, "Id": path.rsplit("/", 1)[1], "Name": name, **props}


def build(i: dict, tree: dict[str, dict]) -> dict[str, dict]:
    t = {f"{S}/Processors/CPU{n}": resource(f"{S}/Processors/CPU{n}", "Processor.v1_10_0.Processor", "Processor",
                                           Socket=f"CPU{n}", ProcessorType="CPU", Manufacturer="Intel(R) Corporation",
                                           Model="Intel(R) Xeon(R) processor", Status=dict(OK))
         for n in range(1, i["cpus"] + 1)}
    t[f"{C}/PCIeDevices/NIC1"] = resource(f"{C}/PCIeDevices/NIC1", "PCIeDevice.v1_5_0.PCIeDevice", f"NIC1 {i['nic_model']}",
                                          Manufacturer="Supermicro", FirmwareVersion=i["nic_fw"], Status=dict(OK))
    for path, odata_type in COLLECTIONS.items():
        members = sorted(p for p in {*tree, *t} if p.rsplit("/", 1)[0] == path)
        t[path] = collection(path, odata_type, odata_type.replace("Collection", " Collection"), members)
    t.update({
        f"{S}/ProcessorSummary/ProcessorMetrics": resource(f"{S}/ProcessorSummary/ProcessorMetrics",
                                                           "ProcessorMetrics.v1_4_0.ProcessorMetrics", "Processor Summary Metrics"),
        f"{S}/MemorySummary/MemoryMetrics": resource(f"{S}/MemorySummary/MemoryMetrics", "MemoryMetrics.v1_4_0.MemoryMetrics",
                                                     "Memory Summary Metrics"),
        f"{C}/Power": resource(f"{C}/Power", "Power.v1_6_1.Power", "Power", PowerControl=[], PowerSupplies=[], Voltages=[]),
        f"{C}/Thermal": resource(f"{C}/Thermal", "Thermal.v1_6_2.Thermal", "Thermal", Fans=[], Temperatures=[]),
        f"{C}/PCIeSlots": resource(f"{C}/PCIeSlots", "PCIeSlots.v1_4_1.PCIeSlots", "PCIe Slot Information", Slots=[]),
        f"{R}/TelemetryService": resource(f"{R}/TelemetryService", "TelemetryService.v1_2_1.TelemetryService", "Telemetry Service",
                                          Status=dict(OK), ServiceEnabled=True),
        f"{R}/Registries/SMC.1.0.0": resource(f"{R}/Registries/SMC.1.0.0", "MessageRegistryFile.v1_1_3.MessageRegistryFile",
                                              "SMC Message Registry File", Registry="SMC.1.0.0", Languages=["en"],
                                              Location=[{"Language": "en", "Uri": f"{R}/Registries/SMC"}]),
        f"{S}/SecureBoot/ResetKeysActionInfo": action_info(
            f"{S}/SecureBoot/ResetKeysActionInfo", "ResetKeysActionInfo", "Reset Keys Action Info",
            [param("ResetKeysType", required=True, AllowableValues=["ResetAllKeysToDefault", "DeleteAllKeys", "DeletePK"])]),
        f"{M}/NetworkProtocol/HTTPS/Certificates/1/RekeyActionInfo": action_info(
            f"{M}/NetworkProtocol/HTTPS/Certificates/1/RekeyActionInfo", "RekeyActionInfo", "Rekey Action Info",
            [param("KeyBitLength", "Number"), param("KeyCurveId"), param("ChallengePassword")]),
    })
    return {p: b for p, b in t.items() if p not in tree}
