"""Per-generation Redfish trees. `build(identity)` returns the factory-default store of one BMC
(path -> body) as shipped: services on, ADMIN only, no ACL; bmcsim.fleetgen hardens it."""
from __future__ import annotations

from . import generic, x11, x12, x13

BUILDERS = {"x11": x11.build, "x12": x12.build, "x13": x13.build, "generic": generic.build}


def build(identity: dict) -> dict[str, dict]:
    return BUILDERS[identity["generation"]](identity)
