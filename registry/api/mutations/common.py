"""What every mutation module shares: references, dates typed as text, the date of today."""

from __future__ import annotations

from datetime import date

from registry.access.lookup import Key
from registry.api.refs import parse_ref
from registry.core import calendar
from registry.writes.common import day

DATE_HELP = "A date written YYYY-MM-DD."


def ref(value: str, type_name: str) -> Key:
    """A reference (global ID or code) as a lookup key."""
    return parse_ref(value.strip(), type_name)


def opt_ref(value: str | None, type_name: str) -> Key | None:
    return None if value is None or not value.strip() else ref(value, type_name)


def refs(values: list[str] | None, type_name: str) -> list[Key]:
    return [ref(v, type_name) for v in values or []]


def on_day(raw: str | None, field: str) -> date:
    """A date typed as text (a malformed one is a user error, INVALID); today if omitted."""
    today = calendar.today()
    return day(raw, field, today) or today


def opt_day(raw: str | None, field: str) -> date | None:
    return day(raw, field)
