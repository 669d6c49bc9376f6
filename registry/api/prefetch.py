"""A page of members with the nested objects its caller selected, fetched with the page.

A list query knows which nested fields its caller selected. Reading their rows up front, each
under the same scope as the loader it stands in for (`registry.api.loaders`), and handing
ready objects to the types (`ready`) spares every item its async loader fields, which cost
graphql-core far more per item than the rows themselves. What each member has its own (home,
the home's parent, skills) is joined to the page's rows in the page statement; the few
organisations a page shares come in the same statement as one column of JSON rows
(`registry.core.json_rows`): a statement of their own is a round trip that costs more than the
rows it brings, and joining a shared row once per member costs more than that round trip.
The answer is the one the loaders would have given. Fields not fetched here still resolve
through them.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Select, Table, and_, column, func, select, table, union
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from registry.access.actor import Actor
from registry.api.context import GInfo
from registry.api.types import Member, Organisation, Place
from registry.core.json_rows import JsonRowsOf
from registry.core.models import Member as MemberRow
from registry.core.models import MemberSkill
from registry.core.models import Organisation as OrgRow
from registry.core.models import Place as PlaceRow
from registry.core.terms import current_secretary

# Skills travel as one string per member, joined by a control character no skill may hold
# (registry.core.validation.character_problem).
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


_MEMBER_TABLE: Table = MemberRow.metadata.tables[MemberRow.__tablename__]
_ORG_TABLE: Table = OrgRow.metadata.tables[OrgRow.__tablename__]
_PLACE_TABLE: Table = PlaceRow.metadata.tables[PlaceRow.__tablename__]
_COLUMNS = {t.name: _columns_of(t) for t in (_MEMBER_TABLE, _ORG_TABLE, _PLACE_TABLE)}


# The page's own members and the tables joined to them, aliased once, and every expression on
# them built once: building a subquery's or an alias's columns costs more per request than
# running the statement.
_PAGE = _MEMBER_TABLE.alias("m")
_HOME, _HOME_PARENT = _PLACE_TABLE.alias("h"), _PLACE_TABLE.alias("hp")
_TO_HOME = _HOME.c.id == _PAGE.c.household_id
_TO_HOME_PARENT = _HOME_PARENT.c.id == _HOME.c.parent_id
_SKILL_TABLE: Table = MemberSkill.metadata.tables[MemberSkill.__tablename__]
_SKILLS = (
    select(func.aggregate_strings(_SKILL_TABLE.c.skill, _SKILLS_SEPARATOR))
    .where(_SKILL_TABLE.c.member_id == _PAGE.c.id)
    .scalar_subquery()
)
# The page's organisations (with their secretaries when wanted) as JSON rows in one column
# of the page statement (registry.core.json_rows): a page's members share a handful, and a
# statement of their own cost more than the rest of the page's SQL. The subquery is
# uncorrelated, run once; each row carries its value (marking the first row instead, with a
# window, cost SQLite more than the copies).
_SECRETARY = _MEMBER_TABLE.alias("s")
_ORGS = JsonRowsOf(list(_ORG_TABLE.columns))
_ORGS_WITH_SECRETARIES = JsonRowsOf([*_ORG_TABLE.columns, *_SECRETARY.columns])
_ORGS_QUERY = select(_ORGS.aggregate())
_ORGS_WITH_SECRETARIES_QUERY = select(_ORGS_WITH_SECRETARIES.aggregate()).select_from(
    _ORG_TABLE.outerjoin(_SECRETARY, _SECRETARY.c.id == current_secretary(_ORG_TABLE.c.id))
)

# The page's own keys (its members, their organisations) are the statement's one CTE, found
# once and read by the members and by their organisations: a filtered page run thrice cost
# PostgreSQL more under load than the statement it saved. Referred to by name through a
# constant table, as a CTE's own column collection took 0.1 ms to build per request.
_KEYS_NAME = "member_page"
_KEYS = table(_KEYS_NAME, column("id"), column("organisation_id"), column("reports_to_id"))
_KEY_COLUMNS = (_MEMBER_TABLE.c.id, _MEMBER_TABLE.c.organisation_id, _MEMBER_TABLE.c.reports_to_id)
_IN_PAGE = _PAGE.c.id.in_(select(_KEYS.c.id))
_ORG_OF_PAGE = _ORG_TABLE.c.id.in_(
    union(select(_KEYS.c.organisation_id), select(_KEYS.c.reports_to_id))
)


def _read(columns: type, build: Callable[[Any], Any], values: Sequence[Any]) -> Any:
    """The API object of one table's columns in a row, or None when the row has none (its
    id, always the first column, is null: an outer join found nothing)."""
    return None if values[0] is None else build(columns._make(values))


class MemberPage:
    """A page of members with the nested objects selected in `wanted` (paths under `nodes`):
    homes and skills joined into the page statement, where each member has its own;
    organisations, which a page shares among few, as one JSON column of it."""

    def __init__(self, actor: Actor, wanted: set[str]) -> None:
        self.actor = actor
        self.phones = "nodes.phone" in wanted
        self.skills = "nodes.skills" in wanted
        self.homes = "nodes.household" in wanted
        self.parents = self.homes and "nodes.household.parent" in wanted
        self.orgs = bool({"nodes.organisation", "nodes.reportsTo"} & wanted)
        self.secretaries = bool(
            {"nodes.organisation.secretary", "nodes.reportsTo.secretary"} & wanted
        )
        # The organisations' JSON rows, and the query aggregating them, for this shape.
        self.org_rows, self.org_query = (
            (_ORGS_WITH_SECRETARIES, _ORGS_WITH_SECRETARIES_QUERY)
            if self.secretaries
            else (_ORGS, _ORGS_QUERY)
        )

    def statement(self, page: Select[Any]) -> Select[Any]:
        """The page statement: the members the filtered, ordered and limited `select(Member)`
        of the page finds, each with its home and the home's parent (each within the caller's
        territory, as `Loaders.place` gives them) and skills, and a column of the page's
        organisations and reporting organisations (within the caller's organisation subtree,
        as `Loaders.organisation` gives them). Joined to the page's own rows, not before its
        limit: a planner would otherwise join every member that matches and sort them all to
        keep twenty."""
        territory = None if self.actor.unscoped else self.actor.place_clause
        columns: list[Any] = list(_PAGE.columns)
        joined: Any = _PAGE
        joins = ((self.homes, _HOME, _TO_HOME), (self.parents, _HOME_PARENT, _TO_HOME_PARENT))
        for wanted, place, on in joins:
            if wanted:
                if territory is not None:
                    on = and_(on, territory(place.c.path))
                joined = joined.outerjoin(place, on)
                columns += place.columns
        if self.skills:
            columns.append(_SKILLS)
        if self.orgs:
            query = self.org_query.where(_ORG_OF_PAGE)
            if not self.actor.unscoped:
                query = query.where(self.actor.org_clause(_ORG_TABLE.c.path))
            columns.append(query.scalar_subquery())
        return (
            select(*columns)
            .add_cte(page.with_only_columns(*_KEY_COLUMNS).cte(_KEYS_NAME))
            .select_from(joined)
            .where(_IN_PAGE)
            .order_by(_PAGE.c.code)  # the page's own order: members go by code
        )

    def nodes(self, rows: Sequence[Any]) -> list[Member]:
        """The members of the page statement's rows, their nested objects ready."""
        member_columns, place_columns = _COLUMNS[_MEMBER_TABLE.name], _COLUMNS[_PLACE_TABLE.name]
        home_at = len(_MEMBER_TABLE.columns)
        parent_at = home_at + len(_PLACE_TABLE.columns)
        parent_end = parent_at + len(_PLACE_TABLE.columns)
        skills_at = parent_end if self.parents else parent_at if self.homes else home_at
        orgs = self._organisations(rows[0][skills_at + self.skills] if rows and self.orgs else None)
        masked = self.actor.masks_phones
        parents: dict[int, Place | None] = {}
        members: list[Member] = []
        for row in rows:
            member = Member.from_row(member_columns._make(row[:home_at]))
            ready: dict[str, Any] = {}
            if self.phones:
                ready["phone"] = member.phone_for(masked)
            if self.homes:
                home = _read(place_columns, Place.from_row, row[home_at:parent_at])
                if home is not None and self.parents:
                    key = row[parent_at]
                    if key not in parents:
                        parents[key] = _read(
                            place_columns, Place.from_row, row[parent_at:parent_end]
                        )
                    home.ready = {"parent": parents[key]}
                ready["household"] = home
            if self.skills:
                joined = row[skills_at]
                ready["skills"] = sorted(joined.split(_SKILLS_SEPARATOR)) if joined else []
            if self.orgs:
                ready["organisation"] = orgs.get(member.organisation_key)
                ready["reports_to"] = orgs.get(member.reports_to_key)
            member.ready = ready
            members.append(member)
        return members

    def _organisations(self, text: str | None) -> dict[int | None, Organisation]:
        """The page's organisations by id, read from the page statement's column of them,
        each with its secretary when wanted."""
        found: dict[int | None, Organisation] = {}
        org_columns, member_columns = _COLUMNS[_ORG_TABLE.name], _COLUMNS[_MEMBER_TABLE.name]
        width = len(_ORG_TABLE.columns)
        for row in self.org_rows.read(text):
            org = found[row[0]] = Organisation.from_row(org_columns._make(row[:width]))
            if self.secretaries:
                org.ready = {"secretary": _read(member_columns, Member.from_row, row[width:])}
        return found
