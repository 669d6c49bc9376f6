"""How a server process hears that what a token grants may have changed, so that it may keep
the actors of the tokens it has checked (registry.access.tokens) and still refuse a revoked or
narrowed token on the very next request, whichever process serves it.

- PostgreSQL: a trigger on every table an actor is read from (tokens, console sessions,
  organisations, places, coverage; migration 0010) notifies channel `gridreg_access` when its
  transaction commits; each process LISTENs on a connection of its own.
- SQLite (one machine): `PRAGMA data_version` on a connection of the process's own changes
  whenever any other connection has committed; reading it costs microseconds.

Whenever a process cannot be sure to hear of changes (not listening yet, the listening
connection lost, an in-memory database, a schema without the triggers) it keeps nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import make_url

CHANNEL = "gridreg_access"
# After losing or failing to open the listening connection, try again at most this often.
RETRY_SECONDS = 5.0

logger = logging.getLogger(__name__)


class Changes:
    """What a cache of actors asks before answering: whether it may (`heard`), having been
    told of every change committed since it was filled (`on_change` empties it)."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.on_change = on_change

    def heard_now(self) -> bool | None:
        """`heard`, when it can be told without waiting (None: only `heard` can tell): asked
        on every request, so the answer that needs no waiting takes no coroutine."""
        return False

    async def heard(self) -> bool:
        """True when every change committed so far has reached `on_change`."""
        return bool(self.heard_now())

    async def close(self) -> None:
        """Stop listening."""


class SqliteChanges(Changes):
    """SQLite: a change is a new `data_version` on a connection kept for asking it."""

    def __init__(self, path: str, on_change: Callable[[], None]) -> None:
        super().__init__(on_change)
        self.path = path
        self.connection: sqlite3.Connection | None = None
        self.version: int | None = None

    def heard_now(self) -> bool:
        try:
            if self.connection is None:
                # Read in the event loop's thread: the pragma reads SQLite's shared WAL index,
                # no table, and a hop to a worker thread would cost more than the check saves.
                self.connection = sqlite3.connect(
                    self.path, timeout=1, isolation_level=None, check_same_thread=False
                )
            version = int(self.connection.execute("PRAGMA data_version").fetchone()[0])
        except sqlite3.Error:
            self._close()
            self.on_change()
            return False
        if version != self.version:
            self.version = version
            self.on_change()
        return True

    async def close(self) -> None:
        self._close()

    def _close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None
        self.version = None


class PostgresChanges(Changes):
    """PostgreSQL: notifications on `gridreg_access`, on a connection that only listens."""

    def __init__(self, url: str, on_change: Callable[[], None]) -> None:
        super().__init__(on_change)
        self.dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection: Any = None
        self.listening = False
        self.next_try = 0.0
        self.opening: asyncio.Lock | None = None

    def heard_now(self) -> bool | None:
        return True if self.listening else None

    async def heard(self) -> bool:
        if self.listening:
            return True
        if time.monotonic() < self.next_try:
            return False
        if self.opening is None:
            self.opening = asyncio.Lock()
        if self.opening.locked():  # another request is opening it: read the database meanwhile
            return False
        async with self.opening:
            await self._listen()
        return self.listening

    async def _listen(self) -> None:
        import asyncpg

        try:
            connection = await asyncpg.connect(self.dsn)
        except (OSError, asyncpg.PostgresError) as error:
            self._failed("cannot open the connection that hears of token changes", error)
            return
        try:
            if not await connection.fetchval(
                "SELECT to_regproc('gridreg_access_changed') IS NOT NULL"
            ):
                # A schema before migration 0010: nothing would ever be heard.
                await connection.close()
                self.next_try = float("inf")
                return
            await connection.add_listener(CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError) as error:
            await connection.close()
            self._failed("cannot listen for token changes", error)
            return
        connection.add_termination_listener(self._lost)
        self.connection = connection
        # Whatever was kept before now may have changed unheard.
        self.on_change()
        self.listening = True

    def _notified(self, *_: Any) -> None:
        self.on_change()

    def _lost(self, *_: Any) -> None:
        self.listening = False
        self.connection = None
        self.on_change()
        self.next_try = time.monotonic() + RETRY_SECONDS
        logger.warning("lost the connection that hears of token changes; checking every token "
                       "in the database until it is back")  # fmt: skip

    def _failed(self, what: str, error: BaseException) -> None:
        self.next_try = time.monotonic() + RETRY_SECONDS
        logger.warning("%s (%s); checking every token in the database", what, type(error).__name__)

    async def close(self) -> None:
        self.listening = False
        connection, self.connection = self.connection, None
        if connection is not None:
            # Closed on purpose (a process stopping): nothing is lost, nothing to report.
            connection.remove_termination_listener(self._lost)
            with contextlib.suppress(Exception):
                await connection.close(timeout=5)


def changes_of(url: str, on_change: Callable[[], None]) -> Changes:
    """How a process hears of changes to the database at `url` (a normalised URL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        return PostgresChanges(url, on_change)
    if parsed.database and parsed.database != ":memory:" and "mode=memory" not in url:
        return SqliteChanges(parsed.database, on_change)
    return Changes(on_change)
