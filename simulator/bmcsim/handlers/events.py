"""EventService: 16 pre-allocated subscription slots configured by PATCH (RG34), POST/DELETE for
the DMTF protocol validator, SubmitTestEvent. The simulator never delivers an event anywhere."""
from __future__ import annotations

from ..bmc import R
from ..errors import RedfishError
from ..profiles.x13 import empty_subscription
from .context import Ctx

E = f"{R}/EventService"
SUBS = f"{E}/Subscriptions"
PROTOCOLS = ("SNMPv1", "SNMPv2c", "SNMPv3", "SMTP", "Redfish")
SUBSCRIPTION_TYPES = {"SNMPv1": "SNMPTrap", "SNMPv2c": "SNMPTrap", "SNMPv3": "SNMPTrap", "SMTP": "Email", "Redfish": "RedfishEvent"}


def _normalize(ctx: Ctx, slot: dict, patch: dict) -> dict:
    if "Protocol" in patch:
        if patch["Protocol"] not in PROTOCOLS:
            raise RedfishError(400, "PropertyValueNotInList", str(patch["Protocol"]), "Protocol")
        patch["SubscriptionType"] = SUBSCRIPTION_TYPES[patch["Protocol"]]
    oem = (patch.get("Oem") or {}).get("Supermicro") or {}
    if "EnableSubscription" in oem:
        patch["Status"] = {"State": "Enabled" if oem["EnableSubscription"] else "Disabled", "Health": "OK"}
    return patch


async def patch_subscription(ctx: Ctx, patch: dict):
    _normalize(ctx, ctx.resource(), patch)


async def create_subscription(ctx: Ctx):
    ctx.require_admin()
    body = await ctx.json()
    if "Destination" not in body:
        raise RedfishError(400, "PropertyMissing", "Destination")
    free = next((m["@odata.id"] for m in ctx.resource(SUBS)["Members"]
                 if ctx.bmc.store[m["@odata.id"]]["Destination"] == "0.0.0.0"), None)
    if free is None:
        raise RedfishError(400, "CreateLimitReachedForResource")
    ctx.path = free
    for key in body:
        if key not in ("Destination", "Protocol", "EventTypes", "Context", "Oem", "SubscriptionType", "EventFormatType"):
            raise RedfishError(400, "PropertyUnknown", key)
    patch = {"Protocol": "Redfish", **body, "Status": {"State": "Enabled", "Health": "OK"}}
    patch.pop("SubscriptionType", None)
    patch = _normalize(ctx, ctx.bmc.store[free], patch)
    patch.setdefault("Oem", {}).setdefault("Supermicro", {})["EnableSubscription"] = True
    ctx.bmc.patch(free, patch)
    return ctx.serve(free, 201, {"Location": free})


async def delete_subscription(ctx: Ctx):
    ctx.require_admin()
    slot = ctx.resource()
    ctx.bmc.store[ctx.path] = empty_subscription(int(slot["Id"]))    # the slot stays, emptied
    ctx.bmc.dirty = True
    return ctx.success()


async def submit_test_event(ctx: Ctx):
    ctx.require_admin()
    body = await ctx.json()
    if "MessageId" not in body and not ctx.bmc.x11:
        raise RedfishError(400, "PropertyMissing", "MessageId")
    return ctx.success()       # accepted; nothing is ever sent


def register(router) -> None:
    router.patch_hook(rf"{SUBS}/\d+", patch_subscription)
    router.add("POST", SUBS, create_subscription)
    router.add("DELETE", rf"{SUBS}/\d+", delete_subscription)
    router.add("POST", f"{E}/Actions/EventService.SubmitTestEvent", submit_test_event)
