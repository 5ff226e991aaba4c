"""The fleet's content: board identities, the approved firmware, the HARDENED state and the named
DEVIATIONS from it. One module, so the project's demo baseline can be written to match it
(docs/simulator.md has the same tables).

Every BMC starts from its generation's factory tree (profiles), gets `harden()`, then its
deviations. `--seed` makes identities, passwords and the choice of deviations reproducible.
"""
from __future__ import annotations

import random
import string

from .bmc import ACCOUNTS, BMC, MANAGER, R
from .profiles.x13 import empty_subscription, https_certificate

# board, system, board id, BIOS family, LAN interface choices, fan modes, CPU count, memory GiB, max power
BOARDS = {
    "x13": [("X13DEG-OAD", "SYS-821GE-TNHR", "1D14", "EagleStream", ["Dedicated", "Failover"], ["FullSpeed", "Optimal", "HeavyIO"], 2, 2048, 18000),
            ("X13SEM-F", "SYS-511E-WR", "1D52", "EagleStream", ["Dedicated", "Shared", "Failover"], ["Standard", "FullSpeed", "Optimal", "HeavyIO"], 1, 256, 600),
            ("X13DEM", "SYS-221H-TNR", "1D26", "EagleStream", ["Dedicated", "Shared", "Failover"], ["Standard", "FullSpeed", "Optimal", "PUE2", "HeavyIO"], 2, 1024, 1600)],
    "x12": [("X12STH-SYS", "SYS-510T-MR", "1B0F", "Tatlow", ["Dedicated", "Shared", "Failover"], ["Standard", "FullSpeed", "Optimal", "HeavyIO"], 1, 128, 400),
            ("X12STW-F", "SYS-510T-WR", "1B14", "Tatlow", ["Dedicated", "Shared", "Failover"], ["Standard", "FullSpeed", "Optimal", "HeavyIO"], 1, 128, 500),
            ("X12SPI-TF", "SYS-620P-TRT", "1AB6", "Whitley", ["Dedicated", "Shared", "Failover"], ["Standard", "FullSpeed", "Optimal", "PUE2", "HeavyIO"], 1, 512, 1200)],
    "x11": [("X11SSM-F", "SYS-5019S-M", "089C", "Purley", ["Dedicated", "Shared", "Failover"], ["Standard", "FullSpeed", "Optimal", "HeavyIO"], 1, 64, 350),
            ("X11DPH-T", "SYS-7049P-TR", "0953", "Purley", ["Dedicated", "Shared", "Failover"], ["Standard", "FullSpeed", "Optimal", "PUE2", "HeavyIO"], 2, 768, 1280),
            ("X11DPU", "SYS-2029U-TN24R4T", "0957", "Purley", ["Dedicated", "Shared", "Failover"], ["Standard", "FullSpeed", "Optimal", "PUE2", "HeavyIO"], 2, 1536, 1600)],
}

# Firmware per generation: BMC (version, release date, image platform tag) and BIOS (version, date).
# "approved" is the fleet's current approved release; "old" and "unapproved" feed the deviations.
FIRMWARE = {
    "x13": {"platform": "X13AST2600-ROT-5501MS",
            "bmc": {"approved": ("01.04.15", "2024-05-10"), "old": ("01.01.06", "2023-03-15"), "unapproved": ("11.01.01", "2023-11-17"),
                    "golden": ("01.00.26", "2023-08-01")},
            "bios": {"approved": ("2.1", "03/22/2024"), "old": ("1.4", "08/04/2023"), "golden": ("1.3", "05/04/2023")}},
    "x12": {"platform": "X12AST2600-F201MS",
            "bmc": {"approved": ("01.04.11", "2024-02-20"), "old": ("01.01.10", "2021-12-10"), "unapproved": ("01.04.14", "2024-04-02"),
                    "golden": ("01.00.25", "2021-06-30")},
            "bios": {"approved": ("1.9", "01/12/2024"), "old": ("1.3", "04/15/2022"), "golden": ("1.1", "09/02/2021")}},
    "x11": {"platform": "X11AST2500-4101MS",
            "bmc": {"approved": ("01.74.09", "2021-04-28"), "old": ("01.71.11", "2019-10-25"), "unapproved": ("01.73.06", "2020-09-17"),
                    "golden": ("01.71.11", "2019-10-25")},
            "bios": {"approved": ("3.8", "06/10/2022"), "old": ("3.1", "05/24/2019"), "golden": ("3.1", "05/24/2019")}},
}

