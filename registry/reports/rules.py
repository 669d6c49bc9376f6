"""The rules report: what in a scope breaks DESIGN section 2, as of a day.

Thresholds come only from `registry.core.config.RuleThresholds`. Six statements, each reading
the figures the writes keep per organisation (`registry.core.org_tallies`) where they can
instead of counting: one keeps the scope's active organisations whose figures (members by
status over each one's subtree, current offices, groups' members, covered estates, terms)
break a rule; one finds the members who do; one the transfers pending too long; one the members
out of contact or suspended too long; one those away from home long; one the coverage outside a
parent's territory. Python only words the messages, each citing its article. Rules:

- `BRANCH_TOO_SMALL`: a branch with fewer than `branch_min_full_members` full members
  (it should join a joint branch) (支部工作条例 第四条: 3 full members found a branch; 第五条:
  fewer form a joint one).
- `BRANCH_TOO_LARGE` (a notice): a branch with more than `branch_max_members` members: it *may*
  become a general branch, or a party committee beyond `general_branch_max_members`, with
  approval (支部工作条例 第四条: "一般不超过50人" — a guideline, not a breach).
- `GENERAL_BRANCH_TOO_LARGE` (a notice): a general branch with more than
  `general_branch_max_members`.
- `COMMITTEE_SIZE`: a committee (distinct holders of a current committee office: secretary,
  deputy, 组织/宣传/纪检委员 or other member) of the wrong size for its kind
  (`committee_bounds`): a branch with `committee_required_from_full_members` or more full
  members 3–5, at most 7 (支部工作条例 第二十条; below that size only a secretary is needed,
  which `NO_SECRETARY` reports); a general branch 5–7, at most 9; a Party committee 5–9 (the
  last two are the Central Organisation Department's usual provision on 基层组织领导成员职数,
  as Party work manuals give it: no regulation's text states them).
- `JOINT_BRANCH_TOO_WIDE`: a branch covering more than `joint_branch_max_units` estates
  (支部工作条例 第五条: a joint branch, 联合党支部, covers 5 units at most; each estate is one).
- `NO_SECRETARY`: a party committee, general branch or branch with no current secretary
  (支部工作条例 第二十条: a branch below 7 full members has a secretary, above a committee).
- `OVERDUE_ELECTION`: the organisation's term is over: it began with its last recorded election
  (or, none recorded, the earliest start in its current committee: a by-election or an
  appointed secretary never restarts it) and lasts as its unit's terms do
  (`registry.core.terms.term_years`: 村/社区 organisations `community_term_years`, other
  general branches and branches `other_term_years`, other committees `committee_term_years`;
  《关于党的基层组织任期的意见》2018), extended by approved postponements (选举工作条例
  第三条). A working committee (街道党工委) is never overdue: it is the district committee's
  派出机关, its members appointed, not elected (`TERM_KINDS` leaves it out).
- `ELECTION_DUE` (a notice): the term ends within `election_notice_months`: prepare the
  election (换届) (选举工作条例 第三条: elections are held when the term ends).
- `GROUP_WITHOUT_LEADER`: a group with no current group leader (组长) (支部工作条例 第十三条: a
  branch divided into Party groups sets a leader for each).
- `GROUP_WITHOUT_MEMBERS`: a group with no member placed in it (支部工作条例 第十三条: groups
  divide a branch's members; a group of none covers its buildings in name only).
- `PROBATION_DUE` (a notice, not a breach): a probationary member whose probation
  (`probation_years` from joining, moved by a recorded extension) is over, and who may still
  be extended — due for a decision (党章 第七条).
- `PROBATION_OVERDUE`: still probationary after the extended probation ends or, none recorded,
  after `probation_years + probation_max_extension_years` (党章 第七条: extended by a year at
  most).
- `PROBATIONARY_OFFICER`: a probationary member holding a current committee office (any
  office but a group's leader; 选举工作条例 第五条: 预备党员没有选举权和被选举权).
- `NO_FORMAL_ORGANISATION`: a member with neither a formal organisation nor a workplace
  (党章 第八条: every member belongs to a branch or another unit of the Party).
- `TRANSFER_PENDING`: a member's tie (组织关系) transferred out of, or to, one of the scope's
  organisations more than `transfer_pending_max_months` ago and not yet received (党员教育
  管理工作条例, on 组织关系转接): named on the side in the scope, the member only where they
  still belong.
- `LONG_LOST_CONTACT`: a member recorded as out of contact (失去联系) for
  `lost_contact_months` or more: the branch looks for them by every means and, still not
  found, suspends their membership (党员教育管理工作条例 第二十四条: 失去联系6个月以上 …
  予以停止党籍).
- `LONG_SUSPENSION`: a member suspended (停止党籍) for `suspended_strike_off_years` or more and
  still not restored: if contact truly cannot be made they are struck off (第二十四条: 停止党籍
  2年后确实无法取得联系的，按照自行脱党予以除名).
- `AWAY_SHOULD_TRANSFER` (a notice): a member of the scope's organisations away from home
  (流动党员) for `away_transfer_months` or more: one away to study, work or live that long at a
  fairly fixed place transfers their tie there (党员教育管理工作条例 第二十五条); where it cannot
  be transferred they take part where they are, as recorded.
- `COVERAGE_OUTSIDE_PARENT`: an organisation covering places outside its parent's territory
  (`registry.core.containment`: a branch's estates lie in its committee's territory, a
  group's buildings in its branch's estates; 支部工作条例 第四条: branches are set up by unit
  or area, 第十三条: groups divide a branch's members by where they work or live).
- `MEMBER_WITHOUT_GROUP`: a member of an organisation that has active groups who is in none of
  them (no group, or one that was closed or lies under another organisation) (党章 第八条:
  every member is placed in a branch, a group or another unit of the Party).

Members of an organisation are those whose formal organisation is it or below it (no one's
formal organisation is a group: a group's members are those placed in it, `Member.group_id`,
and a branch's are its own). The members a scope answers for: formal organisation in
the scope's organisations (probation, offices), or — for a member with no organisation —
reporting into them or living in the scope's territory.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    false,
    func,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from registry.access.scope import (
    Scope,
    Shape,
    member_meets_any,
    shape_of,
    with_organisations,
)
from registry.core import calendar
from registry.core.calendar import months_after, probation_end, years_before
from registry.core.config import RuleThresholds
from registry.core.containment import outside_parent
from registry.core.kinds import (
    COMMUNITY_TERM_KINDS,
    TERM_KINDS,
    MemberStatus,
    OrgKind,
    OrgStatus,
    StandingKind,
)
from registry.core.models import (
    Member,
    MemberStanding,
    Office,
    Organisation,
    OrgTally,
    Place,
    Transfer,
)
from registry.core.org_tallies import SECRETARY_REQUIRED_KINDS
from registry.core.records import MemberRecord, OrgRecord, record_columns
from registry.core.sql import one_of, written
from registry.core.terms import (
    COMMITTEE_ROLES,
    community_tops,
    postponed_months,
    serves,
    term_due,
    term_years,
)
from registry.reports.coverage import living_in


class Rule(StrEnum):
    BRANCH_TOO_SMALL = "branch_too_small"
    BRANCH_TOO_LARGE = "branch_too_large"
    GENERAL_BRANCH_TOO_LARGE = "general_branch_too_large"
    COMMITTEE_SIZE = "committee_size"
    NO_SECRETARY = "no_secretary"
    JOINT_BRANCH_TOO_WIDE = "joint_branch_too_wide"
    OVERDUE_ELECTION = "overdue_election"
    ELECTION_DUE = "election_due"
    GROUP_WITHOUT_LEADER = "group_without_leader"
    GROUP_WITHOUT_MEMBERS = "group_without_members"
    PROBATION_DUE = "probation_due"
    PROBATION_OVERDUE = "probation_overdue"
    PROBATIONARY_OFFICER = "probationary_officer"
    NO_FORMAL_ORGANISATION = "no_formal_organisation"
    MEMBER_WITHOUT_GROUP = "member_without_group"
    TRANSFER_PENDING = "transfer_pending"
    LONG_LOST_CONTACT = "long_lost_contact"
    LONG_SUSPENSION = "long_suspension"
    COVERAGE_OUTSIDE_PARENT = "coverage_outside_parent"
    AWAY_SHOULD_TRANSFER = "away_should_transfer"


class Severity(StrEnum):
    BREACH = "breach"
    NOTICE = "notice"


# Rules whose thresholds the regulations give as "一般" (usually): worth a notice, never a breach.
GUIDELINE_RULES = frozenset({Rule.BRANCH_TOO_LARGE, Rule.GENERAL_BRANCH_TOO_LARGE})
# Rules that say what to prepare, not what to put right.
NOTICE_RULES = GUIDELINE_RULES | {Rule.ELECTION_DUE, Rule.AWAY_SHOULD_TRANSFER}


@dataclass(frozen=True)
class Violation:
    """One rule broken by one organisation or member; `details` holds the figures it rests on."""

    rule: Rule
    message: str
    organisation: Organisation | OrgRecord | None = None
    member: Member | MemberRecord | None = None
    since: date | None = None
    details: dict[str, int] = field(default_factory=dict)
    severity: Severity = Severity.BREACH


RULED_KINDS = TERM_KINDS | {OrgKind.GROUP}
# Kinds whose term's length depends on whether they serve a community (`term_years`).
_TERM_BY_UNIT_KINDS = COMMUNITY_TERM_KINDS
_OTHER_TERM_KINDS = frozenset({OrgKind.GENERAL_BRANCH, OrgKind.BRANCH})


async def rules_report(
    session: AsyncSession,
    scope: Scope,
    rules: RuleThresholds,
    today: date | None = None,
    *,
    other: AsyncSession | None = None,
) -> list[Violation]:
    """Every violation in the scope: organisations in tree order, then members by code.
    Given `other`, a second read session, the member rules are read on it while the
    organisation rules are read on `session`: on a large scope the two statements are the
    bulk of the report, and the database runs them side by side."""
    today = today or calendar.today()
    scope = await with_organisations(session, scope)
    organisations = _organisation_violations(session, scope, rules, today)
    members = _member_violations(other or session, scope, rules, today)
    if other is None:
        return [
            *await organisations,
            *await members,
            *await _transfer_violations(session, scope, rules, today),
            *await _standing_violations(session, scope, rules, today),
            *await _away_violations(session, scope, rules, today),
            *await _containment_violations(session, scope),
        ]
    tasks = [asyncio.ensure_future(organisations), asyncio.ensure_future(members)]
    try:
        by_organisation, by_member = await asyncio.gather(*tasks)
    except BaseException:
        # The caller closes both sessions when this raises: stop the other read first.
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    transfers = await _transfer_violations(session, scope, rules, today)
    standings = await _standing_violations(session, scope, rules, today)
    away = await _away_violations(session, scope, rules, today)
    outside = await _containment_violations(session, scope)
    return [*by_organisation, *by_member, *transfers, *standings, *away, *outside]


async def _transfer_violations(
    session: AsyncSession, scope: Scope, rules: RuleThresholds, today: date
) -> list[Violation]:
    """`TRANSFER_PENDING`: transfers out of or into the scope's organisations, pending longer
    than allowed, oldest first."""
    sender, receiver = aliased(Organisation), aliased(Organisation)
    sent, received = scope.orgs(sender.path), scope.orgs(receiver.path)
    since = months_after(today, -rules.transfer_pending_max_months)
    query = (
        select(Transfer, Member, sender, receiver, case((sent, True), else_=False))
        .join(Member, Member.id == Transfer.member_id)
        .join(sender, sender.id == Transfer.from_id)
        .join(receiver, receiver.id == Transfer.to_id)
        .where(Transfer.pending(), Transfer.out_on < since)
        .where(or_(sent, received))
        .order_by(Transfer.out_on, Transfer.id)
    )
    found: list[Violation] = []
    for transfer, member, source, target, ours in await session.execute(query, scope.bounds()):
        days = (today - transfer.out_on).days
        found.append(
            Violation(
                Rule.TRANSFER_PENDING,
                f"{member.name} ({member.code}): the tie (组织关系) transferred out on "
                f"{transfer.out_on.isoformat()} is still not received after {days} days; "
                f"receiving it is due within {rules.transfer_pending_max_months} month(s) "
                "(党员教育管理工作条例, 组织关系转接)",
                organisation=source if ours else target,
                member=member if ours else None,
                since=transfer.out_on,
                details={"daysPending": days},
            )
        )
    return found


async def _standing_violations(
    session: AsyncSession, scope: Scope, rules: RuleThresholds, today: date
) -> list[Violation]:
    """`LONG_LOST_CONTACT` and `LONG_SUSPENSION`: members of the scope's organisations (or
    reporting into them) whose open standing has lasted as long as 第二十四条 allows, longest
    first."""
    orgs = select(Organisation.id).where(scope.orgs(Organisation.path))
    lost_since = months_after(today, -rules.lost_contact_months)
    suspended_since = years_before(today, rules.suspended_strike_off_years)
    query = (
        select(MemberStanding, Member)
        .join(Member, Member.id == MemberStanding.member_id)
        .where(MemberStanding.end.is_(None), Member.departed_on.is_(None))
        .where(member_meets_any(Member.organisation_id.in_(orgs), Member.reports_to_id.in_(orgs)))
        .where(
            or_(
                and_(
                    MemberStanding.kind == StandingKind.LOST_CONTACT.value,
                    MemberStanding.start <= lost_since,
                ),
                and_(
                    MemberStanding.kind == StandingKind.SUSPENDED.value,
                    MemberStanding.start <= suspended_since,
                ),
            )
        )
        .order_by(MemberStanding.start, Member.code)
    )
    found: list[Violation] = []
    for standing, member in await session.execute(query, scope.bounds()):
        days = (today - standing.start).days
        if standing.kind == StandingKind.LOST_CONTACT.value:
            found.append(
                Violation(
                    Rule.LONG_LOST_CONTACT,
                    f"{member.name} ({member.code}) has been out of contact since "
                    f"{standing.start.isoformat()} ({days} days): look for them by every means "
                    "and, still not found, suspend their membership (停止党籍) (党员教育管理工作"
                    f"条例 第二十四条: {rules.lost_contact_months} months)",
                    member=member,
                    since=standing.start,
                    details={"daysLost": days, "months": rules.lost_contact_months},
                )
            )
        else:
            found.append(
                Violation(
                    Rule.LONG_SUSPENSION,
                    f"{member.name} ({member.code})'s membership has been suspended since "
                    f"{standing.start.isoformat()} ({days} days): if contact truly cannot be "
                    "made, strike them off (按照自行脱党予以除名) "
                    "(党员教育管理工作条例 第二十四条: "
                    f"{rules.suspended_strike_off_years} years)",
                    member=member,
                    since=standing.start,
                    details={"daysSuspended": days, "years": rules.suspended_strike_off_years},
                )
            )
    return found


async def _away_violations(
    session: AsyncSession, scope: Scope, rules: RuleThresholds, today: date
) -> list[Violation]:
    """`AWAY_SHOULD_TRANSFER`: members of the scope's organisations away from home for
    `away_transfer_months` or more, longest away first."""
    # A range of the partial index of members away (migration 0016).
    query = (
        select(Member)
        .where(scope.orgs(Member.org_path), Member.departed_on.is_(None))
        .where(Member.away_since.is_not(None))
        .where(Member.away_since <= months_after(today, -rules.away_transfer_months))
        .order_by(Member.away_since, Member.code)
    )
    found: list[Violation] = []
    for member in await session.scalars(query, scope.bounds()):
        since = member.away_since
        assert since is not None  # the query keeps only members away
        days = (today - since).days
        found.append(
            Violation(
                Rule.AWAY_SHOULD_TRANSFER,
                f"{member.name} ({member.code}) has been away from home since "
                f"{since.isoformat()} ({days} days), at {member.away_place}: one away "
                f"{rules.away_transfer_months} months or more at a fairly fixed place transfers "
                "their tie (组织关系) there (党员教育管理工作条例 第二十五条)",
                member=member,
                since=since,
                details={"daysAway": days, "months": rules.away_transfer_months},
                severity=Severity.NOTICE,
            )
        )
    return found


async def _containment_violations(session: AsyncSession, scope: Scope) -> list[Violation]:
    """`COVERAGE_OUTSIDE_PARENT`: the scope's organisations covering places outside their
    parent's territory, one violation each naming the places, in tree order."""
    query = _containment_query_of_shape(scope.shape)
    places: dict[int, list[Place]] = {}
    holders: dict[int, Organisation] = {}
    for org, place in await session.execute(query, scope.bounds()):
        holders[org.id] = org
        places.setdefault(org.id, []).append(place)
    parents = {
        o.id: o
        for o in await session.scalars(
            select(Organisation).where(Organisation.id.in_({o.parent_id for o in holders.values()}))
        )
    }
    found: list[Violation] = []
    for org_id, outside in places.items():
        org = holders[org_id]
        parent = parents.get(org.parent_id or 0)
        named = "、".join(f"{p.name} ({p.code})" for p in outside)
        found.append(
            Violation(
                Rule.COVERAGE_OUTSIDE_PARENT,
                f"{org.name} covers {len(outside)} place(s) outside the territory of "
                f"{parent.name if parent else 'its parent'}: {named}; an organisation answers "
                "only for places inside its parent's (支部工作条例 第四条、第十三条)",
                organisation=org,
                details={"places": len(outside)},
            )
        )
    return found


