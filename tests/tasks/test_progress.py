"""Progress of long runs: stages split 0-100 %, updates are published per whole percent, a run that
fails stays where it stopped, and nothing is published outside a long run (Prefect's artifact calls
replaced by a recorder; the flows' own use is tested end to end in tests/flows/test_progress.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

import tasks.progress
from tasks.progress import ProgressUpdate, long_run, progress_stage, report_progress, watching_progress


class ArtifactRecorder:
    def __init__(self) -> None:
        self.created: list[tuple[float, str | None, str | None]] = []
        self.updates: list[tuple[float, str | None]] = []
        self.artifact_id = uuid4()

    async def create(self, progress: float, key: str | None = None, description: str | None = None) -> UUID:
        self.created.append((progress, key, description))
        return self.artifact_id

    async def update(self, artifact_id: UUID, progress: float, description: str | None = None, **_: Any) -> UUID:
        assert artifact_id == self.artifact_id
        self.updates.append((progress, description))
        return artifact_id


@pytest.fixture
def artifacts(monkeypatch: pytest.MonkeyPatch) -> ArtifactRecorder:
    recorder = ArtifactRecorder()
    monkeypatch.setattr(tasks.progress, "acreate_progress_artifact", recorder.create)
    monkeypatch.setattr(tasks.progress, "aupdate_progress_artifact", recorder.update)
    return recorder


async def test_stages_share_the_bar_and_each_stage_and_whole_percent_is_published(artifacts: ArtifactRecorder) -> None:
    seen: list[ProgressUpdate] = []
    with watching_progress(seen.append):
        async with long_run("sync_products", "demo", "First product push"):
            await progress_stage("reading", until=20)
            await progress_stage("sending", until=100)
            for done in range(400):
                await report_progress(done, 400)

    assert artifacts.created == [(0.0, "sync-products-demo-progress", "First product push for demo: starting")]
    percents = [p for p, _ in artifacts.updates]
    assert percents == sorted(percents) and percents[-1] == 100.0
    assert len(percents) <= 84, "400 records do not make 400 API calls: one per stage and whole percent"
    assert artifacts.updates[:2] == [(0.0, "First product push for demo: reading"),
                                     (20.0, "First product push for demo: sending")]
    assert (40.0, "First product push for demo: sending: 100 of 400") in artifacts.updates
    assert artifacts.updates[-1] == (100.0, "First product push for demo: done")
    assert [u.percent for u in seen] == [0.0, *percents], "the command line sees what the artifact shows"
    assert seen[-1].note == "done" and seen[-1].key == "sync-products-demo-progress"


async def test_a_failed_run_stays_where_it_stopped(artifacts: ArtifactRecorder) -> None:
    with pytest.raises(RuntimeError, match="Ongoing said no"):
        async with long_run("sync-stock", "demo", "Full stock resync"):
            await progress_stage("writing", until=100)
            await report_progress(1, 4)
            raise RuntimeError("Ongoing said no")

    assert artifacts.updates[-1] == (25.0, "Full stock resync for demo: writing: 1 of 4")


async def test_outside_a_long_run_nothing_is_published(artifacts: ArtifactRecorder) -> None:
    seen: list[ProgressUpdate] = []
    with watching_progress(seen.append):
        async with long_run("sync-stock", "demo", "Full stock resync", when=False) as run:
            await progress_stage("writing", until=100)
            await report_progress(3, 4)
        await report_progress(1, 2)

    assert run is None
    assert artifacts.created == [] and artifacts.updates == [] and seen == []
