"""The HTML report in a real headless Chromium: loads offline without console messages, its own
JavaScript counts the hosts and control results we stored, the filters work, and a screenshot is
kept in artifacts/browser/.

Chromium comes from Debian's packages. When it is missing and we are root with apt-get (CI, a
fresh developer machine), the test installs it once (`apt-get install chromium`, about a minute);
otherwise it is skipped with that hint, except in CI (CI set), where a browser that cannot be had
is a failure: the proof must not silently vanish.
"""

from __future__ import annotations

import collections
import functools
import html.parser
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

from ansible_collections.bmclock.supermicro.plugins.module_utils import report, results

ARTIFACTS = ROOT / "artifacts" / "browser"
# A BMC may hold anything in its strings; if the report ever let this through, it would run.
INJECTED = '<img src=x onerror="document.body.dataset.injected=1">'
CONTROLS = [("fw-bmc-min-version", "high"), ("acct-allowlist", "critical"), ("acct-password-policy", "high"),
            ("svc-ipmi-lan-off", "high"), ("svc-ssh-off", "medium"), ("net-ip-acl", "high"),
            ("tls-cert-not-default", "medium"), ("time-ntp", "low")]
STATUS_CYCLE = ["pass", "pass", "fail", "pass", "notapplicable", "pass", "error", "pass", "notchecked", "pass", "fail"]


def _find_chromium():
    for name in (os.environ.get("BMC_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def _install_chromium():
    """Debian's chromium, when this user may install packages; the reason it was not, otherwise."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return "Chromium is not installed: apt-get install chromium (Debian), or set BMC_CHROMIUM"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
        if done.returncode != 0:
            return "installing chromium failed: %s" % (done.stdout + done.stderr)[-1000:]
    return None


@functools.lru_cache(maxsize=None)
def chromium_or_reason():
    found = _find_chromium()
    if found:
        return found, None
    reason = _install_chromium()
    return _find_chromium(), reason


def chromium():
    found, reason = chromium_or_reason()
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def run_chromium(url, *extra):
    """Load `url` headless and offline; the DOM after the page's scripts ran, and the browser log."""
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + profile, "--enable-logging=stderr", "--v=0", *extra, "--dump-dom", url],
            capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, proc.stderr


def console_messages(log):
    """Console output of the page (errors, uncaught exceptions, CSP violations) from Chromium's log."""
    return [line for line in log.splitlines() if ":CONSOLE" in line]


class Stats(html.parser.HTMLParser):
    """The attributes of #page-stats and of <body> in the dumped DOM."""

    def __init__(self, dom):
        super().__init__()
        self.page, self.body = {}, {}
        self.feed(dom)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id") == "page-stats":
            self.page = attrs
        if tag == "body":
            self.body = attrs


@pytest.fixture(scope="module")
def stored_fleet(tmp_path_factory):
    """24 hosts written as the audit writes them (two runs, so there is drift), plus one unreachable."""
    directory = str(tmp_path_factory.mktemp("results"))
    boards = [("X13SEI-F", "X13", "01.04.10"), ("X12STH-F", "X12", "01.03.07"), ("X11SPM-F", "X11", "01.73.12")]
    for run in range(2):
        for i in range(24):
            board, generation, version = boards[i % 3]
            statuses = [STATUS_CYCLE[(i * 3 + k + run * (i % 4 == 0)) % len(STATUS_CYCLE)] for k in range(len(CONTROLS))]
            rows = [{"id": cid, "title": cid.replace("-", " "), "severity": sev, "status": st,
                     "expected": "approved", "actual": INJECTED if st == "fail" else "approved",
                     "reason": "" if st == "pass" else "observed value differs"}
                    for (cid, sev), st in zip(CONTROLS, statuses)]
            status = "noncompliant" if "fail" in statuses else "error" if "error" in statuses else "compliant"
            results.write_record(directory, {
                "host": "bmc-%03d" % (i + 1), "address": "127.0.10.%d" % (i + 1), "port": 443,
                "audited_at": "2026-11-2%dT02:00:00+00:00" % (4 + run), "duration_s": 1.2,
                "redfish_requests": 31, "status": status, "summary": {"status": status}, "results": rows,
                "facts": {"identity": {"board": board, "model": "SYS-" + board, "generation": generation,
                                       "bmc_version": version, "bios_version": "1.4"}}})
    results.write_record(directory, {
        "host": "bmc-025", "address": "127.0.10.25", "port": 443, "audited_at": "2026-11-25T02:00:00+00:00",
        "status": "unreachable", "summary": {"status": "unreachable", "reason": "connection timed out"},
        "results": [{"id": cid, "title": cid, "severity": sev, "status": "error", "reason": "connection timed out"}
                    for cid, sev in CONTROLS], "facts": {}})
    records, problems = results.load_records(directory)
    assert not problems
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = ARTIFACTS / "report.html"
    page.write_text(report.render_html(records), encoding="utf-8")
    return records, page


def test_page_loads_offline_without_console_messages_and_counts_what_was_stored(stored_fleet):
    records, page = stored_fleet
    dom, log = run_chromium(page.as_uri(), "--hide-scrollbars", "--window-size=1280,1400",
                            "--screenshot=%s" % (ARTIFACTS / "report.png"))
    assert console_messages(log) == []  # no JS error, no blocked external request (CSP)
    stats = Stats(dom)
    assert stats.page.get("data-ready") == "true", "the report's script did not finish"
    assert int(stats.page["data-hosts"]) == len(records) == 25
    stored_results = sum(len(r["results"]) for r in records.values())
    assert int(stats.page["data-results"]) == stored_results == 25 * len(CONTROLS)
    assert int(stats.page["data-shown-results"]) == stored_results  # no filter: everything shown
    assert "data-injected" not in stats.body
    assert (ARTIFACTS / "report.png").stat().st_size > 10000


def test_filters_from_the_link_show_only_the_matching_results(stored_fleet):
    records, page = stored_fleet
    dom, log = run_chromium(page.as_uri() + "#status=fail&severity=high,critical")
    assert console_messages(log) == []
    wanted = collections.Counter(
        host for host, record in records.items() for r in record["results"]
        if r["status"] == "fail" and r["severity"] in ("high", "critical"))
    stats = Stats(dom)
    assert int(stats.page["data-shown-results"]) == sum(wanted.values()) > 0
    assert int(stats.page["data-shown-hosts"]) == len(wanted)


def test_the_console_check_does_catch_errors(tmp_path):
    """Guards the test above: a broken page must produce the log lines it looks for."""
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><body><script>undefinedFunction();</script></body></html>")
    _, log = run_chromium(broken.as_uri())
    assert any("Uncaught ReferenceError" in line for line in console_messages(log))