@lru_cache(maxsize=256)
def _containment_query_of_shape(
    shape: Shape,
) -> Select[Organisation, Place]:
    # Built once per shape: composing its nested EXISTS took 20 ms of a district's report.
    scope = shape_of(*shape)
    # Only where the figures kept per organisation count places outside.
    outside = _tallied(OrgTally.outside)
    return outside_parent(lambda o: and_(scope.orgs(o.path), o.id.in_(outside)))


async def _organisation_violations(
    session: AsyncSession, scope: Scope, rules: RuleThresholds, today: date
) -> list[Violation]:
    query = _organisation_query_of_shape(scope.shape, rules, today)
    tops = await community_tops(session, scope.org_tops or ())
    found: list[Violation] = []
    width = len(OrgRecord._fields)
    # On the session's connection: the ORM's handling of a statement's result costs a city's
    # 14,000 rows half again the statement's own time.
    connection = await session.connection()
    for row in await connection.execute(query, scope.bounds()):
        org = OrgRecord._make(row[:width])
        members, full, secretaries, elected_on, began, postponed, *rest = row[width:]
        committee, leaders, placed, units = rest
        found.extend(
            _judge_organisation(
                org, members, full, secretaries, elected_on, began, serves(org.path, tops),
                postponed, committee, leaders, placed, units, rules=rules, today=today,
            )
        )  # fmt: skip
    return found


