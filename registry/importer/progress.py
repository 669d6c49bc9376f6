"""A progress bar per sheet (rich), or nothing when the caller did not ask for one."""

from __future__ import annotations

from types import TracebackType

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class Tracker:
    """Counts rows through each stage of an import; silent unless `shown`."""

    def __init__(self, shown: bool) -> None:
        self._bar = (
            Progress(
                TextColumn("{task.description:<24}"),
                BarColumn(),
                MofNCompleteColumn(),
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

    def start(self, stage: str, total: int) -> None:
        """Begin a stage (e.g. "writing places") of `total` rows."""
        if self._bar is not None:
            self._tasks[stage] = self._bar.add_task(stage, total=total)

    def advance(self, stage: str, rows: int) -> None:
        if self._bar is not None and stage in self._tasks:
            self._bar.advance(self._tasks[stage], rows)  # type: ignore[arg-type]  # rich takes an int as a TaskID
