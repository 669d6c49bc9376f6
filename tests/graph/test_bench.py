"""The benchmark agrees with the exact household-level solver on a small estate."""

from __future__ import annotations

from benchmarks.graph_solvers import contact_pairing_benchmark


def test_benchmark_flow_and_household_level_optima_agree() -> None:
    result = contact_pairing_benchmark(households=150, members=12, k=10, repeats=1)

    assert result["paired"] == result["scipy_paired"] == 120
    assert result["total_cost"] == result["scipy_total_cost"]
