"""How `gridreg serve` and `gridreg demo` run the app: uvicorn on uvloop with httptools, in one
process, or in several worker processes that each listen on a socket of their own.

Why each worker has its own socket: uvicorn's `workers=N` binds one listening socket in the
parent and shares it, and a kept-alive connection stays with whichever worker accepted it; in a
load run all 20 client connections sat on one worker while the other idled. Here every worker
binds host:port with SO_REUSEPORT, and the kernel spreads new connections over the sockets.

Nagle's algorithm: uvloop sets TCP_NODELAY on every TCP connection it accepts (its
`TCPTransport.new` calls `_set_nodelay`), on a socket handed to uvicorn too. asyncio does not
for such a socket, and there a response's body, written after its head, waited for the
client's delayed ACK: 40 ms added to every kept-alive request after the first.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Event
from types import FrameType
from typing import TYPE_CHECKING, Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

if TYPE_CHECKING:
    from starlette.applications import Starlette

APP = "registry.server.serving:serving_app"
# uvloop is not built for Windows; asyncio there brings the 40 ms back with several workers.
LOOP = "uvloop" if sys.platform != "win32" else "asyncio"
# httptools, with a response written to the socket at once (registry.server.one_write).
HTTP = "registry.server.one_write:OneWriteHttpTools"
# Linux's SO_REUSEPORT spreads connections over the sockets; macOS's and the BSDs' do not.
REUSEPORT = sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")

# A request allocates thousands of short-lived objects (rows, GraphQL results); with
# CPython's default threshold (700) the collector runs many times per request.
GC_THRESHOLD = (20_000, 20, 50)

logger = logging.getLogger("uvicorn.error")


def serving_app() -> Starlette:
    """The app for a server process, with the collector tuned for serving."""
    from registry.server.app import create_app  # in the workers only, not in their parent

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


def serve(host: str, port: int, workers: int = 1, access_log: bool = False) -> int:
    """Serve the app on host:port until SIGINT or SIGTERM; returns the exit status. A line
    per request is logged only with `access_log`: formatting and writing it cost a request
    more CPU than answering `{ __typename }`."""
    if workers > 1 and REUSEPORT:
        return Supervisor(host, port, workers, access_log).run()
    # One process; or uvicorn's workers on one shared socket where the kernel cannot spread.
    uvicorn.run(APP, workers=max(workers, 1), **_options(host, port, access_log))
    return 0


def _options(host: str, port: int, access_log: bool) -> dict[str, Any]:
    return {"factory": True, "host": host, "port": port, **uvicorn_options(access_log)}


def uvicorn_options(access_log: bool = False, log_level: str = "info") -> dict[str, Any]:
    """How uvicorn serves gridreg (its loop, protocol and headers), for `gridreg serve`, the
    tests' server and the benchmark's floor alike.

    No `server: uvicorn` header: it tells a stranger what to attack and costs every response a
    header. A trusted proxy's X-Forwarded-* headers are read by the app, on the routes that use
    what they say (`registry.server.app`), not by uvicorn around every request (3 % of
    `{ __typename }`); uvicorn reads them too when its access log, which prints the client's
    address, is on."""
    return {
        "loop": LOOP,
        "http": HTTP,
        "log_level": log_level,
        "access_log": access_log,
        "proxy_headers": access_log,
        "server_header": False,
    }


def bound_socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    """A TCP socket bound to host:port and not yet listening: uvicorn listens once the app is
    built, so the kernel sends a worker no connection before it can answer."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


class Supervisor:
    """The parent of the worker processes: starts them, replaces one that dies, and stops them
    all on SIGINT or SIGTERM."""

    def __init__(self, host: str, port: int, count: int, access_log: bool = False) -> None:
        self.host, self.port, self.count = host, port, count
        self.access_log = access_log
        self.spawn = multiprocessing.get_context("spawn")
        self.stopping = threading.Event()
        self.signals: list[int] = []

    def run(self) -> int:
        """Serve until a stop signal (0), or until a worker fails to start (1)."""
        refused = self._port_refused()
        if refused:
            print(f"gridreg: cannot serve on {self.host}:{self.port}: {refused}", file=sys.stderr)
            return 1
        uvicorn.Config(APP, log_level="info")  # sets up uvicorn's loggers, which the parent uses
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        logger.info("Started parent process [%d]", os.getpid())
        logger.info(
            "Uvicorn running on http://%s:%d with %d workers, each on its own socket "
            "(Press CTRL+C to quit)",
            self.host,
            self.port,
            self.count,
        )
        workers = [self._start() for _ in range(self.count)]
        failed = self._watch(workers)
        for received in self.signals:
            logger.info("Received %s, stopping the workers", signal.Signals(received).name)
        for process, _ in workers:
            process.terminate()  # SIGTERM: uvicorn's graceful shutdown
        for process, _ in workers:
            process.join()
            logger.info("Stopped worker process [%d]", process.pid)
        logger.info("Stopping parent process [%d]", os.getpid())
        return 1 if failed else 0

    def _port_refused(self) -> str | None:
        """Why host:port cannot be served, if it cannot. The probe binds without SO_REUSEPORT:
        with it, a second gridreg on the port would join this one's sockets, and the kernel
        would split the connections between the two servers."""
        try:
            bound_socket(self.host, self.port, reuse_port=False).close()
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return f"{error.strerror} (another program holds the port)"
            return error.strerror or str(error)
        return None

    def _watch(self, workers: list[tuple[SpawnProcess, Event]]) -> bool:
        """Replace workers that die until a stop signal; True when one failed to start."""
        while not self.stopping.wait(0.5):
            for index, (process, ready) in enumerate(workers):
                if process.is_alive():
                    continue
                process.join()
                if not ready.is_set():  # it would fail the same way again: no restart loop
                    logger.error(
                        "Worker process [%d] failed to start (exit code %s); stopping",
                        process.pid,
                        process.exitcode,
                    )
                    return True
                logger.warning(
                    "Worker process [%d] died (exit code %s); starting another",
                    process.pid,
                    process.exitcode,
                )
                workers[index] = self._start()
        return False

    def _on_signal(self, sig: int, _: FrameType | None) -> None:
        self.signals.append(sig)
        self.stopping.set()

    def _start(self) -> tuple[SpawnProcess, Event]:
        ready = self.spawn.Event()
        process = self.spawn.Process(
            target=_work, args=(self.host, self.port, self.access_log, ready)
        )
        process.start()
        logger.info("Started worker process [%d]", process.pid)
        return process, ready


class _Worker(uvicorn.Server):
    """uvicorn's server, telling the parent once it accepts connections."""

    def __init__(self, config: uvicorn.Config, ready: Event) -> None:
        super().__init__(config)
        self.ready = ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self.ready.set()


def _work(host: str, port: int, access_log: bool, ready: Event) -> None:
    """A worker process: its own socket on host:port, served until SIGTERM or SIGINT."""
    config = uvicorn.Config(APP, **_options(host, port, access_log))
    try:
        sock = bound_socket(host, port, reuse_port=True)
    except OSError as error:
        logger.error("cannot listen on %s:%d: %s", host, port, error.strerror)
        sys.exit(STARTUP_FAILURE)
    # Ctrl+C in a terminal reaches the workers too; uvicorn has shut down when it raises.
    with contextlib.suppress(KeyboardInterrupt):
        _Worker(config, ready).run(sockets=[sock])
