"""The benchmark runs end to end, from any directory, on the smallest synthetic workbook."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.http_load import LoadError, Side, answers_per_second, latencies_ms
from tests.support import Registry

GRIDREG = Path(sys.executable).with_name("gridreg")


def test_given_a_fresh_directory_when_bench_runs_then_every_figure_is_printed(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("GRIDREG_DATABASE_URL", None)
    done = subprocess.run(
        [str(GRIDREG), "bench", "--scale", "tiny", "--repeats", "1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for figure in (
        "coverage, root",
        "coverage, one sub-district",
        "org chart, sub-district to groups",
        "members page of 100",
        "import of the tiny workbook",
        "responsibility chain",
        "server CPU per",
    ):
        assert figure in done.stdout, f"{figure!r} missing from:\n{done.stdout}"
    # It wrote its databases under the directory it ran in, not beside the project.
    assert (tmp_path / "var" / "bench" / "bench.sqlite3").exists()


def test_given_a_baseline_when_bench_runs_then_each_figure_stands_beside_the_baselines(
    tmp_path: Path,
) -> None:
    """The city's comparison with the district (`--scale city`), on the smallest workbooks:
    every figure of the registry at both scales, their ratio and its target."""
    env = {**os.environ, "COLUMNS": "250"}
    env.pop("GRIDREG_DATABASE_URL", None)
    done = subprocess.run(
        [str(GRIDREG), "bench", "--scale", "tiny", "--baseline", "tiny", "--repeats", "1"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert any("tiny beside tiny" in line for line in lines), done.stdout
    for figure, target in (
        ("coverage, root", "≤ 1000 ms"),
        ("coverage, one sub-district", "ratio ≤ 1.5"),
        ("org chart, sub-district to groups", "plain ratio ≤ 3"),
        ("members page of 100", "plain ratio ≤ 3"),
    ):
        row = next((line for line in lines if figure in line), "")
        assert target in row, f"{figure!r} without {target!r} in:\n{done.stdout}"
        # the baseline's milliseconds, the scale's, and their ratio
        assert len(re.findall(r"│ +\d+\.\d+ +", row)) >= 3, row
    # The first page of the whole registry counts every member: only its plain ratio is held
    members = next(line for line in lines if "members page of 100" in line)
    assert "ratio ≤ 1.5" not in members, members


async def test_given_an_operation_the_api_refuses_when_the_bench_calls_it_then_it_stops(
    database_url: str,
) -> None:
    from benchmarks.timing import operation_caller
    from registry.core.config import Settings
    from registry.server.app import create_app

    app = create_app(Settings.from_env(database_url=database_url))
    operations = Path(__file__).resolve().parents[1] / "graphql" / "operations"
    call = operation_caller(app, "grt_not-a-token", operations)
    try:
        with pytest.raises(RuntimeError, match="Members"):
            await call("Members", {"first": 1})
    finally:
        await app.state.db.dispose()


async def test_given_slow_work_when_it_is_timed_then_it_runs_fewer_rounds_than_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from benchmarks import timing

    # Given work whose every run takes 25 s of the bench's clock (a city's whole coverage)
    clock = [0.0]
    runs: list[str] = []
    monkeypatch.setattr(timing.time, "perf_counter", lambda: clock[0])

    def work(name: str) -> timing.Work:
        async def run() -> None:
            runs.append(name)
            clock[0] += 25.0

        return run

    # When it is timed for 15 rounds beside plain work just as slow
    medians = await timing.paired_medians(work("api"), work("plain"), 15)

    # Then each side runs its warm-up and as many rounds as fit in the budget, not 15
    assert medians == (25_000.0, 25_000.0)
    assert runs.count("api") == runs.count("plain") < 5


@pytest.mark.postgresql
async def test_given_each_scale_in_its_own_database_when_bench_runs_again_nothing_is_reimported(
    tmp_path: Path,
) -> None:
    """A city takes a quarter of an hour to import: with `--baseline-postgres`, each scale
    stays loaded in its own database, and a second run measures them as they stand."""
    if not os.environ.get("GRIDREG_TEST_DATABASE_URL"):
        pytest.skip("PostgreSQL runs with GRIDREG_TEST_DATABASE_URL")
    from tests.support import scratch_postgres

    env = {**os.environ, "COLUMNS": "250"}
    env.pop("GRIDREG_DATABASE_URL", None)
    async with scratch_postgres("_bench_small") as small, scratch_postgres("_bench_large") as large:
        runs = []
        for _ in range(2):
            done = await asyncio.to_thread(
                subprocess.run,
                [str(GRIDREG), "bench", "--scale", "tiny", "--baseline", "tiny", "--repeats",
                 "1", "--postgres", large, "--baseline-postgres", small],  # fmt: skip
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=600,
            )
            assert done.returncode == 0, done.stderr[-2000:]
            runs.append(done.stdout)
    first, again = runs
    assert first.count("importing") == 2 and "loaded already" not in first, first
    assert "importing" not in again, again
    imports = next(line for line in again.splitlines() if "import of the workbook" in line)
    assert imports.count("loaded already") == 2, imports
    # Measured all the same: every figure of the registry at both scales.
    row = next(line for line in again.splitlines() if "coverage, one sub-district" in line)
    assert len(re.findall(r"│ +\d+\.\d+ +", row)) >= 3, row


async def test_given_a_server_the_timing_client_counts_answers_and_stops_on_an_error(
    registry: Registry,
) -> None:
    """The figures beside PostGraphile count only answers with data."""
    token = await registry.token("admin")
    url = str(registry.http.base_url.join("/graphql"))
    auth = {"Authorization": f"Bearer {token}"}

    assert await answers_per_second(Side(url, "{ __typename }", auth), 3, 0.3) > 0
    [median] = await latencies_ms([Side(url, "{ __typename }", auth)], runs=5)
    assert 0 < median < 1000

    unauthenticated = Side(url, "{ places { totalCount } }", None)
    with pytest.raises(LoadError, match="UNAUTHENTICATED"):
        await answers_per_second(unauthenticated, clients=2, seconds=0.3)
    with pytest.raises(LoadError, match="UNAUTHENTICATED"):
        await latencies_ms([unauthenticated], runs=1)
    with pytest.raises(LoadError, match="HTTP 404"):
        await answers_per_second(Side(url + "-nowhere", "{ __typename }", auth), 1, 0.3)
