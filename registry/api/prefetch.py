"""A page of members with the nested objects its caller selected, in the page's own statement.

A list query knows which nested fields its caller selected. Reading their rows in the page
statement itself (outer joins, each under the same scope as the loader it stands in for, see
`registry.api.loaders`) and handing ready objects to the types (`ready`) spares every item its
async loader fields, which cost graphql-core far more per item than the rows themselves, and
spares the page a statement per kind of row: each statement is a round trip that costs more
than the rows it brings. The answer is the one the loaders would have given. Fields not
fetched here still resolve through them.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, FromClause, Select, Table, and_, func, select
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from registry.api.context import GInfo
from registry.api.types import Member, Organisation, Place
from registry.auth import Actor
from registry.models import Member as MemberRow
from registry.models import MemberSkill
from registry.models import Organisation as OrgRow
from registry.models import Place as PlaceRow
from registry.terms import current_secretary

# Skills travel as one string per member; the unit separator never occurs in a skill's name.
_SKILLS_SEPARATOR = "\x1f"


def selected_paths(info: GInfo) -> set[str]:
    """Dotted paths of the fields selected under this resolver's field (fragments flattened,
    `edges.node` read as `nodes`), e.g. {"totalCount", "nodes.household.parent"}. Fields
    under @include/@skip count as selected: fetching them anyway only costs a join."""
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


def _columns_of(table: Table) -> type:
    """A named tuple with the table's column keys: read by the types' `from_row` as a row."""
    return namedtuple(f"{table.name.title()}Columns", [c.key for c in table.columns])  # type: ignore[misc]  # noqa: PYI024


_MEMBER_TABLE: Table = MemberRow.__table__  # type: ignore[assignment]
_ORG_TABLE: Table = OrgRow.__table__  # type: ignore[assignment]
_PLACE_TABLE: Table = PlaceRow.__table__  # type: ignore[assignment]
_COLUMNS = {t.name: _columns_of(t) for t in (_MEMBER_TABLE, _ORG_TABLE, _PLACE_TABLE)}


class _Join(NamedTuple):
    """One table the page statement may join: its alias, the table aliased, the join's
    condition, the caller's scope it must also lie in ("org", "place" or none), and the API
    type built from its row."""

    table: FromClause
    source: Table
    on: ColumnElement[bool]
    scope: str | None
    build: Callable[[Any], Any]


def _joins() -> dict[str, _Join]:
    """The joinable tables by the nested field they answer, each aliased once: building an
    alias's columns, or any expression, costs more per request than running the query."""
    member = _MEMBER_TABLE
    org, reports_to = _ORG_TABLE.alias("o"), _ORG_TABLE.alias("r")
    org_secretary, reports_to_secretary = _MEMBER_TABLE.alias("os"), _MEMBER_TABLE.alias("rs")
    home, parent = _PLACE_TABLE.alias("h"), _PLACE_TABLE.alias("hp")

    def org_join(table: FromClause, key: ColumnElement[int]) -> _Join:
        return _Join(table, _ORG_TABLE, table.c.id == key, "org", Organisation.from_row)

    def secretary_join(table: FromClause, of: FromClause) -> _Join:
        on = table.c.id == current_secretary(of.c.id)
        return _Join(table, _MEMBER_TABLE, on, None, Member.from_row)

    return {
        "organisation": org_join(org, member.c.organisation_id),
        "organisation.secretary": secretary_join(org_secretary, org),
        "reportsTo": org_join(reports_to, member.c.reports_to_id),
        "reportsTo.secretary": secretary_join(reports_to_secretary, reports_to),
        "household": _Join(home, _PLACE_TABLE, home.c.id == member.c.household_id, "place",
                           Place.from_row),
        "household.parent": _Join(parent, _PLACE_TABLE, parent.c.id == home.c.parent_id, "place",
                                  Place.from_row),
    }  # fmt: skip


