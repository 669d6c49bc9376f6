"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Executable, Row, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def create_engine(
    database_url: str,
    *,
    immediate: bool = False,
    reads_only: bool = False,
    statement_timeout_ms: int = 0,
) -> AsyncEngine:
    """An async engine. On SQLite: foreign keys, WAL, a busy timeout, and with
    `immediate` every transaction takes the write lock up front, so two writers
    queue instead of failing when one upgrades its read lock; with `reads_only` no
    transaction at all (each statement reads the latest commit, as PostgreSQL's reads do).
    A positive `statement_timeout_ms` cancels any statement running longer."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        # JIT compilation costs PostgreSQL a second on the subtree range joins and saves nothing.
        # Random reads cost about what sequential ones do on SSDs and a cached database; at the
        # default (4) the planner hash-joins whole tables under the correlated subtree counts
        # of org charts and coverage instead of seeking their indexes (30x slower).
        # Statements are prepared once per connection and then run with new bounds. Planned
        # anew on every run (PostgreSQL's choice for most of ours), planning took longer than
        # running them: 40 % of the database's time under `gridreg load`. A generic plan is
        # made once; statements are written so that it seeks their indexes.
        server_settings = {
            "jit": "off",
            "random_page_cost": "1.1",
            "plan_cache_mode": "force_generic_plan",
        }
        if statement_timeout_ms > 0:
            server_settings["statement_timeout"] = str(statement_timeout_ms)
        engine = create_async_engine(
            url,
            # Kept open between requests: a connection closed because the pool was full is a
            # new server process next time, and every statement prepared and planned anew.
            pool_size=20,
            max_overflow=10,
            connect_args={"server_settings": server_settings},
            # Reads run in autocommit (see Database): returning their connection needs no
            # rollback. Writes run in transactions, which this leaves alone.
            skip_autocommit_rollback=True,
        )
        event.listen(engine.sync_engine.pool, "checkout", _refuse_closed_connection)
        return engine
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    # Through aiosqlite every call is a hop to the connection's thread and back (~0.15 ms): a
    # read session's BEGIN, ROLLBACK and reset on return cost more than a small query. The
    # read engine never begins a transaction, so its connections are always in autocommit
    # (isolation_level None, below) and closing a session skips the DBAPI rollback; never on
    # the write engine, whose transactions SQLAlchemy's own BEGIN starts behind the driver.
    engine = create_async_engine(
        url,
        connect_args={"timeout": 30},
        pool_reset_on_return=None if reads_only else "rollback",
        skip_autocommit_rollback=reads_only,
    )
    begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's own BEGIN (below) start transactions, not the driver.
        dbapi_connection.isolation_level = None
        # Relay ids and cursors are base64, which SQLite lacks (registry.reads.json_sql).
        dbapi_connection.create_function("gridreg_base64", 1, _base64, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(connection: Any) -> None:
        if not reads_only:
            connection.exec_driver_sql(begin)

    if statement_timeout_ms > 0:
        from registry.core.statement_timeout import interrupt_slow_sqlite_statements

        interrupt_slow_sqlite_statements(engine, statement_timeout_ms)
    return engine


def _base64(text: str | None) -> str | None:
    return None if text is None else base64.b64encode(text.encode()).decode()


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Hand out no connection the server has closed (a restart, an administrator): the pool
    then opens a fresh one. asyncpg notices the server's goodbye on the idle socket, so this
    costs no round trip, unlike `pool_pre_ping` (BEGIN, a ping, ROLLBACK on every checkout)."""
    if dbapi_connection.driver_connection.is_closed():
        raise exc.DisconnectionError("the database closed this connection")


class Database:
    """A read engine and a write engine (the same one on PostgreSQL)."""

    def __init__(self, database_url: str, statement_timeout_ms: int = 0) -> None:
        self.url = database_url
        self.engine = create_engine(
            database_url, reads_only=True, statement_timeout_ms=statement_timeout_ms
        )
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self.write_engine = (
            create_engine(database_url, immediate=True, statement_timeout_ms=statement_timeout_ms)
            if self.is_sqlite
            else self.engine
        )
        # Reads run without a transaction: at READ COMMITTED every PostgreSQL statement takes its
        # own snapshot anyway, and SQLite's read engine never begins one (`reads_only`), so
        # BEGIN and ROLLBACK would only add two round trips per read.
        reader = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._read = async_sessionmaker(reader, expire_on_commit=False)
        self._write = async_sessionmaker(self.write_engine, expire_on_commit=False)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading: each statement on its own, seeing the latest commit (see
        `__init__`). Never write through it."""
        async with self._read() as session:
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed if the block succeeds, else rolled back."""
        async with self._write() as session, session.begin():
            yield session

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()


async def column_rows(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Sequence[Row[Any]]:
    """All rows of a statement that selects columns, not entities, read through the session's
    connection: the ORM's result handling is for entities, and on a page of 100 rows it costs
    half a millisecond more than the rows themselves."""
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()
