"""A Redfish BMC that is not a Supermicro (profile `generic`): what lands in the inventory by
mistake, a Dell/HPE/OpenBMC box. It stands in for sushy-tools' emulator, not for a real model:
the standard DMTF resources of the X13 tree at the same `/1` ids (HPE iLO numbers its Systems,
Chassis and Managers `1` too), another Manufacturer and root `Vendor`, and no OEM anywhere: no
`Oem` blocks, no `Oem/Supermicro` resources, no licence manager, no firmware image file names.

The tree is built and hardened like an X13 (bmcsim.fleetgen), then `rebrand()` turns it into the
generic one, so its standard settings (accounts, services, certificate, NTP) are the hardened ones.
"""
from __future__ import annotations

from .common import R, prune_members

VENDOR, MODEL, FIRMWARE = "Contoso", "PowerBox R760", "7.10.30.00"
# Supermicro-only resources, by path fragment.
_OEM_PATHS = ("/Oem/", "/LicenseManager", "/SmcFirmwareInventory")


def _strip_oem(value):
    if isinstance(value, dict):
        return {k: _strip_oem(v) for k, v in value.items() if k != "Oem"}
    if isinstance(value, list):
        return [_strip_oem(v) for v in value]
    return value


def rebrand_tree(tree: dict[str, dict]) -> dict[str, dict]:
    """The generic tree made from a Supermicro X13 tree (a new dict; the bodies are rebuilt)."""
    store = {p: _strip_oem(b) for p, b in tree.items() if not any(f in p for f in _OEM_PATHS)}
    store[R].update(Vendor=VENDOR, Product="%s Remote Controller" % VENDOR)
    for path in (f"{R}/Systems/1", f"{R}/Chassis/1"):
        store[path].update(Manufacturer=VENDOR, Model=MODEL)
    store[f"{R}/Managers/1"].update(FirmwareVersion=FIRMWARE, Model="%s RC" % VENDOR)
    for path, body in store.items():
        if path.startswith(f"{R}/UpdateService/FirmwareInventory/") and body.get("Id") == "BMC":
            body["Version"] = FIRMWARE
        if body.get("Manufacturer") == "Supermicro":
            body["Manufacturer"] = VENDOR
    return prune_members(store)


def build(identity: dict) -> dict[str, dict]:
    """The factory tree (also what a configuration reset returns to)."""
    from . import x13
    return rebrand_tree(x13.build(identity))


def rebrand(bmc) -> None:
    """A hardened X13 BMC turned into the generic one."""
    bmc.store = rebrand_tree(bmc.store)
    bmc.licenses = []
    bmc.identity.update(model=MODEL, board=MODEL, bmc=FIRMWARE)