APPROVED_NTP = ["ntp1.mgmt.example", "ntp2.mgmt.example"]
APPROVED_SYSLOG = ("10.10.0.50", 514)
MANAGEMENT_NETWORKS = [("127.0.0.0", 8), ("10.0.0.0", 8)]   # the hardened IP ACL Accept rules
OPERATOR_ID, MONITOR_ID = "3", "4"


def bmc_image(gen: str, version: str, date: str) -> str:
    # 11.xx.yy is an OEM build, not a newer release (X13 capture: BMC_..._20231117_11.01.01_OEMsp.bin).
    build = "OEM" if int(version.split(".")[0]) >= 10 else "STD"
    return f"BMC_{FIRMWARE[gen]['platform']}_{date.replace('-', '')}_{version}_{build}sp.bin"


def bios_image(board: str, board_id: str, version: str, date: str) -> str:
    mm, dd, yyyy = date.split("/")
    return f"BIOS_{board}-{board_id}_{yyyy}{mm}{dd}_{version}_STDsp.bin"


def identity(rng: random.Random, name: str, generation: str, address: str) -> dict:
    board, model, board_id, family, lan, fans, cpus, mem, power = rng.choice(BOARDS[generation])
    fw = FIRMWARE[generation]
    oui = {"x13": "7C:C2:55", "x12": "3C:EC:EF", "x11": "AC:1F:6B"}[generation]
    nic = ":".join(f"{rng.randrange(256):02X}" for _ in range(3))
    mac = f"{oui}:{nic}"
    digits = lambda n: "".join(rng.choices(string.digits, k=n))
    upper = lambda n: "".join(rng.choices(string.ascii_uppercase + string.digits, k=n))
    bmc_v, bmc_d = fw["bmc"]["approved"]
    gb_v, gb_d = fw["bmc"]["golden"]
    bios_v, bios_d = fw["bios"]["approved"]
    gbios_v, gbios_d = fw["bios"]["golden"]
    return {
        "name": name, "generation": generation, "board": board, "model": model, "board_id": board_id, "bios_family": family,
        "address": address, "hostname": name, "mac": mac, "uuid": "00000000-0000-0000-0000-" + mac.replace(":", ""),
        "guid": f"{rng.randrange(16**8):08X}-4D53-{mac[:5].replace(':', '')}-{mac[6:11].replace(':', '')}-{mac[12:].replace(':', '')}0000000",
        "host_mac": "BE:" + ":".join(f"{rng.randrange(256):02X}" for _ in range(5)),
        "tohost_mac": "BE:" + ":".join(f"{rng.randrange(256):02X}" for _ in range(5)),
        "serial": f"S{digits(6)}X{digits(7)}", "board_serial": f"{upper(2)}{digits(3)}S{digits(6)}",
        "chassis_serial": f"C{digits(4)}MM{digits(2)}A{digits(5)}", "part_number": f"{model}-{digits(2)}-CI{digits(3)}",
        "chassis_part": "CSE-" + upper(6) + "-R000NPF", "sku": f"0x{board_id}{rng.randrange(16**4):04X}",
        "lan_values": lan, "fan_modes": fans, "cpus": cpus, "memory_gib": mem, "max_power": power,
        "ikvm_token": "".join(rng.choices(string.ascii_letters + string.digits, k=15)),
        "bmc": bmc_v, "bmc_date": bmc_d, "bmc_file": bmc_image(generation, bmc_v, bmc_d),
        "golden_bmc": gb_v, "golden_bmc_file": bmc_image(generation, gb_v, gb_d),
        "bios": f"BIOS Date: {bios_d} Ver {bios_v}", "bios_file": bios_image(board, board_id, bios_v, bios_d),
        "golden_bios": f"BIOS Date: {gbios_d} Ver {gbios_v}", "golden_bios_file": bios_image(board, board_id, gbios_v, gbios_d),
        "microcode": "0x2b0004d0", "sps": "6.1.4.47", "bios_me": "6.0.5.46",
        "cpld": "F5.11.CB", "golden_cpld": "F5.11.CA", "nic_model": "AOC-S25GC-i2S", "nic_fw": "28.37.10.14", "psu_fw": "1.3",
        "admin_password": "".join(rng.choices(string.ascii_uppercase, k=10)),   # the per-board label password
        "monitor_password": "Mon!" + "".join(rng.choices(string.ascii_letters + string.digits, k=12)),
    }


