"""The client that times `gridreg bench --peer`: kept-alive connections asking a GraphQL
endpoint the same request, one at a time (latency) or each asking again as soon as its
answer is in (throughput).

Why not aiohttp's client, which checks the answers: asking `{ __typename }` 20 at once, it
spent a whole core at about 8,000 answers a second while either server needed three quarters
of one, so the figure was the client's, not the servers'; and a sequential answer took it
four times what it took the server. Here a connection is an asyncio protocol writing the
same request bytes again and reading the answer with httptools (the parser uvicorn serves
with): a few times cheaper per answer. Every answer is still checked: status 200 and a JSON
body without errors.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from urllib.parse import urlsplit

import httptools
import orjson

from benchmarks.timing import more_runs


class LoadError(RuntimeError):
    """An answer that was not a 200 with data, or a connection that broke."""


class Side:
    """A server asked one query: its URL, the query, and the request's extra headers."""

    def __init__(self, url: str, query: str, headers: dict[str, str] | None) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        body = orjson.dumps({"query": query})
        lines = [
            f"POST {parts.path or '/'} HTTP/1.1",
            f"Host: {parts.netloc}",
            "Content-Type: application/json",
            "Accept: application/json",
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in (headers or {}).items()),
        ]
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    async def connect(self) -> _Connection:
        """A new kept-alive connection to the server."""
        loop = asyncio.get_running_loop()
        _, connection = await loop.create_connection(
            lambda: _Connection(self.request), self.host, self.port
        )
        return connection


class _Connection(asyncio.Protocol):
    """One connection, asking its request when told, and again on each answer until a time."""

    def __init__(self, request: bytes) -> None:
        self.request = request
        self.parser = httptools.HttpResponseParser(self)
        self.body: list[bytes] = []
        self.answers = 0
        self.until = 0.0
        self.done: asyncio.Future[None] | None = None
        self.transport: asyncio.WriteTransport | None = None
        self.lost: str | None = None

    def ask(self, until: float = 0.0) -> asyncio.Future[None]:
        """Ask, and on each answer ask again while the monotonic clock is before `until`;
        done at the last answer, or failed (`LoadError`) at the first bad one."""
        assert self.transport is not None and (self.done is None or self.done.done())
        self.until = until
        self.done = asyncio.get_running_loop().create_future()
        if self.lost is not None:
            self.done.set_exception(LoadError(self.lost))
        else:
            self.transport.write(self.request)
        return self.done

    def close(self) -> None:
        """Close the connection."""
        if self.transport is not None:
            self.transport.close()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a TCP transport: it writes

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as error:
            self._fail(f"an answer that is not HTTP: {error}")

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = f"the server closed the connection ({exc or 'no error'})"
        self._fail(self.lost)

    # httptools' callbacks
    def on_body(self, body: bytes) -> None:
        self.body.append(body)

    def on_message_complete(self) -> None:
        body = b"".join(self.body)
        self.body = []
        status = self.parser.get_status_code()
        if status != 200 or b'"errors"' in body and orjson.loads(body).get("errors"):
            self._fail(f"HTTP {status}: {body[:300]!r}")
            return
        self.answers += 1
        if time.monotonic() < self.until:
            assert self.transport is not None
            self.transport.write(self.request)
        elif self.done is not None and not self.done.done():
            self.done.set_result(None)

    def _fail(self, why: str) -> None:
        if self.done is not None and not self.done.done():
            self.done.set_exception(LoadError(why))


async def latencies_ms(sides: list[Side], runs: int) -> list[float]:
    """Median milliseconds of an answer from each side, asked one at a time, alternately,
    after one warm-up each: at least `runs` rounds, more for quick answers
    (`benchmarks.timing.more_runs`; a median of 15 answers of half a millisecond moved by a
    tenth from run to run)."""
    connections = [await side.connect() for side in sides]
    times: list[list[float]] = [[] for _ in sides]
    try:
        for connection in connections:
            await connection.ask()
        started = time.perf_counter()
        rounds = 0
        while more_runs(rounds, runs, started):
            for connection, taken in zip(connections, times, strict=True):
                began = time.perf_counter()
                await connection.ask()
                taken.append((time.perf_counter() - began) * 1000)
            rounds += 1
    finally:
        for connection in connections:
            connection.close()
    return [statistics.median(taken) for taken in times]


async def answers_per_second(side: Side, clients: int, seconds: float) -> float:
    """Answers per second with `clients` connections asking at once for `seconds`."""
    connections: list[_Connection] = []
    try:
        for _ in range(clients):
            connections.append(await side.connect())
        started = time.monotonic()
        asked = [connection.ask(started + seconds) for connection in connections]
        # A server that stops answering fails the run rather than hanging it.
        await asyncio.wait_for(asyncio.gather(*asked), seconds + 60)
        elapsed = time.monotonic() - started
    finally:
        for connection in connections:
            connection.close()
    return sum(connection.answers for connection in connections) / elapsed
