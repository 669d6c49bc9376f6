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
    row = (await connection.exec_driver_sql(read.sql, parameters)).first()
    return None if row is None else row[0]
