"""Dated events of an organisation's term: elections, by-elections, approved postponements.

选举工作条例 第三条: a committee is re-elected when its term ends; an election held early or
postponed is approved by the higher organisation, and moves the term by at most a year
(`RuleThresholds.term_adjustment_max_months`). A by-election fills a vacancy: the term runs on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from registry.access.actor import Actor
from registry.access.lookup import Key, get_organisation
from registry.core.calendar import months_after
from registry.core.config import RuleThresholds
from registry.core.errors import ErrorCode, fail
from registry.core.kinds import TERM_KINDS, ElectionKind, OrgKind
from registry.core.models import Election, Organisation
from registry.core.terms import current_term
from registry.writes.commands import handles
from registry.writes.common import get_approver, require_active


async def _elected_organisation(session: AsyncSession, actor: Actor, key: Key) -> Organisation:
    """The active organisation named, locked, if its committee is elected for a term."""
    org = await get_organisation(session, actor, key, "organisation", for_update=True)
    if OrgKind(org.kind) not in TERM_KINDS:
        raise fail(
            "organisation",
            f"{org.code!r} is a {org.kind}: it is not elected for a term (a working committee "
            "is the district committee's 派出机关, appointed; a group has a leader)",
            ErrorCode.WRONG_KIND,
            "NOT_ELECTED",
            code=org.code,
            kind=org.kind,
        )
    await require_active(org, "organisation")
    return org


@dataclass(frozen=True)
class RecordElection:
    """What `record_election` is asked to do."""

    organisation: Key
    held_on: date
    by_election: bool
    approved_by: Key | None
    today: date
    rules: RuleThresholds


@handles(RecordElection)
async def record_election(session: AsyncSession, actor: Actor, command: RecordElection) -> Election:
    """Record an election (换届, a new term begins) or a by-election (补选, the term runs on)
    held on `held_on`. An election before the current term is due is an early one: it needs
    the approval of a higher organisation and may come at most
    `term_adjustment_max_months` early (选举工作条例 第三条)."""
    actor.require_write()
    org = await _elected_organisation(session, actor, command.organisation)
    if command.held_on > command.today:
        raise fail(
            "heldOn",
            "an election is recorded once held; the day is in the future",
            ErrorCode.INVALID,
            "ELECTION_IN_FUTURE",
        )
    if command.by_election and command.approved_by is not None:
        raise fail(
            "approvedBy",
            "a by-election fills a vacancy within the term: no approval "
                   "of its timing is recorded",
            ErrorCode.INVALID,
            "BY_ELECTION_APPROVED",
        )  # fmt: skip
    approver = (
        await get_approver(session, actor, command.approved_by, [org], "approvedBy")
        if command.approved_by is not None
        else None
    )
    term = await current_term(session, org, command.rules)
    if not command.by_election and term is not None and term.began < command.held_on < term.due:
        earliest = months_after(term.due, -command.rules.term_adjustment_max_months)
        if command.held_on < earliest:
            raise fail(
                "heldOn",
                f"the term of {org.code!r} runs until {term.due}: an election may be held at "
                f"most {command.rules.term_adjustment_max_months} months early, from {earliest} "
                "(选举工作条例 第三条)",
                ErrorCode.CONFLICT,
                "TOO_EARLY",
                code=org.code,
                due=term.due,
                months=command.rules.term_adjustment_max_months,
                earliest=earliest,
            )
        if approver is None:
            raise fail(
                "approvedBy",
                f"the term of {org.code!r} runs until {term.due}: an early election needs the "
                "approval of a higher organisation (选举工作条例 第三条); give `approvedBy`",
                ErrorCode.INVALID,
                "EARLY_NEEDS_APPROVAL",
                code=org.code,
                due=term.due,
            )
    kind = ElectionKind.BY_ELECTION if command.by_election else ElectionKind.ELECTION
    return await _add(session, org, kind, command.held_on, None, approver)


@dataclass(frozen=True)
class PostponeElection:
    """What `postpone_election` is asked to do."""

    organisation: Key
    months: int
    approved_by: Key
    decided_on: date
    rules: RuleThresholds


@handles(PostponeElection)
async def postpone_election(
    session: AsyncSession, actor: Actor, command: PostponeElection
) -> Election:
    """Record the higher organisation's approval to hold the next election `months` later
    than the term's end; all postponements of one term together may not exceed
    `term_adjustment_max_months` (选举工作条例 第三条: "一般不超过1年")."""
    actor.require_write()
    org = await _elected_organisation(session, actor, command.organisation)
    approver = await get_approver(session, actor, command.approved_by, [org], "approvedBy")
    limit = command.rules.term_adjustment_max_months
    if not 1 <= command.months <= limit:
        raise fail(
            "months",
            f"{command.months} is not a whole number of months from 1 to {limit}",
            ErrorCode.INVALID,
            "OUT_OF_RANGE",
            minimum=1,
            maximum=limit,
        )
    term = await current_term(session, org, command.rules)
    if term is None:
        raise fail(
            "organisation",
            f"{org.code!r} has no recorded election or committee to date its term from: "
            "record its election first",
            ErrorCode.CONFLICT,
            "NO_TERM_YET",
            code=org.code,
        )
    if command.decided_on < term.began:
        raise fail(
            "decidedOn",
            f"the current term began on {term.began}, after that day",
            ErrorCode.INVALID,
            "BEFORE_TERM",
            began=term.began,
        )
    if term.postponed + command.months > limit:
        raise fail(
            "months",
            f"the term of {org.code!r} is already postponed by {term.postponed} month(s); "
            f"together at most {limit} (选举工作条例 第三条)",
            ErrorCode.CONFLICT,
            "POSTPONED_TOO_LONG",
            code=org.code,
            postponed=term.postponed,
            maximum=limit,
        )
    return await _add(
        session, org, ElectionKind.POSTPONEMENT, command.decided_on, command.months, approver
    )


async def _add(
    session: AsyncSession,
    org: Organisation,
    kind: ElectionKind,
    held_on: date,
    months: int | None,
    approver: Organisation | None,
) -> Election:
    row = Election(
        organisation_id=org.id,
        kind=kind.value,
        held_on=held_on,
        months=months,
        approved_by_id=approver.id if approver else None,
    )
    session.add(row)
    await session.flush()
    return row
