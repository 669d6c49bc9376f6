"""The caller as a compiled read sees it: a shape (scoped or not, how many territory tops,
phones masked or not) that statements are built and cached for, and the values of its bounds.

A statement built for a shape serves every caller of that shape: the caller's subtree and
territory are bound parameters (`scope_org_lo`, `scope_place_0_lo`, ...), never literals.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement
from sqlalchemy.sql.expression import SQLColumnExpression

from registry.access.actor import Actor
from registry.access.visibility import (
    bound_values,
    visible_member,
    visible_orgs,
    visible_places,
)
from registry.core.paths import depth_of


@dataclass(frozen=True)
class Viewer:
    """What a compiled statement depends on about its caller, values aside."""

    scoped: bool
    places: int
    masks_phones: bool
    # A scope rooted at the top of the organisation tree holds nearly every member: a page of
    # it is found fastest by walking the key's index (`registry.reads.model.Entity.page_order`).
    whole_tree: bool = False

    @classmethod
    def of(cls, actor: Actor) -> Viewer:
        return cls(
            scoped=not actor.unscoped,
            places=len(actor.place_paths or ()),
            masks_phones=actor.masks_phones,
            whole_tree=actor.org_path is not None and depth_of(actor.org_path) == 0,
        )

    def orgs(self, path: SQLColumnExpression[str]) -> ColumnElement[bool] | None:
        """SQL condition: an organisation path lies in the caller's subtree (None: everything)."""
        return visible_orgs(path, self.scoped)

    def territory(self, path: SQLColumnExpression[str]) -> ColumnElement[bool] | None:
        """SQL condition: a place path lies in the caller's territory (None: everything)."""
        return visible_places(path, self.scoped, [None] * self.places)

    def members(
        self,
        org_path: SQLColumnExpression[str | None],
        reports_path: SQLColumnExpression[str | None],
        home_path: SQLColumnExpression[str | None],
    ) -> ColumnElement[bool] | None:
        """SQL condition: a member, by the paths on their row, is in the caller's scope (None:
        every member is visible)."""
        return visible_member(
            org_path, reports_path, home_path, self.scoped, None, [None] * self.places
        )


def viewer_params(actor: Actor) -> dict[str, str]:
    """The values of a scoped caller's bounds, for statements built for `Viewer.of(actor)`."""
    return bound_values(None if actor.unscoped else actor.org_path, actor.place_paths or ())
