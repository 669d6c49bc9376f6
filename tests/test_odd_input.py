"""Odd input gets a coded answer the caller can act on — never INTERNAL, never a 500: global IDs
that name no possible row, filters longer than anything they could match, cursors that are not
ours, and HTTP requests that are not GraphQL requests at all."""

from __future__ import annotations

import base64

import pytest

from tests.support import Registry
from tests.workbooks import two_communities

# Node parts of a global ID that can name no row: a superscript digit (str.isdigit says yes),
# past SQLite's and PostgreSQL's integers, zero, negative, empty.
IMPOSSIBLE = ["²", "9223372036854775808", "2147483648", "0", "-1", "", "1 "]


def gid(type_name: str, node_id: str) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


def codes(body: dict) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in body.get("errors") or []]


@pytest.mark.parametrize("node_id", IMPOSSIBLE)
async def test_a_global_id_naming_no_possible_row_names_nothing(
    registry: Registry, node_id: str
) -> None:
    # Given a registry and a good global ID
    await registry.load(two_communities())
    api = await registry.client("admin")
    good = (await api('{ place(code: "A") { id } }'))["place"]["id"]
    bad = gid("Place", node_id)

    # When the bad ID is asked for beside the good one, in one batch of nodes
    body = await api.post(
        "query($good: ID!, $bad: ID!) { good: node(id: $good) { id } bad: node(id: $bad) { id } "
        "byId: place(id: $bad) { id } }",
        {"good": good, "bad": bad},
    )

    # Then the good one is answered, and the bad one is simply not there
    assert body.get("errors") is None, body
    assert body["data"] == {"good": {"id": good}, "bad": None, "byId": None}


async def test_a_write_naming_an_impossible_global_id_is_not_found(registry: Registry) -> None:
    await registry.load(two_communities())
    api = await registry.client("admin")
    for node_id in IMPOSSIBLE:
        body = await api(
            "mutation($i: UpdatePlaceInput!) { updatePlace(input: $i) { "
            "userErrors { field code } } }",
            {"i": {"place": gid("Place", node_id), "name": "改名"}},
        )
        assert body["updatePlace"]["userErrors"] == [{"field": "place", "code": "NOT_FOUND"}]


async def test_a_filter_longer_than_any_value_is_refused_with_a_clear_message(
    registry: Registry,
) -> None:
    # Given a registry
    await registry.load(two_communities())
    api = await registry.client("admin")

    # When a name filter is as long as the longest name, it is simply searched for
    fits = await api.post('{ places(filter: {name: "%s"}) { totalCount } }' % ("x" * 200))
    assert fits == {"data": {"places": {"totalCount": 0}}}

    # And when a filter is longer than any stored value could be, it is refused, saying why
    for query, value in [
        ("query($v: String) { places(filter: {name: $v}) { totalCount } }", "x" * 50_001),
        ("query($v: String) { organisations(filter: {name: $v}) { totalCount } }", "党" * 201),
        ("query($v: String) { members(filter: {skill: $v}) { totalCount } }", "law" * 100),
    ]:
        body = await api.post(query, {"v": value})
        assert codes(body) == ["BAD_INPUT"], body
        assert "shorter" in body["errors"][0]["message"]


@pytest.mark.parametrize("key", ["\x00", "A\x01", "\udcff"])
async def test_a_cursor_that_is_not_ours_is_bad_input(registry: Registry, key: str) -> None:
    await registry.load(two_communities())
    api = await registry.client("admin")
    cursor = base64.urlsafe_b64encode(f"k:{key}".encode(errors="surrogateescape")).decode()
    body = await api.post(
        "query($c: String) { places(first: 2, after: $c) { totalCount } }", {"c": cursor}
    )
    assert codes(body) == ["BAD_INPUT"], body


@pytest.mark.parametrize(
    "body", [b"null", b"1", b'"x"', b"[]", b"true", b"{}", b"{", b"", b'{"query": 1}', b"\xff"]
)
async def test_a_post_body_that_is_not_a_graphql_request_is_a_coded_400(
    registry: Registry, body: bytes
) -> None:
    api = await registry.client("admin")
    response = await registry.http.post(
        "/graphql",
        content=body,
        headers={"Authorization": f"Bearer {api.token}", "content-type": "application/json"},
    )
    assert response.status_code == 400, response.text
    assert codes(response.json()) == ["BAD_REQUEST"]


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/graphql", "multipart/form-data; boundary=x", "", "json"],
)
async def test_a_post_that_is_not_json_is_refused_as_such(
    registry: Registry, content_type: str
) -> None:
    response = await registry.http.post(
        "/graphql", content=b'{"query": "{ __typename }"}', headers={"content-type": content_type}
    )
    assert response.status_code == 415
    assert codes(response.json()) == ["UNSUPPORTED_MEDIA_TYPE"]


@pytest.mark.parametrize(
    "query_string",
    [
        "query=",
        "query={__typename}&variables=1",
        "query={__typename}&variables=%7B",
        "query={__typename}&extensions=x",
        "query={__typename}&operationName=nope",
        "variables=%7B%7D",
        "query=%00",
        "query=%ff%fe",
        "query=mutation{__typename}",
    ],
)
async def test_a_get_with_an_odd_query_string_gets_a_coded_answer(
    registry: Registry, query_string: str
) -> None:
    api = await registry.client("admin")
    response = await registry.http.get(
        f"/graphql?{query_string}",
        headers={"Authorization": f"Bearer {api.token}", "accept": "application/json"},
    )
    assert response.status_code < 500
    assert response.headers["content-type"].startswith("application/json")
    found = codes(response.json())
    assert found and None not in found and "INTERNAL" not in found, response.text
