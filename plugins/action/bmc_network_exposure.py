# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""BMC network exposure: services, IP access control, outbound destinations, host channels
(documentation: plugins/modules/bmc_network_exposure.py). Flow: plugin_utils/write_action.py;
plan: module_utils/exposure_plan.py."""

from __future__ import annotations

import ipaddress
import socket

from ansible_collections.bmclock.supermicro.plugins.module_utils import enforce, exposure_plan, gather, supermicro
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishError
# The options: documented and declared once, in the module stub (validate-modules compares them).
from ansible_collections.bmclock.supermicro.plugins.modules.bmc_network_exposure import ARGUMENT_SPEC
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.write_action import WriteAction

# A control whose fix the egress control shares: selecting net-egress selects them too.
_EGRESS = ("time-ntp", "log-syslog", "log-events")


class ActionModule(WriteAction):
    SECTIONS = exposure_plan.SECTIONS
    STATES = ["merged", "overridden", "gathered", "rendered"]   # the config is a whole desired state: merged is overridden
    ARGUMENT_SPEC = ARGUMENT_SPEC

    def run(self, tmp=None, task_vars=None):
        self._manual = {}
        result = super().run(tmp, task_vars)
        if self._manual:
            result["manual"] = self._manual
            summary = result.get("bmc_remediation")
            if summary is not None:
                summary["manual"] = self._manual
        return result

    def desired(self, args, task_vars):
        """The validated config, with the controller's address as the BMC will see it (the source
        address this controller uses toward the BMC unless the inventory says otherwise)."""
        host, config = task_vars["inventory_hostname"], dict(args["config"])
        unknown = sorted(set(config["allowed_services"]) - set(gather.SERVICES))
        if unknown:
            raise enforce.PlanRefused("%s: config.allowed_services: unknown service(s) %s (known: %s)"
                                      % (host, ", ".join(unknown), ", ".join(gather.SERVICES)))
        if "https" not in config["allowed_services"]:
            raise enforce.PlanRefused("%s: config.allowed_services must keep https (Redfish itself runs over it)" % host)
        try:
            config["management_networks"] = [str(ipaddress.ip_network(n, strict=False)) for n in config["management_networks"]]
            for rule in config["ip_acl_extra_rules"]:
                ipaddress.ip_network("%s/%s" % (rule["address"], rule["prefix_length"]), strict=False)
            if config["target_address"]:
                ipaddress.ip_address(config["target_address"]["address"])
            config["controller_address"] = str(ipaddress.ip_address(config["controller_address"] or _source_address(args)))
        except (ValueError, OSError) as exc:
            raise enforce.PlanRefused("%s: config: %s" % (host, exc)) from None
        problems = exposure_plan.check_subscriptions(config["event_subscriptions"], config["approved_event_destinations"],
                                                     config["approved_snmp_destinations"])
        problems += exposure_plan.check_directory_logins(config["directory_logins"])
        if problems:
            raise enforce.PlanRefused("%s: config.%s" % (host, "; config.".join(problems)))
        if not config["management_networks"]:
            raise enforce.PlanRefused("%s: config.management_networks is empty: the IP access control would accept nobody" % host)
        return config

    def plan(self, state, desired, ctx):
        layout = supermicro.layout((state.facts.get("identity") or {}).get("generation"))
        operations, self._manual = exposure_plan.plan_exposure(state.raw, state.paths, layout, desired)
        acl = [op for op in operations if op.control == "net-ip-acl"]
        if acl and not getattr(ctx, "verifying", False):
            # New IP access rules are proven by a fresh connection before the run relies on them;
            # when it fails, the rules read are restored over the still-open session.
            acl[-1].check = self._fresh_connection
            acl[-1].description += " (then proven by a fresh connection)"
            acl[-1].rollback = exposure_plan.restore_rules(state.raw.get("ip_access_control") or {},
                                                           state.raw.get("ip_filter_rules") or [], state.paths["ip_access_control"])
        move = [op for op in operations if op.control == "net-addressing"]
        if move and not getattr(ctx, "verifying", False):
            # The new address must answer a fresh login before the run relies on it; otherwise the
            # addressing read before is written back over the session the run still has.
            nic = state.raw.get("ethernet") or {}
            previous = {"DHCPv4": {"DHCPEnabled": True}} if (nic.get("DHCPv4") or {}).get("DHCPEnabled") else \
                {"IPv4StaticAddresses": [{k: a.get(k) for k in ("Address", "SubnetMask", "Gateway")} for a in nic.get("IPv4StaticAddresses") or []]}
            move[0].check = lambda: self._fresh_connection(host=desired["target_address"]["address"])
            move[0].rollback = exposure_plan.operation("PATCH", move[0].path, previous, {}, "net-addressing", "ethernet",
                                                       description="the previous addressing was written back")
        return enforce.Plan(ctx.host, operations)

    def config(self, state):
        return exposure_plan.exposure_config(state.raw, (state.facts.get("identity") or {}).get("generation"), state.paths)

    def render(self, desired):
        return desired

    @staticmethod
    def _selected(args, plan):
        if args["controls"] is not None and "net-egress" in args["controls"]:
            args = dict(args, controls=list(args["controls"]) + list(_EGRESS))
        return WriteAction._selected(args, plan)

    def _fresh_connection(self, host=None):
        """A new TLS connection and login, as the next run will make (to `host`, the BMC's new
        address, when it moves): raises when nothing answers or the BMC drops it."""
        args = dict(self._args, retries=0, timeout=min(self._args["timeout"], 10), host=host or self._args["host"])
        what = "the new address %s does not answer" % host if host else "the new IP access rules lock the controller out"
        try:
            with self.redfish_client(args, self._args["host"]) as rf:
                rf.get("/redfish/v1/SessionService")
        except RedfishError as exc:
            raise ConnectionError("%s: a fresh connection failed (%s)" % (what, exc)) from None

    def connection_args(self, task_vars, argument_spec):
        self._args = super().connection_args(task_vars, argument_spec)
        return self._args


def _source_address(args):
    """The address this controller sends from toward the BMC (a UDP connect sends no packet)."""
    family = socket.AF_INET6 if ":" in args["host"] else socket.AF_INET
    address = socket.getaddrinfo(args["host"], args["port"], family, socket.SOCK_DGRAM)[0][4]
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.connect(address)
        return probe.getsockname()[0]
