"""Tables of the registry (SQLAlchemy 2 declarative). Alembic migrations mirror these."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    FetchedValue,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Text limits: the lengths of the columns below, and what imports and mutations accept
# (registry.importer, registry.writes): one place for each.
CODE_MAX = 64
NAME_MAX = 200
MEMBER_NAME_MAX = 100
WORKPLACE_MAX = 200
PHONE_MAX = 32
SKILL_MAX = 40
NOTE_MAX = 500
SUGGESTION_TEXT_MAX = 2000  # a Text column: the limit is the registry's own

# "C" collation lets PostgreSQL answer the path range from a btree index (DESIGN section 11).
PathType = String(400).with_variant(String(400, collation="C"), "postgresql")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Place(Base):
    """A node of the territory: subdistrict, community, estate, building, unit, household."""

    __tablename__ = "place"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    path: Mapped[str] = mapped_column(PathType)
    depth: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __table_args__ = (Index("ix_place_kind_path", "kind", "path"), Index("ix_place_path", "path"))


class Organisation(Base):
    """A Party organisation; merged and dissolved ones stay, closed, for history."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    path: Mapped[str] = mapped_column(PathType)
    depth: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="active")
    established: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    approved_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __table_args__ = (
        Index("ix_organisation_kind_path", "kind", "path"),
        Index("ix_organisation_path", "path"),
    )


DERIVED = "derived"  # Column.info key of a column the database derives


def _derived_path(*, index: bool = True) -> Any:
    """A path column the database derives (a trigger fills it): no writer sets it, and the
    change log, which records what writers set, leaves it out (`is_derived`)."""
    return mapped_column(
        PathType,
        index=index,
        server_default=FetchedValue(),
        server_onupdate=FetchedValue(),
        info={DERIVED: True},
    )


def is_derived(column: Any) -> bool:
    """Whether a column is one the database derives (`_derived_path`)."""
    return bool(column.info.get(DERIVED))


class Coverage(Base):
    """An organisation covers a place (dated; `end` set when it stops)."""

    __tablename__ = "coverage"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    # The covered place's path (migration 0015): a place scope's open coverage is one range.
    place_path: Mapped[str | None] = _derived_path(index=False)
    __table_args__ = (
        # Org charts join an organisation's current coverage to the place tree.
        Index(
            "ix_coverage_current",
            "organisation_id",
            "place_id",
            postgresql_where=text('"end" IS NULL'),
            sqlite_where=text('"end" IS NULL'),
        ),
        Index(
            "ix_coverage_open_place_path",
            "place_path",
            "organisation_id",
            postgresql_where=text('"end" IS NULL'),
            sqlite_where=text('"end" IS NULL'),
        ),
    )


