"""What a caller may see, written once: the conditions behind every scope cut.

An organisation is visible when its path lies in the caller's subtree, a place when it lies in
one of the caller's territory tops, and a member when their organisation or reporting
organisation is visible or their home is. The same conditions serve two kinds of statement:
those built for one caller, with the caller's paths in them (`registry.access.actor.Actor`), and
those compiled once per shape of caller and cached, whose bounds are bound parameters given at
execution (`registry.reads.viewer.Viewer`, values from `bound_values`). None means "no
condition": an unscoped caller sees everything.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, false, or_
from sqlalchemy.sql.expression import SQLColumnExpression

from registry.core.paths import bound_subtree, within, within_bound

ORG_BOUND = "scope_org"
PLACE_BOUND = "scope_place"

# A path, or None where the statement is compiled once and the path is bound at execution.
Path = str | None


def _subtree(column: SQLColumnExpression[str | None], name: str, path: Path) -> ColumnElement[bool]:
    # Unbound: named, so that the cached statement takes each caller's values at execution.
    return within_bound(column, name) if path is None else within(column, path)


def visible_orgs(
    column: SQLColumnExpression[str], scoped: bool, org_path: Path = None
) -> ColumnElement[bool] | None:
    """An organisation path lies in the caller's subtree."""
    return _subtree(column, ORG_BOUND, org_path) if scoped else None


def visible_places(
    column: SQLColumnExpression[str], scoped: bool, tops: Sequence[Path]
) -> ColumnElement[bool] | None:
    """A place path lies in one of the caller's territory tops (none: nothing is visible)."""
    return _territory(column, tops) if scoped else None


def _territory(
    column: SQLColumnExpression[str | None], tops: Sequence[Path]
) -> ColumnElement[bool]:
    ranges = [_subtree(column, f"{PLACE_BOUND}_{i}", top) for i, top in enumerate(tops)]
    return or_(*ranges) if ranges else false()


def visible_member(
    org_path: SQLColumnExpression[str | None],
    reports_path: SQLColumnExpression[str | None],
    home_path: SQLColumnExpression[str | None],
    scoped: bool,
    scope_org: Path = None,
    tops: Sequence[Path] = (),
) -> ColumnElement[bool] | None:
    """A member (by the paths kept on their row: organisation, reporting organisation, home)
    belongs, reports to, or lives within the caller's scope."""
    if not scoped:
        return None
    return or_(
        _subtree(org_path, ORG_BOUND, scope_org),
        _subtree(reports_path, ORG_BOUND, scope_org),
        _territory(home_path, tops),
    )


def bound_values(org_path: str | None, tops: Sequence[str]) -> dict[str, str]:
    """The values of the bounds of statements compiled for a scoped caller's shape."""
    if org_path is None:
        return {}
    values = bound_subtree(ORG_BOUND, org_path)
    for index, top in enumerate(tops):
        values |= bound_subtree(f"{PLACE_BOUND}_{index}", top)
    return values
