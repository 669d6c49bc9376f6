"""The registry's day: every "today" (defaults, rules, the day a change took effect) is one
day, `registry.core.calendar.today()`, so a day held behind the clock — a run begun before
midnight and still going after it — answers as if it were still that day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from registry.core import calendar
from registry.core.calendar import months_after
from tests.support import Registry, operation
from tests.write_world import WORLD, mutate


@pytest.fixture
def day_behind_the_clock() -> Iterator[date]:
    """The registry's day pinned to the day before the run's: the clock is past its midnight."""
    began = calendar.today()
    calendar.pin_today(began - timedelta(days=1))
    yield calendar.today()
    calendar.pin_today(began)


async def test_writes_after_the_clock_s_midnight_fall_on_the_registry_s_day(
    registry: Registry, day_behind_the_clock: date
) -> None:
    """Given the registry's day held behind the clock, when G1 moves under BR2 and a
    probationer is confirmed with no day given, then the chart as of the registry's today shows
    the move and the day before does not, and the member is full from the registry's today."""
    today = day_behind_the_clock
    await registry.load(WORLD)
    api = await registry.client("admin")
    joined = months_after(today, -13).isoformat()
    created = await mutate(api, "CreateMember", {"code": "M9", "name": "吴刚",
                                                 "status": "PROBATIONARY", "joined": joined,
                                                 "organisation": "BR1"})  # fmt: skip
    moved = await mutate(api, "UpdateOrganisation", {"organisation": "G1", "parent": "BR2"})
    confirmed = await mutate(api, "ConfirmMember", {"member": "M9"})
    assert created["userErrors"] == moved["userErrors"] == confirmed["userErrors"] == []

    assert confirmed["member"]["fullOn"] == today.isoformat()

    async def parent_of_g1(as_of: date) -> str:
        found = await api(operation("OrgChartAsOf"),
                          {"root": "PA", "asOf": as_of.isoformat(), "depth": 3})  # fmt: skip
        nodes = {node["code"]: node for node in found["orgChart"]["nodes"]}
        by_id = {node["id"]: code for code, node in nodes.items()}
        return by_id[nodes["G1"]["parentId"]]

    assert await parent_of_g1(today) == "BR2"
    assert await parent_of_g1(today - timedelta(days=1)) == "BR1"
