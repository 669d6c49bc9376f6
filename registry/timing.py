"""Wall-clock medians for the benchmarks (`gridreg bench`): async work timed in milliseconds,
and the in-process GraphQL calls they time."""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

Work = Callable[[], Awaitable[Any]]


async def _elapsed_ms(work: Work) -> float:
    start = time.perf_counter()
    await work()
    return (time.perf_counter() - start) * 1000


async def median_ms(work: Work, repeats: int) -> float:
    """Median wall time of `work` in milliseconds, after one warm-up run."""
    await work()
    return statistics.median([await _elapsed_ms(work) for _ in range(repeats)])


async def paired_medians(api: Work, plain: Work, repeats: int) -> tuple[float, float]:
    """Median wall times (ms) of `api` and `plain`, run alternately after one warm-up each:
    a shared machine speeds up and slows down over seconds, and alternating lets both sides
    of a ratio see the same conditions."""
    await api()
    await plain()
    pairs = [(await _elapsed_ms(api), await _elapsed_ms(plain)) for _ in range(repeats)]
    return statistics.median(a for a, _ in pairs), statistics.median(p for _, p in pairs)


Call = Callable[[str, dict[str, Any]], Awaitable[None]]


def operation_caller(client: httpx.AsyncClient, operations: Path) -> Call:
    """A call of a named operation from `operations` over the client's HTTP, failing on any
    GraphQL error. Operations are read once and answers parsed with orjson: the benchmarks
    time the API, not the client's file reads and JSON parsing."""
    texts: dict[str, str] = {}

    async def call(name: str, variables: dict[str, Any]) -> None:
        if name not in texts:
            texts[name] = (operations / f"{name}.graphql").read_text(encoding="utf-8")
        body = {"query": texts[name], "variables": variables}
        response = await client.post("/graphql", json=body)
        answer = orjson.loads(response.content)
        if answer.get("errors"):
            raise RuntimeError(f"{name}: {answer['errors']}")

    return call
