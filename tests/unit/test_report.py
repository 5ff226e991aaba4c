"""Fleet reports: every format parsed with a real parser and counted against the stored results."""

from __future__ import annotations

import collections
import datetime
import html.parser
import json
import xml.etree.ElementTree as ET

import pytest


from ansible_collections.bmclock.supermicro.plugins.module_utils import compliance, report, results

HOSTILE = '<script>alert("bmc")</script> | `x` & \x00\x1b[31m'
CONTROLS = [("fw-bmc-min-version", "high"), ("acct-allowlist", "critical"), ("svc-ssh-off", "medium"),
            ("time-ntp", "low"), ("host-syslockdown", "medium")]


def result(control, status, severity="medium", actual="x"):
    return {"id": control, "title": "Title of " + control, "severity": severity, "status": status,
            "expected": ["a", "b"] if control.startswith("acct") else "on", "actual": actual,
            "reason": "" if status == "pass" else "%s is %s" % (control, status)}


def record(host, statuses, board="X13SEI-F", bmc_version="01.04.10", **extra):
    """A record like bmc_audit's, one result per control in CONTROLS, with the given statuses."""
    results_list = [result(cid, status, severity) for (cid, severity), status in zip(CONTROLS, statuses)]
    worst = {r["status"] for r in results_list}
    status = "noncompliant" if "fail" in worst else "error" if "error" in worst else "compliant"
    return dict({
        "host": host, "address": "127.0.10.%d" % (len(host) % 200), "port": 443,
        "audited_at": "2026-11-25T08:00:%02dZ" % (len(host) % 60), "duration_s": 1.5, "redfish_requests": 30,
        "status": status, "summary": {"status": status}, "results": results_list,
        "facts": {"identity": {"board": board, "model": "SYS-" + board, "generation": board[:3],
                               "bmc_version": bmc_version, "bios_version": "1.4"}},
    }, **extra)


@pytest.fixture
def fleet(tmp_path):
    """A results directory like an audit leaves it, with every host status, drift and hostile data."""
    directory = str(tmp_path / "results")
    results.write_record(directory, record("bmc-001", ["pass"] * 5))
    results.write_record(directory, record("bmc-002", ["pass", "pass", "pass", "notapplicable", "notchecked"],
                                           board="X11SPM-F", bmc_version="01.73.12"))
    results.write_record(directory, record("bmc-003", ["pass"] * 5))
    results.write_record(directory, record("bmc-003", ["fail", "pass", "fail", "pass", "pass"]))  # drift
    results.write_record(directory, record("bmc-004", ["pass", "error", "pass", "pass", "pass"]))
    unreachable = record("bmc-005", ["error"] * 5, status="unreachable",
                         summary={"status": "unreachable", "reason": "connection refused"}, facts={})
    results.write_record(directory, unreachable)
    hostile = record("bmc-006", ["fail", "fail", "pass", "pass", "pass"], board=HOSTILE, bmc_version=HOSTILE)
    hostile["results"][0]["actual"] = HOSTILE
    results.write_record(directory, hostile)
    records, problems = results.load_records(directory)
    assert not problems
    return records


def counts(records):
    return collections.Counter(r["status"] for rec in records.values() for r in rec["results"])


def test_report_vocabulary_is_the_compliance_engines():
    assert sorted(report.RESULT_STATUSES) == sorted(compliance.STATUSES)
    assert sorted(report.SEVERITIES) == sorted(compliance.SEVERITIES)


def test_overview_counts_match_the_stored_results(fleet):
    view = report.overview(fleet)
    assert view["hosts"] == 6
    assert view["host_status"] == {"unreachable": 1, "error": 1, "unsupported": 0, "noncompliant": 2, "compliant": 2}
    assert view["results"] == 30
    assert view["result_status"] == {s: counts(fleet)[s] for s in report.RESULT_STATUSES}
    assert [c["id"] for c in view["worst_controls"]][:2] == ["fw-bmc-min-version", "acct-allowlist"]
    assert view["worst_controls"][0]["failing_hosts"] == ["bmc-003", "bmc-006"]
    assert view["drift"] == [
        {"host": "bmc-003", "id": "fw-bmc-min-version", "from": "pass", "to": "fail"},
        {"host": "bmc-003", "id": "svc-ssh-off", "from": "pass", "to": "fail"}]
    boards = {b["board"]: b for b in view["firmware"]}
    assert boards["X13SEI-F"]["bmc_versions"] == {"01.04.10": 3}
    assert boards["X11SPM-F"]["bmc_versions"] == {"01.73.12": 1}
    assert "unknown board" not in boards  # the unreachable host has no facts and no board line


def test_json_holds_every_stored_record(fleet):
    document = json.loads(report.render_json(fleet))
    assert {h["host"]: h for h in document["hosts"]} == fleet
    assert [h["host"] for h in document["hosts"]][:2] == ["bmc-005", "bmc-004"]  # worst first
    assert document["overview"]["result_status"]["fail"] == counts(fleet)["fail"]


