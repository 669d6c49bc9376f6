"""Kinds and statuses of the domain, with what may sit under what."""

from __future__ import annotations

from enum import StrEnum


class PlaceKind(StrEnum):
    DISTRICT = "district"
    SUBDISTRICT = "subdistrict"
    COMMUNITY = "community"
    GRID = "grid"
    ESTATE = "estate"
    BUILDING = "building"
    UNIT = "unit"
    HOUSEHOLD = "household"


class OrgKind(StrEnum):
    DISTRICT_COMMITTEE = "district_committee"
    WORKING_COMMITTEE = "working_committee"
    PARTY_COMMITTEE = "party_committee"
    GENERAL_BRANCH = "general_branch"
    BRANCH = "branch"
    GROUP = "group"
    FUNCTIONAL = "functional"


class OrgStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"
    DISSOLVED = "dissolved"


class MemberStatus(StrEnum):
    FULL = "full"
    PROBATIONARY = "probationary"


class StandingKind(StrEnum):
    """A member's dated standing besides their status (党员教育管理工作条例 第二十四条; 党章
    第九条). Lost contact and a suspended membership can be restored; leaving and death are
    final, and end everything the member holds."""

    LOST_CONTACT = "lost_contact"  # 失去联系
    SUSPENDED = "suspended"  # 停止党籍
    LEFT = "left"  # 出党: 退党, 除名 or 开除党籍 (`LeavingWay`)
    DIED = "died"  # 去世


class LeavingWay(StrEnum):
    """How a member left the Party (出党)."""

    WITHDREW = "withdrew"  # 退党 (党章 第九条: at their request, struck off after the meeting)
    STRUCK_OFF = "struck_off"  # 除名 (劝而不退, 自行脱党: 党章 第九条; 条例 第二十四条)
    EXPELLED = "expelled"  # 开除党籍 (a disciplinary sanction)


# Standings after which a member is no longer counted anywhere live (lists, counts, coverage,
# rules, candidates); their history and dated reads keep them.
DEPARTING_STANDINGS = frozenset({StandingKind.LEFT, StandingKind.DIED})
# Standings that a later decision restores (恢复联系, 恢复党籍).
RESTORABLE_STANDINGS = frozenset({StandingKind.LOST_CONTACT, StandingKind.SUSPENDED})


class Gender(StrEnum):
    MALE = "male"
    FEMALE = "female"


class OfficeRole(StrEnum):
    """Offices: a committee's (支部工作条例 第二十条: 书记, 副书记 and the committee members
    组织委员, 宣传委员, 纪检委员 and others) and a group's leader (组长, 第十三条)."""

    SECRETARY = "secretary"
    DEPUTY_SECRETARY = "deputy_secretary"
    COMMITTEE_MEMBER = "committee_member"  # 委员 with no portfolio recorded
    ORGANISATION_MEMBER = "organisation_member"  # 组织委员
    PUBLICITY_MEMBER = "publicity_member"  # 宣传委员
    DISCIPLINE_MEMBER = "discipline_member"  # 纪检委员
    GROUP_LEADER = "group_leader"


class ElectionKind(StrEnum):
    """Dated events of a committee's term (选举工作条例 第三条)."""

    ELECTION = "election"  # 换届选举: a new term begins (held early only with approval)
    BY_ELECTION = "by_election"  # 补选: fills a vacancy; the term runs on
    POSTPONEMENT = "postponement"  # 延期换届, approved by the higher organisation


class PairingKind(StrEnum):
    HOUSEHOLD_CONTACT = "household_contact"
    LEADER = "leader"
    HUB = "hub"


# A place's parent must be of a kind listed for it (grid is optional between community and estate).
PLACE_PARENTS: dict[PlaceKind, frozenset[PlaceKind]] = {
    PlaceKind.DISTRICT: frozenset(),
    PlaceKind.SUBDISTRICT: frozenset({PlaceKind.DISTRICT}),
    PlaceKind.COMMUNITY: frozenset({PlaceKind.SUBDISTRICT}),
    PlaceKind.GRID: frozenset({PlaceKind.COMMUNITY}),
    PlaceKind.ESTATE: frozenset({PlaceKind.COMMUNITY, PlaceKind.GRID}),
    PlaceKind.BUILDING: frozenset({PlaceKind.ESTATE}),
    PlaceKind.UNIT: frozenset({PlaceKind.BUILDING}),
    PlaceKind.HOUSEHOLD: frozenset({PlaceKind.UNIT, PlaceKind.BUILDING}),
}
PLACE_ROOTS = frozenset({PlaceKind.DISTRICT, PlaceKind.SUBDISTRICT})

