"""Suggestions (民意) through GraphQL: recording, lifecycle with dates, linking the resolving task,
lists, scope, and the coverage figures (raised, resolved, ratio, median days to resolve)."""

from __future__ import annotations

from tests.support import operation
from tests.workbooks import mobilisation_estates


async def create(api, place: str, category: str, raised: str, **extra) -> dict:
    data = await api(
        operation("CreateSuggestion"),
        {"input": {"place": place, "category": category, "text": "停车难", "raisedOn": raised,
                   "heardBy": "M1", **extra}},
    )  # fmt: skip
    assert data["createSuggestion"]["userErrors"] == []
    return data["createSuggestion"]["suggestion"]


async def update(api, **given) -> dict:
    return (await api(operation("UpdateSuggestion"), {"input": given}))["updateSuggestion"]


async def test_a_suggestion_goes_open_in_progress_resolved_with_dates_and_its_task(registry):
    await registry.load(mobilisation_estates())
    api = await registry.client("organiser", scope="A-DW")
    await api(
        operation("CreateTask"),
        {"input": {"code": "T1", "kind": "REPAIR_FOLLOW_UP", "name": "电梯维修",
                   "organisation": "A-DW", "places": ["A-E-B1"], "start": "2026-01-01",
                   "end": "2026-01-31"}},
    )  # fmt: skip
    made = await create(api, "A-E-B1-U1-02", "ELEVATOR", "2026-01-02", code="SUG-1")
    assert (made["code"], made["status"], made["heardBy"]["code"]) == ("SUG-1", "OPEN", "M1")
    started = await update(
        api, suggestion="SUG-1", status="IN_PROGRESS", on="2026-01-04", task="T1"
    )
    assert started["suggestion"]["startedOn"] == "2026-01-04"
    assert started["suggestion"]["task"]["code"] == "T1"
    done = await update(api, suggestion="SUG-1", status="RESOLVED", on="2026-01-12")
    s = done["suggestion"]
    assert (s["status"], s["startedOn"], s["resolvedOn"]) == (
        "RESOLVED",
        "2026-01-04",
        "2026-01-12",
    )
    before = await registry.snapshot()
    back = await update(api, suggestion="SUG-1", status="OPEN")
    assert [e["field"] for e in back["userErrors"]] == ["reason"]
    assert await registry.snapshot() == before
    reopened = await update(api, suggestion="SUG-1", status="OPEN", reason="居民反映仍未修好")
    assert reopened["suggestion"]["startedOn"] is None
    assert reopened["suggestion"]["resolvedOn"] is None


async def test_bad_suggestions_are_refused_and_nothing_is_written(registry):
    await registry.load(mobilisation_estates())
    api = await registry.client("admin")
    before = await registry.snapshot()
    cases = [
        ({"place": "A-E-B1-U1", "category": "PARKING", "text": "x"}, "place", "WRONG_KIND"),
        ({"place": "A-E-B1", "category": "PARKING", "text": " "}, "text", "INVALID"),
        ({"place": "A-E-B1", "category": "PARKING", "text": "x", "heardBy": "NOBODY"},
         "heardBy", "NOT_FOUND"),
        ({"place": "A-E-B1", "category": "PARKING", "text": "x", "raisedOn": "2026-02-30"},
         "raisedOn", "INVALID"),
    ]  # fmt: skip
    for given, field, code in cases:
        errors = (await api(operation("CreateSuggestion"), {"input": given}))["createSuggestion"][
            "userErrors"
        ]
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)], given
    assert await registry.snapshot() == before
    await create(api, "A-E-B1", "PARKING", "2026-01-10", code="S1")
    before = await registry.snapshot()
    bad = await update(api, suggestion="S1", status="RESOLVED", on="2026-01-05")
    assert bad["userErrors"][0]["field"] == "on"  # before it was raised
    assert await registry.snapshot() == before


async def test_suggestion_lists_and_coverage_figures_per_scope(registry):
    await registry.load(mobilisation_estates())
    admin = await registry.client("admin")
    # A-E: three resolved after 2, 4 and 10 days, one open; B-E: one resolved after 1 day.
    for code, place, category, raised, resolved in [
        ("A1", "A-E-B1-U1-01", "PARKING", "2026-01-01", "2026-01-03"),
        ("A2", "A-E-B2", "ELEVATOR", "2026-01-01", "2026-01-05"),
        ("A3", "A-E-B3-U1-02", "PARKING", "2026-01-01", "2026-01-11"),
        ("A4", "A-E-B3", "FIRE_SAFETY", "2026-01-02", None),
        ("B1", "B-E-B1-U1-01", "ENVIRONMENT", "2026-01-01", "2026-01-02"),
    ]:
        await create(admin, place, category, raised, code=code)
        if resolved:
            await update(admin, suggestion=code, status="RESOLVED", on=resolved)
    figures = (await admin(operation("SuggestionCoverage"), {"scope": "A-E"}))["coverage"]
    assert figures["suggestions"] == {
        "raised": 4, "resolved": 3, "ratio": 0.75, "medianDaysToResolve": 4.0,
    }  # fmt: skip
    whole = (await admin(operation("SuggestionCoverage"), {"scope": "S"}))["coverage"]
    assert whole["suggestions"] == {
        "raised": 5, "resolved": 4, "ratio": 0.8, "medianDaysToResolve": 3.0,
    }  # fmt: skip
    empty = (await admin(operation("SuggestionCoverage"), {"scope": "A-F"}))["coverage"]
    assert empty["suggestions"] == {
        "raised": 0, "resolved": 0, "ratio": None, "medianDaysToResolve": None,
    }  # fmt: skip
    parking = await admin(
        operation("Suggestions"), {"filter": {"scope": "A-E", "category": "PARKING"}}
    )
    assert [n["code"] for n in parking["suggestions"]["nodes"]] == ["A1", "A3"]
    still_open = await admin(operation("Suggestions"), {"filter": {"status": "OPEN"}})
    assert [n["code"] for n in still_open["suggestions"]["nodes"]] == ["A4"]
    page = await admin(operation("Suggestions"), {"first": 2})
    assert page["suggestions"]["totalCount"] == 5
    assert page["suggestions"]["pageInfo"]["hasNextPage"] is True
    # Scope: community B sees only its own; viewers see phones masked.
    other = await registry.client("viewer", scope="B-DW")
    seen = (await other(operation("Suggestions")))["suggestions"]["nodes"]
    assert [n["code"] for n in seen] == ["B1"]
    viewer = await registry.client("viewer", scope="A-DW")
    nodes = (await viewer(operation("Suggestions"), {"filter": {"scope": "A-E"}}))["suggestions"][
        "nodes"
    ]
    assert nodes[0]["heardBy"]["phone"] == "138****5678"
    blocked = await update(viewer, suggestion="A4", status="IN_PROGRESS")
    assert blocked["userErrors"][0]["code"] == "FORBIDDEN"
    hidden = await update(other, suggestion="A4", status="IN_PROGRESS")
    assert hidden["userErrors"][0]["code"] in {"FORBIDDEN", "NOT_FOUND"}
