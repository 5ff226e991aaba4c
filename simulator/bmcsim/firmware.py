"""Firmware update state machines of a Supermicro BMC (docs/simulator.md "Firmware update").

X12/X13, multipart push (reference §5.2):
    POST UpdateService/upload  (UpdateParameters + UpdateFile)  -> 202 Accepted, "BMC Verify"/"BIOS Verify" task
    [OnStartUpdateRequest] POST UpdateService.StartUpdate       -> 202 Accepted, "BMC Update"/"BIOS Update" task
    BMC: the BMC restarts (connections refused, sessions lost) and comes back running the new image;
    BIOS: the image waits in Staging_BIOS and becomes the BIOS at the next host reset.
X11 `UpdateService/SmcFirmwareInventory/{BMC,BIOS}` and X12 `UpdateService/Oem/Supermicro/FirmwareInventory/...`
legacy actions (§5.3): EnterUpdateMode -> Upload (multipart field bmc|bios) -> Update -> task with Oem.Percentage; Cancel.
SimpleUpdate (DCMS licence, gated in app.py) fetches ImageURI from loopback hosts only, then verifies and flashes.

A BMC is in update mode from the upload (or EnterUpdateMode) until the update ends or fails, Cancel, or a
Manager.Reset; meanwhile a new upload answers OemFirmwareAlreadyInUpdateMode.

Simulated image format: a first line `SMCFW <BMC|BIOS> <X11|X12|X13> <version> <YYYY-MM-DD>` then any payload
(`make_image`). An image whose header is missing, or names another component or generation, is corrupt: its
Verify task ends in Exception (legacy Upload: 400 wrong image) and nothing changes.
"""
from __future__ import annotations

import asyncio
import ipaddress
import json
import re
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from .bmc import BMC, MANAGER, R
from .errors import RedfishError, accepted_body, message_info
from .handlers.context import Ctx

UPDATE_SERVICE = f"{R}/UpdateService"
TARGETS = {MANAGER: "BMC", f"{R}/Systems/1/Bios": "BIOS"}
SIMPLE_UPDATE_TARGETS = {MANAGER: "BMC", f"{R}/UpdateService/FirmwareInventory/BMC": "BMC",
                         f"{R}/Systems/1": "BIOS", f"{R}/UpdateService/FirmwareInventory/BIOS": "BIOS"}
APPLY_TIMES = ("Immediate", "OnStartUpdateRequest")
# Oem.Supermicro.{BMC,BIOS} option names (RG34 pp.14-17, bmclib x12/x13 BIOS option sets); the first value is the
# backup switch: True keeps the replaced image in Backup_<component>.
OPTIONS = {"BMC": ("BackupBMC", "PreserveCfg", "PreserveSdr", "PreserveSsl"),
           "BIOS": ("BackupBIOS", "PreserveME", "PreserveNVRAM", "PreserveSMBIOS", "PreserveOA", "PreserveSETUPCONF",
                    "PreserveSETUPPWD", "PreserveSECBOOTKEY", "PreserveBOOTCONF", "UpdateRollbackID")}
BACKUP_BY_DEFAULT = {"BMC": True, "BIOS": False}      # RG34's example parameter sets

# Seconds at knob firmware_time_scale 1, after real boards (reference §5.2 and §9 item 17). The restart after a
# BMC update lasts knob reboot_seconds, as a Manager.Reset does.
DURATIONS = {("BMC", "verify"): 6, ("BIOS", "verify"): 75, ("BMC", "update"): 240, ("BIOS", "update"): 410}
PROGRESS_STEPS = 50

MESSAGES = {  # component -> (wrong image, update in progress, no image)
    "BMC": ("OemFirmwareUpdateWrongImage", "OemFirmwareUpdateIsInProgress", "OemFirmwareUpdateNoImage"),
    "BIOS": ("OemBiosUpdateWrongImage", "OemBiosUpdateIsInProgress", "OemBiosUpdateNoImage"),
}

