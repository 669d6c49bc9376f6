"""The load script, in a short bounded run against the live test server: concurrent clients
mixing reads and writes get no errors, and every acknowledged write is in the database."""

from __future__ import annotations

import pytest

from benchmarks.traffic import loopback_only, run_load
from tests.workbooks import two_communities


async def test_a_short_load_run_has_no_errors_and_loses_no_write(registry, database_url) -> None:
    await registry.load(two_communities())
    report = await run_load(
        str(registry.http.base_url), database_url, clients=6, seconds=3, max_requests=400
    )
    assert report.requests > 20
    assert report.errors == []
    assert report.writes > 0 and report.by_kind.keys() >= {"members", "org chart"}
    assert report.consistent, report.missing
    assert "p95" in report.summary()


@pytest.mark.parametrize("url", ["http://example.org:8000", "http://10.0.0.5", "https://gov.cn"])
def test_the_load_script_only_targets_this_machine(url: str) -> None:
    with pytest.raises(ValueError, match="only targets this machine"):
        loopback_only(url)
    assert loopback_only("http://127.0.0.1:8000/") == "http://127.0.0.1:8000"
    assert loopback_only("http://localhost:9") == "http://localhost:9"
