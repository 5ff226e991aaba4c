# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Which controls a run audits: --tags / --skip-tags and the `controls` option, checked.

A control's tags are its id and its family (the id's first word: fw, acct, svc, net, ...). A
name that is none of these, nor a play tag of the project, is a typo: auditing nothing and
exiting 0 would let a CI gate pass, so it fails before any BMC is contacted.
"""

from __future__ import annotations

# Tags of the project's plays that are not controls, and Ansible's special tags.
PLAY_TAGS = frozenset({"all", "always", "never", "tagged", "untagged", "audit", "bmc_audit", "report"})
_EVERYTHING = {"all", "audit", "bmc_audit"}


def tags_of(control):
    return {control["id"], control["id"].split("-", 1)[0]}


def control_names(catalog):
    """Every control id and family of the catalog."""
    return set().union(*(tags_of(c) for c in catalog)) if catalog else set()


def unknown(names, catalog, play_tags=PLAY_TAGS):
    """The names in `names` that select nothing (sorted)."""
    return sorted(set(names or []) - control_names(catalog) - set(play_tags))


def describe_valid(catalog, play_tags=PLAY_TAGS):
    families = sorted({c["id"].split("-", 1)[0] for c in catalog})
    return "valid: families %s; control ids %s; play tags %s" % (
        ", ".join(families), ", ".join(sorted(c["id"] for c in catalog)),
        ", ".join(sorted(set(play_tags) - {"all", "never", "tagged", "untagged"})))


def select(catalog, run_tags=None, skip_tags=None, controls=None):
    """The controls of `catalog` picked by the run's tags and the `controls` option (both apply).

    `controls` names control ids or families; None means no restriction."""
    run_tags = set(run_tags or ["all"])
    skip_tags = set(skip_tags or [])
    if not run_tags & _EVERYTHING:
        catalog = [c for c in catalog if tags_of(c) & run_tags]
    if controls is not None:
        catalog = [c for c in catalog if tags_of(c) & set(controls)]
    return [c for c in catalog if not tags_of(c) & skip_tags]


def keep_recorded_evidence(selected, previous_results):
    """`selected` without the controls whose evidence another job gathers (applicability.requires:
    the exposure probe) and that a record already holds: a run that cannot see that evidence
    never erases a finding; never recorded, they are evaluated (notchecked, with the reason)."""
    recorded = {r.get("id") for r in previous_results or [] if r.get("status") != "notchecked"}
    return [c for c in selected if c["id"] not in recorded or not (c.get("applicability") or {}).get("requires")]
