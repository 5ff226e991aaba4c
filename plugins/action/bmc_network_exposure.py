# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""BMC network exposure: services, IP access control, outbound destinations, host channels
(documentation: plugins/modules/bmc_network_exposure.py). Flow: plugin_utils/write_action.py;
plan: module_utils/exposure_plan.py."""

from __future__ import annotations

import ipaddress
import socket
import ssl

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
        self._manual, self._moved = {}, None
        result = super().run(tmp, task_vars)
        if self._moved:
            # Later tasks of this run connect there (the role sets ansible_host); the inventory is the operator's.
            result["moved"] = self._moved
            moved = (task_vars["inventory_hostname"], self._moved["from"], self._moved["to"])
            result.setdefault("warnings", []).append("%s moved from %s to %s: update ansible_host in the inventory" % moved)
        if self._manual:
            result["manual"] = self._manual
            summary = result.get("bmc_remediation")
            if summary is not None:
                summary["manual"] = self._manual
        return result

    def record(self, args, ctx, summary):
        if self._moved:
            summary["moved"] = self._moved      # in the run's summary and the remediation record
        super().record(args, ctx, summary)

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
            acl[-1].check = lambda client: self._fresh_connection("the new IP access rules lock the controller out")
            acl[-1].description += " (then proven by a fresh connection)"
            acl[-1].rollback = exposure_plan.restore_rules(state.raw.get("ip_access_control") or {},
                                                           state.raw.get("ip_filter_rules") or [], state.paths["ip_access_control"])
        controls = self._args["controls"]
        move = [op for op in operations if op.control == "net-addressing" and exposure_plan.selects(controls, "net-addressing")]
        if move and not getattr(ctx, "verifying", False):
            self._prepare_move(move[0], state, desired, acl_enforced=bool(acl) and exposure_plan.selects(controls, "net-ip-acl"))
        return enforce.Plan(ctx.host, operations)

    def _prepare_move(self, op, state, desired, acl_enforced):
        """A new address is checked before any write (nothing answers there yet, the IP access control
        will accept the controller's address toward it, the certificate names it), then written; the
        run follows the BMC there with a fresh login before it relies on the new address (later writes,
        the verification, the re-audit go there). When that login fails and the BMC still answers at
        the old address, the addressing read before is written back."""
        target, port = desired["target_address"]["address"], self._args["port"]
        op.rollback = exposure_plan.operation("PATCH", op.path, exposure_plan.previous_addressing(state.raw.get("ethernet") or {}),
                                              {}, "net-addressing", "ethernet", description="the previous addressing was written back")
        if target == _address_of(self._args["host"]):        # only the gateway changes: the same address must still let us in
            op.check = lambda client: self._fresh_connection("the new gateway cuts the controller off")
            return
        caveat = self._preflight_move(target, port, state, desired, acl_enforced)
        op.send = lambda client: _send_move(client, op.path, op.body)
        op.check = lambda client: self._follow(client, target)
        op.description += " (then followed there by a fresh login%s)" % caveat

    def _preflight_move(self, target, port, state, desired, acl_enforced):
        where = "bmc_target_address %s" % target
        try:
            with socket.create_connection((target, port), timeout=3):
                raise enforce.PlanRefused("%s: something already answers on port %s there (the address is taken)" % (where, port))
        except OSError:
            pass        # refused or silent: free, as far as this controller can tell
        # The BMC sees the controller from the address this controller sends from toward the target,
        # unless the inventory says otherwise (NAT).
        source = self._args["config"]["controller_address"] or _source_address(dict(self._args, host=target))
        rules = exposure_plan.rules_after(state.raw.get("ip_access_control"), state.raw.get("ip_filter_rules"),
                                          desired["management_networks"], desired.get("ip_acl_extra_rules"), acl_enforced)
        if not exposure_plan.accepts(rules, source):
            raise enforce.PlanRefused("%s: the IP access control (%s) would not accept the controller's address %s there"
                                      % (where, ", ".join("%s %s" % r for r in rules), source))
        if self._args["validate_certs"]:
            try:
                names = _served_names(self._args["host"], port)
            except (OSError, ValueError) as exc:
                raise enforce.PlanRefused("%s: the certificate the BMC serves could not be read (%s)" % (where, exc)) from None
            if target not in names:
                problem = ("%s: the certificate the BMC serves names %s, not the new address: a fresh connection there would fail "
                           "verification. Issue one that names both first (bmc_certificate; the bmc_exposure role adds the target "
                           "address to alternative_names with bmc_remediate_addressing)" % (where, ", ".join(names) or "nothing"))
                if not self._play_context.check_mode:
                    raise enforce.PlanRefused(problem)
                # check mode: the certificate task of the same run may not have issued the new one yet
                return "; when applied: unless the certificate is replaced first, " + problem.split(": ", 1)[1]
        return ""

    def _follow(self, client, target):
        try:
            client.follow(target, within=self._args["config"]["address_settle_seconds"])
        except RedfishError as exc:
            raise ConnectionError("the BMC does not answer a fresh login at its new address %s (%s); reach it at its console "
                                  "if it answers at neither address" % (target, exc)) from None
        self._moved = {"from": self._args["host"], "to": target}

    def config(self, state):
        return exposure_plan.exposure_config(state.raw, (state.facts.get("identity") or {}).get("generation"), state.paths)

    def render(self, desired):
        return desired

    @staticmethod
    def _selected(args, plan):
        if args["controls"] is not None and "net-egress" in args["controls"]:
            args = dict(args, controls=list(args["controls"]) + list(_EGRESS))
        return WriteAction._selected(args, plan)

    def _fresh_connection(self, what):
        """A new TLS connection and login, as the next run will make: raises `what` went wrong when
        nothing answers or the BMC drops it."""
        args = dict(self._args, retries=0, timeout=min(self._args["timeout"], 10))
        try:
            with self.redfish_client(args, self._args["host"]) as rf:
                rf.get("/redfish/v1/SessionService")
        except RedfishError as exc:
            raise ConnectionError("%s: a fresh connection failed (%s)" % (what, exc)) from None

    def connection_args(self, task_vars, argument_spec):
        self._args = super().connection_args(task_vars, argument_spec)
        return self._args


def _address_of(host):
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return socket.getaddrinfo(host, None)[0][4][0]


def _send_move(client, path, body):
    """The address PATCH. Supermicro answers 202 with a task; the task may be unreadable once the
    BMC has left the old address (no answer): the fresh login at the new one decides."""
    response = client.patch(path, body)
    if response.status == 202 and response.task_uri:
        try:
            client.wait_task(response, timeout=5, interval=1)
        except RedfishError as exc:
            if exc.status is not None:
                raise
    return None


def _served_names(host, port):
    """The names of the certificate served at host:port (read without trusting it: only its names count)."""
    return exposure_plan.certificate_names(ssl.get_server_certificate((host, port), timeout=10))


def _source_address(args):
    """The address this controller sends from toward the BMC (a UDP connect sends no packet)."""
    family = socket.AF_INET6 if ":" in args["host"] else socket.AF_INET
    address = socket.getaddrinfo(args["host"], args["port"], family, socket.SOCK_DGRAM)[0][4]
    with socket.socket(family, socket.SOCK_DGRAM) as probe:
        probe.connect(address)
        return probe.getsockname()[0]
