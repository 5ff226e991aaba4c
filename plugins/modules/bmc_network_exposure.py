# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
# The work is done by the action plugin of the same name (plugins/action/bmc_network_exposure.py), in the
# controller; this file carries the documentation and the argument spec the action validates.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: bmc_network_exposure
short_description: Close a Supermicro BMC to the network - services, IP access control, outbound destinations, host channels
version_added: "0.2.0"
description:
  - Network services (NetworkProtocol) - every service not in O(config.allowed_services) off, the
    allowed ones on; SNMP, where allowed, v3 only (v1/v2c communities removed). Only the fields that
    differ are sent (Supermicro refuses a service set to its current state); a service another needs
    (IPMI under virtual media) is switched on first and off last.
  - IP access control (Supermicro OEM) - exactly O(config.management_networks) (Accept) plus
    O(config.ip_acl_extra_rules), unmanaged rules removed, the service on. Rules are added before others
    are removed. A plan whose rules would not accept O(config.controller_address) is refused before any
    write; after the rules are applied a fresh connection must get in, else the rules read before are
    restored over the still-open session and the task fails saying so.
  - Outbound destinations - NTP (NetworkProtocol and the OEM NTP resource), syslog, SMTP, DNS, directory
    servers (LDAP, Active Directory, RADIUS) and event subscriptions point only at the approved hosts; an empty approved list turns the feature off. A
    subscription to a host that is not approved is deleted (new subscriptions are not created). NTP and
    syslog changes answer 202 and their tasks are awaited.
  - Host channels (X12/X13) - KCS privilege to O(config.kcs_privilege), the Redfish host interface off,
    System Lockdown on after every other write.
  - Addressing - a BMC address or gateway outside the management networks is reported as a manual step
    (RV(manual)); only with O(config.remediate_addressing) and O(config.target_address) is a static address
    written. A new address is checked before any write - nothing answers on the Redfish port there yet, the
    IP access control will accept the controller's address toward it, the gateway is in its network, and
    (with certificate validation) the certificate the BMC serves names it. After the PATCH the run follows
    the BMC there with a fresh login (within O(config.address_settle_seconds)); only then do later writes,
    the verification and the rest of the run use it (RV(moved)). When that login fails and the BMC still
    answers at the old address, the addressing read before is written back; when it answers at neither, the
    task fails naming both addresses (a BMC has one IPv4 address - the old one is gone once the new one takes).
