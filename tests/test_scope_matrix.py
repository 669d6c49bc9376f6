"""Scope, proven: for each role (admin, organiser, viewer) holding a token scoped to community
A, every root query and mutation of the schema — enumerated from the schema itself, so a new
field is covered (or the test fails until it is classified) — asked about community B's
objects by code and by global ID returns nothing of B, writes nothing, and shows viewers only
masked phones.

Arguments and selections are generated from the schema: each root field's result is selected
with every argument-free field two levels down, and each argument (or input field) that names
an object gets one of B's objects. Only the kind of object an argument names is classified by
hand (REF_KINDS below); an argument or input field not classified there fails the test.
"""

from __future__ import annotations

import json
import re
from typing import Any

from strawberry.relay import from_base64, to_base64

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    get_named_type,
    is_input_object_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
)
from registry.api.schema import build_schema
from registry.core.config import Settings
from tests.workbooks import two_communities

ROLES = ("admin", "organiser", "viewer")

# What each argument or input field that names something refers to: a kind of B object, or
# "value" for plain data. Keys are names, or "owner.name" (owner: a root field or an input
# type) to override the name's meaning in one place.
REF_KINDS: dict[str, str] = {
    # objects of community B, by code or global ID
    "member": "member", "leader": "member", "heardBy": "member", "overrides": "member",
    "organisation": "org", "source": "org", "into": "org", "approvedBy": "org",
    "within": "org", "root": "org", "of": "org", "parent": "org",
    "place": "place", "places": "place", "household": "place", "cover": "place",
    "uncover": "place", "covers": "place", "scope": "place", "object": "member",
    "office": "office", "id": "any", "reportsTo": "org", "group": "org",
    "CreatePlaceInput.parent": "place", "UpdatePlaceInput.parent": "place",
    "PlaceFilter.within": "place", "MemberFilter.place": "place",
    "place.code": "place", "organisation.code": "org",
    "task.code": "none", "suggestion.code": "none",
    "SplitPartInput.members": "member", "SplitPartInput.groups": "org",
    "CreateOrganisationInput.members": "member",
    # things B has none of: asking for them must find nothing either
    "task": "none", "suggestion": "none", "assignment": "none", "expectedProposal": "value",
    # plain values
    "code": "new", "name": "value", "text": "value", "message": "value", "reason": "value",
    "workplace": "value", "phone": "value", "skills": "value", "skill": "value",
    "taskCapacity": "value", "leaveGroup": "value", "heldOn": "value", "byElection": "value",
    "months": "value", "decidedOn": "value", "pendingOnly": "value", "to": "org",
    "transfer": "none",
    "first": "value", "after": "value", "depth": "value", "includeClosed": "value",
    "current": "value", "since": "value", "capacity": "value", "maxReach": "value",
    "buildingWide": "value", "keepSource": "value", "clearTask": "value", "ratio": "value",
    "headcount": "value", "expectedVersion": "value", "intoExpectedVersion": "value",
    "on": "value", "start": "value", "end": "value", "established": "value",
    "approvedOn": "value", "joined": "value", "fullOn": "value", "raisedOn": "value",
    "startedOn": "value", "replaceCurrent": "value", "filter": "value", "asOf": "value",
    "status": "value", "kind": "value", "category": "value", "role": "value",
    "gender": "value", "response": "value", "inService": "value", "count": "value",
    "gaps": "value", "includeDeparted": "value", "way": "value", "note": "value",
    "decidedBy": "org", "attendsOrganisation": "org", "attends": "value",
    "RecordAwayInput.place": "value", "reportedOn": "value",
}  # fmt: skip


def schema() -> GraphQLSchema:
    return build_schema(Settings.from_env(database_url="sqlite:///unused"))._schema


