# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
# The work is done by the action plugin of the same name (plugins/action/bmc_firmware.py), in the
# controller; this file carries the documentation.

from __future__ import annotations

DOCUMENTATION = r"""
---
module: bmc_firmware
short_description: Update a Supermicro BMC's BMC and BIOS firmware to the approved images
version_added: "0.2.0"
description:
  - Reads the firmware inventory of one Supermicro BMC (X11, X12, X13) and compares the active
    BMC and BIOS versions with the board's targets in O(approved_firmware) (C(bmc_target),
    C(bios_target) = C({image, sha256[, version]}) per board, or a C(default) entry). Versions
    are compared within a firmware family, across families by release date; when neither
    orders them the host fails and nothing is sent.
  - Nothing to do when the active version is the target (C(changed=false), no upload). A target
    older than the active version is refused unless O(allow_downgrade).
  - Integrity gate. The SHA-256 of O(firmware_dir)/<image> must equal the approved C(sha256)
    before the first byte is sent; a mismatch fails the host naming the file and both sums.
  - X12/X13. A multipart upload (C(UpdateParameters) first, then the image streamed from disk
    behind a Content-Length), the C(BMC Verify)/C(BIOS Verify) task,
    C(UpdateService.StartUpdate), the C(Update) task; for the BMC, its restart, a fresh login and
    the version read back from the firmware inventory, which must be the target.
  - X11. The OEM C(SmcFirmwareInventory) actions EnterUpdateMode, Upload, Update, then the same
    read-back. An image the BMC rejects is cancelled so that the BMC leaves update mode.
  - The BIOS is staged and takes effect at the next host reset, see O(bios_reset).
  - Resumable. With O(results_dir), each step is recorded in
    O(results_dir)/firmware/<inventory_hostname>.json; the next run picks an interrupted update up
    (waits for its task, or reads the version back) and never uploads on top of a running one.
  - A BMC that fails (unreachable, refused, verification failed, never back) fails the task, so
    C(max_fail_percentage) stops a rolling update.
  - Check mode returns the plan (from, to, image, sha256 verified, batch) and sends no write.
options:
  approved_firmware:
    description: The baseline's C(bmc_approved_firmware) (per board; C(bmc_target) / C(bios_target)).
    type: dict
    required: true
  firmware_dir:
    description: Folder holding the approved image files.
    type: path
    required: true
  components:
    description: Components to bring to their target, in this order.
    type: list
    elements: str
    choices: [bmc, bios]
    default: [bmc, bios]
  allow_downgrade:
    description: Install a target older than the active version.
    type: bool
    default: false
  bios_reset:
    description:
      - When a staged BIOS is applied. C(never) leaves it staged, pending a host reset by its
        owners (the result says so). C(if_powered_off) powers a host that is off on (which
        applies it). C(always) also restarts a running host (GracefulRestart, else ForceRestart,
        else PowerCycle).
    type: str
    choices: [never, if_powered_off, always]
    default: never
  lift_lockdown:
    description:
      - X12/X13 System Lockdown refuses every update. When true, lockdown is switched off for
        the update and back on afterwards (also by the next run if this one is interrupted);
        when false, a locked-down BMC fails with that reason.
    type: bool
    default: false
  results_dir:
    description: Results folder; the update state goes to its C(firmware/) subfolder. No state is kept when omitted.
    type: path
  batch:
    description: The hosts updated together (the play's C(ansible_play_batch)), shown in the plan and recorded.
    type: list
    elements: str
    default: []
  task_timeout:
    description: Seconds a Verify or Update task may run.
    type: int
    default: 3600
  restart_timeout:
    description: Seconds the BMC has, after its flash (or a host reset, for the BIOS), to answer a fresh login with the target version.
    type: int
    default: 900
  poll_interval:
    description: Seconds between task and restart polls.
    type: float
    default: 5.0
  preserve_configuration:
    description: BMC C(PreserveCfg), keep the BMC configuration.
    type: bool
    default: true
  preserve_sdr:
    description: BMC C(PreserveSdr), keep the sensor data records.
    type: bool
    default: true
  preserve_ssl:
    description: BMC C(PreserveSsl), keep the TLS certificate.
    type: bool
    default: true
  backup_bmc:
    description: BMC C(BackupBMC), keep the replaced image as Backup_BMC (X12/X13).
    type: bool
    default: true
  preserve_me:
    description: BIOS C(PreserveME), keep the ME region.
    type: bool
    default: true
  preserve_nvram:
    description: BIOS C(PreserveNVRAM), keep the BIOS settings.
    type: bool
    default: true
  preserve_smbios:
    description: BIOS C(PreserveSMBIOS), keep the SMBIOS data (serials, asset tags).
    type: bool
    default: true
  backup_bios:
    description: BIOS C(BackupBIOS), keep the replaced image as Backup_BIOS (X12/X13).
    type: bool
    default: false
extends_documentation_fragment:
  - bmclock.supermicro.connection
  - ansible.builtin.action_common_attributes
  - ansible.builtin.action_common_attributes.actiongroups
  - ansible.builtin.action_common_attributes.flow
attributes:
  action:
    support: full
  action_group:
    membership: [bmclock.supermicro.bmc]
  async:
    support: none
  bypass_host_loop:
    support: none
  check_mode:
    support: full
  diff_mode:
    support: full
    details: Per component updated (or, in check mode, to be updated) the version and image read, and the
      target version, image and sha256.
  platform:
    platforms: all
notes:
  - Needs an Administrator account.
  - The image is read twice from disk (the gate, then the upload with a second check) and never held in memory whole.
seealso:
  - module: bmclock.supermicro.bmc_audit
author:
  - bmclock contributors (@bmclock)
"""