@lru_cache(maxsize=256)
def _organisation_query_of_shape(
    shape: Shape, rules: RuleThresholds, today: date
) -> Select[Any]:
    # Built once per shape, thresholds and day: composing it costs more than running it.
    return _organisation_query(shape_of(*shape), rules, today)


def _organisation_query(scope: Scope, rules: RuleThresholds, today: date) -> Select[Any]:
    """The organisations of the scope that may break a rule, with their figures. Of every
    organisation, without a range: PostgreSQL's generic plan for a range expects a sliver of
    the organisations and probes a city's 117,000 one by one."""
    org = Organisation
    # Each organisation's figures as the writes keep them (`registry.core.org_tallies`): the
    # cost of a city's report is a read of its organisations' rows, not counts for each.
    f = OrgTally

    def began_by(years: int) -> date:
        # A term that began by then ends within the notice period (postponements aside).
        return months_after(years_before(today, years), rules.election_notice_months)

    began = func.coalesce(f.elected_on, f.committee_since)
    # Whether a branch or committee serves a community (and so has a 5-year term) is decided
    # per row afterwards (`serves`): here the shorter term picks every one that may be due.
    cutoff = case(
        (
            one_of(org.kind, _TERM_BY_UNIT_KINDS),
            began_by(min(rules.community_term_years, rules.other_term_years)),
        ),
        (one_of(org.kind, _OTHER_TERM_KINDS), began_by(rules.other_term_years)),
        else_=began_by(rules.committee_term_years),
    )
    is_branch = org.kind == OrgKind.BRANCH.value
    breaks = or_(
        and_(is_branch, f.full_members < rules.branch_min_full_members),
        and_(is_branch, f.members > rules.branch_max_members),
        and_(
            org.kind == OrgKind.GENERAL_BRANCH.value,
            f.members > rules.general_branch_max_members,
        ),
        and_(
            is_branch,
            f.full_members >= rules.committee_required_from_full_members,
            or_(f.committee < rules.committee_min_size, f.committee > rules.committee_max_size),
        ),
        and_(
            org.kind == OrgKind.GENERAL_BRANCH.value,
            or_(
                f.committee < rules.general_branch_committee_min_size,
                f.committee > rules.general_branch_committee_max_size,
            ),
        ),
        and_(
            org.kind == OrgKind.PARTY_COMMITTEE.value,
            or_(
                f.committee < rules.party_committee_min_size,
                f.committee > rules.party_committee_max_size,
            ),
        ),
        and_(one_of(org.kind, SECRETARY_REQUIRED_KINDS), f.secretaries == 0),
        and_(one_of(org.kind, TERM_KINDS), began <= cutoff),
        and_(org.kind == OrgKind.GROUP.value, or_(f.leaders == 0, f.placed == 0)),
        and_(is_branch, f.units > rules.joint_branch_max_units),
    )
    return (
        select(
            *record_columns(OrgRecord, org), f.members, f.full_members, f.secretaries,
            f.elected_on, began, postponed_months(org.id, began), f.committee, f.leaders,
            f.placed, f.units,
        )  # fmt: skip
        .join(f, f.organisation_id == org.id)
        .where(*([] if scope.every_organisation else [scope.orgs(org.path)]))
        .where(org.status == OrgStatus.ACTIVE.value)
        .where(one_of(org.kind, RULED_KINDS), breaks)
        .order_by(org.path)
    )


