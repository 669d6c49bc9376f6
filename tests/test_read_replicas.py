"""Read replicas, for real: a PostgreSQL primary and a hot standby streaming from it, made for
these tests (tests/clusters.py), with gridreg reading the standby (GRIDREG_READ_DATABASE_URL).

Which server answered is seen through the API: with WAL replay paused on the standby, a write
reaches the primary only, so a read that does not see it was answered by the standby.

These tests make their own clusters, so they would pass the same in the SQLite pass of CI as in
the PostgreSQL one; at 20-30 s they are run once, in the PostgreSQL pass (when
GRIDREG_TEST_DATABASE_URL is set), whenever PostgreSQL's server binaries are installed."""

from __future__ import annotations

import asyncio
import os
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.traffic import run_load
from registry.core.config import Settings, normalise_database_url
from registry.core.db import Database
from registry.core.migrate import upgrade
from tests.clusters import PgBouncer, PrimaryAndStandby, pgbouncer_installed, why_no_clusters
from tests.support import GraphQLClient, LiveServer, Registry, operation
from tests.test_serving import GRIDREG, LISTEN, children, free_port, held
from tests.workbooks import two_communities


def why_skipped() -> str | None:
    if not os.environ.get("GRIDREG_TEST_DATABASE_URL"):
        return (
            "read replicas are PostgreSQL's: these tests run in the PostgreSQL pass "
            "(GRIDREG_TEST_DATABASE_URL set), on clusters of their own"
        )
    return why_no_clusters()


pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(why_skipped() is not None, reason=str(why_skipped())),
]

NAME = "query PlaceName($code: String!) { place(code: $code) { name } }"
BUILDINGS = ("A-E-B1", "A-E-B2", "B-E-B1", "B-E-B2")


@pytest.fixture(scope="session")
def clusters() -> Iterator[PrimaryAndStandby]:
    """A migrated primary and its hot standby, removed after the session."""
    pair = PrimaryAndStandby()
    try:
        pair.start()
        upgrade(normalise_database_url(pair.primary.url()))
        yield pair
    finally:
        pair.remove()


def replicated_settings(pair: PrimaryAndStandby, max_lag_s: float) -> Settings:
    return Settings.from_env(
        database_url=pair.primary.url(),
        read_database_urls=(pair.standby.url(),),
        read_max_lag_s=max_lag_s,
    )


@pytest.fixture(scope="session")
def replicated(clusters: PrimaryAndStandby) -> Iterator[LiveServer]:
    """gridreg over HTTP on the primary, reading the standby; lag allowed generously, so that
    a paused standby keeps answering the tests' reads."""
    server = LiveServer(replicated_settings(clusters, max_lag_s=120))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def primary(clusters: PrimaryAndStandby) -> AsyncIterator[Database]:
    db = Database(normalise_database_url(clusters.primary.url()))
    yield db
    await db.dispose()


@pytest.fixture(scope="session")
async def loaded(primary: Database, replicated: LiveServer, tmp_path_factory) -> Registry:
    """Two communities in the primary (and so, once replayed, in the standby)."""
    registry = Registry(primary, base_url(replicated), replicated, tmp_path_factory.mktemp("wb"))
    await registry.load(two_communities())
    return registry


@pytest.fixture
async def registry(loaded: Registry) -> AsyncIterator[Registry]:
    """The loaded registry, over a fresh HTTP client; the standby replaying as usual."""
    reg = Registry(loaded.db, str(loaded.http.base_url), loaded.server, loaded.tmp)
    yield reg
    await reg.close()


def base_url(server: LiveServer) -> str:
    port = server.server.servers[0].sockets[0].getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def standby_sql(pair: PrimaryAndStandby, sql: str) -> Any:
    connection = await asyncpg.connect(pair.standby.url())
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


@asynccontextmanager
async def paused(pair: PrimaryAndStandby) -> AsyncIterator[None]:
    """WAL replay paused on the standby inside the block (it still receives WAL)."""
    await standby_sql(pair, "SELECT pg_wal_replay_pause()")
    while await standby_sql(pair, "SELECT pg_get_wal_replay_pause_state()") != "paused":
        await asyncio.sleep(0.01)
    try:
        yield
    finally:
        await standby_sql(pair, "SELECT pg_wal_replay_resume()")


async def name_of(client: GraphQLClient, code: str) -> str:
    return str((await client(NAME, {"code": code}))["place"]["name"])


async def rename(client: GraphQLClient, code: str, name: str) -> str:
    """Rename a place; the name the mutation's own answer shows."""
    data = await client(operation("UpdatePlace"), {"input": {"place": code, "name": name}})
    assert data["updatePlace"]["userErrors"] == []
    return str(data["updatePlace"]["place"]["name"])