def account(bmc: BMC, id_: str, username: str, password: str, role: str, enabled: bool = True) -> None:
    path = f"{ACCOUNTS}/{id_}"
    body = {"@odata.type": "#ManagerAccount.v1_8_0.ManagerAccount" if not bmc.x11 else "#ManagerAccount.v1_0_3.ManagerAccount",
            "@odata.id": path, "Id": id_, "Name": "User Account", "RoleId": role, "Description": "User Account",
            "UserName": username, "Password": None, "Locked": False, "Enabled": enabled,
            "AccountTypes": ["Redfish"], "Links": {"Role": {"@odata.id": f"{R}/AccountService/Roles/{role}"}},
            "HostBootstrapAccount": False}
    if bmc.x11:
        for k in ("AccountTypes", "HostBootstrapAccount"):
            body.pop(k)
    bmc.put(path, body)
    members = bmc.store[ACCOUNTS]["Members"]
    members.sort(key=lambda m: int(m["@odata.id"].rsplit("/", 1)[1]))
    bmc.passwords[id_] = password


def factory_accounts(bmc: BMC) -> None:
    """As shipped: ADMIN (Id 2) with the per-board label password."""
    account(bmc, "2", "ADMIN", bmc.identity["admin_password"], "Administrator")


def factory_reset(bmc: BMC, preserve_users: bool) -> None:
    """SmcManagerConfig.Reset: every setting back to the factory tree; users kept or reset to ADMIN."""
    from .profiles import build
    accounts = {p: b for p, b in bmc.store.items() if p.startswith(ACCOUNTS + "/")}
    passwords, collection = dict(bmc.passwords), bmc.store[ACCOUNTS]
    # A configuration reset does not reflash: the firmware that is installed stays installed.
    firmware = {p: b for p, b in bmc.store.items() if p.startswith(bmc.firmware_path(""))}
    bmc.store = build(bmc.identity)
    bmc.passwords, bmc.tls, bmc.csr_key = {}, None, None      # the uploaded certificate goes too
    if preserve_users:
        bmc.store.update(accounts)
        bmc.store[ACCOUNTS], bmc.passwords = collection, passwords
    else:
        factory_accounts(bmc)
    for path, body in firmware.items():
        if path in bmc.store:
            member = path.rsplit("/", 1)[-1]
            bmc.set_firmware(member, body["Version"], ((body.get("Oem") or {}).get("Supermicro") or {}).get("UniqueFilename"),
                             body.get("ReleaseDate"))
    bmc.sync_licenses()
    bmc.dirty = True


