"""RedfishClient against the real simulator over HTTPS: TLS, sessions, retries, timeouts, ETags, tasks."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

from ansible_collections.bmclock.supermicro.plugins.module_utils import gather
from ansible_collections.bmclock.supermicro.plugins.module_utils.redfish import (CertificateUntrusted, HostTimeout, LoginRefused,
                                                                          RedfishClient, RedfishError, ResponseTooLarge)
from bmcsim.firmware import make_image
from bmcsim.testing import SimFleet
from playbook_support import fresh

SESSION_SERVICE = "/redfish/v1/SessionService"
SYSLOCKDOWN = "/redfish/v1/Managers/1/Oem/Supermicro/SysLockdown"


@pytest.fixture(scope="module")
def fleet():
    with SimFleet(count=3, profile="mixed", base_address="127.0.40.1", seed=3) as running:
        yield running


@pytest.fixture
def bmc(fleet):
    """A hardened X13, reset before the test; its knobs and request log cleared."""
    return fresh(fleet, "x13")


def client(fleet, bmc, **options):
    options.setdefault("ca_path", fleet.ca_path)
    username, password = options.pop("credentials", fleet.credentials)
    return RedfishClient(bmc["address"], port=bmc["port"], username=username, password=password, **options)


def log(fleet, bmc):
    return [tuple(entry) for entry in fleet.admin.requests(bmc["name"])["log"]]


def test_certificates_are_checked_by_default(fleet, bmc):
    with pytest.raises(RedfishError, match="TLS certificate not trusted"):
        with client(fleet, bmc, ca_path=None):
            pass
    with client(fleet, bmc) as rf:
        assert rf.get("/redfish/v1")["Id"] == "ServiceRoot"
    with client(fleet, bmc, ca_path=None, validate_certs=False) as rf:
        assert rf.get("/redfish/v1")["Id"] == "ServiceRoot"


def test_one_kept_alive_connection_serves_request_after_request(fleet, bmc):
    # Python 3.11's HTTPResponse.read1() left a response read to its Content-Length open; the next
    # request on the kept-alive connection then failed (ResponseNotReady 'Request-sent') and was
    # sent again on a new connection, or failed after the retries (seen: X11 net-egress error).
    with client(fleet, bmc, concurrency=1, retries=0) as rf:
        for _ in range(3):
            rf.get(SESSION_SERVICE)
        assert rf.requests == 4    # the login and three GETs, nothing sent again
        assert rf._idle.qsize() == 1


def test_one_session_logged_out_and_counted(fleet, bmc):
    with client(fleet, bmc) as rf:
        assert len(fleet.admin.sessions(bmc["name"])) == 1
        rf.get(SESSION_SERVICE)
    assert fleet.admin.sessions(bmc["name"]) == []
    methods = [(m, p.rsplit("/", 1)[0] if m == "DELETE" else p) for m, p, _ in log(fleet, bmc)]
    assert methods == [("POST", "/redfish/v1/SessionService/Sessions"), ("GET", SESSION_SERVICE),
                       ("DELETE", "/redfish/v1/SessionService/Sessions")]
    assert rf.requests == 3


def test_wrong_password_is_one_attempt_and_no_lockout(fleet, bmc):
    secret = "Wrong!Password-42"
    rf = client(fleet, bmc, credentials=(fleet.username, secret))
    with pytest.raises(RedfishError) as failure:
        with rf:
            pass
    assert failure.value.status == 401 and secret not in str(failure.value) and secret not in repr(rf)
    assert log(fleet, bmc) == [("POST", "/redfish/v1/SessionService/Sessions", 401)] and rf.requests == 1
    account = next(a for a in fleet.admin.accounts(bmc["name"]) if a["username"] == fleet.username)
    assert account["locked"] is False
    with client(fleet, bmc) as rf:      # the right password still works: no lockout
        assert rf.get(SESSION_SERVICE)["SessionTimeout"] == 300


def test_basic_auth_checks_credentials_once(fleet, bmc):
    with client(fleet, bmc, auth="basic") as rf:
        assert rf.get_many(["/redfish/v1/Systems/1", "/redfish/v1/Chassis/1"])["/redfish/v1/Chassis/1"]["Id"] == "1"
    assert fleet.admin.sessions(bmc["name"]) == [] and rf.requests == 3
    fleet.admin.reset_requests(bmc["name"])
    rf = client(fleet, bmc, auth="basic", credentials=(fleet.username, "Wrong!Password-42"))
    with pytest.raises(RedfishError, match="HTTP 401"):
        with rf:
            pass
    # Nothing more is sent once the BMC refused the credentials, even by get_many.
    answers = rf.get_many(["/redfish/v1/Systems/1", "/redfish/v1/Chassis/1"])
    assert all(isinstance(a, RedfishError) and a.status == 401 for a in answers.values())
    assert len(log(fleet, bmc)) == 1 and rf.requests == 1


def test_401_is_never_retried(fleet, bmc):
    with client(fleet, bmc) as rf:
        rf._token = "expired-or-revoked"     # as if the BMC dropped the session
        with pytest.raises(RedfishError) as failure:
            rf.get(SESSION_SERVICE)
        assert failure.value.status == 401
        with pytest.raises(RedfishError, match="refused the credentials earlier"):
            rf.get("/redfish/v1/Systems/1")
    assert [s for _, p, s in log(fleet, bmc) if p == SESSION_SERVICE] == [401]
    assert not any(p == "/redfish/v1/Systems/1" for _, p, _ in log(fleet, bmc))


def clear_fault_soon(fleet, bmc, after=0.3):
    thread = threading.Thread(target=lambda: (time.sleep(after), fleet.admin.set_knobs(bmc["name"], fault=None)))
    thread.start()
    return thread


@pytest.mark.parametrize("kind", ["503", "reset"])
def test_transient_failures_are_retried_with_backoff(fleet, bmc, kind):
    with client(fleet, bmc, backoff=1.0) as rf:
        fleet.admin.set_knobs(bmc["name"], fault={"kind": kind, "rate": 1, "paths": [SESSION_SERVICE]})
        clearing = clear_fault_soon(fleet, bmc)
        started = time.monotonic()
        assert rf.get(SESSION_SERVICE)["SessionTimeout"] == 300
        clearing.join()
        assert time.monotonic() - started >= 0.9       # waited for the backoff, did not hammer
    attempts = [s for _, p, s in log(fleet, bmc) if p == SESSION_SERVICE]
    assert attempts[-1] == 200 and len(attempts) == 2


@pytest.mark.parametrize("kind", ["503", "reset"])
def test_retries_give_up(fleet, bmc, kind):
    with client(fleet, bmc, retries=2, backoff=0.05) as rf:
        fleet.admin.set_knobs(bmc["name"], fault={"kind": kind, "rate": 1, "paths": [SESSION_SERVICE]})
        with pytest.raises(RedfishError) as failure:
            rf.get(SESSION_SERVICE)
        fleet.admin.set_knobs(bmc["name"], fault=None)
    assert failure.value.status == (503 if kind == "503" else None)
    assert bmc["address"] in str(failure.value) and "GET %s" % SESSION_SERVICE in str(failure.value)
    assert len([p for _, p, _ in log(fleet, bmc) if p == SESSION_SERVICE]) == 3


def test_a_write_is_not_sent_again_after_a_dropped_connection(fleet, bmc):
    unlock(fleet, bmc)
    with client(fleet, bmc, retries=3, backoff=0.05) as rf:
        fleet.admin.set_knobs(bmc["name"], fault={"kind": "reset", "rate": 1, "paths": [SESSION_SERVICE]})
        with pytest.raises(RedfishError) as failure:
            rf.patch(SESSION_SERVICE, {"SessionTimeout": 600})
        fleet.admin.set_knobs(bmc["name"], fault=None)
    assert failure.value.status is None and "connection failed" in str(failure.value)
    assert [m for m, p, _ in log(fleet, bmc) if p == SESSION_SERVICE] == ["PATCH"]


def test_timeout_on_a_slow_bmc(fleet, bmc):
    fleet.admin.set_knobs(bmc["name"], latency_paths={SESSION_SERVICE: 3000})
    with client(fleet, bmc, timeout=1) as rf:
        started = time.monotonic()
        with pytest.raises(RedfishError, match=r"no answer within 1s"):
            rf.get(SESSION_SERVICE)
        assert time.monotonic() - started < 2.5                 # not retried
        assert rf.get("/redfish/v1/Systems/1")["Id"] == "1"     # the client goes on with a new connection


def test_error_names_host_method_path_status_and_messages(fleet, bmc):
    with client(fleet, bmc) as rf:
        with pytest.raises(RedfishError) as failure:
            rf.patch("/redfish/v1/Managers/1/NetworkProtocol", {"IPMI": {"ProtocolEnabled": True}})
    text = str(failure.value)
    assert failure.value.status == 403 and "OemSystemLockdownEnabled" in failure.value.message_ids[0]
    assert bmc["address"] in text and "PATCH /redfish/v1/Managers/1/NetworkProtocol" in text and "HTTP 403" in text
    assert "lockdown" in text.lower()


def unlock(fleet, bmc):
    fleet.admin.patch_resource(bmc["name"], SYSLOCKDOWN, {"SysLockdownEnabled": False})


def test_etag_from_the_last_get_and_412(fleet, bmc):
    unlock(fleet, bmc)
    with client(fleet, bmc) as rf:
        rf.get(SESSION_SERVICE)
        fleet.admin.patch_resource(bmc["name"], SESSION_SERVICE, {"SessionTimeout": 600})   # someone else changed it
        with pytest.raises(RedfishError) as failure:
            rf.patch(SESSION_SERVICE, {"SessionTimeout": 900})
        assert failure.value.status == 412
        rf.get(SESSION_SERVICE)
        rf.patch(SESSION_SERVICE, {"SessionTimeout": 900})
        assert rf.get(SESSION_SERVICE)["SessionTimeout"] == 900
        with pytest.raises(RedfishError, match="HTTP 412"):
            rf.patch(SESSION_SERVICE, {"SessionTimeout": 300}, etag='"00000000000000000000000000000000"')


def test_strict_etag_mode_needs_if_match(fleet, bmc):
    unlock(fleet, bmc)
    fleet.admin.set_knobs(bmc["name"], strict_etag=True)
    with client(fleet, bmc) as rf:
        with pytest.raises(RedfishError) as failure:
            rf.patch(SESSION_SERVICE, {"SessionTimeout": 900})      # no GET yet: no etag to send
        assert failure.value.status == 428
        rf.get(SESSION_SERVICE)
        assert rf.patch(SESSION_SERVICE, {"SessionTimeout": 900}).status in (200, 204)


def test_task_polling_after_a_202(fleet, bmc):
    unlock(fleet, bmc)
    with client(fleet, bmc) as rf:
        response = rf.patch("/redfish/v1/Managers/1/Oem/Supermicro/NTP", {"PrimaryNTPServer": "ntp1.mgmt.example"})
        assert response.status == 202 and response.task_uri.startswith("/redfish/v1/TaskService/Tasks/")
        assert rf.wait_task(response, interval=0.1)["TaskState"] == "Completed"


def put_task(fleet, bmc, tid, state, **extra):
    path = "/redfish/v1/TaskService/Tasks/%s" % tid
    fleet.admin.put_resource(bmc["name"], path, {"@odata.type": "#Task.v1_4_3.Task", "@odata.id": path, "Id": str(tid),
                                                 "Name": "BMC Update", "TaskState": state, "TaskStatus": "OK", **extra})
    return path


def test_task_polling_waits_and_reports_failures(fleet, bmc):
    running = put_task(fleet, bmc, 90, "Running", PercentComplete=5)
    failed = put_task(fleet, bmc, 91, "Exception", TaskStatus="Critical",
                      Messages=[{"Message": "The image verification failed."}])
    with client(fleet, bmc) as rf:
        threading.Timer(0.5, lambda: put_task(fleet, bmc, 90, "Completed", PercentComplete=100)).start()
        assert rf.wait_task(running, interval=0.1, timeout=10)["PercentComplete"] == 100
        with pytest.raises(RedfishError, match="task ended Exception.*image verification failed"):
            rf.wait_task(failed, interval=0.1)
        put_task(fleet, bmc, 92, "Running")
        with pytest.raises(RedfishError, match="task still Running after 0.3s"):
            rf.wait_task("/redfish/v1/TaskService/Tasks/92", interval=0.1, timeout=0.3)


def test_multipart_upload(fleet, bmc):
    unlock(fleet, bmc)
    fleet.admin.set_knobs(bmc["name"], firmware_time_scale=0.004)  # a 6 s verification in 25 ms
    parameters = {"Targets": ["/redfish/v1/Managers/1"], "@Redfish.OperationApplyTime": "OnStartUpdateRequest",
                  "Oem": {"Supermicro": {"BMC": {"PreserveCfg": True, "PreserveSdr": True, "PreserveSsl": True}}}}
    with client(fleet, bmc) as rf:
        response = rf.upload("/redfish/v1/UpdateService/upload", fields={"UpdateParameters": parameters},
                             files={"UpdateFile": ("BMC_test.bin", make_image("BMC", "X13", "01.06.10"))})
        # The BMC parsed both parts: it answers 202 with a Verify task, which the client follows to its end.
        assert response.status == 202 and response.task_uri
        task = rf.wait_task(response, interval=0.05, timeout=30)
        assert task["TaskState"] == "Completed" and task["Name"] == "BMC Verify"


def test_get_many_runs_concurrently_on_kept_alive_connections(fleet, bmc):
    fleet.admin.set_knobs(bmc["name"], latency_ms=200)
    paths = ["/redfish/v1/Systems/1", "/redfish/v1/Chassis/1", SESSION_SERVICE, "/redfish/v1/AccountService",
             "/redfish/v1/EventService", "/redfish/v1/Managers/1/NetworkProtocol", "/redfish/v1/Nope", "/redfish/v1/UpdateService"]
    with client(fleet, bmc, concurrency=4) as rf:
        started = time.monotonic()
        answers = rf.get_many(paths)
        elapsed = time.monotonic() - started
    assert list(answers) == paths and answers["/redfish/v1/Nope"].status == 404
    assert elapsed < 8 * 0.2 * 0.75       # 8 GETs at 0.2 s, 4 at a time: about two rounds, not eight
    assert rf.requests == len(paths) + 2


# -- issue 7: deadlines, size cap, refused logins, full session tables, close() ------------------

def test_a_dripping_bmc_fails_the_request_at_its_timeout(fleet, bmc):
    # Old: the timeout bounded each socket read; one byte every second never hit it, and the
    # request took (body length) seconds. Now the request as a whole ends at its deadline.
    fleet.admin.set_knobs(bmc["name"], fault={"kind": "drip", "seconds": 1, "paths": [SESSION_SERVICE], "methods": ["GET"]})
    with client(fleet, bmc, timeout=2) as rf:
        with pytest.raises(RedfishError, match=r"GET /redfish/v1/SessionService: no answer within 2s"):
            rf.get(SESSION_SERVICE)
        fleet.admin.set_knobs(bmc["name"], fault=None)
        assert rf.get(SESSION_SERVICE)["SessionTimeout"] == 300      # the client goes on on a new connection


def test_a_bmc_hanging_after_login_ends_the_gather_early(fleet, bmc):
    # Old: every request of wave 1 waited its own timeout (21 requests without an answer, about
    # 5x the timeout with 4 in flight). Now two timeouts in a row end the BMC's gather: only the
    # requests already in flight wait; the rest become "timed out after N s" at once.
    hang = ["/redfish/v1/" + p for p in ("Systems", "Chassis", "AccountService", "SessionService", "Managers", "EventService",
                                         "UpdateService")]
    fleet.admin.set_knobs(bmc["name"], fault={"kind": "timeout", "seconds": 30, "paths": hang, "methods": ["GET"]})
    with client(fleet, bmc, timeout=1) as rf:
        facts = gather.gather(rf)
    unanswered = [entry for entry in log(fleet, bmc) if entry[2] == 0]
    assert len(unanswered) <= rf.concurrency + 1
    assert all(section.get("error") for name, section in facts.items() if name not in ("schema", "identity", "gather"))
    assert any(section.get("error", "").startswith("timed out after") for section in facts.values() if isinstance(section, dict))


def test_the_host_budget_keeps_what_was_read(fleet, bmc):
    # Old: no per-host budget (host_timeout did not exist).
    fleet.admin.set_knobs(bmc["name"], latency_ms=250)
    with client(fleet, bmc, host_timeout=1.2) as rf:
        facts = gather.gather(rf)
        with pytest.raises(HostTimeout, match="timed out after 1 s"):
            rf.get(SESSION_SERVICE)
    assert fleet.admin.sessions(bmc["name"]) == []      # the logout is outside the budget
    sections = {name: s for name, s in facts.items() if name not in ("schema", "identity", "gather")}
    timed_out = [n for n, s in sections.items() if s.get("error", "").startswith("timed out after 1 s")]
    assert timed_out and len(timed_out) < len(sections)
    assert any(s.get("supported") for s in sections.values())


@pytest.mark.parametrize("announce", [True, False])
def test_a_huge_answer_is_refused_not_read(fleet, bmc, announce):
    # Old: read whole (a 300 MB body: 973 MB peak in one worker).
    fleet.admin.set_knobs(bmc["name"], fault={"kind": "huge", "bytes": 40 * 1024 * 1024, "announce": announce,
                                              "paths": [SESSION_SERVICE], "methods": ["GET"]})
    with client(fleet, bmc, max_response_bytes=4 * 1024 * 1024) as rf:
        with pytest.raises(ResponseTooLarge, match=r"GET /redfish/v1/SessionService: .*larger than the 4194304 bytes allowed"):
            rf.get(SESSION_SERVICE)


def test_a_refused_login_is_login_refused_and_sent_once(fleet, bmc):
    with pytest.raises(LoginRefused):
        with client(fleet, bmc, credentials=(fleet.username, "Wrong!Password1")):
            pass
    assert [e for e in log(fleet, bmc) if e[0] == "POST"] == [("POST", "/redfish/v1/SessionService/Sessions", 401)]


def test_a_full_session_table_is_not_retried_and_says_what_to_do(fleet, bmc):
    # Old: SessionLimitExceeded (503) was retried 3 times as a login, with no hint.
    holders = [client(fleet, bmc) for _ in range(16)]
    try:
        for holder in holders:
            holder.login()
        fleet.admin.reset_requests(bmc["name"])
        with pytest.raises(RedfishError, match="session table is full.*log them out in the BMC web UI") as raised:
            with client(fleet, bmc):
                pass
        assert raised.value.status == 503
        assert log(fleet, bmc) == [("POST", "/redfish/v1/SessionService/Sessions", 503)]
    finally:
        for holder in holders:
            holder.close()
    assert fleet.admin.sessions(bmc["name"]) == []


def test_close_logs_out_once_and_can_be_called_again(fleet, bmc):
    rf = client(fleet, bmc)
    rf.login()
    rf.get(SESSION_SERVICE)
    rf.close()
    rf.close()
    assert fleet.admin.sessions(bmc["name"]) == []
    assert [e[0] for e in log(fleet, bmc)] == ["POST", "GET", "DELETE"]


def test_close_during_requests_in_flight_ends_them_and_logs_out(fleet, bmc):
    # What an interrupted run does (SIGINT/SIGTERM handler): the session is logged out, the
    # requests in flight end instead of waiting for their timeout.
    fleet.admin.set_knobs(bmc["name"], fault={"kind": "timeout", "seconds": 60, "paths": [SESSION_SERVICE], "methods": ["GET"]})
    rf = client(fleet, bmc, timeout=60)
    rf.login()
    answers = {}
    worker = threading.Thread(target=lambda: answers.update(rf.get_many([SESSION_SERVICE, SESSION_SERVICE + "/Sessions"])))
    worker.start()
    while not [e for e in log(fleet, bmc) if e[0] == "GET" and e[2] == 0]:
        time.sleep(0.05)        # the hanging GET has reached the BMC
    rf.close()
    worker.join(30)
    assert not worker.is_alive() and isinstance(answers[SESSION_SERVICE], RedfishError)
    assert fleet.admin.sessions(bmc["name"]) == []


def test_upload_streams_a_file_from_disk(fleet, bmc, tmp_path):
    """A path is streamed (Content-Length, no chunked encoding) and the BMC reads the whole image: the
    Verify task passes only for an intact SMCFW image of this generation."""
    unlock(fleet, bmc)
    fleet.admin.set_knobs(bmc["name"], firmware_time_scale=0.004)
    image = tmp_path / "BMC_X13AST2600-ROT-5501MS_20241001_01.06.10_STDsp.bin"
    image.write_bytes(make_image("BMC", "X13", "01.06.10", size=3 * (1 << 20) + 7))
    parameters = {"Targets": ["/redfish/v1/Managers/1"], "@Redfish.OperationApplyTime": "OnStartUpdateRequest"}
    with client(fleet, bmc) as rf:
        response = rf.upload("/redfish/v1/UpdateService/upload", fields={"UpdateParameters": parameters},
                             files={"UpdateFile": str(image)})
        task = rf.wait_task(response, interval=0.05, timeout=30)
        assert task["TaskState"] == "Completed" and task["Name"] == "BMC Verify"


def test_follow_moves_the_session_to_the_new_address_or_stays(fleet, bmc):
    """follow(): a fresh login at the BMC's new address (tried again while it moves), the old
    session ended; to an address where nothing answers it gives up within its window and the
    client still talks to the old address."""
    nic = "/redfish/v1/Managers/1/EthernetInterfaces/1"
    fleet.admin.patch_resource(bmc["name"], SYSLOCKDOWN, {"SysLockdownEnabled": False})
    with client(fleet, bmc, validate_certs=False) as rf:
        with pytest.raises(RedfishError, match="connection failed"):
            rf.follow("127.0.96.99", within=1, interval=0.2)                  # nothing there
        assert rf.where.startswith(bmc["address"]) and rf.get(nic)["Id"] == "1"
        answer = rf.patch(nic, {"DHCPv4": {"DHCPEnabled": False},
                                "IPv4StaticAddresses": [{"Address": "127.0.96.9", "SubnetMask": "255.0.0.0", "Gateway": "127.0.0.254"}]})
        assert answer.status == 202
        rf.follow("127.0.96.9", within=20, interval=0.2)
        assert rf.where.startswith("127.0.96.9") and rf.get(nic)["IPv4Addresses"][0]["Address"] == "127.0.96.9"
        sessions = fleet.admin.requests(bmc["name"])["log"]
        assert [e[0] for e in sessions if e[1].startswith("/redfish/v1/SessionService/Sessions/")] == ["DELETE"]   # the old one
    fleet.admin.reset(bmc["name"])


def test_follow_stops_at_a_certificate_that_does_not_name_the_new_address(fleet, bmc):
    """The certificate names the old address only: the login at the new one fails verification,
    which no waiting mends, so follow() gives up at once and stays with the old address."""
    nic = "/redfish/v1/Managers/1/EthernetInterfaces/1"
    fleet.admin.patch_resource(bmc["name"], SYSLOCKDOWN, {"SysLockdownEnabled": False})
    with client(fleet, bmc) as rf:
        rf.patch(nic, {"DHCPv4": {"DHCPEnabled": False},
                       "IPv4StaticAddresses": [{"Address": "127.0.96.19", "SubnetMask": "255.0.0.0", "Gateway": "127.0.0.254"}]})
        with pytest.raises(CertificateUntrusted, match="IP address mismatch"):
            rf.follow("127.0.96.19", within=600, interval=0.2)
        assert rf.where.startswith(bmc["address"])
    fleet.admin.reset(bmc["name"])
