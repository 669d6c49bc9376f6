"""Terms: who holds an office now, and when an organisation's term began and falls due.

Data may hold two open secretary terms in one organisation (an appointment entered before the
old term was ended). The current holder is the one whose term started last; an undated start
counts as the earliest, and between equal starts the later entry wins.

An organisation's term follows its unit, not its kind (`term_years`), and counts from its last
recorded election (`last_election`); by-elections and appointed secretaries do not restart it.
Where no election is recorded, it counts from the earliest start in the current committee.
Approved postponements extend it (`postponed_months`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.expression import SQLColumnExpression

from registry.core.calendar import months_after, years_after
from registry.core.config import RuleThresholds
from registry.core.kinds import (
    COMMUNITY_TERM_KINDS,
    ElectionKind,
    OfficeRole,
    OrgKind,
    OrgStatus,
    PlaceKind,
)
from registry.core.models import Coverage, Election, Office, Organisation, Place
from registry.core.org_walk import first_down
from registry.core.paths import ancestor_paths, in_subtree_of, reduce_to_tops

# Ordered so that the current holder comes last (readers keep the last row per organisation).
CURRENT_LAST = (Office.start.asc().nulls_first(), Office.id.asc())


def current_secretary(organisation_id: SQLColumnExpression[int], *outer: Any) -> Any:
    """SQL scalar: the member id of the organisation's current secretary (or null). `outer`:
    the tables `organisation_id` comes from, when they lie more than one query up."""
    return current_holder(organisation_id, OfficeRole.SECRETARY, *outer)


def current_holder(
    organisation_id: SQLColumnExpression[int], role: OfficeRole, *outer: Any
) -> Any:
    """SQL scalar: the member id of the current holder of a one-holder office (a secretary,
    a group's leader 组长) of the organisation, or null; `outer` as for `current_secretary`."""
    holder = (
        select(Office.member_id)
        .where(
            Office.organisation_id == organisation_id,
            Office.end.is_(None),
            Office.role == role.value,
        )
        .order_by(Office.start.desc().nulls_last(), Office.id.desc())
        .limit(1)
    )
    # correlate() with no tables would turn off correlation with the enclosing query.
    return (holder.correlate(*outer) if outer else holder).scalar_subquery()


# Offices of an elected committee (a branch without a committee elects its secretary alone):
# every office but a group's leader. Probationary members may hold none of them (选举工作条例
# 第五条: 预备党员没有表决权、选举权和被选举权).
COMMITTEE_ROLES = tuple(r.value for r in OfficeRole if r is not OfficeRole.GROUP_LEADER)
# Places whose organisation serves a 村/社区 term: a community's, its grids' and estates'.
_COMMUNITY_PLACES = (PlaceKind.COMMUNITY.value, PlaceKind.GRID.value, PlaceKind.ESTATE.value)


def last_election(organisation_id: SQLColumnExpression[int]) -> Any:
    """SQL scalar: the day of the organisation's last recorded election (换届), or null.
    By-elections do not count: they fill a vacancy and the term runs on."""
    return (
        select(func.max(Election.held_on))
        .where(Election.organisation_id == organisation_id)
        .where(Election.kind == ElectionKind.ELECTION.value)
        .scalar_subquery()
    )


def committee_since(organisation_id: SQLColumnExpression[int]) -> Any:
    """SQL scalar: the earliest start among the current committee's offices, or null: where
    no election is recorded, the committee in office was elected no later than that (a
    secretary by-elected or appointed later does not move it)."""
    return (
        select(func.min(Office.start))
        .where(Office.organisation_id == organisation_id, Office.end.is_(None))
        .where(Office.role.in_(COMMITTEE_ROLES))
        .scalar_subquery()
    )


def postponed_months(organisation_id: SQLColumnExpression[int], base: Any) -> Any:
    """SQL scalar: months of approved postponement decided since the term began (0 if none)."""
    return func.coalesce(
        select(func.sum(Election.months))
        .where(Election.organisation_id == organisation_id)
        .where(Election.kind == ElectionKind.POSTPONEMENT.value)
        .where(Election.held_on >= base)
        .scalar_subquery(),
        0,
    )


def serves_community(org: Any) -> ColumnElement[bool]:
    """SQL condition: organisation `org` (an alias) is, or lies under, a Party committee,
    general branch or branch covering a community, grid or estate: a 村/社区 organisation,
    whose terms are 5 years whatever its kind (任期意见 2018)."""
    cover = aliased(Coverage)
    place = aliased(Place)
    above = aliased(Organisation)
    return exists(
        select(1)
        .select_from(cover)
        .join(place, place.id == cover.place_id)
        .join(above, above.id == cover.organisation_id)
        .where(cover.end.is_(None), place.kind.in_(_COMMUNITY_PLACES))
        .where(above.kind.in_([k.value for k in COMMUNITY_TERM_KINDS]))
        .where(above.status == OrgStatus.ACTIVE.value)
        .where(in_subtree_of(org.path, above.path))
    )


async def community_tops(session: AsyncSession, around: Sequence[str]) -> tuple[str, ...]:
    """The paths of the organisations whose subtrees serve a community (`serves_community`),
    reduced to the topmost, as far as the organisations under the paths `around` are
    concerned: an organisation there serves one when its path lies under one of them. Read
    once for a whole report: as a condition per organisation it scans every coverage."""
    if not around:
        return ()

    def serving(org: Any) -> ColumnElement[bool]:
        cover, place = aliased(Coverage), aliased(Place)
        return and_(
            org.kind.in_([k.value for k in COMMUNITY_TERM_KINDS]),
            org.status == OrgStatus.ACTIVE.value,
            exists(
                select(1)
                .select_from(cover)
                .join(place, place.id == cover.place_id)
                .where(cover.organisation_id == org.id, cover.end.is_(None))
                .where(place.kind.in_(_COMMUNITY_PLACES))
            ),
        )

    # Those above the subtrees (the prefixes of their paths), then the first inside each
    # subtree walking down: a city's 2,500 community committees, not its 31,000 branches
    # covering an estate under them.
    above = {top for path in around for top in ancestor_paths(path)}
    paths = set(
        await session.scalars(
            select(Organisation.path).where(Organisation.path.in_(above), serving(Organisation))
        )
    )
    paths.update(await session.scalars(first_down(Organisation.path.in_(around), serving)))
    return reduce_to_tops(paths)


def serves(path: str, tops: tuple[str, ...]) -> bool:
    """Whether the organisation at `path` lies under one of `community_tops` (sorted, none
    inside another: `reduce_to_tops`). Only the greatest top not after the path can hold it
    (a top between that one and the path would lie inside it), so a report of thousands of
    organisations under hundreds of tops does not try every pair."""
    at = bisect_right(tops, path) - 1
    return at >= 0 and path.startswith(tops[at])


def term_years(kind: OrgKind, community: bool, rules: RuleThresholds) -> int:
    """Years of one term (《关于党的基层组织任期的意见》2018): 村/社区 Party committees,
    general branches and branches 5; other grassroots committees 5, other general branches
    and branches 3; a district committee 5 (党章 第二十二条)."""
    if kind in COMMUNITY_TERM_KINDS and community:
        return rules.community_term_years
    if kind in (OrgKind.GENERAL_BRANCH, OrgKind.BRANCH):
        return rules.other_term_years
    return rules.committee_term_years


def term_due(base: date, years: int, postponed: int) -> date:
    """The day the next election falls due: `years` after the term began, moved by the
    approved postponements."""
    return months_after(years_after(base, years), postponed)


@dataclass(frozen=True)
class Term:
    """An organisation's current term: when it began, whether from a recorded election, how
    long it lasts, the postponement approved, and when the next election falls due."""

    began: date
    elected: bool
    years: int
    postponed: int
    due: date


async def current_term(
    session: AsyncSession, organisation: Organisation, rules: RuleThresholds
) -> Term | None:
    """The organisation's current term, or None when nothing dates it (no election recorded
    and no committee in office)."""
    org = aliased(Organisation)
    elected, since, community = (
        await session.execute(
            select(last_election(org.id), committee_since(org.id), serves_community(org))
            .where(org.id == organisation.id)
        )
    ).one()
    began = elected or since
    if began is None:
        return None
    postponed = await session.scalar(select(postponed_months(literal(organisation.id), began)))
    years = term_years(OrgKind(organisation.kind), bool(community), rules)
    months = int(postponed or 0)
    return Term(began, elected is not None, years, months, term_due(began, years, months))
