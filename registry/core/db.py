"""Engines and sessions for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

import asyncio
import base64
import copy
import itertools
import logging
import time
import weakref
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

import orjson
from asyncpg import PostgresConnectionError, PostgresError
from sqlalchemy import Executable, Row, Select, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.util import greenlet_spawn

log = logging.getLogger(__name__)


# A row of any shape (SQLAlchemy types rows by the types of their columns).
AnyRow: TypeAlias = Row[*tuple[Any, ...]]
# A SELECT of any columns, for the same reason.
AnySelect: TypeAlias = Select[*tuple[Any, ...]]


# Connections a process's sessions can always have from the pool.
SESSION_CONNECTIONS = 20
# Connections `Database.read_value` keeps out of the pool between reads, besides the sessions':
# about as many as the plain reads a process serving 20 clients runs at once. A read that
# finds none kept goes through the pool's checkout and return (60 µs of CPU in greenlets, half
# of a small lookup's): at 20 clients a lookup took 0.132 ms of the server's CPU with 4 kept,
# 0.096 with 16.
KEPT_DRIVERS = 16


def create_engine(
    database_url: str,
    *,
    immediate: bool = False,
    reads_only: bool = False,
    statement_timeout_ms: int = 0,
    pgbouncer: bool = False,
    connect_timeout_s: float | None = None,
) -> AsyncEngine:
    """An async engine. On SQLite: foreign keys, WAL, a busy timeout, and with
    `immediate` every transaction takes the write lock up front, so two writers
    queue instead of failing when one upgrades its read lock; with `reads_only` no
    transaction at all (each statement reads the latest commit, as PostgreSQL's reads do).
    A positive `statement_timeout_ms` cancels any statement running longer.

    With `pgbouncer` (PostgreSQL behind PgBouncer in transaction mode, where consecutive
    transactions of one client connection may run on different server connections), every
    statement is prepared unnamed in the transaction that runs it, none is cached, and no
    server setting is sent at connection start (PgBouncer refuses unknown startup parameters):
    give the database or role those settings instead (README, "Read replicas"). Reads still
    run in autocommit: asyncpg parses a statement with a Flush, not a Sync, so PgBouncer keeps
    the server connection until the statement has run."""
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
        connect_args: dict[str, Any] = {"server_settings": server_settings}
        if pgbouncer:
            connect_args = {
                # Neither asyncpg's cache nor SQLAlchemy's: a statement prepared in one
                # transaction may be gone (another server connection) in the next.
                "statement_cache_size": 0,
                "prepared_statement_cache_size": 0,
                # Unnamed: asyncpg's numbered names collide on a server connection that other
                # clients prepared theirs on, and unique ones would pile up there, never closed.
                "prepared_statement_name_func": _unnamed,
            }
        if connect_timeout_s is not None:
            connect_args["timeout"] = connect_timeout_s
        engine = create_async_engine(
            url,
            # Kept open between requests: a connection closed because the pool was full is a
            # new server process next time, and every statement prepared and planned anew.
            pool_size=SESSION_CONNECTIONS,
            # Room beyond the sessions' for the connections plain reads keep out of the pool.
            max_overflow=KEPT_DRIVERS,
            # The connection used last is handed out first: its statements are prepared and
            # planned already. In turn (the default), a query asked after a burst of requests
            # lands on connections that never ran it, and pays to prepare it on each (3x).
            pool_use_lifo=True,
            connect_args=connect_args,
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
        # Relay ids and cursors are base64, and a real is written as the shortest text that
        # reads back the same, neither of which SQLite has (registry.reads.json_sql).
        dbapi_connection.create_function("gridreg_base64", 1, _base64, deterministic=True)
        dbapi_connection.create_function("gridreg_json_real", 1, _json_real, deterministic=True)
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


def _unnamed() -> str:
    return ""  # asyncpg's name of the unnamed statement


def _base64(text: str | None) -> str | None:
    return None if text is None else base64.b64encode(text.encode()).decode()


def _json_real(value: float | None) -> str | None:
    # As the API writes a float (orjson): SQLite's own JSON keeps 15 digits.
    return None if value is None else orjson.dumps(float(value)).decode()


def _refuse_closed_connection(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Hand out no connection the server has closed (a restart, an administrator): the pool
    then opens a fresh one. asyncpg notices the server's goodbye on the idle socket, so this
    costs no round trip, unlike `pool_pre_ping` (BEGIN, a ping, ROLLBACK on every checkout)."""
    if _closed_by_server(dbapi_connection):
        raise exc.DisconnectionError("the database closed this connection")


def _closed_by_server(dbapi_connection: Any) -> bool:
    """Whether the server has closed this pooled connection (asyncpg saw its goodbye), in
    the pool or kept by `Database.read_value`."""
    return bool(dbapi_connection.driver_connection.is_closed())


# What a replica says of itself: whether it is a standby, how far it has replayed the primary's
# WAL, and how many seconds behind it is. Receiving WAL (a WAL receiver runs) and having
# replayed all it received, it is not behind, however long ago the primary last wrote; else it
# is as far behind as the commit time of the last transaction it replayed (unknown: behind
# without bound), as one cut off from its primary is, though it has replayed all it received.
_REPLICA_STATE = text(
    "SELECT pg_is_in_recovery(), (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint, "
    "CASE WHEN EXISTS (SELECT FROM pg_stat_wal_receiver) "
    "AND pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() THEN 0 "
    "ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 END"
)
_REPLAYED = text("SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint")
# After a write has committed, the primary's WAL position is at or past the end of its commit
# record: a replica that has replayed that far sees the write.
_RECORD_FENCE = text(
    "INSERT INTO read_fence (token_id, lsn) "
    "VALUES (:token, (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint) "
    "ON CONFLICT (token_id) DO UPDATE SET lsn = greatest(read_fence.lsn, excluded.lsn)"
)
_FENCE = text("SELECT lsn FROM read_fence WHERE token_id = :token")


# A replica that is down, or could not be asked, is tried again after this long.
REPLICA_RETRY_S = 2.0
# Connecting to a replica gives up after this long (a host that does not answer at all).
REPLICA_CONNECT_TIMEOUT_S = 2.0


class Replica:
    """One PostgreSQL streaming replica: its engine, and what it last said of itself."""

    def __init__(self, number: int, url: str, statement_timeout_ms: int, pgbouncer: bool) -> None:
        self.number = number  # its place in GRIDREG_READ_DATABASE_URL, for the log
        self.engine = create_engine(
            url,
            reads_only=True,
            statement_timeout_ms=statement_timeout_ms,
            pgbouncer=pgbouncer,
            connect_timeout_s=REPLICA_CONNECT_TIMEOUT_S,
        )
        reader = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.sessions = async_sessionmaker(reader, expire_on_commit=False)
        self.replayed = -1  # the WAL position it had replayed when last asked
        self.lag_s = float("inf")  # how far behind the primary it was then
        self.checked_at = float("-inf")  # when (time.monotonic()) it last answered
        self.down_until = float("-inf")  # not asked again before this
        self.checking: asyncio.Task[None] | None = None
        self.skipped = False  # skipped when last asked (to log only the changes)

    def behind_s(self, now: float) -> float:
        """At most how far behind the primary it is now: its lag when last asked, plus the
        time since (it may have stopped replaying right after answering)."""
        return self.lag_s + (now - self.checked_at)

    def went_down(self, why: object) -> None:
        """Skip it until REPLICA_RETRY_S from now."""
        if not self.skipped:
            log.warning("read replica %d skipped: %s", self.number, _one_line(why))
        self.skipped = True
        self.down_until = time.monotonic() + REPLICA_RETRY_S
        self.lag_s = float("inf")


def _one_line(why: object) -> str:
    # Driver errors may span lines; the log gets one (never a URL: none is in them).
    return " ".join(f"{type(why).__name__}: {why}".split())


class Replicas:
    """The read replicas of a primary, each asked every `check_interval_s` (in the background,
    by whichever request finds the answer stale) how far behind it is. A replica further behind
    than `max_lag_s`, down, or no longer a standby (promoted) is skipped until it recovers."""

    def __init__(
        self, urls: Sequence[str], max_lag_s: float, statement_timeout_ms: int, pgbouncer: bool
    ) -> None:
        self.max_lag_s = max_lag_s
        # Often enough that a replica falling behind is noticed well within the limit, and no
        # more than once a second per worker.
        self.check_interval_s = min(1.0, max_lag_s / 4)
        self.replicas = [
            Replica(number, url, statement_timeout_ms, pgbouncer)
            for number, url in enumerate(urls, start=1)
        ]
        self._turn = itertools.count()

    def __bool__(self) -> bool:
        return bool(self.replicas)

    async def choose(self, fence: int) -> Replica | None:
        """A replica fit to answer a caller whose reads must have reached WAL position `fence`
        (taking turns among the fit ones), or None: the primary answers."""
        now = time.monotonic()
        # A replica never asked (a worker's first reads), or fit when last asked but too long
        # ago to be sure of now (after an idle spell): ask it and wait for the answer, rather
        # than send every read to the primary until a background check has one.
        unsure = [
            r
            for r in self.replicas
            if not r.skipped and now >= r.down_until and r.behind_s(now) > self.max_lag_s
        ]
        if unsure:
            self._check_stale(now)
            await asyncio.gather(*(r.checking for r in unsure if r.checking is not None))
            now = time.monotonic()
        self._check_stale(now)
        fit = [
            r for r in self.replicas if now >= r.down_until and r.behind_s(now) <= self.max_lag_s
        ]
        if not fit:
            return None
        turn = next(self._turn) % len(fit)
        fit = fit[turn:] + fit[:turn]
        for replica in fit:
            if replica.replayed >= fence:
                return replica
        # The caller wrote since the replicas were last asked: the first may have replayed it
        # by now (usually within milliseconds of the commit).
        replica = fit[0]
        try:
            async with replica.sessions() as session:
                replayed = int(await session.scalar(_REPLAYED) or -1)
            replica.replayed = max(replica.replayed, replayed)
        except Exception as error:  # noqa: BLE001 - any failure to answer: skip it, use the primary
            replica.went_down(error)
            return None
        return replica if replica.replayed >= fence else None

    def _check_stale(self, now: float) -> None:
        for replica in self.replicas:
            due = max(replica.checked_at + self.check_interval_s, replica.down_until)
            if replica.checking is None and now >= due:
                replica.checking = asyncio.create_task(self._check(replica))

    async def _check(self, replica: Replica) -> None:
        try:
            async with asyncio.timeout(REPLICA_CONNECT_TIMEOUT_S + 1), replica.sessions() as s:
                in_recovery, replayed, lag_s = (await s.execute(_REPLICA_STATE)).one()
            if not in_recovery:
                # Promoted, or the URL names a primary: its data may part from the primary's.
                replica.went_down("it is not a standby (pg_is_in_recovery() is false)")
                return
            # An answer may arrive after a fresher one (a read's own asking, above).
            replica.replayed = max(replica.replayed, int(replayed))
            replica.lag_s = float("inf") if lag_s is None else float(lag_s)
            replica.checked_at = time.monotonic()
            self._log_change(replica)
        except Exception as error:  # noqa: BLE001 - any failure to answer: skip it for a while
            replica.went_down(error)
        finally:
            replica.checking = None

    def _log_change(self, replica: Replica) -> None:
        """Say when a replica that answers falls behind the limit, or is fit again."""
        fit = replica.lag_s <= self.max_lag_s
        if fit and replica.skipped:
            log.info("read replica %d answers reads again", replica.number)
        elif not fit and not replica.skipped:
            log.warning(
                "read replica %d skipped: %.1f s behind the primary (GRIDREG_READ_MAX_LAG=%s)",
                replica.number, replica.lag_s, self.max_lag_s,
            )  # fmt: skip
        replica.skipped = not fit

    async def dispose(self) -> None:
        for replica in self.replicas:
            if replica.checking is not None:
                replica.checking.cancel()
            await replica.engine.dispose()


@dataclass
class _Route:
    """Where one request reads: a replica chosen at its first read, or the primary once it
    must (a mutation, anything after its own write, no replica fit)."""

    token_id: int | None
    fence: int
    primary: bool = False
    replica: Replica | None = None
    chosen: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Database:
    """A read engine and a write engine (the same one on PostgreSQL), and on PostgreSQL maybe
    read replicas, which only the view of one request (`for_request`) reads from."""

    def __init__(
        self,
        database_url: str,
        statement_timeout_ms: int = 0,
        *,
        read_urls: Sequence[str] = (),
        read_max_lag_s: float = 5.0,
        pgbouncer: bool = False,
    ) -> None:
        self.url = database_url
        self.engine = create_engine(
            database_url,
            reads_only=True,
            statement_timeout_ms=statement_timeout_ms,
            pgbouncer=pgbouncer,
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
        self._reader = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        )
        self._read = async_sessionmaker(self._reader, expire_on_commit=False)
        self._write = async_sessionmaker(self.write_engine, expire_on_commit=False)
        self.replicas = Replicas(read_urls, read_max_lag_s, statement_timeout_ms, pgbouncer)
        self._route: _Route | None = None
        # Called after each write this process commits (`write`): what a process keeps about
        # the data (the access layer's actors) learns of its own writes at once, before any
        # notification from the database reaches it.
        self.after_commit: list[Callable[[], None]] = []
        # Connections `read_value` keeps between reads, out of the pool (shared by request views).
        self._kept_drivers: list[Any] = []
        # Per event loop (a lock belongs to the loop it first waits on); shared by request views.
        self._pair_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    async def for_request(self, session: AsyncSession, token_id: int | None) -> Database:
        """This database as one request of this token should use it: with read replicas, a
        view whose reads go to a replica that has replayed the token's last acknowledged write,
        and to the primary once the request writes (`write`) or is a mutation
        (`pin_to_primary`); without, the database itself. `session` reads the primary.

        Read-your-writes across workers (and machines): the fence of a token (the primary's WAL
        position after its last write) lives in the primary's `read_fence` table, read here
        with the token check's own connection, so a write acknowledged by one worker bounds the
        token's next read on any other. A fence in each worker's memory alone would not: the
        token's next request may reach another worker. Routing a token to the primary for a
        while after a write would need the same shared record, and guesses a time."""
        if not self.replicas:
            return self
        fence = -1
        if token_id is not None:
            fence = int(await session.scalar(_FENCE, {"token": token_id}) or -1)
        view = copy.copy(self)
        view._route = _Route(token_id, fence, primary=token_id is None)
        return view

    def pin_to_primary(self) -> None:
        """Every read of this request from now on goes to the primary (a mutation: what it
        checks before writing must be the latest)."""
        if self._route is not None:
            self._route.primary = True

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A session for reading: each statement on its own, seeing the latest commit (see
        `__init__`), of a replica when this request's view chose one. Never write through it."""
        session = await self._replica_session() if self._route is not None else None
        async with session if session is not None else self._read() as session:
            yield session

    @asynccontextmanager
    async def read_pair(self) -> AsyncIterator[tuple[AsyncSession, AsyncSession]]:
        """Two sessions for reading side by side, as `read` gives them, both connected before
        either is used. Taken together, one pair at a time: requests that each held one
        connection while waiting for their second could take the whole pool between them and
        wait for ever (a page of places, each with its rules report)."""
        loop = asyncio.get_running_loop()
        lock = self._pair_locks.setdefault(loop, asyncio.Lock())
        async with AsyncExitStack() as stack:
            async with lock:
                first = await stack.enter_async_context(self.read())
                second = await stack.enter_async_context(self.read())
                await first.connection()
                await second.connection()
            yield first, second

    async def _replica_session(self) -> AsyncSession | None:
        """A session on this request's replica, connected, or None for the primary."""
        route = self._route
        assert route is not None
        async with route.lock:
            if not route.chosen and not route.primary:
                route.replica = await self.replicas.choose(route.fence)
                route.chosen = True
        if route.primary or route.replica is None:
            return None
        session = route.replica.sessions()
        try:
            # Connect now: a replica gone since it was chosen is noticed here, and the
            # request falls back to the primary instead of failing.
            await session.connection()
        except Exception as error:  # noqa: BLE001 - any failure to connect: use the primary
            await session.close()
            route.replica.went_down(error)
            route.primary = True
            return None
        return session

    @asynccontextmanager
    async def read_connection(self) -> AsyncIterator[AsyncConnection]:
        """A connection reading as `read` does, for plain statements: a session's set-up and
        close cost a one-statement read more than the statement (0.1 ms of CPU). A request
        routed among read replicas reads through `read`, which chooses its replica."""
        if self._route is not None:
            async with self.read() as session:
                yield await session.connection()
            return
        async with self._reader.connect() as connection:
            yield connection

    async def read_value(self, sql: str, parameters: Any) -> Any:
        """The first column of the first row of one plain read statement in the driver's own
        SQL and parameters (None: no row), read as `read_connection` reads. On PostgreSQL,
        unless the request is routed among replicas, on the driver's connection from the read
        pool, without SQLAlchemy's connection and execution around it: for a compiled read of
        a tenth of a millisecond in the database those took 0.2 ms of the server's CPU, a
        quarter of a small question's."""
        return await self._plain_read(sql, parameters, every_row=False)

    async def read_rows(self, sql: str, parameters: Any) -> Sequence[Sequence[Any]]:
        """Every row of one plain read statement, read as `read_value` reads (rows indexed
        by position)."""
        rows: Sequence[Sequence[Any]] = await self._plain_read(sql, parameters, every_row=True)
        return rows

    async def _plain_read(self, sql: str, parameters: Any, every_row: bool) -> Any:
        if self.is_sqlite or self._route is not None:
            async with self.read_connection() as connection:
                result = await connection.exec_driver_sql(sql, parameters)
                if every_row:
                    return result.all()
                row = result.first()
            return None if row is None else row[0]
        pooled = await self._kept_driver()
        driver: Any = pooled.driver_connection  # asyncpg's
        try:
            if every_row:
                found = await driver.fetch(sql, *parameters)
            else:
                found = await driver.fetchval(sql, *parameters)
        except BaseException as error:
            # An error the server answered (a timeout, a refused statement) leaves the
            # connection usable; after anything else (a lost connection, a cancelled request)
            # it is not pooled again.
            if not isinstance(error, PostgresError) or isinstance(error, PostgresConnectionError):
                await greenlet_spawn(pooled.invalidate, error)
            else:
                await self._keep_driver(pooled)
            raise
        await self._keep_driver(pooled)
        return found

    async def _kept_driver(self) -> Any:
        """A pooled connection for `read_value`: one it used last and kept, else the pool's.
        Taking one from the pool and giving it back (SQLAlchemy's checkout, reset and checkin,
        each in a greenlet) cost 60 µs of CPU, as much as the statement's own round trip."""
        kept = self._kept_drivers
        while kept:
            pooled = kept.pop()
            if not _closed_by_server(pooled):
                return pooled
            # The server closed it while it was kept (a restart, an administrator).
            await greenlet_spawn(pooled.invalidate)
        return await self._reader.raw_connection()

    async def _keep_driver(self, pooled: Any) -> None:
        """Keep a connection `read_value` used for the next one, a few at most; the rest go
        back to the pool (closed, if over the pool's size: asyncpg's close is awaited, which
        SQLAlchemy does inside its greenlet)."""
        if len(self._kept_drivers) < KEPT_DRIVERS:
            self._kept_drivers.append(pooled)
        else:
            await greenlet_spawn(pooled.close)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A session in one transaction: committed if the block succeeds, else rolled back.
        After it commits, this request reads the primary, and with replicas the token's
        fence moves past the write."""
        async with self._write() as session, session.begin():
            yield session
        for committed in self.after_commit:
            committed()
        route = self._route
        if route is not None:
            route.primary = True
            if route.token_id is not None:
                # One statement in autocommit; the write's connection is back in the pool.
                async with self._reader.connect() as connection:
                    await connection.execute(_RECORD_FENCE, {"token": route.token_id})

    async def dispose(self) -> None:
        while self._kept_drivers:
            await greenlet_spawn(self._kept_drivers.pop().close)
        await self.replicas.dispose()
        await self.engine.dispose()
        if self.write_engine is not self.engine:
            await self.write_engine.dispose()


async def copy_rows(
    connection: AsyncConnection, table: str, columns: Sequence[str], records: Sequence[Any]
) -> None:
    """COPY `records` (tuples in the order of `columns`) into `table` on PostgreSQL, inside the
    connection's transaction: bulk writes go straight to asyncpg's binary COPY, an order of
    magnitude faster than INSERT through SQLAlchemy."""
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection  # asyncpg's, the one PostgreSQL driver here
    await driver.copy_records_to_table(table, records=records, columns=list(columns))


async def column_rows(
    session: AsyncSession, statement: Executable, params: Mapping[str, Any] | None = None
) -> Sequence[AnyRow]:
    """All rows of a statement that selects columns, not entities, read through the session's
    connection: the ORM's result handling is for entities, and on a page of 100 rows it costs
    half a millisecond more than the rows themselves."""
    connection = await session.connection()
    return (await connection.execute(statement, params)).all()
