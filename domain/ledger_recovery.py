"""Recovering from a lost ledger: telling this connector's orders from others' without it.

The ledger is the connector's memory; if it is lost (``make clean`` deletes ``.state``, a volume is
replaced) the warehouse still holds every order the connector sent. Without a binding, an order is known
to be the connector's by its number — the merchant's prefix followed by the Starweb order id, exactly as
the connector numbers orders — together with a creation after the go-live cutoff, when the merchant's
previous integration had stopped. Such orders are treated as the connector's own: adopted by number, their
shipments emailed as usual. A ledger that knows nothing of a merchant whose warehouse holds orders is
never taken silently: the run says so at its start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.config import MerchantConfig


def is_ours_without_ledger(merchant: MerchantConfig, *, order_number: str, starweb_order_id: int,
                           starweb_created_at: datetime | None) -> bool:
    """Was this order sent by the connector, judging only by its number and age?"""
    cutoff = merchant.go_live_cutoff
    return (cutoff is not None and starweb_created_at is not None and starweb_created_at >= cutoff
            and order_number == merchant.order_number(starweb_order_id))


@dataclass(frozen=True)
class WarehouseOrderSeen:
    order_number: str
    created_at: datetime | None  # when Ongoing created it


def _numbered_like_ours(merchant: MerchantConfig, order_number: str) -> bool:
    prefix = merchant.orders.number_prefix
    return order_number.startswith(prefix) and order_number[len(prefix):].isdigit()


def ledger_gap_warning(merchant: MerchantConfig, seen: Sequence[WarehouseOrderSeen], *, more: bool) -> str | None:
    """What to say when the ledger knows nothing of the merchant but the warehouse holds ``seen`` orders
    (``more``: the look was cut short, there are more). None when the warehouse holds none."""
    if not seen:
        return None
    at_least = "at least " if more else ""
    cutoff = merchant.go_live_cutoff
    ours = [o for o in seen if _numbered_like_ours(merchant, o.order_number) and cutoff is not None
            and o.created_at is not None and o.created_at >= cutoff]
    if ours:
        return (f"The ledger has no record of merchant {merchant.merchant_id}, yet Ongoing holds {at_least}"
                f"{len(ours)} order(s) numbered like this connector's and created after go-live (e.g. "
                f"{ours[0].order_number}): the ledger was lost or replaced. Orders are adopted by number as the "
                "export meets them and their shipments are reported with customer emails as usual; if this is "
                "not expected, stop the deployments and restore the ledger (SWO_LEDGER_URL, .state).")
    return (f"First activation: the ledger has no record of merchant {merchant.merchant_id} and Ongoing already "
            f"holds {at_least}{len(seen)} order(s) for goods owner {merchant.ongoing.goods_owner_id}. Starweb "
            "orders among them are adopted by order number, never sent again; orders from before go-live are "
            "reported without customer emails.")
