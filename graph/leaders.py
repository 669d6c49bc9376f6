"""Leader pairings (班子成员包联): one leadership member answers for each community or estate.

Load of a place = households x w_households + open suggestions x w_suggestion + open rule
violations x w_violation. A leader with a `community_id` may take that community and its estates;
a leader without one (sub-district level) may take any place. Place ids must be unique across
kinds (the registry's place ids are).

Steps: (1) keep every existing pairing that is still valid and within the leader's capacity;
(2) release pairings only where balance requires it: a leader whose kept workload exceeds
`imbalance` x the mean workload (and the heaviest single place) sheds their lightest places;
(3) pair the remaining places by LPT (heaviest place first, to the least-loaded eligible
leader with room), a 4/3-approximation of the least maximum workload. Cost: O(places x leaders).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from graph.model import Id, Reason, reason, sort_key


@dataclass(frozen=True, slots=True)
class LeadPlace:
    """A community or estate to be paired; `community_id` is its own id for a community."""

    id: Id
    kind: str  # "community" | "estate"
    community_id: Id
    households: int = 0
    open_suggestions: int = 0
    open_violations: int = 0


@dataclass(frozen=True, slots=True)
class Leader:
    id: Id
    community_id: Id | None = None  # None: a sub-district leader, eligible everywhere
    capacity: int = 3  # places at most


@dataclass(frozen=True, slots=True)
class WorkloadWeights:
    households: int = 1
    suggestion: int = 5
    violation: int = 20


@dataclass(frozen=True, slots=True)
class LeaderPairing:
    leader_id: Id
    place_id: Id
    workload: int
    kept: bool
    explanation: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class ReleasedPairing:
    leader_id: Id
    place_id: Id
    reason: Reason


@dataclass(frozen=True, slots=True)
class UnpairedPlace:
    place_id: Id
    reason: Reason


@dataclass(frozen=True, slots=True)
class LeaderPlan:
    pairings: tuple[LeaderPairing, ...]
    unpaired: tuple[UnpairedPlace, ...]
    released: tuple[ReleasedPairing, ...]
    workloads: dict[Id, int]  # leader id -> total workload after the plan


def place_workload(place: LeadPlace, weights: WorkloadWeights = WorkloadWeights()) -> int:
    return (
        place.households * weights.households
        + place.open_suggestions * weights.suggestion
        + place.open_violations * weights.violation
    )


def eligible(leader: Leader, place: LeadPlace) -> bool:
    return leader.community_id is None or leader.community_id == place.community_id


def pair_leaders(
    places: Iterable[LeadPlace],
    leaders: Iterable[Leader],
    existing: Iterable[tuple[Id, Id]] = (),
    weights: WorkloadWeights = WorkloadWeights(),
    imbalance: float = 1.5,
) -> LeaderPlan:
    """Pair leaders with places, balancing workload, keeping `existing` (leader, place) pairs
    unless they are invalid, over capacity or too unbalanced. Deterministic."""
    places = sorted(places, key=lambda p: sort_key(p.id))
    leaders = sorted(leaders, key=lambda m: sort_key(m.id))
    place_by_id = {p.id: p for p in places}
    leader_by_id = {m.id: m for m in leaders}
    workload_of = {p.id: place_workload(p, weights) for p in places}

    held: dict[Id, list[Id]] = defaultdict(list)  # leader -> kept place ids
    owner: dict[Id, Id] = {}
    released: list[ReleasedPairing] = []
    for leader_id, place_id in sorted(existing, key=lambda e: (sort_key(e[1]), sort_key(e[0]))):
        leader, place = leader_by_id.get(leader_id), place_by_id.get(place_id)
        if leader is None or place is None:
            why = reason("LEADER_GONE" if place else "PLACE_GONE")
        elif not eligible(leader, place):
            why = reason("LEADER_OTHER_COMMUNITY", community=leader.community_id)
        elif place_id in owner:
            why = reason("PLACE_ALREADY_PAIRED", leader=owner[place_id])
        else:
            owner[place_id] = leader_id
            held[leader_id].append(place_id)
            continue
        released.append(ReleasedPairing(leader_id, place_id, why))

    active = [m for m in leaders if m.capacity > 0]
    mean = sum(workload_of.values()) / len(active) if active else 0
    limit = max(imbalance * mean, max(workload_of.values(), default=0))
    for leader_id, kept in held.items():
        kept.sort(key=lambda p: (-workload_of[p], sort_key(p)))  # heaviest first: shed the lightest
        cap = leader_by_id[leader_id].capacity
        while len(kept) > cap:
            p = kept.pop()
            released.append(
                ReleasedPairing(leader_id, p, reason("LEADER_OVER_CAPACITY", capacity=cap))
            )
        while len(kept) > 1 and sum(workload_of[p] for p in kept) > limit:
            p = kept.pop()
            released.append(
                ReleasedPairing(leader_id, p, reason("LEADER_OVER_BALANCE", limit=limit))
            )

    workload = {m.id: sum(workload_of[p] for p in held.get(m.id, ())) for m in leaders}
    count = {m.id: len(held.get(m.id, ())) for m in leaders}
    pairings = [
        LeaderPairing(m, p, workload_of[p], True, (reason("LEADER_KEPT", workload=workload[m]),))
        for m, ps in held.items()
        for p in ps
    ]
    unpaired: list[UnpairedPlace] = []
    assigned = {p for ps in held.values() for p in ps}
    todo = sorted(
        (p for p in places if p.id not in assigned),
        key=lambda p: (-workload_of[p.id], sort_key(p.id)),
    )
    for place in todo:
        options = [m for m in leaders if eligible(m, place) and count[m.id] < m.capacity]
        if not options:
            unpaired.append(UnpairedPlace(place.id, _why_unpaired(place, leaders)))
            continue
        m = min(options, key=lambda m: (workload[m.id], count[m.id], sort_key(m.id)))
        before = workload[m.id]
        workload[m.id] += workload_of[place.id]
        count[m.id] += 1
        pairings.append(
            LeaderPairing(
                m.id,
                place.id,
                workload_of[place.id],
                False,
                (reason("LEADER_NEW", before=before, after=workload[m.id]),),
            )
        )
    # A shed place that LPT hands straight back to its leader was never really released.
    back = {(r.leader_id, r.place_id) for r in released} & {
        (x.leader_id, x.place_id) for x in pairings if not x.kept
    }
    released = [r for r in released if (r.leader_id, r.place_id) not in back]
    pairings = [
        LeaderPairing(
            x.leader_id, x.place_id, x.workload, True, (reason("LEADER_KEPT_REBALANCED"),)
        )
        if (x.leader_id, x.place_id) in back
        else x
        for x in pairings
    ]
    pairings.sort(key=lambda x: sort_key(x.place_id))
    released.sort(key=lambda r: (sort_key(r.place_id), sort_key(r.leader_id)))
    return LeaderPlan(tuple(pairings), tuple(unpaired), tuple(released), workload)


def _why_unpaired(place: LeadPlace, leaders: Sequence[Leader]) -> Reason:
    if not any(eligible(m, place) for m in leaders):
        return reason(
            "NO_ELIGIBLE_LEADER", kind=place.kind, place=place.id, community=place.community_id
        )
    return reason("ELIGIBLE_LEADERS_FULL", kind=place.kind, place=place.id)
