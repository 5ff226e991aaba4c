"""Small helpers shared by the tree builders."""
from __future__ import annotations

R = "/redfish/v1"


def ref(path: str) -> dict:
    return {"@odata.id": path}


def collection(path: str, odata_type: str, name: str, members, **extra) -> dict:
    members = [ref(m) for m in members]
    return {"@odata.type": f"#{odata_type}.{odata_type}", "@odata.id": path, "Name": name, **extra,
            "Members@odata.count": len(members), "Members": members}


def action_info(path: str, id_: str, name: str, parameters: list[dict]) -> dict:
    return {"@odata.type": "#ActionInfo.v1_1_2.ActionInfo", "@odata.id": path, "Id": id_, "Name": name,
            "Parameters": parameters, "Oem": {}}


def param(name: str, data_type: str = "String", required: bool = False, **extra) -> dict:
    return {"Name": name, "Required": required, "DataType": data_type, **extra}


def action(target: str, info: str | None = None, **extra) -> dict:
    a = {"target": target}
    if info:
        a["@Redfish.ActionInfo"] = info
    return {**a, **extra}


OK = {"State": "Enabled", "Health": "OK"}


def prune_members(tree: dict[str, dict]) -> dict[str, dict]:
    """Drop collection members that point at resources `tree` does not have (a generation or
    board without them), keeping the member counts in step."""
    for body in tree.values():
        members = body.get("Members")
        if isinstance(members, list) and "Members@odata.count" in body:
            body["Members"] = [m for m in members if not isinstance(m, dict) or m.get("@odata.id", "") in tree]
            body["Members@odata.count"] = len(body["Members"])
    return tree