def test_junit_has_one_testcase_per_host_and_control(fleet):
    root = ET.fromstring(report.render_junit(fleet).encode())
    expected = counts(fleet)
    assert root.tag == "testsuites"
    assert len(root.findall("testsuite")) == len(fleet)
    unproven = sum(r["status"] in report.UNPROVEN for r in fleet.values())  # one `audit` testcase each
    assert unproven == 2
    assert len(root.findall("testsuite/testcase")) == int(root.get("tests")) == 30 + unproven
    assert len(root.findall("testsuite/testcase/failure")) == int(root.get("failures")) == expected["fail"]
    assert len(root.findall("testsuite/testcase/error")) == int(root.get("errors")) == expected["error"] + unproven
    assert len(root.findall("testsuite/testcase/skipped")) == int(root.get("skipped")) == (
        expected["notapplicable"] + expected["notchecked"])
    for suite in root.findall("testsuite"):
        stored = fleet[suite.get("name")]["results"]
        assert int(suite.get("tests")) == len(stored) + (fleet[suite.get("name")]["status"] in report.UNPROVEN)
        assert int(suite.get("failures")) == sum(r["status"] == "fail" for r in stored)
    failure = root.find("testsuite[@name='bmc-006']/testcase/failure")
    assert HOSTILE.replace("\x00", "\ufffd").replace("\x1b", "\ufffd") in failure.text


def test_junit_reports_a_host_without_results_as_an_error():
    records = {"bmc-009": {"host": "bmc-009", "status": "unreachable", "results": [],
                           "summary": {"reason": "timed out"}}}
    root = ET.fromstring(report.render_junit(records).encode())
    assert root.find("testsuite/testcase/error").get("message") == "unreachable: timed out"


class PageParser(html.parser.HTMLParser):
    """Collects what a reader sees: host sections, control rows, scripts and external references."""

    def __init__(self):
        super().__init__()
        self.hosts, self.rows, self.scripts, self.external = {}, [], 0, []
        self.host = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "details" and "host" in (attrs.get("class") or ""):
            self.host = attrs["data-host"]
            self.hosts[self.host] = attrs["data-status"]
        elif tag == "tr" and "data-status" in attrs and self.host:
            self.rows.append((self.host, attrs["data-status"], attrs["data-severity"]))
        elif tag == "script":
            self.scripts += 1
        for name in ("src", "href"):
            if name in attrs:
                self.external.append(attrs[name])

    def handle_endtag(self, tag):
        if tag == "details":
            self.host = None


def test_html_shows_every_host_and_control_result(fleet):
    page = report.render_html(fleet)
    parser = PageParser()
    parser.feed(page)
    assert parser.hosts == {h: r["status"] for h, r in fleet.items()}
    assert len(parser.rows) == 30
    assert collections.Counter(status for _, status, _ in parser.rows) == counts(fleet)
    assert {severity for _, _, severity in parser.rows} == {"critical", "high", "medium", "low"}
    assert 'data-expected-hosts="6" data-expected-results="30"' in page


def test_html_is_self_contained_and_escapes_bmc_data(fleet):
    page = report.render_html(fleet)
    parser = PageParser()
    parser.feed(page)
    assert parser.scripts == 1  # only the report's own inline script
    assert parser.external == []
    assert "url(" not in page and "@import" not in page
    assert '<script>alert("bmc")</script>' not in page
    assert "&lt;script&gt;alert(&quot;bmc&quot;)&lt;/script&gt;" in page


def test_markdown_summary_lists_hosts_needing_attention(fleet):
    text = report.render_markdown(fleet)
    assert text.startswith("## BMC compliance: 6 hosts, 1 unreachable, 1 error, 2 noncompliant, 2 compliant")
    table = [line for line in text.splitlines() if line.startswith("| bmc-")]
    assert [line.split(" | ")[0] for line in table] == ["| bmc-005", "| bmc-004", "| bmc-003", "| bmc-006"]
    assert "connection refused" in text
    assert "bmc-003: fw-bmc-min-version pass → fail, svc-ssh-off pass → fail" in text


def test_markdown_cells_cannot_break_the_table():
    hostile = record("bmc-007", ["fail"] * 5)
    hostile["summary"]["reason"] = HOSTILE
    hostile["results"] = []
    hostile["status"] = "error"
    text = report.render_markdown({"bmc-007": hostile})
    row = next(line for line in text.splitlines() if line.startswith("| bmc-007"))
    assert row.replace("\\|", "").count("|") == 6
    assert "\\<script>" in text and "\x1b" not in text and "\x00" not in text


def test_problems_are_shown_not_hidden(fleet):
    problems = ["reports/bmc-099.json: not a valid result file"]
    assert "bmc-099.json" in report.render_html(fleet, problems)
    assert "bmc-099.json" in report.render_markdown(fleet, problems)
    assert json.loads(report.render_json(fleet, problems))["problems"] == problems
    assert "bmc-099.json" in ET.fromstring(report.render_junit(fleet, problems).encode()).find("system-err").text


