"""`gridreg serve --workers 2` as a real process over real HTTP: each worker listens on its own
SO_REUSEPORT socket, so kept-alive connections are spread over the workers; a dead worker is
replaced, SIGTERM stops them all, and a port held by another program is refused up front.

Sockets are found as Linux shows them: a process's /proc/<pid>/fd links name socket inodes, and
/proc/net/tcp{,6} gives each inode's local port and state."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from registry.core.migrate import upgrade
from registry.server.serving import HTTP, LOOP, REUSEPORT, bound_socket
from tests.support import ThreadedServer

pytestmark = pytest.mark.skipif(not REUSEPORT, reason="needs Linux's SO_REUSEPORT")

GRIDREG = str(Path(sys.executable).with_name("gridreg"))
LISTEN, ESTABLISHED = "0A", "01"
QUERY = json.dumps({"query": "{ places(first: 1) { totalCount } }"})


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    port: int
    token: str
    env: dict[str, str]
    log: Path

    def workers(self) -> set[int]:
        """The serve process's children that listen on the port (not multiprocessing's
        resource tracker)."""
        return {pid for pid in children(self.process.pid) if held(pid, self.port, LISTEN)}


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):  # a thread that just ended
            found.update(int(c) for c in (task / "children").read_text().split())
    return found


def held(pid: int, port: int, state: str) -> int:
    """How many TCP sockets with this local port and state the process holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == state and fields[9] in inodes:
                count += 1
    return count


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: Callable[[], bool], served: Served, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline or served.process.poll() is not None:
            raise AssertionError(f"gridreg serve did not get there:\n{served.log.read_text()}")
        time.sleep(0.05)


def ask(client: http.client.HTTPConnection, token: str) -> dict:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    client.request("POST", "/graphql", body=QUERY, headers=headers)
    response = client.getresponse()
    assert response.status == 200
    assert response.getheader("connection", "").lower() != "close"
    return json.loads(response.read())


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    folder = tmp_path_factory.mktemp("serving")
    url = f"sqlite+aiosqlite:///{folder / 'serving.sqlite3'}"
    upgrade(url)
    env = {**os.environ, "GRIDREG_DATABASE_URL": url}
    port = free_port()
    log = folder / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [GRIDREG, "serve", "--workers", "2", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    served = Served(process, port, "", env, log)
    try:
        served.token = subprocess.run(  # while the workers start
            [GRIDREG, "token", "create", "--role", "admin"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout.strip()
        wait_for(lambda: len(served.workers()) == 2, served)
        yield served
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_kept_alive_connections_are_spread_over_both_workers(served: Served) -> None:
    clients = [http.client.HTTPConnection("127.0.0.1", served.port, timeout=10) for _ in range(16)]
    try:
        for client in clients:
            # An answer from the database in the temporary file: the workers use the chosen one.
            assert ask(client, served.token) == {"data": {"places": {"totalCount": 0}}}
        connections = {pid: held(pid, served.port, ESTABLISHED) for pid in served.workers()}
        assert sum(connections.values()) == 16
        assert len(connections) == 2 and min(connections.values()) >= 1, connections
    finally:
        for client in clients:
            client.close()


def test_a_worker_that_dies_is_replaced(served: Served) -> None:
    before = served.workers()
    os.kill(min(before), signal.SIGKILL)
    wait_for(lambda: len(served.workers()) == 2 and served.workers() != before, served)
    client = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        assert ask(client, served.token)["data"] is not None
    finally:
        client.close()


def test_a_second_gridreg_on_a_served_port_is_refused(served: Served) -> None:
    # Both would hold SO_REUSEPORT sockets; the kernel would split connections between them.
    second = subprocess.run(
        [GRIDREG, "serve", "--workers", "2", "--port", str(served.port)],
        env=served.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode != 0
    assert f"cannot serve on 127.0.0.1:{served.port}: Address already in use" in second.stderr


def test_sigterm_stops_every_worker_and_exits_0(served: Served) -> None:
    workers = served.workers()
    idle = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    ask(idle, served.token)  # an idle kept-alive connection does not hold up the shutdown
    try:
        started = time.monotonic()
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=10) == 0, served.log.read_text()
        assert time.monotonic() - started < 5
    finally:
        idle.close()
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]
    assert "Stopping parent process" in served.log.read_text()


def test_a_port_held_by_another_program_is_refused_with_one_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'refused.sqlite3'}"
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        refused = subprocess.run(
            [GRIDREG, "serve", "--workers", "2", "--port", str(port)],
            env={**os.environ, "GRIDREG_DATABASE_URL": url},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"gridreg: cannot serve on 127.0.0.1:{port}: Address already in use "
        "(another program holds the port)"
    ]


async def tiny_app(scope: dict, receive: Callable, send: Callable) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


def test_connections_a_worker_accepts_have_nagle_off() -> None:
    # As a worker serves: uvicorn with our loop and protocol on a socket handed to it.
    served = ThreadedServer(
        tiny_app, bound_socket("127.0.0.1", 0, reuse_port=True), loop=LOOP, http=HTTP,
        lifespan="off",
    )  # fmt: skip
    port = int(served.start().rsplit(":", 1)[1])
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        client.request("GET", "/")
        assert client.getresponse().read() == b"ok"
        (connection,) = served.server.server_state.connections
        accepted = connection.transport.get_extra_info("socket")  # type: ignore[attr-defined]
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 1
    finally:
        client.close()
        served.stop()
