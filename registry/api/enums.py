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
    Gender,
    MemberStatus,
    OfficeRole,
    OrgKind,
    OrgStatus,
    PairingKind,
    PlaceKind,
    SuggestionCategory,
    SuggestionStatus,
    TaskKind,
    TaskStatus,
)

PlaceKindEnum = strawberry.enum(PlaceKind, name="PlaceKind")
OrgKindEnum = strawberry.enum(OrgKind, name="OrganisationKind")
OrgStatusEnum = strawberry.enum(OrgStatus, name="OrganisationStatus")
MemberStatusEnum = strawberry.enum(MemberStatus, name="MemberStatus")
GenderEnum = strawberry.enum(Gender, name="Gender")
OfficeRoleEnum = strawberry.enum(OfficeRole, name="OfficeRole")
PairingKindEnum = strawberry.enum(PairingKind, name="PairingKind")
ErrorCodeEnum = strawberry.enum(ErrorCode, name="ErrorCode")
RoleEnum = strawberry.enum(Role, name="Role")
TaskKindEnum = strawberry.enum(TaskKind, name="TaskKind")
TaskStatusEnum = strawberry.enum(TaskStatus, name="TaskStatus")
AssignmentStatusEnum = strawberry.enum(AssignmentStatus, name="AssignmentStatus")
SuggestionCategoryEnum = strawberry.enum(SuggestionCategory, name="SuggestionCategory")
SuggestionStatusEnum = strawberry.enum(SuggestionStatus, name="SuggestionStatus")

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
TASK_KIND = stored(TaskKindEnum)
TASK_STATUS = stored(TaskStatusEnum)
ASSIGNMENT_STATUS = stored(AssignmentStatusEnum)
SUGGESTION_CATEGORY = stored(SuggestionCategoryEnum)
SUGGESTION_STATUS = stored(SuggestionStatusEnum)
