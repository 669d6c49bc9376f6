"""The rules report: each rule of DESIGN section 2 is reported exactly when its condition holds,
with thresholds from the configuration."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from registry.access.actor import SYSTEM
from registry.access.scope import ScopeKind, resolve_scope
from registry.core import calendar, org_tallies
from registry.core.calendar import years_before
from registry.core.config import RuleThresholds
from registry.core.models import Member
from registry.reports.rules import Rule, rules_report
from tests.support import Registry, operation
from tests.workbooks import two_communities

RULES_REPORT = operation("RulesReport")
TODAY = calendar.today()


def ago(years: int = 0, days: int = 0) -> str:
    return (years_before(TODAY, years) - timedelta(days=days)).isoformat()


def rules_workbook() -> dict[str, list[dict[str, Any]]]:
    """WC ── PC ─┬ SMALL  2 full + 1 probationary (joined 3 years ago), no secretary
                 ├ OK     3 full, secretary for 4 years; groups OKG (led, everyone in it) and
                 │        NOLEADER (no leader, no members); O4 probationary for 18 months, O5
                 │        for 6 months, O6 probationary committee member; N1 (made
                 │        organisation-less later) lives in H
                 ├ EDGE   3 full, secretary elected exactly 5 years ago today
                 ├ BIG    51 full, committee of 3
                 ├ COMM   7 full, a secretary and no committee
                 └ GB     general branch, committee of 3 — GBB under it: 101 full, committee of 4
    WC's secretary started 2 years ago (appointed: no term); PC's 6 years ago (5-year term), and
    PC's committee is its secretary alone (a Party committee has 5–9), GB's 3 (5–7, at most 9)."""
    places = [
        {"code": "S", "parent": "", "kind": "subdistrict", "name": "规则街道"},
        {"code": "C", "parent": "S", "kind": "community", "name": "规则社区"},
        {"code": "E", "parent": "C", "kind": "estate", "name": "规则小区"},
        {"code": "B", "parent": "E", "kind": "building", "name": "1栋"},
        {"code": "H", "parent": "B", "kind": "household", "name": "101"},
    ]
    orgs = [
        ("WC", "", "working_committee", "S"),
        ("PC", "WC", "party_committee", "C"),
        ("SMALL", "PC", "branch", ""),
        ("OK", "PC", "branch", "E"),
        ("OKG", "OK", "group", "B"),
        ("NOLEADER", "OK", "group", ""),
        ("EDGE", "PC", "branch", ""),
        ("BIG", "PC", "branch", ""),
        ("COMM", "PC", "branch", ""),
        ("GB", "PC", "general_branch", ""),
        ("GBB", "GB", "branch", ""),
    ]
    members: list[dict[str, Any]] = []

    def member(code: str, org: str, status: str = "full", joined: str = "2000-07-01", **more: str):
        members.append(
            {"code": code, "name": f"党员{code}", "status": status, "joined": joined}
            | {"organisation": org, "workplace": "", "household": "", "reports_to": ""}
            | {"group": ""}
            | more
        )

    member("W1", "WC")
    member("P1", "PC")
    member("S1", "SMALL")
    member("S2", "SMALL")
    member("S3", "SMALL", "probationary", ago(3))
    for code in ("O1", "O2", "O3"):
        member(code, "OK", group="OKG")
    member("O4", "OK", "probationary", ago(1, days=180), group="OKG")
    member("O5", "OK", "probationary", ago(days=180), group="OKG")
    member("O6", "OK", "probationary", ago(days=90), group="OKG")
    member("N1", "OK", household="H", group="OKG")
    member("IS1", "", organisation="", workplace="市交通局", reports_to="OK", household="H",
           group="")  # fmt: skip
    for code in ("D1", "D2", "D3"):
        member(code, "EDGE")
    for n in range(51):
        member(f"BIG{n:02}", "BIG")
    for n in range(7):
        member(f"CM{n}", "COMM")
    for n in range(101):
        member(f"GBB{n:03}", "GBB")
    offices = [
        ("W1", "WC", "secretary", ago(2)),
        ("P1", "PC", "secretary", ago(6)),
        ("O1", "OK", "secretary", ago(4)),
        ("O6", "OK", "committee_member", ago(days=30)),
        ("O2", "OKG", "group_leader", ago(1)),
        ("D1", "EDGE", "secretary", ago(5)),
        ("BIG00", "BIG", "secretary", ago(1)),
        ("BIG01", "BIG", "committee_member", ago(1)),
        ("BIG02", "BIG", "deputy_secretary", ago(1)),
        ("CM0", "COMM", "secretary", ago(1)),
        ("GBB000", "GB", "secretary", ago(1)),
        ("GBB001", "GB", "committee_member", ago(1)),
        ("GBB002", "GB", "committee_member", ago(1)),
        ("GBB003", "GBB", "secretary", ago(1)),
        ("GBB004", "GBB", "committee_member", ago(1)),
        ("GBB005", "GBB", "committee_member", ago(1)),
        ("GBB006", "GBB", "committee_member", ago(1)),
    ]
    return {
        "places": places,
        "organisations": [
            {"code": c, "parent": p, "kind": k, "name": f"{c}组织", "covers": cov}
            for c, p, k, cov in orgs
        ],
        "members": members,
        "offices": [
            {"member": m, "organisation": o, "role": r, "start": s} for m, o, r, s in offices
        ],
    }


async def load(registry: Registry) -> None:
    """The workbook, then N1 left with no organisation (as data from an older system might
    be: the importer and the mutations refuse such a member), with the figures kept for the
    organisations recounted as a migration leaves them."""
    await registry.load(rules_workbook())
    async with registry.db.write() as session:
        await session.execute(
            update(Member).where(Member.code == "N1").values(organisation_id=None)
        )
        await org_tallies.refresh_all(session)


def found(report: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """(rule, organisation or member code) of every violation."""
    return {
        (v["rule"], (v["organisation"] or v["member"])["code"])  # type: ignore[index]
        for v in report
    }


def one(report: list[dict[str, Any]], rule: str, code: str) -> dict[str, Any]:
    [item] = [
        v
        for v in report
        if v["rule"] == rule and (v["organisation"] or v["member"])["code"] == code
    ]
    return item


EXPECTED = {
    ("OVERDUE_ELECTION", "PC"),
    ("ELECTION_DUE", "EDGE"),
    ("BRANCH_TOO_SMALL", "SMALL"),
    ("NO_SECRETARY", "SMALL"),
    ("GROUP_WITHOUT_LEADER", "NOLEADER"),
    ("GROUP_WITHOUT_MEMBERS", "NOLEADER"),
    ("BRANCH_TOO_LARGE", "BIG"),
    ("COMMITTEE_SIZE", "COMM"),
    ("COMMITTEE_SIZE", "PC"),
    ("COMMITTEE_SIZE", "GB"),
    ("GENERAL_BRANCH_TOO_LARGE", "GB"),
    ("BRANCH_TOO_LARGE", "GBB"),
    ("PROBATION_OVERDUE", "S3"),
    ("PROBATION_DUE", "O4"),
    ("PROBATIONARY_OFFICER", "O6"),
    ("NO_FORMAL_ORGANISATION", "N1"),
}


async def test_every_rule_is_reported_exactly_where_it_is_broken(registry: Registry) -> None:
    """Given the workbook above, when the working committee's report is asked, then exactly the
    expected violations appear: nothing for WC (appointed, not elected), OK, OKG, O5 (6 months
    into probation), IS1 (in service) or GBB's committee of 4, and only a notice for EDGE (its
    term ends today: the election is due, not yet overdue)."""
    await load(registry)
    api = await registry.client("admin")

    report = (await api(RULES_REPORT, {"scope": "WC"}))["rulesReport"]

    assert found(report) == EXPECTED
    assert len(report) == len(EXPECTED)


async def test_violations_say_what_to_do_with_the_figures_they_rest_on(
    registry: Registry,
) -> None:
    await load(registry)
    api = await registry.client("admin")

    report = (await api(RULES_REPORT, {"scope": "WC"}))["rulesReport"]

    small = one(report, "BRANCH_TOO_SMALL", "SMALL")
    assert "joint branch" in small["message"]
    assert {d["name"]: d["value"] for d in small["details"]} == {"fullMembers": 2, "minimum": 3}
    assert "general branch" in one(report, "BRANCH_TOO_LARGE", "BIG")["message"]
    assert "party committee" in one(report, "BRANCH_TOO_LARGE", "GBB")["message"]
    gb = one(report, "GENERAL_BRANCH_TOO_LARGE", "GB")
    assert {d["name"]: d["value"] for d in gb["details"]} == {"members": 101, "maximum": 100}
    comm = one(report, "COMMITTEE_SIZE", "COMM")
    assert {d["name"]: d["value"] for d in comm["details"]}["committee"] == 1
    election = one(report, "OVERDUE_ELECTION", "PC")
    assert election["since"] == ago(6)
    assert {d["name"]: d["value"] for d in election["details"]}["termYears"] == 5
    due = one(report, "PROBATION_DUE", "O4")
    assert due["severity"] == "NOTICE" and due["since"] == ago(1, days=180)
    assert one(report, "PROBATION_OVERDUE", "S3")["severity"] == "BREACH"
    assert "secretary" in one(report, "NO_SECRETARY", "SMALL")["message"]


async def test_coverage_carries_the_same_violations(registry: Registry) -> None:
    await load(registry)
    api = await registry.client("admin")

    report = (await api(operation("Coverage"), {"scope": "WC"}))["coverage"]

    assert found(report["violations"]) == EXPECTED


async def test_coverage_pages_its_violations_and_counts_them_all(registry: Registry) -> None:
    """Given the rules workbook, when coverage asks for the first three violations and their
    count, then it gets the report's first three, in its order, and how many it holds; none
    asks for none, and the whole list comes without `first`."""
    await registry.load(rules_workbook())
    api = await registry.client("admin")
    report = (await api(RULES_REPORT, {"scope": "WC"}))["rulesReport"]
    assert len(report) > 3
    query = """query($first: Int) { coverage(scope: "WC") {
      violationCount
      first: violations(first: $first) { rule organisation { code } member { code } }
      all: violations { rule }
    } }"""
    for first, expected in ((3, report[:3]), (0, []), (None, report)):
        coverage = (await api(query, {"first": first}))["coverage"]
        assert coverage["violationCount"] == len(report)
        assert coverage["first"] == [
            {
                "rule": item["rule"],
                "organisation": item["organisation"] and {"code": item["organisation"]["code"]},
                "member": item["member"] and {"code": item["member"]["code"]},
            }
            for item in expected
        ]
        assert len(coverage["all"]) == len(report)


async def test_many_reports_at_once_share_the_connections(registry: Registry) -> None:
    """Given more places than the read pool holds connections, when one request asks for the
    rules report of every place at once (each reads on two connections side by side), then
    every report is answered: no report holds one connection while waiting for a second
    that the others hold."""
    book = rules_workbook()
    book["places"] += [
        {"code": f"H{i}", "parent": "B", "kind": "household", "name": f"{i}"}
        for i in range(102, 132)
    ]
    await registry.load(book)
    api = await registry.client("admin")
    query = "{ places(first: 100) { nodes { code coverage { violationCount } } } }"
    nodes = (await api(query))["places"]["nodes"]
    assert len(nodes) > 20
    assert all(isinstance(node["coverage"]["violationCount"], int) for node in nodes)


async def test_a_place_scope_reports_the_organisations_answering_for_it(
    registry: Registry,
) -> None:
    """Estate E is covered by OK (and OKG below it): its report is OK's subtree's, plus the
    organisation-less member living there."""
    await load(registry)
    api = await registry.client("admin")

    by_place = (await api(RULES_REPORT, {"scope": "E"}))["rulesReport"]
    by_branch = (await api(RULES_REPORT, {"scope": "OK"}))["rulesReport"]

    expected = {
        ("GROUP_WITHOUT_LEADER", "NOLEADER"),
        ("GROUP_WITHOUT_MEMBERS", "NOLEADER"),
        ("PROBATION_DUE", "O4"),
        ("PROBATIONARY_OFFICER", "O6"),
        ("NO_FORMAL_ORGANISATION", "N1"),
    }
    assert found(by_place) == expected
    assert found(by_branch) == expected


async def test_rules_stop_once_the_data_is_put_right(registry: Registry) -> None:
    """Moving O3 into NOLEADER and appointing them its leader, and a secretary for SMALL,
    clears those violations."""
    await load(registry)
    api = await registry.client("admin")
    moved = await api(operation("UpdateMember"), {"input": {"member": "O3", "group": "NOLEADER"}})
    assert moved["updateMember"]["userErrors"] == []
    for member, org, role in (("O3", "NOLEADER", "GROUP_LEADER"), ("S1", "SMALL", "SECRETARY")):
        body = await api(
            operation("AppointOffice"),
            {"input": {"member": member, "organisation": org, "role": role}},
        )
        assert body["appointOffice"]["userErrors"] == []

    report = (await api(RULES_REPORT, {"scope": "WC"}))["rulesReport"]

    assert found(report) == EXPECTED - {
        ("GROUP_WITHOUT_LEADER", "NOLEADER"),
        ("GROUP_WITHOUT_MEMBERS", "NOLEADER"),
        ("NO_SECRETARY", "SMALL"),
    }


async def test_a_scoped_token_sees_only_its_subtrees_violations(registry: Registry) -> None:
    await load(registry)
    organiser = await registry.client("organiser", scope="OK")

    assert (await organiser(RULES_REPORT, {"scope": "WC"}))["rulesReport"] is None
    assert (await organiser(RULES_REPORT, {"scope": "SMALL"}))["rulesReport"] is None
    mine = (await organiser(RULES_REPORT, {"scope": "OK"}))["rulesReport"]
    assert ("GROUP_WITHOUT_LEADER", "NOLEADER") in found(mine)
    assert all(v["organisation"] is None or v["organisation"]["code"] in {"OK", "NOLEADER", "OKG"}
               for v in mine)  # fmt: skip


async def test_thresholds_come_from_the_configuration(registry: Registry) -> None:
    """With a minimum of 4 full members and 7-year community terms, OK (3 full) is too small
    and PC (6 years into its term) is not overdue."""
    await load(registry)
    rules = replace(RuleThresholds(), branch_min_full_members=4, community_term_years=7)

    async with registry.db.read() as session:
        scope = await resolve_scope(session, SYSTEM, "WC", ScopeKind.ORGANISATION)
        report = await rules_report(session, scope, rules)

    codes = {
        (v.rule, (v.organisation or v.member).code)  # type: ignore[union-attr]
        for v in report
    }
    assert (Rule.BRANCH_TOO_SMALL, "OK") in codes
    assert (Rule.BRANCH_TOO_SMALL, "EDGE") in codes
    assert (Rule.OVERDUE_ELECTION, "PC") not in codes


async def test_read_side_by_side_the_report_equals_the_sequential_one(registry: Registry) -> None:
    """Given the rules world, the report read on two sessions side by side lists the same
    violations in the same order as the report read on one."""
    await load(registry)
    async with registry.db.read() as session, registry.db.read() as other:
        scope = await resolve_scope(session, SYSTEM, "WC", ScopeKind.ORGANISATION)
        alone = await rules_report(session, scope, RuleThresholds())
        side_by_side = await rules_report(session, scope, RuleThresholds(), other=other)

    def listed(report: list[Any]) -> list[tuple[Any, ...]]:
        return [
            (v.rule, v.organisation and v.organisation.code, v.member and v.member.code, v.message)
            for v in report
        ]

    assert listed(side_by_side) == listed(alone) and alone


async def test_when_one_side_fails_the_other_is_stopped_before_the_error_leaves(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given the organisation rules failing while the member rules are still reading, the
    report raises that failure, and the member read has been cancelled by then (its session
    is about to be closed by the caller)."""
    import registry.reports.rules as rules_module

    await load(registry)
    member_read: list[str] = []

    async def failing(*_: Any) -> list[Any]:
        await asyncio.sleep(0)
        raise RuntimeError("the organisation statement failed")

    async def slow(*_: Any) -> list[Any]:
        member_read.append("started")
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            member_read.append("cancelled")
            raise
        return []

    monkeypatch.setattr(rules_module, "_organisation_violations", failing)
    monkeypatch.setattr(rules_module, "_member_violations", slow)
    async with registry.db.read() as session, registry.db.read() as other:
        scope = await resolve_scope(session, SYSTEM, "WC", ScopeKind.ORGANISATION)
        with pytest.raises(RuntimeError, match="organisation statement failed"):
            await rules_report(session, scope, RuleThresholds(), other=other)
        assert member_read == ["started", "cancelled"]