def harden(bmc: BMC, username: str, password: str) -> None:
    """The HARDENED state every BMC reaches before its deviations (see docs/simulator.md)."""
    g = bmc.generation
    # Accounts: the factory ADMIN stays (Id 2) but is disabled; the automation's operator and a read-only monitor.
    bmc.patch(f"{ACCOUNTS}/2", {"Enabled": False})
    account(bmc, OPERATOR_ID, username, password, "Administrator")
    account(bmc, MONITOR_ID, "monitor", bmc.identity["monitor_password"], "ReadOnly")
    bmc.patch(f"{R}/AccountService", {"MinPasswordLength": 14, "AccountLockoutThreshold": 5, "AccountLockoutDuration": 900,
                                      "AccountLockoutCounterResetAfter": 900, "AuthFailureLoggingThreshold": 3})
    bmc.patch(f"{R}/SessionService", {"SessionTimeout": 300})
    off = {"ProtocolEnabled": False}
    bmc.patch(f"{MANAGER}/NetworkProtocol", {"IPMI": off, "SSDP": off, "HTTP": off, "SSH": off, "SNMP": off, "VirtualMedia": off,
                                             "KVMIP": off, "HTTPS": {"ProtocolEnabled": True},
                                             "NTP": {"ProtocolEnabled": True, "NTPServers": list(APPROVED_NTP)}})
    bmc.patch(bmc.oem_path("NTP"), {"NTPEnable": True, "PrimaryNTPServer": APPROVED_NTP[0], "SecondaryNTPServer": APPROVED_NTP[1]})
    bmc.patch(bmc.oem_path("Syslog"), {"EnableSyslog": True, "SyslogServer": APPROVED_SYSLOG[0], "SyslogPortNumber": APPROVED_SYSLOG[1]})
    bmc.patch(bmc.oem_path("IPAccessControl"), {"ServiceEnabled": True})
    for n, (address, prefix) in enumerate(MANAGEMENT_NETWORKS, 1):
        add_filter_rule(bmc, n, address, prefix, "Accept")
    cert = f"{MANAGER}/NetworkProtocol/HTTPS/Certificates/1"
    bmc.put(cert, {**https_certificate(bmc.identity["certs"]["org"]), "@odata.type": bmc.store[cert]["@odata.type"]})
    if g != "x11":
        bmc.set_licenses(["SFT-OOB-LIC", "SFT-DCMS-SINGLE"])
        bmc.patch(f"{MANAGER}/Oem/Supermicro/KCSInterface", {"Privilege": "Callback"})
        bmc.patch(f"{MANAGER}/HostInterfaces/1", {"InterfaceEnabled": False})
        bmc.patch(f"{MANAGER}/Oem/Supermicro/SysLockdown", {"SysLockdownEnabled": True})   # last, as NVIDIA's procedure does
    else:
        bmc.set_licenses(["SFT-OOB-LIC"])


def add_filter_rule(bmc: BMC, id_: int, address: str, prefix: int, policy: str) -> str:
    coll = bmc.oem_path("IPAccessControl") + "/FilterRules"
    path = f"{coll}/{id_}"
    bmc.put(path, {"@odata.type": "#FilterRule.v1_0_0.FilterRule", "@odata.id": path, "Id": str(id_), "Name": f"Filter Rule {id_}",
                   "Address": address, "PrefixLength": prefix, "Policy": policy})
    return path


def _firmware(bmc: BMC, which: str) -> None:
    g, ident = bmc.generation, bmc.identity
    if which in ("old_bmc", "unapproved_bmc"):
        v, d = FIRMWARE[g]["bmc"]["old" if which == "old_bmc" else "unapproved"]
        bmc.set_firmware("BMC", v, bmc_image(g, v, d), d + "T00:00:00Z")
        staging = bmc.store.get(f"{R}/UpdateService/FirmwareInventory/Staging_BMC")
        if staging:
            bmc.set_firmware("Staging_BMC", v, bmc_image(g, v, d))
    else:
        v, d = FIRMWARE[g]["bios"]["old"]
        bmc.set_firmware("BIOS", f"BIOS Date: {d} Ver {v}", bios_image(ident["board"], ident["board_id"], v, d))
        if f"{R}/UpdateService/FirmwareInventory/Staging_BIOS" in bmc.store:
            bmc.set_firmware("Staging_BIOS", f"BIOS Date: {d} Ver {v}", bios_image(ident["board"], ident["board_id"], v, d))


def _protocol(name: str, **extra):
    return lambda b: b.patch(f"{MANAGER}/NetworkProtocol", {name: {"ProtocolEnabled": True, **extra}})


def _snmp_v2c(b: BMC) -> None:
    if b.x11:
        b.patch(f"{MANAGER}/NetworkProtocol", {"SNMP": {"ProtocolEnabled": True}})
        b.patch(f"{MANAGER}/SNMP", {"SNMPEnabled": True, "SNMPv2Enabled": True})
    else:
        b.patch(f"{MANAGER}/NetworkProtocol", {"SNMP": {"ProtocolEnabled": True, "EnableSNMPv2c": True, "CommunityAccessMode": "Full",
                                                         "CommunityStrings": [{"AccessMode": "Full", "CommunityString": "public",
                                                                               "Name": "public"}]}})


