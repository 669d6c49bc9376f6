"""Coverage containment: an organisation answers only for places inside its parent's territory
(支部工作条例 第四条: branches are set up by unit or area; 第十三条: groups divide a branch).
A branch covers estates (or a grid, and with it the estates in the grid) inside its committee's
territory, a group buildings inside its branch's estates. The writes that set coverage refuse
the rest; the rules report names what was stored before the rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from sqlalchemy import text

from registry.core import org_tallies
from tests.support import Registry, operation
from tests.write_world import WORLD, mutate


async def store_coverage(registry: Registry, organisation: str, place: str) -> None:
    """Coverage as a registry may hold it from before the rule: written straight to the
    tables, past every check (the figures kept per organisation recounted, as a migration
    fills them)."""
    async with registry.db.write() as session:
        await session.execute(
            text(
                "INSERT INTO coverage (organisation_id, place_id, start) "
                "SELECT o.id, p.id, NULL FROM organisation o, place p "
                "WHERE o.code = :organisation AND p.code = :place"
            ),
            {"organisation": organisation, "place": place},
        )
        await org_tallies.refresh_all(session)


def told(payload: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    return [
        (e["field"], e["reason"], {p["name"]: p["value"] for p in e["params"]})
        for e in payload["userErrors"]
    ]


async def test_coverage_outside_the_parent_is_refused_inside_it_is_set(registry: Registry) -> None:
    """Given BR1 (under PA, which covers 渝北社区) covering 茅溪 and its group G1 covering 1栋,
    when BR1 is to cover 海尔小区 (in the other community) and G1 二期1栋 (an estate BR1 does
    not cover), then both are refused; G1 may cover 2栋, inside 茅溪."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()

    branch = await mutate(api, "SetCoverage", {"organisation": "BR1", "cover": ["EB"]})
    group = await mutate(api, "SetCoverage", {"organisation": "G1", "cover": ["MX2-1"]})

    assert told(branch) == [
        ("cover", "COVER_OUTSIDE_PARENT", {"code": "BR1", "place": "EB", "parent": "PA"})
    ]
    assert told(group) == [
        ("cover", "COVER_OUTSIDE_PARENT", {"code": "G1", "place": "MX2-1", "parent": "BR1"})
    ]
    assert await registry.snapshot() == before
    inside = await mutate(api, "SetCoverage", {"organisation": "G1", "cover": ["MX-2"]})
    assert inside["userErrors"] == []
    assert [p["code"] for p in inside["organisation"]["covers"]["nodes"]] == ["MX-1", "MX-2"]


async def test_a_parent_keeps_what_an_organisation_below_still_covers(registry: Registry) -> None:
    """Given BR2 covering 茅溪 and 茅溪二期, and its group G2 covering 二期1栋, when BR2 stops
    covering 茅溪二期, then it is refused (G2 would lie outside); stopping 茅溪 is allowed."""
    await registry.load(WORLD)
    api = await registry.client("admin")

    refused = await mutate(api, "SetCoverage", {"organisation": "BR2", "uncover": ["MX2"]})
    allowed = await mutate(api, "SetCoverage", {"organisation": "BR2", "uncover": ["MX"]})

    assert told(refused) == [
        ("uncover", "COVER_LEFT_BELOW", {"code": "BR2", "below": "G2", "place": "MX2-1"})
    ]
    assert allowed["userErrors"] == []


async def test_a_new_or_moved_organisation_covers_inside_its_parent(registry: Registry) -> None:
    """A group created under BR1 covering 海尔1栋, and BR3 (covering 海尔小区) moved under PA,
    are refused: each would answer for places outside its parent's territory."""
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()

    created = await mutate(api, "CreateOrganisation", {
        "code": "G9", "kind": "GROUP", "name": "海尔1栋党小组", "parent": "BR1",
        "covers": ["EB-1"], "approvedOn": "2026-01-01",
    })  # fmt: skip
    moved = await mutate(api, "UpdateOrganisation", {"organisation": "BR3", "parent": "PA"})

    assert told(created) == [
        ("covers", "COVER_OUTSIDE_PARENT", {"code": "G9", "place": "EB-1", "parent": "BR1"})
    ]
    assert told(moved) == [
        ("parent", "COVER_OUTSIDE_PARENT", {"code": "BR3", "place": "EB", "parent": "PA"})
    ]
    assert await registry.snapshot() == before


