"""Per-host result files: atomic writes, previous run kept, drift, loading."""

from __future__ import annotations

import json

import pytest


from ansible_collections.bmclock.supermicro.plugins.module_utils import results


def record(host, **statuses):
    return {"host": host, "status": "noncompliant" if "fail" in statuses.values() else "compliant",
            "results": [{"id": cid.replace("_", "-"), "status": status} for cid, status in statuses.items()]}


def test_first_write_has_no_drift_and_no_previous(tmp_path):
    written = results.write_record(str(tmp_path), record("bmc-001", svc_ipmi_lan_off="pass"))
    assert written["drift"] == []
    assert written["schema"] == results.SCHEMA
    assert (tmp_path / "bmc-001.json").exists()
    assert not (tmp_path / "bmc-001.previous.json").exists()


def test_second_write_keeps_previous_and_reports_drift(tmp_path):
    results.write_record(str(tmp_path), record("bmc-001", svc_ipmi_lan_off="pass", net_ip_acl="fail"))
    written = results.write_record(str(tmp_path), record("bmc-001", svc_ipmi_lan_off="fail", net_ip_acl="fail"))
    assert written["drift"] == [{"id": "svc-ipmi-lan-off", "from": "pass", "to": "fail"}]
    previous = json.loads((tmp_path / "bmc-001.previous.json").read_text())
    assert previous["results"][0]["status"] == "pass"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bmc-001.json", "bmc-001.previous.json"]


def test_damaged_latest_file_is_replaced_not_trusted(tmp_path):
    (tmp_path / "bmc-001.json").write_text("{not json")
    written = results.write_record(str(tmp_path), record("bmc-001", sess_timeout="pass"))
    assert written["drift"] == []
    assert json.loads((tmp_path / "bmc-001.json").read_text())["host"] == "bmc-001"


def test_load_records_reads_latest_only_and_reports_bad_files(tmp_path):
    results.write_record(str(tmp_path), record("bmc-001", sess_timeout="pass"))
    results.write_record(str(tmp_path), record("bmc-001", sess_timeout="fail"))
    results.write_record(str(tmp_path), record("bmc-002", sess_timeout="pass"))
    (tmp_path / "junk.json").write_text("[]")
    records, problems = results.load_records(str(tmp_path))
    assert sorted(records) == ["bmc-001", "bmc-002"]
    assert records["bmc-001"]["status"] == "noncompliant"
    assert len(problems) == 1 and "junk.json" in problems[0]


@pytest.mark.parametrize("host", ["", "../etc", ".hidden", "a/b"])
def test_host_names_cannot_escape_the_results_dir(tmp_path, host):
    with pytest.raises(ValueError):
        results.write_record(str(tmp_path), record(host or "", sess_timeout="pass"))