def selection(type_: Any, depth: int = 2) -> str:
    """Every field of the type needing no arguments, objects `depth` levels down."""
    named = get_named_type(type_)
    if is_leaf_type(named):
        return ""
    if not isinstance(named, GraphQLObjectType):  # interfaces (Node): ask concrete types
        return (
            "{ __typename ... on Node { id } "
            + "".join(
                f"... on {t} {selection(schema_cache().get_type(t), depth - 1)} "
                for t in ("Place", "Organisation", "Member", "Office")
                if depth > 0
            )
            + "}"
        )
    parts = ["__typename"]
    for name, field in named.fields.items():
        if any(is_non_null_type(a.type) and a.default_value is None for a in field.args.values()):
            continue
        inner = get_named_type(field.type)
        if is_leaf_type(inner):
            parts.append(name)
        elif depth > 0:
            parts.append(f"{name} {selection(inner, depth - 1)}")
    return "{ " + " ".join(parts) + " }"


_SCHEMA: list[GraphQLSchema] = []


def schema_cache() -> GraphQLSchema:
    if not _SCHEMA:
        _SCHEMA.append(schema())
    return _SCHEMA[0]


def kind_of(root: str, name: str) -> str:
    kind = REF_KINDS.get(f"{root}.{name}") or REF_KINDS.get(name)
    assert kind, f"classify the argument {root}({name}) in REF_KINDS of {__name__}"
    return kind


def value_for(type_: Any, root: str, name: str, refs: dict[str, str]) -> Any:
    """A value for an argument or input field: one of B's objects if it names one."""
    required = is_non_null_type(type_)
    inner = type_.of_type if required else type_
    if is_list_type(inner):
        item = value_for(inner.of_type, root, name, refs)
        return None if item is None else [item]
    named = get_named_type(inner)
    if isinstance(named, GraphQLInputObjectType):
        fields = {
            k: value_for(f.type, named.name, k, refs)
            for k, f in named.fields.items()
            if is_non_null_type(f.type) or kind_of(named.name, k) not in ("value", "new")
        }
        return {k: v for k, v in fields.items() if v is not None}
    kind = kind_of(root, name)
    if kind in refs:
        return refs[kind]
    if kind == "none":
        return refs["any"]
    if not required:
        return None
    if isinstance(named, GraphQLEnumType):
        return next(iter(named.values))
    if named.name == "ID":
        return refs["any"]
    return {"Int": 1, "Boolean": False}.get(named.name, "NEW-1" if kind == "new" else _plain(name))


def _plain(name: str) -> str:
    if name in ("start", "on", "approvedOn", "established", "joined", "raisedOn"):
        return "2024-01-01"
    if name == "end":
        return "2024-12-31"
    return "x"


def operation_for(
    kind: str, root: str, field: GraphQLField, refs: dict[str, str]
) -> tuple[str, dict[str, Any]]:
    variables: dict[str, Any] = {}
    declared: list[str] = []
    for name, arg in field.args.items():
        value = value_for(arg.type, root, name, refs)
        if value is None:
            continue
        variables[name] = value
        declared.append(f"${name}: {arg.type}")
    args = ", ".join(f"{n}: ${n}" for n in variables)
    head = f"{kind} Probe({', '.join(declared)})" if declared else f"{kind} Probe"
    call = f"{root}({args})" if args else root
    return f"{head} {{ {call} {selection(field.type)} }}", variables


async def b_objects(registry) -> tuple[dict[str, list[str]], set[str]]:  # type: ignore[no-untyped-def]
    """B's references by kind (codes and global IDs) and every marker of B's data."""
    admin = await registry.client("admin")
    data = await admin(
        """{
          places(filter: {within: "B"}, first: 100) { nodes { id code name } }
          organisations(filter: {within: "B-DW"}, first: 100) {
            nodes { id code name offices { nodes { id } } } }
          members(filter: {organisation: "B-DW"}, first: 100) { nodes { id code name phone } }
        }"""
    )
    places = data["places"]["nodes"]
    orgs = data["organisations"]["nodes"]
    members = data["members"]["nodes"]
    offices = [o["id"] for org in orgs for o in org["offices"]["nodes"]]
    assert places and orgs and members and offices
    by_kind = {
        "place": ["B-E", next(p["id"] for p in places if p["code"] == "B-E-B1-U1-01")],
        "org": ["B-ZB", next(o["id"] for o in orgs if o["code"] == "B-DW")],
        "member": ["B-M1", members[-1]["id"]],
        "office": offices[:1],
        "any": [members[0]["id"], places[0]["id"], orgs[0]["id"], offices[0]],
    }
    markers = {x["id"] for x in (*places, *orgs, *members)} | set(offices)
    markers |= {x["code"] for x in (*places, *orgs, *members)}
    markers |= {m["phone"] for m in members} | {m["phone"][-4:] for m in members}
    markers |= {"B社区", "B小区", "B党员"}
    return by_kind, markers


