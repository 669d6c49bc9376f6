"""The console over HTTP: sign-in and the session cookie, cookie-authenticated GraphQL without
CSRF holes, the self-hosted IDE, and pages that load nothing from the internet."""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlparse

import httpx
import pytest
from sqlalchemy import text

from registry.cli.main import main
from registry.core.config import Settings
from registry.web.pages import STATIC
from registry.web.session import COOKIE, SESSION_HEADER
from tests.support import LiveServer, Registry

WORLD = {
    "places": [
        {"code": "S", "parent": "", "kind": "subdistrict", "name": "示例街道"},
        {"code": "C1", "parent": "S", "kind": "community", "name": "一社区"},
        {"code": "E1", "parent": "C1", "kind": "estate", "name": "一号小区"},
        {"code": "E1-B1", "parent": "E1", "kind": "building", "name": "1栋"},
    ],
    "organisations": [
        {
            "code": "W",
            "parent": "",
            "kind": "working_committee",
            "name": "示例街道党工委",
            "covers": "S",
            "established": "",
        },
        {
            "code": "P1",
            "parent": "W",
            "kind": "party_committee",
            "name": "一社区党委",
            "covers": "C1",
            "established": "",
        },
        {
            "code": "B1",
            "parent": "P1",
            "kind": "branch",
            "name": "一号小区党支部",
            "covers": "E1",
            "established": "",
        },
    ],
}
COVERAGE = "query($s: String!) { coverage(scope: $s) { estates { total covered } } }"

