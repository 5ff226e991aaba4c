# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Plans that close a Supermicro BMC to the network: from the raw Redfish bodies the read step
kept (enforce.read) to the operations that make the BMC match the baseline. Pure: no Ansible
imports, no I/O while planning (an operation may carry a `send` that does its I/O when applied).

Operations are the framework's (enforce.Operation: only the fields that differ, their
before/after, the control each fixes); enforce.apply sends them with the read's If-Match, waits
for 202 tasks and handles System Lockdown. The plans are ordered as Supermicro needs them
(reference enforcement.md 3.1, 3.2, 3.9, 3.10):

* only the fields that differ (re-setting a current value is refused);
* a service another depends on (IPMI under VirtualMedia) is switched on first and off last; a
  feature is switched on together with its settings and its settings change before it is
  switched off (a disabled service's settings cannot be changed);
* IP access control: rules are added before others are removed, so the controller keeps its
  Accept rule at every step; a plan whose final rules would not accept the controller's address
  (as the BMC sees it) is refused before any write;
* host channels in NVIDIA's lockdown order: KCS, host interface, System Lockdown last.

Where a plan needs a person (moving the BMC's address, a certificate on X11) it returns the
exact manual step instead of operations.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress

from ansible_collections.bmclock.supermicro.plugins.module_utils import supermicro
from ansible_collections.bmclock.supermicro.plugins.module_utils.enforce import ApplyFailed, Operation, PlanRefused, difference, dig, nested
from ansible_collections.bmclock.supermicro.plugins.module_utils.gather import PROTOCOLS, destination

R = "/redfish/v1"

# NetworkProtocol service -> the control that wants it off. Telnet has no control of its own: it is
# the other clear-text remote shell, so it goes with SSH.
SERVICE_CONTROLS = {"IPMI": "svc-ipmi-lan-off", "SSDP": "svc-ssdp-off", "HTTP": "svc-http-off", "SSH": "svc-ssh-off",
                    "Telnet": "svc-ssh-off", "SNMP": "svc-snmp", "VirtualMedia": "svc-vmedia-kvm", "KVMIP": "svc-vmedia-kvm"}
# Services that need another one on (Supermicro: OemIPMIServiceDisabled, VirtualMedia shares 623 with IPMI).
SERVICE_NEEDS = {"VirtualMedia": "IPMI"}
# Never planned as services: HTTPS carries Redfish itself (svc-http-off wants it on); NTP is an outbound destination.
NOT_A_SERVICE = ("HTTPS", "NTP")
SNMP_V3_ONLY = {"EnableSNMPv2c": False, "CommunityStrings": [], "EnableSNMPv3": True}
SNMP_V3_ONLY_X11 = {"SNMPv2Enabled": False, "ROCommunity": "", "RWCommunity": "", "SNMPv3Enabled": True}   # field names [I]

# The HTTPS certificate (X12/X13; X11 has no Redfish upload, its web UI does it).
SSL_UPLOAD = R + "/UpdateService/Oem/Supermicro/SSLCert/Actions/SmcSSLCert.Upload"
GENERATE_CSR = R + "/CertificateService/Actions/CertificateService.GenerateCSR"
REPLACE_CERTIFICATE = R + "/CertificateService/Actions/CertificateService.ReplaceCertificate"
HTTPS_CERTIFICATE = R + "/Managers/1/NetworkProtocol/HTTPS/Certificates/1"

# The resources (gather's keys, supermicro.RESOURCE_PATHS) the exposure plan reads, by fact section.
SECTIONS = ("services", "snmp", "ip_access_control", "host_interface", "kcs", "lockdown", "ntp", "syslog", "smtp",
            "event_subscriptions", "network", "directory", "radius")


def operation(method, path, body, before, control, resource, step="settings", description="", **extra):
    """An enforce.Operation. `before`: for a PATCH the current values of the fields in `body` (same
    shape); for a POST or DELETE what the member is ({} when it is created)."""
    if method == "PATCH":
        changes = difference(before, body)[1]
    else:
        changes = [{"field": resource, "before": before or None, "after": body if method == "POST" else None}]
    description = description or "%s %s: %s" % (method, path, ", ".join("%s %s -> %s" % (c["field"], c["before"], c["after"])
                                                                        for c in changes))
    return Operation(method, path, body, control, resource, changes, step, description=description, **extra)


def selects(controls, *ids):
    """Whether `controls` (None: all) selects one of the control ids."""
    return controls is None or any(i in controls for i in ids)


# -- network services -----------------------------------------------------------------------

def plan_services(protocol, path, allowed, controls=None):
    """NetworkProtocol: every service not in `allowed` (bmc_allowed_services names) off, the allowed
    ones on; SNMP, where allowed, v3 only (v1/v2c communities removed). One PATCH per control and
    step: on (needed services first), settings, off (dependents first)."""
    allowed = set(allowed)
    enable, settings, disable = {}, {}, {}
    for key, name in PROTOCOLS.items():
        block = protocol.get(key)
        if key in NOT_A_SERVICE or not isinstance(block, dict) or not selects(controls, SERVICE_CONTROLS.get(key)):
            continue
        on, want = bool(block.get("ProtocolEnabled")), name in allowed
        if want and not on:
            enable[key] = {"ProtocolEnabled": True}
        elif on and not want:
            disable[key] = {"ProtocolEnabled": False}
        if want and key == "SNMP":
            changed = {k: v for k, v in SNMP_V3_ONLY.items() if k in block and block[k] != v}
            if changed:
                settings[key] = changed
    ops = []
    for stage, switching_on in ((enable, True), (settings, True), (disable, False)):
        for tier in _tiers(stage, switching_on):
            for control in dict.fromkeys(SERVICE_CONTROLS[k] for k in tier):
                body = {k: stage[k] for k in tier if SERVICE_CONTROLS[k] == control}
                before = {k: {f: protocol[k].get(f) for f in v} for k, v in body.items()}
                ops.append(operation("PATCH", path, body, before, control, "network_protocol"))
    return ops


def _tiers(stage, switching_on):
    """The keys of one stage in order: services others need before them when switching on, after
    them when switching off."""
    dependents = sorted(k for k in stage if SERVICE_NEEDS.get(k) in stage)
    rest = sorted(k for k in stage if k not in dependents)
    return [t for t in ([rest, dependents] if switching_on else [dependents, rest]) if t]


def plan_snmp_x11(snmp, path, allowed, controls=None):
    """X11 keeps SNMP's own switch, versions and communities in Managers/1/SNMP: off when SNMP is
    not allowed, else v3 only with the communities cleared."""
    if snmp is None or not selects(controls, "svc-snmp"):
        return []
    if "snmp" not in set(allowed):
        return plan_switched(snmp, path, "SNMPEnabled", {}, False, "svc-snmp", "snmp")
    return plan_switched(snmp, path, "SNMPEnabled", SNMP_V3_ONLY_X11, True, "svc-snmp", "snmp")


# -- features with a switch and settings -------------------------------------------------------

def plan_switched(body, path, switch, settings, on, control, resource, wrap=None):
    """A feature with an on/off `switch` and `settings`, each PATCH only what differs. Switched on
    together with its settings (RG34's Syslog example sends both in one PATCH); its settings change
    before it is switched off (a disabled service's settings cannot be changed). A feature that is
    off but still names a destination gets the setting cleared without being switched on, so
    nothing is ever sent there."""
    state = dict((body.get(wrap) or {}) if wrap else body)
    is_on = bool(state.get(switch))
    pending = {k: v for k, v in settings.items() if state.get(k) != v}
    if on:
        steps = [pending] if is_on else [dict({switch: True}, **pending)]
    else:
        steps = [pending] + ([{switch: False}] if is_on else [])
    ops = []
    for fields in (f for f in steps if f):
        before = {k: state.get(k) for k in fields}
        patch, before = ({wrap: fields}, {wrap: before}) if wrap else (fields, before)
        ops.append(operation("PATCH", path, patch, before, control, resource))
        state.update(fields)
    return ops


def _destinations(values):
    return [v for v in values if destination(v)]


def _pick(current, approved, slots):
    """The destinations to configure: the current ones that are approved (kept, in order), then the
    other approved ones, up to `slots`."""
    approved_hosts = [destination(a) for a in approved]
    kept = [c for c in current if destination(c) in approved_hosts]
    kept_hosts = [destination(c) for c in kept]
    return (kept + [a for a, h in zip(approved, approved_hosts) if h not in kept_hosts])[:slots]


# -- outbound destinations --------------------------------------------------------------------

def plan_ntp(protocol, protocol_path, oem_ntp, oem_path, approved, controls=None):
    """NTP, in both places the audit reads (NetworkProtocol.NTP, the OEM NTP resource): the approved
    servers and NTP on; no server and NTP off when none is approved. Both answer 202 + a task."""
    if not selects(controls, "time-ntp", "net-egress"):
        return []
    ops = []
    standard = (protocol or {}).get("NTP")
    if isinstance(standard, dict):
        current = _destinations(standard.get("NTPServers") or [])
        servers = _pick(current, approved, 2)
        settings = {"NTPServers": servers} if servers or current else {}
        ops += plan_switched(protocol, protocol_path, "ProtocolEnabled", settings, bool(servers), "time-ntp", "network_protocol",
                             wrap="NTP")
    if oem_ntp is not None:
        keys = ("PrimaryNTPServer", "SecondaryNTPServer")
        servers = _pick(_destinations(oem_ntp.get(k) for k in keys), approved, 2)
        settings = {k: (servers[i] if i < len(servers) else "") for i, k in enumerate(keys)}
        settings = {k: v for k, v in settings.items() if v or destination(oem_ntp.get(k))}   # empty or localhost: leave it
        ops += plan_switched(oem_ntp, oem_path, "NTPEnable", settings, bool(servers), "time-ntp", "ntp")
    return ops


def plan_syslog(syslog, path, approved, port=514, controls=None):
    """Remote syslog to an approved collector; off with no server when none is approved (202 + task)."""
    if syslog is None or not selects(controls, "log-syslog", "net-egress"):
        return []
    current = syslog.get("SyslogServer")
    servers = _pick(_destinations([current]), approved, 1)
    settings = {"SyslogServer": servers[0], "SyslogPortNumber": port} if servers else ({"SyslogServer": ""} if destination(current) else {})
    return plan_switched(syslog, path, "EnableSyslog", settings, bool(servers), "log-syslog", "syslog")


def plan_smtp(body, path, approved, x11=False, controls=None):
    """SMTP (EventService.SMTP on X12/X13, Managers/1/SMTP on X11): an approved server, or off."""
    wrap = None if x11 else "SMTP"
    if body is None or not isinstance(body if x11 else body.get("SMTP"), dict) or not selects(controls, "net-egress"):
        return []
    current = (body if x11 else body["SMTP"]).get("ServerAddress")
    servers = _pick(_destinations([current]), approved, 1)
    settings = {"ServerAddress": servers[0]} if servers else ({"ServerAddress": "0.0.0.0"} if destination(current) else {})
    return plan_switched(body, path, "SMTPEnabled" if x11 else "ServiceEnabled", settings, bool(servers), "net-egress",
                         "smtp" if x11 else "event_service", wrap)


def plan_subscriptions(subscriptions, approved_events, approved_snmp, controls=None, wanted=()):
    """Event subscriptions (16 fixed slots, reference enforcement 3.9): every slot pointing at a host
    that is not approved is emptied with DELETE; every `wanted` subscription ({destination,
    protocol, event_types}: the baseline's bmc_event_subscriptions, each to an approved host) is
    matched by Destination and set by PATCH of that slot, or of a free one (0.0.0.0 or emptied by
    this plan) when none matches. Only the fields that differ are sent."""
    if not selects(controls, "log-events", "net-egress"):
        return []
    events, snmp = {destination(a) for a in approved_events}, {destination(a) for a in approved_snmp}
    ops, empty, emptied = [], [], []
    for sub in subscriptions:
        protocol = sub.get("Protocol") or ""
        host = None if protocol == "SMTP" else destination(sub.get("Destination"))
        if host and host not in (snmp if protocol.startswith("SNMP") else events):
            ops.append(operation("DELETE", sub["@odata.id"], None, {"Destination": sub.get("Destination"), "Protocol": protocol},
                                 "log-events", "subscriptions"))
            emptied.append({"@odata.id": sub["@odata.id"], "Destination": "0.0.0.0"})   # what the DELETE leaves
        elif not host and protocol != "SMTP":
            empty.append(sub)
    free = empty + emptied
    for want in wanted:
        slot = next((s for s in subscriptions if str(s.get("Destination") or "").lower() == want["destination"].lower()), None)
        if slot is None:
            if not free:
                raise PlanRefused("no free event subscription slot (16) for %s" % want["destination"])
            slot = free.pop(0)
        body = {"Destination": want["destination"], "Protocol": want["protocol"], "Oem": {"Supermicro": {"EnableSubscription": True}}}
        if want.get("event_types"):
            body["EventTypes"] = list(want["event_types"])
        before = {"Destination": slot.get("Destination"), "Protocol": slot.get("Protocol"), "EventTypes": slot.get("EventTypes"),
                  "Oem": {"Supermicro": {"EnableSubscription": ((slot.get("Oem") or {}).get("Supermicro") or {}).get("EnableSubscription")}}}
        body = difference(before, body)[0]
        if body:
            ops.append(operation("PATCH", slot["@odata.id"], body, before, "log-events", "subscriptions", step="create"))
    return ops


def check_subscriptions(wanted, approved_events, approved_snmp):
    """Problems of bmc_event_subscriptions: each names an approved receiver (Redfish:
    bmc_approved_event_destinations, SNMP traps: bmc_approved_snmp_destinations), once."""
    problems, seen = [], set()
    for i, want in enumerate(wanted):
        snmp = want["protocol"].startswith("SNMP")
        host, approved = destination(want["destination"]), approved_snmp if snmp else approved_events
        if host not in {destination(a) for a in approved}:
            problems.append("event_subscriptions[%d].destination: %s is not in %s" % (
                i, want["destination"], "approved_snmp_destinations" if snmp else "approved_event_destinations"))
        if want["destination"].lower() in seen:
            problems.append("event_subscriptions[%d].destination: %s is listed twice" % (i, want["destination"]))
        seen.add(want["destination"].lower())
    return problems


# The address form each approved directory login binds with (the audit's acct-directory-tls):
# LDAP with StartTLS on port 389 (bmc_access sets StartTLSEnabled), Active Directory over ldaps.
DIRECTORY_ADDRESS = {"LDAP": ("ldap", {"start_tls": "ldap://%s:389"}), "ActiveDirectory": ("active_directory", {"ldaps": "ldaps://%s:636"})}


def directory_addresses(key, tls, approved):
    """ServiceAddresses for an approved `key` login (LDAP, ActiveDirectory) bound with `tls`: the
    approved servers in that login's TLS form (IPv6 literals in brackets)."""
    form = DIRECTORY_ADDRESS[key][1][tls]
    hosts = [destination(a) for a in approved]
    return [form % ("[%s]" % h if ":" in h else h) for h in dict.fromkeys(h for h in hosts if h)]


def check_directory_logins(logins):
    """Problems of the access policy's directory logins (bmc_access_policy_targets ldap,
    active_directory) as far as the addresses need them: an approved login names its TLS form."""
    problems = []
    for key, (name, forms) in DIRECTORY_ADDRESS.items():
        entry = (logins or {}).get(name) or {}
        if entry.get("enabled") and entry.get("tls") not in forms:
            problems.append("directory_logins.%s.tls: approved logins need tls: %s" % (name, " or ".join(forms)))
    return problems


def plan_directory(account_service, path, radius, radius_path, approved, controls=None, logins=None):
    """Directory logins (LDAP, Active Directory, RADIUS) point only at approved servers. ServiceAddresses
    are this plan's (bmc_access owns ServiceEnabled and the TLS switches): for a login the access policy
    approves (`logins`: {ldap|active_directory: {enabled, tls}}) that is on, they are set to exactly the
    approved servers in its TLS form; otherwise the unapproved ones are removed. Active Directory's DNS
    lookup is switched off when it finds an unapproved domain controller (or nothing is approved), so
    its servers are exactly those addresses. With no approved server the service is also switched off
    (the automation logs in with a local account, which no directory setting disables)."""
    if not selects(controls, "net-egress"):
        return []
    approved_hosts = {destination(a) for a in approved}
    ops = []
    for key, (name, _forms) in DIRECTORY_ADDRESS.items():
        block = (account_service or {}).get(key)
        if not isinstance(block, dict):
            continue
        if key == "ActiveDirectory":
            ops += _plan_ad_dns_lookup(account_service, path, bool(block.get("ServiceEnabled")) and bool(approved), approved_hosts)
        current, login = block.get("ServiceAddresses") or [], (logins or {}).get(name) or {}
        if login.get("enabled") and approved and block.get("ServiceEnabled"):
            wanted = directory_addresses(key, login["tls"], approved)
            settings = {"ServiceAddresses": wanted} if _destinations(current) != wanted else {}
        else:
            kept = [a for a in current if destination(a) in approved_hosts]
            settings = {"ServiceAddresses": kept} if len(kept) != len(_destinations(current)) else {}
        ops += plan_switched(account_service, path, "ServiceEnabled", settings, bool(block.get("ServiceEnabled")) and bool(approved),
                             "net-egress", "account_service", wrap=key)
    if radius is not None:
        server = radius.get("RadiusServer")
        settings = {"RadiusServer": ""} if destination(server) and destination(server) not in approved_hosts else {}
        ops += plan_switched(radius, radius_path, "RadiusEnabled", settings, bool(radius.get("RadiusEnabled")) and bool(approved),
                             "net-egress", "radius")
    return ops


# Active Directory's DNS lookup (X12/X13 Oem.Supermicro): on, the BMC also binds to the domain
# controllers DNS finds for the user domain, listed read-only in DynamicServerAddresses [I].
AD_DNS_LOOKUP = ("Oem", "Supermicro", "ActiveDirectory")


def _plan_ad_dns_lookup(account_service, path, stays_on, approved_hosts):
    """The DNS lookup off when it found a host that is not approved, or when Active Directory ends
    off (nothing approved): the servers are then exactly the ServiceAddresses this plan sets. A
    lookup that only finds approved servers is left alone. Before the service's own changes (a
    disabled service's settings cannot be changed)."""
    oem = dig(account_service, AD_DNS_LOOKUP)
    if not isinstance(oem, dict) or not oem.get("DNSLookupEnable"):
        return []
    found = oem.get("DynamicServerAddresses")
    readable = isinstance(found, list)      # a list that cannot be read proves nothing approved: off
    if stays_on and readable and all(h in approved_hosts for h in map(destination, found) if h):
        return []
    op = operation("PATCH", path, nested(AD_DNS_LOOKUP, {"DNSLookupEnable": False}),
                   nested(AD_DNS_LOOKUP, {"DNSLookupEnable": oem["DNSLookupEnable"]}), "net-egress", "account_service")
    # What the BMC then lists (derived, not written): check mode's `after` shows the servers gone.
    op.predicts = ("account_service", nested(AD_DNS_LOOKUP, {"DynamicServerAddresses": []}))
    return [op]


def plan_dns(nic, path, approved, controls=None):
    """DNS: the static name servers are the approved ones, and DHCP-supplied ones are not used
    when they are not approved."""
    if nic is None or not selects(controls, "net-egress"):
        return []
    approved_hosts = {destination(a) for a in approved}

    def unapproved(servers):
        return any(destination(s) and destination(s) not in approved_hosts for s in servers or [])
    body = {}
    if unapproved(nic.get("StaticNameServers")):
        body["StaticNameServers"] = list(approved)
    dhcp = nic.get("DHCPv4") or {}
    if dhcp.get("DHCPEnabled") and dhcp.get("UseDNSServers") and unapproved(nic.get("NameServers")):
        body["DHCPv4"] = {"UseDNSServers": False}
        body.setdefault("StaticNameServers", list(approved))
    before = {"StaticNameServers": nic.get("StaticNameServers"), "DHCPv4": {"UseDNSServers": dhcp.get("UseDNSServers")}}
    return [operation("PATCH", path, body, {k: before[k] for k in body}, "net-egress", "ethernet")] if body else []


# -- IP access control ------------------------------------------------------------------------

def desired_rules(networks, extra_rules=()):
    """[(network, policy)]: every management network Accepted, then the baseline's extra rules
    ({address, prefix_length, policy})."""
    rules = [(ipaddress.ip_network(str(n), strict=False), "Accept") for n in networks]
    for extra in extra_rules or ():
        network = ipaddress.ip_network("%s/%s" % (extra["address"], extra.get("prefix_length", 32)), strict=False)
        rules.append((network, extra.get("policy", "Accept")))
    return list(dict.fromkeys(rules))


def _rule_key(rule):
    try:
        return ipaddress.ip_network("%s/%s" % (rule.get("Address"), rule.get("PrefixLength", 32)), strict=False), rule.get("Policy")
    except (TypeError, ValueError):
        return None


def accepts(rules, address):
    """Supermicro's filter as the simulator models it: rules by Id, the first whose network holds
    the address decides; no match drops; an enabled filter with no rules filters nothing."""
    if not rules:
        return True
    addr = ipaddress.ip_address(address)
    for net, policy in rules:
        if addr.version == net.version and addr in net:
            return policy == "Accept"
    return False


def _by_id(rules):
    return sorted(rules or [], key=lambda r: int(r.get("Id", 0)))


def planned_rules(rules, networks, extra_rules=()):
    """What the IP access plan does with the FilterRules member bodies read: (the members to remove,
    the rules to add, the rules the BMC will then hold in its Id order: kept ones, added ones in the
    lowest free Ids)."""
    wanted = desired_rules(networks, extra_rules)
    keep, remove = {}, []
    for rule in _by_id(rules):
        key = _rule_key(rule)
        if key in wanted and key not in keep.values():
            keep[int(rule["Id"])] = key
        else:
            remove.append(rule)
    add = [k for k in wanted if k not in keep.values()]
    final = dict(keep)
    free = (n for n in range(1, 10000) if n not in keep)
    for key in add:
        final[next(free)] = key
    return remove, add, [final[i] for i in sorted(final)]


def plan_ip_access_control(acl, rules, acl_path, networks, controller_address, extra_rules=(), controls=None):
    """IP access control = exactly the management networks (Accept) plus the baseline's extra rules,
    unmanaged rules removed, the service on. `rules`: the FilterRules member bodies. A POSTed rule
    gets the lowest free Id (Supermicro orders rules by Id)."""
    if acl is None or not selects(controls, "net-ip-acl"):
        return []
    remove, add, final_rules = planned_rules(rules, networks, extra_rules)
    if not accepts(final_rules, controller_address):
        raise PlanRefused("IP access control: the rules %s would not accept the controller's address %s as the BMC sees it "
                          "(set bmc_controller_address when the BMC sees the controller behind NAT)"
                          % (", ".join("%s %s" % rule for rule in final_rules), controller_address))

    collection = acl_path + "/FilterRules"
    post = [operation("POST", collection, {"Address": str(n.network_address), "PrefixLength": n.prefixlen, "Policy": p}, {},
                      "net-ip-acl", "ip_filter_rules") for n, p in add]
    delete = [operation("DELETE", r["@odata.id"], None, {k: r.get(k) for k in ("Address", "PrefixLength", "Policy")},
                        "net-ip-acl", "ip_filter_rules") for r in remove]
    if acl.get("ServiceEnabled"):
        return post + delete
    # Rules can be added only while the service is on (OemIpAccessControlDisabled): clean up, switch on, add.
    enable = operation("PATCH", acl_path, {"ServiceEnabled": True}, {"ServiceEnabled": acl.get("ServiceEnabled")}, "net-ip-acl",
                       "ip_access_control")
    return delete + [enable] + post


def restore_rules(acl, rules, acl_path):
    """send(client) that puts back the IP access control as it was read (`acl`, `rules`), over the
    client's open connection: the rollback when new rules lock the controller out."""
    previous = [_rule_key(r) for r in _by_id(rules)]
    collection = acl_path + "/FilterRules"

    def send(client):
        members = [m["@odata.id"] for m in client.get(collection).get("Members") or []]
        now = {path: _rule_key(client.get(path)) for path in members}
        response = None
        if any(k not in now.values() for k in previous) and not client.get(acl_path).get("ServiceEnabled"):
            response = client.patch(acl_path, {"ServiceEnabled": True})
        for net, policy in (k for k in previous if k not in now.values()):
            response = client.post(collection, {"Address": str(net.network_address), "PrefixLength": net.prefixlen, "Policy": policy})
        for path, key in now.items():
            if key not in previous:
                response = client.delete(path)
        if bool(client.get(acl_path).get("ServiceEnabled")) != bool(acl.get("ServiceEnabled")):
            response = client.patch(acl_path, {"ServiceEnabled": bool(acl.get("ServiceEnabled"))})
        return response
    return Operation("POST", collection, None, "net-ip-acl", "ip_filter_rules", [], send=send,
                     description="the previous IP access rules were restored")


# -- host channels ----------------------------------------------------------------------------

def plan_host_channels(host_interface, kcs, lockdown, paths, kcs_privilege="Callback", lockdown_on=True, controls=None):
    """KCS privilege to the baseline, the Redfish host interface off, System Lockdown switched on
    after everything else (NVIDIA's lockdown order). None: not on this generation."""
    ops = []
    if kcs is not None and selects(controls, "host-kcs-callback") and kcs.get("Privilege") != kcs_privilege:
        ops.append(operation("PATCH", paths["kcs"], {"Privilege": kcs_privilege}, {"Privilege": kcs.get("Privilege")},
                             "host-kcs-callback", "kcs"))
    if host_interface is not None and selects(controls, "host-hi-off") and host_interface.get("InterfaceEnabled") is not False:
        ops.append(operation("PATCH", paths["host_interface"], {"InterfaceEnabled": False},
                             {"InterfaceEnabled": host_interface.get("InterfaceEnabled")}, "host-hi-off", "host_interface"))
    # Switched on last; switched off (bmc_system_lockdown: false) as enforce.apply's unlock, which
    # then does not lock again. A locked BMC is otherwise unlocked and locked again by enforce.apply.
    if lockdown is not None and selects(controls, "host-syslockdown") and bool(lockdown.get("SysLockdownEnabled")) != lockdown_on:
        ops.append(operation("PATCH", paths["lockdown"], {"SysLockdownEnabled": lockdown_on}, {"SysLockdownEnabled": not lockdown_on},
                             "host-syslockdown", "lockdown", step="lock" if lockdown_on else "settings"))
    return ops


# -- addressing --------------------------------------------------------------------------------

def plan_addressing(nic, path, networks, enabled=False, target=None, controls=None):
    """net-addressing: a BMC address or gateway outside the management networks. Not changed unless
    `enabled` with a `target` ({address, prefix_length, gateway}): moving a BMC's address is how
    you lose it. (operations, manual step or None)."""
    if nic is None or not selects(controls, "net-addressing"):
        return [], None
    nets = [ipaddress.ip_network(str(n), strict=False) for n in networks]

    def inside(value):
        address = ipaddress.ip_address(value)
        return any(address in n for n in nets if n.version == address.version)
    outside = [a for a in nic.get("IPv4Addresses") or [] if a.get("Address") and (
        not inside(a["Address"]) or (a.get("Gateway") not in (None, "", "0.0.0.0") and not inside(a["Gateway"])))]
    if not outside:
        return [], None
    current = outside[0]
    if not enabled or not target:
        return [], ("move the BMC address %s (gateway %s) into the management networks %s at the console or on the DHCP "
                    "server, or set bmc_remediate_addressing: true with bmc_target_address {address, prefix_length, gateway} "
                    "for this host" % (current["Address"], current.get("Gateway"), ", ".join(map(str, nets))))
    for value in (target["address"], target.get("gateway")):
        if value and not inside(value):
            raise PlanRefused("bmc_target_address: %s lies outside the management networks" % value)
    net = ipaddress.ip_network("%s/%s" % (target["address"], target.get("prefix_length", 24)), strict=False)
    if target.get("gateway") and ipaddress.ip_address(target["gateway"]) not in net:
        raise PlanRefused("bmc_target_address: the gateway %s is not in the new address's network %s" % (target["gateway"], net))
    body = {"DHCPv4": {"DHCPEnabled": False},
            "IPv4StaticAddresses": [{"Address": target["address"], "SubnetMask": str(net.netmask), "Gateway": target.get("gateway")}]}
    before = {"DHCPv4": {"DHCPEnabled": (nic.get("DHCPv4") or {}).get("DHCPEnabled")},
              "IPv4StaticAddresses": [_ipv4(current)]}
    op = operation("PATCH", path, body, before, "net-addressing", "ethernet")
    # What the BMC then reports as its address (IPv4Addresses is derived): check mode's `after`.
    op.predicts = ("ethernet", {"IPv4Addresses": [dict(body["IPv4StaticAddresses"][0], AddressOrigin="Static")]})
    return [op], None


def previous_addressing(nic):
    """The EthernetInterface PATCH that puts the addressing read back (the rollback of a move)."""
    if (nic.get("DHCPv4") or {}).get("DHCPEnabled"):
        return {"DHCPv4": {"DHCPEnabled": True}}
    return {"IPv4StaticAddresses": [_ipv4(a) for a in nic.get("IPv4StaticAddresses") or []]}


def _ipv4(address):
    """An IPv4 address entry as IPv4StaticAddresses takes it."""
    return {k: address.get(k) for k in ("Address", "SubnetMask", "Gateway")}


def rules_after(acl, rules, networks, extra_rules=(), enforced=False):
    """[(network, policy)] the IP access control will filter with once the run is through: the
    rules the plan leaves when net-ip-acl is enforced in the same run, else the ones read ([] = no filter)."""
    if enforced:
        return planned_rules(rules, networks, extra_rules)[2]
    if not isinstance(acl, dict):
        raise PlanRefused("the IP access control was not read: whether it lets the controller in is not known")
    if not acl.get("ServiceEnabled"):
        return []
    return [k for k in map(_rule_key, _by_id(rules)) if k]


# -- the whole exposure plan -------------------------------------------------------------------

def plan_exposure(raw, paths, layout, desired, controls=None):
    """Every exposure operation for one BMC, in the order they are applied: services, outbound
    destinations, IP access control, addressing (only when asked), host channels (System Lockdown
    last). `raw`: {resource key: body, or the list of member bodies}; `paths`:
    supermicro.resource_paths(layout); `desired`: validated baseline values (the bmc_exposure
    role's argument spec). Returns (operations, {control: manual step}); raises PlanRefused
    (nothing is written) for a plan that would lock the controller out."""
    d, get = desired, raw.get
    ops = plan_services(get("network_protocol") or {}, paths["network_protocol"], d["allowed_services"], controls)
    ops += plan_snmp_x11(get("snmp"), paths["snmp"], d["allowed_services"], controls)
    ops += plan_ntp(get("network_protocol"), paths["network_protocol"], get("ntp"), paths["ntp"], d["approved_ntp_servers"], controls)
    ops += plan_syslog(get("syslog"), paths["syslog"], d["approved_syslog_servers"], d.get("syslog_port", 514), controls)
    if layout == "X11":
        ops += plan_smtp(get("smtp"), paths["smtp"], d["approved_smtp_servers"], x11=True, controls=controls)
    else:
        ops += plan_smtp(get("event_service"), paths["event_service"], d["approved_smtp_servers"], controls=controls)
    ops += plan_subscriptions(get("subscriptions") or [], d["approved_event_destinations"], d["approved_snmp_destinations"], controls,
                              d.get("event_subscriptions") or ())
    ops += plan_directory(get("account_service"), paths["account_service"], get("radius"), paths["radius"],
                          d.get("approved_directory_servers") or [], controls, d.get("directory_logins"))
    ops += plan_dns(get("ethernet"), paths["ethernet"], d["approved_dns_servers"], controls)
    ops += plan_ip_access_control(get("ip_access_control"), get("ip_filter_rules") or [], paths["ip_access_control"],
                                  d["management_networks"], d["controller_address"], d.get("ip_acl_extra_rules") or (), controls)
    moves, manual = plan_addressing(get("ethernet"), paths["ethernet"], d["management_networks"], d.get("remediate_addressing"),
                                    d.get("target_address"), controls)
    ops += moves
    ops += plan_host_channels(get("host_interface"), get("kcs"), get("lockdown"), paths, d.get("kcs_privilege", "Callback"),
                              d.get("system_lockdown", True), controls)
    return ops, ({"net-addressing": manual} if manual else {})


# -- TLS certificate --------------------------------------------------------------------------

def _bytes(value):
    return value.encode() if isinstance(value, str) else value


def certificate_fingerprint(pem):
    """SHA-256 over the DER of a PEM certificate (what Redfish's `Fingerprint` shows), hex upper case."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    return hashlib.sha256(x509.load_pem_x509_certificate(_bytes(pem)).public_bytes(Encoding.DER)).hexdigest().upper()


def normalize_fingerprint(text):
    return "".join(ch for ch in str(text or "").upper() if ch in "0123456789ABCDEF")


def days_left(certificate, now):
    """Whole days until the certificate's ValidNotAfter, or None when it does not say."""
    not_after = certificate.get("ValidNotAfter")
    if not not_after:
        return None
    moment = datetime.datetime.fromisoformat(str(not_after).replace("Z", "+00:00"))
    return ((moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)) - now).days


def certificate_names(cert_pem):
    """The IP addresses and DNS names a PEM certificate is valid for (its subject alternative names)."""
    from cryptography import x509
    try:
        sans = x509.load_pem_x509_certificate(_bytes(cert_pem)).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return []
    return [str(n) for n in sans.get_values_for_type(x509.IPAddress)] + sans.get_values_for_type(x509.DNSName)


def issued_by(cert_pem, ca_pem):
    """True when `cert_pem` was signed by the CA certificate `ca_pem`."""
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    try:
        x509.load_pem_x509_certificate(_bytes(cert_pem)).verify_directly_issued_by(x509.load_pem_x509_certificate(_bytes(ca_pem)))
        return True
    except (ValueError, TypeError, InvalidSignature):
        return False


def plan_certificate(current, layout, min_days, source, now=None, controls=None):
    """The HTTPS certificate, decided by SHA-256 fingerprint and days left. `source` is either
    {"cert_pem", "key_pem"} (files: uploaded together with SmcSSLCert.Upload, the firmware checks
    the pair) or {"ca_cert_pem", "ca_key_pem", "subject", "days"} (GenerateCSR on the BMC, the CSR
    signed on the controller with the organisation's CA, ReplaceCertificate; DCMS licence).
    Renewed when fewer than `min_days` days remain. Returns (operations, manual step or None)."""
    if not selects(controls, "tls-cert-not-default"):
        return [], None
    now = now or datetime.datetime.now(datetime.timezone.utc)
    days = days_left(current, now)
    fresh = days is not None and days >= min_days
    before = {"Fingerprint": current.get("Fingerprint"), "Issuer": (current.get("Issuer") or {}).get("CommonName"),
              "ValidNotAfter": current.get("ValidNotAfter")}
    if source.get("cert_pem"):
        want = certificate_fingerprint(source["cert_pem"])
        if want == normalize_fingerprint(current.get("Fingerprint")):
            return [], (None if fresh else "the certificate file is the one the BMC serves and %s days remain (fewer than "
                        "bmc_cert_min_days_remaining %s): issue a new one" % (days, min_days))
        if layout == "X11":
            return [], "X11 takes a certificate only in its web UI (Configuration > SSL Certificates): upload the certificate and key there"
        cert, key = _bytes(source["cert_pem"]), _bytes(source["key_pem"])
        op = operation("POST", SSL_UPLOAD, {"cert_file": "certificate SHA-256 %s" % want, "key_file": "private key (not shown)"},
                       before, "tls-cert-not-default", "certificate",
                       send=lambda client: client.upload(SSL_UPLOAD, files={"cert_file": ("server.crt", cert), "key_file": ("server.key", key)}))
        op.changes = [{"field": "Fingerprint", "before": current.get("Fingerprint"), "after": _colons(want)}]
        op.predicts = ("certificate", _described(source["cert_pem"]))
        return [op], None
    wanted_names = (source.get("subject") or {}).get("AlternativeNames") or []
    if fresh and current.get("CertificateString") and issued_by(current["CertificateString"], source["ca_cert_pem"]) \
            and set(wanted_names) <= set(certificate_names(current["CertificateString"])):
        return [], None
    if layout == "X11":
        return [], "X11 has no CertificateService: generate a CSR in its web UI, have the organisation's CA sign it, upload it there"
    request = dict(source.get("subject") or {}, CertificateCollection={"@odata.id": HTTPS_CERTIFICATE.rsplit("/", 1)[0]})

    def send(client):
        csr = client.post(GENERATE_CSR, request).body.get("CSRString")
        try:
            signed = sign_csr(csr, source["ca_cert_pem"], source["ca_key_pem"], source.get("days", 397))
        except (ValueError, TypeError) as exc:
            raise ApplyFailed("%s: the CSR from %s could not be signed: %s" % (client.where, GENERATE_CSR, exc), []) from None
        return client.post(REPLACE_CERTIFICATE, {"CertificateString": signed, "CertificateType": "PEM",
                                                 "CertificateUri": {"@odata.id": HTTPS_CERTIFICATE}})
    op = operation("POST", GENERATE_CSR, request, before, "tls-cert-not-default", "certificate_service", send=send,
                   description="GenerateCSR on the BMC, the CSR signed by the organisation's CA, ReplaceCertificate")
    op.changes = [{"field": "Issuer", "before": before["Issuer"], "after": _ca_name(source["ca_cert_pem"])}]
    # Known before signing: issuer, subject and validity; the fingerprint only once the BMC's key is signed.
    not_after = now + datetime.timedelta(days=source.get("days", 397))
    op.predicts = ("certificate", {"Fingerprint": "(new: known once signed)", "Issuer": {"CommonName": op.changes[0]["after"]},
                                   "Subject": {"CommonName": (source.get("subject") or {}).get("CommonName")},
                                   "ValidNotAfter": not_after.isoformat(timespec="seconds")})
    return [op], None


def _described(cert_pem):
    """The Redfish Certificate fields a PEM certificate will show (what the diff's `after` needs)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    cert = x509.load_pem_x509_certificate(_bytes(cert_pem))

    def common_name(name):
        names = name.get_attributes_for_oid(NameOID.COMMON_NAME)
        return names[0].value if names else None
    return {"Fingerprint": _colons(certificate_fingerprint(cert_pem)), "Issuer": {"CommonName": common_name(cert.issuer)},
            "Subject": {"CommonName": common_name(cert.subject)}, "ValidNotAfter": cert.not_valid_after_utc.isoformat()}


def _colons(hex_digest):
    return ":".join(hex_digest[i:i + 2] for i in range(0, len(hex_digest), 2))


def _ca_name(ca_pem):
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    names = x509.load_pem_x509_certificate(_bytes(ca_pem)).subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return names[0].value if names else "the organisation's CA"


def sign_csr(csr_pem, ca_cert_pem, ca_key_pem, days, now=None):
    """The BMC's CSR signed by the organisation's CA (serverAuth, the CSR's SANs): a PEM certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    now = now or datetime.datetime.now(datetime.timezone.utc)
    csr = x509.load_pem_x509_csr(_bytes(csr_pem))
    ca = x509.load_pem_x509_certificate(_bytes(ca_cert_pem))
    ca_key = serialization.load_pem_private_key(_bytes(ca_key_pem), None)
    if not csr.is_signature_valid:
        raise ValueError("the CSR's signature is not valid")
    builder = (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(ca.subject).public_key(csr.public_key())
               .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=days))
               .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(csr.public_key()), critical=False))
    try:
        builder = builder.add_extension(csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value, critical=False)
    except x509.ExtensionNotFound:
        pass
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


