# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Firmware rollout planning and per-host update state (pure Python, no Ansible imports).

* Targets come from the baseline: `bmc_approved_firmware[<board>].bmc_target` / `bios_target` =
  `{image: <file in bmc_firmware_dir>, sha256: <64 hex>, version: <optional>}`; the version is read
  from Supermicro's file name (`..._<yyyymmdd>_<version>_STDsp.bin`) when not given.
* `plan()` decides per component: nothing to do, update, or a refused downgrade.
* The Supermicro write knowledge (paths, form fields, option names) is data: FLOWS, OPTIONS.
* The update state of a host (`new_state`, `advance`, `describe`) is what the result file keeps
  so that an interrupted run is picked up by the next one (docs/firmware.md "Resuming").
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re

from ansible_collections.bmclock.supermicro.plugins.module_utils import supermicro

R = "/redfish/v1"
COMPONENTS = ("bmc", "bios")
RESET_POLICIES = ("never", "if_powered_off", "always")
SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")
CHUNK = 1 << 20

# Supermicro file names: BMC_X13AST2600-ROT-5501MS_20240510_01.04.15_STDsp.bin,
# BIOS_X13DEG-OAD-1D14_20240322_2.1_STDsp.bin (reference 5.1).
_FILE_VERSION = re.compile(r"_\d{8}_(\d+(?:\.\d+)+[a-z]?)_", re.IGNORECASE)

# -- Supermicro update flows (reference 5.2, 5.3) ------------------------------------------------
FLOWS = {
    # X12/X13: multipart push to MultipartHttpPushUri, Verify task, StartUpdate, Update task.
    "multipart": {
        "upload": R + "/UpdateService/upload",
        "start": R + "/UpdateService/Actions/UpdateService.StartUpdate",
        "targets": {"bmc": R + "/Managers/1", "bios": R + "/Systems/1/Bios"},
        "apply_time": "OnStartUpdateRequest",
    },
    # X11: OEM SmcFirmwareInventory actions; the upload's form field is the component in lower case.
    "legacy": {
        "action": R + "/UpdateService/SmcFirmwareInventory/%s/Actions/SmcFirmwareInventory.%s",
        "field": {"bmc": "bmc", "bios": "bios"},
    },
}
INVENTORY = {"X11": R + "/UpdateService/SmcFirmwareInventory/%s", "X12": R + "/UpdateService/FirmwareInventory/%s",
             "X13": R + "/UpdateService/FirmwareInventory/%s"}
LOCKDOWN = R + "/Managers/1/Oem/Supermicro/SysLockdown"
TASKS = R + "/TaskService/Tasks"
SYSTEM = R + "/Systems/1"

# Preserve options: module option -> (component, Supermicro name, default, sent by the X11 legacy Update too).
OPTIONS = {
    "preserve_configuration": ("bmc", "PreserveCfg", True, True),
    "preserve_sdr": ("bmc", "PreserveSdr", True, True),
    "preserve_ssl": ("bmc", "PreserveSsl", True, True),
    "backup_bmc": ("bmc", "BackupBMC", True, False),
    "preserve_me": ("bios", "PreserveME", True, True),
    "preserve_nvram": ("bios", "PreserveNVRAM", True, True),
    "preserve_smbios": ("bios", "PreserveSMBIOS", True, True),
    "backup_bios": ("bios", "BackupBIOS", False, False),
}

# Update states kept per component in the result file; IN_FLIGHT ones mean the BMC may still be busy.
IN_FLIGHT = ("uploading", "verifying", "updating", "restarting")
STATES = IN_FLIGHT + ("staged", "done", "failed")
FINAL = ("Completed", "Cancelled", "Interrupted", "Exception", "Killed", "Failed")


def now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


# -- targets -----------------------------------------------------------------------------------
def board_entry(approved, board):
    """The approved-firmware entry of a board (or the 'default' one), or None."""
    approved = approved or {}
    return approved.get(board) if board in approved else approved.get("default")


def target_version(target):
    """The version a target installs: its `version`, else the one in the file name; None if unknown."""
    if target.get("version"):
        return str(target["version"])
    match = _FILE_VERSION.search(str(target.get("image") or ""))
    return match.group(1) if match else None


