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
    "update_service": R + "/UpdateService",
}
# Read before the layout is known (the same path on every layout); the rest depends on it.
COMMON_KEYS = tuple(_COMMON)


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


def root_layout(service_root):
    """The layout the service root alone tells: X11 (Redfish 1.0.x, `Oem: {}`), X13 (an
    `Oem.Supermicro` block: X12 and X13 share the layout) or None (it does not say)."""
    oem = service_root.get("Oem")
    if isinstance(oem, dict) and "Supermicro" in oem:
        return "X13"
    version = parse_version(service_root.get("RedfishVersion") or "", default=(0,))
    if oem == {} and (1,) <= version < (1, 1) and "Vendor" not in service_root:
        return "X11"
    return None


VENDOR = "Supermicro"
_VENDOR_NAMES = {"supermicro", "super micro", "super micro computer", "super micro computer, inc.", "smc"}


def is_supermicro(name):
    return str(name or "").strip().lower() in _VENDOR_NAMES


def oem_key(body):
    """The first key of a body's `Oem` block (the vendor it names), or None."""
    oem = body.get("Oem") if isinstance(body, dict) else None
    keys = [k for k in oem if not k.startswith("@")] if isinstance(oem, dict) else []
    return keys[0] if keys else None


# "BMC_X13AST2600-ROT-5501MS_20240510_01.04.15_STDsp.bin", "BIOS_X13DEG-OAD-1D14_20240322_2.1_STDsp.bin"
_IMAGE = re.compile(r"^(BMC|BIOS)_([A-Z0-9-]+?)_(\d{8})_([^_]+)_([A-Z]+)sp\.bin$", re.IGNORECASE)


def image_info(name):
    """{kind, platform, date (YYYY-MM-DD), version, build (STD|OEM)} of a Supermicro image file
    name, or None when the name does not follow the pattern."""
    match = _IMAGE.match(str(name or ""))
    if not match:
        return None
    kind, platform, date, version, build = match.groups()
    return {"kind": kind.upper(), "platform": platform.upper(), "date": "%s-%s-%s" % (date[:4], date[4:6], date[6:]),
            "version": version, "build": build.upper()}


def detect(root, system=None, chassis=None, update_service=None, images=(), manager=None):
    """Vendor, layout and generation from several signals, with the evidence.

    Vendor: the BMC's own signals (root `Vendor`, the first key of the root `Oem`, the
    UpdateService `Oem` key) decide; the system's Manufacturer only when the BMC names nobody.
    Layout: the board (Chassis/1 Model), the image names, the UpdateService OEM links, the root.
    Generation: the board, else the firmware image names (BMC_X12AST2600..., BIOS_X13DEG-OAD...),
    else Managers/1 (Model, FirmwareVersion: read only as a fallback). Returns
    {vendor, supermicro, layout, generation, board_generation, signals, conflicts, unsupported}.
    """
    def body(value):
        return value if isinstance(value, dict) else {}
    system, chassis, update_service, manager = body(system), body(chassis), body(update_service), body(manager)
    signals = {"root.Vendor": root.get("Vendor"), "root.Oem": oem_key(root),
               "UpdateService.Oem": oem_key(update_service), "Systems.Manufacturer": system.get("Manufacturer"),
               "Chassis.Manufacturer": chassis.get("Manufacturer")}
    signals = {k: v for k, v in signals.items() if isinstance(v, str) and v.strip()}
    bmc_side = [v for k, v in signals.items() if k.startswith(("root.", "UpdateService."))]
    deciding = bmc_side or list(signals.values())
    supermicro = bool(deciding) and all(is_supermicro(v) for v in deciding)
    others = [v for v in signals.values() if not is_supermicro(v)]
    vendor = VENDOR if supermicro else (system.get("Manufacturer") if isinstance(system.get("Manufacturer"), str)
                                        else (others[0] if others else None))
    conflicts = ["%s is %r" % (k, v) for k, v in signals.items() if supermicro and not is_supermicro(v)]

    layouts = {}
    board_gen = board_generation(chassis.get("Model") if isinstance(chassis.get("Model"), str) else None)
    if board_gen:
        layouts["Chassis.Model"] = layout(board_gen)
    image_gens = sorted({g for g in (_image_generation(i) for i in images) if g})
    if image_gens:
        layouts["firmware images"] = layout(image_gens[0])
    oem = body(body(update_service.get("Oem")).get("Supermicro"))
    if "SmcFirmwareInventory" in oem:
        layouts["UpdateService.Oem.Supermicro"] = "X11"
    elif isinstance(update_service.get("FirmwareInventory"), dict):
        layouts["UpdateService.FirmwareInventory"] = "X13"
    if root_layout(root):
        layouts["root"] = root_layout(root)
    manager_gen = board_generation(manager.get("Model") if isinstance(manager.get("Model"), str) else None)
    if manager_gen and not board_gen and not image_gens:
        layouts["Managers.Model"] = layout(manager_gen)
    found = list(dict.fromkeys(layouts.values()))
    if len(found) > 1:
        conflicts.append("layout signals disagree: %s" % ", ".join("%s says %s" % kv for kv in layouts.items()))
    generation = board_gen or (image_gens[0] if len(image_gens) == 1 else None) or manager_gen
    chosen = layout(generation) if generation else (found[0] if found else None)
    if not supermicro:
        reason = ("Manufacturer %r, not a Supermicro BMC" % vendor if vendor else
                  "nothing names the vendor (root Vendor/Oem, Systems Manufacturer, UpdateService Oem): not recognised as a Supermicro BMC")
    elif chosen is None:
        reason = "unknown board and firmware family: no board model, firmware image or layout signal could be read"
    elif len(found) > 1 and not generation:
        reason = "inconsistent signals: " + conflicts[-1]
    else:
        reason = None
    evidence = dict(signals, **{"layout:" + k: v for k, v in layouts.items()})
    if manager.get("FirmwareVersion"):
        evidence["Managers.FirmwareVersion"] = manager.get("FirmwareVersion")
    return {"vendor": vendor, "supermicro": supermicro, "layout": chosen if supermicro else None,
            "generation": generation if supermicro else None, "signals": evidence, "conflicts": conflicts,
            "unsupported": reason}