def _judge_organisation(
    org: OrgRecord,
    members: int,
    full: int,
    secretaries: int,
    elected_on: date | None,
    began: date | None,
    community: bool,
    postponed: int,
    committee: int,
    leaders: int,
    placed: int,
    units: int,
    *,
    rules: RuleThresholds,
    today: date,
) -> list[Violation]:
    """Word the violations of one organisation from its aggregates (the SQL picked it)."""
    kind = OrgKind(org.kind)
    name = org.name
    found: list[Violation] = []

    def add(rule: Rule, message: str, **details: int) -> None:
        severity = Severity.NOTICE if rule in NOTICE_RULES else Severity.BREACH
        found.append(
            Violation(rule, message, organisation=org, details=details, severity=severity)
        )

    if kind is OrgKind.BRANCH and full < rules.branch_min_full_members:
        add(
            Rule.BRANCH_TOO_SMALL,
            f"{name} has {full} full member(s); a branch needs at least "
            f"{rules.branch_min_full_members}: it should join a joint branch "
            "(支部工作条例 第四条、第五条)",
            fullMembers=full,
            minimum=rules.branch_min_full_members,
        )
    if kind is OrgKind.BRANCH and members > rules.branch_max_members:
        becomes = (
            "a party committee"
            if members > rules.general_branch_max_members
            else "a general branch"
        )
        add(
            Rule.BRANCH_TOO_LARGE,
            f"{name} has {members} members, more than the usual {rules.branch_max_members}: "
            f"with approval it may become {becomes} (支部工作条例 第四条: \"一般\")",
            members=members,
            maximum=rules.branch_max_members,
        )
    if kind is OrgKind.GENERAL_BRANCH and members > rules.general_branch_max_members:
        add(
            Rule.GENERAL_BRANCH_TOO_LARGE,
            f"{name} has {members} members, more than the usual "
            f"{rules.general_branch_max_members}: with approval it may become a party committee "
            "(党章 第三十条)",
            members=members,
            maximum=rules.general_branch_max_members,
        )
    bounds = committee_bounds(kind, full, rules)
    if bounds is not None and not bounds[0] <= committee <= bounds[2]:
        low, usual, high = bounds
        why = (
            f"{name} has {full} full members, so it needs a committee of {low}–{usual} "
            f"(at most {high}) with a secretary (支部工作条例 第二十条)"
            if kind is OrgKind.BRANCH
            else f"{name}'s committee should have {low}–{usual} members"
            + (f" (at most {high})" if high != usual else "")
            + " (中组部 provision on 基层组织领导成员职数, as Party work manuals give it)"
        )
        add(
            Rule.COMMITTEE_SIZE,
            f"{why}; it has {committee}",
            fullMembers=full,
            committee=committee,
            minimum=low,
            maximum=high,
        )
    if kind is OrgKind.BRANCH and units > rules.joint_branch_max_units:
        add(
            Rule.JOINT_BRANCH_TOO_WIDE,
            f"{name} covers {units} estates: a joint branch (联合党支部) covers at most "
            f"{rules.joint_branch_max_units} units (支部工作条例 第五条); set up another branch",
            units=units,
            maximum=rules.joint_branch_max_units,
        )
    if kind in SECRETARY_REQUIRED_KINDS and secretaries == 0:
        needs = (
            "a committee with a secretary"
            if full >= rules.committee_required_from_full_members
            else "a secretary"
        )
        add(
            Rule.NO_SECRETARY,
            f"{name} has no secretary: it needs {needs} (支部工作条例 第二十条)",
            fullMembers=full,
        )
    if kind in TERM_KINDS and began is not None:
        found.extend(
            _judge_term(org, kind, elected_on, began, bool(community), int(postponed or 0),
                        rules=rules, today=today)
        )  # fmt: skip
    if kind is OrgKind.GROUP and leaders == 0:
        add(
            Rule.GROUP_WITHOUT_LEADER,
            f"{name} has no group leader (组长): appoint one of its members "
            "(支部工作条例 第十三条)",
        )
    if kind is OrgKind.GROUP and placed == 0:
        add(
            Rule.GROUP_WITHOUT_MEMBERS,
            f"{name} has no members: place the branch's members living in its buildings in it, "
            "or close it (支部工作条例 第十三条)",
            members=0,
        )
    return found


