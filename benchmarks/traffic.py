"""`gridreg load`: N concurrent clients against a gridreg server on this machine.

Each client holds an organiser token scoped to one community and loops, for a bounded time
(and optionally a bounded number of requests), over the organisers' everyday mix: estate and
community coverage, the community's org chart, pages of its members, and 10 % writes (a
member's phone, a building's name) on objects no other client touches. It prints throughput,
p50/p95/p99 latency, errors, and a consistency check: every acknowledged write is in the
database (the last value of every object written, and one change-log request per write).

The writes are real: sampled members get new phone numbers and sampled buildings a suffixed
name, recorded in the change log like any other write. Tokens minted for the run are revoked
at its end. Only loopback servers are accepted: this is not a tool for somebody else's host.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson
from sqlalchemy import func, select

from benchmarks.timing import OPERATIONS
from registry.access.actor import Role
from registry.access.tokens import create_token, hash_token
from registry.core.config import Settings
from registry.core.db import Database
from registry.core.models import ApiToken, Change, Coverage, Member, Organisation, Place
from registry.core.paths import within

MAX_CLIENTS = 200
MAX_SECONDS = 600
WRITE_SHARE = 0.10
CONNECT_GAP = 0.02  # seconds between two clients' first requests
# Reads, by weight: what organisers ask for most.
READS = (("estate coverage", 2), ("community coverage", 1), ("org chart", 2), ("members", 4))


def _operation(name: str) -> str:
    return (OPERATIONS / f"{name}.graphql").read_text(encoding="utf-8")


def loopback_only(url: str) -> str:
    """The base URL if its host is this machine, else ValueError."""
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return url.rstrip("/")
    try:
        if ipaddress.ip_address(host).is_loopback:
            return url.rstrip("/")
    except ValueError:
        pass
    raise ValueError(f"refusing to load {host or url!r}: gridreg load only targets this machine")


@dataclass
class Community:
    org_code: str
    estates: list[str]
    members: list[str]
    buildings: list[str]


@dataclass
class ClientPlan:
    token: str
    community: Community
    members: list[str]
    buildings: list[str]


@dataclass
class LoadReport:
    clients: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    by_kind: dict[str, int] = field(default_factory=dict)
    acknowledged: dict[tuple[str, str], str] = field(default_factory=dict)
    writes: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return len(self.latencies_ms)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[p - 1]

    @property
    def consistent(self) -> bool:
        return not self.missing

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_kind.items()))
        lines = [
            f"clients {self.clients}, {self.seconds:.1f} s, {self.requests} requests ({kinds})",
            f"throughput {self.throughput:.1f} req/s",
            f"latency ms: p50 {self.percentile(50):.1f}  p95 {self.percentile(95):.1f}  "
            f"p99 {self.percentile(99):.1f}  max {max(self.latencies_ms, default=0):.1f}",
            f"errors {len(self.errors)}",
            *(f"  {e}" for e in self.errors[:10]),
            f"consistency: {self.writes} acknowledged writes, "
            + ("all present" if self.consistent else f"{len(self.missing)} MISSING"),
            *(f"  {m}" for m in self.missing[:10]),
        ]
        return "\n".join(lines)


async def plan_clients(db: Database, clients: int) -> tuple[list[ClientPlan], list[int]]:
    """Tokens and targets for each client: communities round robin, write targets disjoint."""
    async with db.read() as session:
        rows = (
            await session.execute(
                select(Organisation.code, Organisation.path, Place.path)
                .join(Coverage, Coverage.organisation_id == Organisation.id)
                .join(Place, Place.id == Coverage.place_id)
                .where(Coverage.end.is_(None), Place.kind == "community")
                .where(Organisation.status == "active")
                .order_by(Organisation.path)
            )
        ).all()
        if not rows:
            raise ValueError("no community is covered by an organisation: import data first")
        communities: list[Community] = []
        per_client = max(2, -(-clients // len(rows)) * 3)
        for org_code, org_path, place_path in rows[: max(clients, 1)]:
            inside = within(Place.path, place_path)
            estates = list(
                await session.scalars(
                    select(Place.code).where(inside, Place.kind == "estate").limit(20)
                )
            )
            buildings = list(
                await session.scalars(
                    select(Place.code)
                    .where(inside, Place.kind == "building")
                    .order_by(Place.path)
                    .limit(per_client * 3)
                )
            )
            orgs = select(Organisation.id).where(within(Organisation.path, org_path))
            members = list(
                await session.scalars(
                    select(Member.code)
                    .where(Member.organisation_id.in_(orgs))
                    .order_by(Member.code)
                    .limit(per_client * 3)
                )
            )
            communities.append(Community(org_code, estates or [place_path], members, buildings))
    plans: list[ClientPlan] = []
    token_ids: list[int] = []
    async with db.write() as session:
        for i in range(clients):
            community = communities[i % len(communities)]
            # Clients sharing a community take every k-th target, so no two write the same row.
            k, j = -(-clients // len(communities)), i // len(communities)
            raw = await create_token(session, Role.ORGANISER, community.org_code, f"load {i}")
            plans.append(
                ClientPlan(
                    raw, community, community.members[j::k][:3], community.buildings[j::k][:3]
                )
            )
            token_ids.append(
                await session.scalar(
                    select(ApiToken.id).where(ApiToken.token_hash == hash_token(raw))
                )
            )
    return plans, token_ids


async def run_client(
    base_url: str,
    plan: ClientPlan,
    report: LoadReport,
    deadline: float,
    budget: list[int],
    seed: int,
    start_after: float = 0.0,
) -> None:
    """One client: requests back to back until the deadline or the shared budget runs out,
    starting `start_after` seconds late."""
    # Clients connect one after another, as people do, not in one burst: a burst of connections
    # is accepted whole by whichever worker wakes first, which then serves them all (kept
    # alive) while the other workers idle.
    await asyncio.sleep(start_after)
    rng = random.Random(seed)
    ops = {name: _operation(name) for name in ("Coverage", "OrgChart", "Members")}
    write_ops = {"member": _operation("UpdateMember"), "place": _operation("UpdatePlace")}
    counter = 0
    headers = {"Authorization": f"Bearer {plan.token}"}
    # aiohttp, not httpx: on the server's own two cores, httpx took ~1 ms of CPU per request
    # (a quarter of a core at 150 req/s), aiohttp a third of that.
    async with aiohttp.ClientSession(
        base_url=base_url,
        headers=headers,
        timeout=aiohttp.ClientTimeout(total=30),
        json_serialize=lambda body: orjson.dumps(body).decode(),
    ) as http:
        while time.monotonic() < deadline and budget[0] > 0:
            budget[0] -= 1
            counter += 1
            write: tuple[str, str, str] | None = None
            writable = plan.members or plan.buildings
            if writable and rng.random() < WRITE_SHARE:
                if plan.members and (not plan.buildings or rng.random() < 0.5):
                    code = rng.choice(plan.members)
                    value = f"139{(seed * 100_000 + counter) % 100_000_000:08d}"
                    kind = "write member phone"
                    body = {
                        "query": write_ops["member"],
                        "variables": {"input": {"member": code, "phone": value}},
                    }
                    write = ("member", code, value)
                else:
                    code = rng.choice(plan.buildings)
                    value = f"{code} load {seed}.{counter}"
                    kind = "write place name"
                    body = {
                        "query": write_ops["place"],
                        "variables": {"input": {"place": code, "name": value}},
                    }
                    write = ("place", code, value)
            else:
                kind = rng.choices([r[0] for r in READS], weights=[r[1] for r in READS])[0]
                body = _read(kind, plan, rng, ops)
            started = time.perf_counter()
            try:
                async with http.post("/graphql", json=body) as sent:
                    status, answer = sent.status, await sent.read()
                elapsed = (time.perf_counter() - started) * 1000
                problem = _problem(status, answer)
            except (aiohttp.ClientError, TimeoutError) as error:
                elapsed = (time.perf_counter() - started) * 1000
                problem = f"{type(error).__name__}: {error}"
            report.latencies_ms.append(elapsed)
            report.by_kind[kind] = report.by_kind.get(kind, 0) + 1
            if problem:
                report.errors.append(f"{kind}: {problem}")
            elif write is not None:
                report.acknowledged[(write[0], write[1])] = write[2]
                report.writes += 1


def _read(kind: str, plan: ClientPlan, rng: random.Random, ops: dict[str, str]) -> dict[str, Any]:
    community = plan.community
    if kind == "estate coverage":
        return {
            "query": ops["Coverage"],
            "variables": {"scope": rng.choice(community.estates), "gaps": 10},
        }
    if kind == "community coverage":
        return {"query": ops["Coverage"], "variables": {"scope": community.org_code, "gaps": 10}}
    if kind == "org chart":
        return {"query": ops["OrgChart"], "variables": {"root": community.org_code, "depth": 2}}
    return {
        "query": ops["Members"],
        "variables": {"filter": {"organisation": community.org_code}, "first": 20},
    }


def _problem(status: int, answer: bytes) -> str | None:
    if status != 200:
        return f"HTTP {status}: {answer[:200].decode(errors='replace')}"
    body = orjson.loads(answer)
    if body.get("errors"):
        return str(body["errors"])[:300]
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict) and payload.get("userErrors"):
            return str(payload["userErrors"])[:300]
    return None


async def check_consistency(db: Database, report: LoadReport, token_ids: list[int]) -> None:
    """Every acknowledged write is present: last values, and one change-log request each."""
    async with db.read() as session:
        for (entity, code), value in sorted(report.acknowledged.items()):
            if entity == "member":
                found = await session.scalar(select(Member.phone).where(Member.code == code))
            else:
                found = await session.scalar(select(Place.name).where(Place.code == code))
            if found != value:
                report.missing.append(f"{entity} {code}: acknowledged {value!r}, found {found!r}")
        if token_ids:
            logged = await session.scalar(
                select(func.count(func.distinct(Change.request_id))).where(
                    Change.token_id.in_(token_ids)
                )
            )
            if (logged or 0) < report.writes:
                report.missing.append(
                    f"change log: {logged} write requests recorded, {report.writes} acknowledged"
                )


async def revoke(db: Database, token_ids: list[int]) -> None:
    from datetime import UTC, datetime

    async with db.write() as session:
        for token in await session.scalars(select(ApiToken).where(ApiToken.id.in_(token_ids))):
            token.revoked_at = token.revoked_at or datetime.now(UTC)


async def run_load(
    base_url: str,
    database_url: str,
    clients: int = 20,
    seconds: float = 30,
    max_requests: int | None = None,
    seed: int = 1,
) -> LoadReport:
    """Run the load and the consistency check; the server must use `database_url`."""
    base_url = loopback_only(base_url)
    clients = max(1, min(clients, MAX_CLIENTS))
    seconds = max(0.5, min(seconds, MAX_SECONDS))
    db = Database(database_url)
    try:
        plans, token_ids = await plan_clients(db, clients)
        report = LoadReport(clients=clients, seconds=seconds)
        budget = [max_requests if max_requests else 10**9]
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(
                run_client(
                    base_url, plan, report, deadline, budget, seed * 1000 + i, i * CONNECT_GAP
                )
                for i, plan in enumerate(plans)
            )
        )
        report.seconds = time.monotonic() - started
        await check_consistency(db, report, token_ids)
        await revoke(db, token_ids)
        return report
    finally:
        await db.dispose()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The `gridreg load` options."""
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="loopback only")
    parser.add_argument("--clients", type=int, default=20, help=f"at most {MAX_CLIENTS}")
    parser.add_argument("--seconds", type=float, default=30, help=f"at most {MAX_SECONDS}")
    parser.add_argument("--requests", type=int, help="stop after this many requests in all")
    parser.add_argument("--seed", type=int, default=1)


def main(args: argparse.Namespace) -> int:
    """Run `gridreg load`; exit 1 on any error or inconsistency."""
    settings = Settings.from_env(**({"database_url": args.database} if args.database else {}))
    try:
        report = asyncio.run(
            run_load(
                args.url,
                settings.database_url,
                args.clients,
                args.seconds,
                args.requests,
                args.seed,
            )
        )
    except ValueError as refused:
        print(f"gridreg load: {refused}")
        return 2
    print(report.summary())
    return 0 if not report.errors and report.consistent else 1
