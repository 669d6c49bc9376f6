"""Benchmark of household contact pairing on a synthetic estate (deterministic).

`contact_pairing_benchmark()` times `propose_contacts` (aggregated min-cost flow) against an
exact household-level solver (scipy's linear_sum_assignment on the expanded problem: each member
repeated k times, one "unpaired" column per household). scipy is a test/bench dependency only,
so it is imported inside the function.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence

from graph.contacts import contact_cost, neighbour_map, propose_contacts
from graph.model import Building, Household, Member

UNITS_PER_BUILDING = 3
HOUSEHOLDS_PER_UNIT = 12


def synthetic_estate(
    households: int, members: int, seed: int = 2022
) -> tuple[list[Household], list[Building], list[Member]]:
    """One estate: buildings of 3 units x 12 households in a row (next-door buildings are
    neighbours), members living in units drawn with a fixed seed."""
    per_building = UNITS_PER_BUILDING * HOUSEHOLDS_PER_UNIT
    n_buildings = max(1, -(-households // per_building))
    buildings = [
        Building(b, "E", frozenset(n for n in (b - 1, b + 1) if 0 <= n < n_buildings))
        for b in range(n_buildings)
    ]
    homes = [
        Household(i, (i % per_building) // HOUSEHOLDS_PER_UNIT, i // per_building, "E")
        for i in range(households)
    ]
    rng = random.Random(seed)
    people = []
    for i in range(members):
        home = rng.choice(homes)
        people.append(Member(i, "E", home.id, home.unit_id, home.building_id))
    return homes, buildings, people


def household_level_solve(
    households: Sequence[Household],
    buildings: Sequence[Building],
    members: Sequence[Member],
    k: int,
) -> tuple[int, int]:
    """(households paired, total cost) by the exact expanded assignment. O(n^2 (n + mk))."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    neighbours = neighbour_map(buildings)
    n = len(households)
    slot_owner = [m for m in members for _ in range(k)]
    distinct = np.empty((n, len(members)), dtype=np.int64)
    forbidden = 10**9
    for i, h in enumerate(households):
        for j, m in enumerate(members):
            c = contact_cost(m, h, neighbours)
            distinct[i, j] = forbidden if c is None else c
    unpaired = 5 * (n + 1)  # more than any rerouting can save: pairing count comes first
    cost = np.full((n, len(slot_owner) + n), forbidden, dtype=np.int64)
    cost[:, : len(slot_owner)] = np.repeat(distinct, k, axis=1)
    cost[np.arange(n), len(slot_owner) + np.arange(n)] = unpaired
    rows, cols = linear_sum_assignment(cost)
    paired = cols < len(slot_owner)
    return int(paired.sum()), int(cost[rows[paired], cols[paired]].sum())


def _median_seconds(run: Callable[[], object], repeats: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(max(repeats, 1)):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def contact_pairing_benchmark(
    households: int = 1224, members: int = 126, k: int = 10, repeats: int = 5
) -> dict:
    """Median seconds of `propose_contacts` and of the household-level scipy solver on one
    synthetic estate, with both optima (they must agree)."""
    homes, buildings, people = synthetic_estate(households, members)
    flow_s, proposal = _median_seconds(
        lambda: propose_contacts(homes, buildings, people, k), repeats
    )
    scipy_s, (paired, cost) = _median_seconds(
        lambda: household_level_solve(homes, buildings, people, k), repeats
    )
    return {
        "households": households,
        "members": members,
        "k": k,
        "repeats": repeats,
        "propose_contacts_s": flow_s,
        "household_level_scipy_s": scipy_s,
        "paired": len(proposal.pairings),
        "total_cost": proposal.total_cost,
        "scipy_paired": paired,
        "scipy_total_cost": cost,
    }


if __name__ == "__main__":
    print(contact_pairing_benchmark())
