"""A query text the server has seen is answered without strawberry's per-request pipeline
(registry.server.prepared): the answer must be the one strawberry gives, errors included,
and anything the short path does not own must still reach strawberry."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from graphql.execution import Executor

from registry.server.graphql_view import RegistryGraphQL
from tests.support import Registry, operation
from tests.workbooks import crossing_communities


@pytest.fixture
def strawberry_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The requests strawberry's view answers, by method."""
    calls: list[str] = []
    original = RegistryGraphQL.__call__

    async def counted(self: RegistryGraphQL, scope: Any, receive: Any, send: Any) -> None:
        calls.append(scope.get("method", ""))
        await original(self, scope, receive, send)

    monkeypatch.setattr(RegistryGraphQL, "__call__", counted)
    yield calls


SKIPPING = (
    "query($code: String!, $plain: Boolean!) { organisation(code: $code) { __typename name "
    "parent @skip(if: $plain) { name __typename } ... @include(if: $plain) { code } } "
    "typename: __typename @include(if: $plain) coverage(scope: $code) @skip(if: $plain) "
    "{ estates { total covered } } }"
)
# Queries as clients send them, and the variables to send: answers with data, with nulls a
# scope cuts, with errors of every kind the resolvers raise (masked or coded).
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("{ __typename }", {}),
    (operation("Organisation"), {"code": "A-ZB"}),
    (operation("Organisation"), {"code": "NOPE"}),
    (operation("Members"), {"filter": {"organisation": "A-DW"}, "first": 2}),
    (
        "query($code: String!) { organisation(code: $code) { name parent { name } "
        "offices { totalCount nodes { role member { code } } } } }",
        {"code": "A-ZB-G1"},
    ),
    ("query($first: Int) { members(first: $first) { totalCount } }", {"first": -1}),
    ("query($c: String!) { coverage(scope: $c) { estates { total covered } } }", {"c": "B"}),
    ("query A { __typename } query B { places(first: 1) { totalCount } }", {}),
    (
        "query($code: String!) { organisation(code: $code) { ...Named parent { ...Named } } }"
        " fragment Named on Organisation { code name }",
        {"code": "A-ZB-G1"},
    ),
    ("query($code: String!) { organisation(code: $code) { code } }", {"code": 5}),
    # A directive reading a variable: the fields selected change from one request to the next.
    (SKIPPING, {"code": "A-ZB-G1", "plain": True}),
    (SKIPPING, {"code": "A-ZB-G1", "plain": False}),
    (SKIPPING, {"code": "A-ZB", "plain": True}),
    ("query($code: String!) { organisation(code: $code) { code } }", {}),
]


@pytest.mark.parametrize("role", ["admin", "viewer"])
async def test_given_a_query_seen_before_then_the_short_path_answers_as_strawberry_did(
    registry: Registry, strawberry_calls: list[str], role: str
) -> None:
    await registry.load(crossing_communities())
    api = await registry.client(role, scope="A-DW" if role == "viewer" else None)
    for query, variables in QUERIES:
        # A text new to the server only if no earlier test sent it: send it once to be sure.
        await api.post(query, variables)
        strawberry_calls.clear()
        by_strawberry = await _through_strawberry(api, query, variables)
        again = await api.post(query, variables)
        assert again == by_strawberry, query
        valid = "errors" not in by_strawberry or by_strawberry.get("data") is not None
        if valid and not query.startswith("query A"):
            assert strawberry_calls == ["POST"], query  # only the forced one