_COMMUNITY_LEVEL = frozenset({OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH})
ORG_PARENTS: dict[OrgKind, frozenset[OrgKind]] = {
    OrgKind.DISTRICT_COMMITTEE: frozenset(),
    OrgKind.WORKING_COMMITTEE: frozenset({OrgKind.DISTRICT_COMMITTEE}),
    OrgKind.PARTY_COMMITTEE: frozenset({OrgKind.WORKING_COMMITTEE}),
    OrgKind.GENERAL_BRANCH: frozenset({OrgKind.WORKING_COMMITTEE, OrgKind.PARTY_COMMITTEE}),
    OrgKind.BRANCH: frozenset(
        {OrgKind.WORKING_COMMITTEE, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH}
    ),
    OrgKind.GROUP: frozenset({OrgKind.BRANCH}),
    OrgKind.FUNCTIONAL: frozenset({OrgKind.WORKING_COMMITTEE} | _COMMUNITY_LEVEL),
}
ORG_ROOTS = frozenset({OrgKind.DISTRICT_COMMITTEE, OrgKind.WORKING_COMMITTEE})

# Organisations that can hold members as their formal organisation (groups sit inside a branch).
MEMBER_HOLDING_KINDS = frozenset(
    {OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.WORKING_COMMITTEE}
)
# Where an in-service member may report (双报到): the community's committee or an estate branch.
REPORTING_KINDS = _COMMUNITY_LEVEL
# Kinds that count as a branch covering an estate, and as a group covering a building.
ESTATE_COVERING_KINDS = frozenset({OrgKind.BRANCH, OrgKind.GENERAL_BRANCH})
BUILDING_COVERING_KINDS = frozenset({OrgKind.GROUP})
# Community-level kinds: what answers for a community (its committee, general branch or
# branch). Whether one serves a community's 5-year term depends on its unit, not on its kind
# (`registry.core.terms`).
COMMUNITY_TERM_KINDS = _COMMUNITY_LEVEL
# Kinds whose committee (or secretary) is elected for a term; a working committee (党工委) is
# the district committee's 派出机关, its members appointed, so it has no term to run out.
TERM_KINDS = frozenset(
    {OrgKind.DISTRICT_COMMITTEE, OrgKind.PARTY_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH}
)


class TaskKind(StrEnum):
    """Estate tasks (DESIGN section 1: 业委会筹备, 进家入户, 物业选聘, ...)."""

    OWNERS_COMMITTEE_ELECTION_PREPARATION = "owners_committee_election_preparation"
    DOOR_TO_DOOR_VISITS = "door_to_door_visits"
    PROPERTY_COMPANY_SELECTION = "property_company_selection"
    REPAIR_FOLLOW_UP = "repair_follow_up"
    OWNERS_GROUP_NOTICES = "owners_group_notices"
    OTHER = "other"


class TaskStatus(StrEnum):
    PLANNED = "planned"
    MOBILISING = "mobilising"
    ACTIVE = "active"
    DONE = "done"
    CANCELLED = "cancelled"


class AssignmentStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class SuggestionCategory(StrEnum):
    PARKING = "parking"
    ELEVATOR = "elevator"
    PROPERTY_SERVICE = "property_service"
    FIRE_SAFETY = "fire_safety"
    ENVIRONMENT = "environment"
    OWNERS_COMMITTEE = "owners_committee"
    OTHER = "other"


class SuggestionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"


# Tasks in these statuses hold their members (bookings count against capacity and windows).
BOOKING_TASK_STATUSES = frozenset({TaskStatus.PLANNED, TaskStatus.MOBILISING, TaskStatus.ACTIVE})
# Assignments in these statuses book a member on a task.
BOOKING_ASSIGNMENT_STATUSES = frozenset({AssignmentStatus.PROPOSED, AssignmentStatus.ACCEPTED})
