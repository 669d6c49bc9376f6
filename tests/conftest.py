"""Fixtures: a migrated database (SQLite, or PostgreSQL when GRIDREG_TEST_DATABASE_URL is set),
a live server over HTTP, and a fresh registry for every test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import date
from pathlib import Path

import pytest

from registry.core import calendar
from registry.core.config import Settings, normalise_database_url
from registry.core.db import Database
from registry.core.migrate import upgrade
from tests.support import LiveServer, Registry, reset_postgres_schema, reset_tables


def pytest_configure(config: pytest.Config) -> None:
    """One day for the whole run, the day it began: the server's "today" and the tests' own
    dates stay the same day when a run crosses midnight."""
    # The environment carries it to the gridreg processes tests start (GRIDREG_TODAY).
    day = os.environ.setdefault("GRIDREG_TODAY", calendar.today().isoformat())
    calendar.pin_today(date.fromisoformat(day))


@pytest.fixture(autouse=True)
def _the_run_s_day() -> Iterator[None]:
    """Whatever a test does to the registry's day (another day pinned, a zone named), the next
    test begins on the run's."""
    day = calendar.today()
    yield
    calendar.follow(None, day)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A PostgreSQL pass runs what touches the database under test (the `database_url`
    fixture) or PostgreSQL itself (marked `postgresql`): the rest (graph algorithms, seeds,
    the bench and served processes on SQLite files of their own) is the same in either pass,
    and the SQLite pass runs it."""
    if not os.environ.get("GRIDREG_TEST_DATABASE_URL"):
        return
    repeat = pytest.mark.skip(reason="independent of the database under test: the SQLite pass")
    for item in items:
        if "database_url" not in getattr(item, "fixturenames", ()) and not any(
            item.iter_markers("postgresql")
        ):
            item.add_marker(repeat)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--model-examples",
        type=int,
        default=4,
        help="examples of the model-based registry test (tests/test_model_registry.py)",
    )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated, empty test database."""
    configured = os.environ.get("GRIDREG_TEST_DATABASE_URL")
    if configured:
        url = normalise_database_url(configured)
        reset_postgres_schema(url)
    else:
        url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings.from_env(database_url=database_url)


@pytest.fixture(scope="session")
def live_server(settings: Settings) -> Iterator[tuple[LiveServer, str]]:
    server = LiveServer(settings)
    base_url = server.start()
    yield server, base_url
    server.stop()


@pytest.fixture(scope="session")
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()


@pytest.fixture
async def registry(
    database: Database, live_server: tuple[LiveServer, str], tmp_path: Path
) -> AsyncIterator[Registry]:
    """An empty registry behind a live server; load what the test needs."""
    await reset_tables(database)
    server, base_url = live_server
    reg = Registry(database, base_url, server, tmp_path)
    yield reg
    await reg.close()