def ref_sets(by_kind: dict[str, list[str]]) -> list[dict[str, str]]:
    """Each of B's references tried once: first by code, then by global ID."""
    width = max(len(v) for v in by_kind.values())
    return [{k: v[i % len(v)] for k, v in by_kind.items()} for i in range(width)]


def leaks(data: Any, markers: set[str]) -> list[str]:
    text = json.dumps(data, ensure_ascii=False)
    found = []
    for marker in markers:
        pattern = re.escape(marker)
        if marker[:1].isalnum():  # codes and digits: whole tokens only ("B-E" is not "B-E-B1")
            pattern = rf"(?<![\w-]){pattern}(?![\w-])"
        if re.search(pattern, text):
            found.append(marker)
    return found


def unmasked_phones(data: Any) -> list[str]:
    text = json.dumps(data, ensure_ascii=False)
    return re.findall(r'"phone": "(1\d{10})"', text)


async def test_every_root_query_for_b_objects_returns_nothing_of_b(registry) -> None:
    await registry.load(two_communities())
    by_kind, markers = await b_objects(registry)
    roots = schema_cache().query_type.fields
    clients = {role: await registry.client(role, scope="A-DW") for role in ROLES}
    failures: list[str] = []
    for root, field in roots.items():
        # By code, by global ID; fields taking any node's ID try one of every type.
        takes_any = any(kind_of(root, name) in ("any", "none") for name in field.args)
        for refs in ref_sets(by_kind)[: None if takes_any else 2]:
            query, variables = operation_for("query", root, field, refs)
            for role, api in clients.items():
                body = await api.post(query, variables)
                codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
                if None in codes or "INTERNAL" in codes:
                    failures.append(f"{role} {root}{variables}: {body['errors']}")
                if found := leaks(body.get("data"), markers):
                    failures.append(f"{role} {root}{variables} shows B's {sorted(found)}")
                if role == "viewer" and (phones := unmasked_phones(body.get("data"))):
                    failures.append(f"viewer {root}{variables} shows phones {phones}")
    assert not failures, "\n".join(failures)


async def test_the_probes_do_see_their_own_community(registry) -> None:
    """The matrix would pass vacuously if the probes found nothing at all: aimed at A's own
    objects, the same generated queries return A's data (and still nothing of B)."""
    await registry.load(two_communities())
    _, markers = await b_objects(registry)
    own = {"place": "A-E", "org": "A-ZB", "member": "A-M1", "office": "", "any": ""}
    organiser = await registry.client("organiser", scope="A-DW")
    roots = schema_cache().query_type.fields
    seen_a = []
    for root in ("place", "organisation", "members", "coverage", "orgChart", "places"):
        query, variables = operation_for("query", root, roots[root], own)
        data = await organiser(query, variables)
        assert not leaks(data, markers)
        if "A-" in json.dumps(data):
            seen_a.append(root)
    assert len(seen_a) == 6, seen_a