async def test_a_grid_branch_covering_a_grid_covers_the_estates_in_it(registry: Registry) -> None:
    """Given a grid of 海尔社区 holding 网格小区 with a building, and a grid branch under PB
    covering the grid, then a group of the grid branch may cover the building of the estate in
    the grid, but not 海尔1栋, which lies in the community outside the grid."""
    world = copy.deepcopy(WORLD)
    world["places"] += [
        {"code": "GR", "parent": "CB", "kind": "grid", "name": "第一网格"},
        {"code": "GE", "parent": "GR", "kind": "estate", "name": "网格小区"},
        {"code": "GE-1", "parent": "GE", "kind": "building", "name": "网格1栋"},
    ]
    world["organisations"] += [
        {"code": "GB", "parent": "PB", "kind": "branch", "name": "第一网格党支部", "covers": "GR"},
    ]
    await registry.load(world)
    api = await registry.client("admin")

    def group(code: str, building: str) -> dict[str, Any]:
        return {"code": code, "kind": "GROUP", "name": f"{building}党小组", "parent": "GB",
                "covers": [building], "approvedOn": "2026-01-01"}  # fmt: skip

    inside = await mutate(api, "CreateOrganisation", group("GG", "GE-1"))
    outside = await mutate(api, "CreateOrganisation", group("GH", "EB-1"))

    assert inside["userErrors"] == []
    assert [e["reason"] for e in outside["userErrors"]] == ["COVER_OUTSIDE_PARENT"]


async def test_the_rules_report_names_coverage_stored_outside_the_parent(
    registry: Registry,
) -> None:
    """Given a registry with G1 (a group of BR1, which covers 茅溪) covering 海尔1栋 too, stored
    before the rule,
    then the rules report names G1, with the one place outside, and nothing else of the kind."""
    await registry.load(WORLD)
    await store_coverage(registry, "G1", "EB-1")
    api = await registry.client("admin")

    report = (await api(operation("RulesReport"), {"scope": "WC"}))["rulesReport"]

    [outside] = [v for v in report if v["rule"] == "COVERAGE_OUTSIDE_PARENT"]
    assert outside["organisation"]["code"] == "G1" and outside["severity"] == "BREACH"
    assert {d["name"]: d["value"] for d in outside["details"]} == {"places": 1}
    assert "海尔1栋 (EB-1)" in outside["message"] and "第四条" in outside["message"]


async def test_coverage_stored_outside_does_not_hold_up_other_changes(registry: Registry) -> None:
    """Given G1 covering 海尔1栋 outside BR1's territory, stored before the rule (the report
    names it), when G1 is
    to cover 2栋 too, then that is set: only what a write adds is refused, so G1 can still be
    put right; 海尔小区 for BR1 is still refused."""
    await registry.load(WORLD)
    await store_coverage(registry, "G1", "EB-1")
    api = await registry.client("admin")

    inside = await mutate(api, "SetCoverage", {"organisation": "G1", "cover": ["MX-2"]})
    fixed = await mutate(api, "SetCoverage", {"organisation": "G1", "uncover": ["EB-1"]})
    outside = await mutate(api, "SetCoverage", {"organisation": "BR1", "cover": ["EB"]})

    assert inside["userErrors"] == [] and fixed["userErrors"] == []
    assert [p["code"] for p in fixed["organisation"]["covers"]["nodes"]] == ["MX-1", "MX-2"]
    assert [e["reason"] for e in outside["userErrors"]] == ["COVER_OUTSIDE_PARENT"]