HEADER = re.compile(rb"SMCFW (BMC|BIOS) (X11|X12|X13) (\S+) (\d{4})-(\d\d)-(\d\d)\n")

_jobs: set[asyncio.Task] = set()     # running state machines (the event loop keeps only weak references)


def make_image(component: str, generation: str, version: str, date: str = "2024-10-01", size: int = 4096) -> bytes:
    """A firmware image the simulator accepts for `component` on a `generation` board."""
    header = f"SMCFW {component} {generation.upper()} {version} {date}\n".encode()
    return header + bytes(size)


@dataclass(frozen=True)
class Image:
    component: str
    generation: str
    version: str
    date: str            # YYYY-MM-DD
    filename: str

    @classmethod
    def parse(cls, data: bytes, filename: str | None) -> Image | None:
        m = HEADER.match(data)
        if not m:
            return None
        component, generation, version, y, mo, d = (g.decode() for g in m.groups())
        return cls(component, generation.lower(), version, f"{y}-{mo}-{d}",
                   filename or f"{component}_{generation}_{y}{mo}{d}_{version}_STDsp.bin")

    @property
    def inventory_version(self) -> str:
        """How FirmwareInventory shows it: 'NN.NN.NN' for the BMC, 'BIOS Date: MM/DD/YYYY Ver X.Y' for the BIOS."""
        if self.component == "BIOS":
            y, m, d = self.date.split("-")
            return f"BIOS Date: {m}/{d}/{y} Ver {self.version}"
        return self.version


@dataclass
class Pending:
    """The image a BMC is in update mode for, kept in `bmc.staging[component]`."""
    component: str
    phase: str                     # entered | uploaded | verifying | verified | updating | staged (BIOS awaiting host reset)
    image: Image | None = None
    apply_time: str = "OnStartUpdateRequest"
    options: dict = field(default_factory=dict)
    legacy: bool = False           # SmcFirmwareInventory actions: tasks report Oem.Percentage
    source: str | None = None      # SimpleUpdate ImageURI still to fetch
    task: str | None = None        # the task driven now
    job: asyncio.Task | None = None


def update_mode(bmc: BMC) -> Pending | None:
    return next((p for p in bmc.staging.values() if p.phase != "staged"), None)


def refuse_new_image(bmc: BMC, component: str) -> None:
    """An upload or EnterUpdateMode is refused while the BMC is in update mode or a BIOS is staged."""
    if pending := update_mode(bmc):
        # Only evidence for the status is fwupd's Supermicro mock (405); the body is bmclib's capture.
        raise RedfishError(405, "OemFirmwareAlreadyInUpdateMode", pending.component, related=["EnterUpdateMode_StatusCheck"])
    staged = bmc.staging.get(component)
    if staged is not None:   # a BIOS already waits in the staging region for the host reset
        raise RedfishError(400, "OemBiosUploadFail")


def scaled(bmc: BMC, component: str, step: str) -> float:
    return DURATIONS[(component, step)] * bmc.knobs.firmware_time_scale


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def run_in_background(coro) -> asyncio.Task:
    """Start a coroutine that must not be lost half-way (the loop keeps only weak references)."""
    job = asyncio.get_running_loop().create_task(coro)
    _jobs.add(job)
    job.add_done_callback(_jobs.discard)
    return job


def spawn(pending: Pending, coro) -> None:
    pending.job = run_in_background(coro)


async def reboot(bmc: BMC, while_down=None) -> None:
    """The BMC restarts: its listener closes and every session is gone; `while_down` runs then
    (a new image goes in, update mode ends); it answers again after `reboot_seconds`."""
    await bmc.set_up(False)
    bmc.sessions.clear()
    if while_down:
        while_down()
    await asyncio.sleep(bmc.knobs.reboot_seconds)
    await bmc.set_up(True)


