"""Small SQL building blocks the storage layer shares."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, literal


def one_of(column: ColumnElement[Any], values: Iterable[str | Enum]) -> ColumnElement[bool]:
    """SQL: `column IN (...)` for a fixed set of values (kinds, roles, statuses), in a stable
    order, one bound parameter each. A plain `in_(list)` is an "expanding" parameter that
    SQLAlchemy renders into the statement anew on every execution: on a coverage request
    that took a tenth of the server's time."""
    plain = sorted(v.value if isinstance(v, Enum) else v for v in values)
    return column.in_([literal(v, column.type) for v in plain])
