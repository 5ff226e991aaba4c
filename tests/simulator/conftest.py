"""Fixtures for the simulator tests: a running mixed fleet and a plain HTTPS Redfish client."""
from __future__ import annotations

import pytest

from bmcsim.testing import SimFleet
from simclient import X13, Redfish


@pytest.fixture(scope="session")
def fleet():
    with SimFleet(count=3, profile="mixed", base_address="127.0.20.1") as f:
        yield f


@pytest.fixture
def sim(fleet):
    """The shared fleet, each BMC back to its seeded state and launch knobs after the test."""
    yield fleet
    for b in fleet.bmcs:
        fleet.admin.reset(b["name"])


@pytest.fixture
def rf(sim):
    """Client factory: rf(name, username=None, password=None, source=None)."""
    return lambda name=X13, *a, **kw: Redfish(sim, name, *a, **kw)
