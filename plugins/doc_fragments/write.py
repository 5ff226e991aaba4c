# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""The options and behaviour every bmc_* write action shares (plugin_utils/write_action.py)."""

from __future__ import annotations


class ModuleDocFragment:
    DOCUMENTATION = r"""
notes:
  - "The write flow: read the current state (only the resources needed) -> a plan of Redfish
    operations, each with only the fields that differ, their before/after and the control it fixes
    -> check mode stops here and returns the plan -> apply (If-Match from the read, Supermicro order)
    -> read again and verify -> record."
  - "A BMC with SysLockdown on is left untouched and reported C(locked: SysLockdown is on) unless
    O(unlock) (default C(bmc_remediate_unlock)) is true; then the run unlocks, applies and locks again
    whatever happened in between, and reads the lock back."
  - A write that needs a licence the BMC lacks is reported C(not licensed) for its control, decided
    before any write.
  - A failed write stops the host; the result names host, path and fields and lists what was
    applied before it. Other hosts go on.
  - Passwords and other secrets are masked in the plan, the diff, the result and error messages.
options:
  state:
    description:
      - Resource-module state. V(merged) sets what C(config) gives; V(replaced) also sets what it
        leaves out to its default; V(overridden) is V(replaced) plus removal of what C(config) does
        not list; V(deleted) removes what C(config) lists; V(gathered) returns the current state as
        RV(gathered) without writing; V(rendered) returns the writes C(config) means, without a BMC.
      - Each action lists the states it supports. C(config) is the desired state (for
        M(bmclock.supermicro.bmc_access), O(bmclock.supermicro.bmc_access#module:accounts)).
    type: str
    default: merged
    choices: [merged, replaced, overridden, deleted, gathered, rendered]
  unlock:
    description: Unlock SysLockdown for the run and lock it again at the end. Defaults to the
      variable C(bmc_remediate_unlock), else false.
    type: bool
  controls:
    description: Only the operations that fix these control ids (the catalog's); all when omitted.
    type: list
    elements: str
  results_dir:
    description: Directory of the result files; a summary of each run is appended to
      O(results_dir)/remediation/<inventory_hostname>.json. Nothing is written when omitted.
    type: path
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
    details: Returns the plan; sends no write.
  diff_mode:
    support: full
    details: Before and after as read and as planned; secrets masked, keys never shown.
  platform:
    platforms: all
"""
