"""`gridreg bench --peer`: gridreg beside PostGraphile 4 on the same PostgreSQL database.

Both are served as a team would run them, over HTTP on loopback, with the same number of
processes: `gridreg serve` and PostGraphile (installed with npm into var/peer, no auth).
For each query the answers are first checked equal (normalised: the two APIs name fields
differently), then timed alternately, sequential latency first (medians), then throughput
with concurrent clients, by a client that costs a fraction of what either server spends on an
answer (`benchmarks.http_load`). gridreg answers with its token check and scope on: as admin, and as
an organiser scoped to one sub-district (whose answers are timed, not compared: PostGraphile
has no scope to cut them to).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from benchmarks.http_load import Side, answers_per_second, latencies_ms
from registry.access.actor import Role
from registry.access.tokens import create_token
from registry.core.db import Database

console = Console(width=150)
PEER_VERSION = "4.14.1"
PEER_HOME = Path("var") / "peer"

Normalise = Callable[[Any], Any]


@dataclass(frozen=True)
class Pair:
    """One question asked of both APIs, and how to bring each answer to a common form."""

    what: str
    gridreg: str
    peer: str
    ours: Normalise
    theirs: Normalise


def _members_ours(data: Any) -> Any:
    return [
        (m["code"], m["name"], (m["organisation"] or {}).get("code"),
         ((m["organisation"] or {}).get("secretary") or {}).get("name"),
         (m["household"] or {}).get("code"),
         ((m["household"] or {}).get("parent") or {}).get("code"))
        for m in data["members"]["nodes"]
    ]  # fmt: skip


def _members_theirs(data: Any) -> Any:
    found = []
    for m in data["allMembers"]["nodes"]:
        org = m["organisationByOrganisationId"] or {}
        secretaries = sorted(
            o["memberByMemberId"]["name"] for o in (org.get("officesByOrganisationId") or {})
            .get("nodes", [])
        )  # fmt: skip
        home = m["placeByHouseholdId"] or {}
        found.append((m["code"], m["name"], org.get("code"),
                      secretaries[0] if secretaries else None, home.get("code"),
                      (home.get("placeByParentId") or {}).get("code")))  # fmt: skip
    return found


def _chart_theirs(data: Any) -> Any:
    found = set()

    def walk(node: Any) -> None:
        found.add((node["code"], node["name"], node["kind"].lower(),
                   node["membersByOrganisationId"]["totalCount"]))  # fmt: skip
        for child in (node.get("organisationsByParentId") or {}).get("nodes", []):
            walk(child)

    walk(data["organisationByCode"])
    return found


def pairs(sub_district: str, branch: str, branch_id: int) -> list[Pair]:
    """The five questions of the comparison, on the district's own codes."""
    peer_secretary = 'officesByOrganisationId(condition: {role: "secretary", end: null}) ' \
        "{ nodes { memberByMemberId { name } } }"
    peer_node = "code name kind membersByOrganisationId { totalCount }"
    active = 'organisationsByParentId(condition: {status: "active"}, orderBy: PATH_ASC)'
    return [
        Pair(
            "page of 100 members with organisation, secretary, household, unit",
            "{ members(first: 100) { nodes { code name organisation { code secretary { name } }"
            " household { code parent { code } } } } }",
            "{ allMembers(first: 100, orderBy: CODE_ASC) { nodes { code name "
            f"organisationByOrganisationId {{ code {peer_secretary} }} "
            "placeByHouseholdId { code placeByParentId { code } } } } }",
            _members_ours, _members_theirs,
        ),
        Pair(
            f"members of one branch ({branch})",
            f'{{ members(filter: {{organisation: "{branch}"}}, first: 100) '
            "{ nodes { code name } } }",
            f"{{ allMembers(condition: {{organisationId: {branch_id}}}, orderBy: CODE_ASC) "
            "{ nodes { code name } } }",
            lambda d: [(m["code"], m["name"]) for m in d["members"]["nodes"]],
            lambda d: [(m["code"], m["name"]) for m in d["allMembers"]["nodes"]],
        ),
        Pair(
            f"org chart of {sub_district}, 3 levels, code/name/kind/memberCount",
            f'{{ orgChart(root: "{sub_district}", depth: 3) '
            "{ nodes { code name kind memberCount } } }",
            f'{{ organisationByCode(code: "{sub_district}") {{ {peer_node} {active} {{ nodes '
            f"{{ {peer_node} {active} {{ nodes {{ {peer_node} {active} {{ nodes {{ {peer_node} "
            "} } } } } } } }",
            lambda d: {(n["code"], n["name"], n["kind"].lower(), n["memberCount"])
                       for n in d["orgChart"]["nodes"]},  # fmt: skip
            _chart_theirs,
        ),
        Pair(
            "one organisation by code with its parent's name",
            f'{{ organisation(code: "{branch}") {{ name parent {{ name }} }} }}',
            f'{{ organisationByCode(code: "{branch}") {{ name organisationByParentId '
            "{ name } } }",
            lambda d: (d["organisation"]["name"], d["organisation"]["parent"]["name"]),
            lambda d: (d["organisationByCode"]["name"],
                       d["organisationByCode"]["organisationByParentId"]["name"]),
        ),
        Pair("{ __typename }", "{ __typename }", "{ __typename }",
             lambda d: d["__typename"], lambda d: d["__typename"]),  # fmt: skip
    ]


