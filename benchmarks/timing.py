"""Wall-clock medians for the benchmarks (`gridreg bench`): async work timed in milliseconds,
and the in-process GraphQL calls they time."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import orjson

# The operations clients, docs and tests use (graphql/operations), timed as they are.
OPERATIONS = Path(__file__).resolve().parents[1] / "graphql" / "operations"

Work = Callable[[], Awaitable[Any]]


async def _elapsed_ms(work: Work) -> float:
    start = time.perf_counter()
    await work()
    return (time.perf_counter() - start) * 1000


# Quick work is run more than `repeats` times, until about this long per repeat has passed: a
# median of 15 runs of a 5 ms call moved by a tenth from one bench to the next.
_SECONDS_PER_REPEAT = 0.1
_MOST_RUNS_PER_REPEAT = 100
# Slow work is run fewer than `repeats` times once its rounds have taken this long: the plain
# SQL of a city's whole coverage takes minutes a round, and 15 rounds would take an hour.
_MOST_SECONDS = 60.0


def more_runs(runs: int, repeats: int, started: float) -> bool:
    """Whether to run again: until `repeats` runs (or, for slow work, until its rounds have
    taken `_MOST_SECONDS`), then while quick work has had less than its time (and fewer than
    the most runs)."""
    spent = time.perf_counter() - started
    if runs < repeats:
        return runs == 0 or spent < _MOST_SECONDS
    return spent < repeats * _SECONDS_PER_REPEAT and runs < repeats * _MOST_RUNS_PER_REPEAT


async def _medians(works: list[Work], repeats: int) -> list[float]:
    """Median wall time (ms) of each of `works`, run in turn after one warm-up each, over at
    least `repeats` rounds, more for quick work (see `_SECONDS_PER_REPEAT`)."""
    for work in works:
        await work()
    rounds: list[list[float]] = []
    started = time.perf_counter()
    while more_runs(len(rounds), repeats, started):
        rounds.append([await _elapsed_ms(work) for work in works])
    return [statistics.median(times) for times in zip(*rounds, strict=True)]


async def median_ms(work: Work, repeats: int) -> float:
    """Median wall time of `work` in milliseconds (see `_medians`)."""
    (median,) = await _medians([work], repeats)
    return median


async def paired_medians(api: Work, plain: Work, repeats: int) -> tuple[float, float]:
    """Median wall times (ms) of `api` and `plain`, run alternately (see `_medians`): a shared
    machine speeds up and slows down over seconds, and alternating lets both sides of a ratio
    see the same conditions."""
    api_ms, plain_ms = await _medians([api, plain], repeats)
    return api_ms, plain_ms


Call = Callable[[str, dict[str, Any]], Awaitable[None]]


class Refused(RuntimeError):
    """The server answered an operation with errors (or not with 200): their codes say why."""

    def __init__(self, name: str, status: int, errors: list[dict[str, Any]]) -> None:
        super().__init__(f"{name}: HTTP {status}: {errors}")
        self.codes = {(e.get("extensions") or {}).get("code") for e in errors}


# An ASGI application, as the benchmarks call it (the app under test; typed here so that
# timing needs nothing of the web layer).
Message = dict[str, Any]
ASGIApp = Callable[
    [dict[str, Any], Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]],
    Awaitable[None],
]


def operation_caller(app: ASGIApp, token: str, operations: Path) -> Call:
    """A call of a named operation from `operations`, posted with the bearer token straight
    to the app as an ASGI HTTP request, failing on any GraphQL error. The benchmarks time the
    server's handling of a request (every middleware, auth, GraphQL, SQL), not a client's: an
    in-process HTTP client building requests and responses added a tenth to a members page.
    Operations are read once and an answer is parsed only when it may hold errors."""
    texts: dict[str, str] = {}
    headers = [
        (b"host", b"bench"),
        (b"content-type", b"application/json"),
        (b"authorization", f"Bearer {token}".encode()),
    ]

    async def call(name: str, variables: dict[str, Any]) -> None:
        if name not in texts:
            texts[name] = (operations / f"{name}.graphql").read_text(encoding="utf-8")
        body = orjson.dumps({"query": texts[name], "variables": variables})
        status, content = await _post(app, headers, body)
        if status != 200 or b'"errors"' in content:
            answer = orjson.loads(content)
            if status != 200 or answer.get("errors"):
                raise Refused(name, status, answer.get("errors") or [])

    return call


async def _post(app: ASGIApp, headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[int, bytes]:
    """POST /graphql to the app: the status and body of its answer."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [*headers, (b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 0),
        "server": ("bench", 80),
    }
    answered = asyncio.Event()
    asked = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> Message:
        nonlocal asked
        if not asked:
            asked = True
            return {"type": "http.request", "body": body, "more_body": False}
        await answered.wait()  # as a client that stays until it has the whole answer
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                answered.set()

    await app(scope, receive, send)
    return status, b"".join(chunks)
