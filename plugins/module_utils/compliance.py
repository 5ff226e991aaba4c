# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""The control catalog (data) evaluated over the normalized `bmc` facts (docs/controls.md).

A control is one or more checks; a check is a JMESPath query over the facts, an operator and an
expected value, a literal (`value`) or a baseline variable (`var`, optionally narrowed by
`select` or looked up for the BMC's board with `per_board`). Statuses use the XCCDF words:
pass, fail, error, notapplicable, notchecked.

Evidence, not absence of evidence: a check passes only on facts that were read; a control passes
only when all its checks ran and passed (each result says which ran); notapplicable only from
positive knowledge; `summarize` never calls a host compliant when nothing could be checked.
"""

from __future__ import annotations

import ipaddress
import os
import re

try:
    import jmespath
    import yaml
except ImportError as exc:  # controller requirements (requirements/base.txt): the catalog functions name them
    jmespath = yaml = None
    MISSING_LIBRARY = "the controller needs the Python libraries jmespath and PyYAML (%s)" % exc
else:
    MISSING_LIBRARY = None

from ansible_collections.bmclock.supermicro.plugins.module_utils import supermicro
from ansible_collections.bmclock.supermicro.plugins.module_utils.gather import SECTIONS, SERVICES

STATUSES = ("pass", "fail", "error", "notapplicable", "notchecked")
SEVERITIES = ("low", "medium", "high", "critical")
ROLES = ("Administrator", "Operator", "ReadOnly")
KCS_PRIVILEGES = ("Administrator", "Operator", "User", "Callback")
CATALOG_VARIABLE = "bmc_audit_controls"
# version_ge checks of firmware name their component: its image and release date (facts
# firmware.<component>_image / _release_date, baseline <component>_images) decide across families.
COMPONENTS = ("bmc", "bios")


# -- operators: (actual, expected) -> bool; ValueError/TypeError means "cannot tell" (error) ----

def _items(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("not a number: %r" % (value,))
    return value


def _networks(values):
    return [ipaddress.ip_network(str(v), strict=False) for v in _items(values)]


def _inside(address, networks):
    net = ipaddress.ip_network(str(address), strict=False)
    return any(net.version == n.version and net.subnet_of(n) for n in networks)


# Addresses that are not public: RFC 1918, shared (CGNAT), loopback, link-local, IPv6 ULA.
# Anything else counts as public, documentation ranges (TEST-NET) included.
NON_PUBLIC = _networks(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
                        "169.254.0.0/16", "::1/128", "fe80::/10", "fc00::/7"])

OPERATORS = {
    "eq": lambda actual, expected: actual == expected,
    "ne": lambda actual, expected: actual != expected,
    "le": lambda actual, expected: _number(actual) <= _number(expected),
    "ge": lambda actual, expected: _number(actual) >= _number(expected),
    "in": lambda actual, expected: actual in _items(expected),
    "not_in": lambda actual, expected: actual not in _items(expected),
    "subset_of": lambda actual, expected: all(a in _items(expected) for a in _items(actual)),
    "disjoint_from": lambda actual, expected: not any(a in _items(expected) for a in _items(actual)),
    "empty": lambda actual, expected: actual in (None, "", [], {}),
    "not_empty": lambda actual, expected: actual not in (None, "", [], {}),
    "version_ge": supermicro.version_ge,
    "all_in_networks": lambda actual, expected: all(_inside(a, _networks(expected)) for a in _items(actual)),
    "none_public": lambda actual, expected: all(_inside(a, NON_PUBLIC) for a in _items(actual)),
    # {seen: [...], said: [...]}: everything seen (answering on the network) is said (reported on) by the BMC
    "agrees": lambda actual, expected: not _unsaid(actual),
}
NO_EXPECTED = {"empty", "not_empty", "none_public"}
# Fact sections that do not come from gather: what the exposure probe saw (bmc_exposure).
EXTERNAL_SECTIONS = ("exposure",)


def _unsaid(actual):
    if not isinstance(actual, dict) or not isinstance(actual.get("seen"), list) or not isinstance(actual.get("said"), list):
        raise ValueError("expected {seen: [...], said: [...]}")
    return sorted(set(actual["seen"]) - set(actual["said"]))


# -- catalog -------------------------------------------------------------------------------

def load_catalog(source):
    """The list of controls from a YAML file (variable `bmc_audit_controls`) or a list; validated."""
    controls = source
    if MISSING_LIBRARY:
        raise ValueError(MISSING_LIBRARY)
    if isinstance(source, (str, os.PathLike)):
        with open(source, encoding="utf-8") as handle:
            # libyaml when present: the catalog is parsed in every forked worker
            controls = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if isinstance(controls, dict):
        controls = controls.get(CATALOG_VARIABLE)
    problems = validate_catalog(controls)
    if problems:
        raise ValueError("invalid control catalog: " + "; ".join("%s: %s" % p for p in problems))
    return controls


def validate_catalog(controls):
    """[(control id or position, problem)]; empty when the catalog is usable."""
    if MISSING_LIBRARY:
        return [("python", MISSING_LIBRARY)]
    if not isinstance(controls, list) or not controls:
        return [(CATALOG_VARIABLE, "expected a non-empty list of controls")]
    problems, seen = [], set()
    for index, control in enumerate(controls):
        if not isinstance(control, dict):
            problems.append(("[%d]" % index, "expected a mapping"))
            continue
        where = str(control.get("id") or "[%d]" % index)
        problems += [(where, p) for p in _control_problems(control)]
        if control.get("id") in seen:
            problems.append((where, "duplicate id"))
        seen.add(control.get("id"))
    return problems


def _control_problems(control):
    if not re.fullmatch(r"[a-z]+(-[a-z0-9]+)+", str(control.get("id", ""))):
        yield "id must look like 'family-name' (lower case, dashes)"
    for key in ("title", "rationale"):
        if not isinstance(control.get(key), str) or not control[key].strip():
            yield "%s: expected a non-empty string" % key
    if control.get("severity") not in SEVERITIES:
        yield "severity: expected one of %s, got %r" % (", ".join(SEVERITIES), control.get("severity"))
    if not isinstance(control.get("references"), dict):
        yield "references: expected a mapping (e.g. nist_800_53: [AC-2])"
    remediation = control.get("remediation")
    if remediation is not None and not (isinstance(remediation, dict) and {"role", "tag"} <= set(remediation) <= {"role", "tag", "playbook"}):
        yield "remediation: expected {role, tag} (and playbook when not playbooks/remediate.yml)"
    applicability = control.get("applicability") or {}
    if not isinstance(applicability, dict) or set(applicability) - {"generations", "licenses", "vendors", "requires"}:
        yield "applicability: expected a mapping with generations, licenses, vendors and/or requires"
    elif "requires" in applicability and not (isinstance(applicability["requires"], dict) and
                                              set(applicability["requires"]) == {"query", "reason"}):
        yield "applicability.requires: expected {query, reason}"
    elif not set(applicability.get("generations") or []) <= set(supermicro.LAYOUTS):
        yield "applicability.generations: expected some of %s" % ", ".join(supermicro.LAYOUTS)
    elif not set(applicability.get("vendors") or []) <= {supermicro.VENDOR}:
        yield "applicability.vendors: expected [%s] (the only vendor whose OEM resources the facts know)" % supermicro.VENDOR
    checks = control.get("checks")
    if not isinstance(checks, list) or not checks:
        yield "checks: expected a non-empty list"
        return
    for position, check in enumerate(checks):
        for problem in _check_problems(check):
            yield "checks[%d]: %s" % (position, problem)
    names = [c.get("name") for c in checks if isinstance(c, dict)]
    if len(checks) > 1 and (None in names or len(set(names)) != len(names)):
        yield "checks: several checks need distinct names"


def _check_problems(check):
    if not isinstance(check, dict):
        yield "expected a mapping"
        return
    try:
        jmespath.compile(str(check.get("query", "")))
    except jmespath.exceptions.JMESPathError as exc:
        yield "query %r: %s" % (check.get("query"), str(exc).splitlines()[0])
        return
    if not sections_of(check["query"]):
        yield "query %r reads no fact section (one of %s)" % (check["query"], ", ".join(SECTIONS))
    op = check.get("op")
    if op not in OPERATORS:
        yield "op: expected one of %s, got %r" % (", ".join(OPERATORS), op)
    sources = [k for k in ("value", "var") if k in check]
    if op in NO_EXPECTED and sources:
        yield "op %s takes no value or var" % op
    elif op not in NO_EXPECTED and len(sources) != 1:
        yield "expected exactly one of value (a literal) or var (a baseline variable)"
    if ("select" in check or "per_board" in check) and "var" not in check:
        yield "select and per_board apply to a var"
    if "component" in check and (check["component"] not in COMPONENTS or op != "version_ge" or "per_board" not in check):
        yield "component: expected one of %s, with op version_ge and per_board" % ", ".join(COMPONENTS)
    if "var" in check and check["var"] not in BASELINE_SCHEMA:
        yield "var %r is not a baseline variable (%s)" % (check["var"], ", ".join(BASELINE_SCHEMA))


def sections_of(query):
    """Fact sections a query reads: names of SECTIONS that start a path (not after a dot),
    string literals left out. A check whose section is unsupported or errored is not run."""
    bare = re.sub(r"'(?:[^'\\]|\\.)*'|`[^`]*`", "", query)
    names = re.findall(r"(?<![\w.@])([A-Za-z_]\w*)(?!\s*\()", bare)
    return [n for n in dict.fromkeys(names) if n in SECTIONS or n in EXTERNAL_SECTIONS]


def enable_var(control_id):
    """The inventory variable that switches a control on or off: bmc_control_<id with _>."""
    return "bmc_control_" + control_id.replace("-", "_")


# -- baseline ------------------------------------------------------------------------------

def _problem(path, expected, value):
    return [(path, "expected %s, got %r" % (expected, value))]


def _is_int(value, low=None, high=None):
    return (isinstance(value, int) and not isinstance(value, bool)
            and (low is None or value >= low) and (high is None or value <= high))


def _integer(low=None, high=None):
    bounds = " between %s and %s" % (low, high) if high is not None else (" >= %s" % low if low is not None else "")

    def check(path, value):
        return [] if _is_int(value, low, high) else _problem(path, "an integer" + bounds, value)
    return check


def _boolean(path, value):
    return [] if isinstance(value, bool) else _problem(path, "true or false", value)


def _choice(choices):
    def check(path, value):
        return [] if value in choices else _problem(path, "one of %s" % ", ".join(choices), value)
    return check


def _text(path, value):
    return [] if isinstance(value, str) and value.strip() else _problem(path, "a non-empty string", value)


def _host(path, value):
    ok = isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_.:%-]+", value or "")
    return [] if ok else _problem(path, "a host name or IP address (no scheme, no port)", value)


def _network(path, value):
    try:
        ipaddress.ip_network(str(value), strict=False)
    except ValueError:
        return _problem(path, "a network in CIDR notation like 10.10.0.0/24", value)
    return [] if isinstance(value, str) else _problem(path, "a string", value)


def _version(path, value):
    try:
        supermicro.parse_version(value)
    except ValueError:
        return _problem(path, "a firmware version like 01.06.10 or 1.4 (quoted)", value)
    return [] if isinstance(value, str) else _problem(path, "a quoted string (YAML reads 1.4 as a number)", value)


def _list_of(item, non_empty=False):
    def check(path, value):
        if not isinstance(value, list) or (non_empty and not value):
            return _problem(path, "a %slist" % ("non-empty " if non_empty else ""), value)
        return [p for i, v in enumerate(value) for p in item("%s[%d]" % (path, i), v)]
    return check


def _mapping(fields, required=True, optional=None):
    def check(path, value):
        if not isinstance(value, dict):
            return _problem(path, "a mapping with %s" % ", ".join(fields), value)
        known = dict(fields, **(optional or {}))
        problems = [("%s.%s" % (path, k), "unknown key (known: %s)" % ", ".join(known)) for k in value if k not in known]
        for key, validate in known.items():
            if key in value:
                problems += validate("%s.%s" % (path, key), value[key])
            elif required and key in fields:
                problems.append(("%s.%s" % (path, key), "missing"))
        return problems
    return check


def _per_board(entry):
    def check(path, value):
        if not isinstance(value, dict) or not value:
            return _problem(path, "a mapping of board model (Chassis Model, e.g. X13DEG-OAD, or 'default') to %s"
                            % "{bmc_min, bios_min, bmc_images, bios_images}", value)
        return [p for board, item in value.items() for p in entry("%s.%s" % (path, board), item)]
    return check


BASELINE_SCHEMA = {
    "bmc_approved_firmware": _per_board(_mapping({
        "bmc_min": _version, "bios_min": _version,
        "bmc_images": _list_of(_text), "bios_images": _list_of(_text)},
        # rollout targets (bmc_firmware role), checked against bmc_firmware_dir by firmware.validate_targets
        optional={"bmc_target": _mapping({"image": _text, "sha256": _text}, optional={"version": _version}),
                  "bios_target": _mapping({"image": _text, "sha256": _text}, optional={"version": _version})})),
    "bmc_allowed_accounts": _list_of(_mapping({"username": _text, "role": _choice(ROLES)}), non_empty=True),
    "bmc_max_administrators": _integer(1),
    "bmc_default_usernames": _list_of(_text),
    "bmc_password_policy": _mapping({
        "min_length": _integer(8, 20), "lockout_threshold_max": _integer(1, 10),
        "lockout_duration_min": _integer(0, 86400)}),
    "bmc_session_timeout_max": _integer(30, 86400),
    "bmc_allowed_services": _list_of(_choice(SERVICES)),
    "bmc_cert_min_days_remaining": _integer(0),
    "bmc_management_networks": _list_of(_network, non_empty=True),
    "bmc_approved_ntp_servers": _list_of(_host),
    "bmc_approved_syslog_servers": _list_of(_host),
    "bmc_approved_snmp_destinations": _list_of(_host),
    "bmc_approved_smtp_servers": _list_of(_host),
    "bmc_approved_directory_servers": _list_of(_host),
    "bmc_approved_event_destinations": _list_of(_host),
    "bmc_approved_dns_servers": _list_of(_host),
    "bmc_kcs_privilege": _choice(KCS_PRIVILEGES),
    "bmc_system_lockdown": _boolean,
}


def baseline_from_vars(variables):
    """The baseline dict from inventory variables: the bmc_* keys of BASELINE_SCHEMA that are set."""
    return {key: variables[key] for key in BASELINE_SCHEMA if key in variables}


def validate_baseline(baseline):
    """[(key, problem)] naming the variable (with the path inside it) and what was expected."""
    problems = []
    for key, validate in BASELINE_SCHEMA.items():
        if key not in baseline:
            problems.append((key, "missing (set it in inventory/group_vars/all/baseline.yml)"))
        else:
            problems += validate(key, baseline[key])
    return problems


# -- evaluation ----------------------------------------------------------------------------

class _Skip(Exception):
    """Positive knowledge that a check does not apply: the generation has no such resource, the
    BMC answered "not licensed", or it is not a Supermicro BMC."""


class _Broken(Exception):
    """The check cannot be decided: its facts errored, or the baseline lacks what it needs."""


class _Unapproved(Exception):
    """The baseline approves nothing for this BMC (a board without an approved firmware entry)."""


def evaluate(facts, catalog, baseline, enabled=None):
    """{"summary": {...}, "results": [{id, title, severity, status, expected, actual, reason, checks}]}.

    `enabled` maps control id -> bool (default: every control on); a control switched off is
    reported notchecked.
    """
    results = [_evaluate_control(control, facts, baseline, (enabled or {}).get(control["id"], True))
               for control in catalog]
    return {"summary": summarize(results, facts), "results": results}


def unreachable(catalog, reason, status="unreachable"):
    """The evaluation of a BMC that could not be audited at all (unreachable, login refused)."""
    results = [_result(control, "error", reason) for control in catalog]
    summary = summarize(results)
    summary.update(status=status, reason=reason, compliant=False)
    return {"summary": summary, "results": results}


HOST_STATUSES = ("compliant", "noncompliant", "error", "unreachable", "unsupported")


def summarize(results, facts=None):
    """The host status over `results` (from one run or merged from several).

    compliant: every result passed or is notapplicable / notchecked for a stated reason, and at
    least one control was actually checked; noncompliant: a control fails; error: a control could
    not be evaluated, or nothing could be checked; unsupported (from the facts: not a Supermicro
    BMC, unknown board or firmware family) takes precedence, the results keep their own status."""
    counts = {status: sum(r["status"] == status for r in results) for status in STATUSES}
    failed = [r["id"] for r in results if r["status"] == "fail"]
    errors = [r["id"] for r in results if r["status"] == "error"]
    worst = max((r["severity"] for r in results if r["status"] == "fail"), key=SEVERITIES.index, default=None)
    identity = (facts or {}).get("identity") if isinstance((facts or {}).get("identity"), dict) else {}
    checked = counts["pass"] + counts["fail"]
    if identity.get("unsupported"):
        status, reason = "unsupported", identity["unsupported"]
    elif failed:
        status, reason = "noncompliant", "%d control(s) fail: %s" % (len(failed), ", ".join(failed))
    elif errors:
        status, reason = "error", "%d control(s) could not be evaluated: %s" % (len(errors), ", ".join(errors))
    elif not checked or identity.get("nothing_read"):
        status, reason = "error", "nothing could be checked: no control passed or failed on data read from the BMC"
    else:
        status, reason = "compliant", ""
    return {"status": status, "reason": reason, "compliant": status == "compliant", "counts": counts, "total": len(results),
            "failed": failed, "errors": errors, "worst_severity": worst}


def _result(control, status, reason, expected=None, actual=None, checks=None):
    result = {"id": control["id"], "title": control["title"], "severity": control["severity"],
              "status": status, "expected": expected, "actual": actual, "reason": reason,
              "checks": checks or {"ran": 0, "total": len(control.get("checks") or []), "skipped": []}}
    if control.get("remediation"):
        result["remediation"] = control["remediation"]
    return result


def _evaluate_control(control, facts, baseline, enabled):
    if not enabled:
        return _result(control, "notchecked", "disabled by %s" % enable_var(control["id"]))
    inapplicable = _inapplicable(control.get("applicability") or {}, facts)
    if inapplicable:
        return _result(control, *inapplicable)
    outcomes = []   # (check, status, expected, actual, note)
    for check in control["checks"]:
        try:
            expected, actual, passed, how = _run_check(check, facts, baseline)
        except _Skip as skip:
            outcomes.append((check, "skip", None, None, str(skip)))
        except _Broken as exc:
            outcomes.append((check, "error", None, None, str(exc)))
        except _Unapproved as exc:
            outcomes.append((check, "fail", None, jmespath.search(check["query"], facts), str(exc)))
        else:
            note = "" if passed else _mismatch(check["op"], actual, expected) + (" (%s)" % how if how else "")
            outcomes.append((check, "pass" if passed else "fail", expected, actual, note))
    several = len(control["checks"]) > 1
    skipped = [("%s: %s" % (o[0]["name"], o[4])) if several else o[4] for o in outcomes if o[1] == "skip"]
    run = [o for o in outcomes if o[1] != "skip"]
    checks = {"ran": len(run), "total": len(outcomes), "skipped": skipped}
    if not run:
        reasons = sorted({o[4] for o in outcomes})
        status = "notchecked" if any("licen" in r for r in reasons) else "notapplicable"
        return _result(control, status, "; ".join(reasons), checks=checks)
    expected = {o[0]["name"]: o[2] for o in run} if several else run[0][2]
    actual = {o[0]["name"]: o[3] for o in run} if several else run[0][3]
    not_checked = ("; not checked: " + "; ".join(skipped)) if skipped else ""
    for status in ("error", "fail"):
        bad = [o for o in outcomes if o[1] == status]
        if bad:
            reason = "; ".join(("%s: %s" % (o[0]["name"], o[4])) if several else o[4] for o in bad)
            return _result(control, status, reason + not_checked, expected, actual, checks)
    if skipped:
        # Every check that ran passed, but not all could run: not the whole control was verified.
        return _result(control, "notchecked", "partially checked: %d of %d checks ran and passed%s" % (len(run), len(outcomes), not_checked),
                       expected, actual, checks)
    return _result(control, "pass", "", expected, actual, checks)


def _inapplicable(applicability, facts):
    identity = facts.get("identity") or {}
    if applicability.get("vendors") and identity.get("supermicro") is False:
        return "notapplicable", "not a Supermicro BMC"
    generation = identity.get("generation")
    layout = identity.get("layout") or (supermicro.layout(generation) if generation else None)
    generations = applicability.get("generations")
    if generations and layout and layout not in generations:
        return "notapplicable", "not supported on %s" % generation
    needed = applicability.get("licenses")
    licenses = facts.get("licenses") or {}
    if needed and licenses.get("supported") and not set(needed) & set(licenses.get("installed") or []):
        return "notchecked", "not licensed (needs %s)" % " or ".join(needed)
    requires = applicability.get("requires")
    if requires and jmespath.search(requires["query"], facts) in (None, "", [], {}, False):
        return "notchecked", requires["reason"]      # data gathered elsewhere (a probe) is missing
    return None


def _run_check(check, facts, baseline):
    for name in sections_of(check["query"]):
        section = facts.get(name)
        if not isinstance(section, dict):
            raise _Broken("no %s facts" % name)
        if section.get("error"):
            raise _Broken(section["error"])
        if section.get("supported") is False:
            raise _Skip(section.get("reason") or "not supported")
        if section.get("supported") is not True:
            raise _Broken("the %s facts do not say they were read" % name)
    expected = _expected(check, facts, baseline)
    actual = jmespath.search(check["query"], facts)
    if actual is None and check["op"] not in ("empty", "not_empty"):
        raise _Broken("nothing read at %s" % check["query"])
    try:
        if "component" in check:
            return (expected, actual) + _firmware_at_least(check, facts, baseline, actual, expected)
        return expected, actual, bool(OPERATORS[check["op"]](actual, expected)), None
    except (TypeError, ValueError) as exc:
        raise _Broken("cannot compare %s with %s: %s" % (_short(actual), _short(expected), exc)) from None


def _firmware_at_least(check, facts, baseline, actual, minimum):
    """version_ge within a version family; across families by release date (supermicro)."""
    kind = check["component"]
    firmware = facts.get("firmware") or {}
    entry = _board_entry(check, facts, baseline)[1] or {}
    images = entry.get("%s_images" % kind) or []
    min_image = next((i for i in images if (supermicro.image_info(i) or {}).get("version") == minimum), None)
    return supermicro.firmware_at_least(
        actual, minimum, kind.upper(), actual_image=firmware.get("%s_image" % kind),
        actual_date=firmware.get("%s_release_date" % kind),
        minimum_image=min_image, minimum_date=(supermicro.image_info(min_image) or {}).get("date"))


def _board_entry(check, facts, baseline):
    """(board, the per-board entry of the check's var for the BMC's board or None)."""
    identity = facts.get("identity") or {}
    board, value = identity.get("board"), baseline.get(check["var"]) or {}
    if board is None and identity.get("board_error"):
        raise _Broken("the board is unknown (%s): cannot pick its approved firmware" % identity["board_error"])
    if identity.get("supermicro") is False:
        # Another vendor: only an entry for exactly this board (the default is Supermicro firmware).
        if board not in value:
            raise _Skip("not a Supermicro BMC, and %s names no entry for its board %s" % (check["var"], board))
        return board, value[board]
    return board, value.get(board) or value.get("default")


def _expected(check, facts, baseline):
    if "var" not in check:
        return check.get("value")
    if check["var"] not in baseline:
        raise _Broken("baseline variable %s is not set" % check["var"])
    value = baseline[check["var"]]
    if "per_board" in check:
        board, entry = _board_entry(check, facts, baseline)
        if entry is None or check["per_board"] not in entry:
            # A board the baseline does not know has no approved firmware: that is a finding.
            raise _Unapproved("no %s for board %s (nor a default) in %s" % (check["per_board"], board, check["var"]))
        value = entry[check["per_board"]]
    if "select" in check:
        value = jmespath.search(check["select"], value)
    return value


_NEGATED = {"eq": "!=", "ne": "==", "le": ">", "ge": "<", "in": "not in", "not_in": "in",
            "subset_of": "not within", "disjoint_from": "overlaps", "empty": "is not empty",
            "not_empty": "is empty", "version_ge": "older than", "all_in_networks": "not all inside",
            "none_public": "includes a public address", "agrees": "disagrees"}


def _mismatch(op, actual, expected):
    if op == "agrees":
        return "%s answer(s) on the network, yet the BMC reports them off" % ", ".join(_unsaid(actual))
    text = "%s %s" % (_short(actual), _NEGATED[op])
    return text if op in NO_EXPECTED else "%s %s" % (text, _short(expected))


def _short(value, limit=120):
    text = repr(value) if isinstance(value, str) else str(value)
    if value is None:
        text = "nothing"
    return text if len(text) <= limit else text[:limit - 3] + "..."