# -- the two servers ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peer_command() -> Path | None:
    """PostGraphile's command, installed into var/peer with npm when missing (None: npm is
    not there or cannot reach its registry)."""
    binary = PEER_HOME / "node_modules" / ".bin" / "postgraphile"
    if binary.exists():
        return binary
    npm = shutil.which("npm")
    if npm is None:
        return None
    PEER_HOME.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix",
         str(PEER_HOME), f"postgraphile@{PEER_VERSION}"],
        capture_output=True, text=True,
    )  # fmt: skip
    return binary if done.returncode == 0 and binary.exists() else None


async def _wait_for(url: str, session: aiohttp.ClientSession, process: Any) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server for {url} stopped")
        try:
            async with session.post(url, json={"query": "{ __typename }"}) as response:
                if response.status in (200, 401):
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


async def _tokens(url: str, scope: str) -> dict[str, str]:
    db = Database(url)
    try:
        async with db.write() as session:
            return {
                "admin": await create_token(session, Role.ADMIN, None, "bench --peer"),
                "organiser": await create_token(session, Role.ORGANISER, scope, "bench --peer"),
            }
    finally:
        await db.dispose()


async def _codes(url: str) -> tuple[str, str, int]:
    """A sub-district's working committee, and a branch of ~25 members none report to."""
    db = Database(url)
    try:
        async with db.read() as session:
            sub = await session.scalar(text(
                "SELECT code FROM organisation WHERE kind = 'working_committee' "
                "ORDER BY path LIMIT 1 OFFSET 1"
            ))  # fmt: skip
            row = (await session.execute(text(
                "SELECT o.code, o.id FROM organisation o JOIN member m ON m.organisation_id = o.id "
                "WHERE o.kind = 'branch' AND o.status = 'active' AND NOT EXISTS "
                "(SELECT 1 FROM member r WHERE r.reports_to_id = o.id) "
                "GROUP BY o.code, o.id HAVING count(m.id) BETWEEN 20 AND 26 ORDER BY o.code LIMIT 1"
            ))).one()  # fmt: skip
        return str(sub), str(row[0]), int(row[1])
    finally:
        await db.dispose()


# -- measuring ------------------------------------------------------------------------------


async def _post(session: aiohttp.ClientSession, url: str, query: str, headers: Any) -> Any:
    async with session.post(url, json={"query": query}, headers=headers) as response:
        body = await response.json()
    if body.get("errors"):
        raise RuntimeError(f"{url}: {body['errors']}")
    return body["data"]


# Throughput is measured in slices of this many seconds, the two servers alternately, so that
# both see the same moments of a shared machine (a burst of another's work during one side's
# whole run moved a ratio by a third).
SLICE_S = 1.0