# ---- tasks ----------------------------------------------------------------------------------------
def new_task(bmc: BMC, pending: Pending, step: str) -> str:
    pending.task = bmc.create_task(f"{pending.component} {step}", state="Running", percent=0)
    if pending.legacy:
        bmc.patch(pending.task, {"Oem": {"Percentage": "0%"}})
    return pending.task


def progress(bmc: BMC, pending: Pending, percent: int) -> None:
    bmc.patch(pending.task, {"PercentComplete": percent, **({"Oem": {"Percentage": f"{percent}%"}} if pending.legacy else {})})


def finish(bmc: BMC, task: str, state: str = "Completed", status: str = "OK", message: dict | None = None) -> None:
    body = {"TaskState": state, "TaskStatus": status, "EndTime": now()}
    if state == "Completed":
        body["PercentComplete"] = 100
    if message:
        body["Messages"] = [message]
    bmc.patch(task, body)


def accepted(ctx: Ctx, pending: Pending, step: str) -> web.Response:
    related = f"{pending.component.capitalize()}{step}Accepted"       # BmcVerifyAccepted, BiosUpdateAccepted, ...
    return ctx.reply(accepted_body("OemSimpleupdateAcceptedMessage", pending.task, [related]), 202,
                     {"Location": pending.task})


# ---- the state machine -----------------------------------------------------------------------------
def current(bmc: BMC, pending: Pending) -> bool:
    """False once a Manager.Reset or an admin reset dropped this update."""
    return bmc.staging.get(pending.component) is pending


async def verify(bmc: BMC, pending: Pending) -> None:
    if pending.source and not await fetch(bmc, pending):
        return
    await asyncio.sleep(scaled(bmc, pending.component, "verify"))
    if not current(bmc, pending):
        return
    image = pending.image
    if image is None or image.component != pending.component or image.generation != bmc.generation:
        finish(bmc, pending.task, "Exception", "Critical", message_info(MESSAGES[pending.component][0], x11=bmc.x11))
        del bmc.staging[pending.component]
        return
    finish(bmc, pending.task)
    pending.phase = "verified"
    if pending.apply_time == "Immediate":
        start_update(bmc, pending)


def start_update(bmc: BMC, pending: Pending) -> None:
    pending.phase = "updating"
    new_task(bmc, pending, "Update")
    spawn(pending, flash(bmc, pending))