def validate_targets(approved, firmware_dir, var="bmc_approved_firmware"):
    """[(path, problem)] for every bmc_target / bios_target: the file exists in `firmware_dir`, the
    sha256 is 64 hex digits, the version is known, in the board's allowlist and not below its minimum."""
    problems = []
    if not isinstance(approved, dict):
        return [(var, "expected a mapping of board to approved firmware")]
    for board, entry in approved.items():
        for component in COMPONENTS:
            target = (entry or {}).get(component + "_target") if isinstance(entry, dict) else None
            if target is None:
                continue
            path = "%s.%s.%s_target" % (var, board, component)
            problems += _target_problems(path, component, target, entry, firmware_dir)
    return problems


def _target_problems(path, component, target, entry, firmware_dir):
    if not isinstance(target, dict):
        return [(path, "expected {image: <file name>, sha256: <64 hex digits>}, got %r" % (target,))]
    problems = []
    image = target.get("image")
    if not isinstance(image, str) or not image or "/" in image or image.startswith("."):
        problems.append((path + ".image", "expected a file name in bmc_firmware_dir, got %r" % (image,)))
    elif not firmware_dir:
        problems.append((path + ".image", "bmc_firmware_dir is not set (the folder holding %s)" % image))
    elif not os.path.isfile(os.path.join(firmware_dir, image)):
        problems.append((path + ".image", "file %s not found" % os.path.join(firmware_dir, image)))
    if not isinstance(target.get("sha256"), str) or not SHA256.match(target["sha256"]):
        problems.append((path + ".sha256", "expected 64 hex digits, got %r" % (target.get("sha256"),)))
    version = target_version(target)
    if version is None:
        problems.append((path + ".version", "no version in the file name %r: add version: to the target" % (image,)))
        return problems
    try:
        supermicro.parse_version(version)
    except ValueError:
        return problems + [(path + ".version", "not a firmware version: %r" % version)]
    allowed = entry.get(component + "_images") or []
    if image not in allowed and version not in allowed:
        problems.append((path, "%s (version %s) is not in %s_images of this board" % (image, version, component)))
    minimum = entry.get(component + "_min")
    if minimum is not None and not supermicro.version_ge(version, str(minimum)):
        problems.append((path, "version %s is below %s_min %s" % (version, component, minimum)))
    return problems


def sha256_file(source):
    """SHA-256 (hex) of a path or an open binary file, read in 1 MiB chunks (the file position is restored)."""
    digest = hashlib.sha256()
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            return sha256_file(handle)
    start = source.tell()
    for chunk in iter(lambda: source.read(CHUNK), b""):
        digest.update(chunk)
    source.seek(start)
    return digest.hexdigest()


# -- planning ----------------------------------------------------------------------------------
def plan(component, active, target, allow_downgrade=False, active_image=None, active_date=None):
    """What to do for one component: {component, action, from, to, image, sha256, reason}.

    action: "none" (active is the target), "update", "downgrade_refused", "unknown" (the active
    version could not be read, or is of another version family with no release dates to order
    them: fail closed, nothing is sent). Versions are compared within a family (supermicro.
    firmware_family: an OEM build or another major number is another family); across families
    by release date (the inventory's ReleaseDate, the date in the target's file name).
    """
    to = target_version(target)
    step = {"component": component, "from": active, "to": to, "image": target.get("image"),
            "sha256": str(target.get("sha256", "")).lower(), "active_image": active_image}
    name = component.upper()
    shown = supermicro.short_bios_version(active) if component == "bios" and active else active     # "2.1", not "BIOS Date: ..."
    try:
        if at_target(active, to) and _same_family(component, active, active_image, target):
            return dict(step, action="none", reason="%s already at %s" % (name, to))
        order, how = _order(component, active, target, active_image, active_date)
    except ValueError as exc:
        if allow_downgrade and active not in (None, "", "Not Present"):
            return dict(step, action="update", reason="%s %s -> %s (%s; allowed by bmc_firmware_allow_downgrade)"
                        % (name, shown, to, exc))
        return dict(step, action="unknown", reason="%s: cannot order %r and the target %s: %s" % (name, shown, to, exc))
    if order > 0 and not allow_downgrade:
        return dict(step, action="downgrade_refused",
                    reason="%s %s is newer than the target %s%s: downgrade refused (bmc_firmware_allow_downgrade)"
                    % (name, shown, to, " (%s)" % how if how else ""))
    return dict(step, action="update", reason="%s %s -> %s" % (name, shown, to))


def pending(steps):
    """The steps a run sends something for: updates, and interrupted ones it resumes."""
    return [s for s in steps if s["action"] == "update" or s.get("resume")]


