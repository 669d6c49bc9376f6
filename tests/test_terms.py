"""Terms follow the unit, not the kind, and count from a dated election
(《关于党的基层组织任期的意见》2018; 《中国共产党基层组织选举工作条例》第三条).

村/社区 Party committees, general branches and branches serve 5 years; the branches and general
branches of other units (the sub-district's 机关党支部, a company's) 3; other grassroots
committees 5. A term counts from the last recorded election: a by-election or an appointed
secretary does not restart it. An approved postponement moves the due day, an early election
needs approval, each by at most a year; the report gives notice 6 months before a term ends.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from registry.core import calendar
from registry.core.calendar import months_after, years_before
from registry.core.paths import reduce_to_tops
from registry.core.terms import serves
from tests.support import GraphQLClient, Registry, operation
from tests.write_world import codes, mutate

TODAY = calendar.today()


def ago(years: int = 0, months: int = 0, days: int = 0) -> str:
    return (months_after(years_before(TODAY, years), -months) - timedelta(days=days)).isoformat()


def terms_workbook(committee_since: str) -> dict[str, list[dict[str, Any]]]:
    """WC (working committee) ─┬ PC  community Party committee covering C ── EB estate branch
                               ├ JG  the sub-district's 机关党支部 (covers nothing)
                               └ CO  a company's Party committee ── COB its branch
    Each of them has three full members and a secretary in office since `committee_since`."""
    places = [
        {"code": "S", "parent": "", "kind": "subdistrict", "name": "任期街道"},
        {"code": "C", "parent": "S", "kind": "community", "name": "任期社区"},
        {"code": "E", "parent": "C", "kind": "estate", "name": "任期小区"},
    ]
    orgs = [
        ("WC", "", "working_committee", "S"),
        ("PC", "WC", "party_committee", "C"),
        ("EB", "PC", "branch", "E"),
        ("JG", "WC", "branch", ""),
        ("CO", "WC", "party_committee", ""),
        ("COB", "CO", "branch", ""),
    ]
    members = [
        {"code": f"{org}{n}", "name": f"党员{org}{n}", "status": "full", "joined": "2000-07-01",
         "organisation": org}
        for org, *_ in orgs for n in (1, 2, 3)
    ]  # fmt: skip
    offices = [
        {"member": f"{org}1", "organisation": org, "role": "secretary", "start": committee_since}
        for org, *_ in orgs
    ]
    return {
        "places": places,
        "organisations": [
            {"code": c, "parent": p, "kind": k, "name": f"{c}组织", "covers": cov}
            for c, p, k, cov in orgs
        ],
        "members": members,
        "offices": offices,
    }


async def report(api: GraphQLClient) -> dict[tuple[str, str], dict[str, Any]]:
    found = (await api(operation("RulesReport"), {"scope": "WC"}))["rulesReport"]
    return {
        (v["rule"], v["organisation"]["code"]): v
        for v in found
        if v["rule"] in {"OVERDUE_ELECTION", "ELECTION_DUE"}
    }


async def term(api: GraphQLClient, code: str) -> dict[str, Any]:
    return (await api(operation("Term"), {"code": code}))["organisation"]


async def test_terms_follow_the_unit_not_the_kind(registry: Registry) -> None:
    """Given every committee in office for 4 years, then the community's branch and committee
    (5 years) and the company's committee (5) are within their terms, and the 机关党支部 and
    the company's branch (3 years) are overdue; the working committee, appointed, has none."""
    await registry.load(terms_workbook(ago(4)))
    api = await registry.client("admin")

    found = await report(api)

    assert set(found) == {("OVERDUE_ELECTION", "JG"), ("OVERDUE_ELECTION", "COB")}
    years = {code: (await term(api, code))["term"]["years"] for code in ("PC", "EB", "JG", "CO")}
    assert years == {"PC": 5, "EB": 5, "JG": 3, "CO": 5}
    assert (await term(api, "COB"))["term"]["years"] == 3
    assert (await term(api, "WC"))["term"] is None
    assert "任期" in found[("OVERDUE_ELECTION", "JG")]["message"]


async def test_a_term_counts_from_the_election_not_from_a_later_secretary(
    registry: Registry,
) -> None:
    """Given EB's secretary in office for a year only, when the election that began its term
    6 years ago is recorded, then EB is overdue, counted from the election; a by-election
    today does not restart the term; an election today does."""
    await registry.load(terms_workbook(ago(1)))
    api = await registry.client("admin")
    assert ("OVERDUE_ELECTION", "EB") not in await report(api)

    past = await mutate(api, "RecordElection", {"organisation": "EB", "heldOn": ago(6)})
    by = await mutate(api, "RecordElection", {"organisation": "EB", "byElection": True})
    overdue = (await report(api))[("OVERDUE_ELECTION", "EB")]
    held = await mutate(api, "RecordElection", {"organisation": "EB"})

    assert past["userErrors"] == [] and by["userErrors"] == []
    assert by["election"]["kind"] == "BY_ELECTION"
    assert overdue["since"] == ago(6)
    assert {d["name"]: d["value"] for d in overdue["details"]}["termYears"] == 5
    assert held["userErrors"] == [] and ("OVERDUE_ELECTION", "EB") not in await report(api)
    now = (await term(api, "EB"))["term"]
    assert now["began"] == TODAY.isoformat() and now["elected"]
    assert [e["kind"] for e in (await term(api, "EB"))["elections"]["nodes"]] == [
        "ELECTION", "BY_ELECTION", "ELECTION",
    ]  # fmt: skip


