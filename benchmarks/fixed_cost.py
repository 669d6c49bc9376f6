"""The fixed cost of a request: server CPU per `{ __typename }` asked with a token.

Two `gridreg serve` processes on the same database, one as deployed and one as before
(`GRIDREG_TOKEN_CACHE=off`: the token read from the database on every request, and uvicorn's
access log on), and beside them the floor: uvicorn serving, as gridreg is served, an app that
answers at once (`benchmarks.floor_app`). All three are asked alternately, one kept-alive
client each. What a request costs the server is read from the kernel's account of the server
process's CPU time (user and system) around a batch of requests, not from a clock: the client,
the database and the other engineers' work on a shared machine are not counted.
"""

from __future__ import annotations

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

QUERY = {"query": "{ __typename }"}
WHAT = (
    "server CPU per `{ __typename }` with a scoped token (plain: as before, the token read "
    "on every request and the access log on)"
)
FLOOR = (
    "the floor: server CPU per request of uvicorn serving an app that answers at once, as "
    "gridreg is served (plain: gridreg's, above; the ratio is the server's share)"
)
# The kernel accounts CPU time in clock ticks (10 ms): batches of thousands of requests keep
# the tick a few per cent of a batch.
BATCH = 2000


@dataclass(frozen=True)
class Server:
    """A served gridreg: its process, its GraphQL URL, and how it was configured."""

    process: subprocess.Popen[bytes]
    url: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux's /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After the command's closing parenthesis: utime and stime are the 12th and 13th fields.
    ticks = int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def start(database_url: str, environment: dict[str, str], *options: str) -> Server:
    """`gridreg serve` (one process) on a free port of loopback."""
    return _serve(
        ["registry.cli.main", "--database", database_url, "serve"], environment, *options
    )


def start_floor() -> Server:
    """The floor's app (`benchmarks.floor_app`) under uvicorn, served as gridreg is
    (`registry.server.serving.uvicorn_options`), on a free port of loopback."""
    return _serve(["benchmarks.floor_app"], {})


def _serve(command: list[str], environment: dict[str, str], *options: str) -> Server:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", *command, "--port", str(port), *options],
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    return Server(process, f"http://127.0.0.1:{port}/graphql")


async def _ask(session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> None:
    async with session.post(url, json=QUERY, headers=headers) as response:
        body = await response.json()
    if response.status != 200 or body.get("errors"):
        raise RuntimeError(f"{url}: HTTP {response.status}: {body}")


async def _ready(session: aiohttp.ClientSession, server: Server, headers: dict[str, str]) -> None:
    deadline = time.monotonic() + 60
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server for {server.url} stopped")
        try:
            await _ask(session, server.url, headers)
            return
        except aiohttp.ClientError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.3)


async def _batch_ms(
    session: aiohttp.ClientSession, server: Server, headers: dict[str, str], requests: int
) -> float:
    """Server CPU milliseconds per request over `requests` sequential requests."""
    before = process_cpu_seconds(server.process.pid)
    for _ in range(requests):
        await _ask(session, server.url, headers)
    return (process_cpu_seconds(server.process.pid) - before) * 1000 / requests


async def cpu_per_request(servers: list[Server], token: str, rounds: int) -> list[float]:
    """Median server CPU (ms) per `{ __typename }` of each server, over `rounds` batches each,
    taken in turn."""
    headers = {"Authorization": f"Bearer {token}"}
    found: list[list[float]] = [[] for _ in servers]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
        for server in servers:
            await _ready(session, server, headers)
            await _batch_ms(session, server, headers, BATCH // 4)  # warm: caches, plans
        for _ in range(rounds):
            for index, server in enumerate(servers):
                found[index].append(await _batch_ms(session, server, headers, BATCH))
    return [statistics.median(times) for times in found]


def fixed_cost_ms(
    database_url: str, token: str, rounds: int = 5
) -> tuple[float, float, float]:
    """Server CPU per `{ __typename }` request with `token`, in ms: as served now, as before
    (token read on every request, access log on), and the floor (`start_floor`)."""
    servers = [
        start(database_url, {}),
        start(database_url, {"GRIDREG_TOKEN_CACHE": "off"}, "--access-log"),
        start_floor(),
    ]
    try:
        served, old, floor = asyncio.run(cpu_per_request(servers, token, rounds))
    finally:
        for server in servers:
            server.process.terminate()
            server.process.wait(timeout=30)
    return served, old, floor
