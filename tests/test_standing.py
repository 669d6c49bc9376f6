"""A member's standing as dated events that keep history (党员教育管理工作条例 第二十四条; 党章
第九条): lost contact and a suspended membership are restored by a later decision; leaving the
Party and death are final, and from that day the member is counted nowhere live, while their
history and dated reads keep them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from registry.core import calendar
from registry.importer import ImportFailed, import_workbook
from tests.support import GraphQLClient, Registry, operation, write_workbook
from tests.write_world import WORLD, codes, member_codes, mutate

STANDINGS = operation("MemberStandings")


def ago(days: int) -> str:
    return (calendar.today() - timedelta(days=days)).isoformat()


async def standing_of(api: GraphQLClient, code: str) -> dict[str, Any]:
    [found] = (await api(STANDINGS, {"code": code}))["members"]["nodes"]
    return found


def reasons(payload: dict[str, Any]) -> list[str]:
    return [e["reason"] for e in payload["userErrors"]]


async def test_lost_contact_is_restored_and_both_stay_in_the_history(registry: Registry) -> None:
    """Given M2 of BR1, when BR1's organiser records that M2 lost contact 40 days ago and then
    restores contact today, then M2 is in good standing again, the history holds the lost
    contact with both days, and M2 was counted in BR1 throughout."""
    await registry.load(WORLD)
    api = await registry.client("organiser", scope="BR1")

    lost = await mutate(
        api, "RecordStanding",
        {"member": "M2", "kind": "LOST_CONTACT", "on": ago(40), "note": "电话停机，多次上门未遇"},
    )  # fmt: skip
    counted_while_lost = await member_codes(api, "BR1")
    restored = await mutate(api, "RestoreStanding", {"member": "M2", "note": "已回社区"})

    assert lost["userErrors"] == []
    assert lost["member"]["standing"] == {
        "kind": "LOST_CONTACT", "way": None, "on": ago(40), "restoredOn": None,
        "note": "电话停机，多次上门未遇", "decidedBy": None,
    }  # fmt: skip
    assert "M2" in counted_while_lost
    assert restored["userErrors"] == [] and restored["member"]["standing"] is None
    assert restored["member"]["standings"] == [
        {"kind": "LOST_CONTACT", "way": None, "on": ago(40),
         "restoredOn": calendar.today().isoformat(), "note": "电话停机，多次上门未遇\n已回社区",
         "decidedBy": None},
    ]  # fmt: skip


async def test_a_suspension_follows_lost_contact_and_closes_it(registry: Registry) -> None:
    """Given M2 lost contact 200 days ago, when BR1 suspends M2's membership (停止党籍) today,
    then the lost contact closes today and the suspension, decided by BR1, is the standing."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "RecordStanding", {"member": "M2", "kind": "LOST_CONTACT", "on": ago(200)})

    suspended = await mutate(
        api, "RecordStanding", {"member": "M2", "kind": "SUSPENDED", "decidedBy": "BR1"}
    )

    assert suspended["userErrors"] == []
    history = (await standing_of(api, "M2"))["standings"]
    assert [(s["kind"], s["on"], s["restoredOn"]) for s in history] == [
        ("LOST_CONTACT", ago(200), calendar.today().isoformat()),
        ("SUSPENDED", calendar.today().isoformat(), None),
    ]
    assert history[1]["decidedBy"] == {"code": "BR1"}


