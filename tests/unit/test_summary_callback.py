"""The terminal summary (callback bmc_summary): BMC strings cannot forge lines or send escapes."""

from __future__ import annotations

from ansible_collections.bmclock.supermicro.plugins.callback.bmc_summary import summary_lines

FORGED = "timed out\r\nbmc-999       compliant      25    0     0    0    0  -\x1b[2K\x1b]0;pwned\x07\u2028x"


def record(status, reason=None, **extra):
    return dict({"host": "h", "status": status, "results": [{"id": "svc-ssh-off", "status": "error", "severity": "high"}],
                 "summary": {"status": status, "reason": reason}}, **extra)


def test_control_characters_from_a_bmc_never_reach_the_terminal():
    lines = summary_lines({"bmc-001": record("error", FORGED), "bmc-002\x1b[31m": record("unreachable", "\x00x\n")})
    text = "\n".join(lines)
    assert not any(line.startswith("bmc-999") for line in lines)
    assert all(ord(ch) >= 32 for line in lines for ch in line)
    assert "timed out bmc-999 compliant 25 0 0 0 0 -" in text  # the content stays readable on one line


def test_refused_logins_and_unverified_tls_are_said():
    audits = {"bmc-001": record("error", "login refused", login_refused={"until": "2026-12-01T10:00:00+00:00"},
                                redfish_requests=0),
              "bmc-002": record("error", "login refused", login_refused={"until": "x"}, redfish_requests=1),
              "bmc-003": record("compliant", tls_verified=False)}
    text = "\n".join(summary_lines(audits))
    assert "not contacted, login refused earlier" in text and "bmc-001 (until 2026-12-01T10:00:00+00:00)" in text
    assert "login refused (not retried within the lockout window): bmc-002" in text
    assert "TLS not verified (bmc_validate_certs: false): bmc-003" in text


def test_an_odd_record_does_not_break_the_summary():
    lines = summary_lines({"bmc-001": record(7, ["x"]), "bmc-002": "not a record"})
    assert any(line.startswith("bmc-001 ") and " error " in line for line in lines)
    assert any(line.startswith("bmc-002 ") and "cannot be read" in line for line in lines)