_JOINS = _joins()
_SKILLS = (
    select(func.aggregate_strings(MemberSkill.skill, _SKILLS_SEPARATOR))
    .where(MemberSkill.member_id == _MEMBER_TABLE.c.id)
    .scalar_subquery()
)


class _Part:
    """A table joined into one page statement: where its columns sit in a row, and how a
    present row of it becomes an API object (one object per id across the page)."""

    def __init__(self, join: _Join, on: ColumnElement[bool], start: int) -> None:
        self.table = join.table
        self.on = on
        self.start = start
        self.width = len(join.source.columns)
        self.columns = _COLUMNS[join.source.name]
        self.build = join.build
        self.seen: dict[int, Any] = {}

    def read(self, row: Sequence[Any]) -> Any:
        key = row[self.start]  # the id, first column of every table here
        if key is None:
            return None
        found = self.seen.get(key)
        if found is None:
            values = row[self.start : self.start + self.width]
            found = self.seen[key] = self.build(self.columns._make(values))
        return found


class MemberPage:
    """The page statement of a members list for the nested fields in `wanted` (paths under
    `nodes`), and the reading of its rows into members with `ready` filled."""

    def __init__(self, actor: Actor, wanted: set[str]) -> None:
        self.masked = actor.masks_phones
        self.phones = "nodes.phone" in wanted
        self.skills = "nodes.skills" in wanted
        # An organisation is wanted with either reference: both are joined, as one page of
        # organisations served both before.
        orgs = bool({"nodes.organisation", "nodes.reportsTo"} & wanted)
        secretaries = bool({"nodes.organisation.secretary", "nodes.reportsTo.secretary"} & wanted)
        chosen = {
            "organisation": orgs,
            "organisation.secretary": secretaries,
            "reportsTo": orgs,
            "reportsTo.secretary": secretaries,
            "household": "nodes.household" in wanted,
            "household.parent": "nodes.household.parent" in wanted,
        }
        scopes = {None: None, "org": actor.org_clause, "place": actor.place_clause}
        self.parts: dict[str, _Part] = {}
        start = len(_MEMBER_TABLE.columns)
        for name, join in _JOINS.items():
            if not chosen[name]:
                continue
            scope = None if actor.unscoped else scopes[join.scope]
            on = join.on if scope is None else and_(join.on, scope(join.table.c.path))
            self.parts[name] = _Part(join, on, start)
            start += self.parts[name].width

    def statement(self, query: Select[Any]) -> Select[Any]:
        """The filtered `select(Member)` as the page statement: the member's columns, then
        the joined tables' in order, then the skills."""
        columns: list[Any] = list(_MEMBER_TABLE.columns)
        for part in self.parts.values():
            query = query.outerjoin(part.table, part.on)
            columns += part.table.columns
        if self.skills:
            columns.append(_SKILLS)
        return query.with_only_columns(*columns, maintain_column_froms=True)

    def nodes(self, rows: Sequence[Any]) -> list[Member]:
        """The members of the page statement's rows, their nested objects ready."""
        columns = _COLUMNS[_MEMBER_TABLE.name]
        width = len(_MEMBER_TABLE.columns)
        parts = self.parts
        members: list[Member] = []
        for row in rows:
            member = Member.from_row(columns._make(row[:width]))
            ready: dict[str, Any] = {}
            if self.phones:
                ready["phone"] = member.phone_for(self.masked)
            for name, key in (("organisation", "organisation"), ("reportsTo", "reports_to")):
                if name in parts:
                    org = ready[key] = parts[name].read(row)
                    secretary = parts.get(f"{name}.secretary")
                    if org is not None and secretary is not None:
                        org.ready = {"secretary": secretary.read(row)}
            if "household" in parts:
                home = ready["household"] = parts["household"].read(row)
                parent = parts.get("household.parent")
                if home is not None and parent is not None:
                    home.ready = {"parent": parent.read(row)}
            if self.skills:
                joined = row[-1]
                ready["skills"] = sorted(joined.split(_SKILLS_SEPARATOR)) if joined else []
            member.ready = ready
            members.append(member)
        return members
