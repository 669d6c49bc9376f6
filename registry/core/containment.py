"""Coverage containment: an organisation answers only for places inside its parent's territory.

A branch covers estates (or grids) inside the territory of the committee above it, a group
buildings inside its branch's covered estates (党小组设在楼栋, 支部建在小区: the tree of
organisations is laid over the tree of places). A parent's territory is the subtrees of the
places it covers now, so a grid branch covering a grid covers the estates in it. An organisation
whose parent covers nothing is not judged (there is no territory to be inside), nor a functional
organisation, which stands outside the tree. The writes that set coverage refuse what breaks it
(`registry.writes.organisations`); the rules report names what is stored
(`registry.reports.rules`, `COVERAGE_OUTSIDE_PARENT`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, select
from sqlalchemy.orm import aliased

from registry.core.kinds import OrgKind, OrgStatus
from registry.core.models import Coverage, Organisation, Place
from registry.core.paths import in_subtree_of

Where = Callable[[Any], ColumnElement[bool]]


def covers_outside_parent(org: Any, place: Any) -> ColumnElement[bool]:
    """SQL: organisation `org` (an alias) is judged (active, in the tree, its parent covering
    something) and `place`, which it covers, lies outside its parent's territory."""
    above, above_place = aliased(Coverage), aliased(Place)
    # Correlated explicitly: these may sit two levels below the query naming `org`.
    parent_covers = exists(
        select(1)
        .where(above.organisation_id == org.parent_id, above.end.is_(None))
        .correlate(org)
    )
    inside = exists(
        select(1)
        .select_from(above)
        .join(above_place, above_place.id == above.place_id)
        .where(above.organisation_id == org.parent_id, above.end.is_(None))
        .where(in_subtree_of(place.path, above_place.path))
        .correlate(org, place)
    )
    return and_(
        org.status == OrgStatus.ACTIVE.value,
        org.kind != OrgKind.FUNCTIONAL.value,
        parent_covers,
        ~inside,
    )


def outside_parent(which: Where) -> Select[Organisation, Place]:
    """SELECT (organisation, place) for each current coverage row of an active organisation
    meeting `which(organisation alias)` whose place lies outside its parent's territory, by
    organisation path then place path."""
    org, cover, place = aliased(Organisation), aliased(Coverage), aliased(Place)
    return (
        select(org, place)
        .select_from(cover)
        .join(org, org.id == cover.organisation_id)
        .join(place, place.id == cover.place_id)
        .where(cover.end.is_(None), which(org))
        .where(covers_outside_parent(org, place))
        .order_by(org.path, place.path)
    )
