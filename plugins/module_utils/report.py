# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Fleet reports from the stored per-host audit records: HTML, JUnit XML, JSON, Markdown.

Pure Python (no Ansible imports). Every renderer takes the records as `results.load_records`
returns them ({host: record}), so a report covers whatever was stored: one run, several runs or
the slices of an AWX job alike. Everything in a record may come from a BMC and is untrusted:
HTML and XML output escape it, Markdown output neutralises table syntax, and any JSON value is
accepted where text is expected: records are normalised first (normalize()), and a record that
cannot be read becomes an `error` host named in the report's problems, never a failed report.

A result older than `stale_after` seconds (its own `audited_at`: partial runs leave older results
in place) is flagged stale in every format.
"""

from __future__ import annotations

import collections
import datetime
import html
import json
import re
import xml.etree.ElementTree as ET

HOST_STATUSES = ("unreachable", "error", "unsupported", "noncompliant", "compliant")  # worst first
# Host statuses whose audit proves nothing either way: an <error> in JUnit, never a pass or a skip.
UNPROVEN = ("unreachable", "error", "unsupported")
STALE_AFTER = 7 * 86400  # seconds; bmc_report_stale_after
RESULT_STATUSES = ("fail", "error", "notchecked", "notapplicable", "pass")
SEVERITIES = ("critical", "high", "medium", "low")

FORMATS = {
    "html": "report.html",
    "junit": "junit.xml",
    "json": "report.json",
    "markdown": "summary.md",
}


def _rank(order, value):
    return order.index(value) if value in order else len(order)


def _identity(record):
    """Board, model, generation and firmware versions from the record's normalized facts, as text."""
    facts = record.get("facts") if isinstance(record.get("facts"), dict) else {}
    identity = facts.get("identity") if isinstance(facts.get("identity"), dict) else {}
    firmware = facts.get("firmware") if isinstance(facts.get("firmware"), dict) else {}
    values = dict(identity)
    for key in ("bmc_version", "bios_version"):
        if values.get(key) in (None, ""):
            values[key] = firmware.get(key)
    return {key: _text(values.get(key)) for key in ("board", "model", "generation", "bmc_version", "bios_version")}


def _dict(value):
    return value if isinstance(value, dict) else {}


def _clean_result(result, audited_at):
    result = _dict(result)
    status = result.get("status") if result.get("status") in RESULT_STATUSES else "error"
    clean = dict(result, id=_text(result.get("id")) or "?", title=_text(result.get("title")),
                 severity=_text(result.get("severity")), status=status, reason=_text(result.get("reason")),
                 audited_at=_text(result.get("audited_at") or audited_at))
    if status != result.get("status"):
        clean["reason"] = "unreadable result status %s; %s" % (_text(result.get("status")), clean["reason"])
    return clean


def _clean_record(host, record):
    """The record with the types the renderers rely on; odd values become text."""
    if not isinstance(record, dict):
        raise ValueError("not a JSON object but %s" % type(record).__name__)
    status = record.get("status") if record.get("status") in HOST_STATUSES else "error"
    summary = dict(_dict(record.get("summary")))
    if status != record.get("status"):
        summary["reason"] = "unknown host status %s" % _text(record.get("status"))
    summary["reason"] = _text(summary.get("reason"))
    audited_at = _text(record.get("audited_at"))
    results = record.get("results") if isinstance(record.get("results"), list) else []
    drift = [dict(c, id=_text(c.get("id")), **{"from": _text(c.get("from")), "to": _text(c.get("to"))})
             for c in (record.get("drift") if isinstance(record.get("drift"), list) else []) if isinstance(c, dict)]
    return dict(record, host=_text(record.get("host") or host), status=status, summary=summary,
                audited_at=audited_at, address=_text(record.get("address")), drift=drift,
                results=[_clean_result(r, audited_at) for r in results],
                facts=record.get("facts") if isinstance(record.get("facts"), dict) else {})


