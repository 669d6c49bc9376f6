"""Server processes keep the actors of the tokens they have checked, and still answer as the
database stands: a revoked token, or a scope's territory changed, reaches every process as soon
as it hears of the change (registry.access.tokens, registry.access.changes): on SQLite before
its next request, on PostgreSQL once the notification arrives, milliseconds after the commit."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from registry.access.changes import changes_of
from registry.access.token_admin import list_tokens, revoke_token
from tests.support import ROOT, operation
from tests.workbooks import two_communities

PLACES = "{ places { totalCount } }"
BUILDING = '{ place(code: "B-E-B2") { code } }'


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def second_process(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    """`gridreg serve` in a process of its own on the same database, and a client of it."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "registry.cli.main", "--database", database_url, "serve",
         "--port", str(port)],
        cwd=ROOT, env={**os.environ, "GRIDREG_DATABASE_URL": database_url},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert server.poll() is None and time.monotonic() < deadline, "did not start"
                await asyncio.sleep(0.2)
            yield http
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _ask(http: httpx.AsyncClient, token: str, query: str) -> dict:
    response = await http.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def _codes(body: dict) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors") or []]


# How long a change may take to reach a process: PostgreSQL delivers a notification after the
# commit, on a machine as busy as a test run's in milliseconds.
REACHES_WITHIN = 1.0


async def _soon(ask: Callable[[], Awaitable[Any]], expected: Any) -> None:
    """`ask()` answers `expected` within REACHES_WITHIN seconds (and keeps doing so)."""
    deadline = time.monotonic() + REACHES_WITHIN
    while (found := await ask()) != expected:
        assert time.monotonic() < deadline, f"still {found!r}"
        await asyncio.sleep(0.01)
    assert await ask() == expected


async def _refusals(answer: Awaitable[dict]) -> list[str]:
    return _codes(await answer)


async def _data(answer: Awaitable[dict]) -> Any:
    return (await answer)["data"]


async def test_a_token_revoked_elsewhere_is_refused_by_every_process(
    registry,
) -> None:
    await registry.load(two_communities())
    token = await registry.token("organiser", "A-DW")
    async with second_process(registry.db.url) as other:
        # Given two server processes that have both answered the token (and so keep it),
        for _ in range(3):
            assert (await registry.api.as_token(token)(PLACES))["places"]["totalCount"] > 0
            assert (await _ask(other, token, PLACES))["data"]["places"]["totalCount"] > 0
        # when a third party (here the test, as `gridreg token revoke` would) revokes it,
        async with registry.db.write() as session:
            token_id = (await list_tokens(session))[-1].id
            await revoke_token(session, str(token_id))
        # then either process refuses it from the moment it hears of it.
        refused = ["UNAUTHENTICATED"]
        await _soon(lambda: _refusals(registry.api.as_token(token).post(PLACES)), refused)
        await _soon(lambda: _refusals(_ask(other, token, PLACES)), refused)


async def test_a_territory_widened_by_coverage_is_seen_by_every_process(
    registry,
) -> None:
    await registry.load(two_communities())
    organiser = await registry.token("organiser", "A-DW")
    admin = await registry.client("admin")
    async with second_process(registry.db.url) as other:
        # Given an organiser of A, whose token both processes keep, who cannot see B's
        # second building,
        for _ in range(3):
            assert (await registry.api.as_token(organiser)(BUILDING))["place"] is None
            assert (await _ask(other, organiser, BUILDING))["data"]["place"] is None
        # when A's committee is given that building to cover (inside the sub-district, its
        # parent's territory),
        answer = await admin(
            operation("SetCoverage"), {"input": {"organisation": "A-DW", "cover": ["B-E-B2"]}}
        )
        assert answer["setCoverage"]["userErrors"] == []
        # then either process sees it in the organiser's territory,
        mine = registry.api.as_token(organiser)
        seen = {"place": {"code": "B-E-B2"}}
        await _soon(lambda: mine(BUILDING), seen)
        await _soon(lambda: _data(_ask(other, organiser, BUILDING)), seen)
        # and once it is uncovered again, no longer.
        answer = await admin(
            operation("SetCoverage"),
            {"input": {"organisation": "A-DW", "uncover": ["B-E-B2"]}},
        )
        assert answer["setCoverage"]["userErrors"] == []
        await _soon(lambda: mine(BUILDING), {"place": None})
        await _soon(lambda: _data(_ask(other, organiser, BUILDING)), {"place": None})


async def test_a_kept_token_stops_at_its_expiry(registry) -> None:
    from datetime import UTC, datetime, timedelta

    from registry.access.actor import Role
    from registry.access.tokens import create_token

    # Given a token that ends two seconds from now, answered (and so kept) meanwhile,
    async with registry.db.write() as session:
        raw = await create_token(
            session, Role.ADMIN, expires_at=datetime.now(UTC) + timedelta(seconds=2)
        )
    api = registry.api.as_token(raw)
    assert (await api(PLACES)) == {"places": {"totalCount": 0}}
    # when its end passes with nothing written to the database,
    await asyncio.sleep(2.1)
    # then it is refused.
    assert _codes(await api.post(PLACES)) == ["UNAUTHENTICATED"]


async def test_a_process_closing_its_listener_warns_of_nothing_lost(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL notifies; SQLite processes read its data version instead")
    changed: list[bool] = []
    # Given a process listening for token changes
    listener = changes_of(database_url, lambda: changed.append(True))
    assert await listener.heard()

    # When it closes the connection itself (a server shutting down)
    with caplog.at_level(logging.WARNING, logger="registry.access.changes"):
        await listener.close()
        await asyncio.sleep(0.2)  # (asyncpg tells of a closed connection in a later callback)
    # Then nothing is reported lost
    assert not caplog.records

    # But when the database ends a listening connection, it is reported, and every token is
    # read from the database until it is back
    assert await listener.heard()
    with caplog.at_level(logging.WARNING, logger="registry.access.changes"):
        await _end_listening_connections(database_url)
        # (Another process's listener may report its own loss first: wait for this one's.)
        deadline = time.monotonic() + 10
        while await listener.heard():
            assert time.monotonic() < deadline, "the loss was never noticed"
            await asyncio.sleep(0.05)
    assert any("lost the connection" in record.getMessage() for record in caplog.records)
    await listener.close()


async def _end_listening_connections(url: str) -> None:
    import asyncpg

    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE pid <> pg_backend_pid() AND query LIKE 'LISTEN%'"
        )
    finally:
        await connection.close()