async def _throughputs(
    ours: Side, theirs: Side, clients: int, seconds: float
) -> tuple[float, float, float]:
    """Answers per second of each side (medians over slices) and the median of the ratios of
    slices taken one after the other, `seconds` per side in all."""
    slices = max(1, round(seconds / SLICE_S))
    each = seconds / slices
    mine: list[float] = []
    peer: list[float] = []
    for index in range(slices):
        order = [(ours, mine), (theirs, peer)]
        for side, rates in order if index % 2 == 0 else order[::-1]:
            rates.append(await answers_per_second(side, clients, each))
    ratio = statistics.median(a / b for a, b in zip(mine, peer, strict=True))
    return statistics.median(mine), statistics.median(peer), ratio


async def _compare(url: str, args: Any) -> int:
    binary = peer_command()
    if binary is None:
        console.print("[yellow]bench --peer skipped: PostGraphile could not be installed "
                      "(npm missing or offline)[/yellow]")  # fmt: skip
        return 0
    sub, branch, branch_id = await _codes(url)
    tokens = await _tokens(url, sub)
    ours_port, theirs_port = _free_port(), _free_port()
    environment = {**os.environ, "GRIDREG_DATABASE_URL": url}
    ours = subprocess.Popen(
        [sys.executable, "-m", "registry.cli.main", "--database", url, "serve", "--port",
         str(ours_port), "--workers", str(args.workers)],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    plain_url = url.replace("+asyncpg", "")
    peer_args = [str(binary), "-c", plain_url, "--host", "127.0.0.1", "--port",
                 str(theirs_port), "--disable-query-log", "--disable-graphiql"]  # fmt: skip
    if args.workers > 1:
        peer_args += ["--cluster-workers", str(args.workers)]
    theirs = subprocess.Popen(peer_args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ours_url = f"http://127.0.0.1:{ours_port}/graphql"
    theirs_url = f"http://127.0.0.1:{theirs_port}/graphql"
    table = Table(title=f"gridreg vs PostGraphile {PEER_VERSION} on the same PostgreSQL, "
                        f"{args.workers} process(es) each")  # fmt: skip
    for column in ("query", "as", "gridreg ms", "peer ms", "latency ratio", "gridreg /s",
                   "peer /s", "throughput ratio"):  # fmt: skip
        table.add_column(column)
    try:
        async with aiohttp.ClientSession() as session:
            await _wait_for(ours_url, session, ours)
            await _wait_for(theirs_url, session, theirs)
            for pair in pairs(sub, branch, branch_id):
                admin = {"Authorization": f"Bearer {tokens['admin']}"}
                mine = pair.ours(await _post(session, ours_url, pair.gridreg, admin))
                peer = pair.theirs(await _post(session, theirs_url, pair.peer, None))
                if mine != peer:
                    raise RuntimeError(f"different answers for {pair.what!r}")
                for role in ("admin", "organiser"):
                    headers = {"Authorization": f"Bearer {tokens[role]}"}
                    ours_side = Side(ours_url, pair.gridreg, headers)
                    peer_side = Side(theirs_url, pair.peer, None)
                    ours_ms, theirs_ms = await latencies_ms([ours_side, peer_side], args.repeats)
                    ours_rps, theirs_rps, ratio = await _throughputs(
                        ours_side, peer_side, args.clients, args.seconds
                    )
                    table.add_row(
                        pair.what if role == "admin" else "", role, f"{ours_ms:.1f}",
                        f"{theirs_ms:.1f}", f"{ours_ms / theirs_ms:.2f}", f"{ours_rps:.0f}",
                        f"{theirs_rps:.0f}", f"{ratio:.2f}",
                    )  # fmt: skip
    finally:
        for process in (ours, theirs):
            process.terminate()
            process.wait(timeout=30)
    console.print(table)
    console.print("Same answers checked for each query (as admin). Latency: sequential "
                  f"medians, asked alternately, of at least {args.repeats} answers each and "
                  "more for quick ones; ratio < 1 is gridreg faster. Throughput: "
                  f"{args.clients} clients for {args.seconds:g} s each, in slices of "
                  f"{SLICE_S:g} s taken alternately (medians; the ratio is the median of the "
                  "slices' ratios); ratio > 1 is gridreg faster.")  # fmt: skip
    return 0


def run_peer(url: str, args: Any) -> int:
    """Compare gridreg with PostGraphile on the PostgreSQL database `url` (which must hold a
    gridreg registry: the benchmark imports the synthetic district into it first)."""
    return asyncio.run(_compare(url, args))
