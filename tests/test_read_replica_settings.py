"""How read replicas are configured: GRIDREG_READ_DATABASE_URL (one or more, comma-separated),
GRIDREG_READ_MAX_LAG and GRIDREG_PGBOUNCER; a configuration gridreg cannot use is refused with
one line. (Replicas at work: tests/test_read_replicas.py.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from registry.cli.main import main
from registry.core.config import Settings
from registry.core.migrate import upgrade

PRIMARY = "postgresql://gridreg@db-primary/gridreg"


def test_replicas_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRIDREG_DATABASE_URL", PRIMARY)
    monkeypatch.setenv(
        "GRIDREG_READ_DATABASE_URL",
        " postgresql://gridreg@replica-1/gridreg, ,postgres://gridreg@replica-2:6432/gridreg",
    )
    monkeypatch.setenv("GRIDREG_READ_MAX_LAG", "2.5")
    monkeypatch.setenv("GRIDREG_PGBOUNCER", "1")
    settings = Settings.from_env()
    assert settings.read_database_urls == (
        "postgresql+asyncpg://gridreg@replica-1/gridreg",
        "postgresql+asyncpg://gridreg@replica-2:6432/gridreg",
    )
    assert settings.read_max_lag_s == 2.5
    assert settings.pgbouncer is True


def test_without_replicas_every_request_uses_the_primary(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GRIDREG_READ_DATABASE_URL", "GRIDREG_READ_MAX_LAG", "GRIDREG_PGBOUNCER"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env(database_url=PRIMARY)
    assert settings.read_database_urls == ()
    assert settings.read_max_lag_s == 5.0 and settings.pgbouncer is False


@pytest.mark.parametrize(
    ("primary", "replicas", "lag", "says"),
    [
        ("sqlite", "postgresql://u:hunter2@replica/gridreg", "5", "need a PostgreSQL primary"),
        (PRIMARY, "sqlite:///replica.sqlite3", "5", "read replica 1 of GRIDREG_READ_DATABASE_URL"),
        (PRIMARY, "postgresql://r/g,mysql://u:hunter2@r2/g", "5", "read replica 2 of"),
        (PRIMARY, "postgresql://u:hunter2@replica/gridreg", "0", "GRIDREG_READ_MAX_LAG must be"),
        (PRIMARY, "postgresql://u:hunter2@replica/gridreg", "soon", "a GRIDREG_* setting is"),
    ],
)
def test_replicas_gridreg_cannot_use_are_refused_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    primary: str,
    replicas: str,
    lag: str,
    says: str,
) -> None:
    if primary == "sqlite":
        primary = f"sqlite+aiosqlite:///{tmp_path / 'primary.sqlite3'}"
        upgrade(primary)
    monkeypatch.setenv("GRIDREG_READ_DATABASE_URL", replicas)
    monkeypatch.setenv("GRIDREG_READ_MAX_LAG", lag)
    assert main(["--database", primary, "token", "list"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gridreg:") and says in err
    assert err.count("\n") == 1 and "hunter2" not in err
