"""Progress of long runs: a Prefect progress artifact that a long piece of work moves from 0 to 100 %.

A flow opens ``long_run`` around work that can take minutes (the first product push, the first export,
a full stock resync, a reconcile) and divides it into stages; inside, any task reports ``done`` of
``total`` for the current stage with ``report_progress``, which is a no-op outside a long run, so the
same task serves a two-minute poll without publishing anything. Whoever runs the flow in this process
(the ``swo`` command line) can watch the same updates to draw a progress bar.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from uuid import UUID

from prefect.artifacts import acreate_progress_artifact, aupdate_progress_artifact


@dataclass(frozen=True)
class ProgressUpdate:
    key: str
    title: str
    percent: float
    note: str


ProgressListener = Callable[[ProgressUpdate], None]
_listeners: list[ProgressListener] = []


@contextmanager
def watching_progress(listener: ProgressListener) -> Iterator[None]:
    """Call ``listener`` with every update of every long run in this process while inside."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


class LongRun:
    """One long run's progress artifact. Stages split 0-100 %; a stage runs from the previous stage's end
    to its own ``until``. Updates are published when a stage starts and when the whole percent changes,
    so a run of any size makes at most about a hundred API calls for it."""

    def __init__(self, key: str, title: str) -> None:
        self.key, self.title = key, title
        self.artifact_id: UUID | None = None
        self.percent = 0.0
        self._stage_start, self._stage_end, self._stage = 0.0, 0.0, ""
        self._published = -1

    async def open(self) -> None:
        self.artifact_id = await acreate_progress_artifact(0.0, key=self.key, description=f"{self.title}: starting")
        self._published = 0
        self._tell("starting")

    async def stage(self, name: str, *, until: float) -> None:
        """Start the next stage (the previous one is done) that ends at ``until`` percent."""
        await self._move(self._stage_end, name, force=True)
        self._stage_start, self._stage_end, self._stage = self.percent, max(until, self.percent), name

    async def advance(self, done: int, total: int) -> None:
        span = self._stage_end - self._stage_start
        fraction = min(done / total, 1.0) if total > 0 else 1.0
        await self._move(self._stage_start + span * fraction, f"{self._stage}: {done} of {total}")

    async def close(self) -> None:
        await self._move(100.0, "done", force=True)

    async def _move(self, percent: float, note: str, *, force: bool = False) -> None:
        self.percent = min(max(percent, self.percent), 100.0)
        if int(self.percent) == self._published and not force:
            return
        self._published = int(self.percent)
        assert self.artifact_id is not None
        await aupdate_progress_artifact(self.artifact_id, self.percent, description=f"{self.title}: {note}")
        self._tell(note)

    def _tell(self, note: str) -> None:
        update = ProgressUpdate(self.key, self.title, self.percent, note)
        for listener in list(_listeners):
            listener(update)


_current: ContextVar[LongRun | None] = ContextVar("swo_long_run", default=None)


def progress_key(process: str, merchant_id: str) -> str:
    return f"{process}-{merchant_id}-progress".lower().replace("_", "-")


@asynccontextmanager
async def long_run(process: str, merchant_id: str, title: str, *, when: bool = True) -> AsyncIterator[LongRun | None]:
    """A progress artifact for the work inside (none when ``when`` is false). It ends at 100 % when the
    work completes; a failure leaves it where the work stopped."""
    if not when:
        yield None
        return
    run = LongRun(progress_key(process, merchant_id), f"{title} for {merchant_id}")
    await run.open()
    token = _current.set(run)
    try:
        yield run
    finally:
        _current.reset(token)
    await run.close()


async def progress_stage(name: str, *, until: float) -> None:
    """Start the next stage of the current long run, if there is one."""
    run = _current.get()
    if run is not None:
        await run.stage(name, until=until)


async def report_progress(done: int, total: int) -> None:
    """``done`` of ``total`` of the current stage, if a long run is going on; otherwise nothing."""
    run = _current.get()
    if run is not None:
        await run.advance(done, total)
