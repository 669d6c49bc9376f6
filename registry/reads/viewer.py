"""The caller as a compiled read sees it: a shape (scoped or not, how many territory tops,
phones masked or not) that statements are built and cached for, and the values of its bounds.

A statement built for a shape serves every caller of that shape: the caller's subtree and
territory are bound parameters (`scope_org_lo`, `scope_place_0_lo`, ...), never literals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.sql.expression import SQLColumnExpression

from registry.access.actor import Actor
from registry.core.models import Organisation, Place
from registry.core.paths import bound_subtree, within_bound

_ORG = "scope_org"
_PLACE = "scope_place"


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
        return within_bound(path, _ORG) if self.scoped else None

    def territory(self, path: SQLColumnExpression[str]) -> ColumnElement[bool] | None:
        """SQL condition: a place path lies in the caller's territory (None: everything)."""
        if not self.scoped:
            return None
        ranges = [within_bound(path, f"{_PLACE}_{i}") for i in range(self.places)]
        return or_(*ranges) if ranges else false()

    def member_ids(self) -> dict[str, Any] | None:
        """The id sets a visible member's organisation, reporting organisation or home lies in
        (None: every member is visible)."""
        if not self.scoped:
            return None
        orgs = select(Organisation.id).where(within_bound(Organisation.path, _ORG))
        homes = select(Place.id).where(self.territory(Place.path) if self.places else false())
        return {"orgs": orgs, "homes": homes}


def viewer_params(actor: Actor) -> dict[str, str]:
    """The values of a scoped caller's bounds, for statements built for `Viewer.of(actor)`."""
    if actor.unscoped or actor.org_path is None:
        return {}
    values = bound_subtree(_ORG, actor.org_path)
    for index, top in enumerate(actor.place_paths or ()):
        values |= bound_subtree(f"{_PLACE}_{index}", top)
    return values
