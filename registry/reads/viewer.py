"""The caller as a compiled read sees it: a shape (scoped or not, how many territory tops,
phones masked or not) that statements are built and cached for, and the values of its bounds.

A statement built for a shape serves every caller of that shape: the caller's subtree and
territory are bound parameters (`scope_org_lo`, `scope_place_0_lo`, ...), never literals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.sql.expression import SQLColumnExpression

from registry.access.actor import Actor
from registry.access.visibility import (
    bound_values,
    visible_member_ties,
    visible_orgs,
    visible_places,
)


@dataclass(frozen=True)
class Viewer:
    """What a compiled statement depends on about its caller, values aside."""

    scoped: bool
    places: int
    masks_phones: bool

    @classmethod
    def of(cls, actor: Actor) -> Viewer:
        return cls(
            scoped=not actor.unscoped,
            places=len(actor.place_paths or ()),
            masks_phones=actor.masks_phones,
        )

    def orgs(self, path: SQLColumnExpression[str]) -> ColumnElement[bool] | None:
        """SQL condition: an organisation path lies in the caller's subtree (None: everything)."""
        return visible_orgs(path, self.scoped)

    def territory(self, path: SQLColumnExpression[str]) -> ColumnElement[bool] | None:
        """SQL condition: a place path lies in the caller's territory (None: everything)."""
        return visible_places(path, self.scoped, [None] * self.places)

    def member_ids(self) -> dict[str, Any] | None:
        """The id sets a visible member's organisation, reporting organisation or home lies in
        (None: every member is visible)."""
        return visible_member_ties(self.scoped, None, [None] * self.places)


def viewer_params(actor: Actor) -> dict[str, str]:
    """The values of a scoped caller's bounds, for statements built for `Viewer.of(actor)`."""
    return bound_values(None if actor.unscoped else actor.org_path, actor.place_paths or ())