async def test_a_term_ending_within_six_months_is_a_notice_and_a_postponement_moves_it(
    registry: Registry,
) -> None:
    """Given PC's term (5 years) ending in 3 months, the report gives notice (not a breach);
    when the working committee approves a 6-month postponement, the election is due in 9
    months and the notice goes. PC's branch EB, elected 5 years and 2 months ago, is overdue
    until a postponement of 6 months makes it due in 4 months: a notice again."""
    await registry.load(terms_workbook(ago(1)))
    api = await registry.client("admin")
    await mutate(api, "RecordElection", {"organisation": "PC", "heldOn": ago(4, months=9)})
    await mutate(api, "RecordElection", {"organisation": "EB", "heldOn": ago(5, months=2)})

    before = await report(api)
    for code in ("PC", "EB"):
        postponed = await mutate(
            api, "PostponeElection", {"organisation": code, "months": 6, "approvedBy": "WC"}
        )
        assert postponed["userErrors"] == [], postponed
    after = await report(api)

    assert before[("ELECTION_DUE", "PC")]["severity"] == "NOTICE"
    assert ("OVERDUE_ELECTION", "EB") in before
    assert ("ELECTION_DUE", "PC") not in after and ("OVERDUE_ELECTION", "EB") not in after
    assert after[("ELECTION_DUE", "EB")]["severity"] == "NOTICE"
    pc = (await term(api, "PC"))["term"]
    assert pc["postponedMonths"] == 6 and pc["due"] == months_after(
        date.fromisoformat(ago(4, months=9)), 66
    ).isoformat()


async def test_postponements_and_early_elections_are_approved_and_at_most_a_year(
    registry: Registry,
) -> None:
    """选举工作条例 第三条: approved by a higher organisation, "一般不超过1年"."""
    await registry.load(terms_workbook(ago(1)))
    api = await registry.client("admin")
    await mutate(api, "RecordElection", {"organisation": "EB", "heldOn": ago(2)})
    await mutate(api, "RecordElection", {"organisation": "COB", "heldOn": ago(2, months=4)})
    before = await registry.snapshot()

    refusals = [
        ("PostponeElection", {"organisation": "EB", "months": 13, "approvedBy": "WC"}, "INVALID"),
        ("PostponeElection", {"organisation": "EB", "months": 0, "approvedBy": "WC"}, "INVALID"),
        ("PostponeElection", {"organisation": "EB", "months": 6, "approvedBy": "JG"}, "INVALID"),
        ("PostponeElection", {"organisation": "WC", "months": 6, "approvedBy": "WC"},
         "WRONG_KIND"),
        ("RecordElection", {"organisation": "WC"}, "WRONG_KIND"),
        ("RecordElection", {"organisation": "EB", "heldOn": "2999-01-01"}, "INVALID"),
        # EB's term runs 3 more years: an election today is more than a year early ...
        ("RecordElection", {"organisation": "EB", "approvedBy": "PC"}, "CONFLICT"),
        # ... and COB's, 8 months before its 3-year term ends, needs approval.
        ("RecordElection", {"organisation": "COB"}, "INVALID"),
    ]  # fmt: skip
    for name, input, code in refusals:
        payload = await mutate(api, name, input)
        assert codes(payload["userErrors"]) == [code], (name, input, payload)
    assert await registry.snapshot() == before

    first = await mutate(api, "PostponeElection",
                         {"organisation": "EB", "months": 8, "approvedBy": "PC"})  # fmt: skip
    second = await mutate(api, "PostponeElection",
                          {"organisation": "EB", "months": 5, "approvedBy": "WC"})  # fmt: skip
    assert first["userErrors"] == [] and first["election"]["approvedBy"] == {"code": "PC"}
    assert codes(second["userErrors"]) == ["CONFLICT"]  # 8 + 5 months: more than a year
    early = await mutate(api, "RecordElection", {"organisation": "COB", "approvedBy": "CO"})
    assert early["userErrors"] == [] and early["election"]["approvedBy"] == {"code": "CO"}
    assert (await term(api, "COB"))["term"]["began"] == TODAY.isoformat()


@given(
    st.lists(st.lists(st.integers(1, 30), min_size=1, max_size=4), max_size=12),
    st.lists(st.integers(1, 30), min_size=1, max_size=5),
)
def test_an_organisation_serves_a_community_exactly_when_it_lies_under_one_of_the_tops(
    top_ids: list[list[int]], ids: list[int]
) -> None:
    """`serves` finds the one top that can hold a path; it answers as trying every top does."""
    tops = reduce_to_tops("/" + "/".join(map(str, top)) + "/" for top in top_ids)
    path = "/" + "/".join(map(str, ids)) + "/"
    assert serves(path, tops) == any(path.startswith(top) for top in tops)