def committee_bounds(
    kind: OrgKind, full: int, rules: RuleThresholds
) -> tuple[int, int, int] | None:
    """The size a committee of this kind should have, as (minimum, usual maximum, maximum), or
    None when it needs none (a branch below `committee_required_from_full_members` full
    members has a secretary only)."""
    if kind is OrgKind.BRANCH:
        if full < rules.committee_required_from_full_members:
            return None
        return rules.committee_min_size, rules.committee_usual_max_size, rules.committee_max_size
    if kind is OrgKind.GENERAL_BRANCH:
        return (
            rules.general_branch_committee_min_size,
            rules.general_branch_committee_usual_max_size,
            rules.general_branch_committee_max_size,
        )
    if kind is OrgKind.PARTY_COMMITTEE:
        most = rules.party_committee_max_size
        return rules.party_committee_min_size, most, most
    return None


def _judge_term(
    org: OrgRecord,
    kind: OrgKind,
    elected_on: date | None,
    began: date,
    community: bool,
    postponed: int,
    *,
    rules: RuleThresholds,
    today: date,
) -> list[Violation]:
    """`OVERDUE_ELECTION` or `ELECTION_DUE` for one organisation's term, if either holds."""
    years = term_years(kind, community, rules)
    due = term_due(began, years, postponed)
    start = (
        f"began with the election of {began.isoformat()}"
        if elected_on is not None
        else f"is counted from {began.isoformat()}, the earliest start in its committee "
        "(no election recorded)"
    )
    extended = f", extended by {postponed} month(s) with approval," if postponed else ""
    figures = {"termYears": years, "postponedMonths": postponed}
    if due < today:
        return [
            Violation(
                Rule.OVERDUE_ELECTION,
                f"{org.name}: its term {start} and lasts {years} years{extended} so an "
                f"election (换届) was due on {due.isoformat()} (《关于党的基层组织任期的意见》; "
                "选举工作条例 第三条)",
                organisation=org,
                since=began,
                details=figures | {"daysOverdue": (today - due).days},
            )
        ]
    if due <= months_after(today, rules.election_notice_months):
        return [
            Violation(
                Rule.ELECTION_DUE,
                f"{org.name}: its term {start} and lasts {years} years{extended} so the "
                f"election (换届) is due on {due.isoformat()}, within "
                f"{rules.election_notice_months} months: prepare it (选举工作条例 第三条)",
                organisation=org,
                since=began,
                details=figures | {"daysLeft": (due - today).days},
                severity=Severity.NOTICE,
            )
        ]
    return []


