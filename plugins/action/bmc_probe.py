# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Probe one BMC's service ports from a vantage: the checks here, the probe there.

An action plugin always runs in the controller, even with delegate_to; a probe must leave from the
vantage host. So this plugin does what needs the inventory (refuse any address that is not a BMC
of the inventory, the BMC's port map, the vantage's source address and zone) and runs the module
bmc_probe through the task's connection: on the delegate (the vantage) or, without delegation, on
the controller. The evaluation stays in the controller (the exposure controls of bmc_audit).
"""

from __future__ import annotations

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.bmclock.supermicro.plugins.module_utils import probe
# The options: declared once, in the module (targets is set by this plugin only).
from ansible_collections.bmclock.supermicro.plugins.modules.bmc_probe import ARGUMENT_SPEC

CONTROLLER = ("localhost", "127.0.0.1", "::1")


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        super().run(tmp, task_vars)
        args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)[1]
        host = task_vars["inventory_hostname"]
        if args["targets"]:
            raise AnsibleActionFail("%s: targets is set by bmc_probe itself from the inventory; use address" % host)
        hostvars = task_vars.get("hostvars") or {}
        address = self._target(host, args, task_vars, hostvars)
        vantage = self._task.delegate_to or "controller"
        if not self._task.delegate_to and not str(getattr(self._connection, "_load_name", "")).endswith("local"):
            # The module would run on the BMC itself (its connection): probe from a vantage instead.
            raise AnsibleActionFail("%s: run bmc_probe with delegate_to (localhost or a vantage host), not on the BMC's "
                                    "own connection" % host)
        vantage_vars = self._vantage_vars(vantage, hostvars, task_vars)
        zone = args["zone"] or vantage_vars.get("bmc_probe_zone") or ("inside" if vantage in ("controller",) + CONTROLLER else "outside")
        if zone not in ("inside", "outside"):
            raise AnsibleActionFail("%s: bmc_probe_zone of vantage %s must be inside or outside, got %r" % (host, vantage, zone))
        source = args["source"] or vantage_vars.get("bmc_probe_source") or None
        service_ports = dict(self._var(args, "service_ports", "bmc_service_ports", task_vars) or {})
        if "https" not in service_ports and task_vars.get("bmc_port"):
            try:                                          # Redfish (HTTPS) on another port
                service_ports["https"] = int(self._templar.template(task_vars["bmc_port"]))
            except (TypeError, ValueError):
                raise AnsibleActionFail("%s: bmc_port must be a port number" % host) from None
        try:
            checks = probe.ports_for(service_ports, self._var(args, "extra_ports", "bmc_probe_extra_ports", task_vars))
        except ValueError as exc:
            raise AnsibleActionFail("%s: %s" % (host, exc)) from exc

        module_args = {k: args[k] for k in ("timeout", "concurrency", "rate")}
        module_args.update(source=source, targets=[{"address": address, "checks": checks}])
        result = self._execute_module(module_name="bmclock.supermicro.bmc_probe", module_args=module_args,
                                      task_vars=task_vars)
        if result.get("failed") or not result.get("results"):
            # The vantage could not probe: recorded as an error, never as "nothing answers".
            found = {"vantage": vantage, "zone": zone, "source": source, "address": address, "ports": [], "open": [],
                     "error": "vantage %s: %s" % (vantage, result.get("msg") or "the probe returned nothing")}
        else:
            found = probe.vantage_result(vantage, zone, source, result["results"][0]["ports"])
            found["address"] = address
        return {"changed": False, "probe": found,
                "msg": "%s from %s (%s): %s" % (address, vantage, zone, found["error"] or ", ".join(found["open"]) or "nothing open")}

    def _target(self, host, args, task_vars, hostvars):
        """The address to probe: this BMC's, or an explicit one that must belong to a BMC of the
        inventory group. Anything else is refused before a packet is sent."""
        group = args["bmc_group"]
        members = (task_vars.get("groups") or {}).get(group) or []
        # The BMC's own variables: with delegate_to, connection variables may be the delegate's.
        own = self._templar.template(hostvars[host].get("ansible_host") or host) if host in hostvars else host
        if args["address"] in (None, own):
            if host not in members:
                raise AnsibleActionFail("%s: refused: the host is not in the BMC group %s" % (host, group))
            return own
        known = {self._templar.template(hostvars[m].get("ansible_host") or m) for m in members}
        if args["address"] not in known:
            raise AnsibleActionFail("%s: refused: %s is not the address of a BMC in the inventory group %s"
                                    % (host, args["address"], group))
        return args["address"]

    def _vantage_vars(self, vantage, hostvars, task_vars):
        if vantage == "controller":
            names = ("bmc_probe_source", "bmc_probe_zone")
            return self._templar.template({k: task_vars[k] for k in names if k in task_vars})
        try:
            values = hostvars[vantage]
        except KeyError:
            return {}       # the implicit localhost
        return {k: self._templar.template(values.get(k)) for k in ("bmc_probe_source", "bmc_probe_zone")}

    def _var(self, args, option, variable, task_vars):
        return args[option] if args[option] is not None else self._templar.template(task_vars.get(variable))
