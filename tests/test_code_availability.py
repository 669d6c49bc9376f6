"""Creating something with a code that is taken says nothing about what holds it.

Codes are unique across the registry, so a code held outside the caller's scope must still be
refused; the refusal is the same whoever holds it, and it comes only after every reference of
the request has passed: a request naming anything out of scope gets the same answer whether or
not its code exists. Every mutation that takes a new object's code is found in the schema, so
a new one is covered (or fails until it says what kind of object its code names).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from graphql import get_named_type
from tests.support import Registry, operation
from tests.test_scope_matrix import operation_for, schema_cache
from tests.workbooks import two_communities

# The kind of object each creating mutation's code names: a code taken in A and one in B.
TAKEN: dict[str, tuple[str, str]] = {
    "createPlace": ("A-E-B2", "B-E-B2"),
    "createOrganisation": ("A-ZB-G1", "B-ZB-G1"),
    "formFunctionalOrganisation": ("A-ZB-G1", "B-ZB-G1"),
    "createMember": ("A-M2", "B-M2"),
    "createTask": ("A-T1", "B-T1"),
    "createSuggestion": ("A-S1", "B-S1"),
}
# Inputs that make each request valid in its community ({c}), so that it reaches its code;
# None leaves a field out.
VALID: dict[str, dict[str, Any]] = {
    "createPlace": {"kind": "BUILDING", "parent": "{c}-E"},
    "createOrganisation": {"kind": "GROUP", "parent": "{c}-ZB", "approvedBy": "{c}-ZB",
                           "covers": ["{c}-E-B2"]},
    "createMember": {"reportsTo": None, "group": None},
    "createTask": {"places": ["{c}-E"]},
}  # fmt: skip
# References to objects of each community.
REFS = {
    "A": {"place": "A-E-B1-U1-01", "org": "A-ZB", "member": "A-M1", "office": "", "any": ""},
    "B": {"place": "B-E-B1-U1-01", "org": "B-ZB", "member": "B-M1", "office": "", "any": ""},
}


def creating_mutations() -> dict[str, Any]:
    """Mutations whose input carries the code of a new object."""
    found = {}
    for root, field in schema_cache().mutation_type.fields.items():  # type: ignore[union-attr]
        given = field.args.get("input")
        if given is not None and "code" in get_named_type(given.type).fields:  # type: ignore[union-attr]
            found[root] = field
    return found


async def tasks_and_suggestions(registry: Registry) -> None:
    """A task and a suggestion in each community, so their codes are taken on both sides."""
    admin = await registry.client()
    for c in ("A", "B"):
        task = {"code": f"{c}-T1", "kind": "DOOR_TO_DOOR_VISITS", "name": "入户走访",
                "organisation": f"{c}-ZB", "places": [f"{c}-E"], "start": "2025-01-01",
                "end": "2025-03-31", "headcount": 1}  # fmt: skip
        made = await admin(operation("CreateTask"), {"input": task})
        assert made["createTask"]["userErrors"] == [], made
        said = await admin(
            """mutation($input: CreateSuggestionInput!) {
                 createSuggestion(input: $input) { userErrors { code message } } }""",
            {"input": {"code": f"{c}-S1", "place": f"{c}-E-B1-U1-01", "category": "OTHER",
                       "text": "楼道灯坏了", "raisedOn": "2025-01-02"}},
        )  # fmt: skip
        assert said["createSuggestion"]["userErrors"] == [], said


def asking(root: str, field: Any, side: str, code: str) -> tuple[str, dict[str, Any]]:
    query, variables = operation_for("mutation", root, field, REFS[side])
    variables = copy.deepcopy(variables)
    variables["input"]["code"] = code
    if "task" in variables["input"]:
        variables["input"]["task"] = f"{side}-T1"
    for name, value in VALID.get(root, {}).items():
        if value is None:
            variables["input"].pop(name, None)
        else:
            variables["input"][name] = json.loads(json.dumps(value).replace("{c}", side))
    return query, variables


def shown(body: dict[str, Any], code: str) -> str:
    """An answer with the code it was asked about blotted out, to compare two answers."""
    return json.dumps(body, ensure_ascii=False, sort_keys=True).replace(code, "<code>")


async def test_a_code_taken_out_of_scope_is_refused_as_one_taken_in_scope(
    registry: Registry,
) -> None:
    await registry.load(two_communities())
    await tasks_and_suggestions(registry)
    organiser = await registry.client("organiser", scope="A-DW")
    mutations = creating_mutations()
    assert set(mutations) == set(TAKEN), "say in TAKEN which codes a new creating mutation takes"
    refused_as_taken = []
    for root, field in mutations.items():
        mine, theirs = TAKEN[root]
        query, variables = asking(root, field, "A", mine)
        in_scope = await organiser.post(query, variables)
        query, variables = asking(root, field, "A", theirs)
        out_of_scope = await organiser.post(query, variables)
        assert shown(in_scope, mine) == shown(out_of_scope, theirs), root
        errors = out_of_scope["data"][root]["userErrors"]
        if [(e["field"], e["code"]) for e in errors] == [("code", "DUPLICATE")]:
            refused_as_taken.append(root)
            assert "B" not in errors[0]["message"].replace(theirs, "")
    # Those whose references all hold in A reach the code and refuse it as taken.
    assert {"createPlace", "createOrganisation", "createMember", "createTask"} <= set(
        refused_as_taken
    ), refused_as_taken


async def test_a_request_naming_b_answers_alike_whether_or_not_its_code_exists(
    registry: Registry,
) -> None:
    await registry.load(two_communities())
    await tasks_and_suggestions(registry)
    organiser = await registry.client("organiser", scope="A-DW")
    before = await registry.snapshot()
    for root, field in creating_mutations().items():
        taken = TAKEN[root][1]
        query, variables = asking(root, field, "B", taken)
        existing = await organiser.post(query, variables)
        query, variables = asking(root, field, "B", "FREE-CODE-1")
        unused = await organiser.post(query, variables)
        assert shown(existing, taken) == shown(unused, "FREE-CODE-1"), root
        codes = {e["code"] for e in existing["data"][root]["userErrors"]}
        assert codes and "DUPLICATE" not in codes, (root, existing)
    assert await registry.snapshot() == before
