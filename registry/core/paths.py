"""Materialised paths: `/1/5/9/` for node 9 under 5 under 1.

A subtree is the half-open range [path, path_end) which both SQLite and PostgreSQL
(with COLLATE "C") answer from an index, unlike `LIKE 'p%'`.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, and_, bindparam, false, func, or_
from sqlalchemy.sql.expression import SQLColumnExpression


def child_path(parent_path: str | None, node_id: int) -> str:
    """The path of node `node_id` under a parent with `parent_path` (None for a root)."""
    return f"{parent_path or '/'}{node_id}/"


def subtree_end(path: str) -> str:
    """The exclusive upper bound of a subtree: '/'+1 is '0'; paths hold only digits and '/'."""
    return path[:-1] + "0"


def within(column: SQLColumnExpression[str | None], path: str) -> ColumnElement[bool]:
    """SQL condition: `column` lies in the subtree rooted at `path` (itself included)."""
    return and_(column >= path, column < subtree_end(path))


def subtree_end_sql(path: SQLColumnExpression[str]) -> ColumnElement[str]:
    """`subtree_end` as SQL, for range joins between two rows' paths."""
    return func.substr(path, 1, func.length(path) - 1).concat("0")


def in_subtree_of(
    column: SQLColumnExpression[str | None], top: SQLColumnExpression[str]
) -> ColumnElement[bool]:
    """SQL condition: path `column` lies in the subtree of path column `top` (itself included)."""
    return and_(column >= top, column < subtree_end_sql(top))


def within_bound(column: SQLColumnExpression[str | None], name: str) -> ColumnElement[bool]:
    """`within` for a statement built once: the subtree's bounds are the bound parameters
    `{name}_lo` and `{name}_hi`, whose values `bound_subtree(name, path)` gives."""
    return and_(column >= bindparam(f"{name}_lo"), column < bindparam(f"{name}_hi"))


def bound_subtree(name: str, path: str) -> dict[str, str]:
    """The parameter values of `within_bound(column, name)` for the subtree rooted at `path`."""
    return {f"{name}_lo": path, f"{name}_hi": subtree_end(path)}


def within_any(column: SQLColumnExpression[str | None], tops: Iterable[str]) -> ColumnElement[bool]:
    """SQL condition: `column` lies in one of the subtrees rooted at `tops` (false if none)."""
    ranges = [within(column, top) for top in tops]
    return or_(*ranges) if ranges else false()


def reduce_to_tops(paths: Iterable[str]) -> tuple[str, ...]:
    """Keep only the paths that are not inside another one."""
    tops: list[str] = []
    for path in sorted(set(paths)):
        if not tops or not path.startswith(tops[-1]):
            tops.append(path)
    return tuple(tops)


def ids_of(path: str) -> list[int]:
    """The ids along a path, root first."""
    return [int(part) for part in path.strip("/").split("/") if part]


def depth_of(path: str) -> int:
    """Zero for a root."""
    return path.count("/") - 2


def ancestor_paths(path: str) -> list[str]:
    """The paths of the nodes above the node at `path`, root first (none for a root)."""
    ids = ids_of(path)
    return ["/" + "".join(f"{i}/" for i in ids[:end]) for end in range(1, len(ids))]