def _default_cert(b: BMC) -> None:
    """Still the factory certificate: shown in Redfish and served on the TLS listener (self-signed,
    CN=IPMI: a client that verifies certificates does not get in)."""
    b.patch(f"{MANAGER}/NetworkProtocol/HTTPS/Certificates/1", dict(b.identity["certs"]["factory"]))
    if b.factory_tls:
        b.tls = dict(b.factory_tls)


def _rogue_subscription(b: BMC) -> None:
    sub = empty_subscription(1)
    sub.update({"Destination": "198.51.100.23", "Protocol": "SNMPv2c", "Status": {"State": "Enabled", "Health": "OK"},
                "Oem": {"Supermicro": {**sub["Oem"]["Supermicro"], "EnableSubscription": True}}})
    b.put(f"{R}/EventService/Subscriptions/1", sub)


def _ldap_cleartext(b: BMC) -> None:
    b.patch(f"{R}/AccountService", {"LDAP": {"ServiceEnabled": True, "ServiceAddresses": ["ldap://10.10.0.40:389"],
                                             "LDAPService": {"SearchSettings": {"BaseDistinguishedNames": ["dc=mgmt,dc=example"]}}},
                                    "ActiveDirectory": {"ServiceEnabled": False},    # one directory login at a time
                                    "Oem": {"Supermicro": {"LDAP": {"StartTLSEnabled": False}}}})


def lookup_domain_controllers(b: BMC) -> None:
    """Active Directory's DNS lookup (X12/X13 Oem.Supermicro.ActiveDirectory, semantics [I]): on, it
    lists the domain controllers the SRV lookup of the user domain finds (what this BMC's DNS
    answers: identity["ad_dns_finds"]) in the read-only DynamicServerAddresses; off, none."""
    ad = b.store[f"{R}/AccountService"]["Oem"]["Supermicro"]["ActiveDirectory"]
    ad["DynamicServerAddresses"] = list(b.identity.get("ad_dns_finds") or []) if ad["DNSLookupEnable"] else []
    b.dirty = True


def _ad_dns_lookup(b: BMC) -> None:
    """Active Directory over ldaps to the approved server, but DNS also finds an unapproved domain controller."""
    b.identity["ad_dns_finds"] = ["dc07.corp.example.net"]
    b.patch(f"{R}/AccountService", {"LDAP": {"ServiceEnabled": False},    # one directory login at a time
                                    "ActiveDirectory": {"ServiceEnabled": True, "ServiceAddresses": ["ldaps://10.10.0.40:636"]},
                                    "Oem": {"Supermicro": {"ActiveDirectory": {"DNSLookupEnable": True, "Prefix": "ldaps", "Port": 636,
                                                                               "UserDomainNames": ["corp.example.net"]}}}})
    lookup_domain_controllers(b)


def _nic(b: BMC, **ipv4) -> None:
    nic = b.store[f"{MANAGER}/EthernetInterfaces/1"]
    nic["IPv4Addresses"][0].update(ipv4)
    b.dirty = True


