"""Settings and rule thresholds: the one place where every number the rules use lives."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, tzinfo
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

DEFAULT_SQLITE_PATH = Path("var") / "gridreg.sqlite3"
# The longest a token may be made to last: ten years. One that never expires is made without
# an expiry (and revoked when no longer needed).
MAX_TOKEN_DAYS = 3650


@dataclass(frozen=True)
class RuleThresholds:
    """Defaults from the CPC Constitution and the Regulations on the Work of Party Branches,
    each with its source."""

    branch_min_full_members: int = 3
    branch_max_members: int = 50
    general_branch_max_members: int = 100
    # 支部工作条例 第二十条: a branch with 7 or more full members elects a committee of 3 to 5,
    # "一般不超过7人".
    committee_required_from_full_members: int = 7
    committee_min_size: int = 3
    committee_usual_max_size: int = 5
    committee_max_size: int = 7
    # No regulation's text gives these: they are the Central Organisation Department's usual
    # provision on the number of leading members of grassroots organisations (基层组织领导成员
    # 职数), as Party work manuals (党务工作手册) give it: a general branch's committee
    # "一般5至7人，最多不超过9人"; a grassroots Party committee "一般5至9人".
    general_branch_committee_min_size: int = 5
    general_branch_committee_usual_max_size: int = 7
    general_branch_committee_max_size: int = 9
    party_committee_min_size: int = 5
    party_committee_max_size: int = 9
    # 支部工作条例 第五条: a joint branch (联合党支部) of units with fewer than 3 full members
    # each "覆盖单位一般不超过5个"; an estate a branch covers is one unit.
    joint_branch_max_units: int = 5
    # 《关于党的基层组织任期的意见》(2018): 村、社区 Party committees, general branches and
    # branches serve 5 years; general branches and branches of other units 3; grassroots
    # Party committees 5 (and a district committee 5, 党章 第二十二条).
    community_term_years: int = 5
    other_term_years: int = 3
    committee_term_years: int = 5
    # 选举工作条例 第三条: a postponed or early election is approved by the higher
    # organisation and moves the term by "一般不超过1年".
    term_adjustment_max_months: int = 12
    # A notice that an election (换届) falls due within this many months, to prepare it.
    election_notice_months: int = 6
    # A transfer of 组织关系 received within a month: the introduction letter's usual term
    # (党员教育管理工作条例, on 组织关系转接); longer is reported.
    transfer_pending_max_months: int = 1
    # 党章 第七条: probation is one year; it may be extended, by no more than a year; the
    # 《发展党员工作细则》 (on 预备党员转正) makes an extension at least half a year.
    probation_years: int = 1
    probation_max_extension_years: int = 1
    probation_min_extension_months: int = 6
    # 党员教育管理工作条例 第二十四条: a member out of contact for 6 months or more, not found
    # by every means, has their membership suspended (停止党籍); suspended 2 years and still
    # not found, they are struck off (按照自行脱党予以除名).
    lost_contact_months: int = 6
    suspended_strike_off_years: int = 2
    # 党员教育管理工作条例 第二十五条: a member away to study, work or live for 6 months or more
    # at a fairly fixed place transfers their tie (组织关系) there.
    away_transfer_months: int = 6
    household_contact_ratio: int = 10
    # Tasks a member may hold at once unless their own task_capacity says otherwise.
    default_task_capacity: int = 2
    task_capacity_min: int = 1
    task_capacity_max: int = 10


@dataclass(frozen=True)
class Settings:
    """Deployment settings, read from the environment (GRIDREG_*)."""

    database_url: str
    page_size_default: int = 20
    page_size_max: int = 100
    introspection: bool = True
    ide: bool = True
    max_query_depth: int = 12
    max_aliases: int = 30
    max_tokens: int = 2000
    # Cost of a request: objects it may return, a list counted by its `first`
    # (see registry.api.cost).
    max_cost: int = 20000
    max_body_bytes: int = 1_000_000
    # A workbook uploaded to the console's import (streamed to disk, not held in memory): as
    # large as one sheet may be (registry.importer.archive.MAX_PART_BYTES).
    max_upload_bytes: int = 256 * 1024 * 1024
    # 0 = no limit. PostgreSQL: statement_timeout; SQLite: a progress-handler interrupt.
    statement_timeout_ms: int = 10_000
    # Lists and lookups of places, organisations and members answered by one compiled SQL
    # statement building their JSON (registry.reads); off, they resolve field by field.
    compiled_reads: bool = True
    # PostgreSQL streaming replicas that answer read-only requests (registry.core.db.Replicas);
    # empty: every request on `database_url`.
    read_database_urls: tuple[str, ...] = ()
    # A replica further behind its primary than this many seconds is skipped until it catches up.
    read_max_lag_s: float = 5.0
    # The server's connections (primary and replicas) go through PgBouncer in transaction mode:
    # statements prepared unnamed and never cached, no server settings sent when connecting
    # (registry.core.db.create_engine).
    pgbouncer: bool = False
    # A server process keeps the actors of the tokens it has checked, emptied by any change to
    # what a token grants (registry.access.tokens); off, every request reads its token.
    token_cache: bool = True
    # The proxies whose X-Forwarded-For and X-Forwarded-Proto the console believes (a TLS
    # proxy's https makes the session cookie Secure): addresses or networks, comma-separated,
    # or *; uvicorn's own variable, FORWARDED_ALLOW_IPS, and its default.
    forwarded_allow_ips: str = "127.0.0.1,::1"
    rules: RuleThresholds = field(default_factory=RuleThresholds)
    # The registry's day held fixed (registry.core.calendar): test runs that must not cross
    # midnight, and rehearsals of one that does; None: the machine's local date.
    today: date | None = None
    # The zone whose days the registry counts (Asia/Shanghai): a server kept in UTC would
    # otherwise start the organisers' day at 08:00; None: the machine's own zone.
    timezone: tzinfo | None = None

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        """Build settings from GRIDREG_* environment variables; keyword overrides win."""
        env = os.environ
        values: dict[str, object] = {
            "database_url": normalise_database_url(
                env.get("GRIDREG_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"
            ),
            "introspection": _flag(env.get("GRIDREG_INTROSPECTION"), True),
            "ide": _flag(env.get("GRIDREG_IDE"), True),
            "compiled_reads": _flag(env.get("GRIDREG_COMPILED_READS"), True),
            "read_database_urls": read_database_urls(env.get("GRIDREG_READ_DATABASE_URL", "")),
            "pgbouncer": _flag(env.get("GRIDREG_PGBOUNCER"), False),
            "token_cache": _flag(env.get("GRIDREG_TOKEN_CACHE"), True),
        }
        if env.get("FORWARDED_ALLOW_IPS"):
            values["forwarded_allow_ips"] = env["FORWARDED_ALLOW_IPS"]
        if env.get("GRIDREG_TIMEZONE"):
            values["timezone"] = _zone(env["GRIDREG_TIMEZONE"])
        if env.get("GRIDREG_TODAY"):
            values["today"] = _day(env["GRIDREG_TODAY"])
        if env.get("GRIDREG_READ_MAX_LAG"):
            values["read_max_lag_s"] = float(env["GRIDREG_READ_MAX_LAG"])
        for name in (
            "page_size_max",
            "max_query_depth",
            "max_aliases",
            "max_tokens",
            "max_cost",
            "max_body_bytes",
            "max_upload_bytes",
            "statement_timeout_ms",
        ):
            if f"GRIDREG_{name.upper()}" in env:
                values[name] = int(env[f"GRIDREG_{name.upper()}"])
        values.update(overrides)
        if "database_url" in overrides:
            values["database_url"] = normalise_database_url(str(overrides["database_url"]))
        if "read_database_urls" in overrides:
            urls = cast(Sequence[str], overrides["read_database_urls"])
            values["read_database_urls"] = tuple(normalise_database_url(u) for u in urls)
        return cls(**values)  # type: ignore[arg-type]  # values typed per field above


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError(f"GRIDREG_TODAY must be a date as YYYY-MM-DD, not {raw!r}") from None


def _zone(raw: str) -> tzinfo:
    try:
        return ZoneInfo(raw.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder (Asia)
        raise ValueError(
            f"GRIDREG_TIMEZONE must name a time zone such as Asia/Shanghai, not {raw!r}"
        ) from None


def _flag(raw: str | None, default: bool) -> bool:
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Accept plain `sqlite:///` and `postgresql://` URLs and pick the async drivers."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def read_database_urls(raw: str) -> tuple[str, ...]:
    """The replica URLs of GRIDREG_READ_DATABASE_URL: one or more, separated by commas."""
    return tuple(normalise_database_url(url.strip()) for url in raw.split(",") if url.strip())


# The async drivers gridreg runs on, by database.
DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}


def database_url_problem(url: str) -> str | None:
    """Why gridreg cannot keep a registry at this (normalised) database URL, or None. The
    URL itself is never quoted: it may hold a password."""
    give = "give sqlite:///FILE or postgresql://USER@HOST/DATABASE"
    try:
        parsed = make_url(url)
    except ArgumentError:
        return f"the database URL is not one; {give}"
    backend, _, driver = parsed.drivername.partition("+")
    if DRIVERS.get(backend) != driver:
        return f"the database URL names {parsed.drivername!r}, which gridreg does not use; {give}"
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        return "an in-memory SQLite database is gone when gridreg exits; give sqlite:///FILE"
    return None


def read_replicas_problem(settings: Settings) -> str | None:
    """Why the read replicas of these settings cannot be used, or None. As with the primary's,
    no URL is quoted; a replica is named by its place in GRIDREG_READ_DATABASE_URL."""
    if not settings.read_database_urls:
        return None
    if not settings.database_url.startswith("postgresql"):
        return "read replicas (GRIDREG_READ_DATABASE_URL) need a PostgreSQL primary database"
    for number, url in enumerate(settings.read_database_urls, start=1):
        problem = database_url_problem(url)
        if problem is None and not url.startswith("postgresql"):
            problem = "a read replica must be a PostgreSQL standby"
        if problem:
            return f"read replica {number} of GRIDREG_READ_DATABASE_URL: {problem}"
    if settings.read_max_lag_s <= 0:
        return "GRIDREG_READ_MAX_LAG must be a positive number of seconds"
    return None
