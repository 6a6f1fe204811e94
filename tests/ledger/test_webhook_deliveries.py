"""The ledger's webhook deliveries: one row per event key, emitted once, taken once per process, forgotten
with their takes after vendors stop retrying; the schema the migrations build is the models' schema."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ledger.db import Ledger
from ledger.models import Base, WebhookDelivery, WebhookTake
from ledger.types import utcnow
from ledger.webhooks import (
    Claim,
    call_counts,
    count_call,
    forget_deliveries,
    mark_emitted,
    mark_taken,
    record_delivery,
    unemitted_deliveries,
    untaken_deliveries,
)

NOW = utcnow()


def record(book: Ledger, key: str, *, at=NOW, event: str = "starweb.order.created", record: str | None = "1001"):
    with book.session() as session:
        claim, row = record_delivery(session, merchant_id="demo", source="starweb", key=key, event=event,
                                     record=record, received_at=at)
        return claim, row.id


def test_a_key_is_new_once_then_not_emitted_until_its_event_is_then_a_duplicate(ledger: Ledger) -> None:
    first, delivery_id = record(ledger, "uuid-1")
    second, same_id = record(ledger, "uuid-1")
    with ledger.session() as session:
        mark_emitted(session, delivery_id, NOW)
    third, _ = record(ledger, "uuid-1")

    assert (first, second, third) == (Claim.NEW, Claim.NOT_EMITTED, Claim.DUPLICATE)
    assert same_id == delivery_id


def test_the_database_refuses_a_twin_recorded_at_the_same_moment(ledger: Ledger) -> None:
    record(ledger, "uuid-2")
    with pytest.raises(IntegrityError), ledger.session() as session:
        session.add(WebhookDelivery(merchant_id="demo", source="starweb", delivery_key="uuid-2",
                                    event="starweb.order.created", record="1001", received_at=NOW))


def test_unemitted_deliveries_are_listed_within_their_window(ledger: Ledger) -> None:
    _, fresh = record(ledger, "fresh", at=NOW)
    _, waiting = record(ledger, "waiting", at=NOW - timedelta(seconds=5))
    _, emitted = record(ledger, "emitted", at=NOW - timedelta(seconds=5))
    record(ledger, "ancient", at=NOW - timedelta(days=2))
    with ledger.session() as session:
        mark_emitted(session, emitted, NOW)

    with ledger.session() as session:
        found = unemitted_deliveries(session, received_after=NOW - timedelta(days=1),
                                     received_before=NOW - timedelta(seconds=2))

    assert [row.id for row in found] == [waiting]
    assert fresh not in {row.id for row in found}


def test_each_process_takes_a_delivery_once(ledger: Ledger) -> None:
    _, created = record(ledger, "a", event="starweb.order.status-changed")
    _, other = record(ledger, "b", event="starweb.order.updated", record="1002")
    events = ("starweb.order.status-changed", "starweb.order.updated")

    with ledger.session() as session:
        mark_taken(session, [created], "export-orders", NOW)
        mark_taken(session, [created], "export-orders", NOW)  # twice is harmless
    with ledger.session() as session:
        for_export = untaken_deliveries(session, "demo", "export-orders", events, NOW - timedelta(minutes=1))
        for_changes = untaken_deliveries(session, "demo", "sync-order-changes", events, NOW - timedelta(minutes=1))

    assert [row.id for row in for_export] == [other]
    assert [row.id for row in for_changes] == [created, other]


def test_old_deliveries_are_forgotten_with_their_takes(ledger: Ledger) -> None:
    _, old = record(ledger, "old", at=NOW - timedelta(days=4))
    _, recent = record(ledger, "recent")
    with ledger.session() as session:
        mark_taken(session, [old, recent], "export-orders", NOW)

    with ledger.session() as session:
        forgotten = forget_deliveries(session, NOW - timedelta(days=3))
    with ledger.session() as session:
        takes = [t.delivery_id for t in session.scalars(select(WebhookTake))]

    assert forgotten == 1
    assert takes == [recent]


def test_call_counts_add_up_per_merchant_vendor_and_outcome(ledger: Ledger) -> None:
    with ledger.session() as session:
        for outcome in ("accepted", "unauthenticated", "accepted"):
            count_call(session, merchant_id="demo", source="ongoing", outcome=outcome, at=NOW)
    with ledger.session() as session:
        counts = [(c.outcome, c.count) for c in call_counts(session)]

    assert counts == [("accepted", 2), ("unauthenticated", 1)]


def test_the_migrated_schema_is_the_models_schema(ledger: Ledger) -> None:
    with ledger.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
        assert compare_metadata(context, Base.metadata) == []


def test_the_webhook_tables_work_on_postgresql(postgres_url: str) -> None:
    book = Ledger(postgres_url)
    try:
        test_old_deliveries_are_forgotten_with_their_takes(book)
        test_each_process_takes_a_delivery_once(book)
    finally:
        book.dispose()
