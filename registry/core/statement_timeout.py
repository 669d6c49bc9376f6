"""Statements running longer than the deployment's limit are stopped: PostgreSQL by its own
`statement_timeout`, SQLite by a progress handler (below)."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# SQLite calls the progress handler every this many virtual-machine instructions.
_PROGRESS_STEPS = 20_000


def interrupt_slow_sqlite_statements(engine: AsyncEngine, timeout_ms: int) -> None:
    """Interrupt any statement of this SQLite engine running longer than `timeout_ms`.

    SQLite has no statement_timeout: each connection gets a progress handler that aborts the
    statement ("interrupted") once the deadline set when the statement started has passed.
    """
    from sqlalchemy.util.concurrency import await_

    @event.listens_for(engine.sync_engine, "connect")
    def _install(dbapi_connection: Any, record: Any) -> None:
        deadline = [0.0]
        record.info["gridreg_deadline"] = deadline

        def over_time() -> int:
            return 1 if deadline[0] and time.monotonic() > deadline[0] else 0

        driver = dbapi_connection._connection  # the aiosqlite connection
        await_(driver.set_progress_handler(over_time, _PROGRESS_STEPS))

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _start(conn: Any, *_: Any) -> None:
        deadline = conn.info.get("gridreg_deadline")
        if deadline is not None:
            deadline[0] = time.monotonic() + timeout_ms / 1000


def is_statement_timeout(error: BaseException) -> bool:
    """Whether a database error is a statement cut short by the timeout above."""
    text = f"{type(getattr(error, 'orig', error)).__name__} {error}".lower()
    return "querycancel" in text or "statement timeout" in text or "interrupted" in text