def diff(host, steps):
    """--diff for the components a run updates (or would): the version read and the image it had,
    then the target version, its image and sha256. None when nothing changes."""
    todo = pending(steps)
    if not todo:
        return None

    def shown(side):
        return "".join("%s: %s\n" % (s["component"].upper(), ", ".join("%s %s" % (k, v) for k, v in side(s).items() if v))
                       for s in todo)
    return {"before_header": "%s (read)" % host, "after_header": "%s (planned)" % host,
            "before": shown(lambda s: {"version": s["from"], "image": s.get("active_image")}),
            "after": shown(lambda s: {"version": s["to"], "image": s["image"], "sha256": s["sha256"]})}


def _same_family(component, active, active_image, target):
    """Versions of one family compare by number (the BIOS: one family per build). ValueError when unreadable."""
    mine = supermicro.firmware_family(active, active_image)
    theirs = supermicro.firmware_family(target_version(target), target.get("image"))
    return mine == theirs or component == "bios" and mine[0] == theirs[0]


def _order(component, active, target, active_image, active_date):
    """(-1, 0 or 1 of active against the target, how it was decided or None)."""
    to = target_version(target)
    if _same_family(component, active, active_image, target):
        return supermicro.compare_versions(active, to), None
    info = supermicro.image_info(target.get("image"))
    if not (active_date and info):
        raise ValueError("other version families and no release dates to compare")
    a, b = str(active_date)[:10], info["date"]
    return (a > b) - (a < b), "other version family, compared by release date %s and %s" % (a, b)


def at_target(active, to):
    try:
        return supermicro.compare_versions(active, to) == 0
    except ValueError:
        return False


# -- requests ----------------------------------------------------------------------------------
def options_for(component, options, legacy=False):
    """Oem.Supermicro.<COMPONENT> (or the X11 Update body) from the module's preserve options."""
    return {name: bool(options.get(key, default)) for key, (comp, name, default, in_legacy) in OPTIONS.items()
            if comp == component and (in_legacy or not legacy)}


def update_parameters(component, options):
    flow = FLOWS["multipart"]
    return {"Targets": [flow["targets"][component]], "@Redfish.OperationApplyTime": flow["apply_time"],
            "Oem": {"Supermicro": {component.upper(): options_for(component, options)}}}


def legacy_action(component, action):
    return FLOWS["legacy"]["action"] % (component.upper(), action)


def active_update_tasks(tasks):
    """Tasks that mean an update is running on the BMC: not final and named BMC/BIOS Verify/Update
    (bmclib's firmwareTaskActive, reference 5.2 item 5)."""
    return [t for t in tasks if re.match(r"^(BMC|BIOS) (Verify|Update)$", str(t.get("Name", "")))
            and t.get("TaskState") not in FINAL]


def reset_type(policy, power_state, allowed):
    """The ComputerSystem.Reset that applies a staged BIOS under `policy`, or None (leave it staged)."""
    if policy == "if_powered_off" and power_state == "Off" or policy == "always" and power_state == "Off":
        return "On"
    if policy == "always":
        return next((t for t in ("GracefulRestart", "ForceRestart", "PowerCycle") if t in allowed), None)
    return None


# -- state -------------------------------------------------------------------------------------
def new_state(step, batch=None):
    return {"state": "uploading", "from": step["from"], "to": step["to"], "image": step["image"],
            "sha256": step["sha256"], "since": now(), "updated": now(), "task": None, "message": None,
            "batch": batch}


def advance(entry, state, **fields):
    """The entry moved to `state` (a new dict; `since` stays the start of the update)."""
    if state not in STATES:
        raise ValueError("unknown firmware update state %r" % state)
    return dict(entry, state=state, updated=now(), **fields)


def describe(component, entry):
    """One line for people: "update in progress since ...", "staged, pending host reset", ..."""
    name = component.upper()
    state = entry.get("state")
    if state in IN_FLIGHT:
        return "%s update to %s in progress since %s (%s)" % (name, entry.get("to"), entry.get("since"), state)
    if state == "staged":
        return "%s %s staged, pending host reset" % (name, entry.get("to"))
    if state == "failed":
        return "%s failed at %s: %s" % (name, entry.get("step"), entry.get("message"))
    if state == "done":
        return "%s updated %s -> %s" % (name, entry.get("from"), entry.get("to"))
    return "%s: %s" % (name, state)
