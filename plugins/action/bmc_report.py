# -*- coding: utf-8 -*-
# Copyright: contributors to bmclock.supermicro
# Apache License 2.0 (see LICENSE)
"""Write the fleet reports (HTML, JUnit XML, JSON, Markdown) from the stored per-host results.

Runs in the controller and reads only stored results, never one audit run's memory, so a report
can combine several runs or the slices of an AWX job: the result files in results_dir, or the
hosts' cached facts (AWX's fact cache, where each slice's facts land whichever node ran it).
"""

from __future__ import annotations

import datetime
import os

from ansible.errors import AnsibleActionFail

from ansible_collections.bmclock.supermicro.plugins.module_utils import report, results
from ansible_collections.bmclock.supermicro.plugins.plugin_utils.controller_action import ControllerAction

ARGUMENT_SPEC = {
    "results_dir": {"type": "path", "required": True},
    "facts_of": {"type": "list", "elements": "str"},
    "output_dir": {"type": "path"},
    "formats": {"type": "list", "elements": "str", "choices": sorted(report.FORMATS),
                "default": sorted(report.FORMATS)},
    "stale_after": {"type": "float", "default": report.STALE_AFTER / 86400},
}


def _current_text(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except (FileNotFoundError, UnicodeDecodeError):
        return None


class ActionModule(ControllerAction):
    def run(self, tmp=None, task_vars=None):
        args = self.run_args(task_vars, ARGUMENT_SPEC)
        results_dir = args["results_dir"]
        output_dir = args["output_dir"] or os.path.join(results_dir, "fleet")
        if "json" in args["formats"] and os.path.realpath(output_dir) == os.path.realpath(results_dir):
            # report.json would then be read back as a host's result file.
            raise AnsibleActionFail("output_dir must differ from results_dir (%s)" % results_dir)

        if args["facts_of"] is None:
            records, problems = results.load_records(results_dir)
            source = results_dir
        else:
            records, problems = self._records_from_facts(args["facts_of"], task_vars["hostvars"])
            source = "the cached facts of %d hosts" % len(args["facts_of"])
        if not records:
            raise AnsibleActionFail("no audit results in %s: run playbooks/audit.yml first%s" % (
                source, " (%s)" % "; ".join(problems) if problems else ""))

        if args["stale_after"] < 0:
            raise AnsibleActionFail("stale_after (bmc_report_stale_after): %s days is negative; 0 = never stale" % args["stale_after"])
        stale_after = args["stale_after"] * 86400
        # Stale is judged per day, so that the same results give the same files within a day.
        today = datetime.datetime.now(datetime.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        records, problems = report.normalize(records, problems)
        files, changed = {}, []
        for fmt, text in report.render(records, args["formats"], problems, stale_after=stale_after, now=today).items():
            path = os.path.join(output_dir, report.FORMATS[fmt])
            files[fmt] = path
            if _current_text(path) == text:
                continue
            changed.append(path)
            if not self._task.check_mode:
                os.makedirs(output_dir, exist_ok=True)
                results.atomic_write_text(path, text)

        view = report.overview(records, stale_after, today)
        return {
            "changed": bool(changed),
            "files": files,
            "written": [] if self._task.check_mode else changed,
            "would_write": changed if self._task.check_mode else [],
            "summary": {
                "hosts": view["hosts"],
                "host_status": view["host_status"],
                "result_status": view["result_status"],
                "worst_controls": [c["id"] for c in view["worst_controls"][:10]],
                "drifted_hosts": len({c["host"] for c in view["drift"]}),
                "stale_hosts": sorted(view["stale"]),
                "tls_unverified": view["tls_unverified"],
                "audited_from": view["audited_from"],
                "audited_to": view["audited_to"],
            },
            "markdown": report.render_markdown(records, problems, stale_after=stale_after, now=today),
            "warnings": problems,
            "msg": "%d hosts: %s" % (view["hosts"], ", ".join(
                "%d %s" % (n, s) for s, n in view["host_status"].items() if n)),
        }

    @staticmethod
    def _records_from_facts(hosts, hostvars):
        """Records rebuilt from the facts bmc_audit returned (bmc_compliance + bmc), by host."""
        records, problems = {}, []
        for host in hosts:
            facts = hostvars[host].get("ansible_facts") or {}
            if "bmc_compliance" in facts:
                records[host] = dict(facts["bmc_compliance"], facts=facts.get("bmc") or {})
            else:
                problems.append("%s: no bmc_compliance fact (never audited, or its cached facts expired)" % host)
        return records, problems
