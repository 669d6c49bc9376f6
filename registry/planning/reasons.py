"""The algorithms' reasons as plain JSON data: how an assignment stores its explanation and
how the API and the workbooks read one.

A reason is `{"code": "LEADS_HOME_BUILDING", "params": {"building": "CT-B01"}}`: the code is
the key a reader's language words it by (`explain.<code>` in registry/reports/wording), the
params are text. A list of values (skills, tasks, members) is its items joined by commas, so
the reader can name each one."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graph.model import Reason

# An explanation as stored and served: a list of {"code": str, "params": {name: text}}.
PlainReason = dict[str, Any]


def text(value: object) -> str:
    """A parameter's value as text: lists joined by commas, whole numbers without a '.0'."""
    if isinstance(value, tuple | list | frozenset | set):
        return ",".join(text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def plain(found: Reason) -> PlainReason:
    """One reason as plain data."""
    return {"code": found.code, "params": {name: text(value) for name, value in found.params}}


def plain_all(found: Iterable[Reason]) -> list[PlainReason]:
    """An explanation (several reasons, in order) as plain data."""
    return [plain(r) for r in found]


def from_plain(stored: Iterable[PlainReason]) -> tuple[Reason, ...]:
    """A stored explanation back as the algorithms' reasons (to re-plan from)."""
    return tuple(Reason(r["code"], tuple(r.get("params", {}).items())) for r in stored)