async def _member_violations(
    session: AsyncSession, scope: Scope, rules: RuleThresholds, today: date
) -> list[Violation]:
    query = _member_query_of_shape(scope.shape, rules, today)
    found: list[Violation] = []
    width = len(MemberRecord._fields)
    connection = await session.connection()  # past the ORM, as `_organisation_violations`
    for row in await connection.execute(query, scope.bounds()):
        member, (role, ungrouped) = MemberRecord._make(row[:width]), row[width:]
        found.extend(_judge_member(member, role, bool(ungrouped), rules=rules, today=today))
    return found


@lru_cache(maxsize=256)
def _member_query_of_shape(
    shape: Shape, rules: RuleThresholds, today: date
) -> Select[Any]:
    return _member_query(shape_of(*shape), rules, today)


def _member_query(scope: Scope, rules: RuleThresholds, today: date) -> Select[Any]:
    due = years_before(today, rules.probation_years)
    committee_office = and_(Office.end.is_(None), one_of(Office.role, COMMITTEE_ROLES))
    elected = (
        select(func.min(Office.role))
        .where(Office.member_id == Member.id, committee_office)
        .scalar_subquery()
    )
    # The probationary and the unattached are ranges of partial indexes (migration 0016).
    probationary = and_(
        scope.orgs(Member.org_path),
        Member.status == written(MemberStatus.PROBATIONARY),
        Member.departed_on.is_(None),
    )
    reporting = scope.orgs(Member.reports_path)
    homes = living_in(scope) if scope.place_tops else false()
    # Where the figures kept per organisation (`registry.core.org_tallies`) say a rule has
    # members to catch: the holders of a committee office where a probationary member holds
    # one, and the members of the scope's organisations in none of their groups.
    holders = select(Office.member_id).where(
        committee_office, Office.organisation_id.in_(_tallied(OrgTally.probationary_officers))
    )
    grouping = (
        select(OrgTally.organisation_id)
        .join(Organisation, Organisation.id == OrgTally.organisation_id)
        .where(OrgTally.ungrouped > _NONE, scope.orgs(Organisation.path))
    )
    group = aliased(Organisation)
    own_groups = (
        select(group.id, group.parent_id)
        .where(group.kind == OrgKind.GROUP.value, group.status == OrgStatus.ACTIVE.value)
        .where(group.parent_id.in_(grouping))
        .cte("own_groups")
    )
    # In none of them: no group, or one that is not an active group of their own organisation.
    in_own_group = tuple_(Member.group_id, Member.organisation_id).in_(select(own_groups))
    ungrouped = and_(
        Member.organisation_id.in_(grouping),
        or_(Member.group_id.is_(None), ~in_own_group),
    )
    # Everyone the condition below can keep, found through indexes (`member_meets_any`), each
    # branch narrowed to the members a rule can catch.
    candidates = [
        and_(probationary, Member.joined < due),
        and_(probationary, Member.id.in_(holders)),
        and_(_UNATTACHED, reporting),
        ungrouped,
    ]
    if scope.place_tops:
        candidates.append(and_(_UNATTACHED, homes))
    return (
        select(*record_columns(MemberRecord, Member), elected, case((ungrouped, True), else_=False))
        .where(member_meets_any(*candidates))
        .where(Member.departed_on.is_(None))
        .where(
            or_(
                and_(probationary, or_(Member.joined < due, elected.is_not(None))),
                and_(_UNATTACHED, or_(reporting, homes)),
                ungrouped,
            )
        )
        .order_by(Member.code)
    )


