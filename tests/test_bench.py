"""The benchmark runs end to end, from any directory, on the smallest synthetic workbook."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
    ):
        assert figure in done.stdout, f"{figure!r} missing from:\n{done.stdout}"
    # It wrote its databases under the directory it ran in, not beside the project.
    assert (tmp_path / "var" / "bench" / "bench.sqlite3").exists()