async def flash(bmc: BMC, pending: Pending) -> None:
    duration = scaled(bmc, pending.component, "update")
    for step in range(1, PROGRESS_STEPS + 1):
        await asyncio.sleep(duration / PROGRESS_STEPS)
        if not current(bmc, pending):
            return
        progress(bmc, pending, 100 * step // PROGRESS_STEPS)
    finish(bmc, pending.task)
    if pending.component == "BMC":
        del bmc.staging["BMC"]
        await reboot(bmc, lambda: (replace(bmc, pending), install(bmc, "Staging_BMC", pending.image)))
    else:
        pending.phase = "staged"
        install(bmc, "Staging_BIOS", pending.image)


def replace(bmc: BMC, pending: Pending) -> None:
    component = pending.component
    if pending.options.get(OPTIONS[component][0], BACKUP_BY_DEFAULT[component]):
        previous = bmc.get(bmc.firmware_path(component))
        member = bmc.get(bmc.firmware_path(f"Backup_{component}"))
        if member is not None:
            bmc.set_firmware(f"Backup_{component}", previous["Version"],
                             previous.get("Oem", {}).get("Supermicro", {}).get("UniqueFilename"))
    install(bmc, component, pending.image)


def install(bmc: BMC, member: str, image: Image) -> None:
    if bmc.get(bmc.firmware_path(member)) is not None:     # X11 has no Backup_/Staging_ members
        bmc.set_firmware(member, image.inventory_version, image.filename, f"{image.date}T00:00:00Z")


async def fetch(bmc: BMC, pending: Pending) -> bool:
    """SimpleUpdate transfer. The simulator never reaches beyond loopback: other hosts fail the transfer."""
    url = urlsplit(pending.source)
    data = None
    if url.scheme in ("http", "https") and is_loopback(url.hostname):
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
                async with http.get(pending.source, ssl=False) as response:
                    if response.status == 200:
                        data = await response.read()
        except (aiohttp.ClientError, asyncio.TimeoutError):
            pass
    if not current(bmc, pending):
        return False
    if data is None:
        finish(bmc, pending.task, "Exception", "Critical",
               message_info("OemSimpleupdateErrorMessage", [f"Failed to download {pending.source}"], x11=bmc.x11))
        del bmc.staging[pending.component]
        return False
    pending.image = Image.parse(data, url.path.rsplit("/", 1)[-1] or None)
    return True


def is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


# ---- resets (called by the Manager.Reset and ComputerSystem.Reset handlers) ------------------------
def on_manager_reset(bmc: BMC) -> None:
    """A BMC reset leaves update mode; verifications and flashes it cut short end Interrupted.
    A BIOS already in the staging region stays there."""
    for component, pending in list(bmc.staging.items()):
        if pending.phase == "staged":
            continue
        if pending.job:
            pending.job.cancel()
        if pending.task and bmc.get(pending.task).get("TaskState") == "Running":
            finish(bmc, pending.task, "Interrupted", "Warning")
        del bmc.staging[component]


def on_host_reset(bmc: BMC) -> None:
    """The host restarts: a staged BIOS moves into the BIOS flash."""
    pending = bmc.staging.get("BIOS")
    if pending is not None and pending.phase == "staged":
        del bmc.staging["BIOS"]
        replace(bmc, pending)


# ---- host power: ComputerSystem.Reset, as far as a staged BIOS needs it ---------------------------
HOST_STARTS = {"On", "ForceOn", "ForceRestart", "GracefulRestart", "PowerCycle", "GracefulShutdownGracefulRestart"}
SYSTEM = f"{R}/Systems/1"


def reset_types(bmc: BMC) -> list[str]:
    action = bmc.get(SYSTEM)["Actions"]["#ComputerSystem.Reset"]
    if "ResetType@Redfish.AllowableValues" in action:
        return action["ResetType@Redfish.AllowableValues"]
    info = bmc.get(action["@Redfish.ActionInfo"])
    return next(p["AllowableValues"] for p in info["Parameters"] if p["Name"] == "ResetType")


async def system_reset(ctx: Ctx) -> web.Response:
    if ctx.role not in ("Administrator", "Operator"):
        raise RedfishError(403, "InsufficientPrivilege")
    reset_type = (await ctx.json()).get("ResetType")
    if reset_type is None:
        raise RedfishError(400, "PropertyMissing", "ResetType")
    if reset_type not in reset_types(ctx.bmc):
        raise RedfishError(400, "PropertyValueNotInList", str(reset_type), "ResetType")
    was_on = ctx.resource(SYSTEM)["PowerState"] == "On"
    if reset_type == "Nmi" or (reset_type in ("On", "ForceOn") and was_on):
        return ctx.success()
    power = "On" if reset_type in HOST_STARTS else "Off"
    for path in (SYSTEM, f"{R}/Chassis/1"):
        if "PowerState" in (ctx.bmc.get(path) or {}):
            ctx.bmc.patch(path, {"PowerState": power})
    if power == "On":
        on_host_reset(ctx.bmc)
    return ctx.success()


# ---- request parsing -------------------------------------------------------------------------------
IMAGE_HEAD = 4096      # what the simulator keeps of an uploaded image: its header (`Image.parse`)


async def multipart(ctx: Ctx) -> dict[str, tuple[bytes, str | None]]:
    """The form parts by name: (content, file name). A file part is read to its end in chunks but only
    its head is kept (the BMC writes the image to its staging flash), so a 256 MiB upload costs no memory."""
    if not ctx.request.content_type.startswith("multipart/"):
        raise RedfishError(400, "PropertyMissing", "UpdateFile")
    parts = {}
    async for part in await ctx.request.multipart():
        if part.filename is None:
            parts[part.name] = (await part.read(), None)
            continue
        head = b""
        while chunk := await part.read_chunk(1 << 20):
            head += chunk[:IMAGE_HEAD - len(head)]
        parts[part.name] = (head, part.filename)
    return parts


def check_options(component: str, options, where: str) -> dict:
    if not isinstance(options, dict):
        raise RedfishError(400, "PropertyValueTypeError", str(options), where)
    for name, value in options.items():
        if name not in OPTIONS[component]:
            raise RedfishError(400, "PropertyUnknown", name, related=[f"#/{where}/{name}"])
        if not isinstance(value, bool):
            raise RedfishError(400, "PropertyValueTypeError", str(value), name)
    return options


def update_parameters(raw: bytes) -> tuple[str, str, dict]:
    """UpdateParameters -> (component, apply time, Oem.Supermicro options)."""
    try:
        params = json.loads(raw)
    except ValueError:
        raise RedfishError(400, "MalformedJSON")
    if not isinstance(params, dict):
        raise RedfishError(400, "MalformedJSON")
    for name in params:
        if name not in ("Targets", "@Redfish.OperationApplyTime", "Oem"):
            raise RedfishError(400, "PropertyUnknown", name, related=[f"#/{name}"])
    targets = params.get("Targets")
    if targets is None:
        raise RedfishError(400, "PropertyMissing", "Targets")
    if not isinstance(targets, list) or len(targets) != 1 or targets[0] not in TARGETS:
        raise RedfishError(400, "PropertyValueNotInList", str(targets), "Targets")
    component = TARGETS[targets[0]]
    apply_time = params.get("@Redfish.OperationApplyTime")
    if apply_time is None:
        raise RedfishError(400, "PropertyMissing", "@Redfish.OperationApplyTime")
    if apply_time not in APPLY_TIMES:
        raise RedfishError(400, "PropertyValueNotInList", str(apply_time), "@Redfish.OperationApplyTime")
    oem = params.get("Oem") or {}
    supermicro = (oem.get("Supermicro") or {}) if isinstance(oem, dict) else None
    if not isinstance(supermicro, dict) or set(supermicro) - {component}:
        raise RedfishError(400, "PropertyUnknown", "Oem/Supermicro", related=["#/Oem/Supermicro"])
    return component, apply_time, check_options(component, supermicro.get(component, {}), f"Oem/Supermicro/{component}")


# ---- X12/X13 handlers ------------------------------------------------------------------------------
async def upload(ctx: Ctx) -> web.Response:
    ctx.require_admin()
    parts = await multipart(ctx)
    for name in ("UpdateParameters", "UpdateFile"):
        if name not in parts:
            raise RedfishError(400, "PropertyMissing", name)
    component, apply_time, options = update_parameters(parts["UpdateParameters"][0])
    refuse_new_image(ctx.bmc, component)
    image_data, filename = parts["UpdateFile"]
    pending = Pending(component, "verifying", Image.parse(image_data, filename), apply_time, options)
    return begin_verify(ctx, pending)


def begin_verify(ctx: Ctx, pending) -> web.Response:
    """Stage the image and answer 202 with its Verify task (upload and SimpleUpdate alike)."""
    ctx.bmc.staging[pending.component] = pending
    new_task(ctx.bmc, pending, "Verify")
    spawn(pending, verify(ctx.bmc, pending))
    return accepted(ctx, pending, "Verify")


async def start_update_action(ctx: Ctx) -> web.Response:
    ctx.require_admin()
    pending = update_mode(ctx.bmc)
    if pending is None or pending.legacy:     # nothing uploaded through UpdateService/upload
        raise RedfishError(400, "OemFirmwareUpdateNoImage")
    if pending.phase != "verified":
        raise RedfishError(400, MESSAGES[pending.component][1])
    start_update(ctx.bmc, pending)
    return accepted(ctx, pending, "Update")


async def simple_update(ctx: Ctx) -> web.Response:
    ctx.require_admin()
    body = await ctx.json()
    for name in body:
        if name not in ("ImageURI", "TransferProtocol", "Targets", "Username", "Password"):
            raise RedfishError(400, "PropertyUnknown", name, related=[f"#/{name}"])
    uri = body.get("ImageURI")
    if not isinstance(uri, str) or not uri:
        raise RedfishError(400, "PropertyMissing", "ImageURI")
    protocol = body.get("TransferProtocol", urlsplit(uri).scheme.upper())
    if protocol not in ("HTTP", "HTTPS", "FTP"):
        raise RedfishError(400, "PropertyValueNotInList", str(protocol), "TransferProtocol")
    targets = body.get("Targets", [MANAGER])
    if not isinstance(targets, list) or len(targets) != 1 or targets[0] not in SIMPLE_UPDATE_TARGETS:
        raise RedfishError(400, "PropertyValueNotInList", str(targets), "Targets")
    component = SIMPLE_UPDATE_TARGETS[targets[0]]
    refuse_new_image(ctx.bmc, component)
    pending = Pending(component, "verifying", apply_time="Immediate", source=uri)
    return begin_verify(ctx, pending)


# ---- X11/X12 legacy SmcFirmwareInventory actions ----------------------------------------------------
async def legacy_action(ctx: Ctx) -> web.Response:
    ctx.require_admin()
    component, action = ctx.match.group(1), ctx.match.group(2)
    bmc = ctx.bmc
    pending = bmc.staging.get(component)
    if action == "EnterUpdateMode":
        refuse_new_image(bmc, component)
        bmc.staging[component] = Pending(component, "entered", legacy=True)
        return ctx.success()
    if pending is None or pending.phase == "staged" or not pending.legacy:
        raise RedfishError(400, "OemFirmwareNotInUpdateMode")
    if pending.phase == "updating":
        raise RedfishError(400, MESSAGES[component][1])
    if action == "Cancel":
        del bmc.staging[component]
        return ctx.success()
    if action == "Upload":
        field_name = component.lower()
        parts = await multipart(ctx)
        if field_name not in parts:
            raise RedfishError(400, "PropertyMissing", field_name)
        image = Image.parse(*parts[field_name])
        if image is None or image.component != component or image.generation != bmc.generation:
            raise RedfishError(400, MESSAGES[component][0])    # stays in update mode: Cancel or a BMC reset ends it
        pending.image, pending.phase = image, "uploaded"
        return ctx.success()
    # Update
    if pending.phase != "uploaded":
        raise RedfishError(400, MESSAGES[component][2])
    pending.options = check_options(component, await ctx.json(), "")
    start_update(bmc, pending)
    return accepted(ctx, pending, "Update")


def register(router) -> None:
    router.add("POST", rf"{SYSTEM}/Actions/ComputerSystem\.Reset", system_reset)
    router.add("POST", rf"{UPDATE_SERVICE}/upload", upload, "x12 x13")
    router.add("POST", rf"{UPDATE_SERVICE}/Actions/UpdateService\.StartUpdate", start_update_action, "x12 x13")
    router.add("POST", rf"{UPDATE_SERVICE}/Actions/UpdateService\.SimpleUpdate", simple_update, "x12 x13")
    actions = r"/(BMC|BIOS)/Actions/SmcFirmwareInventory\.(EnterUpdateMode|Upload|Update|Cancel)"
    router.add("POST", rf"{UPDATE_SERVICE}/SmcFirmwareInventory{actions}", legacy_action, "x11")
    router.add("POST", rf"{UPDATE_SERVICE}/Oem/Supermicro/FirmwareInventory{actions}", legacy_action, "x12")
