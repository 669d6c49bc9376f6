"""Running a compiled read: one statement, one JSON text back."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from registry.access.actor import Actor
from registry.reads.compile import compiled
from registry.reads.selection import RootList, RootObject
from registry.reads.viewer import Viewer, viewer_params


async def read_json(
    connection: AsyncConnection,
    actor: Actor,
    root: RootList | RootObject,
    values: dict[str, Any],
) -> str | None:
    """The answer to `root` for `actor`, as JSON text (None: a lookup found nothing visible).
    `values` fill the selection's slots."""
    read = compiled(root, Viewer.of(actor), connection.dialect)
    parameters = read.parameters(values | viewer_params(actor))
    if connection.dialect.name == "postgresql":
        # Straight to asyncpg: the statement is already in its parameter style, and its one
        # text comes back without SQLAlchemy's cursor and result (a quarter of the CPU).
        # The pooled connection is already checked out: reach it without another greenlet hop.
        sync = connection.sync_connection
        assert sync is not None  # connected
        driver = sync.connection.driver_connection
        assert driver is not None  # a live pooled connection
        text: str | None = await driver.fetchval(read.sql, *parameters)
        return text
    row = (await connection.exec_driver_sql(read.sql, parameters)).first()
    return None if row is None else row[0]
