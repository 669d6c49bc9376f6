"""Progress bars for an import (rich): one per stage and sheet — reading, checking, writing —
or nothing when the caller did not ask for one. Stages may be advanced from the thread that
reads or validates the workbook (rich's progress is thread-safe)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from rich import filesize
from rich.progress import (
    BarColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from registry.importer.workbook_format import Rows

# Rows between two moves of a bar: often enough to see it move, rarely enough to cost nothing.
STEP = 10_000


class _Count(ProgressColumn):
    """'done/total' in rows, in kB/MB/GB for a stage counted in bytes (reading a CSV file),
    and 'done' for a stage of unknown length once it is."""

    def render(self, task: Task) -> Text:
        unit = task.fields.get("unit")
        if unit == "step":
            return Text("done" if task.finished else "", style="progress.download")
        if unit == "bytes" and task.total is not None:
            scale, suffix = filesize.pick_unit_and_suffix(
                int(task.total), ["bytes", "kB", "MB", "GB"], 1000
            )
            done, total = task.completed / scale, task.total / scale
            figure = (
                f"{done:,.1f}/{total:,.1f} {suffix}"
                if scale > 1
                else f"{done:,.0f}/{total:,.0f} bytes"
            )
            return Text(figure, style="progress.download")
        rows = f"{int(task.total):,}" if task.total is not None else "?"
        return Text(f"{int(task.completed):,}/{rows}", style="progress.download")


class Tracker:
    """Counts rows (or bytes) through each stage of an import; silent unless `shown`."""

    def __init__(self, shown: bool) -> None:
        self._bar = (
            Progress(
                TextColumn("{task.description:<28}"),
                BarColumn(),
                _Count(),
                TimeElapsedColumn(),
                transient=False,
            )
            if shown
            else None
        )
        self._tasks: dict[str, int] = {}

    def __enter__(self) -> Tracker:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()

    def start(self, stage: str, total: int | None, *, unit: str = "rows") -> None:
        """Begin a stage (e.g. "writing places") of `total` rows, or bytes when `unit` says
        so; a total of None is not known beforehand."""
        if self._bar is not None:
            self._tasks[stage] = self._bar.add_task(stage, total=total, unit=unit)

    def advance(self, stage: str, rows: int) -> None:
        """Count `rows` more done in a stage."""
        if self._bar is not None and stage in self._tasks:
            self._bar.advance(self._tasks[stage], rows)  # type: ignore[arg-type]  # rich takes an int as a TaskID

    def update(self, stage: str, done: int, total: int | None = None) -> None:
        """Set how much of a stage is done (and its total, once known)."""
        if self._bar is not None and stage in self._tasks:
            task = self._tasks[stage]
            if total is not None:
                self._bar.update(task, total=total)  # type: ignore[arg-type]  # as above
            self._bar.update(task, completed=done)  # type: ignore[arg-type]  # as above

    def done(self, stage: str) -> float:
        """How much of a stage is done so far (0 when not shown)."""
        if self._bar is None or stage not in self._tasks:
            return 0
        return next(t.completed for t in self._bar.tasks if t.id == self._tasks[stage])

    def each(self, stage: str, rows: Rows) -> Iterator[tuple[int, dict[str, str]]]:
        """The rows, counted through `stage` (begun with their number) as they are taken."""
        if self._bar is None:
            yield from rows
            return
        self.start(stage, len(rows))
        taken = 0
        for taken, row in enumerate(rows, start=1):
            if taken % STEP == 0:
                self.advance(stage, STEP)
            yield row
        self.advance(stage, taken % STEP)

    @contextmanager
    def step(self, stage: str) -> Iterator[None]:
        """A stage of unknown length (a check over the stored trees): shown as running, then
        done."""
        self.start(stage, None, unit="step")
        yield
        self.update(stage, 1, total=1)