def normalize(records, problems=()):
    """(records, problems): every record made safe to render; one that cannot be read becomes an
    `error` host whose reason (and a problem line) names it, so one odd host never breaks the report."""
    clean, problems = {}, list(problems)
    for host in sorted(records, key=str):
        try:
            clean[_text(host)] = _clean_record(host, records[host])
        except (TypeError, ValueError, AttributeError, KeyError) as exc:
            reason = "%s: result record cannot be read: %s" % (host, exc)
            problems.append(reason)
            clean[_text(host)] = {"host": _text(host), "status": "error", "summary": {"reason": reason},
                                  "results": [], "facts": {}, "drift": []}
    return clean, problems


def _parse_time(text):
    try:
        moment = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.timezone.utc)


def stale_controls(record, stale_after=STALE_AFTER, now=None):
    """Ids of the record's results audited more than `stale_after` seconds before `now` (or with
    no readable time). stale_after None or 0: nothing is stale."""
    if not stale_after:
        return []
    now = now or datetime.datetime.now(datetime.timezone.utc)
    limit = now - datetime.timedelta(seconds=stale_after)
    stale = []
    for result in record.get("results", []):
        when = _parse_time(result.get("audited_at") or record.get("audited_at"))
        if when is None or when < limit:
            stale.append(result["id"])
    return stale


def host_order(records):
    """Host names, worst status first, then by name."""
    return sorted(records, key=lambda h: (_rank(HOST_STATUSES, records[h].get("status")), h))


def overview(records, stale_after=STALE_AFTER, now=None):
    """The fleet figures every format shows, computed from the records' own results."""
    records = normalize(records)[0]
    host_counts = collections.Counter(r.get("status") for r in records.values())
    result_counts = collections.Counter()
    controls = {}
    firmware = collections.defaultdict(lambda: {"models": set(), "bmc": collections.Counter(),
                                                "bios": collections.Counter()})
    drift = []
    for host in sorted(records):
        record = records[host]
        for result in record.get("results", []):
            result_counts[result["status"]] += 1
            control = controls.setdefault(result["id"], {
                "id": result["id"], "title": result.get("title", ""),
                "severity": result.get("severity", ""), "counts": collections.Counter(), "failing": []})
            control["counts"][result["status"]] += 1
            if result["status"] == "fail":
                control["failing"].append(host)
        identity = _identity(record)
        if identity["board"] or identity["model"]:
            board = firmware[(identity["board"] or "unknown board", identity["generation"])]
            board["models"].add(identity["model"])
            board["bmc"][identity["bmc_version"] or "unknown"] += 1
            board["bios"][identity["bios_version"] or "unknown"] += 1
        drift.extend(dict(change, host=host) for change in record.get("drift") or [])

    worst = sorted((c for c in controls.values() if c["counts"]["fail"]),
                   key=lambda c: (-c["counts"]["fail"], _rank(SEVERITIES, c["severity"]),
                                  -c["counts"]["error"], c["id"]))
    audited = sorted(r["audited_at"] for r in records.values() if r.get("audited_at"))
    return {
        "hosts": len(records),
        "host_status": {s: host_counts[s] for s in HOST_STATUSES},
        "results": sum(result_counts.values()),
        "result_status": {s: result_counts[s] for s in RESULT_STATUSES},
        "worst_controls": [
            {"id": c["id"], "title": c["title"], "severity": c["severity"], "fail": c["counts"]["fail"],
             "error": c["counts"]["error"], "failing_hosts": c["failing"]} for c in worst],
        "firmware": [
            {"board": board, "generation": generation, "models": sorted(m for m in v["models"] if m),
             "bmc_versions": dict(sorted(v["bmc"].items())), "bios_versions": dict(sorted(v["bios"].items()))}
            for (board, generation), v in sorted(firmware.items())],
        "drift": drift,
        "stale": {h: ids for h in sorted(records) for ids in [stale_controls(records[h], stale_after, now)] if ids},
        "stale_after_s": stale_after or None,
        "tls_unverified": sorted(h for h, r in records.items() if r.get("tls_verified") is False),
        "audited_from": audited[0] if audited else None,
        "audited_to": audited[-1] if audited else None,
    }


