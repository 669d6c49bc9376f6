"""The first organisations down the tree that meet a condition: a walk from some organisations
to their children, stopping on each branch at the first that meets it.

A report of a large scope needs the tops of the organisations that do something (cover a
place, serve a community); reading every one that does and reducing them to their tops reads
a city's 114,000 to find one. Walked down, it reads those above the tops and the tops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import aliased

from registry.core.models import Organisation


def first_down(
    seed: ColumnElement[bool], meets: Callable[[Any], ColumnElement[bool]]
) -> Select[tuple[str]]:
    """SELECT the paths of the organisations that meet `meets(alias)` with none of those above
    them (up to the seeds) meeting it, walking down from the organisations meeting `seed`
    (a condition on `Organisation`). A recursive walk: each step reads the children of the
    organisations that did not meet it."""
    top = Organisation
    walk = select(top.id, top.path, meets(top).label("hit")).where(seed).cte("walk", recursive=True)
    child = aliased(Organisation)
    walk = walk.union_all(
        select(child.id, child.path, meets(child)).where(child.parent_id == walk.c.id, ~walk.c.hit)
    )
    return select(walk.c.path).where(walk.c.hit)