async def _through_strawberry(api: Any, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """The answer strawberry itself gives: a request key the short path does not own sends
    the same question to it."""
    headers = {"Authorization": f"Bearer {api.token}"} if api.token else {}
    response = await api.http.post(
        "/graphql",
        json={"query": query, "variables": variables, "extensions": {}},
        headers=headers,
    )
    assert response.status_code == 200
    return response.json()


async def test_given_a_seen_query_then_its_response_is_sent_as_strawberry_sends_it(
    registry: Registry, strawberry_calls: list[str]
) -> None:
    await registry.load(crossing_communities())
    api = await registry.client()
    headers = {"Authorization": f"Bearer {api.token}"}
    query = {"query": '{ organisation(code: "A-ZB") { code name } }'}
    first = await api.http.post("/graphql", json=query, headers=headers)
    again = await api.http.post("/graphql", json=query, headers=headers)
    assert strawberry_calls == ["POST"]  # the second was answered here
    for response in (first, again):
        assert int(response.headers["content-length"]) == len(response.content)
    assert again.status_code == first.status_code == 200
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.content == first.content


async def test_given_an_operation_name_then_the_named_operation_is_answered(
    registry: Registry,
) -> None:
    await registry.load(crossing_communities())
    api = await registry.client()
    text = "query A { __typename } query B { organisation(code: \"A-ZB\") { code } }"
    for _ in range(2):
        headers = {"Authorization": f"Bearer {api.token}"}
        for name, expected in (("A", {"__typename": "Query"}),
                               ("B", {"organisation": {"code": "A-ZB"}})):  # fmt: skip
            response = await api.http.post(
                "/graphql", json={"query": text, "operationName": name}, headers=headers
            )
            assert response.json() == {"data": expected}


async def test_given_a_refused_or_unusual_request_then_strawberry_answers_it(
    registry: Registry, strawberry_calls: list[str]
) -> None:
    """Refusals by a limit, mutations, GET and bodies that are not a request go to strawberry
    every time, and come back as they always did."""
    await registry.load(crossing_communities())
    api = await registry.client()
    costly = "{ members(first: 500) { nodes { contactFor(first: 500) { nodes { code } } } } }"
    bad_text = "query($n: String!) { organisation(code: $n) { code } }"
    mutation = (
        "mutation { setCoverage(input: {organisation: \"NOPE\", cover: []}) "
        "{ userErrors { code } } }"
    )
    for _ in range(2):
        strawberry_calls.clear()
        refused = await api.post(costly)
        assert refused["errors"][0]["extensions"]["code"] == "LIMIT_EXCEEDED"
        control = await api.post(bad_text, {"n": "A\u0000"})
        assert control["errors"][0]["extensions"]["code"] == "BAD_INPUT"
        written = await api.post(mutation)
        assert written["data"]["setCoverage"]["userErrors"][0]["code"] == "NOT_FOUND"
        got = await api.http.get("/graphql", params={"query": "{ __typename }"},
                                 headers={"Authorization": f"Bearer {api.token}"})  # fmt: skip
        assert got.json() == {"data": {"__typename": "Query"}}
        listed = await api.http.post("/graphql", json=[{"query": "{ __typename }"}])
        assert listed.status_code == 400
        assert strawberry_calls == ["POST", "POST", "POST", "GET", "POST"]


async def test_given_no_token_then_a_seen_query_is_refused_the_same_way(
    registry: Registry,
) -> None:
    await registry.load(crossing_communities())
    anonymous = (await registry.client()).as_token(None)
    query = "{ organisation(code: \"A-ZB\") { code } }"
    first, second = await anonymous.post(query), await anonymous.post(query)
    assert first == second
    assert first["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_given_a_lookup_asked_again_then_its_nested_filters_and_scope_hold(
    registry: Registry,
) -> None:
    """What the first asking of a text without variables worked out about its selection is
    kept (registry.api.lookahead): the literals of its nested filters still bind, and scope
    is the caller's each time."""
    await registry.load(crossing_communities())
    admin = await registry.client()
    listed = await admin('{ organisation(code: "A-ZB") { members { nodes { code status } } } }')
    by_status: dict[str, set[str]] = {}
    for member in listed["organisation"]["members"]["nodes"]:
        by_status.setdefault(member["status"], set()).add(member["code"])
    assert set(by_status) == {"FULL", "PROBATIONARY"}
    for status, codes in by_status.items():
        text = (
            f'{{ organisation(code: "A-ZB") {{ code members(filter: {{status: {status}}}) '
            "{ nodes { code } } } }"
        )
        for _ in range(3):
            found = (await admin(text))["organisation"]
            assert {member["code"] for member in found["members"]["nodes"]} == codes
    other = await registry.client("organiser", scope="B-DW")
    text = '{ organisation(code: "A-ZB") { code parent { code } } }'
    for _ in range(3):
        assert (await admin(text))["organisation"]["parent"] == {"code": "A-DW"}
        assert (await other(text))["organisation"] is None


async def test_given_queries_answered_then_no_executor_is_left_for_the_collector(
    registry: Registry,
) -> None:
    """A request's executor, its context and its errors are freed as its answer goes out,
    not by Python's cycle collector: under load the collector spent 7 % of the server's CPU
    freeing them, in pauses."""
    await registry.load(crossing_communities())
    api = await registry.client()
    lookup = '{ organisation(code: "A-ZB") { name parent { name } } }'
    await api("{ __typename }")  # the server's first request sets up what it keeps
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for query in (lookup, lookup, "{ __typename }", "{ nope }"):  # strawberry's, then ours
            await api.post(query)
        gc.collect()
        left = [type(found).__name__ for found in gc.garbage if isinstance(found, Executor)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert left == []