def _text(value):
    """A result's expected/actual value as one line of text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


# ---------------------------------------------------------------------------------------- JSON

def render_json(records, problems=(), stale_after=STALE_AFTER, now=None):
    """The full stored results plus the fleet overview (stale results, unverified TLS), one document."""
    clean, problems = normalize(records, problems)
    document = {
        "schema": 1,
        "overview": overview(clean, stale_after, now),
        "problems": list(problems),
        "hosts": [records.get(h, clean[h]) if isinstance(records.get(h), dict) else clean[h] for h in host_order(clean)],
    }
    return json.dumps(document, indent=1, sort_keys=True, default=str) + "\n"


# ---------------------------------------------------------------------------------------- JUnit

# Characters XML 1.0 cannot carry at all, even escaped (a BMC may send them).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
JUNIT_OUTCOME = {"fail": "failure", "error": "error", "notapplicable": "skipped", "notchecked": "skipped"}
JUNIT_COUNTER = {"failure": "failures", "error": "errors", "skipped": "skipped"}


def _xml(value):
    return _XML_ILLEGAL.sub("\ufffd", _text(value))


def render_junit(records, problems=(), stale_after=STALE_AFTER, now=None):
    """One testsuite per host, one testcase per host x control (CI systems, HDF's junit importer);
    a host whose audit proves nothing (error, unreachable, unsupported) has an `audit` testcase
    with an <error>, so CI never reads it as passed."""
    records, problems = normalize(records, problems)
    suites = ET.Element("testsuites", name="bmclock BMC compliance")
    totals = collections.Counter()
    for host in sorted(records):
        record = records[host]
        stale = stale_controls(record, stale_after, now)
        suite = ET.SubElement(suites, "testsuite", name=_xml(host), hostname=_xml(record.get("address", host)),
                              timestamp=_xml(record.get("audited_at", "")),
                              time="%.3f" % float(record.get("duration_s") or 0))
        properties = ET.SubElement(suite, "properties")
        extra = [("reason", record["summary"].get("reason")), ("tls_verified", record.get("tls_verified", "")),
                 ("stale_controls", ",".join(stale))]
        for name, value in [("status", record.get("status"))] + sorted(_identity(record).items()) + extra:
            ET.SubElement(properties, "property", name=name, value=_xml(value))
        counts = collections.Counter()
        results = list(record.get("results", []))
        if record["status"] in UNPROVEN:
            results.insert(0, {"id": "audit", "title": "BMC audit", "status": "error", "severity": record["status"],
                               "reason": "%s: %s" % (record["status"], record["summary"].get("reason") or "no reason recorded")})
        for result in results:
            case = ET.SubElement(suite, "testcase", classname=_xml(host),
                                 name=_xml("%s: %s" % (result["id"], result.get("title", ""))), time="0")
            outcome = None if result["status"] == "pass" else JUNIT_OUTCOME.get(result["status"], "error")
            counts["tests"] += 1
            if outcome:
                counts[JUNIT_COUNTER[outcome]] += 1
                element = ET.SubElement(case, outcome, message=_xml(result.get("reason") or result["status"]),
                                        type=_xml(result.get("severity") or result["status"]))
                if outcome != "skipped":
                    element.text = _xml("severity: %s\nexpected: %s\nactual: %s" % (
                        result.get("severity", ""), _text(result.get("expected")), _text(result.get("actual"))))
            if result["id"] in stale:
                ET.SubElement(case, "system-out").text = _xml("stale: audited at %s" % result.get("audited_at"))
        for key in ("tests", "failures", "errors", "skipped"):
            suite.set(key, str(counts[key]))
        totals.update(counts)
    for key in ("tests", "failures", "errors", "skipped"):
        suites.set(key, str(totals[key]))
    if problems:
        ET.SubElement(suites, "system-err").text = _xml("\n".join(problems))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


# ---------------------------------------------------------------------------------------- Markdown

def _cell(value):
    """Markdown table cell: one line, no control characters, pipes and markup made literal."""
    text = " ".join(re.sub("[\x00-\x08\x0e-\x1f\x7f]", "", _text(value)).split())
    return re.sub(r"([\\|`*_<\[\]])", r"\\\1", text)


def render_markdown(records, problems=(), max_hosts=20, max_controls=8, stale_after=STALE_AFTER, now=None):
    """A short summary for a ticket or a chat message."""
    records, problems = normalize(records, problems)
    view = overview(records, stale_after, now)
    lines = ["## BMC compliance: %d hosts, %s" % (view["hosts"], ", ".join(
        "%d %s" % (n, s) for s, n in view["host_status"].items() if n) or "no results")]
    if view["audited_from"]:
        lines += ["", "Audited %s to %s." % (view["audited_from"], view["audited_to"])]
    attention = [h for h in host_order(records) if records[h].get("status") != "compliant"]
    if attention:
        lines += ["", "| host | status | fail | error | failing controls |", "|---|---|---:|---:|---|"]
        for host in attention[:max_hosts]:
            record = records[host]
            statuses = collections.Counter(r["status"] for r in record.get("results", []))
            failing = [r["id"] for r in record.get("results", []) if r["status"] == "fail"]
            detail = "; ".join(x for x in (", ".join(failing), record["summary"].get("reason")) if x)
            lines.append("| %s | %s | %d | %d | %s |" % (
                _cell(host), _cell(record.get("status")), statuses["fail"], statuses["error"], _cell(detail)))
        if len(attention) > max_hosts:
            lines.append("")
            lines.append("... and %d more hosts that are not compliant." % (len(attention) - max_hosts))
    if view["worst_controls"]:
        lines += ["", "**Controls failing on the most hosts**", "",
                  "| control | severity | failing hosts | errors |", "|---|---|---:|---:|"]
        for control in view["worst_controls"][:max_controls]:
            lines.append("| %s: %s | %s | %d/%d | %d |" % (
                _cell(control["id"]), _cell(control["title"]), _cell(control["severity"]),
                control["fail"], view["hosts"], control["error"]))
    if view["drift"]:
        changed = collections.defaultdict(list)
        for change in view["drift"]:
            changed[change["host"]].append("%s %s → %s" % (change["id"], change["from"], change["to"]))
        lines += ["", "**Changed since the previous audit** (hosts: %d): " % len(changed) + "; ".join(
            "%s: %s" % (_cell(h), _cell(", ".join(c))) for h, c in sorted(changed.items())[:max_hosts])]
    if view["stale"]:
        lines += ["", "**Stale results** (audited more than %s ago; hosts: %d): " % (
            _age(view["stale_after_s"]), len(view["stale"])) + "; ".join(
            "%s: %s" % (_cell(h), _cell(", ".join(ids))) for h, ids in list(view["stale"].items())[:max_hosts])]
    if view["tls_unverified"]:
        lines += ["", "**TLS not verified** (bmc_validate_certs: false): " + _cell(", ".join(view["tls_unverified"]))]
    if problems:
        lines += ["", "**Missing or unreadable results:** " + _cell("; ".join(problems))]
    return "\n".join(lines) + "\n"


def _age(seconds):
    return "%g days" % (seconds / 86400) if seconds % 86400 == 0 else "%d s" % seconds


# ---------------------------------------------------------------------------------------- HTML

def _e(value):
    return html.escape(_text(value), quote=True)


def _token(value):
    """A status/severity as a safe CSS class and data value."""
    return re.sub(r"[^a-z0-9-]", "-", _text(value).lower()) or "none"


CSS = """
:root{--pass:#2e7d32;--fail:#c62828;--error:#ef6c00;--na:#757575;--nc:#6d4c41;--bg:#fafafa;--line:#ddd}
*{box-sizing:border-box}body{font:14px/1.4 system-ui,sans-serif;margin:0;padding:1rem 2rem;background:var(--bg);color:#212121}
h1{margin:.2rem 0}h2{margin:1.5rem 0 .5rem;font-size:1.15rem}small,.muted{color:#616161}
table{border-collapse:collapse;background:#fff;margin:.3rem 0}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right}td.value{font-family:ui-monospace,monospace;font-size:12px;max-width:28rem;overflow-wrap:anywhere}
.cards{display:flex;gap:.8rem;flex-wrap:wrap}
.card{background:#fff;border:1px solid var(--line);border-left:6px solid currentColor;padding:.5rem 1rem;min-width:9rem}
.card b{display:block;font-size:1.6rem}
.s-compliant,.s-pass{color:var(--pass)}.s-noncompliant,.s-fail{color:var(--fail)}
.s-error,.s-unreachable,.s-unsupported{color:var(--error)}.s-notapplicable{color:var(--na)}.s-notchecked{color:var(--nc)}
.badge{display:inline-block;border:1px solid;border-radius:3px;padding:0 .35rem;font-size:12px;font-weight:600;background:#fff}
#filters{position:sticky;top:0;background:var(--bg);padding:.5rem 0;
border-bottom:1px solid var(--line);display:flex;gap:1.5rem;flex-wrap:wrap;align-items:center}
#filters fieldset{border:1px solid var(--line);padding:.2rem .6rem}#filters label{margin-right:.6rem;white-space:nowrap}
details.host{background:#fff;border:1px solid var(--line);margin:.4rem 0;padding:.3rem .6rem}details.host summary{cursor:pointer}
details.host table{width:100%}
"""

SCRIPT = """
(function () {
  "use strict";
  var hosts = Array.prototype.slice.call(document.querySelectorAll("details.host"));
  var search = document.getElementById("host-search");
  var stats = document.getElementById("page-stats");
  var groups = ["host-status", "status", "severity"];
  function boxes(name) {
    return Array.prototype.slice.call(document.querySelectorAll('#filters input[name="' + name + '"]'));
  }
  function checked(name) {
    var values = {};
    boxes(name).forEach(function (box) { if (box.checked) { values[box.value] = true; } });
    return values;
  }
  // A filtered view can be shared as a link: report.html#status=fail&severity=critical,high&host=rack4
  function readHash() {
    new URLSearchParams(location.hash.slice(1)).forEach(function (value, name) {
      var wanted = value.split(",");
      if (name === "host") { search.value = value; }
      if (groups.indexOf(name) !== -1) {
        boxes(name).forEach(function (box) { box.checked = wanted.indexOf(box.value) !== -1; });
      }
    });
  }
  function writeHash() {
    var params = new URLSearchParams();
    groups.forEach(function (name) {
      var all = boxes(name), on = all.filter(function (box) { return box.checked; });
      if (on.length !== all.length) { params.set(name, on.map(function (box) { return box.value; }).join(",")); }
    });
    if (search.value) { params.set("host", search.value); }
    history.replaceState(null, "", "#" + params.toString());
  }
  function apply() {
    var statuses = checked("status"), severities = checked("severity"), hostStatuses = checked("host-status");
    var text = search.value.trim().toLowerCase();
    var shownHosts = 0, shownResults = 0;
    hosts.forEach(function (host) {
      var rows = host.querySelectorAll("tbody tr"), visible = 0;
      rows.forEach(function (row) {
        var show = statuses[row.dataset.status] === true && severities[row.dataset.severity] === true;
        row.hidden = !show;
        if (show) { visible += 1; }
      });
      var show = hostStatuses[host.dataset.status] === true &&
        host.dataset.host.toLowerCase().indexOf(text) !== -1 && (visible > 0 || rows.length === 0);
      host.hidden = !show;
      if (show) { shownHosts += 1; shownResults += visible; }
    });
    document.getElementById("shown").textContent =
      shownHosts + " of " + hosts.length + " hosts, " + shownResults + " control results shown";
    stats.dataset.shownHosts = String(shownHosts);
    stats.dataset.shownResults = String(shownResults);
  }
  document.querySelectorAll("#filters input").forEach(function (input) {
    input.addEventListener("input", function () { apply(); writeHash(); });
  });
  document.getElementById("expand").addEventListener("click", function () {
    var open = !hosts.every(function (host) { return host.open; });
    hosts.forEach(function (host) { host.open = open; });
  });
  readHash();
  apply();
  // What the page itself counted, for readers who distrust the generator (and for the tests).
  stats.dataset.hosts = String(hosts.length);
  stats.dataset.results = String(document.querySelectorAll("details.host tbody tr").length);
  stats.dataset.ready = "true";
}());
"""


def _checkboxes(name, values):
    return "".join('<label><input type="checkbox" name="%s" value="%s" checked> %s</label>' % (
        name, _e(_token(v)), _e(v)) for v in values)


def _host_section(host, record, stale=()):
    identity = _identity(record)
    statuses = collections.Counter(r["status"] for r in record.get("results", []))
    status = _token(record.get("status"))
    facts_line = " · ".join(_e(v) for v in (
        record.get("address"), identity["model"], identity["board"], identity["generation"],
        identity["bmc_version"] and "BMC " + identity["bmc_version"],
        identity["bios_version"] and "BIOS " + identity["bios_version"],
        record.get("audited_at") and "audited " + record["audited_at"]) if v)
    if record.get("tls_verified") is False:
        facts_line += ' <span class="badge s-error tls-unverified">TLS not verified</span>'
    if stale:
        facts_line += ' <span class="badge s-notchecked stale">%d stale</span>' % len(stale)
    counts = " ".join('<span class="badge s-%s">%d %s</span>' % (s, statuses[s], s)
                      for s in RESULT_STATUSES if statuses[s])
    parts = ['<details class="host" data-host="%s" data-status="%s"%s>' % (
                 # Open what needs reading; an unreachable host's reason is in its summary line.
                 _e(host), status, " open" if status in ("noncompliant", "error", "unsupported") else ""),
             '<summary><span class="badge s-%s">%s</span> <b>%s</b> <small>%s</small> %s</summary>' % (
                 status, _e(record.get("status")), _e(host), facts_line, counts)]
    reason = (record.get("summary") or {}).get("reason")
    if reason:
        parts.append('<p class="s-error">%s</p>' % _e(reason))
    if record.get("drift"):
        parts.append("<p>Changed since the previous audit: %s</p>" % ", ".join(
            "%s %s &rarr; %s" % (_e(c["id"]), _e(c["from"]), _e(c["to"])) for c in record["drift"]))
    parts.append("<table><thead><tr><th>control</th><th>severity</th><th>status</th><th>expected</th>"
                 "<th>actual</th><th>reason</th></tr></thead><tbody>")
    results = sorted(record.get("results", []), key=lambda r: (
        _rank(RESULT_STATUSES, r["status"]), _rank(SEVERITIES, r.get("severity")), r["id"]))
    for result in results:
        parts.append(
            '<tr data-status="%s" data-severity="%s"><td>%s<br><small>%s</small></td><td>%s</td>'
            '<td class="s-%s">%s</td><td class="value">%s</td><td class="value">%s</td><td>%s</td></tr>' % (
                _token(result["status"]), _token(result.get("severity")), _e(result["id"]),
                _e(result.get("title")), _e(result.get("severity")), _token(result["status"]),
                _e(result["status"]), _e(result.get("expected")), _e(result.get("actual")),
                _e(result.get("reason")) + (' <small class="stale">stale: audited %s</small>' % _e(result.get("audited_at"))
                                            if result["id"] in stale else "")))
    parts.append("</tbody></table></details>")
    return "\n".join(parts)


def render_html(records, problems=(), title="BMC compliance report", stale_after=STALE_AFTER, now=None):
    """One self-contained page (inline CSS and JS, no external assets): overview, filters, hosts."""
    records, problems = normalize(records, problems)
    view = overview(records, stale_after, now)
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           # No network at all: the report is opened from disks, mail attachments and artefact stores.
           "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
           "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
           "<title>%s</title><style>%s</style></head><body>" % (_e(title), CSS),
           "<header><h1>%s</h1><p class=\"muted\">%d hosts, %d control results%s</p></header>" % (
               _e(title), view["hosts"], view["results"],
               ", audited %s to %s" % (_e(view["audited_from"]), _e(view["audited_to"]))
               if view["audited_from"] else "")]

    out.append('<section id="overview"><h2>Hosts by status</h2><div class="cards">')
    for status, count in view["host_status"].items():
        out.append('<div class="card s-%s" data-host-status="%s"><b>%d</b>%s</div>' % (status, status, count, status))
    out.append('</div><h2>Control results</h2><div class="cards">')
    for status, count in view["result_status"].items():
        out.append('<div class="card s-%s" data-result-status="%s"><b>%d</b>%s</div>' % (status, status, count, status))
    out.append("</div>")
    if problems:
        out.append('<h2>Missing or unreadable results</h2><ul class="s-error">%s</ul>' % "".join(
            "<li>%s</li>" % _e(p) for p in problems))

    out.append('<h2>Controls failing on the most hosts</h2>')
    if view["worst_controls"]:
        out.append('<table id="worst-controls"><thead><tr><th>control</th><th>severity</th><th>failing</th>'
                   '<th>error</th><th>hosts</th></tr></thead><tbody>')
        for control in view["worst_controls"]:
            shown = control["failing_hosts"][:10]
            more = len(control["failing_hosts"]) - len(shown)
            out.append('<tr><td>%s<br><small>%s</small></td><td>%s</td><td class="num">%d/%d</td>'
                       '<td class="num">%d</td><td>%s%s</td></tr>' % (
                           _e(control["id"]), _e(control["title"]), _e(control["severity"]), control["fail"],
                           view["hosts"], control["error"], _e(", ".join(shown)),
                           " and %d more" % more if more > 0 else ""))
        out.append("</tbody></table>")
    else:
        out.append("<p>No control fails on any host.</p>")

    out.append("<h2>Firmware by board</h2>")
    if view["firmware"]:
        out.append('<table id="firmware"><thead><tr><th>board</th><th>generation</th><th>models</th>'
                   '<th>BMC firmware (hosts)</th><th>BIOS (hosts)</th></tr></thead><tbody>')
        for board in view["firmware"]:
            out.append("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>" % (
                _e(board["board"]), _e(board["generation"]), _e(", ".join(board["models"])),
                "<br>".join("%s (%d)" % (_e(v), n) for v, n in board["bmc_versions"].items()),
                "<br>".join("%s (%d)" % (_e(v), n) for v, n in board["bios_versions"].items())))
        out.append("</tbody></table>")
    else:
        out.append("<p>No firmware facts (no BMC could be read).</p>")

    out.append("<h2>Changes since the previous audit</h2>")
    if view["drift"]:
        changes = collections.defaultdict(list)
        for change in view["drift"]:
            changes[change["host"]].append('%s <span class="s-%s">%s</span> &rarr; <span class="s-%s">%s</span>' % (
                _e(change["id"]), _token(change["from"]), _e(change["from"]), _token(change["to"]), _e(change["to"])))
        out.append('<table id="drift"><thead><tr><th>host</th><th>controls that changed status</th></tr></thead><tbody>')
        out.extend("<tr><td>%s</td><td>%s</td></tr>" % (_e(host), ", ".join(c)) for host, c in changes.items())
        out.append("</tbody></table>")
    else:
        out.append("<p>No control changed status since the previous audit of its host.</p>")
    if view["stale"]:
        out.append('<h2>Stale results</h2><p id="stale">Audited more than %s ago (a partial run left them): %s</p>' % (
            _age(view["stale_after_s"]), "; ".join("%s: %s" % (_e(h), _e(", ".join(ids))) for h, ids in view["stale"].items())))
    if view["tls_unverified"]:
        out.append('<h2>TLS not verified</h2><p id="tls-unverified" class="s-error">bmc_validate_certs: false for %s: '
                   "these results came over a connection whose certificate was not checked.</p>" % _e(", ".join(view["tls_unverified"])))
    out.append("</section>")

    severities = sorted({_token(r.get("severity")) for rec in records.values() for r in rec.get("results", [])},
                        key=lambda s: (_rank(SEVERITIES, s), s))
    out.append('<section id="filters"><fieldset><legend>host status</legend>%s</fieldset>'
               '<fieldset><legend>control status</legend>%s</fieldset>'
               '<fieldset><legend>severity</legend>%s</fieldset>'
               '<label>host <input type="search" id="host-search" placeholder="name contains"></label>'
               '<button type="button" id="expand">expand/collapse all</button>'
               '<output id="shown"></output></section>' % (
                   _checkboxes("host-status", HOST_STATUSES), _checkboxes("status", RESULT_STATUSES),
                   _checkboxes("severity", severities)))
    out.append('<section id="hosts"><h2>Hosts</h2>')
    out.extend(_host_section(host, records[host], view["stale"].get(host, ())) for host in host_order(records))
    out.append("</section>")
    out.append('<div id="page-stats" hidden data-expected-hosts="%d" data-expected-results="%d"></div>' % (
        view["hosts"], view["results"]))
    out.append("<script>%s</script></body></html>" % SCRIPT)
    return "\n".join(out) + "\n"


RENDERERS = {"html": render_html, "junit": render_junit, "json": render_json, "markdown": render_markdown}


def render(records, formats, problems=(), stale_after=STALE_AFTER, now=None):
    """{format: text} for the requested formats."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return {fmt: RENDERERS[fmt](records, problems, stale_after=stale_after, now=now) for fmt in formats}
