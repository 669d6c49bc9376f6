"""Running a compiled read: one statement, one JSON text back."""

from __future__ import annotations

from typing import Any

from registry.access.actor import Actor
from registry.core.db import Database
from registry.reads.compile import compiled
from registry.reads.selection import RootList, RootObject
from registry.reads.viewer import Viewer, viewer_params


async def read_json(
    db: Database,
    actor: Actor,
    root: RootList | RootObject,
    values: dict[str, Any],
) -> str | None:
    """The answer to `root` for `actor`, as JSON text (None: a lookup found nothing visible).
    `values` fill the selection's slots."""
    read = compiled(root, Viewer.of(actor), db.engine.dialect)
    text: str | None = await db.read_value(read.sql, read.parameters(values | viewer_params(actor)))
    return text
