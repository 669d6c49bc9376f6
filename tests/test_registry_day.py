"""The registry's day: every "today" (defaults, rules, the day a change took effect) is one
day, `registry.core.calendar.today()`, so a day held behind the clock — a run begun before
midnight and still going after it — answers as if it were still that day; and with a zone
named (GRIDREG_TIMEZONE), the day turns at that zone's midnight, not the machine's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from registry.audit.history import effective_day
from registry.core import calendar
from registry.core.calendar import months_after
from registry.core.models import Change
from tests.support import Registry, operation
from tests.write_world import WORLD, mutate


@pytest.fixture
def day_behind_the_clock() -> date:
    """The registry's day pinned to the day before the run's: the clock is past its midnight
    (the run's day comes back after the test, tests/conftest.py)."""
    calendar.pin_today(calendar.today() - timedelta(days=1))
    return calendar.today()


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


@pytest.fixture
def the_clock_s_day() -> None:
    """The run's pinned day lifted: the registry follows the clock (until the test ends)."""
    calendar.pin_today(None)


async def test_the_day_turns_at_the_named_zone_s_midnight(
    registry: Registry, the_clock_s_day: None
) -> None:
    """Given days counted in UTC+14, then in UTC-12 (26 hours apart: never the same date),
    when a probationer is confirmed with no day given in each, then each is full from the date
    in the zone of then."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    full_on = {}
    for code, zone in (("P14", "Etc/GMT-14"), ("P12", "Etc/GMT+12")):
        calendar.count_days_in(ZoneInfo(zone))
        before = datetime.now(ZoneInfo(zone)).date()
        joined = months_after(before, -13).isoformat()
        created = await mutate(api, "CreateMember", {"code": code, "name": "吴刚",
                                                     "status": "PROBATIONARY", "joined": joined,
                                                     "organisation": "BR1"})  # fmt: skip
        confirmed = await mutate(api, "ConfirmMember", {"member": code})
        after = datetime.now(ZoneInfo(zone)).date()
        assert created["userErrors"] == confirmed["userErrors"] == []
        full_on[code] = date.fromisoformat(confirmed["member"]["fullOn"])
        assert before <= full_on[code] <= after
    assert (full_on["P14"] - full_on["P12"]).days in (1, 2)


def test_a_change_took_effect_on_the_day_of_the_named_zone(the_clock_s_day: None) -> None:
    """Given a change written at 20:00 UTC on 6 December 2026, then it took effect on 7
    December when days are counted in Asia/Shanghai, and on 6 December in UTC."""
    change = Change(entity="organisation", entity_id=1, before={}, after={"name": "x"},
                    at=datetime(2026, 12, 6, 20, 0, tzinfo=UTC))  # fmt: skip
    calendar.count_days_in(ZoneInfo("Asia/Shanghai"))
    assert effective_day(change) == date(2026, 12, 7)
    calendar.count_days_in(ZoneInfo("UTC"))
    assert effective_day(change) == date(2026, 12, 6)
