"""Task mobilisation: choose members for a task, cover every building, explain each choice.

Definitions (what "covered" means here):

- A member is *available* for a task when they hold fewer tasks than their `task_capacity` and
  none of their bookings overlaps the task's window. A member listed in `overrides` may be booked
  on an overlapping task; the choice then records the override. Declined members are excluded.
- Every building in the task's scope needs one *building lead*: a chosen member who lives in the
  building or, failing that, in the same estate. A member leads at most one building.
- `required_skills` maps a skill to how many chosen members must have it; a member counts for every
  required skill they have, and only for those.
- `headcount` is the least number of members wanted; building leads and skill holders count.

Steps: (1) building leads as a min-cost assignment (networkx network simplex): most buildings
covered, then residents before estate neighbours, then lower load, then skill holders; (2) skill
shortfalls filled greedily by the member covering most missing skills; (3) headcount made up.
Steps 2 and 3 rank members by place (lives in scope, in a scope estate, elsewhere), then load,
then id. Cost: O(buildings x members in their estates) arcs for step 1, O(members x skills) per
pick in steps 2 and 3. Deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import networkx as nx

from graph.model import Building, Id, Member, Reason, Task, reason, sort_key


@dataclass(frozen=True, slots=True)
class Choice:
    """A chosen member; `role` is "building", "skill" or "headcount"; `explanation` says why
    (the role's reason, any override, then the member's load)."""

    member_id: Id
    role: str
    explanation: tuple[Reason, ...]
    building_id: Id | None = None
    skills: frozenset[str] = frozenset()
    override_task_ids: tuple[Id, ...] = ()


@dataclass(frozen=True, slots=True)
class UncoveredBuilding:
    building_id: Id
    reason: Reason


@dataclass(frozen=True, slots=True)
class SkillShortfall:
    skill: str
    needed: int
    found: int


@dataclass(frozen=True, slots=True)
class MobilisationPlan:
    """Result of `mobilise` / `replan_after_decline`."""

    task_id: Id
    choices: tuple[Choice, ...]
    uncovered: tuple[UncoveredBuilding, ...]
    skill_shortfalls: tuple[SkillShortfall, ...]
    headcount_shortfall: int
    declined: frozenset[Id] = field(default_factory=frozenset)

    @property
    def member_ids(self) -> tuple[Id, ...]:
        return tuple(c.member_id for c in self.choices)

    @property
    def overrides(self) -> tuple[Choice, ...]:
        """Choices booked on an overlapping task by override."""
        return tuple(c for c in self.choices if c.override_task_ids)


def mobilise(
    task: Task,
    buildings: Iterable[Building],
    members: Iterable[Member],
    overrides: Collection[Id] = frozenset(),
) -> MobilisationPlan:
    """Plan who to mobilise for `task` (see module docstring for the rules and cost)."""
    return _plan(task, buildings, members, overrides, fixed=(), declined=frozenset())


def replan_after_decline(
    previous: MobilisationPlan,
    declined_member_ids: Collection[Id],
    task: Task,
    buildings: Iterable[Building],
    members: Iterable[Member],
    overrides: Collection[Id] = frozenset(),
) -> MobilisationPlan:
    """Re-plan only the gap the declining members leave; every other choice is kept as is.

    Members who declined (now or in an earlier re-plan) are never proposed again. Cost: that
    of `mobilise` over the gap only.
    """
    declined = previous.declined | frozenset(declined_member_ids)
    fixed = tuple(c for c in previous.choices if c.member_id not in declined)
    return _plan(task, buildings, members, overrides, fixed=fixed, declined=declined)


def unavailability(member: Member, task: Task, overrides: Collection[Id]) -> Reason | None:
    """Why `member` cannot take `task`, or None when they can. O(bookings)."""
    if member.load >= member.task_capacity:
        return reason("AT_CAPACITY", load=member.load, capacity=member.task_capacity)
    if member.id not in overrides and _clashes(member, task):
        return reason("BOOKED_ELSEWHERE", tasks=_clashes(member, task))
    return None


def _clashes(member: Member, task: Task) -> tuple[Id, ...]:
    if task.window is None:
        return ()
    return tuple(
        b.task_id
        for b in member.bookings
        if b.window.overlaps(task.window) and b.task_id != task.id
    )


def _plan(
    task: Task,
    buildings: Iterable[Building],
    members: Iterable[Member],
    overrides: Collection[Id],
    fixed: Sequence[Choice],
    declined: frozenset[Id],
) -> MobilisationPlan:
    estate_of = {b.id: b.estate_id for b in buildings}
    members = sorted(members, key=lambda m: sort_key(m.id))
    taken = {c.member_id for c in fixed}
    free = [
        m
        for m in members
        if m.id not in taken and m.id not in declined and unavailability(m, task, overrides) is None
    ]
    scope = list(dict.fromkeys(task.building_ids))
    led = {c.building_id for c in fixed if c.role == "building"}
    open_buildings = [b for b in scope if b not in led]
    scope_set, scope_estates = set(scope), {estate_of.get(b) for b in scope}

    def place(m: Member) -> int:
        if m.home_building_id in scope_set:
            return 0
        return 1 if m.estate_id in scope_estates else 2

    def choice(m: Member, role: str, why: Reason, building: Id | None = None) -> Choice:
        clashes = _clashes(m, task) if m.id in overrides else ()
        said = (why, reason("OVERRIDE", tasks=clashes)) if clashes else (why,)
        skills = frozenset(task.required_skills) & m.skills
        explanation = (*said, reason("LOAD", load=m.load))
        return Choice(m.id, role, explanation, building, skills, clashes)

    leads = _building_leads(open_buildings, free, estate_of, task)
    new: list[Choice] = []
    for b in open_buildings:
        m = leads.get(b)
        if m is None:
            continue
        why = (
            reason("LEADS_HOME_BUILDING", building=b)
            if m.home_building_id == b
            else reason("LEADS_FROM_ESTATE", building=b, estate=m.estate_id)
        )
        new.append(choice(m, "building", why, b))
    chosen = {c.member_id for c in new}
    pool = [m for m in free if m.id not in chosen]

    # Skills: greedy set cover over the missing skill units.
    missing = dict(task.required_skills)
    for c in (*fixed, *new):
        for s in c.skills:
            missing[s] = missing.get(s, 0) - 1
    while any(n > 0 for n in missing.values()):
        useful = [m for m in pool if any(missing.get(s, 0) > 0 for s in m.skills)]
        if not useful:
            break
        best = min(
            useful,
            key=lambda m: (
                -sum(missing.get(s, 0) > 0 for s in m.skills),
                place(m),
                m.load,
                sort_key(m.id),
            ),
        )
        gives = tuple(sorted(s for s in best.skills if missing.get(s, 0) > 0))
        new.append(choice(best, "skill", reason("HAS_SKILLS", skills=gives)))
        for s in best.skills:
            missing[s] = missing.get(s, 0) - 1
        pool.remove(best)

    # Headcount: the nearest, least-loaded members.
    pool.sort(key=lambda m: (place(m), m.load, sort_key(m.id)))
    short = task.headcount - len(fixed) - len(new)
    for m in pool[: max(short, 0)]:
        new.append(choice(m, "headcount", reason("MAKES_HEADCOUNT")))

    uncovered = [
        UncoveredBuilding(b, _uncovered_reason(b, estate_of, members, task, overrides, declined))
        for b in open_buildings
        if b not in leads
    ]
    shortfalls = [
        SkillShortfall(s, need, need - max(missing[s], 0))
        for s, need in sorted(task.required_skills.items())
        if missing[s] > 0
    ]
    return MobilisationPlan(
        task_id=task.id,
        choices=(*fixed, *new),
        uncovered=tuple(uncovered),
        skill_shortfalls=tuple(shortfalls),
        headcount_shortfall=max(task.headcount - len(fixed) - len(new), 0),
        declined=declined,
    )


def _building_leads(
    buildings: Sequence[Id], free: Sequence[Member], estate_of: Mapping[Id, Id], task: Task
) -> dict[Id, Member]:
    """One lead per building, each member at most once: max buildings led, then residents,
    then low load, then skill holders. Min-cost flow; O(buildings x estate members) arcs."""
    if not buildings or not free:
        return {}
    by_estate: dict[Id, list[Member]] = defaultdict(list)
    for m in free:
        by_estate[m.estate_id].append(m)
    skilled = frozenset(task.required_skills)
    # Lexicographic weights: load and skill never outweigh residence; any lead beats none.
    load_w = 2
    resident_w = load_w * (max(m.load for m in free) + 2)
    none_w = (2 * resident_w) * (len(buildings) + 1)
    g = nx.DiGraph()
    g.add_node("s", demand=-len(buildings))
    g.add_node("t", demand=len(buildings))
    for b in buildings:
        g.add_edge("s", ("B", b), weight=none_w, capacity=1)  # leaving b without a lead
        g.add_edge(("B", b), "t", weight=0, capacity=1)
        estate = estate_of.get(b)
        for m in by_estate.get(estate, ()) if estate is not None else ():
            cost = (0 if m.home_building_id == b else resident_w) + load_w * m.load
            cost += 0 if m.skills & skilled else 1
            g.add_edge(("M", m.id), ("B", b), weight=cost, capacity=1)
            g.add_edge("s", ("M", m.id), weight=0, capacity=1)
    _, flow = nx.network_simplex(g)
    member_by_id = {m.id: m for m in free}
    leads: dict[Id, Member] = {}
    for node, out in flow.items():
        if isinstance(node, tuple) and node[0] == "M":
            for target, f in out.items():
                if f > 0:
                    leads[target[1]] = member_by_id[node[1]]
    return leads


def _uncovered_reason(
    building: Id,
    estate_of: Mapping[Id, Id],
    members: Sequence[Member],
    task: Task,
    overrides: Collection[Id],
    declined: frozenset[Id],
) -> Reason:
    estate = estate_of.get(building)
    if estate is None:
        return reason("BUILDING_OUTSIDE_ESTATES", building=building)
    local = [m for m in members if m.estate_id == estate]
    if not local:
        return reason("NO_MEMBER_IN_ESTATE", estate=estate)
    blocked = tuple(
        m.id for m in local if m.id in declined or unavailability(m, task, overrides) is not None
    )
    if len(blocked) == len(local):
        return reason(
            "ESTATE_MEMBERS_UNAVAILABLE", estate=estate, members=len(local), unavailable=blocked
        )
    return reason("ESTATE_MEMBERS_ON_TASK", estate=estate)