# Zero written into the statement: the partial indexes of organisations with something to
# catch (`ungrouped > 0`, migration 0017) serve a query only where the planner sees it.
_NONE: ColumnElement[int] = literal_column("0")


def _tallied(figure: Any) -> Select[Any]:
    """The organisations whose kept figure (a count) is not zero: a partial index each."""
    return select(OrgTally.organisation_id).where(figure > _NONE)


# Neither a formal organisation nor a workplace (`NO_FORMAL_ORGANISATION`), and still a
# member: spelled as the partial indexes of migration 0016 are, so that a scope's unattached
# members are ranges of them (a sixth of a city has no organisation, a few neither).
_UNATTACHED = and_(
    Member.organisation_id.is_(None), Member.workplace.is_(None), Member.departed_on.is_(None)
)


def _judge_member(
    member: MemberRecord, role: str | None, ungrouped: bool, *, rules: RuleThresholds, today: date
) -> list[Violation]:
    """Word the violations of one member."""
    name = member.name
    found: list[Violation] = []
    if ungrouped:
        found.append(
            Violation(
                Rule.MEMBER_WITHOUT_GROUP,
                f"{name} is in none of their branch's Party groups (党小组): place them in one "
                "(党章 第八条: every member belongs to a branch, a group or another unit)",
                member=member,
            )
        )
    if member.organisation_id is None and member.workplace is None:
        found.append(
            Violation(
                Rule.NO_FORMAL_ORGANISATION,
                f"{name} has neither a formal organisation nor a workplace: "
                "transfer their organisational tie (组织关系) to an organisation (党章 第八条)",
                member=member,
            )
        )
    if member.status != MemberStatus.PROBATIONARY.value:
        return found
    if role is not None:
        found.append(
            Violation(
                Rule.PROBATIONARY_OFFICER,
                f"{name} is a probationary member holding the office of {role.replace('_', ' ')}"
                ": probationary members cannot be elected (选举工作条例 第五条)",
                member=member,
            )
        )
    joined = member.joined
    if joined is None:
        return found
    extended = member.probation_extended_months
    ends = probation_end(joined, rules.probation_years, extended)
    # Unextended, the branch may still extend it until the longest probation has run.
    limit = ends if extended else probation_end(joined, rules.probation_years, 12 * (
        rules.probation_max_extension_years))  # fmt: skip
    longest = rules.probation_years + rules.probation_max_extension_years
    if limit < today:
        how = (
            f"its probation, extended by {extended} month(s) on "
            f"{member.probation_extended_on}, ended {limit.isoformat()}"
            if extended
            else f"the longest probation of {longest} years ended {limit.isoformat()}"
        )
        found.append(
            Violation(
                Rule.PROBATION_OVERDUE,
                f"{name} joined on {joined.isoformat()} and is still probationary: {how}; "
                "decide on full membership (党章 第七条)",
                member=member,
                since=joined,
                details={"probationYears": longest, "extendedMonths": extended or 0,
                         "daysOverdue": (today - limit).days},  # fmt: skip
            )
        )
    elif ends < today:
        found.append(
            Violation(
                Rule.PROBATION_DUE,
                f"{name} joined on {joined.isoformat()}: the {rules.probation_years}-year "
                f"probation ended on {ends.isoformat()}; confirm them as a full member or "
                f"extend it by {rules.probation_min_extension_months} to "
                f"{12 * rules.probation_max_extension_years} months, until {limit.isoformat()} "
                "at the latest (党章 第七条)",
                member=member,
                since=joined,
                details={"probationYears": rules.probation_years, "daysDue": (today - ends).days},
                severity=Severity.NOTICE,
            )
        )
    return found
