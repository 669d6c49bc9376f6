"""Responsibility chain: who answers for a household, a building or an estate, bottom to top.

household -> contact member -> building group leader -> estate branch secretary -> community
secretary -> leader pairing (the estate's, else the community's) -> working-committee secretary.
Starting from a building skips the contact link; from an estate also the group leader. Every
link is returned, with `person_id` None and a `gap` sentence where nobody holds it. O(1) lookups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graph.model import Id


@dataclass(frozen=True, slots=True)
class PlaceAncestry:
    """Where the chain starts: an estate, optionally a building in it and a household in that."""

    subdistrict_id: Id
    community_id: Id
    estate_id: Id
    building_id: Id | None = None
    household_id: Id | None = None


@dataclass(frozen=True)
class Responsibilities:
    """Who holds what, as plain maps from a place id to a person id."""

    contacts: Mapping[Id, Id] = field(default_factory=dict)  # household -> contact member
    group_leaders: Mapping[Id, Id] = field(default_factory=dict)  # building -> group leader
    branch_secretaries: Mapping[Id, Id] = field(default_factory=dict)  # estate -> secretary
    community_secretaries: Mapping[Id, Id] = field(default_factory=dict)
    estate_leaders: Mapping[Id, Id] = field(default_factory=dict)  # leader pairing per estate
    community_leaders: Mapping[Id, Id] = field(default_factory=dict)  # ... per community
    working_committee_secretaries: Mapping[Id, Id] = field(default_factory=dict)  # subdistrict


@dataclass(frozen=True, slots=True)
class Link:
    """One link of the chain: a role for a place, who holds it, and the gap if nobody does."""

    role: str
    place: str
    person_id: Id | None
    gap: str | None = None


def responsibility_chain(start: PlaceAncestry, duties: Responsibilities) -> tuple[Link, ...]:
    """The ordered chain of responsibility from `start` up to the working committee."""
    links: list[Link] = []
    if start.household_id is not None:
        links.append(
            _link(
                "contact member",
                f"household {start.household_id}",
                duties.contacts.get(start.household_id),
            )
        )
    if start.building_id is not None:
        links.append(
            _link(
                "building group leader",
                f"building {start.building_id}",
                duties.group_leaders.get(start.building_id),
            )
        )
    links.append(
        _link(
            "branch secretary",
            f"estate {start.estate_id}",
            duties.branch_secretaries.get(start.estate_id),
        )
    )
    links.append(
        _link(
            "community secretary",
            f"community {start.community_id}",
            duties.community_secretaries.get(start.community_id),
        )
    )
    links.append(_leader_pairing(start, duties))
    links.append(
        _link(
            "working committee secretary",
            f"subdistrict {start.subdistrict_id}",
            duties.working_committee_secretaries.get(start.subdistrict_id),
        )
    )
    return tuple(links)


def gaps(chain: tuple[Link, ...]) -> tuple[str, ...]:
    """The gap sentences of a chain, bottom first."""
    return tuple(link.gap for link in chain if link.gap)


def _link(role: str, place: str, person: Id | None) -> Link:
    return Link(role, place, person, None if person is not None else f"{place} has no {role}")


def _leader_pairing(start: PlaceAncestry, duties: Responsibilities) -> Link:
    # The estate's own pairing answers first; the community's covers estates without one.
    person = duties.estate_leaders.get(start.estate_id)
    if person is not None:
        return Link("leader pairing", f"estate {start.estate_id}", person)
    person = duties.community_leaders.get(start.community_id)
    if person is not None:
        return Link("leader pairing", f"community {start.community_id}", person)
    return Link(
        "leader pairing",
        f"estate {start.estate_id}",
        None,
        f"neither estate {start.estate_id} nor community {start.community_id} has a leader pairing",
    )
