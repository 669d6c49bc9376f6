"""The household contacts of a whole registry as a job (issue 18, `gridreg bench --contact-job`):
estate by estate through the API, resumable from its checkpoint, storing what one run stores."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from benchmarks.contact_job import estates_in_order, run_contact_job
from registry.core.models import Pairing
from seeds.synthetic import generate
from tests.support import Registry


async def open_contacts(registry: Registry) -> set[tuple[int, int]]:
    async with registry.db.read() as session:
        rows = await session.execute(
            select(Pairing.member_id, Pairing.place_id).where(
                Pairing.kind == "household_contact", Pairing.end.is_(None)
            )
        )
        return {(member, place) for member, place in rows}


async def test_a_stopped_job_resumes_after_the_last_estate_it_stored(
    registry: Registry, tmp_path: Path
) -> None:
    """Given the tiny synthetic sub-district (4 estates), when the job stops after 2 estates and
    runs again, then the second run stores only the other 2; every household has its contact,
    and a run from scratch afterwards changes no pairing."""
    generate(tmp_path / "tiny", "tiny", seed=1)
    await registry.load(tmp_path / "tiny")
    estates = await estates_in_order(registry.db)
    checkpoint = tmp_path / "job.checkpoint"

    first = await run_contact_job(registry.db.url, checkpoint, stop_after=2)
    after_first = await open_contacts(registry)
    second = await run_contact_job(registry.db.url, checkpoint)
    resumed = await open_contacts(registry)
    again = await run_contact_job(registry.db.url, tmp_path / "fresh.checkpoint")

    assert len(estates) == 4
    assert (first.estates, first.skipped) == (2, 0)
    assert (second.estates, second.skipped) == (2, 2)
    assert first.households + second.households == sum(e.households for e in estates)
    assert 0 < len(after_first) < len(resumed)
    assert len({place for _, place in resumed}) == sum(e.households for e in estates)
    assert again.estates == 4 and await open_contacts(registry) == resumed