# Strings that name other hosts without loading anything from them: XML namespaces and links
# inside libraries' error messages. The browser tests prove nothing is fetched (and the pages'
# Content-Security-Policy forbids it); any other address found here fails this test.
NOT_FETCHED = (
    "http://www.w3.org/",
    "https://react.dev/errors/",
    "https://yarnpkg.com/en/docs/selective-version-resolutions",
    "https://github.com/graphql/graphiql",
    "https://en.wikipedia.org/wiki/IEEE_floating_point",
    "https://commonmark.org/",
    "https://codemirror.net/5/doc/manual.html",
)
URL = re.compile(r"https?://[^\s\"'`)<>\\]*")
HOST = re.compile(r"[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d+)?")
ASSET = re.compile(r"""["'](/static/assets/[\w.-]+\.\w+|\./[\w.-]+\.(?:js|css))["']""")
REFERENCE = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""")

pytestmark = pytest.mark.skipif(
    not (STATIC / "index.html").is_file(),
    reason="the console is not built: run `make console` (make test does)",
)


async def signed_in(registry: Registry, role: str = "admin", scope: str | None = None) -> str:
    """Sign in through the form's endpoint; the cookie lands in registry.http's jar."""
    token = await registry.token(role, scope)
    response = await registry.http.post("/console/session", json={"token": token})
    assert response.status_code == 200, response.text
    return token


async def test_given_a_token_when_signing_in_then_an_httponly_strict_cookie_holds_a_session(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    token = await registry.token("organiser", "P1")

    response = await registry.http.post("/console/session", json={"token": token})

    assert response.status_code == 200
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and token not in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    who = response.json()
    assert who["role"] == "organiser" and not who["masksPhones"]
    assert [o["code"] for o in who["organisations"]] == ["P1"]
    assert [p["code"] for p in who["places"]] == ["C1"]
    assert token not in response.text


async def test_behind_a_trusted_tls_proxy_the_session_cookie_is_secure(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    token = await registry.token("admin")

    # The test client comes from 127.0.0.1, a proxy trusted by default.
    direct = await registry.http.post("/console/session", json={"token": token})
    proxied = await registry.http.post(
        "/console/session", json={"token": token}, headers={"X-Forwarded-Proto": "https"}
    )

    assert "secure" not in direct.headers["set-cookie"].lower()
    assert "secure" in proxied.headers["set-cookie"].lower()


async def test_an_untrusted_clients_forwarded_https_does_not_make_the_cookie_secure(
    registry: Registry, settings: Settings
) -> None:
    await registry.load(WORLD)
    token = await registry.token("admin")
    # Given a server that trusts only a proxy elsewhere,
    server = LiveServer(replace(settings, forwarded_allow_ips="192.0.2.7"))
    base_url = server.start()
    try:
        async with httpx.AsyncClient(base_url=base_url) as http:
            # when a client on loopback claims its request came over https,
            response = await http.post(
                "/console/session", json={"token": token}, headers={"X-Forwarded-Proto": "https"}
            )
    finally:
        server.stop()
    # then it is not believed.
    assert response.status_code == 200
    assert "secure" not in response.headers["set-cookie"].lower()


async def test_a_bad_token_or_a_form_post_does_not_sign_in(registry: Registry) -> None:
    await registry.load(WORLD)
    token = await registry.token("admin")

    wrong = await registry.http.post("/console/session", json={"token": "grt_nope"})
    form = await registry.http.post("/console/session", data={"token": token})

    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers
    assert form.status_code == 415 and "set-cookie" not in form.headers


async def test_the_cookie_counts_only_on_json_posts_that_carry_the_session_header(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    await signed_in(registry)
    body = {"query": COVERAGE, "variables": {"s": "S"}}

    with_header = await registry.http.post("/graphql", json=body, headers={SESSION_HEADER: "1"})
    without_header = await registry.http.post("/graphql", json=body)
    as_get = await registry.http.get(
        "/graphql",
        params={"query": COVERAGE, "variables": '{"s": "S"}'},
        headers={SESSION_HEADER: "1", "accept": "application/json"},
    )

    assert with_header.json()["data"]["coverage"]["estates"] == {"total": 1, "covered": 1}
    for refused in (without_header, as_get):
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_cookie_never_runs_a_mutation_over_get(registry: Registry) -> None:
    await registry.load(WORLD)
    await signed_in(registry)
    before = await registry.snapshot()
    mutation = (
        'mutation { dissolveOrganisation(input: {organisation: "B1", approvedBy: "W"}) '
        "{ userErrors { message } } }"
    )

    response = await registry.http.get(
        "/graphql", params={"query": mutation}, headers={SESSION_HEADER: "1"}
    )

    assert response.status_code in (400, 405) or response.json().get("errors")
    assert await registry.snapshot() == before


async def test_signing_out_forgets_the_session(registry: Registry) -> None:
    await registry.load(WORLD)
    await signed_in(registry)

    out = await registry.http.delete("/console/session", headers={SESSION_HEADER: "1"})
    who = await registry.http.get("/console/session", headers={SESSION_HEADER: "1"})

    assert f'{COOKIE}=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    assert who.json()["signedIn"] is False and who.json()["code"] == "UNAUTHENTICATED"


async def test_the_ide_at_graphql_is_gridregs_own_page(registry: Registry) -> None:
    response = await registry.http.get("/graphql", headers={"accept": "text/html"})

    assert response.status_code == 200
    assert 'id="graphiql"' in response.text and "/static/assets/" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert not URL.findall(response.text)


async def test_no_page_or_asset_refers_to_another_host(registry: Registry) -> None:
    """Fetch every page and every asset they reference (transitively) and scan them."""
    base = str(registry.http.base_url)
    queue = ["/console", "/graphql"]
    seen: set[str] = set()
    foreign: list[tuple[str, str]] = []
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = await registry.http.get(path, headers={"accept": "text/html"})
        assert response.status_code == 200, path
        text = response.text
        for url in URL.findall(text):
            host = urlparse(url).netloc
            # Templates such as `http://${x}` name no host.
            named = HOST.fullmatch(host) is not None
            if named and host != urlparse(base).netloc and not url.startswith(NOT_FETCHED):
                foreign.append((path, url))
        markup = response.headers["content-type"].startswith(("text/html", "text/css"))
        for match in REFERENCE.finditer(text if markup else ""):
            ref = urljoin(urljoin(base, path), match.group(1) or match.group(2))
            if ref.startswith(base) and "/static/" in ref:
                queue.append(urlparse(ref).path)
        for asset in ASSET.findall(text):
            queue.append(urlparse(urljoin(urljoin(base, path), asset)).path)
    assert len(seen) > 5, seen
    assert not foreign, foreign


async def test_every_asset_of_the_build_is_served(registry: Registry) -> None:
    names = [p.name for p in (STATIC / "assets").iterdir()]

    async with httpx.AsyncClient(base_url=str(registry.http.base_url)) as http:
        statuses = {name: (await http.get(f"/static/assets/{name}")).status_code for name in names}

    assert set(statuses.values()) == {200}


async def test_signing_out_counts_for_the_next_request_before_the_database_says_so(
    registry: Registry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process that ends a session forgets what it kept of it at once: its very next request
    does not wait for the database's notice of the change (which other processes wait for)."""
    from registry.access import tokens

    await registry.load(WORLD)
    await signed_in(registry, "organiser", "P1")
    copied = registry.http.cookies[COOKIE]
    ask = {"query": "{ organisations { totalCount } }"}
    headers = {SESSION_HEADER: "1"}
    # Given a process that believes it has heard of every change, and hears of none (the
    # database's notice still on its way), and has kept the session's actor,
    changes = tokens._caches[id(registry.server.app.state.db)].changes
    monkeypatch.setattr(changes, "heard_now", lambda: True)
    monkeypatch.setattr(changes, "on_change", lambda: None)
    assert (await registry.http.post("/graphql", json=ask, headers=headers)).status_code == 200
    # when the session is ended there and its cookie replayed,
    await registry.http.delete("/console/session", headers=headers)
    registry.http.cookies.set(COOKIE, copied)
    body = (await registry.http.post("/graphql", json=ask, headers=headers)).json()
    # then the replay is refused.
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body