def _image_generation(name):
    info = image_info(name)
    if not info:
        return None
    if info["kind"] == "BIOS":
        return board_generation(info["platform"])
    match = re.match(r"^([XHB]\d{2})", info["platform"])
    return match.group(1) if match else None


def board_generation(board):
    """'X13' from 'X13DEG-OAD', 'H12' from 'H12SSL-i', 'X11' from 'X11DPU'; None when unknown."""
    match = re.match(r"^(?:MBD-)?([XHB])(\d{1,2})[A-Z]", (board or "").strip().upper())
    return "%s%s" % (match.group(1), match.group(2)) if match else None


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
    candidate = ver.group(1) if ver else text.split(" ", maxsplit=1)[0]
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


def firmware_family(version, image=None):
    """What a version can be compared with: (build, major). An OEM build (`..._OEMsp.bin`) or
    another major number (11.01.01 against 01.04.15) is another family: its number says nothing
    about its age or its fixes. BIOS versions (1.4, 2.1) share one family per build."""
    info = image_info(image)
    build = info["build"] if info else "STD"
    return build, parse_version(version)[0]


def firmware_at_least(actual, minimum, kind="BMC", actual_image=None, actual_date=None, minimum_image=None, minimum_date=None):
    """(True/False, how): is `actual` at least `minimum`? Within a family by version (how: None);
    across families by release date (YYYY-MM-DD) when both are known; else ValueError naming both."""
    same = firmware_family(actual, actual_image) == firmware_family(minimum, minimum_image)
    if kind.upper() == "BIOS":
        same = firmware_family(actual, actual_image)[0] == firmware_family(minimum, minimum_image)[0]
    if same:
        return version_ge(actual, minimum), None
    if actual_date and minimum_date:
        return str(actual_date)[:10] >= str(minimum_date)[:10], "other version family: compared by release date, %s of %s and %s of %s" % (
            str(actual_date)[:10], actual, str(minimum_date)[:10], minimum)
    raise ValueError("%s %s (%s) and %s (%s) are different version families and their release dates are not both known: "
                     "list the image explicitly in the approved images" % (
                         kind, actual, actual_image or "image unknown", minimum, minimum_image or "image unknown"))


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
