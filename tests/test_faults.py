"""Faults: a failure in the middle of a merge, a split, an import or an apply leaves the
database exactly as it was. The failure is injected inside the live server's process, after
the operation has already written part of its work in its transaction."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

from registry.importer import writing
from registry.planning import contacts
from registry.writes import merging
from tests.support import Registry, operation
from tests.workbooks import contact_estates
from tests.write_world import WORLD, field_of


class Injected(RuntimeError):
    """The fault the tests inject."""


def fail_after(monkeypatch: pytest.MonkeyPatch, module: Any, name: str, calls: int = 1) -> list:
    """Make `module.name` raise right after its `calls`-th call has done its work."""
    original: Callable[..., Any] = getattr(module, name)
    seen: list[int] = []

    @functools.wraps(original)
    async def failing(*args: Any, **kwargs: Any) -> Any:
        result = await original(*args, **kwargs)
        seen.append(1)
        if len(seen) >= calls:
            raise Injected(f"injected fault after {name}")
        return result

    monkeypatch.setattr(module, name, failing)
    return seen


async def refused_with_internal_error(api: Any, name: str, input: dict[str, Any]) -> None:
    """The mutation fails with a masked internal error, no stack trace, and no payload."""
    body = await api.post(operation(name), {"input": input})
    assert body["data"] is None or body["data"][field_of(name)] is None
    assert body["errors"], body
    text = str(body["errors"])
    assert "injected" not in text and "Traceback" not in text


async def test_a_fault_in_the_middle_of_a_merge_leaves_everything_as_it_was(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the world, and a fault after the merge has moved members, groups, places and offices
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()
    seen = fail_after(monkeypatch, merging, "end_offices")

    # When BR2 is merged into BR1
    merge = {"source": "BR2", "into": "BR1", "approvedBy": "PA", "approvedOn": "2025-03-01"}
    await refused_with_internal_error(api, "MergeOrganisations", merge)

    # Then the fault did strike mid-way, and every row of every table is as before
    assert seen
    assert await registry.snapshot() == before


async def test_a_fault_in_the_middle_of_a_split_leaves_everything_as_it_was(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    await registry.load(WORLD)
    api = await registry.client("admin")
    before = await registry.snapshot()
    # Fails once the second new branch has been created and given its members
    seen = fail_after(monkeypatch, merging, "_move_members", calls=2)
    split = {
        "source": "BR1",
        "approvedBy": "PA",
        "approvedOn": "2025-03-01",
        "into": [
            {"code": "BR1A", "name": "一支部甲", "members": ["M1", "M2"], "groups": ["G1"],
             "covers": ["MX"]},
            {"code": "BR1B", "name": "一支部乙", "members": ["M3"]},
        ],
    }  # fmt: skip
    await refused_with_internal_error(api, "SplitOrganisation", split)
    assert len(seen) == 2
    assert await registry.snapshot() == before


async def test_a_fault_in_the_middle_of_an_import_leaves_everything_as_it_was(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a loaded registry, and a workbook changing places, organisations and members
    await registry.load(WORLD)
    before = await registry.snapshot()
    changed = {
        **WORLD,
        "places": [*WORLD["places"], {"code": "MX-3", "parent": "MX", "kind": "building",
                                      "name": "3栋"}],
        "members": [{**m, "name": m["name"] + "改"} for m in WORLD["members"]],
    }  # fmt: skip
    # When the import fails after writing places, organisations, coverage and members
    seen = fail_after(monkeypatch, writing, "_write_members")
    with pytest.raises(Injected):
        await registry.load(changed)
    # Then nothing of it was kept
    assert seen
    assert await registry.snapshot() == before


async def test_a_fault_in_the_middle_of_an_apply_leaves_everything_as_it_was(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given two estates to pair household contacts in
    await registry.load(contact_estates())
    api = await registry.client("organiser", scope="S-DGW")
    before = await registry.snapshot()
    # When applying the proposal fails after the pairings were written
    seen = fail_after(monkeypatch, contacts, "apply_plan")
    body = await api.post(operation("ApplyHouseholdContacts"), {"scope": "S", "capacity": 2})
    assert body["errors"] and "injected" not in str(body["errors"])
    # Then no pairing and no change row was kept
    assert seen
    assert await registry.snapshot() == before
