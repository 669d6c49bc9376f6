"""Related rows of a page of members, fetched up front in a constant number of statements.

A list query knows which nested fields its caller selected; fetching their rows in the page's
own session and handing ready objects to the types (`ready`) spares every item its async
loader fields, which cost graphql-core far more per item than the rows themselves. Each fetch
applies the same scope as the loader it stands in for (`registry.api.loaders`), so the answer
is the one the loaders would have given. Fields not fetched here still resolve through them.
"""

from __future__ import annotations

from collections import defaultdict, namedtuple
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Select, and_, bindparam, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from registry.api.context import GInfo
from registry.api.types import Member, Organisation, Place
from registry.auth import Actor
from registry.kinds import OfficeRole
from registry.models import Member as MemberRow
from registry.models import MemberSkill, Office
from registry.models import Organisation as OrgRow
from registry.models import Place as PlaceRow


def selected_paths(info: GInfo) -> set[str]:
    """Dotted paths of the fields selected under this resolver's field (fragments flattened,
    `edges.node` read as `nodes`), e.g. {"totalCount", "nodes.household.parent"}. Fields
    under @include/@skip count as selected: fetching them anyway only costs a statement."""
    paths: set[str] = set()

    def walk(selections: Iterable[Any], prefix: str) -> None:
        for selection in selections:
            if isinstance(selection, (FragmentSpread, InlineFragment)):
                walk(selection.selections, prefix)
            elif isinstance(selection, SelectedField):
                path = f"{prefix}{selection.name}"
                if path == "edges.node":
                    path = "nodes"
                paths.add(path)
                walk(selection.selections, "" if path == "edges" else f"{path}.")

    for field in info.selected_fields:
        walk(field.selections, "")
    return paths


class _Cells:
    """The columns of a model (or an alias of one) that its type's `from_row` reads, selected
    as plain values and read back by name: loading ORM objects for a page's related rows costs
    more than the statement. The path, which no type shows, is left out."""

    def __init__(self, entity: Any) -> None:
        names = [a.key for a in inspect(entity).mapper.column_attrs if a.key != "path"]
        self.columns = [getattr(entity, name) for name in names]
        self.make = namedtuple("Cells", names)._make  # type: ignore[misc]


# Aliases shared by every request: adapting columns to a fresh alias costs more than the query.
_ORG = aliased(OrgRow, name="member_org")
_ORG_SECRETARY = aliased(MemberRow, name="member_org_secretary")
_REPORTS = aliased(OrgRow, name="reports_org")
_REPORTS_SECRETARY = aliased(MemberRow, name="reports_org_secretary")
_HOME = aliased(PlaceRow, name="home")
_HOME_PARENT = aliased(PlaceRow, name="home_parent")
_CELLS = {
    entity: _Cells(entity)
    for entity in (
        MemberRow, _ORG, _ORG_SECRETARY, _REPORTS, _REPORTS_SECRETARY, _HOME, _HOME_PARENT
    )
}  # fmt: skip


def _secretary_id(org: Any) -> Any:
    """The member id of the organisation's current secretary, as `Loaders.secretary` gives it
    (the latest term when two are open)."""
    return (
        select(Office.member_id)
        .where(
            Office.organisation_id == org.id,
            Office.end.is_(None),
            Office.role == OfficeRole.SECRETARY.value,
        )
        .order_by(Office.start.desc(), Office.id.desc())
        .limit(bindparam("one", 1, literal_execute=True))
        .scalar_subquery()
    )


# Every related row a page may join: its entity, the selected path asking for it, and how it
# joins to the page's member columns (`m`) under the scope its loader applies (`a`, the
# actor), in column order (what a row joins to comes before it).
_RELATIONS: dict[str, tuple[Any, str, Callable[[Any, Actor], Any]]] = {
    "organisation": (_ORG, "nodes.organisation",
                     lambda m, a: and_(_ORG.id == m.organisation_id, a.org_clause(_ORG.path))),
    "organisation.secretary": (_ORG_SECRETARY, "nodes.organisation.secretary",
                               lambda m, a: _ORG_SECRETARY.id == _secretary_id(_ORG)),
    "reportsTo": (_REPORTS, "nodes.reportsTo",
                  lambda m, a: and_(_REPORTS.id == m.reports_to_id, a.org_clause(_REPORTS.path))),
    "reportsTo.secretary": (_REPORTS_SECRETARY, "nodes.reportsTo.secretary",
                            lambda m, a: _REPORTS_SECRETARY.id == _secretary_id(_REPORTS)),
    "household": (_HOME, "nodes.household",
                  lambda m, a: and_(_HOME.id == m.household_id, a.place_clause(_HOME.path))),
    "household.parent": (_HOME_PARENT, "nodes.household.parent",
                         lambda m, a: and_(_HOME_PARENT.id == _HOME.parent_id,
                                           a.place_clause(_HOME_PARENT.path))),
}  # fmt: skip


