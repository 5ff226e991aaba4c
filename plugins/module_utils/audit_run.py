# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""The audit's run options: numeric bounds, and the lockout window after a refused login."""

from __future__ import annotations

import datetime

# Numeric options and their bounds; the message names the inventory variable (bmc_<option>).
NUMERIC_BOUNDS = {"port": (1, 65535), "timeout": (1, None), "retries": (0, None), "concurrency": (1, None),
                  "host_timeout": (1, None), "max_response_size": (1, None), "refused_login_wait": (0, None)}


def numeric_problems(values):
    """["bmc_<name>: ..."] for the values (by option name) outside their bounds."""
    problems = []
    for name, (low, high) in NUMERIC_BOUNDS.items():
        value = values.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append("bmc_%s: expected an integer, got %r" % (name, value))
        elif (low is not None and value < low) or (high is not None and value > high):
            problems.append("bmc_%s: %d is out of range (%s)" % (
                name, value, "%d..%d" % (low, high) if high is not None else ">= %d" % low))
    return problems



def iso(moment):
    return moment.isoformat(timespec="seconds")


def login_refusal(previous, now, retry_after, default_wait):
    """The login_refused entry: when, and until when the BMC is left alone: the BMC's own
    AccountLockoutDuration when an earlier audit read it, else `default_wait`; longer when the
    BMC asked for it (Retry-After, capped at a day)."""
    policy = ((previous or {}).get("facts") or {}).get("account_policy") or {}
    lockout = policy.get("lockout_duration")
    wait, source = default_wait, "bmc_refused_login_wait"
    earlier = (previous or {}).get("login_refused") or {}
    if isinstance(lockout, int) and not isinstance(lockout, bool) and lockout > 0:
        wait, source = lockout, "the BMC's AccountLockoutDuration"
    elif isinstance(earlier, dict) and earlier.get("wait_from") == "the BMC's AccountLockoutDuration":
        wait, source = earlier["wait_s"], earlier["wait_from"]  # a refused run read no facts: keep what was known
    if isinstance(retry_after, (int, float)) and not isinstance(retry_after, bool) and retry_after > wait:
        wait, source = min(int(retry_after), 86400), "the BMC's Retry-After"
    return {"at": iso(now), "until": iso(now + datetime.timedelta(seconds=wait)), "wait_s": wait, "wait_from": source}


def refusal_in_force(previous, now):
    """The stored login refusal of a host while its window lasts, else None. Meanwhile the BMC is
    not contacted: each new attempt would extend the lockout of the automation's own account."""
    refused = (previous or {}).get("login_refused")
    if not isinstance(refused, dict):
        return None
    try:
        until = datetime.datetime.fromisoformat(refused["until"])
    except (KeyError, TypeError, ValueError):
        return None
    return refused if until > now else None
