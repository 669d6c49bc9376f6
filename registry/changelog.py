"""The change log: every write records who, when, what, before and after."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from registry.models import Change


@dataclass
class Recorder:
    """Writes change rows for one request, all sharing its request id."""

    session: AsyncSession
    token_id: int | None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    message: str | None = None

    def record(
        self,
        entity: str,
        entity_id: int,
        action: str,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Add one change row to the current transaction."""
        self.session.add(
            Change(
                token_id=self.token_id,
                request_id=self.request_id,
                entity=entity,
                entity_id=entity_id,
                action=action,
                before=_jsonable(before),
                after=_jsonable(after),
                message=self.message,
            )
        )


def snapshot(row: object, *fields: str) -> dict[str, Any]:
    """The named attributes of a row, for a before/after record."""
    return {name: getattr(row, name) for name in fields}


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