async def test_a_member_who_died_is_counted_nowhere_live_but_stays_in_history(
    registry: Registry,
) -> None:
    """Given M1, BR1's secretary, living in MX-1 and a household's contact member, when she is
    recorded as having died 10 days ago, then BR1's roster, its chart count and the coverage
    of MX no longer count her, her office and pairing ended that day, the roster lists her
    only when history is asked for, and the coverage as of the day before still counts her."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "UpdateMember", {"member": "M1", "group": "G1"})
    before = (await api(operation("Coverage"), {"scope": "MX"}))["coverage"]["members"]

    died = await mutate(api, "RecordStanding", {"member": "M1", "kind": "DIED", "on": ago(10)})

    assert died["userErrors"] == []
    assert died["member"]["departedOn"] == ago(10) and died["member"]["group"] is None
    assert "M1" not in await member_codes(api, "BR1")
    history = await api(
        operation("Members"), {"filter": {"organisation": "BR1", "includeDeparted": True}}
    )
    assert "M1" in [m["code"] for m in history["members"]["nodes"]]
    chart = (await api(operation("OrgChart"), {"root": "BR1", "depth": 0}))["orgChart"]["nodes"]
    assert [(n["code"], n["memberCount"], n["secretary"]) for n in chart] == [("BR1", 2, None)]
    after = (await api(operation("Coverage"), {"scope": "MX"}))["coverage"]["members"]
    assert after["total"] == before["total"] - 1 and after["full"] == before["full"] - 1
    then = await api(operation("CoverageAsOf"), {"scope": "MX", "asOf": ago(11)})
    assert then["coverage"]["members"]["total"] == before["total"]
    record = await standing_of(api, "M1")
    assert [(o["role"], o["end"]) for o in record["offices"]["nodes"]] == [("SECRETARY", ago(10))]
    assert record["standing"]["kind"] == "DIED"


async def test_leaving_the_party_records_how_and_who_decided(registry: Registry) -> None:
    """Given M5 of BR2, deputy secretary and G2's leader, when BR2 records that M5 withdrew
    from the Party (退党), then the standing says how and who decided it, M5's offices end, and
    the rules report no longer counts M5 (nor finds G2 staffed by them)."""
    await registry.load(WORLD)
    api = await registry.client("admin")

    left = await mutate(
        api, "RecordStanding",
        {"member": "M5", "kind": "LEFT", "way": "WITHDREW", "decidedBy": "BR2", "on": ago(3)},
    )  # fmt: skip

    assert left["userErrors"] == []
    assert left["member"]["standing"]["way"] == "WITHDREW"
    assert left["member"]["standing"]["decidedBy"] == {"code": "BR2"}
    report = (await api(operation("RulesReport"), {"scope": "BR2"}))["rulesReport"]
    small = next(v for v in report if v["rule"] == "BRANCH_TOO_SMALL")
    assert {d["name"]: d["value"] for d in small["details"]}["fullMembers"] == 1
    assert "GROUP_WITHOUT_LEADER" in [v["rule"] for v in report]


async def test_standings_are_refused_with_their_reasons_and_nothing_is_written(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "RecordStanding", {"member": "M4", "kind": "LOST_CONTACT", "on": ago(30)})
    await mutate(api, "RecordStanding", {"member": "M7", "kind": "DIED", "on": ago(5)})
    before = await registry.snapshot()
    tomorrow = (calendar.today() + timedelta(days=1)).isoformat()

    cases: list[tuple[str, dict[str, Any], str]] = [
        ("RecordStanding", {"member": "M1", "kind": "DIED", "on": "1990-01-01"}, "BEFORE_JOINED"),
        ("RecordStanding", {"member": "M1", "kind": "DIED", "on": tomorrow}, "DAY_FUTURE"),
        ("RecordStanding", {"member": "M1", "kind": "LEFT", "decidedBy": "BR1"},
         "LEAVING_WAY_NEEDED"),
        ("RecordStanding", {"member": "M1", "kind": "DIED", "way": "EXPELLED"},
         "LEAVING_WAY_ONLY"),
        ("RecordStanding", {"member": "M1", "kind": "SUSPENDED"}, "DECIDED_BY_NEEDED"),
        ("RecordStanding", {"member": "M4", "kind": "LOST_CONTACT"}, "STANDING_ALREADY"),
        ("RecordStanding", {"member": "M4", "kind": "SUSPENDED", "decidedBy": "BR2",
                            "on": ago(40)}, "BEFORE_STANDING"),
        ("RestoreStanding", {"member": "M4", "on": ago(31)}, "BEFORE_STANDING"),
        ("RestoreStanding", {"member": "M1"}, "NOTHING_TO_RESTORE"),
        # A member who died neither leaves again nor changes.
        ("RecordStanding", {"member": "M7", "kind": "LEFT", "way": "EXPELLED",
                            "decidedBy": "BR3"}, "MEMBER_DEPARTED"),
        ("UpdateMember", {"member": "M7", "name": "赵"}, "MEMBER_DEPARTED"),
        ("TransferOut", {"member": "M7", "to": "BR1"}, "MEMBER_DEPARTED"),
    ]  # fmt: skip
    for name, input, reason in cases:
        assert reasons(await mutate(api, name, input)) == [reason], (name, input)
    assert await registry.snapshot() == before


async def test_a_branch_records_standing_only_for_its_own_members(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("organiser", scope="BR1")
    refused = await mutate(api, "RecordStanding", {"member": "M4", "kind": "LOST_CONTACT"})
    assert codes(refused["userErrors"]) == ["NOT_FOUND"]


async def test_long_lost_contact_and_long_suspension_are_reported_with_their_article(
    registry: Registry,
) -> None:
    """Given M2 out of contact for 200 days (more than 6 months), M3 for 30 days, and M4
    suspended for three years, then BR1's report names M2 only, to be handled under 党员教育
    管理工作条例 第二十四条, and BR2's names M4, to be struck off after 2 years suspended."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "RecordStanding", {"member": "M2", "kind": "LOST_CONTACT", "on": ago(200)})
    await mutate(api, "RecordStanding", {"member": "M3", "kind": "LOST_CONTACT", "on": ago(30)})
    suspended = await mutate(
        api, "RecordStanding",
        {"member": "M4", "kind": "SUSPENDED", "decidedBy": "BR2", "on": ago(3 * 365)},
    )  # fmt: skip
    assert suspended["userErrors"] == []

    async def standing_rules(scope: str) -> list[dict[str, Any]]:
        report = (await api(operation("RulesReport"), {"scope": scope}))["rulesReport"]
        return [v for v in report if v["rule"] in ("LONG_LOST_CONTACT", "LONG_SUSPENSION")]

    [lost] = await standing_rules("BR1")
    [long_suspended] = await standing_rules("BR2")
    assert (lost["rule"], lost["member"]["code"], lost["since"]) == ("LONG_LOST_CONTACT", "M2",
                                                                       ago(200))  # fmt: skip
    assert "第二十四条" in lost["message"] and lost["severity"] == "BREACH"
    assert {d["name"]: d["value"] for d in lost["details"]} == {"daysLost": 200, "months": 6}
    assert long_suspended["rule"] == "LONG_SUSPENSION"
    assert long_suspended["member"]["code"] == "M4" and "第二十四条" in long_suspended["message"]

    await mutate(api, "RestoreStanding", {"member": "M2"})
    assert await standing_rules("BR1") == []


async def test_an_import_never_writes_over_a_member_who_died(registry: Registry) -> None:
    """Given M7 recorded as having died, when a member sheet lists M7 again (as the roster it
    was loaded from did), then the workbook is refused on M7's row and nothing is written."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    await mutate(api, "RecordStanding", {"member": "M7", "kind": "DIED", "on": ago(5)})
    before = await registry.snapshot()
    roster = [m for m in WORLD["members"] if m["code"] in ("M1", "M7")]

    with pytest.raises(ImportFailed) as failed:
        await import_workbook(registry.db, write_workbook(registry.tmp / "again", {
            "members": roster
        }))  # fmt: skip

    [problem] = failed.value.problems
    assert (problem.sheet, problem.row, problem.column, problem.code) == (
        "members", 3, "code", "CONFLICT"
    )
    assert await registry.snapshot() == before
