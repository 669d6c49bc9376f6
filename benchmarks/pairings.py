"""Benchmark rows for pairings (used by `gridreg bench`, benchmarks/bench.py).

Each row: (what, API ms, graph-alone ms or None, target ms). The API figure is the whole
`proposeHouseholdContacts` round trip (HTTP in-process, auth, scope, loading, solving, the
summary payload); the graph figure is `graph.contacts.propose_contacts` alone on the same data.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path

from sqlalchemy import select

from benchmarks.timing import OPERATIONS, Call, median_ms, operation_caller
from graph.contacts import propose_contacts
from graph.model import Pairing as GraphPairing
from registry.access.actor import SYSTEM
from registry.access.scope import ScopeKind, resolve_scope
from registry.core.db import Database
from registry.core.models import Place
from registry.planning.contact_ratio import contact_ratios
from registry.planning.estates import estate_paths, read_territory
from seeds import CUNTAN

Row = tuple[str, float, float | None, float | None]
CUNTAN_ESTATE = "CT-BS-JAMX"


async def graph_alone_ms(db: Database, scope_code: str, default_ratio: int, repeats: int) -> float:
    """Median time of `propose_contacts` alone on the scope's loaded data."""
    async with db.read() as session:
        scope = await resolve_scope(session, SYSTEM, scope_code, ScopeKind.PLACE)
        found = await read_territory(session, scope)
        ratios = await contact_ratios(session, estate_paths(found), default_ratio)
    members = [replace(m, contact_capacity=ratios.get(str(m.estate_id))) for m in found.candidates]
    existing = [
        GraphPairing(found.member_code[e.member_id], found.place_code[e.place_id])
        for e in found.existing
    ]

    async def solve() -> None:
        propose_contacts(found.households, found.buildings, members, default_ratio, existing)

    return await median_ms(solve, repeats)


async def contact_rows(
    db: Database, post: Call, scope_code: str, label: str, target: float, repeats: int
) -> list[Row]:
    """Propose contacts for a scope through the API and the graph function alone."""
    api = await median_ms(
        lambda: post("ProposeHouseholdContactsSummary", {"scope": scope_code}), repeats
    )
    alone = await graph_alone_ms(db, scope_code, 10, repeats)
    return [(f"contact pairing, {label} (plain = graph alone)", api, alone, target)]


async def chain_row(db: Database, post: Call, under: str, repeats: int) -> list[Row]:
    """The responsibility chain of the first household under place `under`."""
    async with db.read() as session:
        top = await session.scalar(select(Place).where(Place.code == under))
        assert top is not None
        household = await session.scalar(
            select(Place.code)
            .where(Place.kind == "household", Place.path > top.path)
            .where(Place.path < top.path[:-1] + "0")
            .order_by(Place.path)
            .limit(1)
        )
    ms = await median_ms(lambda: post("ResponsibilityChain", {"place": household}), repeats)
    return [(f"responsibility chain of household {household}", ms, None, 20.0)]


async def cuntan_rows(repeats: int) -> list[Row]:
    """Load seeds/cuntan into var/bench/pairings-cuntan.sqlite3 and time its estate
    (1,224 households), the whole Cuntan sub-district and a chain, through the API."""

    from registry.access.actor import Role
    from registry.access.tokens import create_token
    from registry.core.config import Settings
    from registry.core.migrate import upgrade
    from registry.importer import import_workbook
    from registry.server.app import create_app

    path = Path("var") / "bench" / "pairings-cuntan.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade, url)
    db = Database(url)
    await import_workbook(db, CUNTAN)
    async with db.write() as session:
        token = await create_token(session, Role.ADMIN, None, "bench")
    app = create_app(Settings.from_env(database_url=url))
    rows: list[Row] = []
    post = operation_caller(app, token, OPERATIONS)
    rows += await contact_rows(
        db, post, CUNTAN_ESTATE, "Cuntan estate CT-BS-JAMX (1,224 households)", 100.0, repeats
    )
    rows += await contact_rows(db, post, "CT", "Cuntan sub-district CT", 2000.0, repeats)
    rows += await chain_row(db, post, CUNTAN_ESTATE, repeats)
    await app.state.db.dispose()
    await db.dispose()
    return rows
