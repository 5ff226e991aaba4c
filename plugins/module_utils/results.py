# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Per-host audit result files: written atomically, one previous run kept for drift.

Everything downstream (inventory groups, fleet reports, sliced AWX jobs) reads these files, never
one process's memory, so several runs or slices combine into one picture.

Layout of a results directory:
    <host>.json           the latest audit of <host>
    previous/<host>.json  the audit before it (a folder: no host name can collide with it; an
                          old-layout <host>.previous.json holding <host>'s record is recognised,
                          never taken for a host of its own, and removed at the next write)

A record holds one result per control, each with its own `audited_at`: a partial run (--tags,
the `controls` option) replaces only the controls it audited (merge()).

Files are created with the mode the umask allows (0644 under umask 022, 0600 under 077): they
map the fleet's weaknesses, so the umask of the account that runs the audit decides who reads them.
"""

from __future__ import annotations

import json
import os
import tempfile

SCHEMA = 1
LATEST = ".json"
PREVIOUS_DIR = "previous"
OLD_PREVIOUS = ".previous.json"  # the layout before PREVIOUS_DIR


def _path(results_dir, host, suffix=LATEST):
    if not host or "/" in host or host.startswith("."):
        raise ValueError("invalid host name for a result file: %r" % (host,))
    return os.path.join(results_dir, host + suffix)


def latest_path(results_dir, host):
    """Where the latest result of `host` is stored."""
    return _path(results_dir, host)


def previous_path(results_dir, host):
    """Where the audit before the latest one of `host` is stored."""
    return _path(os.path.join(results_dir, PREVIOUS_DIR), host)


def _file_mode():
    """0666 minus the process umask (os.umask can only be read by setting it)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_text(path, text):
    """Readers (the inventory plugin, a web server, AWX) see the old file or the new one, never half."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path) or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(tmp, _file_mode())
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


def merge(previous, current, catalog_ids, audited):
    """The results of `current` for the controls in `audited`, the stored ones (`previous`, each
    keeping its own audited_at) for the others; controls no longer in the catalog are dropped.
    In catalog order."""
    current = {r["id"]: r for r in current}
    kept = {r["id"]: r for r in previous or [] if isinstance(r, dict) and "id" in r}
    merged = []
    for cid in catalog_ids:
        result = current.get(cid) if cid in audited else kept.get(cid)
        if result is not None:
            merged.append(result)
    return merged


def previous_record(results_dir, host, fact=None):
    """The host's latest stored record (the base a new run merges into), else `fact` (the last
    run's bmc_compliance fact from a fact cache), else None. A damaged file is not trusted."""
    stored = None
    if results_dir:
        try:
            stored = read_record(latest_path(results_dir, host))
        except ValueError:
            stored = None
    if stored is None and isinstance(fact, dict) and fact.get("host") == host:
        stored = fact
    return stored


def write_record(results_dir, record, previous_fact=None):
    """Store `record` as the host's latest result, moving the current one to previous/.

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
        os.makedirs(os.path.join(results_dir, PREVIOUS_DIR), exist_ok=True)
        _write_json(previous_path(results_dir, host), previous)
        _drop_old_previous(results_dir, host)
    _write_json(latest, record)
    return record


def _drop_old_previous(results_dir, host):
    """Remove <host>.previous.json of the old layout, only when it is `host`'s (not the latest
    record of a host really named "<host>.previous")."""
    path = _path(results_dir, host, OLD_PREVIOUS)
    try:
        old = read_record(path)
    except ValueError:
        return
    if old is not None and old["host"] == host:
        os.unlink(path)


def load_records(results_dir):
    """All latest records in a directory, by host. Unreadable files are reported, not skipped.

    A file counts only under its own host's name: <x>.previous.json of the old layout (host x) is
    a previous record, the latest one of a host named "x.previous" is not."""
    records, problems = {}, []
    if not os.path.isdir(results_dir):
        return records, problems
    for name in sorted(os.listdir(results_dir)):
        path = os.path.join(results_dir, name)
        if not name.endswith(LATEST) or name.startswith(".") or not os.path.isfile(path):
            continue
        try:
            record = read_record(path)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if name == record["host"] + LATEST:
            records[record["host"]] = record
        elif not name.endswith(OLD_PREVIOUS):
            problems.append("%s: holds the record of host %r, not of %r" % (path, record["host"], name[:-len(LATEST)]))
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
