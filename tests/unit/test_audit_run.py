"""Run options of the audit: numeric bounds and the lockout window after a refused login."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.bmclock.supermicro.plugins.module_utils import audit_run, selection

NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.timezone.utc)


@pytest.mark.parametrize("values, problem", [
    ({"retries": -1}, "bmc_retries: -1 is out of range (>= 0)"),
    ({"timeout": 0}, "bmc_timeout: 0 is out of range (>= 1)"),
    ({"port": 70000}, "bmc_port: 70000 is out of range (1..65535)"),
    ({"host_timeout": "soon"}, "bmc_host_timeout: expected an integer, got 'soon'"),
    ({"concurrency": True}, "bmc_concurrency: expected an integer, got True"),
])
def test_numbers_out_of_bounds_name_their_variable(values, problem):
    assert audit_run.numeric_problems(values) == [problem]


def test_numbers_in_bounds_pass():
    assert audit_run.numeric_problems({"retries": 0, "timeout": 1, "port": 443, "host_timeout": 300}) == []


def previous(lockout):
    return {"facts": {"account_policy": {"lockout_duration": lockout}}}


def test_the_window_is_the_bmcs_lockout_duration_when_known():
    window = audit_run.login_refusal(previous(900), NOW, None, 1800)
    assert window == {"at": "2026-11-30T12:00:00+00:00", "until": "2026-11-30T12:15:00+00:00", "wait_s": 900,
                      "wait_from": "the BMC's AccountLockoutDuration"}


@pytest.mark.parametrize("stored", [None, previous(None), previous("900"), previous(0), previous(True)])
def test_the_window_falls_back_to_the_documented_default(stored):
    window = audit_run.login_refusal(stored, NOW, None, 1800)
    assert (window["wait_s"], window["wait_from"]) == (1800, "bmc_refused_login_wait")


def test_a_second_refusal_keeps_the_lockout_duration_the_first_one_knew():
    first = audit_run.login_refusal(previous(900), NOW, None, 1800)
    later = NOW + datetime.timedelta(hours=1)
    assert audit_run.login_refusal({"facts": {}, "login_refused": first}, later, None, 1800)["wait_s"] == 900


def test_a_longer_retry_after_wins_but_is_capped_at_a_day():
    assert audit_run.login_refusal(previous(60), NOW, 600, 1800)["wait_s"] == 600
    assert audit_run.login_refusal(previous(60), NOW, 10 ** 7, 1800)["wait_s"] == 86400
    assert audit_run.login_refusal(previous(900), NOW, 30, 1800)["wait_s"] == 900


def test_a_refusal_is_in_force_until_its_window_ends():
    window = audit_run.login_refusal(previous(900), NOW, None, 1800)
    record = {"login_refused": window}
    assert audit_run.refusal_in_force(record, NOW + datetime.timedelta(seconds=899)) == window
    assert audit_run.refusal_in_force(record, NOW + datetime.timedelta(seconds=900)) is None
    assert audit_run.refusal_in_force({"login_refused": {"until": "garbage"}}, NOW) is None
    assert audit_run.refusal_in_force(None, NOW) is None


CATALOG = [{"id": "svc-ssh-off"}, {"id": "svc-http-off"}, {"id": "net-egress"}, {"id": "fw-allowlist"}]


def test_selection_by_tags_and_controls_both_apply():
    ids = lambda controls: [c["id"] for c in controls]  # noqa: E731
    assert ids(selection.select(CATALOG, ["svc"], [], None)) == ["svc-ssh-off", "svc-http-off"]
    assert ids(selection.select(CATALOG, ["svc"], [], ["svc-http-off", "net"])) == ["svc-http-off"]
    assert ids(selection.select(CATALOG, ["all"], ["svc-ssh-off"], ["svc"])) == ["svc-http-off"]
    assert ids(selection.select(CATALOG, None, None, None)) == ids(CATALOG)


def test_unknown_names_are_reported_sorted():
    assert selection.unknown(["nett", "svc", "report", "audit", "fw-alowlist"], CATALOG) == ["fw-alowlist", "nett"]
    assert selection.unknown(["report"], CATALOG, play_tags=()) == ["report"]


def test_a_run_without_probe_data_keeps_the_recorded_probe_findings():
    from ansible_collections.bmclock.supermicro.plugins.module_utils import selection
    probed = {"id": "exposure-services", "applicability": {"requires": {"query": "exposure.probes", "reason": "no probe"}}}
    plain = {"id": "svc-ssh-off"}
    assert selection.keep_recorded_evidence([probed, plain], [{"id": "exposure-services", "status": "fail"}]) == [plain]
    assert selection.keep_recorded_evidence([probed, plain], [{"id": "exposure-services", "status": "notchecked"}]) == [probed, plain]
    assert selection.keep_recorded_evidence([probed, plain], None) == [probed, plain]