async def caught_up(registry: Registry, reader: GraphQLClient, code: str, name: str) -> None:
    """Wait (at most 10 s) until a token that never wrote reads `name` for `code`."""
    deadline = time.monotonic() + 10
    while await name_of(reader, code) != name:
        assert time.monotonic() < deadline, f"{code} never read as {name}"
        await asyncio.sleep(0.05)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SQL statements run on this engine inside the block."""
    seen: list[str] = []

    def listener(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine.sync_engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", listener)


def standby_engine(server: LiveServer) -> AsyncEngine:
    return server.app.state.db.replicas.replicas[0].engine


async def test_reads_go_to_the_standby_and_a_token_reads_its_own_writes(
    registry: Registry, clusters: PrimaryAndStandby
) -> None:
    writer, reader = await registry.client(), await registry.client()
    before = await name_of(reader, "A-E-B1")
    async with paused(clusters):
        # The mutation, and what it answers after writing, run on the primary.
        assert await rename(writer, "A-E-B1", "一号楼（新）") == "一号楼（新）"
        # The writer's next request reads its own write; a token that did not write is
        # answered by the standby, which has not applied it yet.
        assert await name_of(writer, "A-E-B1") == "一号楼（新）"
        assert await name_of(reader, "A-E-B1") == before
        assert await standby_sql(clusters, "SELECT pg_is_in_recovery()") is True
    await caught_up(registry, reader, "A-E-B1", "一号楼（新）")


async def test_concurrent_writers_each_read_their_own_latest_write(
    registry: Registry, clusters: PrimaryAndStandby
) -> None:
    writers = [await registry.client() for _ in BUILDINGS]
    reader = await registry.client()
    old = {code: await name_of(reader, code) for code in BUILDINGS}

    async def write_then_read(client: GraphQLClient, code: str, rounds: int, tag: str) -> None:
        for n in range(rounds):
            name = f"{code} {tag} {n}"
            await rename(client, code, name)
            assert await name_of(client, code) == name

    async with paused(clusters):
        await asyncio.gather(
            *(
                write_then_read(w, code, 3, "paused")
                for w, code in zip(writers, BUILDINGS, strict=True)
            )
        )
        # Nobody else sees those writes on the standby yet.
        assert {code: await name_of(reader, code) for code in BUILDINGS} == old
    # Replaying again: each writer's reads go wherever its last write has been replayed.
    with statements(standby_engine(registry.server)) as on_standby:
        await asyncio.gather(
            *(
                write_then_read(w, code, 5, "live")
                for w, code in zip(writers, BUILDINGS, strict=True)
            )
        )
        for code in BUILDINGS:
            await caught_up(registry, reader, code, f"{code} live 4")
    assert on_standby, "the standby answered no read at all"


async def test_a_stopped_standby_is_skipped_and_used_again_once_back(
    registry: Registry, clusters: PrimaryAndStandby
) -> None:
    writer, reader = await registry.client(), await registry.client()
    await name_of(reader, "B-E-B1")  # the standby's connections are open and pooled
    clusters.standby.stop()
    try:
        # Every read is answered, by the primary, with the latest writes.
        await rename(writer, "B-E-B1", "停机时改名")
        assert await name_of(reader, "B-E-B1") == "停机时改名"
        assert await name_of(writer, "B-E-B1") == "停机时改名"
        coverage = await reader('{ coverage(scope: "B") { buildings { total } } }')
        assert coverage["coverage"]["buildings"]["total"] == 2
    finally:
        clusters.standby.start()
    # Tried again a little later, the standby answers reads again.
    deadline = time.monotonic() + 15
    with statements(standby_engine(registry.server)) as on_standby:
        while not any("place" in sql for sql in on_standby):
            assert time.monotonic() < deadline, "the standby was never used again"
            await name_of(reader, "B-E-B1")
            await asyncio.sleep(0.1)


async def test_a_standby_further_behind_than_the_limit_is_skipped(
    loaded: Registry, clusters: PrimaryAndStandby, tmp_path: Path
) -> None:
    server = LiveServer(replicated_settings(clusters, max_lag_s=0.5))
    server.start()
    registry = Registry(loaded.db, base_url(server), server, tmp_path)
    try:
        writer, reader = await registry.client(), await registry.client()
        await name_of(reader, "B-E-B2")
        async with paused(clusters):
            await rename(writer, "B-E-B2", "落后时改名")
            await asyncio.sleep(1.0)  # the standby is now more than 0.5 s behind
            # A token that did not write is answered by the primary: the standby is skipped.
            assert await name_of(reader, "B-E-B2") == "落后时改名"
        # Caught up again, the standby answers again.
        deadline = time.monotonic() + 10
        with statements(standby_engine(server)) as on_standby:
            while not any("place" in sql for sql in on_standby):
                assert time.monotonic() < deadline, "the standby was never used again"
                await name_of(reader, "B-E-B2")
                await asyncio.sleep(0.05)
    finally:
        await registry.close()
        server.stop()


async def test_a_standby_cut_off_from_its_primary_is_skipped(
    loaded: Registry, clusters: PrimaryAndStandby, tmp_path: Path
) -> None:
    server = LiveServer(replicated_settings(clusters, max_lag_s=0.5))
    server.start()
    registry = Registry(loaded.db, base_url(server), server, tmp_path)
    conninfo = await standby_sql(clusters, "SHOW primary_conninfo")
    try:
        writer, reader = await registry.client(), await registry.client()
        await name_of(reader, "A-E-B1")
        # The standby stops receiving WAL: it has replayed all it received, yet falls behind.
        await standby_sql(clusters, "ALTER SYSTEM SET primary_conninfo = ''")
        await standby_sql(clusters, "SELECT pg_reload_conf()")
        while await standby_sql(clusters, "SELECT count(*) FROM pg_stat_wal_receiver"):
            await asyncio.sleep(0.02)
        await rename(writer, "A-E-B1", "断开时改名")
        await asyncio.sleep(1.0)
        assert await name_of(reader, "A-E-B1") == "断开时改名"
    finally:
        quoted = conninfo.replace("'", "''")
        await standby_sql(clusters, f"ALTER SYSTEM SET primary_conninfo = '{quoted}'")
        await standby_sql(clusters, "SELECT pg_reload_conf()")
        await registry.close()
        server.stop()
    await caught_up(loaded, await loaded.client(), "A-E-B1", "断开时改名")


async def test_the_load_script_is_spread_over_primary_and_standby(
    registry: Registry, clusters: PrimaryAndStandby
) -> None:
    db = registry.server.app.state.db
    with (
        statements(db.engine) as on_primary,
        statements(standby_engine(registry.server)) as on_standby,
    ):
        report = await run_load(
            str(registry.http.base_url),
            normalise_database_url(clusters.primary.url()),
            clients=4,
            seconds=1.5,
            max_requests=300,
        )
    assert report.errors == []
    assert report.writes > 0 and report.consistent, report.missing
    # Writes on the primary only; reads on both.
    writes = ("INSERT", "UPDATE", "DELETE")
    assert any(sql.lstrip().upper().startswith(writes) for sql in on_primary)
    assert not any(sql.lstrip().upper().startswith(writes) for sql in on_standby)
    reads_on_standby = [sql for sql in on_standby if "pg_last" not in sql]
    assert len(reads_on_standby) > report.requests / 4, (len(reads_on_standby), report.requests)


@pytest.fixture
def two_workers(clusters: PrimaryAndStandby, loaded: Registry, tmp_path: Path) -> Iterator[str]:
    """`gridreg serve --workers 2` on the primary, reading the standby; its base URL."""
    port = free_port()
    env = {
        **os.environ,
        "GRIDREG_DATABASE_URL": clusters.primary.url(),
        "GRIDREG_READ_DATABASE_URL": clusters.standby.url(),
        "GRIDREG_READ_MAX_LAG": "120",
    }
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [GRIDREG, "serve", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 20
        while len({pid for pid in children(process.pid) if held(pid, port, LISTEN)}) < 2:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def test_a_token_reads_its_own_writes_on_every_worker(
    loaded: Registry, clusters: PrimaryAndStandby, two_workers: str
) -> None:
    writer, reader = await loaded.token(), await loaded.token()
    # A new connection for every request: the kernel spreads them over both workers.
    fresh = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=two_workers, limits=fresh, timeout=30) as http:
        writes, reads = GraphQLClient(http, writer), GraphQLClient(http, reader)
        before = await name_of(reads, "A-E-B2")
        async with paused(clusters):
            await rename(writes, "A-E-B2", "两个进程")
            # Whichever worker took the write, every worker answers the writer with it...
            for _ in range(12):
                assert await name_of(writes, "A-E-B2") == "两个进程"
            # ...while a token that did not write is answered by the paused standby.
            assert {await name_of(reads, "A-E-B2") for _ in range(4)} == {before}


@pytest.mark.skipif(not pgbouncer_installed(), reason="PgBouncer is not installed")
async def test_behind_pgbouncer_in_transaction_mode_reads_and_writes_work(
    loaded: Registry, clusters: PrimaryAndStandby, tmp_path: Path
) -> None:
    bouncer = PgBouncer(clusters)
    bouncer.start()
    settings = Settings.from_env(
        database_url=bouncer.url("gridreg"),
        read_database_urls=(bouncer.url("gridreg_standby"),),
        read_max_lag_s=120,
        pgbouncer=True,
    )
    server = LiveServer(settings)
    server.start()
    registry = Registry(loaded.db, base_url(server), server, tmp_path)
    try:
        # Three server connections for the clients' many: their transactions take turns on
        # them, and a statement prepared in one must not be looked for in the next.
        with statements(standby_engine(server)) as on_standby:
            report = await run_load(
                base_url(server),
                normalise_database_url(clusters.primary.url()),
                clients=6,
                seconds=1.5,
                max_requests=300,
            )
        assert report.errors == []
        assert report.writes > 0 and report.consistent, report.missing
        assert on_standby, "the standby answered no read through PgBouncer"
    finally:
        await registry.close()
        server.stop()
        bouncer.stop()
