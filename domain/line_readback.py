"""Reading an order back after an edit was pushed to Ongoing, and converging on what was sent.

Ongoing does not document whether a ``PUT /orders`` deletes the rows it leaves out, so the connector
never assumes it: after every push it reads the order back. A row that should be gone but still holds
units is sent again at 0 units; any other difference (a row missing, a quantity or an article not as
sent) means the warehouse did not take the edit, and the order is flagged. Only what was read back is
recorded as the lines both sides hold.
"""

from __future__ import annotations

from dataclasses import dataclass

from integrations.ongoing.models import Order as OngoingOrder
from integrations.ongoing.models import OrderLineWrite, OrderWrite


@dataclass(frozen=True)
class LinesAsSent:
    """Ongoing holds exactly the lines sent (rows left out are gone or at 0 units)."""


@dataclass(frozen=True)
class ZeroLeftoverRows:
    """Rows left out of the update are still there with units: send them again at 0."""

    payload: OrderWrite  # what was sent, plus the leftover rows at 0 units
    rows: list[str]


@dataclass(frozen=True)
class LinesDiffer:
    """Ongoing did not take the lines as sent; a person has to look."""

    reason: str


ReadBack = LinesAsSent | ZeroLeftoverRows | LinesDiffer


def _units(value: float | None) -> float:
    return float(value or 0)


def compare_read_back(sent: OrderWrite, read_back: OngoingOrder) -> ReadBack:
    """What to do after pushing ``sent``, given the order as Ongoing shows it now."""
    wanted = {line.row_number: (line.article_number, _units(line.number_of_items)) for line in sent.order_lines or []}
    present = {line.row_number: (line.article.article_number if line.article else None,
                                 _units(line.ordered_number_of_items))
               for line in read_back.order_lines if line.row_number}
    differences = []
    for row, (sku, units) in wanted.items():
        shown = present.get(row)
        if shown is None:
            if units > 0:
                differences.append(f"row {row} ({units:g} × {sku}) is missing")
        elif shown != (sku, units):
            differences.append(f"row {row}: sent {units:g} × {sku}, Ongoing shows {shown[1]:g} × {shown[0]}")
    leftovers = [row for row, (_, units) in present.items() if row not in wanted and units > 0]
    unnamed = [row for row in leftovers if not present[row][0]]
    differences += [f"row {row} should be gone but Ongoing shows it without an article" for row in unnamed]
    if differences:
        return LinesDiffer(f"Ongoing order {sent.order_number} does not hold the lines as sent: "
                           f"{'; '.join(differences)}")
    if not leftovers:
        return LinesAsSent()
    zeroed = [OrderLineWrite(row_number=row, article_number=present[row][0] or "", number_of_items=0)
              for row in leftovers]
    payload = sent.model_copy(update={"order_lines": [*(sent.order_lines or []), *zeroed]})
    return ZeroLeftoverRows(payload, leftovers)
