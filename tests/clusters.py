"""A PostgreSQL primary and a hot standby of it, made for the tests from the server binaries
(initdb, pg_basebackup -R), on free loopback ports in a temporary directory."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def server_binaries() -> Path | None:
    """The newest /usr/lib/postgresql/*/bin holding initdb, pg_ctl and pg_basebackup."""
    found = sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for folder in reversed(found):
        if all((folder / tool).is_file() for tool in ("initdb", "pg_ctl", "pg_basebackup")):
            return folder
    return None


def why_no_clusters() -> str | None:
    """Why the tests cannot make clusters here, or None."""
    if server_binaries() is None:
        return "PostgreSQL server binaries (/usr/lib/postgresql/*/bin: initdb, pg_ctl, "
        "pg_basebackup) are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root, and initdb refuses root: there is no postgres user to run it"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """One PostgreSQL server: its data directory and port."""

    def __init__(self, binaries: Path, root: Path, name: str) -> None:
        self.binaries = binaries
        self.root = root
        self.data = root / name
        self.port = _free_port()

    def url(self, database: str = "gridreg") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, tool: str, *args: str) -> None:
        """Run a server binary, as the postgres user when we are root (initdb refuses root)."""
        command = [str(self.binaries / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self.run(
            "pg_ctl", "start", "-w", "-D", str(self.data),
            "-l", str(self.root / f"{self.data.name}.log"), "-o", options,
        )  # fmt: skip

    def stop(self) -> None:
        self.run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data))


class PrimaryAndStandby:
    """A primary (wal_level=replica) and a hot standby streaming from it."""

    def __init__(self) -> None:
        binaries = server_binaries()
        assert binaries is not None, why_no_clusters()
        self.root = Path(tempfile.mkdtemp(prefix="gridreg-replicas-"))
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.primary = Cluster(binaries, self.root, "primary")
        self.standby = Cluster(binaries, self.root, "standby")

    def start(self) -> None:
        """Make both clusters and start them, with an empty database `gridreg` on the primary
        (and so on the standby)."""
        self.primary.run(
            "initdb", "-D", str(self.primary.data), "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8", "--locale", "C",
        )  # fmt: skip
        settings = [
            "wal_level = replica",
            "max_wal_senders = 4",
            "hot_standby = on",
            # A throwaway cluster: no flushing to disk, a small footprint.
            "fsync = off",
            "full_page_writes = off",
            "shared_buffers = 16MB",
            "max_connections = 200",
            # Tells the standby's checks promptly how far it is (seconds otherwise).
            "wal_receiver_status_interval = 1s",
        ]
        with (self.primary.data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n" + "\n".join(settings) + "\n")
        self.primary.start()
        self.primary.run("createdb", "-h", "127.0.0.1", "-p", str(self.primary.port),
                         "-U", "postgres", "gridreg")  # fmt: skip
        self.primary.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres",
            "-D", str(self.standby.data), "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        self.standby.start()

    def remove(self) -> None:
        """Stop both (whichever still runs) and delete their files."""
        for cluster in (self.standby, self.primary):
            if (cluster.data / "postmaster.pid").exists():
                with contextlib.suppress(subprocess.SubprocessError):
                    cluster.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class PgBouncer:
    """PgBouncer in transaction mode in front of a primary and its standby (databases
    `gridreg` and `gridreg_standby`), with so few server connections that the clients' transactions
    take turns on them."""

    def __init__(self, pair: PrimaryAndStandby) -> None:
        self.root = pair.root
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        primary, standby = pair.primary.port, pair.standby.port
        (self.root / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"gridreg = host=127.0.0.1 port={primary} dbname=gridreg\n"
            f"gridreg_standby = host=127.0.0.1 port={standby} dbname=gridreg\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.root / 'users.txt'}\n"
            "pool_mode = transaction\ndefault_pool_size = 3\nmax_client_conn = 200\n"
            f"logfile = {self.root / 'pgbouncer.log'}\n",
            encoding="utf-8",
        )
        (self.root / "users.txt").write_text('"postgres" ""\n', encoding="utf-8")

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        command = [binary, str(self.root / "pgbouncer.ini")]
        if os.geteuid() == 0:  # PgBouncer refuses to run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((self.root / "pgbouncer.log").read_text(errors="replace"))
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def pgbouncer_installed() -> bool:
    return bool(shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").is_file())
