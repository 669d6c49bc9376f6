"""How `gridreg serve` and `gridreg demo` run the app: the worker factory and uvicorn's HTTP
protocol with Nagle's algorithm off on every connection.

With `--workers N` uvicorn binds the listening socket itself (protocol number 0), so asyncio
does not set TCP_NODELAY on accepted connections; h11 writes a response's head and body
separately, and on a kept-alive connection the body then waits for the client's delayed ACK:
40 ms added to every request after the first. Setting the option ourselves removes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket

from starlette.applications import Starlette
from uvicorn.protocols.http.h11_impl import H11Protocol

from registry.app import create_app

# A request allocates thousands of short-lived objects (rows, GraphQL results); with
# CPython's default threshold (700) the collector runs many times per request.
GC_THRESHOLD = (20_000, 20, 50)


def serving_app() -> Starlette:
    """The app for a server process, with the collector tuned for serving."""
    app = create_app()
    tune_collector()
    return app


def tune_collector() -> None:
    """Everything built so far (modules, the schema, the engine) lives as long as the process:
    move it out of the collector's sight (`gc.freeze`), so collections scan only what requests
    allocate, and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


class NoDelayH11Protocol(H11Protocol):
    """H11Protocol that sends small writes at once."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            # A socket that refuses is served as before.
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
