"""Starweb's stock figure known without reading it: the figure the connector last wrote or saw for a SKU,
less the units Starweb's own orders took since.

Starweb takes a SKU's units from its figure when an order is placed and gives them back when the order is
cancelled; nothing else moves it but a person or another system. So once the connector has written or
seen a figure, the orders Starweb lists as modified since then tell the figure now — exactly, when no
order's stamp falls where it could be on either side of the moment the figure was seen or of the listing.
A figure known that way needs no read before the stock sync decides to write, and a write sets an
absolute figure. A SKU whose figure is in doubt is read. The moments compared are the connector's clock
(when a figure was seen, when the listing began) against Starweb's stamps, so figures are known only
while Starweb's clock agrees with the connector's (``clock_agrees``, from a ``Date`` header), and an
order stamped within ``DOUBT_WINDOW`` of either moment leaves its SKU to be read. Another system writing
Starweb's stock is not seen in a known figure: the full resync reads every figure and its one-stock-master
check finds it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from domain.stock_sync import STARWEB_STAMP_PRECISION, SaleLine, StarwebBaseline

# How far Starweb's clock may be from the connector's for its stamps to be compared with the connector's
# moments at all; beyond it every figure is read.
CLOCK_TOLERANCE = timedelta(seconds=1)
# An order stamped this close to the moment a figure was seen, or to the listing, may be on either side of
# it: Starweb's whole-second stamps, the tolerated skew, and the Date header's own whole second.
HEADER_PRECISION = timedelta(seconds=1)
DOUBT_WINDOW = STARWEB_STAMP_PRECISION + CLOCK_TOLERANCE + HEADER_PRECISION


def clock_agrees(starweb_date: datetime | None, asked_at: datetime, answered_at: datetime, *,
                 tolerance: timedelta = CLOCK_TOLERANCE) -> bool:
    """Whether Starweb's ``Date`` header (whole seconds), for a request sent at ``asked_at`` and answered at
    ``answered_at`` by the connector's clock, shows the two clocks within ``tolerance``. No header: unknown,
    so no."""
    if starweb_date is None:
        return False
    return asked_at - HEADER_PRECISION - tolerance <= starweb_date <= answered_at + tolerance


def listing_reaches(baselines: Iterable[StarwebBaseline], listed_back_to: datetime, *,
                    clock_slack: timedelta = DOUBT_WINDOW) -> set[str]:
    """The SKUs whose baseline a listing of orders modified since ``listed_back_to`` fully covers: every
    order that could have moved the figure since it was seen is in the listing."""
    return {b.sku for b in baselines if b.seen_from - clock_slack >= listed_back_to}


def worth_another_page(baselines: Iterable[StarwebBaseline], listed_back_to: datetime, pages_read: int, *,
                       clock_slack: timedelta = DOUBT_WINDOW) -> bool:
    """Read one more page of orders (newest change first)? Only while more SKUs still need an older page than
    pages were read: the listing then never costs more than reading those SKUs one by one."""
    baselines = list(baselines)
    waiting = len(baselines) - len(listing_reaches(baselines, listed_back_to, clock_slack=clock_slack))
    return waiting > pages_read


def known_figures(baselines: Iterable[StarwebBaseline], sales: Iterable[SaleLine], *, as_of: datetime,
                  listed_back_to: datetime, clock_slack: timedelta = DOUBT_WINDOW) -> dict[str, int]:
    """SKU → Starweb's figure at ``as_of`` (when the listing of ``sales`` began), for the SKUs where the
    baseline and the orders leave no doubt. ``listed_back_to``: the listing holds every order modified
    since then. An order stamped within ``clock_slack`` of the moment a figure was seen, or of ``as_of``,
    may be on either side of it, so its SKU is left unknown (to be read)."""
    by_sku: dict[str, list[SaleLine]] = defaultdict(list)
    for line in sales:
        by_sku[line.sku].append(line)
    covered = listing_reaches(baselines, listed_back_to, clock_slack=clock_slack)
    known: dict[str, int] = {}
    for baseline in baselines:
        if baseline.sku not in covered or baseline.seen_until > as_of:
            continue
        figure = _figure(baseline, by_sku.get(baseline.sku, []), as_of, clock_slack)
        if figure is not None:
            known[baseline.sku] = figure
    return known


def _figure(baseline: StarwebBaseline, lines: list[SaleLine], as_of: datetime, slack: timedelta) -> int | None:
    taken = 0.0
    for line in lines:
        if line.cancelled:
            # Placed and cancelled after the baseline: taken and given back. Placed before it and cancelled
            # since it was first seen: the units may or may not be back in the baseline already.
            if line.created_at <= baseline.seen_until + slack and line.modified_at > baseline.seen_from - slack:
                return None
            continue
        if line.created_at <= baseline.seen_from - slack:
            continue  # in the baseline already
        if line.created_at <= baseline.seen_until + slack or as_of - slack < line.created_at <= as_of + slack:
            return None  # placed while the figure was seen, or as the listing began
        if line.created_at <= as_of:
            taken += line.quantity
    if taken != int(taken):
        return None  # Starweb's figure is whole units; a fractional sale cannot be placed exactly
    return baseline.quantity - int(taken)
