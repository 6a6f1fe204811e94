"""Telling the connector's own orders from others' without a ledger, and what a run says when the ledger
knows nothing of a merchant whose warehouse holds orders."""

from __future__ import annotations

from datetime import datetime

import pytest

from domain.config import MerchantConfig, load_merchants
from domain.ledger_recovery import WarehouseOrderSeen, is_ours_without_ledger, ledger_gap_warning

DEMO = load_merchants()["demo"]  # goes live 2026-11-01T00:00:00+01:00, numbers orders "FJ-<orderId>"
NO_CUTOFF = DEMO.model_copy(update={"go_live_cutoff": None})
AFTER, BEFORE = datetime.fromisoformat("2026-11-20T10:00:00+01:00"), datetime.fromisoformat("2026-10-20T10:00:00+02:00")


@pytest.mark.parametrize(
    ("merchant", "number", "created_at", "ours"),
    [
        (DEMO, "FJ-1042", AFTER, True),
        (DEMO, "FJ-1042", datetime.fromisoformat("2026-11-01T00:00:00+01:00"), True),  # go-live itself
        (DEMO, "FJ-1042", BEFORE, False),  # the previous integration's time
        (DEMO, "1042", AFTER, False),  # not numbered the way this connector numbers
        (DEMO, "FJ-1043", AFTER, False),  # another order's number
        (DEMO, "FJ-1042", None, False),
        (NO_CUTOFF, "FJ-1042", AFTER, False),  # without a go-live nothing can be told apart
    ],
)
def test_an_order_is_ours_without_a_ledger_by_its_number_and_age(merchant: MerchantConfig, number: str,
                                                                 created_at: datetime | None, ours: bool) -> None:
    assert is_ours_without_ledger(merchant, order_number=number, starweb_order_id=1042,
                                  starweb_created_at=created_at) is ours


def test_an_empty_warehouse_needs_no_warning() -> None:
    assert ledger_gap_warning(DEMO, [], more=False) is None


def test_orders_numbered_like_ours_since_go_live_mean_the_ledger_was_lost() -> None:
    seen = [WarehouseOrderSeen("OLD-7", AFTER), WarehouseOrderSeen("FJ-1042", AFTER),
            WarehouseOrderSeen("FJ-9", BEFORE)]
    warning = ledger_gap_warning(DEMO, seen, more=True)
    assert warning is not None
    assert "the ledger was lost or replaced" in warning and "at least 1 order(s)" in warning and "FJ-1042" in warning


def test_only_older_or_foreign_orders_mean_a_first_activation() -> None:
    warning = ledger_gap_warning(DEMO, [WarehouseOrderSeen("FJ-9", BEFORE), WarehouseOrderSeen("X-1", AFTER)],
                                 more=False)
    assert warning is not None and warning.startswith("First activation") and "2 order(s)" in warning
