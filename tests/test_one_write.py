"""A response goes to the socket in one write: uvicorn as gridreg serves it (our loop and
protocol) over real HTTP, with the connection's writes recorded beneath the protocol."""

from __future__ import annotations

import asyncio
import http.client
import socket
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from registry.server.one_write import JoinedWrites
from registry.server.serving import HTTP, LOOP
from tests.support import ThreadedServer


class Recorded:
    """A transport that notes what each of its write calls sent."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.calls: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.calls.append(bytes(data))
        self.transport.write(data)

    def writelines(self, parts: Any) -> None:
        parts = [bytes(part) for part in parts]
        self.calls.append(b"".join(parts))
        self.transport.writelines(parts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


async def app(scope: dict, receive: Callable, send: Callable) -> None:
    """`/small`: one body; `/streamed`: three parts with pauses; `/empty`: no body at all."""
    if scope["type"] != "http":
        return
    if scope["path"] == "/streamed":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for part in (b"one ", b"two ", b"three"):
            await send({"type": "http.response.body", "body": part, "more_body": True})
            await asyncio.sleep(0.05)
        await send({"type": "http.response.body", "body": b""})
        return
    if scope["path"] == "/empty":
        headers = [(b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    body = b'{"data":{"__typename":"Query"}}'
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


@contextmanager
def served() -> Iterator[tuple[uvicorn.Server, int]]:
    """uvicorn as gridreg serves (its loop and protocol) on a loopback port, with `app`."""
    server = ThreadedServer(app, loop=LOOP, http=HTTP, lifespan="off")
    port = int(server.start().rsplit(":", 1)[1])
    try:
        yield server.server, port
    finally:
        server.stop()


def recorded(server: uvicorn.Server) -> Recorded:
    """The writes beneath the only connection's protocol, from now on."""
    (connection,) = server.server_state.connections
    joined = connection.transport  # type: ignore[attr-defined]
    assert isinstance(joined, JoinedWrites)
    recording = Recorded(joined._transport)
    joined._transport = recording  # type: ignore[assignment]
    return recording


def test_a_small_answer_goes_out_in_one_write_with_its_head() -> None:
    """Given a kept-alive connection, when the app sends a response's start and its body, then
    the socket is written once, with the head and the body together."""
    with served() as (server, port):
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        client.request("POST", "/small", body=b"{}")
        assert client.getresponse().read() == b'{"data":{"__typename":"Query"}}'
        writes = recorded(server)
        for _ in range(3):
            client.request("POST", "/small", body=b"{}")
            assert client.getresponse().read() == b'{"data":{"__typename":"Query"}}'
        client.close()
    assert len(writes.calls) == 3
    assert all(
        call.startswith(b"HTTP/1.1 200 OK") and call.endswith(b'{"data":{"__typename":"Query"}}')
        for call in writes.calls
    )


def test_a_streamed_answer_is_not_held_back_and_an_empty_one_completes() -> None:
    """Given an answer sent in parts with pauses between them, then each part reaches the client
    before the next is sent (nothing waits for a following write); and an answer with no body
    is answered, not held."""
    with served() as (server, port):
        raw = socket.create_connection(("127.0.0.1", port), timeout=10)
        started = time.monotonic()
        raw.sendall(b"GET /streamed HTTP/1.1\r\nHost: x\r\n\r\n")
        seen = b""
        for part, next_part in ((b"one ", b"two "), (b"two ", b"three")):
            while part not in seen:
                seen += raw.recv(4096)
            assert next_part not in seen  # it came while the app paused, before the next
        while not seen.endswith(b"0\r\n\r\n"):
            seen += raw.recv(4096)
        assert time.monotonic() - started < 2  # the last part, too, was sent as it came
        raw.close()

        client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        client.request("GET", "/empty")
        response = client.getresponse()
        assert (response.status, response.read()) == (204, b"")
        client.close()
