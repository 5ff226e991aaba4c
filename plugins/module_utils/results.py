# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Per-host audit result files: written atomically, one previous run kept for drift.

Everything downstream (inventory groups, fleet reports, sliced AWX jobs) reads these files, never
one process's memory, so several runs or slices combine into one picture.

Layout of a results directory:
    <host>.json           the latest audit of <host>
    <host>.previous.json  the audit before it
"""

from __future__ import annotations

import json
import os
import tempfile

SCHEMA = 1
LATEST = ".json"
PREVIOUS = ".previous.json"


def _path(results_dir, host, suffix):
    if not host or "/" in host or host.startswith("."):
        raise ValueError("invalid host name for a result file: %r" % (host,))
    return os.path.join(results_dir, host + suffix)


def latest_path(results_dir, host):
    """Where the latest result of `host` is stored."""
    return _path(results_dir, host, LATEST)


def atomic_write_text(path, text):
    """Readers (the inventory plugin, a web server, AWX) see the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _write_json(path, data):
    atomic_write_text(path, json.dumps(data, indent=1, sort_keys=True) + "\n")


def read_record(path):
    """A stored record, or None when the file is missing. A corrupt file raises ValueError."""
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise ValueError("%s: not a valid result file (%s)" % (path, exc)) from exc
    if not isinstance(record, dict) or record.get("schema") != SCHEMA or "host" not in record:
        raise ValueError("%s: not a bmclock result file (schema %r)" % (path, SCHEMA))
    return record


def drift(previous, current):
    """Controls whose status changed between two records: [{id, from, to}], sorted by id."""
    if not previous:
        return []
    before = {r["id"]: r["status"] for r in previous.get("results", [])}
    changes = []
    for result in current.get("results", []):
        old = before.get(result["id"])
        if old is not None and old != result["status"]:
            changes.append({"id": result["id"], "from": old, "to": result["status"]})
    return sorted(changes, key=lambda c: c["id"])


def write_record(results_dir, record, previous_fact=None):
    """Store `record` as the host's latest result, moving the current one to previous.

    Returns the record as written, with `drift` against the previous run: the stored file, or,
    when there is none (a fresh AWX execution node), `previous_fact`, the last run's
    bmc_compliance fact from the fact cache.
    """
    os.makedirs(results_dir, exist_ok=True)
    host = record["host"]
    latest = latest_path(results_dir, host)
    try:
        previous = read_record(latest)
    except ValueError:
        previous = None  # a damaged file is replaced, not trusted for drift
    record = dict(record, schema=SCHEMA, drift=drift(previous or previous_fact, record))
    if previous is not None:
        _write_json(_path(results_dir, host, PREVIOUS), previous)
    _write_json(latest, record)
    return record


def load_records(results_dir):
    """All latest records in a directory, by host. Unreadable files are reported, not skipped."""
    records, problems = {}, []
    if not os.path.isdir(results_dir):
        return records, problems
    for name in sorted(os.listdir(results_dir)):
        if not name.endswith(LATEST) or name.endswith(PREVIOUS) or name.startswith("."):
            continue
        path = os.path.join(results_dir, name)
        try:
            record = read_record(path)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        records[record["host"]] = record
    return records, problems


# -- firmware update state (plugins/action/bmc_firmware.py, docs/firmware.md "Resuming") ----------
# Kept beside the audit records, in <results_dir>/firmware/<host>.json, written at every step of
# an update, so that a run interrupted mid-update is picked up by the next one.
FIRMWARE_DIR = "firmware"


def firmware_state_path(results_dir, host):
    return _path(os.path.join(results_dir, FIRMWARE_DIR), host, LATEST)


def read_firmware_update(results_dir, host):
    """{component: state entry} of `host`'s last firmware run ({} when none; a corrupt file raises ValueError)."""
    path = firmware_state_path(results_dir, host)
    try:
        with open(path, encoding="utf-8") as handle:
            record = json.load(handle)
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise ValueError("%s: not a valid firmware state file (%s)" % (path, exc)) from exc
    if not isinstance(record, dict) or not isinstance(record.get("firmware_update"), dict):
        raise ValueError("%s: not a bmclock firmware state file" % path)
    return record["firmware_update"]


def write_firmware_update(results_dir, host, firmware_update):
    path = firmware_state_path(results_dir, host)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    _write_json(path, {"schema": SCHEMA, "host": host, "firmware_update": firmware_update})
