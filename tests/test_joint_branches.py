"""A joint branch (联合党支部) covers at most 5 units (支部工作条例 第五条); each estate a branch
covers is one unit. Writes refuse a sixth; data imported from elsewhere is reported."""

from __future__ import annotations

from typing import Any

from tests.support import Registry, operation
from tests.write_world import codes, mutate


def estates_workbook(covered: int) -> dict[str, list[dict[str, Any]]]:
    """Community C with estates E1..E7; branch JB covers the first `covered` of them."""
    places = [
        {"code": "S", "parent": "", "kind": "subdistrict", "name": "联合街道"},
        {"code": "C", "parent": "S", "kind": "community", "name": "联合社区"},
    ] + [
        {"code": f"E{n}", "parent": "C", "kind": "estate", "name": f"{n}号小区"}
        for n in range(1, 8)
    ]
    organisations = [
        {"code": "WC", "parent": "", "kind": "working_committee", "name": "联合街道党工委",
         "covers": "S"},
        {"code": "PC", "parent": "WC", "kind": "party_committee", "name": "联合社区党委",
         "covers": "C"},
        {"code": "JB", "parent": "PC", "kind": "branch", "name": "联合党支部",
         "covers": ";".join(f"E{n}" for n in range(1, covered + 1))},
    ]  # fmt: skip
    return {"places": places, "organisations": organisations}


async def joint_violations(api: Any) -> list[dict[str, Any]]:
    report = (await api(operation("RulesReport"), {"scope": "PC"}))["rulesReport"]
    return [v for v in report if v["rule"] == "JOINT_BRANCH_TOO_WIDE"]


async def test_a_branch_covering_five_estates_may_not_cover_a_sixth(registry: Registry) -> None:
    await registry.load(estates_workbook(covered=5))
    api = await registry.client("admin")
    before = await registry.snapshot()

    sixth = await mutate(api, "SetCoverage", {"organisation": "JB", "cover": ["E6"]})
    swap = await mutate(api, "SetCoverage",
                        {"organisation": "JB", "cover": ["E6"], "uncover": ["E5"]})  # fmt: skip

    assert codes(sixth["userErrors"]) == ["CONFLICT"]
    assert "第五条" in sixth["userErrors"][0]["message"]
    assert await joint_violations(api) == []
    assert swap["userErrors"] == []
    assert len((await registry.snapshot())["coverage"]) == len(before["coverage"]) + 1


async def test_a_branch_imported_covering_six_estates_is_reported(registry: Registry) -> None:
    await registry.load(estates_workbook(covered=6))
    api = await registry.client("admin")

    [found] = await joint_violations(api)

    assert found["organisation"]["code"] == "JB" and found["severity"] == "BREACH"
    assert {d["name"]: d["value"] for d in found["details"]} == {"units": 6, "maximum": 5}
    assert "第五条" in found["message"]
