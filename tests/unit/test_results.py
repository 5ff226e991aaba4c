"""Per-host result files: atomic writes, previous run kept, drift, loading."""

from __future__ import annotations

import json
import os

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
    assert not (tmp_path / "previous").exists()


def test_second_write_keeps_previous_and_reports_drift(tmp_path):
    results.write_record(str(tmp_path), record("bmc-001", svc_ipmi_lan_off="pass", net_ip_acl="fail"))
    written = results.write_record(str(tmp_path), record("bmc-001", svc_ipmi_lan_off="fail", net_ip_acl="fail"))
    assert written["drift"] == [{"id": "svc-ipmi-lan-off", "from": "pass", "to": "fail"}]
    previous = json.loads((tmp_path / "previous" / "bmc-001.json").read_text())
    assert previous["results"][0]["status"] == "pass"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bmc-001.json", "previous"]


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


def test_a_host_named_like_a_previous_record_cannot_overwrite_one(tmp_path):
    results.write_record(str(tmp_path), record("rack1", sess_timeout="fail"))
    results.write_record(str(tmp_path), record("rack1", sess_timeout="pass"))
    results.write_record(str(tmp_path), record("rack1.previous", sess_timeout="pass"))
    results.write_record(str(tmp_path), record("rack1.previous", sess_timeout="pass"))
    assert json.loads((tmp_path / "previous" / "rack1.json").read_text())["status"] == "noncompliant"
    records, problems = results.load_records(str(tmp_path))
    assert sorted(records) == ["rack1", "rack1.previous"] and problems == []


def test_the_old_layout_is_read_and_its_previous_file_is_not_a_host(tmp_path):
    old = dict(record("rack1", sess_timeout="fail"), schema=results.SCHEMA)
    (tmp_path / "rack1.previous.json").write_text(json.dumps(old))
    (tmp_path / "rack1.json").write_text(json.dumps(dict(record("rack1", sess_timeout="pass"), schema=results.SCHEMA)))
    records, problems = results.load_records(str(tmp_path))
    assert sorted(records) == ["rack1"] and records["rack1"]["status"] == "compliant" and problems == []
    results.write_record(str(tmp_path), record("rack1", sess_timeout="pass"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["previous", "rack1.json"]  # old previous file dropped


@pytest.mark.parametrize("umask, mode", [(0o077, 0o600), (0o022, 0o644), (0o027, 0o640)])
def test_result_files_respect_the_umask(tmp_path, umask, mode):
    saved = os.umask(umask)
    try:
        results.write_record(str(tmp_path), record("bmc-001", sess_timeout="pass"))
    finally:
        os.umask(saved)
    assert (tmp_path / "bmc-001.json").stat().st_mode & 0o777 == mode


def test_merge_replaces_only_the_audited_controls_in_catalog_order():
    stored = [{"id": "a", "status": "fail", "audited_at": "1"}, {"id": "b", "status": "pass", "audited_at": "1"},
              {"id": "gone", "status": "fail", "audited_at": "1"}]
    fresh = [{"id": "b", "status": "fail", "audited_at": "2"}, {"id": "c", "status": "pass", "audited_at": "2"}]
    merged = results.merge(stored, fresh, ["c", "b", "a", "d"], {"b", "c"})
    assert [(r["id"], r["status"], r["audited_at"]) for r in merged] == [("c", "pass", "2"), ("b", "fail", "2"), ("a", "fail", "1")]


def test_previous_record_prefers_the_file_then_the_fact_of_the_same_host(tmp_path):
    assert results.previous_record(str(tmp_path), "bmc-001", {"host": "bmc-002"}) is None
    assert results.previous_record(None, "bmc-001", {"host": "bmc-001", "x": 1})["x"] == 1
    results.write_record(str(tmp_path), dict(record("bmc-001", sess_timeout="fail"), x=2))
    assert results.previous_record(str(tmp_path), "bmc-001", {"host": "bmc-001", "x": 1})["x"] == 2
