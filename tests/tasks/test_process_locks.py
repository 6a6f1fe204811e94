"""How long a run waits for its process's lock: a poll not at all (the run at work covers it), a run started
by hand or by a webhook event its turn."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tasks.process_locks import EVENT_WAIT, ON_DEMAND_WAIT, lock_wait


def test_a_poll_does_not_wait_for_the_run_at_work() -> None:
    assert lock_wait({"merchant_id": "demo", "event_at": None}, timedelta(0)) == timedelta(0)


def test_a_run_a_webhook_event_started_waits_for_its_turn() -> None:
    arguments = {"merchant_id": "demo", "event_at": datetime(2026, 11, 30, 8, 0, tzinfo=UTC)}

    assert lock_wait(arguments, timedelta(0)) == EVENT_WAIT


def test_an_on_demand_process_keeps_its_own_wait() -> None:
    assert lock_wait({"merchant_id": "demo"}, ON_DEMAND_WAIT) == ON_DEMAND_WAIT
