"""Domain kinds and statuses exposed as GraphQL enums (one definition, in registry.core.kinds)."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import TypeVar

import strawberry

from registry.access.actor import Role
from registry.core.errors import ErrorCode
from registry.core.kinds import (
    AssignmentStatus,
    ElectionKind,
    Gender,
    LeavingWay,
    MemberStatus,
    OfficeRole,
    OrgKind,
    OrgStatus,
    PairingKind,
    PlaceKind,
    StandingKind,
    SuggestionCategory,
    SuggestionStatus,
    TaskKind,
    TaskStatus,
)

# strawberry.enum marks the class itself and returns it: each alias below is the domain's own
# enum, registered under its GraphQL name, and a plain class to the type checker.
PlaceKindEnum = PlaceKind
OrgKindEnum = OrgKind
OrgStatusEnum = OrgStatus
MemberStatusEnum = MemberStatus
GenderEnum = Gender
OfficeRoleEnum = OfficeRole
ElectionKindEnum = ElectionKind
PairingKindEnum = PairingKind
ErrorCodeEnum = ErrorCode
RoleEnum = Role
TaskKindEnum = TaskKind
TaskStatusEnum = TaskStatus
AssignmentStatusEnum = AssignmentStatus
SuggestionCategoryEnum = SuggestionCategory
SuggestionStatusEnum = SuggestionStatus
StandingKindEnum = StandingKind
LeavingWayEnum = LeavingWay

for _enum, _name in (
    (PlaceKindEnum, "PlaceKind"),
    (OrgKindEnum, "OrganisationKind"),
    (OrgStatusEnum, "OrganisationStatus"),
    (MemberStatusEnum, "MemberStatus"),
    (GenderEnum, "Gender"),
    (OfficeRoleEnum, "OfficeRole"),
    (ElectionKindEnum, "ElectionKind"),
    (PairingKindEnum, "PairingKind"),
    (ErrorCodeEnum, "ErrorCode"),
    (RoleEnum, "Role"),
    (TaskKindEnum, "TaskKind"),
    (TaskStatusEnum, "TaskStatus"),
    (AssignmentStatusEnum, "AssignmentStatus"),
    (SuggestionCategoryEnum, "SuggestionCategory"),
    (SuggestionStatusEnum, "SuggestionStatus"),
    (StandingKindEnum, "StandingKind"),
    (LeavingWayEnum, "LeavingWay"),
):
    strawberry.enum(_enum, name=_name)

E = TypeVar("E", bound=Enum)


def stored(enum: type[E]) -> Callable[[str], E]:
    """The member of `enum` for a value read from the database: a dict lookup, where calling
    the enum costs about a microsecond, paid a few times for every row of a page or chart."""
    return {member.value: member for member in enum}.__getitem__


# The lookups of `stored`, one per enum that rows carry: every type reads its values here.
PLACE_KIND = stored(PlaceKindEnum)
ORG_KIND = stored(OrgKindEnum)
ORG_STATUS = stored(OrgStatusEnum)
MEMBER_STATUS = stored(MemberStatusEnum)
GENDER = stored(GenderEnum)
OFFICE_ROLE = stored(OfficeRoleEnum)
ELECTION_KIND = stored(ElectionKindEnum)
TASK_KIND = stored(TaskKindEnum)
TASK_STATUS = stored(TaskStatusEnum)
ASSIGNMENT_STATUS = stored(AssignmentStatusEnum)
SUGGESTION_CATEGORY = stored(SuggestionCategoryEnum)
SUGGESTION_STATUS = stored(SuggestionStatusEnum)
STANDING_KIND = stored(StandingKindEnum)
LEAVING_WAY = stored(LeavingWayEnum)
