"""Members away from home (外出, 流动党员): since when, where, and the organisation they take part
in there, of the registry or named in words. 党员教育管理工作条例 第二十五条: away 6 months or more
at a fairly fixed place, the tie (组织关系) is transferred there: the rules report says so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from registry.core import calendar
from tests.support import Registry, operation
from tests.write_world import WORLD, mutate


def ago(days: int) -> str:
    return (calendar.today() - timedelta(days=days)).isoformat()


def reasons(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["reason"]) for e in payload["userErrors"]]


async def test_a_member_away_is_recorded_where_and_with_whom_then_back(
    registry: Registry,
) -> None:
    """Given M2 of BR1, when M2 is recorded away since 2026-03-01 in 深圳, taking part in the
    branch of their company there (in words), then M2 reads so; corrected to take part in BRJ
    (an organisation of the registry), it reads that instead; back home, M2 is away no more."""
    await registry.load(WORLD)
    api = await registry.client("admin")

    away = await mutate(api, "RecordAway", {
        "member": "M2", "since": "2026-03-01", "place": "深圳市南山区",
        "attends": "某科技公司党支部",
    })  # fmt: skip
    corrected = await mutate(api, "RecordAway", {
        "member": "M2", "since": "2026-03-01", "place": "重庆市江北区",
        "attendsOrganisation": "BRJ",
    })  # fmt: skip
    back = await mutate(api, "RecordReturn", {"member": "M2"})

    assert away["userErrors"] == []
    found = away["member"]
    assert (found["awaySince"], found["awayPlace"], found["awayAttends"]) == (
        "2026-03-01", "深圳市南山区", "某科技公司党支部"
    )  # fmt: skip
    assert found["organisation"] == {"code": "BR1"}  # the tie stays until transferred
    assert corrected["member"]["awayAttendsOrganisation"] == {"code": "BRJ"}
    assert corrected["member"]["awayAttends"] is None
    assert back["userErrors"] == []
    assert (back["member"]["awaySince"], back["member"]["awayPlace"]) == (None, None)


async def test_away_and_back_are_refused_with_their_reasons(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "RecordAway", {"member": "M4", "since": ago(20), "place": "成都"})
    before = await registry.snapshot()
    tomorrow = (calendar.today() + timedelta(days=1)).isoformat()

    cases: list[tuple[str, dict[str, Any], tuple[str, str]]] = [
        ("RecordAway", {"member": "M1", "since": "1990-01-01", "place": "成都"},
         ("since", "BEFORE_JOINED")),
        ("RecordAway", {"member": "M1", "since": tomorrow, "place": "成都"},
         ("since", "DAY_FUTURE")),
        ("RecordAway", {"member": "M1", "since": ago(3), "place": "成都",
                        "attends": "某支部", "attendsOrganisation": "BRJ"},
         ("attends", "AWAY_ATTENDS_ONE")),
        ("RecordAway", {"member": "M1", "since": ago(3), "place": " "}, ("place", "TEXT_EMPTY")),
        ("RecordReturn", {"member": "M1"}, ("member", "NOT_AWAY")),
        ("RecordReturn", {"member": "M4", "on": ago(21)}, ("on", "BEFORE_AWAY")),
    ]  # fmt: skip
    for name, input, reason in cases:
        assert reasons(await mutate(api, name, input)) == [reason], input
    assert await registry.snapshot() == before


async def test_away_six_months_is_a_notice_to_transfer_the_tie(registry: Registry) -> None:
    """Given M2 away for 200 days and M4 for 30, then BR1's report gives M2 a notice citing
    第二十五条, and BR2's has none; back home, M2's notice goes."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "RecordAway", {"member": "M2", "since": ago(200), "place": "深圳"})
    await mutate(api, "RecordAway", {"member": "M4", "since": ago(30), "place": "成都"})

    async def notices(scope: str) -> list[dict[str, Any]]:
        report = (await api(operation("RulesReport"), {"scope": scope}))["rulesReport"]
        return [v for v in report if v["rule"] == "AWAY_SHOULD_TRANSFER"]

    [away] = await notices("BR1")
    assert away["member"]["code"] == "M2" and away["severity"] == "NOTICE"
    assert away["since"] == ago(200) and "第二十五条" in away["message"]
    assert {d["name"]: d["value"] for d in away["details"]} == {"daysAway": 200, "months": 6}
    assert await notices("BR2") == []
    await mutate(api, "RecordReturn", {"member": "M2"})
    assert await notices("BR1") == []