def test_reports_are_deterministic_for_the_same_results(fleet):
    assert report.render(fleet, report.FORMATS) == report.render(dict(reversed(list(fleet.items()))), report.FORMATS)


def test_a_large_fleet_renders_completely(tmp_path):
    directory = str(tmp_path)
    statuses = ["pass", "fail", "error", "notapplicable", "notchecked"]
    for i in range(500):
        results.write_record(directory, record("bmc-%03d" % i, [statuses[(i + k) % 5] for k in range(5)]))
    records, _ = results.load_records(directory)
    root = ET.fromstring(report.render_junit(records).encode())
    assert int(root.get("tests")) == 2500
    parser = PageParser()
    parser.feed(report.render_html(records))
    assert len(parser.hosts) == 500 and len(parser.rows) == 2500


NOW = datetime.datetime(2026, 12, 1, tzinfo=datetime.timezone.utc)


def every_format(records, **kwargs):
    texts = report.render(records, report.FORMATS, now=NOW, **kwargs)
    return texts, json.loads(texts["json"]), ET.fromstring(texts["junit"].encode())


@pytest.mark.parametrize("status", ["error", "unsupported", "unreachable"])
def test_a_host_whose_audit_proves_nothing_is_a_junit_error_never_a_pass_or_skip(status):
    """25 of 25 notapplicable, or an audit task that failed with older passes kept: not green in CI."""
    rec = record("bmc-001", ["notapplicable"] * 5, status=status, summary={"status": status, "reason": "nothing read"})
    root = ET.fromstring(report.render_junit({"bmc-001": rec}).encode())
    assert int(root.get("errors")) == 1 and int(root.get("failures")) == 0
    assert root.find("testsuite/testcase/error").get("message") == "%s: nothing read" % status
    texts, document, _ = every_format({"bmc-001": rec})
    assert document["overview"]["host_status"][status] == 1
    assert "| bmc-001 | %s |" % status in texts["markdown"] and "nothing read" in texts["markdown"]
    assert 'data-status="%s"' % status in texts["html"]


def test_any_json_value_renders_and_an_unreadable_host_is_named():
    good = record("bmc-001", ["pass"] * 5, bmc_version=11.01)   # a number where a version string is expected
    odd = record("bmc-002", ["fail"] * 5)
    odd["facts"]["identity"]["board"] = ["X13", 7]
    odd["results"][1] = {"id": 42, "status": 3, "severity": None, "title": {"x": 1}}
    odd["drift"] = "yes"
    records = {"bmc-001": good, "bmc-002": odd, "bmc-003": ["not", "a", "record"],
               "bmc-004": record("bmc-004", ["pass"] * 5, bmc_version="01.04.10")}
    texts, document, root = every_format(records)
    assert [h["host"] for h in document["hosts"]][0] == "bmc-003"   # an error host, worst first
    assert any("bmc-003" in p for p in document["problems"])
    assert document["overview"]["host_status"]["error"] == 1
    assert {b["board"] for b in document["overview"]["firmware"]} >= {"X13SEI-F"}
    assert "11.01" in texts["html"] and "bmc-003" in texts["markdown"]
    assert len(root.findall("testsuite")) == 4
    assert "unreadable result status 3" in texts["html"]


def test_stale_results_are_flagged_in_every_format():
    fresh, old = "2026-11-30T12:00:00+00:00", "2026-11-01T12:00:00+00:00"
    rec = record("bmc-001", ["pass"] * 5)
    for i, res in enumerate(rec["results"]):
        res["audited_at"] = old if i < 2 else fresh
    texts, document, root = every_format({"bmc-001": rec}, stale_after=7 * 86400)
    stale = ["fw-bmc-min-version", "acct-allowlist"]
    assert document["overview"]["stale"] == {"bmc-001": stale}
    assert root.find("testsuite/properties/property[@name='stale_controls']").get("value") == ",".join(stale)
    assert [c.find("system-out").text for c in root.findall("testsuite/testcase") if c.find("system-out") is not None] == [
        "stale: audited at " + old] * 2
    assert "Stale results" in texts["markdown"] and "acct-allowlist" in texts["markdown"].split("Stale results")[1]
    assert texts["html"].count('class="stale"') == 2 and 'id="stale"' in texts["html"]
    _, document, _ = every_format({"bmc-001": rec}, stale_after=60 * 86400)
    assert document["overview"]["stale"] == {}


def test_unverified_tls_is_shown_in_every_format():
    records = {"bmc-001": record("bmc-001", ["pass"] * 5, tls_verified=False),
               "bmc-002": record("bmc-002", ["pass"] * 5, tls_verified=True)}
    texts, document, root = every_format(records)
    assert document["overview"]["tls_unverified"] == ["bmc-001"]
    assert document["hosts"][0]["tls_verified"] is False
    assert root.find("testsuite[@name='bmc-001']/properties/property[@name='tls_verified']").get("value") == "false"
    assert "TLS not verified" in texts["markdown"] and "bmc-002" not in texts["markdown"].split("TLS not verified")[1]
    assert texts["html"].count("tls-unverified") == 2  # the badge on bmc-001 and the overview paragraph
