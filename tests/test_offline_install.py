"""The offline archive (`make dist`) installs into a fresh virtual environment with pip's index
switched off and nothing but its own wheelhouse to install from, and runs `gridreg demo`.

It needs the project's environment (make setup) and the network to build the wheelhouse, and it
does not depend on the database under test: it runs in the SQLite pass of the suite only.
"""

from __future__ import annotations

import json
import os
import queue
import re
import socket
import subprocess
import tarfile
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("GRIDREG_TEST_DATABASE_URL")),
    reason="the archive does not depend on the database: tested in the SQLite pass",
)


def offline_environment() -> dict[str, str]:
    """The environment of a machine with no index to reach: no pip configuration, no extra
    places to find packages, no index; and Python writing to pipes in blocks, as it does for a
    service whose output is logged (no PYTHONUNBUFFERED)."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k != "PYTHONUNBUFFERED"
    }
    env |= {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1"}
    return env


def _token_printed(demo: subprocess.Popen[str], deadline: float) -> str:
    """The token `gridreg demo` prints, read as its lines come, by the deadline: a token kept
    in the process's buffer while it serves fails the test rather than hanging it."""
    lines: queue.Queue[str] = queue.Queue()
    assert demo.stdout is not None
    output = demo.stdout

    def forward() -> None:  # until the demo stops: its log never fills the pipe
        for line in output:
            lines.put(line)

    threading.Thread(target=forward, daemon=True).start()
    seen: list[str] = []
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=min(left, 1.0))
        except queue.Empty:
            assert demo.poll() is None, "gridreg demo stopped: " + "".join(seen)
            continue
        seen.append(line)
        if found := re.search(r"grt_[A-Za-z0-9_-]+", line):
            return found.group(0)
    raise AssertionError("gridreg demo printed no token while serving: " + "".join(seen))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.skipif(
    bool(os.environ.get("GRIDREG_TEST_DATABASE_URL")),
    reason="the offline archive does not depend on the database: built and installed once, in "
    "the SQLite pass (two builds at once would share the source tree's build folders)",
)
def test_the_offline_archive_installs_without_an_index_and_serves_the_demo(
    tmp_path: Path,
) -> None:
    built = subprocess.run(["make", "dist"], cwd=ROOT, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout + built.stderr
    with tarfile.open(ROOT / "dist" / "gridreg-offline.tar.gz") as archive:
        # The data filter (no links out, no devices) came in Python 3.11.4; Debian 12's
        # python3 is 3.11.2, where the archive, built here by `make dist`, is trusted.
        if hasattr(tarfile, "data_filter"):
            archive.extractall(tmp_path, filter="data")
        else:
            archive.extractall(tmp_path)
    folder = tmp_path / "gridreg-offline"
    assert (folder / "BUILT-FOR").read_text().strip()

    installed = subprocess.run(
        ["sh", str(folder / "install.sh")], capture_output=True, text=True,
        env=offline_environment(),
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr

    port = free_port()
    demo = subprocess.Popen(
        [str(folder / "venv" / "bin" / "gridreg"), "--database",
         f"sqlite+aiosqlite:///{tmp_path / 'demo.sqlite3'}", "demo", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=tmp_path,
        env=offline_environment(),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        token = _token_printed(demo, deadline)
        answer = None
        while answer is None and time.monotonic() < deadline:
            try:
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/graphql",
                    data=json.dumps({"query": '{ place(code: "CT") { name } }'}).encode(),
                    headers={"Authorization": f"Bearer {token}",
                             "Content-Type": "application/json"},
                )  # fmt: skip
                with urllib.request.urlopen(request, timeout=5) as response:
                    answer = json.load(response)
            except OSError:
                time.sleep(0.5)
        assert answer == {"data": {"place": {"name": "寸滩街道"}}}
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/console", timeout=5) as page:
            assert page.status == 200
    finally:
        demo.terminate()
        demo.wait(timeout=30)