class Member(Base):
    """A Party member with one formal organisation (or, in service, a workplace)."""

    __tablename__ = "member"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(MEMBER_NAME_MAX))
    gender: Mapped[str | None] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    joined: Mapped[date | None] = mapped_column(Date)
    full_on: Mapped[date | None] = mapped_column(Date)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    workplace: Mapped[str | None] = mapped_column(String(WORKPLACE_MAX))
    # In service (在职党员): the formal tie is at the workplace, and the member reports (报到)
    # to the community where they live, since `reported_on` (null: the day is not known).
    # Recorded, never guessed from a filled workplace.
    in_service: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    reported_on: Mapped[date | None] = mapped_column(Date)
    # Away from home (外出, 流动党员) since `away_since`: where, and the organisation they take
    # part in there, one of the registry's or named in words (`away_attends`).
    away_since: Mapped[date | None] = mapped_column(Date)
    away_place: Mapped[str | None] = mapped_column(String(NAME_MAX))
    away_attends_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    away_attends: Mapped[str | None] = mapped_column(String(NAME_MAX))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"), index=True)
    reports_to_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(PHONE_MAX))
    # Tasks the member may hold at once; null = RuleThresholds.default_task_capacity.
    task_capacity: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The Party group (党小组) under the member's own branch they belong to (党章 第八条); none
    # for in-service members and where the branch has no groups.
    group_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The branch's decision to extend the probation (延长预备期): its day and how many months.
    probation_extended_on: Mapped[date | None] = mapped_column(Date)
    probation_extended_months: Mapped[int | None] = mapped_column(Integer)
    # The day the member left the Party or died (`MemberStanding`): from then on they are no
    # longer counted anywhere live. Kept on the member, beside the history, because every
    # count filters on it.
    departed_on: Mapped[date | None] = mapped_column(Date)
    # The paths of the member's organisation, reporting organisation and home: the database
    # keeps them (triggers of migrations 0013 and 0014, on every write of a member and every
    # move of a tree; an import writes those it computes), so that a scope's members are
    # ranges of the member's own indexed columns.
    org_path: Mapped[str | None] = _derived_path()
    reports_path: Mapped[str | None] = _derived_path()
    home_path: Mapped[str | None] = _derived_path()
    # Members still in the Party by code, and the few of them a rule can catch by path
    # (migration 0016): a list's total counts the first index, not the table (4 ms of a page
    # of 100 at a district on SQLite), and a report's candidates are ranges of the others, so
    # at a city's root it reads its 57,000 probationary members, not its million. Queries
    # spell the predicates with constants (`registry.core.sql.written`): a bound value cannot
    # prove a partial index applies.
    # The probationary index holds the day they joined: a report's probation due is a filter
    # of the index, not of the table (migration 0017).
    __table_args__ = tuple(
        Index(
            f"ix_member_{name}_{'_'.join(columns)}",
            *columns,
            postgresql_where=text(f"{where}departed_on IS NULL"),
            sqlite_where=text(f"{where}departed_on IS NULL"),
        )
        for name, columns, where in (
            ("present", ("code",), ""),
            ("probationary", ("org_path", "joined"), "status = 'probationary' AND "),
            ("away", ("org_path",), "away_since IS NOT NULL AND "),
            ("unattached", ("reports_path",), "organisation_id IS NULL AND workplace IS NULL AND "),
            ("unattached", ("home_path",), "organisation_id IS NULL AND workplace IS NULL AND "),
        )
    )


class BuildingTally(Base):
    """Who lives in a building now: its households (directly or under a unit) and the members
    whose household is one of them, by status; and the groups covering it. Derived data,
    rewritten by every write that changes them in the same transaction
    (`registry.core.tallies`), so that coverage of a large territory sums one row per building
    instead of visiting every member and probing every building's coverage."""

    __tablename__ = "building_tally"
    building_id: Mapped[int] = mapped_column(
        ForeignKey("place.id", ondelete="CASCADE"), primary_key=True
    )
    households: Mapped[int] = mapped_column(Integer)
    members: Mapped[int] = mapped_column(Integer)
    full_members: Mapped[int] = mapped_column(Integer)
    probationary_members: Mapped[int] = mapped_column(Integer)
    in_service_members: Mapped[int] = mapped_column(Integer)
    # Active groups covering the building itself, and those of them staffed (a member placed
    # in the group and a group leader in office): coverage sums them (migration 0018).
    groups: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    staffed_groups: Mapped[int] = mapped_column(Integer, server_default=text("0"))


