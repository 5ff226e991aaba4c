# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Bring one Supermicro BMC's BMC and BIOS firmware to the approved targets (docs/firmware.md).

Plan (read the firmware inventory, compare with the board's target), show it (check mode stops
here), gate (the image's SHA-256 equals the approved one before a byte is sent), apply (X12/X13
multipart upload -> Verify task -> StartUpdate -> Update task; X11 SmcFirmwareInventory actions),
verify (a fresh login after the BMC restart, the version read back from the inventory). Every
step is recorded in <results_dir>/firmware/<host>.json, so the next run resumes or reports an
interrupted update and never uploads on top of a running one. A BMC that fails is failed (never
unreachable): max_fail_percentage stops the rollout.
"""

from __future__ import annotations

import time

from ansible.errors import AnsibleActionFail
from ansible.utils.display import Display

from ansible_collections.bmclock.supermicro.plugins.module_utils import firmware, results, supermicro
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import RedfishError
# The options: documented and declared once, in the module stub (validate-modules compares them).
from ansible_collections.bmclock.supermicro.plugins.modules.bmc_firmware import ARGUMENT_SPEC
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.controller_action import ControllerAction

display = Display()


class StepFailed(Exception):
    """An update step failed: the component is recorded failed at `step` with the message."""

    def __init__(self, step, message):
        super().__init__(message)
        self.step = step


class ActionModule(ControllerAction):
    _supports_check_mode = True

    def run(self, tmp=None, task_vars=None):
        task_vars = task_vars or {}
        self.args = self.connection_args(task_vars, ARGUMENT_SPEC)
        self.host = task_vars["inventory_hostname"]
        self.uploads = 0
        self.changed = False
        self.rf = None
        self.state = self._read_state()
        try:
            return self._run()
        except (RedfishError, StepFailed) as exc:     # failed, never unreachable: max_fail_percentage counts it
            return self._result(failed=True, msg="%s: %s" % (self.host, exc))
        finally:
            if self.rf is not None:
                self.rf.logout()

    # -- the whole host --------------------------------------------------------------------------
    def _run(self):
        self.rf = self._login()
        root = self.rf.get("/redfish/v1")
        chassis = self.rf.get("/redfish/v1/Chassis/1")
        board = chassis.get("Model")
        detected = supermicro.detect(root, chassis=chassis)
        if detected["unsupported"] or detected["layout"] not in firmware.INVENTORY:
            return self._result(failed=True, msg="%s: not updated: %s" % (self.host, detected["unsupported"] or "unknown layout"))
        self.layout = detected["layout"]
        entry = firmware.board_entry(self.args["approved_firmware"], board)
        if not isinstance(entry, dict):
            return self._result(failed=True, msg="%s: board %r has no entry in bmc_approved_firmware" % (self.host, board))
        self.facts = {"host": self.host, "board": board, "generation": self.layout, "steps": []}

        steps = []
        for component in self.args["components"]:
            target = entry.get(component + "_target")
            if target is None:
                continue
            member = self._member(component)
            oem = (member.get("Oem") or {}).get("Supermicro") or {}
            active = member.get("Version")
            step = firmware.plan(component, active, target, self.args["allow_downgrade"],
                                 oem.get("UniqueFilename"), member.get("ReleaseDate"))
            step["batch"] = self.args["batch"]
            prior = self.state.get(component)
            if prior and prior.get("state") in firmware.IN_FLIGHT + ("staged",) and prior.get("to") == step["to"]:
                step["resume"] = prior
            steps.append(step)
        self.facts["steps"] = steps
        for step in steps:      # an interrupted update that finished meanwhile: recorded, nothing sent
            prior = step.get("resume")
            if prior and firmware.at_target(step["from"], step["to"]) and prior["state"] != "staged" or \
                    prior and prior["state"] == "staged" and step["action"] == "none":
                self._record(step["component"], firmware.advance(prior, "done"))
                step.pop("resume")
                step["reason"] = "%s %s, completed after the run of %s" % (step["component"].upper(), step["to"], prior["since"])
            elif prior and prior["state"] == "staged" and self._bios_reset()[0] is None:
                step.pop("resume")      # still waiting for its host reset: nothing to send
                step["action"], step["reason"] = "none", firmware.describe("bios", prior)
        refused = [s for s in steps if s["action"] in ("downgrade_refused", "unknown")]
        todo = firmware.pending(steps)
        if refused:
            return self._result(failed=True, msg="; ".join(s["reason"] for s in refused))
        if not todo:
            return self._result(msg="%s: %s" % (self.host, "; ".join(s["reason"] for s in steps) or "no firmware target for this board"))

        # Integrity gate: every image is checked before the first write to this BMC.
        for step in todo:
            path = self._image_path(step)
            with open(path, "rb") as handle:
                actual = firmware.sha256_file(handle)
            step["sha256_verified"] = actual == step["sha256"]
            if not step["sha256_verified"]:
                return self._result(failed=True, msg="%s: image %s: sha256 %s does not match the approved %s; nothing was sent"
                                    % (self.host, path, actual, step["sha256"]))
        if self._task.check_mode:
            return self._result(changed=True, msg="%s: would update %s" % (
                self.host, "; ".join(s["reason"] if not s.get("resume") else firmware.describe(s["component"], s["resume"])
                                     for s in todo)))

        messages = [s["reason"] for s in steps if s not in todo]
        try:
            self._lift_lockdown()
            for step in todo:
                messages.append(self._component(step))
        finally:
            if self.state.get("lockdown_lifted"):
                self._restore_lockdown()
        return self._result(msg="%s: %s" % (self.host, "; ".join(messages)))

    # -- one component ---------------------------------------------------------------------------
    def _component(self, step):
        component = step["component"]
        entry = step.get("resume")
        if entry is None:
            entry = firmware.new_state(step, self.args["batch"])
        elif entry["state"] == "uploading":
            # Killed during the upload: whether the BMC took it is unknown. Start again unless an
            # update task runs there (then the BMC's own update mode refuses a second image anyway).
            entry = firmware.advance(entry, "uploading", task=None)
        entry = self._record(component, entry)
        try:
            entry = self._drive(component, entry)
        except (StepFailed, RedfishError) as exc:
            latest = self.state[component]      # the last recorded step (its task included)
            where = getattr(exc, "step", None) or latest["state"]
            self._record(component, firmware.advance(latest, "failed", step=where, message=str(exc)))
            raise StepFailed(where, firmware.describe(component, self.state[component])) from None
        return firmware.describe(component, entry)

    def _drive(self, component, entry):
        """Run the state machine from the recorded state to staged/done."""
        legacy = self.layout == "X11"
        if entry["state"] == "uploading":
            self._refuse_running_update()
            entry = self._upload_legacy(component, entry) if legacy else self._upload(component, entry)
        if entry["state"] == "verifying":
            task = self._wait_task(entry["task"], "verify")
            if task is None:
                raise StepFailed("verify", "the BMC restarted during the verification")
            self.changed = True
            answer = self.rf.post(firmware.FLOWS["multipart"]["start"])
            entry = self._record(component, firmware.advance(entry, "updating", task=self._task_uri(answer, "StartUpdate")))
        if entry["state"] == "updating":
            self._wait_task(entry["task"], "update", restarts=component == "bmc")
            entry = self._record(component, firmware.advance(entry, "restarting" if component == "bmc" else "staged"))
        if entry["state"] == "restarting":
            self._await_version(component, entry["to"])
            entry = self._record(component, firmware.advance(entry, "done"))
        if entry["state"] == "staged":
            entry = self._apply_bios(entry)
        return entry

    def _upload(self, component, entry):
        params = firmware.update_parameters(component, self.args)
        with open(self._image_path(entry), "rb") as handle:
            if firmware.sha256_file(handle) != entry["sha256"]:     # the file changed since the gate
                raise StepFailed("upload", "image %s changed on disk since its sha256 was checked" % entry["image"])
            self.uploads += 1
            self.changed = True
            answer = self._write("upload", self.rf.upload, firmware.FLOWS["multipart"]["upload"],
                                 fields={"UpdateParameters": params}, files={"UpdateFile": (entry["image"], handle)},
                                 timeout=max(self.args["timeout"], 600))
        return self._record(component, firmware.advance(entry, "verifying", task=self._task_uri(answer, "upload")))

    def _upload_legacy(self, component, entry):
        def action(name):
            return firmware.legacy_action(component, name)

        self.changed = True
        self._write("upload", self.rf.post, action("EnterUpdateMode"), {})
        with open(self._image_path(entry), "rb") as handle:
            if firmware.sha256_file(handle) != entry["sha256"]:
                self.rf.post(action("Cancel"), {})
                raise StepFailed("upload", "image %s changed on disk since its sha256 was checked" % entry["image"])
            self.uploads += 1
            try:
                self.rf.upload(action("Upload"), files={firmware.FLOWS["legacy"]["field"][component]: (entry["image"], handle)},
                               timeout=max(self.args["timeout"], 600))
            except RedfishError as exc:     # the BMC rejected the image (its verification): leave update mode
                self.rf.post(action("Cancel"), {})
                raise StepFailed("verify", "; ".join(exc.messages) or str(exc)) from None
        answer = self._write("update", self.rf.post, action("Update"), firmware.options_for(component, self.args, legacy=True))
        return self._record(component, firmware.advance(entry, "updating", task=self._task_uri(answer, "Update")))

    def _bios_reset(self):
        """(ResetType, action URI) that applies a staged BIOS under bios_reset, or (None, None)."""
        system = self.rf.get(firmware.SYSTEM)
        action = (system.get("Actions") or {}).get("#ComputerSystem.Reset") or {}
        allowed = action.get("ResetType@Redfish.AllowableValues")
        if allowed is None and action.get("@Redfish.ActionInfo"):
            info = self.rf.get(action["@Redfish.ActionInfo"])
            allowed = next((p.get("AllowableValues") for p in info.get("Parameters") or [] if p.get("Name") == "ResetType"), [])
        reset = firmware.reset_type(self.args["bios_reset"], system.get("PowerState"), allowed or [])
        return reset, action.get("target") or firmware.SYSTEM + "/Actions/ComputerSystem.Reset"

    def _apply_bios(self, entry):
        reset, uri = self._bios_reset()
        if reset is None:
            return entry
        self.changed = True
        self.rf.post(uri, {"ResetType": reset})
        self._await_version("bios", entry["to"])
        return self._record("bios", firmware.advance(entry, "done", reset=reset))

    # -- BMC interactions ------------------------------------------------------------------------
    def _login(self):
        client = self.redfish_client(self.args, self.host)
        client.login()
        return client

    def _member(self, component):
        return self.rf.get(firmware.INVENTORY[self.layout] % component.upper())

    def _active(self, component):
        return self._member(component).get("Version")

    def _write(self, step, send, *args, **kwargs):
        try:
            return send(*args, **kwargs)
        except RedfishError as exc:
            if any(i.endswith("AlreadyInUpdateMode") for i in exc.message_ids):
                raise StepFailed(step, "the BMC is already in update mode (an earlier or interrupted upload, or another "
                                 "tool): nothing uploaded on top of it; let that update finish, or cancel it / reset the "
                                 "BMC (Manager.Reset) to leave update mode") from None
            raise StepFailed(step, str(exc)) from None

    def _task_uri(self, answer, step):
        if not answer.task_uri:
            raise StepFailed(step, "the BMC accepted the request but named no task")
        return answer.task_uri

    def _refuse_running_update(self):
        if self.layout == "X11":
            return      # X11 lists no update tasks before the Update action; EnterUpdateMode refuses instead
        members = self.rf.get(firmware.TASKS).get("Members") or []
        tasks = [self.rf.get(m["@odata.id"]) for m in members if isinstance(m, dict) and m.get("@odata.id")]
        running = firmware.active_update_tasks(tasks)
        if running:
            raise StepFailed("upload", "an update is running on the BMC (%s: %s): nothing uploaded on top of it" % (
                running[0].get("Name"), running[0].get("@odata.id")))

    def _wait_task(self, uri, step, restarts=False):
        """The task's final body, or None when the BMC went down to restart (`restarts`)."""
        deadline = time.monotonic() + self.args["task_timeout"]
        while True:
            try:
                body = self.rf.get(uri)
            except RedfishError as exc:
                if restarts and exc.status in (None, 401, 503):
                    return None
                if exc.status not in (None, 503) or time.monotonic() >= deadline:
                    raise StepFailed(step, str(exc)) from None
                time.sleep(self.args["poll_interval"])
                continue
            state = body.get("TaskState")
            if state == "Completed" or ((body.get("Oem") or {}).get("Percentage") == "100%" and state not in firmware.FINAL):
                return body
            if state in firmware.FINAL:
                messages = ["%s [%s]" % (m["Message"], m.get("MessageId")) if m.get("MessageId") else m["Message"]
                            for m in body.get("Messages") or [] if isinstance(m, dict) and m.get("Message")]
                raise StepFailed(step, "task %s ended %s/%s%s" % (uri, state, body.get("TaskStatus"),
                                                                  ": " + "; ".join(messages) if messages else ""))
            if time.monotonic() >= deadline:
                raise StepFailed(step, "task %s still %s after %ss" % (uri, state, self.args["task_timeout"]))
            time.sleep(self.args["poll_interval"])

    def _await_version(self, component, to):
        """After a flash: a fresh login and the version read back from the inventory (not the task)
        must be the target, within restart_timeout (enforcement.md fact 8)."""
        deadline = time.monotonic() + self.args["restart_timeout"]
        last = "no answer"
        while True:
            if component == "bmc":
                self.rf.logout()    # sessions do not survive a BMC restart
                self.rf = self.redfish_client(self.args, self.host)
                try:
                    self.rf.login()
                except RedfishError as exc:
                    if exc.status == 401:
                        raise StepFailed("restart", "the BMC refused the credentials after the update: %s" % exc) from None
                    last = exc.reason
                    if time.monotonic() >= deadline:
                        raise StepFailed("restart", "the BMC did not come back within %ss after the update (%s)"
                                         % (self.args["restart_timeout"], last)) from None
                    time.sleep(self.args["poll_interval"])
                    continue
            try:
                last = self._active(component)
            except RedfishError as exc:
                last = str(exc)
            if firmware.at_target(last, to):
                return
            if time.monotonic() >= deadline:
                raise StepFailed("verify version", "%s reports %s after the update, not the target %s (within %ss)"
                                 % (component.upper(), last, to, self.args["restart_timeout"]))
            time.sleep(self.args["poll_interval"])

    def _lift_lockdown(self):
        """X12/X13 System Lockdown refuses every update. Lifted only when asked, and restored after."""
        if self.layout == "X11":
            return
        try:
            enabled = self.rf.get(firmware.LOCKDOWN).get("SysLockdownEnabled")
        except RedfishError as exc:
            if exc.missing or exc.not_licensed:
                return
            raise
        if not enabled:
            return
        if not self.args["lift_lockdown"]:
            raise StepFailed("lockdown", "System Lockdown is on, so the BMC refuses firmware updates; set "
                             "bmc_firmware_lift_lockdown: true to lift it for the update (it is restored afterwards)")
        self.state["lockdown_lifted"] = True
        self._save()
        self.changed = True
        self.rf.patch(firmware.LOCKDOWN, {"SysLockdownEnabled": False})

    def _restore_lockdown(self):
        try:
            if self.rf.get(firmware.LOCKDOWN).get("SysLockdownEnabled") is False:
                self.rf.patch(firmware.LOCKDOWN, {"SysLockdownEnabled": True})
            self.state.pop("lockdown_lifted", None)
            self._save()
        except RedfishError as exc:
            display.warning("%s: System Lockdown could not be restored (next run retries): %s" % (self.host, exc))

    # -- state and results -----------------------------------------------------------------------
    def _image_path(self, step):
        return "%s/%s" % (self.args["firmware_dir"].rstrip("/"), step["image"])

    def _read_state(self):
        if not self.args["results_dir"]:
            return {}
        try:
            return results.read_firmware_update(self.args["results_dir"], self.host)
        except ValueError as exc:
            raise AnsibleActionFail("%s: %s" % (self.host, exc)) from exc

    def _record(self, component, entry):
        self.state[component] = entry
        self._save()
        return entry

    def _save(self):
        if self.args["results_dir"]:
            results.write_firmware_update(self.args["results_dir"], self.host, self.state)

    def _result(self, failed=False, changed=None, msg=""):
        facts = getattr(self, "facts", {"host": self.host, "steps": []})
        facts = dict(facts, uploads=self.uploads, state=self.state,
                     redfish_requests=self.rf.requests if self.rf is not None else 0)
        shown = firmware.diff(self.host, facts["steps"]) if self._task.diff else None
        for step in facts["steps"]:
            step.pop("resume", None)
        result = {"changed": self.changed if changed is None else changed, "failed": failed, "msg": msg, "bmc_firmware": facts}
        if shown and result["changed"]:
            result["diff"] = shown
        return result