options:
  config:
    description: The desired exposure (the bmc_exposure role builds it from the baseline variables).
    type: dict
    required: true
    suboptions:
      allowed_services:
        description: Services that may be on (http, https, ipmi, ssh, snmp, virtual_media, kvm, ssdp, telnet); https is required.
        type: list
        elements: str
        default: [https]
      management_networks:
        description: The management networks (CIDR); each becomes an Accept rule.
        type: list
        elements: str
        required: true
      ip_acl_extra_rules:
        description: Rules the baseline adds after the management networks.
        type: list
        elements: dict
        default: []
        suboptions:
          address: {description: Network address., type: str, required: true}
          prefix_length: {description: Prefix length., type: int, default: 32}
          policy: {description: Accept or Drop., type: str, default: Accept, choices: [Accept, Drop]}
      controller_address:
        description:
          - The controller's address as the BMC sees it (behind NAT, the translated one). Defaults to the
            source address this controller uses toward the BMC.
        type: str
      approved_ntp_servers: {description: Approved NTP servers; empty turns NTP off., type: list, elements: str, default: []}
      approved_syslog_servers: {description: Approved syslog collectors; empty turns remote syslog off., type: list, elements: str, default: []}
      approved_smtp_servers: {description: Approved SMTP relays; empty turns SMTP off., type: list, elements: str, default: []}
      approved_event_destinations: {description: Approved Redfish event receivers (hosts)., type: list, elements: str, default: []}
      approved_snmp_destinations: {description: Approved SNMP trap receivers (hosts)., type: list, elements: str, default: []}
      approved_dns_servers: {description: Approved DNS servers., type: list, elements: str, default: []}
      approved_directory_servers:
        description:
          - Approved LDAP, Active Directory and RADIUS servers; others are removed, and with none the services are switched off.
          - The Active Directory DNS lookup (C(Oem.Supermicro.ActiveDirectory.DNSLookupEnable)) is switched off when the domain
            controllers it found (read-only C(DynamicServerAddresses)) include one not approved, or when none is approved.
        type: list
        elements: str
        default: []
      event_subscriptions:
        description:
          - Event subscriptions the BMC must hold (one of its 16 slots each, matched by O(config.event_subscriptions[].destination),
            set by PATCH of that slot or of a free one). Each destination's host must be in O(config.approved_event_destinations)
            (Redfish) or O(config.approved_snmp_destinations) (SNMPv3).
        type: list
        elements: dict
        default: []
        suboptions:
          destination: {description: "The receiver (Redfish: an https URL; SNMPv3: a host).", type: str, required: true}
          protocol: {description: Redfish or SNMPv3., type: str, default: Redfish, choices: [Redfish, SNMPv3]}
          event_types: {description: EventTypes to send (the BMC's default when empty)., type: list, elements: str, default: []}
      directory_logins:
        description:
          - The directory logins the access policy approves (role bmc_access's C(bmc_access_policy_targets) ldap and
            active_directory, each C({enabled, tls})). Where one is approved and on, its ServiceAddresses are set to exactly
            O(config.approved_directory_servers) in its TLS form (LDAP C(ldap://host:389) with StartTLS, Active Directory
            C(ldaps://host:636)); this module owns ServiceAddresses, M(bmclock.supermicro.bmc_access) owns ServiceEnabled
            and the TLS switches.
        type: dict
        default: {}
        suboptions:
          ldap:
            description: "C({enabled: false}) or C({enabled: true, tls: start_tls})."
            type: dict
            suboptions:
              enabled: {description: Whether LDAP logins are approved., type: bool, required: true}
              tls: {description: How LDAP binds are protected., type: str, choices: [start_tls]}
          active_directory:
            description: "C({enabled: false}) or C({enabled: true, tls: ldaps})."
            type: dict
            suboptions:
              enabled: {description: Whether Active Directory logins are approved., type: bool, required: true}
              tls: {description: How Active Directory binds are protected., type: str, choices: [ldaps]}
      syslog_port: {description: Port of the syslog collector., type: int, default: 514}
      kcs_privilege:
        description: In-band IPMI (KCS) privilege.
        type: str
        default: Callback
        choices: [Administrator, Operator, User, Callback]
      system_lockdown: {description: Switch System Lockdown on at the end when it is off., type: bool, default: true}
      remediate_addressing: {description: Write O(config.target_address) when the address is outside the management networks., type: bool, default: false}
      target_address:
        description: The static address for this BMC (with O(config.remediate_addressing)).
        type: dict
        suboptions:
          address: {description: IPv4 address., type: str, required: true}
          prefix_length: {description: Prefix length., type: int, default: 24}
          gateway: {description: Gateway inside the management networks and the new address's network., type: str}
      address_settle_seconds:
        description: How long a BMC may take to answer at its new address after the address change.
        type: int
        default: 60
extends_documentation_fragment:
  - bmclock.supermicro.connection
  - bmclock.supermicro.write
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - ansible.builtin.action_common_attributes.flow
notes:
  - Supports O(state) V(merged) and V(overridden) (the same - the config is the whole desired state),
    V(gathered) and V(rendered).
  - Controls fixed - svc-ipmi-lan-off, svc-ssdp-off, svc-snmp, svc-http-off, svc-ssh-off, svc-vmedia-kvm,
    net-ip-acl, net-egress, net-addressing (manual unless asked), host-hi-off, host-kcs-callback,
    host-syslockdown, time-ntp, log-syslog, log-events. O(controls) with net-egress selects the NTP, syslog
    and event subscription fixes too.
  - The IP access control is judged by the BMC when a connection is opened; the proof therefore uses a new
    connection, and the rollback the connection the run already has.
seealso:
  - module: bmclock.supermicro.bmc_certificate
  - module: bmclock.supermicro.bmc_audit
author:
  - bmclock contributors (@bmclock)
"""

EXAMPLES = r"""
- name: Only HTTPS, management networks only, approved time and log servers, host channels closed
  bmclock.supermicro.bmc_network_exposure:
    username: "{{ bmc_username }}"
    password: "{{ bmc_password }}"
    ca_path: "{{ bmc_ca_path }}"
    config:
      allowed_services: [https]
      management_networks: [10.0.0.0/8]
      approved_ntp_servers: [ntp1.mgmt.example, ntp2.mgmt.example]
      approved_syslog_servers: [10.10.0.50]
      approved_dns_servers: [10.10.0.53]
    unlock: true
"""

RETURN = r"""
before:
  description: What the BMC exposes as read (services on, IP access rules, destinations, host channels).
  returned: when the BMC was read
  type: dict
after:
  description: The same, read back after the writes, or as planned in check mode.
  returned: when the BMC was read
  type: dict
plan:
  description: The operations (method, path, body, control, changes with before/after per field, if_match),
    the controls marked not licensed, and whether SysLockdown was on.
  returned: when the BMC was read
  type: dict
applied:
  description: The operations sent, in order (a rolled-back IP access change included).
  returned: when writes were attempted
  type: list
  elements: dict
moved:
  description: The BMC's old and new address (C(from), C(to)) after a proven address change; update
    C(ansible_host) in the inventory (the bmc_exposure role sets it for the rest of the run).
  returned: when the BMC moved
  type: dict
  sample: {"from": "203.0.113.7", "to": "10.20.0.7"}
manual:
  description: Control id -> the exact manual step (net-addressing).
  returned: when a fix needs a person
  type: dict
gathered:
  description: The current state, for O(state=gathered).
  returned: when O(state=gathered)
  type: dict
rendered:
  description: The validated desired state, for O(state=rendered).
  returned: when O(state=rendered)
  type: dict
bmc_remediation:
  description: The run's summary (host, action, status, controls, changes, not_licensed, manual, msg), as
    recorded under O(results_dir).
  returned: when the BMC was read
  type: dict
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.bmclock.supermicro.plugins.module_utils.connection import CONNECTION_SPEC
from ansible_collections.bmclock.supermicro.plugins.module_utils.enforce import WRITE_SPEC

_LIST = {"type": "list", "elements": "str", "default": []}
# The action's options (the action adds CONNECTION_SPEC, as main() does).
ARGUMENT_SPEC = dict(WRITE_SPEC, **{
    "config": {"type": "dict", "required": True, "options": {
        "allowed_services": dict(_LIST, default=["https"]),
        "management_networks": {"type": "list", "elements": "str", "required": True},
        "ip_acl_extra_rules": {"type": "list", "elements": "dict", "default": [], "options": {
            "address": {"type": "str", "required": True}, "prefix_length": {"type": "int", "default": 32},
            "policy": {"type": "str", "default": "Accept", "choices": ["Accept", "Drop"]}}},
        "controller_address": {"type": "str"},
        "approved_ntp_servers": _LIST, "approved_syslog_servers": _LIST, "approved_smtp_servers": _LIST,
        "approved_event_destinations": _LIST, "approved_snmp_destinations": _LIST, "approved_dns_servers": _LIST,
        "approved_directory_servers": _LIST,
        "event_subscriptions": {"type": "list", "elements": "dict", "default": [], "options": {
            "destination": {"type": "str", "required": True}, "protocol": {"type": "str", "default": "Redfish", "choices": ["Redfish", "SNMPv3"]},
            "event_types": {"type": "list", "elements": "str", "default": []}}},
        "directory_logins": {"type": "dict", "default": {}, "options": {
            "ldap": {"type": "dict", "options": {"enabled": {"type": "bool", "required": True}, "tls": {"type": "str", "choices": ["start_tls"]}}},
            "active_directory": {"type": "dict", "options": {"enabled": {"type": "bool", "required": True},
                                                             "tls": {"type": "str", "choices": ["ldaps"]}}}}},
        "syslog_port": {"type": "int", "default": 514},
        "kcs_privilege": {"type": "str", "default": "Callback", "choices": ["Administrator", "Operator", "User", "Callback"]},
        "system_lockdown": {"type": "bool", "default": True},
        "remediate_addressing": {"type": "bool", "default": False},
        "target_address": {"type": "dict", "options": {
            "address": {"type": "str", "required": True}, "prefix_length": {"type": "int", "default": 24},
            "gateway": {"type": "str"}}},
        "address_settle_seconds": {"type": "int", "default": 60},
    }},
})


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_SPEC, **ARGUMENT_SPEC), supports_check_mode=True)
    module.fail_json(msg="bmclock.supermicro.bmc_network_exposure runs as an action plugin in the controller")


if __name__ == "__main__":
    main()
