"""Plain input records shared by the graph algorithms.

Everything here is a frozen dataclass of ids and small values: the registry maps its rows onto
these, the algorithms never see a database row. Ids are any hashable, orderable value (ints or
strings); algorithms sort by id wherever order matters, so results are deterministic.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

# An id is any hashable value that sorts against ids of the same kind (int or str in practice).
Id = Hashable


@dataclass(frozen=True, slots=True)
class Household:
    """A household (户), placed by unit (单元), building (楼栋) and estate (小区)."""

    id: Id
    unit_id: Id
    building_id: Id
    estate_id: Id


@dataclass(frozen=True, slots=True)
class Building:
    """A building (楼栋) of an estate; `neighbours` are buildings counted as next door."""

    id: Id
    estate_id: Id
    neighbours: frozenset[Id] = frozenset()


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open time window [start, end); start and end are any comparable values."""

    start: Any
    end: Any

    def overlaps(self, other: Window) -> bool:
        """True when the two windows share a moment (touching ends do not overlap)."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Booking:
    """A task a member is already assigned to, with its window."""

    task_id: Id
    window: Window


@dataclass(frozen=True, slots=True)
class Member:
    """A Party member as the algorithms see them: where they live and what they can take on.

    `estate_id` is the estate the member serves (where they live, or report to for in-service
    members); a member with no estate can be mobilised for top-up only and never pairs with
    households. `contact_capacity` overrides the scope's k (households per member) when set.
    `task_capacity` is how many tasks the member may hold at once; `bookings` are those held now.
    """

    id: Id
    estate_id: Id | None = None
    home_household_id: Id | None = None
    home_unit_id: Id | None = None
    home_building_id: Id | None = None
    contact_capacity: int | None = None
    task_capacity: int = 2
    skills: frozenset[str] = frozenset()
    bookings: tuple[Booking, ...] = ()

    @property
    def load(self) -> int:
        """Number of tasks currently held: the load that mobilisation balances."""
        return len(self.bookings)


@dataclass(frozen=True, slots=True)
class Pairing:
    """A household-contact pairing (党员联系户): member `member_id` visits `household_id`."""

    member_id: Id
    household_id: Id


@dataclass(frozen=True, slots=True)
class Task:
    """A task to staff: buildings in scope, how many members, which skills, when.

    `required_skills` maps a skill to how many chosen members must have it.
    """

    id: Id
    building_ids: tuple[Id, ...]
    headcount: int = 0
    required_skills: dict[str, int] = field(default_factory=dict, hash=False)
    window: Window | None = None


@dataclass(frozen=True, slots=True)
class Reason:
    """Why: a code the reader's language words, and the values it names (ids, numbers, or a
    tuple of them), in the order they were given. Algorithms explain and give reasons in these,
    never in sentences, so the registry can word them in Chinese or English."""

    code: str
    params: tuple[tuple[str, Any], ...] = ()


def reason(code: str, **params: Any) -> Reason:
    """A `Reason` with `params` in the order given."""
    return Reason(code, tuple(params.items()))


def sort_key(value: Any) -> tuple[str, Any]:
    """Order mixed ids deterministically: by type name, then value (ints before strs never mix)."""
    return (type(value).__name__, value)
