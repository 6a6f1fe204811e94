"""A progress bar on the terminal for a long flow that ``swo`` runs in this process.

It draws the same updates the flow publishes as its Prefect progress artifact (``tasks.progress``), on
stderr and only when stderr is a terminal, so piped or captured output stays the command's own lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from tasks.progress import ProgressUpdate, watching_progress


@contextmanager
def progress_bar(console: Console | None = None) -> Iterator[Progress]:
    """Show every long run started inside as a bar, removed again when the block ends."""
    console = console or Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
               TimeElapsedColumn(), TextColumn("{task.fields[note]}"))
    bars: dict[str, TaskID] = {}
    with Progress(*columns, console=console, transient=True, disable=not console.is_terminal) as progress:

        def show(update: ProgressUpdate) -> None:
            if update.key not in bars:
                bars[update.key] = progress.add_task(update.title, total=100, note="")
            progress.update(bars[update.key], completed=update.percent, note=update.note)

        with watching_progress(show):
            yield progress