class OrgTally(Base):
    """What the rules judge an organisation by, now: its subtree's members, its current
    offices, placements, covered estates and the day its term counts from. Derived data,
    rewritten by every write that changes them in the same transaction
    (`registry.core.org_tallies`), so that a city's rules report reads one row per
    organisation instead of counting for each."""

    __tablename__ = "org_tally"
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    members: Mapped[int] = mapped_column(Integer)
    full_members: Mapped[int] = mapped_column(Integer)
    secretaries: Mapped[int] = mapped_column(Integer)
    committee: Mapped[int] = mapped_column(Integer)
    leaders: Mapped[int] = mapped_column(Integer)
    placed: Mapped[int] = mapped_column(Integer)
    units: Mapped[int] = mapped_column(Integer)
    elected_on: Mapped[date | None] = mapped_column(Date)
    committee_since: Mapped[date | None] = mapped_column(Date)
    # What the member and containment rules look for, counted: members in none of the
    # organisation's groups, probationary members holding its committee offices, places it
    # covers outside its parent's territory. Few organisations have any, and the report looks
    # only there (partial indexes; the predicates' zero is written into queries).
    ungrouped: Mapped[int] = mapped_column(Integer)
    probationary_officers: Mapped[int] = mapped_column(Integer)
    outside: Mapped[int] = mapped_column(Integer)
    __table_args__ = tuple(
        Index(
            f"ix_org_tally_{figure}",
            "organisation_id",
            postgresql_where=text(f"{figure} > 0"),
            sqlite_where=text(f"{figure} > 0"),
        )
        for figure in ("ungrouped", "probationary_officers", "outside")
    )


class MemberSkill(Base):
    __tablename__ = "member_skill"
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), primary_key=True)
    skill: Mapped[str] = mapped_column(String(SKILL_MAX), primary_key=True, index=True)


class Affiliation(Base):
    """History of a member's formal tie: one open row (end is null) at a time."""

    __tablename__ = "affiliation"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    workplace: Mapped[str | None] = mapped_column(String(WORKPLACE_MAX))
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)


class GroupPlacement(Base):
    """History of a member's Party group (党小组), as `Affiliation` is of their formal tie: one
    open row (end is null) while they are in a group. Kept by `registry.core.placements` from
    every change to `Member.group_id`; `start` is null for placements older than the history."""

    __tablename__ = "group_placement"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)


class MemberStanding(Base):
    """A dated standing of a member (`StandingKind`): lost contact or a suspended membership
    from `start` until restored on `end`, or leaving the Party or death on `start` (never
    ended). `way` says how a member left; `decided_by` is the organisation that decided it."""

    __tablename__ = "member_standing"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    way: Mapped[str | None] = mapped_column(String(16))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))


class Transfer(Base):
    """A member's organisational tie (组织关系) on its way: transferred out by their
    organisation on `out_on`, received by `to` on `received_on` (null while pending), or
    cancelled by either side on `cancelled_on` before it was received. Until it is received
    the member stays in `from`."""

    __tablename__ = "transfer"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    from_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    to_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    out_on: Mapped[date] = mapped_column(Date)
    received_on: Mapped[date | None] = mapped_column(Date)
    # Cancelled before it was received, by either side: the member stays where they are.
    cancelled_on: Mapped[date | None] = mapped_column(Date)

    @classmethod
    def pending(cls) -> ColumnElement[bool]:
        """SQL condition: on its way, neither received nor cancelled."""
        return and_(cls.received_on.is_(None), cls.cancelled_on.is_(None))


class Office(Base):
    """A dated term in an office (secretary, deputy, committee member, group leader)."""

    __tablename__ = "office"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)


class Election(Base):
    """A dated event of an organisation's term (`ElectionKind`): an election starts a term, a
    by-election fills a vacancy within it, an approved postponement extends it by `months`.
    An early election, or a postponement, names the higher organisation that approved it."""

    __tablename__ = "election"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    held_on: Mapped[date] = mapped_column(Date)
    months: Mapped[int | None] = mapped_column(Integer)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))


class Pairing(Base):
    """A member answers for a place: household contact, leader pairing or hub household."""

    __tablename__ = "pairing"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)


