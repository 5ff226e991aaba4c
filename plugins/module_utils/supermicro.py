# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Supermicro knowledge in one place: generations, where each resource lives, version strings.

Pure Python (no Ansible imports): used by the controller-side action plugins and by modules.
Sources: the Supermicro Redfish reference notes (shared/reference/supermicro-redfish.md, sections 1.4, 4 and 5).
"""

from __future__ import annotations

import re

R = "/redfish/v1"
MANAGER = R + "/Managers/1"

LAYOUTS = ("X11", "X12", "X13")

# X12/X13 (and H12/H13) keep the OEM manager features under Managers/1/Oem/Supermicro, SNMP in
# NetworkProtocol and SMTP in EventService (RG34 covers both generations the same way). X11
# firmware of the 1.x era links its OEM features straight under Managers/1, SNMP and SMTP
# included, and has no licence manager, KCS, lockdown or host interface resources; its firmware
# inventory is the OEM SmcFirmwareInventory (reference 1.4, 4.2, 5.3). None: not on that layout.
_COMMON = {
    "system": R + "/Systems/1",
    "chassis": R + "/Chassis/1",
    "account_service": R + "/AccountService",
    "accounts": R + "/AccountService/Accounts",
    "session_service": R + "/SessionService",
    "network_protocol": MANAGER + "/NetworkProtocol",
    "certificate": MANAGER + "/NetworkProtocol/HTTPS/Certificates/1",
    "ethernet": MANAGER + "/EthernetInterfaces/1",
    "event_service": R + "/EventService",
    "subscriptions": R + "/EventService/Subscriptions",
}


def _features(base, *names):
    return {key: "%s/%s" % (base, name) for key, name in names}


_OEM = (("ip_access_control", "IPAccessControl"), ("ntp", "NTP"), ("syslog", "Syslog"), ("radius", "RADIUS"))
_X12_X13 = dict(
    _COMMON,
    **_features(MANAGER + "/Oem/Supermicro", *_OEM, ("kcs", "KCSInterface"), ("lockdown", "SysLockdown")),
    host_interface=MANAGER + "/HostInterfaces/1",
    licenses=MANAGER + "/LicenseManager/QueryLicense",
    firmware=R + "/UpdateService/FirmwareInventory",
    snmp=None,
    smtp=None,
)
RESOURCE_PATHS = {
    "X11": dict(
        _COMMON,
        **_features(MANAGER, *_OEM, ("snmp", "SNMP"), ("smtp", "SMTP")),
        host_interface=None,
        kcs=None,
        lockdown=None,
        licenses=None,
        firmware=R + "/UpdateService/SmcFirmwareInventory",
    ),
    "X12": dict(_X12_X13),
    "X13": dict(_X12_X13),
}
for _paths in RESOURCE_PATHS.values():
    _paths["ip_filter_rules"] = _paths["ip_access_control"] + "/FilterRules"


def layout(generation):
    """The Redfish layout a generation uses: H11 -> X11, H13 -> X13, B12 -> X12, unknown -> X13."""
    match = re.match(r"^[A-Z](\d+)$", generation or "")
    number = int(match.group(1)) if match else 13
    return "X%d" % min(max(number, 11), 13)


def resource_paths(generation):
    """{resource key: Redfish path or None} for a generation (see RESOURCE_PATHS)."""
    return dict(RESOURCE_PATHS[layout(generation)])


def is_legacy_root(service_root):
    """True for the X11-era service root: Redfish 1.0.x with an empty Oem (reference 1.2)."""
    version = parse_version(service_root.get("RedfishVersion") or "1.0.0", default=(1, 0))
    return version < (1, 1) or "Supermicro" not in (service_root.get("Oem") or {})


def board_generation(board):
    """'X13' from 'X13DEG-OAD', 'H12' from 'H12SSL-i', 'X11' from 'X11DPU'; None when unknown."""
    match = re.match(r"^(?:MBD-)?([XHB])(\d{1,2})[A-Z]", (board or "").strip().upper())
    return "%s%s" % (match.group(1), match.group(2)) if match else None


def detect_generation(service_root, board=None):
    """The board generation (X11, X12, X13, H11, H12, H13, ...).

    The board model (Chassis/1 Model) names the generation directly. Without it the service root
    only separates the X11-era layout from the later one; the newer layout is reported as X13,
    whose paths X12 shares.
    """
    return board_generation(board) or ("X11" if is_legacy_root(service_root) else "X13")


# "Ver 1.4" inside a BIOS inventory version ("BIOS Date: 08/04/2023 Ver 1.4").
_VER = re.compile(r"\bVer(?:sion)?\s*([\d.]+[a-z]?)", re.IGNORECASE)


def parse_version(text, default=None):
    """A comparable tuple from a Supermicro firmware version string.

    '01.74.09' -> (1, 74, 9); '11.01.01' -> (11, 1, 1); '1.69' -> (1, 69);
    'BIOS Date: 08/04/2023 Ver 1.4' -> (1, 4); '1.4' -> (1, 4); '3.1a' -> (3, 1, 1);
    '01.71.11 10/25/2019' -> (1, 71, 11). Raises ValueError (or returns `default`) for text
    without a version ('Not Present', '').
    """
    text = str(text or "")
    ver = _VER.search(text)
    candidate = ver.group(1) if ver else text.split(" ")[0]
    match = re.fullmatch(r"(\d+(?:\.\d+)*)([a-z])?", candidate.strip(), re.IGNORECASE)
    if not match:
        if default is not None:
            return default
        raise ValueError("not a firmware version: %r" % text)
    numbers = tuple(int(part) for part in match.group(1).split("."))
    # A trailing letter is a re-spin of the same release: 3.1 < 3.1a < 3.1b < 3.2.
    letter = (ord(match.group(2).lower()) - ord("a") + 1,) if match.group(2) else ()
    return numbers + letter


def compare_versions(left, right):
    """-1, 0 or 1; missing trailing parts count as zero (1.4 == 1.4.0)."""
    a, b = parse_version(left), parse_version(right)
    width = max(len(a), len(b))
    a, b = a + (0,) * (width - len(a)), b + (0,) * (width - len(b))
    return (a > b) - (a < b)


def version_ge(actual, minimum):
    return compare_versions(actual, minimum) >= 0


def short_bios_version(text):
    """'1.4' from 'BIOS Date: 08/04/2023 Ver 1.4' (the form Systems/1 BiosVersion uses)."""
    ver = _VER.search(str(text or ""))
    return ver.group(1) if ver else text


# -- write knowledge (enforcement: plugins/module_utils/enforce.py, access.py) ------------------
# Data, not branches: what a write needs, what it must not touch, in which order (shared reference
# enforcement.md section 3, supermicro-redfish.md sections 2 and 4).

# Licence a write needs (any of them), by resource key; a BMC without it answers 403
# OemLicenseNotPassed, so the plan marks the control "not licensed" before any write.
WRITE_LICENCES = {
    "lockdown": ("SFT-DCMS-SINGLE",),
    "host_interface": ("SFT-OOB-LIC", "SFT-DCMS-SINGLE"),
    "certificate_service": ("SFT-DCMS-SINGLE",),     # GenerateCSR, ReplaceCertificate (RG34 p.84)
}
# SysLockdown refuses every other write while on: unlock first, lock last (and verify the lock).
LOCKDOWN_FIELD = "SysLockdownEnabled"
# Order of operations inside one plan: lower first. A service's settings before disabling it
# (OemUserNotToEnableOneDisabledService); accounts are created before others are disabled, so an
# enabled Administrator exists at every step.
# System Lockdown switched on by a plan (host-syslockdown) comes after everything else ("lock").
WRITE_ORDER = {"settings": 10, "create": 20, "update": 30, "enable": 40, "disable": 60, "delete": 70, "lock": 90}

# Accounts (reference 2.1-2.5): POST creates with these fields, the BMC picks the lowest free
# Id >= 3; Id 1 is reserved and Id 2 is the factory ADMIN, which can be disabled, renamed and
# given a new password but not deleted (it is IPMI user 2).
ACCOUNT_CREATE_FIELDS = ("UserName", "Password", "RoleId", "Enabled")
ACCOUNT_ROLES = ("Administrator", "Operator", "ReadOnly")
FACTORY_ADMIN_ID = "2"
UNDELETABLE_ACCOUNT_IDS = ("1", FACTORY_ADMIN_ID)
# Passwords: 8..20 characters (AccountService Min/MaxPasswordLength narrow it further), one of
# each class (newer firmware refuses passwords without digits and specials), no user name inside.
PASSWORD_LENGTH = (8, 20)
PASSWORD_CLASSES = {"upper case": "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "lower case": "abcdefghijklmnopqrstuvwxyz",
                    "digit": "0123456789", "special": "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"}
# Body fields that carry secrets: never shown in a plan, a diff, a result or an error.
SECRET_FIELDS = ("Password", "RadiusSecret", "BindPassword", "CommunityString", "AuthKey", "EncryptionKey")

# Policy targets -> (resource key, field path in the body). AccountService and SessionService.
POLICY_FIELDS = {
    "min_password_length": ("account_service", ("MinPasswordLength",)),
    "lockout_threshold": ("account_service", ("AccountLockoutThreshold",)),
    "lockout_duration": ("account_service", ("AccountLockoutDuration",)),
    "lockout_reset_after": ("account_service", ("AccountLockoutCounterResetAfter",)),
    "session_timeout": ("session_service", ("SessionTimeout",)),
}
# Directory logins (X12/X13 AccountService; X11 has none) and RADIUS (OEM resource).
DIRECTORY_FIELDS = {
    "ldap": {"resource": "account_service", "enabled": ("LDAP", "ServiceEnabled"),
             "tls": {"start_tls": (("Oem", "Supermicro", "LDAP", "StartTLSEnabled"), True)}},
    "active_directory": {"resource": "account_service", "enabled": ("ActiveDirectory", "ServiceEnabled"),
                         "tls": {"ldaps": (("Oem", "Supermicro", "ActiveDirectory", "Prefix"), "ldaps")}},
    "radius": {"resource": "radius", "enabled": ("RadiusEnabled",), "tls": {}},
}