# name -> (generations it applies to, how it deviates from the hardened state)
DEVIATIONS = {
    "default_admin_enabled": ("x11 x12 x13", lambda b: b.patch(f"{ACCOUNTS}/2", {"Enabled": True})),
    "extra_admin": ("x11 x12 x13", lambda b: account(b, "5", "temp_admin", "Temp!Admin2023", "Administrator")),
    "operator_role_escalated": ("x11 x12 x13", lambda b: b.patch(f"{ACCOUNTS}/{MONITOR_ID}", {
        "RoleId": "Administrator", "Links": {"Role": {"@odata.id": f"{R}/AccountService/Roles/Administrator"}}})),
    "ipmi_on": ("x11 x12 x13", _protocol("IPMI")),
    "ssdp_on": ("x11 x12 x13", _protocol("SSDP")),
    "http_on": ("x11 x12 x13", _protocol("HTTP")),
    "ssh_on": ("x11 x12 x13", _protocol("SSH")),
    "snmp_v2c": ("x11 x12 x13", _snmp_v2c),
    "vmedia_on": ("x11 x12 x13", lambda b: (_protocol("IPMI")(b), _protocol("VirtualMedia")(b))),   # VirtualMedia needs IPMI
    "kvm_on": ("x11 x12 x13", _protocol("KVMIP")),
    "acl_off": ("x11 x12 x13", lambda b: b.patch(b.oem_path("IPAccessControl"), {"ServiceEnabled": False})),
    "acl_allows_any": ("x11 x12 x13", lambda b: add_filter_rule(b, 3, "0.0.0.0", 0, "Accept")),
    "old_bmc_fw": ("x11 x12 x13", lambda b: _firmware(b, "old_bmc")),
    "old_bios_fw": ("x11 x12 x13", lambda b: _firmware(b, "old_bios")),
    "unapproved_fw": ("x11 x12 x13", lambda b: _firmware(b, "unapproved_bmc")),
    "default_cert": ("x11 x12 x13", _default_cert),
    "session_timeout_long": ("x11 x12 x13", lambda b: b.patch(f"{R}/SessionService", {"SessionTimeout": 3600})),
    "weak_password_policy": ("x11 x12 x13", lambda b: b.patch(f"{R}/AccountService", {
        "MinPasswordLength": 8, "AccountLockoutThreshold": 0, "AccountLockoutDuration": 30, "AccountLockoutCounterResetAfter": 30})),
    "ntp_unapproved": ("x11 x12 x13", lambda b: (
        b.patch(f"{MANAGER}/NetworkProtocol", {"NTP": {"NTPServers": ["pool.ntp.org", "time.example.net"]}}),
        b.patch(b.oem_path("NTP"), {"PrimaryNTPServer": "pool.ntp.org", "SecondaryNTPServer": "time.example.net"}))),
    "ntp_off": ("x11 x12 x13", lambda b: (b.patch(f"{MANAGER}/NetworkProtocol", {"NTP": {"ProtocolEnabled": False}}),
                                          b.patch(b.oem_path("NTP"), {"NTPEnable": False}))),
    "syslog_off": ("x11 x12 x13", lambda b: b.patch(b.oem_path("Syslog"), {"EnableSyslog": False})),
    "syslog_unapproved": ("x11 x12 x13", lambda b: b.patch(b.oem_path("Syslog"), {"SyslogServer": "192.0.2.99"})),
    "hi_on": ("x12 x13", lambda b: b.patch(f"{MANAGER}/HostInterfaces/1", {"InterfaceEnabled": True})),
    "kcs_admin": ("x12 x13", lambda b: b.patch(f"{MANAGER}/Oem/Supermicro/KCSInterface", {"Privilege": "Administrator"})),
    "lockdown_off": ("x12 x13", lambda b: b.patch(f"{MANAGER}/Oem/Supermicro/SysLockdown", {"SysLockdownEnabled": False})),
    "public_ip": ("x11 x12 x13", lambda b: _nic(b, Address=f"203.0.113.{b.index % 250 + 1}", SubnetMask="255.255.255.0",
                                                Gateway="203.0.113.254")),
    "gateway_outside": ("x11 x12 x13", lambda b: _nic(b, Gateway="192.168.77.1")),
    "rogue_subscription": ("x11 x12 x13", _rogue_subscription),
    "ldap_cleartext": ("x12 x13", _ldap_cleartext),
    "ad_dns_lookup": ("x12 x13", _ad_dns_lookup),
}


def applicable(generation: str) -> list[str]:
    return [name for name, (gens, _) in DEVIATIONS.items() if generation in gens.split()]


def choose_deviations(rng: random.Random, generation: str, ratio: float) -> list[str]:
    """With probability `ratio` a BMC is non-compliant with 1-4 random applicable deviations."""
    if rng.random() >= ratio:
        return []
    names = applicable(generation)
    if not names:       # the generic profile: no Supermicro deviation applies
        return []
    return sorted(rng.sample(names, rng.randint(1, min(4, len(names)))))


def apply_deviations(bmc: BMC, names: list[str]) -> None:
    for name in names:
        DEVIATIONS[name][1](bmc)
    bmc.deviations = list(names)