# -- the state in the shape of the actions' `config` (before / after / gathered) ---------------

def exposure_config(raw, generation, paths=None):
    """What the BMC exposes, read from the raw bodies with the audit's own fact builders (so a
    simulated plan shows its `after` the way the audit will see it). A section the BMC does not
    have is left out."""
    from ansible_collections.bmclock.supermicro.plugins.module_utils import gather

    def res(key, optional=False):
        value = raw.get(key)
        if value is None and not optional:
            raise KeyError(key)
        return value
    # What the fact builders ask of the audit's resources besides the bodies (the writers act on
    # supported Supermicro BMCs only: enforce.read refuses the others).
    res.supermicro, res.layout, res.paths = True, supermicro.layout(generation) if generation else None, paths or {}
    facts = {}
    for name in SECTIONS:
        try:
            facts[name] = gather.SECTIONS[name](res, root={}, generation=generation)
        except Exception:   # noqa: BLE001 - a section this BMC does not have (X11 directory) or could not answer: left out
            continue

    def pick(name, *keys):
        return {k: facts[name].get(k) for k in keys} if name in facts else None
    config = {
        "services_enabled": (facts.get("services") or {}).get("enabled"),
        "snmp": pick("snmp", "enabled", "v2c_enabled", "v3_enabled", "community_strings"),
        "ip_access_control": {"enabled": facts["ip_access_control"]["enabled"],
                              "rules": ["%s %s" % (r["cidr"], r["policy"]) for r in facts["ip_access_control"]["rules"]]}
        if "ip_access_control" in facts else None,
        "ntp": pick("ntp", "enabled", "servers"),
        "syslog": pick("syslog", "enabled", "servers", "port"),
        "smtp": pick("smtp", "enabled", "servers"),
        # Active Directory's DNS lookup: on, the domain controllers DNS finds are directory servers too.
        "directory_dns_lookup": dig(raw.get("account_service"), AD_DNS_LOOKUP + ("DNSLookupEnable",)) if "directory" in facts else None,
        "event_destinations": [s["destination"] for s in facts["event_subscriptions"]["list"]] if "event_subscriptions" in facts else None,
        "dns_servers": (facts.get("network") or {}).get("dns_servers"),
        "directory_servers": sorted(set((facts.get("directory") or {}).get("servers") or []) | set((facts.get("radius") or {}).get("servers") or []))
        if "directory" in facts or "radius" in facts else None,
        "addresses": (facts.get("network") or {}).get("addresses"),
        "gateways": (facts.get("network") or {}).get("gateways"),
        "host_interface_enabled": (facts.get("host_interface") or {}).get("enabled"),
        "kcs_privilege": (facts.get("kcs") or {}).get("privilege"),
        "system_lockdown": (facts.get("lockdown") or {}).get("enabled"),
    }
    return {k: v for k, v in config.items() if v is not None}


def certificate_config(body):
    """The HTTPS certificate as the actions show it."""
    body = body or {}
    return {"fingerprint": body.get("Fingerprint"), "subject": (body.get("Subject") or {}).get("CommonName"),
            "issuer": (body.get("Issuer") or {}).get("CommonName"), "valid_to": body.get("ValidNotAfter")}
