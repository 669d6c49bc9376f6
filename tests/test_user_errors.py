"""A refusal says what exactly is wrong (`reason`) and the values it names (`params`), so that
a reader's language can word it: the console words these in Chinese."""

from __future__ import annotations

from typing import Any

from tests.support import Registry
from tests.write_world import WORLD, mutate


def told(payload: dict[str, Any]) -> list[tuple[str, str, str, dict[str, str]]]:
    return [
        (e["field"], e["code"], e["reason"], {p["name"]: p["value"] for p in e["params"]})
        for e in payload["userErrors"]
    ]


async def test_refusals_carry_their_reason_and_the_values_it_names(registry: Registry) -> None:
    # Given the world and an organiser of the community party committee PA
    await registry.load(WORLD)
    api = await registry.client("organiser", scope="PA")
    await mutate(api, "UpdatePlace", {"place": "MX-1", "name": "一栋"})

    # When they write with an old version, a taken code, a reference outside their scope, an
    # empty name and a place of the wrong kind
    stale = await mutate(api, "UpdatePlace", {"place": "MX-1", "name": "1栋", "expectedVersion": 1})
    taken = await mutate(
        api, "CreatePlace", {"code": "MX-2", "parent": "MX", "kind": "BUILDING", "name": "二"}
    )
    elsewhere = await mutate(api, "UpdatePlace", {"place": "JE", "name": "江北"})
    empty = await mutate(api, "UpdatePlace", {"place": "MX-1", "name": "  "})
    wrong = await mutate(
        api, "CreatePlace", {"code": "MX-9", "parent": "MX-1", "kind": "ESTATE", "name": "九"}
    )

    # Then each refusal names its reason and values, and none says more than its message
    assert told(stale) == [
        ("expectedVersion", "STALE", "STALE_VERSION",
         {"noun": "place", "code": "MX-1", "version": "2", "expected": "1"}),
    ]  # fmt: skip
    assert told(taken) == [("code", "DUPLICATE", "CODE_TAKEN", {"code": "MX-2"})]
    assert told(elsewhere) == [
        ("place", "NOT_FOUND", "NOT_IN_SCOPE", {"noun": "place", "ref": "JE"})
    ]
    assert told(empty) == [("name", "INVALID", "TEXT_EMPTY", {})]
    assert told(wrong) == [
        ("parent", "WRONG_KIND", "PARENT_KIND", {"kind": "estate", "parent": "building"})
    ]


async def test_a_viewer_is_told_its_token_only_reads(registry: Registry) -> None:
    # Given a viewer, when they try to write, then the refusal says the token only reads
    await registry.load(WORLD)
    viewer = await registry.client("viewer", scope="PA")
    refused = await mutate(viewer, "UpdatePlace", {"place": "MX-1", "name": "一栋"})
    assert told(refused) == [("token", "FORBIDDEN", "READ_ONLY_TOKEN", {})]


async def test_merges_are_refused_with_reasons_naming_the_branches(registry: Registry) -> None:
    # Given the world and an administrator
    await registry.load(WORLD)
    api = await registry.client("admin")
    base = {"approvedBy": "PA", "approvedOn": "2025-03-01"}

    # When a branch is merged into itself, or into a branch of another sub-district
    itself = await mutate(api, "MergeOrganisations", {**base, "source": "BR1", "into": "BR1"})
    across = await mutate(api, "MergeOrganisations", {**base, "source": "BR1", "into": "BRJ"})

    # Then each refusal names its reason and the branches
    assert told(itself) == [("into", "INVALID", "MERGE_INTO_ITSELF", {"code": "BR1"})]
    assert told(across)[0][2:] == ("MERGE_ACROSS_SUBDISTRICTS", {"source": "BR1", "into": "BRJ"})


def refusals_in_the_code() -> dict[str, list[str]]:
    """Every refusal the registry's code makes, by reason: where each is raised."""
    import ast

    from tests.support import ROOT

    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "registry").rglob("*.py")):
        if path == ROOT / "registry" / "core" / "errors.py":
            continue  # where `fail` and `problem` pass a reason on
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # The names this module imports from the one error shape (another `Problem` is not it).
        shaped = {
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "registry.core.errors"
            for alias in node.names
        } & {"fail", "problem", "Problem"}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in shaped:
                named = [k.value for k in node.keywords if k.arg == "reason"]
                reason = node.args[3] if len(node.args) > 3 else (named or [None])[0]
                shown = reason.value if isinstance(reason, ast.Constant) else ""
                found.setdefault(shown, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_refusal_names_its_reason_and_the_console_words_each_in_both_languages() -> None:
    from tests.support import ROOT

    refusals = refusals_in_the_code()
    assert "" not in refusals, f"refusals without a reason: {refusals.get('')}"
    words = (ROOT / "console" / "src" / "i18n.js").read_text(encoding="utf-8")
    for reason in refusals:
        assert words.count(f'"error.{reason}"') == 2, f"word {reason} in Chinese and English"