class Change(Base):
    """The change log: who, when, what, before and after, grouped by request."""

    __tablename__ = "change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    token_id: Mapped[int | None] = mapped_column(Integer)
    request_id: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(32))
    # No before (a create) or after (a delete) is SQL NULL, never JSON null, so that
    # `IS NULL` finds it (rows from earlier versions may still hold JSON null: readers check).
    before: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    after: Mapped[Any | None] = mapped_column(JSON(none_as_null=True))
    message: Mapped[str | None] = mapped_column(Text)
    # `at` is indexed because `changes(since: ...)` filters on it.
    __table_args__ = (
        Index("ix_change_entity_entity_id", "entity", "entity_id"),
        Index("ix_change_at", "at"),
    )


class ApiToken(Base):
    """A bearer token, stored as its SHA-256 digest only."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    scope_organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ConsoleSession(Base):
    """A signed-in console: its cookie holds a random id, stored here as a digest, never the
    API token it was opened with. Signing out deletes the row; revoking the token ends it."""

    __tablename__ = "console_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_id: Mapped[int] = mapped_column(
        ForeignKey("api_token.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReadFence(Base):
    """How far a token's reads must have caught up: the primary's WAL position (an LSN, as a
    number) just after the token's last acknowledged write. A read replica answers the token
    only once it has replayed that far (registry.core.db). Kept in the primary, where every
    worker looks, and UNLOGGED there (migration 0009): written after every write, so it should
    cost no WAL flush; a crash of the primary empties it, and the replicas have to catch up
    with the restarted primary anyway. No foreign key: a fence outliving its token is
    harmless, and the check would cost every write an index lookup."""

    __tablename__ = "read_fence"
    token_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    lsn: Mapped[int] = mapped_column(BigInteger)


class PlaceSetting(Base):
    """A setting for a place's subtree (e.g. the household-contact ratio); the nearest
    ancestor's value wins, else the configured default."""

    __tablename__ = "place_setting"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"))
    key: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(200))
    __table_args__ = (UniqueConstraint("place_id", "key"),)


class Task(Base):
    """An estate task (业委会筹备, 进家入户, 物业选聘, ...): scope, headcount, skills, a window.

    `required_skills` maps a skill to how many chosen members must have it. `start`/`end` are
    inclusive days. `organisation_id` runs the task; `leader_id` leads it (e.g. the preparatory
    group's leader)."""

    __tablename__ = "task"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX), unique=True)
    kind: Mapped[str] = mapped_column(String(48))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    headcount: Mapped[int] = mapped_column(Integer, default=0)
    required_skills: Mapped[Any] = mapped_column(JSON)
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer, default=1)


class TaskPlace(Base):
    """A place (estate or building) in a task's scope."""

    __tablename__ = "task_place"
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), primary_key=True, index=True)


class Assignment(Base):
    """A member mobilised for a task: proposed, then accepted or declined (or withdrawn).

    `override` is set when the member was booked although another task's window overlaps;
    `override_by_token_id` and `override_at` record who allowed it and when."""

    __tablename__ = "assignment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("place.id"))
    # Why the member was chosen: [{"code": ..., "params": {name: text}}] (planning.reasons).
    explanation: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    override: Mapped[bool] = mapped_column(Boolean, default=False)
    override_by_token_id: Mapped[int | None] = mapped_column(Integer)
    override_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    proposed_on: Mapped[date] = mapped_column(Date)
    responded_on: Mapped[date | None] = mapped_column(Date)


class Suggestion(Base):
    """What a resident raised (民意), from a household or a building, tracked to resolution."""

    __tablename__ = "suggestion"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(CODE_MAX), unique=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("place.id"), index=True)
    category: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(Text)
    heard_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    raised_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    started_on: Mapped[date | None] = mapped_column(Date)
    resolved_on: Mapped[date | None] = mapped_column(Date)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)


class FunctionalMembership(Base):
    """A member takes part in a functional organisation (dated). Separate from the formal tie:
    a member's one formal organisation (Member.organisation_id, Affiliation) never changes."""

    __tablename__ = "functional_membership"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id"))
    start: Mapped[date | None] = mapped_column(Date)
    end: Mapped[date | None] = mapped_column(Date)