async def test_an_import_may_not_set_coverage_outside_the_parent_and_writes_nothing(
    registry: Registry,
) -> None:
    """Given the two communities, when a workbook has A's branch cover B's estate, or A's
    committee give up A (leaving its branch outside), then the import is refused at the row
    that did it, column covers, and nothing is written; coverage already stored outside does
    not block a workbook that leaves it as it is."""
    from registry.importer import ImportFailed
    from tests.workbooks import two_communities

    rows = two_communities()
    await registry.load(rows)
    before = await registry.snapshot()

    def row_of(code: str) -> int:  # as Excel numbers it: the header is row 1
        return 2 + next(i for i, r in enumerate(rows["organisations"]) if r["code"] == code)

    for code, covers, expected in (
        ("A-ZB", "B-E", ("A-ZB", "B-E", "A-DW")),
        # the committee's row moves its territory; its branch's row is where the branch is listed
        ("A-DW", "B", ("A-ZB", "A-E", "A-DW")),
    ):
        changed = copy.deepcopy(rows)
        changed["organisations"][row_of(code) - 2]["covers"] = covers
        with pytest.raises(ImportFailed) as failed:
            await registry.load(changed)
        problem = next(p for p in failed.value.problems if p.column == "covers")
        assert (problem.sheet, problem.code) == ("organisations", "CONFLICT")
        assert problem.row == row_of(expected[0])
        params = problem.params
        assert (params["organisation"], params["place"], params["parent"]) == expected
        assert await registry.snapshot() == before

    # Stored outside before the rule: a workbook that does not change it still imports.
    await store_coverage(registry, "A-ZB-G1", "B-E-B1")
    renamed = copy.deepcopy(rows)
    renamed["organisations"][1]["name"] = "改名的社区党委"
    renamed["organisations"][row_of("A-ZB-G1") - 2]["covers"] = "A-E-B1;B-E-B1"
    await registry.load(renamed)
    api = await registry.client("admin")
    kept = await api(
        "{ organisation(code: \"A-ZB-G1\") { covers { nodes { code } } } }"
    )
    assert [p["code"] for p in kept["organisation"]["covers"]["nodes"]] == ["A-E-B1", "B-E-B1"]


async def test_coverage_stored_outside_stops_being_named_once_the_parent_covers_it(
    registry: Registry,
) -> None:
    """Given G1 covering 海尔1栋 outside BR1's territory (stored before the rule),
    when PA comes to cover 海尔社区 and BR1 海尔小区 in it, then the rules report no longer names
    G1: a parent's coverage moves its children's containment."""
    await registry.load(WORLD)
    await store_coverage(registry, "G1", "EB-1")
    api = await registry.client("admin")

    for organisation, place in (("PA", "CB"), ("BR1", "EB")):
        covered = await mutate(api, "SetCoverage", {"organisation": organisation, "cover": [place]})
        assert covered["userErrors"] == []
    report = (await api(operation("RulesReport"), {"scope": "WC"}))["rulesReport"]

    assert [v for v in report if v["rule"] == "COVERAGE_OUTSIDE_PARENT"] == []


async def test_coverage_stored_outside_stops_being_named_once_the_place_moves_inside(
    registry: Registry,
) -> None:
    """Given G1 covering 海尔1栋 outside BR1's territory (stored before the rule),
    when 海尔1栋 is moved into 茅溪小区, which BR1 covers, then the report no longer names G1."""
    await registry.load(WORLD)
    await store_coverage(registry, "G1", "EB-1")
    api = await registry.client("admin")

    moved = await mutate(api, "UpdatePlace", {"place": "EB-1", "parent": "MX"})
    report = (await api(operation("RulesReport"), {"scope": "WC"}))["rulesReport"]

    assert moved["userErrors"] == []
    assert [v for v in report if v["rule"] == "COVERAGE_OUTSIDE_PARENT"] == []


async def test_a_place_moved_out_of_the_parents_territory_is_named(registry: Registry) -> None:
    """Given G1 covering 1栋 of 茅溪小区, which BR1 covers, when 1栋 is moved into 海尔小区 (a
    move of the place tree, which no coverage check stops), then the report names G1 with it."""
    await registry.load(WORLD)
    api = await registry.client("admin")

    moved = await mutate(api, "UpdatePlace", {"place": "MX-1", "parent": "EB"})
    report = (await api(operation("RulesReport"), {"scope": "WC"}))["rulesReport"]

    assert moved["userErrors"] == []
    [outside] = [v for v in report if v["rule"] == "COVERAGE_OUTSIDE_PARENT"]
    assert outside["organisation"]["code"] == "G1" and "1栋 (MX-1)" in outside["message"]


async def test_a_place_an_import_moves_out_of_the_parents_territory_is_named(
    registry: Registry,
) -> None:
    """Given G1 covering 1栋 of 茅溪小区, which BR1 covers, when a workbook moves 1栋 into 海尔小区,
    then the report names G1 with it: an import moves the figures as a write does."""
    await registry.load(WORLD)
    await registry.load(
        {"places": [{"code": "MX-1", "parent": "EB", "kind": "building", "name": "1栋"}]}
    )
    api = await registry.client("admin")

    report = (await api(operation("RulesReport"), {"scope": "WC"}))["rulesReport"]

    [outside] = [v for v in report if v["rule"] == "COVERAGE_OUTSIDE_PARENT"]
    assert outside["organisation"]["code"] == "G1" and "1栋 (MX-1)" in outside["message"]