async def test_a_working_committee_is_appointed_so_its_term_never_runs_out(
    registry: Registry,
) -> None:
    """Given secretaries in office since 2010 for 示例街道党工委 (a 派出机关 of the district
    committee, appointed) and for A's community Party committee (elected for 5 years), then only
    the community committee is overdue for an election."""
    rows = two_communities()
    rows["offices"] += [
        {"member": "A-W1", "organisation": "S-DGW", "role": "secretary", "start": "2010-01-01",
         "end": ""},
        {"member": "A-M2", "organisation": "A-DW", "role": "secretary", "start": "2010-01-01",
         "end": ""},
    ]  # fmt: skip
    await registry.load(rows)
    api = await registry.client("admin")
    report = (await api(RULES_REPORT, {"scope": "S-DGW"}))["rulesReport"]
    overdue = {v["organisation"]["code"] for v in report if v["rule"] == "OVERDUE_ELECTION"}
    assert overdue == {"A-DW"}


async def test_more_members_than_usual_is_a_notice_not_a_breach(registry: Registry) -> None:
    """The regulations say a branch *generally* has at most 50 members: beyond that is a
    suggestion to form a general branch or committee with approval, not something to fix."""
    await load(registry)
    api = await registry.client("admin")
    report = (await api(RULES_REPORT, {"scope": "WC"}))["rulesReport"]
    for rule, code in (("BRANCH_TOO_LARGE", "BIG"), ("GENERAL_BRANCH_TOO_LARGE", "GB")):
        assert one(report, rule, code)["severity"] == "NOTICE"
    assert one(report, "BRANCH_TOO_SMALL", "SMALL")["severity"] == "BREACH"


async def test_terms_and_probations_near_the_last_date_there_is_are_judged(
    registry: Registry,
) -> None:
    """Given a secretary elected on 9999-01-01 and a member who joined on 9999-06-01 (a year
    with no fifth anniversary in the calendar), when the rules are read, then the report
    answers (no term is overdue) instead of failing."""
    rows = two_communities()
    rows["offices"][0]["start"] = "9999-01-01"
    for member in rows["members"]:
        if member["status"] == "probationary":
            member["joined"] = "9999-06-01"
    await registry.load(rows)
    api = await registry.client("viewer", scope="A-DW")

    report = await api(operation("RulesReport"), {"scope": "A"})

    assert "OVERDUE_ELECTION" not in {v["rule"] for v in report["rulesReport"]}


async def test_every_violation_cites_the_article_it_rests_on(registry: Registry) -> None:
    """An organiser checks a finding against its source: every message names its article."""
    await load(registry)
    api = await registry.client("admin")

    report = (await api(RULES_REPORT, {"scope": "WC"}))["rulesReport"]

    sources = ("条", "《", "中组部")  # an article, a document, or the provision with no article
    uncited = [v["message"] for v in report if not any(s in v["message"] for s in sources)]
    assert report and uncited == []