EXAMPLES = r"""
- name: Bring the BMC and BIOS to the approved images
  bmclock.supermicro.bmc_firmware:
    port: "{{ bmc_port }}"
    username: "{{ bmc_username }}"
    password: "{{ bmc_password }}"
    ca_path: "{{ bmc_ca_path }}"
    approved_firmware: "{{ bmc_approved_firmware }}"
    firmware_dir: /srv/firmware
    results_dir: "{{ playbook_dir }}/../reports"
    batch: "{{ ansible_play_batch }}"

- name: BMC only, lockdown lifted for the change window
  bmclock.supermicro.bmc_firmware:
    approved_firmware: "{{ bmc_approved_firmware }}"
    firmware_dir: /srv/firmware
    components: [bmc]
    lift_lockdown: true
"""

RETURN = r"""
bmc_firmware:
  description: The plan and what happened.
  returned: always
  type: dict
  contains:
    host: {description: inventory_hostname, type: str, returned: always}
    board: {description: Chassis/1 Model, type: str, returned: when the BMC answered}
    generation: {description: 'Redfish layout (X11, X12, X13)', type: str, returned: when the BMC answered}
    steps:
      description:
        - One per component with a target, C({component, action, from, to, image, sha256, sha256_verified, batch, reason}),
          and C(active_image), the image name the BMC reports for the active version (X12/X13 UniqueFilename).
        - C(action) is C(none), C(update), C(downgrade_refused) or C(unknown) (active version unreadable).
      type: list
      elements: dict
      returned: always
    state:
      description:
        - The recorded update state per component (C(uploading), C(verifying), C(updating),
          C(restarting), C(staged), C(done), C(failed) with C(step) and C(message)), C(since), C(task).
      type: dict
      returned: always
    uploads: {description: Images sent to the BMC by this run, type: int, returned: always}
    redfish_requests: {description: HTTP requests of the last session, type: int, returned: always}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.bmclock.supermicro.plugins.module_utils import firmware
from ansible_collections.bmclock.supermicro.plugins.module_utils.connection import CONNECTION_SPEC

# The action's own options (the action adds CONNECTION_SPEC, as main() does).
ARGUMENT_SPEC = dict({  # plus CONNECTION_SPEC
    "approved_firmware": {"type": "dict", "required": True},
    "firmware_dir": {"type": "path", "required": True},
    "components": {"type": "list", "elements": "str", "default": ["bmc", "bios"], "choices": list(firmware.COMPONENTS)},
    "allow_downgrade": {"type": "bool", "default": False},
    "bios_reset": {"type": "str", "default": "never", "choices": list(firmware.RESET_POLICIES)},
    "lift_lockdown": {"type": "bool", "default": False},
    "results_dir": {"type": "path"},
    "batch": {"type": "list", "elements": "str", "default": []},
    "task_timeout": {"type": "int", "default": 3600},
    "restart_timeout": {"type": "int", "default": 900},
    "poll_interval": {"type": "float", "default": 5.0},
}, **{name: {"type": "bool", "default": default} for name, (_c, _n, default, _l) in firmware.OPTIONS.items()})


def main():
    module = AnsibleModule(argument_spec=dict(CONNECTION_SPEC, **ARGUMENT_SPEC), supports_check_mode=True)
    module.fail_json(msg="bmclock.supermicro.bmc_firmware runs as an action plugin in the controller")


if __name__ == "__main__":
    main()
