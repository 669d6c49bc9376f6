"""In service (在职党员) is a recorded status with its 报到 day: a member whose formal tie is at
a workplace reports to the community where they live. Reads, counts and filters take the
recorded status; the 报到 day is entered for in-service members only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from registry.core import calendar
from tests.support import Registry, operation
from tests.write_world import WORLD, member_codes, mutate


def reasons(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["reason"]) for e in payload["userErrors"]]


async def test_the_report_day_is_recorded_for_an_in_service_member_only(
    registry: Registry,
) -> None:
    """Given M6, loaded in service (a workplace, reporting to BR2) with no 报到 day known, when
    the day is recorded, then M6 reads in service since it; a day for M1 (a member of BR1), a
    day before M6 joined or one to come is refused."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    tomorrow = (calendar.today() + timedelta(days=1)).isoformat()

    recorded = await mutate(api, "UpdateMember", {"member": "M6", "reportedOn": "2022-03-05"})
    local = await mutate(api, "UpdateMember", {"member": "M1", "reportedOn": "2022-03-05"})
    early = await mutate(api, "UpdateMember", {"member": "M6", "reportedOn": "2001-01-01"})
    later = await mutate(api, "UpdateMember", {"member": "M6", "reportedOn": tomorrow})

    assert recorded["userErrors"] == []
    assert (recorded["member"]["inService"], recorded["member"]["reportedOn"]) == (
        True, "2022-03-05"
    )  # fmt: skip
    assert reasons(local) == [("reportedOn", "NOT_IN_SERVICE")]
    assert reasons(early) == [("reportedOn", "BEFORE_JOINED")]
    assert reasons(later) == [("reportedOn", "DAY_FUTURE")]


async def test_in_service_follows_the_tie_chosen_and_counts_where_they_live(
    registry: Registry,
) -> None:
    """When M2 is transferred to a workplace, reporting to BR1 since 2026-02-01, and M6 is
    transferred into BR2 as a member of it, then M2 is in service with that day and M6 no
    longer (their 报到 day goes with the service); the in-service figure of 茅溪 counts M2 (who
    lives there) and the in-service filter lists M2 and not M6."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = (await api(operation("Coverage"), {"scope": "MX"}))["coverage"]["members"]

    served = await mutate(api, "TransferMember", {
        "member": "M2", "workplace": "重庆港务集团", "reportsTo": "BR1",
        "reportedOn": "2026-02-01", "on": "2026-01-15",
    })  # fmt: skip
    await mutate(api, "UpdateMember", {"member": "M6", "reportedOn": "2020-01-01"})
    local = await mutate(api, "TransferMember", {"member": "M6", "organisation": "BR2"})

    assert served["userErrors"] == [] and local["userErrors"] == []
    assert (served["member"]["inService"], served["member"]["reportedOn"]) == (True, "2026-02-01")
    assert (local["member"]["inService"], local["member"]["reportedOn"]) == (False, None)
    after = (await api(operation("Coverage"), {"scope": "MX"}))["coverage"]["members"]
    assert after["inService"] == before["inService"] + 1
    listed = await api(operation("Members"), {"filter": {"inService": True}})
    assert [m["code"] for m in listed["members"]["nodes"]] == ["M2"]
    assert "M6" in await member_codes(api, "BR2")


async def test_a_new_in_service_member_is_registered_with_their_report_day(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")

    created = await mutate(api, "CreateMember", {
        "code": "M9", "name": "孙丽", "status": "FULL", "joined": "2012-07-01",
        "workplace": "江北区某局", "reportsTo": "PA", "reportedOn": "2023-09-10",
    })  # fmt: skip
    local = await mutate(api, "CreateMember", {
        "code": "M10", "name": "钱进", "status": "FULL", "organisation": "BR1",
        "reportedOn": "2023-09-10",
    })  # fmt: skip

    assert created["userErrors"] == []
    assert (created["member"]["inService"], created["member"]["reportedOn"]) == (
        True, "2023-09-10"
    )  # fmt: skip
    assert reasons(local) == [("reportedOn", "NOT_IN_SERVICE")]
