"""Database sessions: reads see the latest commit, and the server keeps answering when
PostgreSQL drops its pooled connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text

from registry.core.db import Database
from registry.core.models import Place
from tests.support import Registry, operation
from tests.workbooks import contact_estates

COVERAGE = operation("Coverage")


@pytest.fixture
async def postgres(database_url: str) -> AsyncIterator[Database]:
    """The test database, on PostgreSQL only: the driver's own connections are its alone."""
    db = Database(database_url)
    if db.is_sqlite:
        await db.dispose()
        pytest.skip("PostgreSQL runs with GRIDREG_TEST_DATABASE_URL")
    try:
        yield db
    finally:
        await db.dispose()


async def test_requests_are_answered_after_the_database_drops_every_connection(
    registry: Registry,
) -> None:
    """Given a server whose pool holds connections, when PostgreSQL terminates all of them (as a
    restart or an administrator does), then the next requests are answered without an error."""
    if registry.db.is_sqlite:
        pytest.skip("PostgreSQL runs with GRIDREG_TEST_DATABASE_URL")
    await registry.load(contact_estates())
    api = await registry.client("admin")
    before = await api(COVERAGE, {"scope": "S", "gaps": 5})
    # Several requests at once, so the pool holds more than one idle connection.
    await asyncio.gather(*(api(COVERAGE, {"scope": "S", "gaps": 5}) for _ in range(4)))

    async with registry.db.read() as session:
        dropped = await session.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert dropped and dropped >= 1
    await asyncio.sleep(0.3)  # the server's event loop reads the goodbye on its idle sockets

    for _ in range(3):
        assert await api(COVERAGE, {"scope": "S", "gaps": 5}) == before


async def test_a_compiled_read_whose_connection_is_dropped_under_it_fails_alone(
    postgres: Database,
) -> None:
    """Given PostgreSQL's connection dropped while a compiled read runs on it (the driver's
    own connection, `Database.read_value`), then that read fails and the next is answered on
    a fresh connection: the dropped one is not handed out again."""
    db = postgres
    first = await db.read_value("SELECT pg_backend_pid()", ())
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver says of a lost server
        await db.read_value("SELECT pg_terminate_backend(pg_backend_pid())", ())
    after = await db.read_value("SELECT pg_backend_pid()", ())
    assert after != first
    assert await db.read_value("SELECT 1", ()) == 1


async def test_a_read_session_sees_what_was_committed_between_its_statements(
    registry: Registry,
) -> None:
    """Given a read session that has read a place's name, when another session renames the
    place and commits, then the read session's next statement sees the new name: reads hold
    no transaction on either database (on PostgreSQL each statement takes its own snapshot;
    SQLite's read engine begins none), so a long read never pins an old snapshot."""
    await registry.load(contact_estates())
    name = select(Place.name).where(Place.code == "E")
    async with registry.db.read() as reader:
        before = await reader.scalar(name)
        async with registry.db.write() as writer:
            place = await writer.scalar(select(Place).where(Place.code == "E"))
            assert place is not None
            place.name = f"{before} renamed"
        assert await reader.scalar(name) == f"{before} renamed"


async def test_after_a_burst_of_reads_the_next_reads_reuse_the_connection_used_last(
    postgres: Database,
) -> None:
    """Given a pool that a burst of concurrent reads filled with connections, when reads come
    one at a time, then each is served by the connection the previous one used: the one whose
    statements are prepared and planned already, not the next in turn (which would prepare
    every statement anew on each of the burst's connections). So for sessions and for compiled
    reads (`read_value`, which keeps the connection it used last out of the pool)."""
    db = postgres
    pid = text("SELECT pg_backend_pid()")

    async def slow_read() -> int:
        async with db.read() as session:
            return int(await session.scalar(text("SELECT pg_backend_pid() FROM pg_sleep(0.05)")))

    async def read() -> int:
        async with db.read() as session:
            return int(await session.scalar(pid))

    opened = await asyncio.gather(*(slow_read() for _ in range(8)))
    assert len(set(opened)) == 8
    assert len({await read() for _ in range(6)}) == 1
    compiled_pid = "SELECT pg_backend_pid()"
    compiled = await asyncio.gather(*(db.read_value(compiled_pid, ()) for _ in range(8)))
    one_at_a_time = {await db.read_value(compiled_pid, ()) for _ in range(6)}
    assert len(one_at_a_time) == 1 and one_at_a_time <= set(compiled)


async def test_a_compiled_read_after_the_server_closed_its_kept_connection_is_answered(
    postgres: Database,
) -> None:
    """Given the connection compiled reads keep between reads, when PostgreSQL closes it while
    it is idle (a restart, an administrator), then the next compiled read is answered on
    another connection, not failed."""
    db = postgres
    kept = await db.read_value("SELECT pg_backend_pid()", ())
    async with db.read() as session:
        assert await session.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": kept})
    await asyncio.sleep(0.3)  # the event loop reads the goodbye on the idle socket
    after = await db.read_value("SELECT pg_backend_pid()", ())
    assert after != kept