async def test_signing_out_ends_the_session_on_the_server_so_a_copied_cookie_is_worthless(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    await signed_in(registry, "organiser", "P1")
    copied = registry.http.cookies[COOKIE]
    ask = {"query": "{ organisations { totalCount } }"}
    headers = {SESSION_HEADER: "1"}
    assert (await registry.http.post("/graphql", json=ask, headers=headers)).status_code == 200

    await registry.http.delete("/console/session", headers=headers)
    registry.http.cookies.set(COOKIE, copied)  # as someone who copied it would send it
    replayed = await registry.http.post("/graphql", json=ask, headers=headers)
    who = await registry.http.get("/console/session", headers=headers)

    body = replayed.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", body
    assert who.json()["signedIn"] is False


async def test_revoking_the_token_ends_the_sessions_opened_with_it(registry: Registry) -> None:
    await registry.load(WORLD)
    await signed_in(registry, "organiser", "P1")
    headers = {SESSION_HEADER: "1"}
    assert (await registry.http.get("/console/session", headers=headers)).json()["signedIn"]

    async with registry.db.write() as session:
        await session.execute(text("UPDATE api_token SET revoked_at = CURRENT_TIMESTAMP"))

    assert not (await registry.http.get("/console/session", headers=headers)).json()["signedIn"]


async def session_rows(registry: Registry) -> int:
    async with registry.db.read() as session:
        return int(await session.scalar(text("SELECT count(*) FROM console_session")) or 0)


async def test_signing_in_again_ends_the_session_the_browser_held(registry: Registry) -> None:
    # Given a browser signed in, and a copy of its cookie
    await registry.load(WORLD)
    await signed_in(registry, "organiser", "P1")
    earlier = registry.http.cookies[COOKIE]

    # When it signs in again
    await signed_in(registry, "viewer", "P1")

    # Then the earlier session is over on the server, and only the new one is kept
    registry.http.cookies.set(COOKIE, earlier)
    who = await registry.http.get("/console/session", headers={SESSION_HEADER: "1"})
    assert who.json()["signedIn"] is False and await session_rows(registry) == 1


async def test_signing_out_without_the_header_still_ends_the_session(registry: Registry) -> None:
    await registry.load(WORLD)
    await signed_in(registry)
    copied = registry.http.cookies[COOKIE]

    await registry.http.delete("/console/session")  # a client that sends the cookie alone

    registry.http.cookies.set(COOKIE, copied)
    who = await registry.http.get("/console/session", headers={SESSION_HEADER: "1"})
    assert who.json()["signedIn"] is False and await session_rows(registry) == 0


async def test_revoking_a_token_with_gridreg_ends_and_removes_its_sessions(
    registry: Registry,
) -> None:
    await registry.load(WORLD)
    token = await signed_in(registry, "organiser", "P1")
    headers = {SESSION_HEADER: "1"}

    argv = ["--database", registry.db.url, "token", "revoke", token]
    assert await asyncio.to_thread(main, argv) == 0

    assert not (await registry.http.get("/console/session", headers=headers)).json()["signedIn"]
    assert await session_rows(registry) == 0


async def test_sessions_that_are_over_are_removed_at_the_next_sign_in(registry: Registry) -> None:
    await registry.load(WORLD)
    await signed_in(registry)
    async with registry.db.write() as session:
        await session.execute(
            text("UPDATE console_session SET expires_at = :past"),
            {"past": datetime.now(UTC) - timedelta(hours=1)},
        )
    assert not (await registry.http.get("/console/session", headers={SESSION_HEADER: "1"})).json()[
        "signedIn"
    ]

    registry.http.cookies.clear()  # another browser signs in
    await signed_in(registry)

    assert await session_rows(registry) == 1


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"null",
        b"1",
        b'"x"',
        b"[]",
        b'{"token": 5}',
        b'{"token": null}',
        b'{"token": "   "}',
        b'{"token": "\\ud800"}',  # half a surrogate pair: no text
        b"[" * 5000,  # deeper than any parser goes
        b"{}",
        b"\xff\xfe",
    ],
)
async def test_a_sign_in_that_is_not_a_token_in_json_gets_a_coded_400(
    registry: Registry, body: bytes
) -> None:
    response = await registry.http.post(
        "/console/session", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == "BAD_REQUEST" and response.json()["signedIn"] is False
