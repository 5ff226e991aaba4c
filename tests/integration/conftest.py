"""Integration fixtures: real playbooks through ansible-runner (as AWX runs them) against bmcsim."""

from __future__ import annotations

import pytest

from playbook_support import playbook_run


@pytest.fixture
def run_playbook(tmp_path):
    """playbook_run() in a new private data dir under the test's tmp_path."""
    counter = iter(range(1000))

    def run(playbook, inventory, **kwargs):
        return playbook_run(tmp_path / ("runner-%d" % next(counter)), playbook, inventory, **kwargs)

    return run