class MemberPage:
    """The nested fields a members page selected (`wanted`: paths under `nodes`), fetched
    with the page instead of by loaders per member. Its one-to-one relations (organisation,
    reportsTo, each with its secretary; household with its parent) are outer-joined into the
    page's own statement (`joined`) under the scope their loaders apply, so a related row
    outside the caller's scope reads as None; skills take one more statement (`finish`)."""

    def __init__(self, actor: Actor, wanted: set[str]) -> None:
        self.actor = actor
        self.wanted = wanted
        self.phones = "nodes.phone" in wanted
        self.skills = "nodes.skills" in wanted
        # The related rows joined, by name, in column order: those whose field was selected.
        self.relations = {
            name: entity for name, (entity, path, _) in _RELATIONS.items() if path in wanted
        }

    def joined(self, query: Select[Any]) -> Select[Any]:
        """The page's statement (ordered by code and limited) as a subquery of the members'
        columns, with the related rows' columns joined to it: joined inside it, the
        relations would be looked up for every member of the filter before the limit."""
        cells = _CELLS[MemberRow]
        page = query.with_only_columns(*cells.columns, maintain_column_froms=True).subquery()
        members = page.c
        statement = select(*[members[column.key] for column in cells.columns])
        for name, entity in self.relations.items():
            statement = statement.add_columns(*_CELLS[entity].columns).outerjoin(
                entity, _RELATIONS[name][2](members, self.actor)
            )
        return statement.order_by(members.code)

    def nodes(self, rows: Sequence[Any]) -> list[Member]:
        """Members with `ready` answers from the rows of `joined`'s statement."""
        # Where each row's cells start and end, by relation.
        spans: dict[str, tuple[int, int, Any]] = {}
        end = len(_CELLS[MemberRow].columns)
        for name, entity in self.relations.items():
            cells = _CELLS[entity]
            spans[name] = (end, end + len(cells.columns), cells.make)
            end += len(cells.columns)

        def cells_of(row: Any, name: str) -> Any:
            start, stop, make = spans[name]
            values = row[start:stop]
            return make(values) if values[0] is not None else None

        masked = self.actor.masks_phones
        make_member = _CELLS[MemberRow].make
        width = len(_CELLS[MemberRow].columns)
        members = []
        for row in rows:
            member = Member.from_row(make_member(row[:width]))
            ready: dict[str, Any] = {}
            if self.phones:
                ready["phone"] = member.phone_for(masked)
            for field, key in (("organisation", "organisation"), ("reportsTo", "reports_to")):
                if field in spans:
                    ready[key] = _with(
                        Organisation, cells_of(row, field), "secretary", Member,
                        cells_of(row, f"{field}.secretary")
                        if f"{field}.secretary" in spans else _ABSENT,
                    )  # fmt: skip
            if "household" in spans:
                ready["household"] = _with(
                    Place, cells_of(row, "household"), "parent", Place,
                    cells_of(row, "household.parent") if "household.parent" in spans else _ABSENT,
                )  # fmt: skip
            member.ready = ready
            members.append(member)
        return members

    async def finish(self, session: AsyncSession, members: list[Member]) -> None:
        """Fill the skills of the page's members, when selected: one statement."""
        if not (self.skills and members):
            return
        skills: dict[int, list[str]] = defaultdict(list)
        rows = await session.execute(
            select(MemberSkill.member_id, MemberSkill.skill)
            .where(MemberSkill.member_id.in_([m.id for m in members]))
            .order_by(MemberSkill.skill)
        )
        for member_id, skill in rows:
            skills[member_id].append(skill)
        for member in members:
            assert member.ready is not None
            member.ready["skills"] = skills.get(member.id, [])


_ABSENT = object()  # a related row that was not joined (its field not selected)


def _with(kind: Any, cells: Any, field: str, nested_kind: Any, nested: Any) -> Any:
    """An object of `kind` from its cells (None: none, or outside the caller's scope), with
    the nested object read from the same row ready as its `field` when it was joined."""
    if cells is None:
        return None
    found = kind.from_row(cells)
    if nested is not _ABSENT:
        found.ready = {field: nested_kind.from_row(nested) if nested is not None else None}
    return found
