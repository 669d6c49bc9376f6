"""Random sequences of real writes, checked after every step against a plain model and
against gridreg's own past answers (tests/model/machine.py). A bounded run in every suite,
on SQLite and PostgreSQL alike; `pytest --model-examples=N` runs longer."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.model.machine import Gridreg, RegistryMachine
from tests.support import LiveServer


def test_random_write_sequences_keep_coverage_history_scope_and_tallies(
    database_url: str,
    live_server: tuple[LiveServer, str],
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    examples = request.config.getoption("--model-examples")
    RegistryMachine.gridreg = Gridreg(database_url, live_server[1], tmp_path)
    run_state_machine_as_test(
        RegistryMachine,
        settings=settings(
            max_examples=examples,
            stateful_step_count=8,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
