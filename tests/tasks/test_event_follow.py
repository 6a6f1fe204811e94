"""Runs started by events: each pass takes the process's untaken deliveries, and the run stays for the
event window, with a clock and a sleep the test moves by hand."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from prefect.logging import disable_run_logger

import tasks.runtime
from ledger.db import Ledger
from ledger.types import utcnow
from ledger.webhooks import mark_taken, record_delivery
from swo.settings import PROJECT_ROOT, get_settings
from tasks.event_follow import Records, follow_events, order_ids_of

T0 = utcnow().replace(microsecond=0)


@pytest.fixture
def book(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Ledger]:
    merchants = tmp_path / "merchants"
    merchants.mkdir()
    demo = (PROJECT_ROOT / "deployments" / "merchants" / "demo.yaml").read_text()
    (merchants / "demo.yaml").write_text(demo.replace("event_window_seconds: 60", "event_window_seconds: 10"))
    monkeypatch.setenv("SWO_MERCHANTS_DIR", str(merchants))
    monkeypatch.setenv("SWO_LEDGER_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    get_settings.cache_clear()
    tasks.runtime._ledger_for.cache_clear()
    yield tasks.runtime.ledger()
    get_settings.cache_clear()
    tasks.runtime._ledger_for.cache_clear()


def deliver(book: Ledger, event: str, record: str | None, *, at: datetime, merchant_id: str = "demo",
            key: str | None = None) -> int:
    with book.session() as session:
        _, row = record_delivery(session, merchant_id=merchant_id, source=event.split(".")[0],
                                 key=key or f"{event}-{record}-{at.isoformat()}", event=event, record=record,
                                 received_at=at)
        return row.id


class Time:
    """The run's clock; sleeping moves it and runs what was planned for then."""

    def __init__(self) -> None:
        self.now = T0
        self.planned: list[tuple[datetime, Callable[[], object]]] = []

    def clock(self) -> datetime:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        for when, action in list(self.planned):
            if when <= self.now:
                self.planned.remove((when, action))
                action()

    def at(self, seconds: float, action: Callable[[], object]) -> None:
        self.planned.append((T0 + timedelta(seconds=seconds), action))


def follow(process: str, time: Time, run_pass: Callable[[Records], Awaitable[dict[str, int]]]) -> dict[str, int]:
    with disable_run_logger():
        return asyncio.run(follow_events(process, "demo", T0, run_pass, clock=time.clock, sleep=time.sleep))


def recorder(passes: list[tuple[datetime, Records]], time: Time) -> Callable[[Records], Awaitable[dict[str, int]]]:
    async def run_pass(records: Records) -> dict[str, int]:
        passes.append((time.now, records))
        return {"created": len(records or [])}
    return run_pass


def test_the_first_pass_takes_every_untaken_delivery_of_the_process_and_later_ones_get_their_own(
        book: Ledger) -> None:
    deliver(book, "starweb.order.created", "1001", at=T0 - timedelta(seconds=5))
    deliver(book, "starweb.order.status-changed", "1002", at=T0)
    deliver(book, "starweb.order.updated", "1003", at=T0)  # another process's event
    deliver(book, "starweb.order.created", "2001", at=T0, merchant_id="north")  # another merchant
    deliver(book, "starweb.order.created", "0999", at=T0 - timedelta(hours=2))  # the backstop's long since
    taken = deliver(book, "starweb.order.created", "0998", at=T0 - timedelta(seconds=30))
    with book.session() as session:
        mark_taken(session, [taken], "export-orders", T0)
    time, passes = Time(), []
    time.at(4, lambda: deliver(book, "starweb.order.created", "1004", at=time.now))
    time.at(12.9, lambda: deliver(book, "starweb.order.completed", "1005", at=time.now))  # in the grace
    time.at(14, lambda: deliver(book, "starweb.order.created", "1006", at=time.now))  # past it: the next run's

    counts = follow("export-orders", time, recorder(passes, time))

    assert [(when - T0, records) for when, records in passes] == [
        (timedelta(0), ["1001", "1002"]), (timedelta(seconds=4), ["1004"]), (timedelta(seconds=13), ["1005"])]
    assert counts == {"created": 4, "passes": 3}
    assert time.now >= T0 + timedelta(seconds=13)  # the window (10 s) and the grace (3 s)


def test_each_process_takes_a_delivery_once_and_independently(book: Ledger) -> None:
    deliver(book, "starweb.order.status-changed", "1002", at=T0)
    export, changes, again = [], [], []

    follow("export-orders", time := Time(), recorder(export, time))
    follow("sync-order-changes", time := Time(), recorder(changes, time))
    follow("export-orders", time := Time(), recorder(again, time))

    assert [r for _, r in export] == [r for _, r in changes] == [["1002"]]
    assert again == []


def test_a_failed_pass_leaves_its_deliveries_for_the_next_run(book: Ledger) -> None:
    deliver(book, "starweb.order.created", "1001", at=T0)

    async def failing(records: Records) -> dict[str, int]:
        raise RuntimeError("unexpected errors (records kept in quarantine)")

    with pytest.raises(RuntimeError, match="unexpected errors"):
        follow("export-orders", Time(), failing)
    passes: list[tuple[datetime, Records]] = []
    follow("export-orders", time := Time(), recorder(passes, time))

    assert [r for _, r in passes] == [["1001"]]


def test_a_pass_reads_everything_when_a_delivery_names_no_record_or_the_process_cannot_narrow(book: Ledger) -> None:
    deliver(book, "ongoing.order.status-changed", None, at=T0)
    deliver(book, "ongoing.order.picked", "FJ-1001", at=T0)
    deliver(book, "ongoing.order.shipped", "FJ-1002", at=T0)
    statuses, shipments = [], []

    follow("sync-order-statuses", time := Time(), recorder(statuses, time))
    follow("report-shipments", time := Time(), recorder(shipments, time))

    assert [r for _, r in statuses] == [None]
    assert [r for _, r in shipments] == [None]


def test_order_ids_come_from_records() -> None:
    assert order_ids_of(["1001", "FJ-1", "1002"]) == [1001, 1002]
    assert order_ids_of(None) is None
