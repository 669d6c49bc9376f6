"""Probation: one year (党章 第七条); the branch may extend it once, by at least half a year
(《发展党员工作细则》) and at most a year (党章 第七条), a recorded decision that moves the day
the probation ends: confirmation waits for it, and the rules report counts from it."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.core import calendar
from registry.core.calendar import months_after
from tests.support import GraphQLClient, Registry, operation
from tests.write_world import WORLD, codes, mutate

TODAY = calendar.today()


def months_ago(months: int) -> str:
    return months_after(TODAY, -months).isoformat()


async def probationer(api: GraphQLClient, code: str, joined: str) -> None:
    created = await mutate(api, "CreateMember", {"code": code, "name": f"预备{code}",
                                                 "status": "PROBATIONARY", "joined": joined,
                                                 "organisation": "BR1", "group": "G1"})  # fmt: skip
    assert created["userErrors"] == [], created


async def probation_rules(api: GraphQLClient, code: str) -> dict[str, dict[str, Any]]:
    report = (await api(operation("RulesReport"), {"scope": "BR1"}))["rulesReport"]
    return {
        v["rule"]: v
        for v in report
        if v["member"] and v["member"]["code"] == code and v["rule"].startswith("PROBATION")
    }


async def test_an_extension_moves_the_end_of_probation(registry: Registry) -> None:
    """Given P joined 13 months ago (probation over: a notice), when the branch extends it by
    6 months today, then the notice goes, P cannot be confirmed today, and can be on the day
    the extended probation ends."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    await probationer(api, "P", months_ago(13))
    assert (await probation_rules(api, "P"))["PROBATION_DUE"]["severity"] == "NOTICE"

    extended = await mutate(api, "ExtendProbation", {"member": "P", "months": 6})
    early = await mutate(api, "ConfirmMember", {"member": "P"})
    ends = months_after(date.fromisoformat(months_ago(13)), 18).isoformat()
    on_time = await mutate(api, "ConfirmMember", {"member": "P", "on": ends})

    assert extended["userErrors"] == []
    assert extended["member"]["probationExtendedMonths"] == 6
    assert extended["member"]["probationExtendedOn"] == TODAY.isoformat()
    assert codes(early["userErrors"]) == ["CONFLICT"] and ends in early["userErrors"][0]["message"]
    assert on_time["userErrors"] == [] and on_time["member"]["status"] == "FULL"


async def test_an_extension_is_half_a_year_to_a_year_and_only_once(registry: Registry) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    await probationer(api, "P", months_ago(13))
    before = await registry.snapshot()

    refusals = [
        ({"member": "P", "months": 5}, "INVALID"),
        ({"member": "P", "months": 13}, "INVALID"),
        ({"member": "P", "months": 6, "decidedOn": months_ago(14)}, "INVALID"),
        ({"member": "M1", "months": 6}, "CONFLICT"),  # a full member
    ]
    for input, code in refusals:
        assert codes((await mutate(api, "ExtendProbation", input))["userErrors"]) == [code], input
    assert await registry.snapshot() == before

    assert (await mutate(api, "ExtendProbation", {"member": "P", "months": 12}))["userErrors"] == []
    again = await mutate(api, "ExtendProbation", {"member": "P", "months": 6})
    assert codes(again["userErrors"]) == ["CONFLICT"]


async def test_the_report_counts_from_the_extended_end(registry: Registry) -> None:
    """Given P and Q who both joined 20 months ago: P's probation, not extended, may still be
    extended (a notice, until 24 months); Q's, extended by 6 months, ended 2 months ago while
    Q is still probationary: a breach, with the extension in its figures."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    for code in ("P", "Q"):
        await probationer(api, code, months_ago(20))
    await mutate(api, "ExtendProbation", {"member": "Q", "months": 6,
                                          "decidedOn": months_ago(8)})  # fmt: skip

    p, q = await probation_rules(api, "P"), await probation_rules(api, "Q")

    assert set(p) == {"PROBATION_DUE"}
    assert set(q) == {"PROBATION_OVERDUE"} and q["PROBATION_OVERDUE"]["severity"] == "BREACH"
    figures = {d["name"]: d["value"] for d in q["PROBATION_OVERDUE"]["details"]}
    ended = months_after(date.fromisoformat(months_ago(20)), 18)
    assert figures["extendedMonths"] == 6
    assert figures["daysOverdue"] == (TODAY - ended).days > 0
    assert "党章 第七条" in q["PROBATION_OVERDUE"]["message"]