async def test_every_mutation_aimed_at_b_writes_nothing_and_shows_nothing(registry) -> None:
    await registry.load(two_communities())
    by_kind, markers = await b_objects(registry)
    before = await registry.snapshot()
    changes = await registry.count("change")
    roots = schema_cache().mutation_type.fields
    clients = {role: await registry.client(role, scope="A-DW") for role in ROLES}
    failures: list[str] = []
    for root, field in roots.items():
        for refs in ref_sets(by_kind)[:2]:  # by code, by global ID
            query, variables = operation_for("mutation", root, field, refs)
            for role, api in clients.items():
                body = await api.post(query, variables)
                payload = (body.get("data") or {}).get(root) or {}
                refused = bool(body.get("errors")) or bool(payload.get("userErrors"))
                if not refused:
                    failures.append(f"{role} {root}{variables} was not refused")
                codes = {e.get("extensions", {}).get("code") for e in body.get("errors") or []}
                if None in codes or "INTERNAL" in codes:
                    failures.append(f"{role} {root}{variables}: {body['errors']}")
                shown = {k: v for k, v in payload.items() if k != "userErrors"}
                if found := leaks(shown, markers):
                    failures.append(f"{role} {root}{variables} shows B's {sorted(found)}")
                if role == "viewer":
                    # Viewers may only read (propose* only computes): refused or not found.
                    refusals = {e["code"] for e in payload.get("userErrors") or []}
                    if payload and not refusals <= {"FORBIDDEN", "NOT_FOUND"}:
                        failures.append(f"viewer {root}: {payload.get('userErrors')}")
        if await registry.count("change") != changes:  # every write is in the change log
            failures.append(f"{root} wrote to the database")
            changes = await registry.count("change")
    assert await registry.snapshot() == before
    assert not failures, "\n".join(failures)


def test_every_argument_of_every_root_field_is_classified() -> None:
    """A new root field, or a new argument, must say what it names before it ships."""
    refs = {k: "x" for k in ("place", "org", "member", "office", "any")}
    s = schema_cache()
    for type_ in (s.query_type, s.mutation_type):
        for root, field in type_.fields.items():
            operation_for("query", root, field, refs)  # raises on an unclassified name
            for name, arg in field.args.items():
                named = get_named_type(arg.type)
                if is_input_object_type(named):
                    for sub in named.fields:
                        kind_of(named.name, sub)
                else:
                    kind_of(root, name)


def blotted(body: Any, refs: dict[str, str]) -> str:
    """An answer with the references it was asked about replaced by their kind."""
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    for kind, value in sorted(refs.items(), key=lambda kv: -len(kv[1])):
        if value:
            text = text.replace(value, f"<{kind}>")
            try:  # a global ID is named by its number in messages
                _, number = from_base64(value)
            except Exception:  # noqa: BLE001 - a code, not a global ID
                continue
            text = re.sub(rf"\bid {re.escape(number)}\b", f"id <{kind}>", text)
            # ... and by its number alone among the values a refusal names
            text = text.replace(f'"value": "{number}"', f'"value": "<{kind}>"')
    return text


async def test_a_reference_out_of_scope_answers_exactly_as_a_reference_to_nothing(
    registry,
) -> None:
    """Something out of scope looks exactly like nothing: every query and mutation of the
    schema, asked by A's organiser with references to B's objects, answers the same (but for
    the reference's own text) as with references to codes and IDs no object has."""
    await registry.load(two_communities())
    by_kind, _ = await b_objects(registry)
    theirs = ref_sets(by_kind)[0]  # by code; "any" and "office" are global IDs
    nothing = {
        "place": "NO-SUCH-PLACE", "org": "NO-SUCH-ORG", "member": "NO-SUCH-MEMBER",
        "office": to_base64("Office", 987654), "any": to_base64("Place", 987654),
    }  # fmt: skip
    organiser = await registry.client("organiser", scope="A-DW")
    s = schema_cache()
    differ: list[str] = []
    for kind, roots in (("query", s.query_type.fields), ("mutation", s.mutation_type.fields)):  # type: ignore[union-attr]
        for root, field in roots.items():
            query, variables = operation_for(kind, root, field, theirs)
            out_of_scope = await organiser.post(query, variables)
            query, variables = operation_for(kind, root, field, nothing)
            absent = await organiser.post(query, variables)
            if blotted(out_of_scope, theirs) != blotted(absent, nothing):
                differ.append(f"{root}:\n  {blotted(out_of_scope, theirs)}\n  "
                              f"{blotted(absent, nothing)}")  # fmt: skip
    assert not differ, "\n".join(differ)
