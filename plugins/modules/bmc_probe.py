# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
# The action plugin of the same name runs in the controller: it checks that the target is a BMC of
# the inventory and builds the port list, then runs this module where the task runs (the
# controller, or the vantage host given by delegate_to), because a probe must leave from the
# vantage: an action plugin always runs in the controller.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: bmc_probe
short_description: Probe which BMC services answer on the network, from a vantage host
version_added: "0.2.0"
description:
  - Sends one real protocol exchange per port to the BMC's address and reports each port as
    C(open), C(closed) or C(filtered), with the kind of answer and the banner where there is one.
    TCP 22 (SSH banner), 80 (HTTP GET, the redirect), 443 (TLS handshake then GET /redfish/v1/),
    5900 (VNC/RFB banner), 623 (virtual media, connect); UDP 623 (RMCP presence ping and IPMI Get
    Channel Authentication Capabilities), 161 (SNMP v2c get of sysDescr with community C(public)),
    1900 (SSDP M-SEARCH); and the baseline's C(bmc_probe_extra_ports).
  - The action plugin runs in the controller and refuses any address that is not the
    C(ansible_host) of a host in O(bmc_group); the probe itself runs as a module where the task
    runs, so C(delegate_to) a host of the vantage group probes from that host, and
    C(delegate_to=localhost) from the controller. Without delegation it runs only where the BMC
    host's connection is C(local) (else it would run on the BMC itself, which is refused).
  - Time per port, concurrency and the rate of new probes are bounded. The task never fails
    because of what the BMC answers; a vantage that cannot run the probe returns C(probe.error).
  - The result is meant for C(bmc_exposure) (see playbooks/exposure.yml and docs/exposure.md),
    which the C(exposure) controls of the audit evaluate.
options:
  address:
    description:
      - Address to probe. Default the host's C(ansible_host). Must be the address of a host in
        O(bmc_group), else the task fails without sending anything.
    type: str
  bmc_group:
    description: Inventory group whose hosts are the BMCs that may be probed.
    type: str
    default: bmcs
  service_ports:
    description:
      - Port map service -> port for BMCs whose services are not on the standard ports (the
        simulator's C(bmc_service_ports) host variable). Default that variable, else the standard ports
        (https on C(bmc_port) when that is set).
    type: dict
  extra_ports:
    description:
      - More ports to probe, each C({name, port, transport tcp|udp, exchange}); default the
        baseline variable C(bmc_probe_extra_ports).
    type: list
    elements: dict
  source:
    description:
      - Local address to send from (must exist on the vantage). Default the vantage host's
        C(bmc_probe_source) variable (the BMC host's when not delegated), else the system's choice.
    type: str
  zone:
    description:
      - Where the vantage stands. Default the vantage host's C(bmc_probe_zone); else C(inside)
        for the controller and C(localhost), C(outside) for any other delegate.
    type: str
    choices: [inside, outside]
  timeout:
    description: Seconds to wait for a connection or an answer, per step.
    type: float
    default: 1.5
  concurrency:
    description: Ports probed at the same time.
    type: int
    default: 128
  rate:
    description: New probes per second at most (one task; forks multiply it).
    type: float
    default: 400
  targets:
    description: Internal (set by the action plugin); do not set.
    type: list
    elements: dict
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
    details: The probe only reads; it runs in check mode too.
  diff_mode:
    support: none
  platform:
    platforms: posix
author:
  - bmclock contributors (@bmclock)
"""

EXAMPLES = r"""
- name: Probe from the controller (inside the management network)
  bmclock.supermicro.bmc_probe:
  delegate_to: localhost
  register: probe_inside

- name: Probe from every vantage host outside the management networks
  bmclock.supermicro.bmc_probe:
  delegate_to: "{{ item }}"
  loop: "{{ groups['bmc_vantage'] }}"
  register: probe_outside
"""

RETURN = r"""
probe:
  description: What one vantage saw of this BMC (an item of C(bmc_exposure.probes)).
  returned: always
  type: dict
  contains:
    vantage: {description: 'The vantage (delegate host, or controller).', type: str, sample: vantage-dmz}
    zone: {description: inside or outside the management networks., type: str, sample: outside}
    source: {description: 'The source address bound, if any.', type: str, sample: 192.0.2.10}
    address: {description: The BMC address probed., type: str, sample: 10.20.0.11}
    ports:
      description: One entry per port.
      type: list
      elements: dict
      sample:
        - {name: ipmi, transport: udp, port: 623, standard_port: 623, state: open,
           answer: rmcp-pong+ipmi-auth-caps, banner: "completion 0x00, auth types 0x87, IPMI 2.0",
           label: "ipmi 623/udp: rmcp-pong+ipmi-auth-caps", seconds: 0.002}
    open: {description: Labels of the open ports., type: list, elements: str, sample: ["ssh 22/tcp: ssh"]}
    error: {description: Why the probe could not run (empty when it ran)., type: str, sample: ""}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.bmclock.supermicro.plugins.module_utils import probe


# The options, declared once: the action plugin validates the task with these (without targets,
# which only it sets), the module with all of them.
ARGUMENT_SPEC = {
    "address": {"type": "str"},
    "bmc_group": {"type": "str", "default": "bmcs"},
    "service_ports": {"type": "dict"},
    "extra_ports": {"type": "list", "elements": "dict"},
    "source": {"type": "str"},
    "zone": {"type": "str", "choices": ["inside", "outside"]},
    "timeout": {"type": "float", "default": probe.DEFAULTS["timeout"]},
    "concurrency": {"type": "int", "default": probe.DEFAULTS["concurrency"]},
    "rate": {"type": "float", "default": probe.DEFAULTS["rate"]},
    "targets": {"type": "list", "elements": "dict"},
}


def main():
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    if not params["targets"]:
        module.fail_json(msg="bmclock.supermicro.bmc_probe: targets are set by its action plugin only")
    try:
        results = probe.probe(params["targets"], params["timeout"], params["concurrency"], params["rate"], params["source"])
    except (OSError, ValueError) as exc:
        module.fail_json(msg="probe failed: %s" % exc)
    module.exit_json(changed=False, results=results)


if __name__ == "__main__":
    main()
