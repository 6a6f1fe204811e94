"""Status tables of the simulated warehouse: order, purchase-order and return-order statuses.

Status texts are localised to the API user's language like the real Ongoing does; numbers are what
clients must key on. The order table is configurable per warehouse: until ``/_sim/seed`` installs the
demo warehouse's table (with its custom 210/211) the standard Ongoing list applies.
"""

from __future__ import annotations

from integrations.simulation.demo_data import DEMO_ONGOING_ORDER_STATUSES

OPEN = 200
PICKED = 400
SENT = 450
COLLECTED = 500
RETURNED = 800
CANCELLED = 1000

# Standard Ongoing order statuses (docs.ongoingwarehouse.com, "Statuses"): number -> (sv, en).
STANDARD_ORDER_STATUSES: dict[int, tuple[str, str]] = {
    150: ("Fel", "Error"),
    200: ("Öppen", "Open"),
    300: ("Frisläppt", "Released"),
    320: ("Allokerad", "Allocated"),
    400: ("Plockad", "Picked"),
    450: ("Skickad", "Sent"),
    500: ("Hämtad", "Collected"),
    800: ("Returnerad", "Returned"),
    1000: ("Makulerad", "Cancelled"),
}

# English texts for the demo warehouse's own table (its Swedish texts live in demo_data).
_DEMO_ORDER_STATUSES_EN: dict[int, str] = {
    150: "Error", 200: "Open", 210: "Open-OK", 211: "Open-Backordered", 300: "Picking", 320: "Allocated",
    400: "Picked", 450: "Sent", 500: "Collected", 800: "Returned", 1000: "Cancelled",
}

PO_NOTIFIED = 100
PO_DEFLECTION = 400
PO_RECEIVED = 500
PO_CANCELLED = 900

PURCHASE_ORDER_STATUSES: dict[int, tuple[str, str]] = {
    100: ("Aviserad", "Notified"),
    200: ("Ankomstplats", "Arrival space"),
    300: ("Inleverans", "Inbound"),
    400: ("Avvikelse", "Deflection"),
    500: ("Inlevererad", "Received"),
    900: ("Makulerad", "Cancelled"),
}

# Ongoing does not publish its return-order statuses (clients read them at runtime); these are ours.
RETURN_ADVISED = 100
RETURN_PARTLY_RECEIVED = 200
RETURN_RECEIVED = 300
RETURN_CANCELLED = 900

RETURN_ORDER_STATUSES: dict[int, tuple[str, str]] = {
    100: ("Aviserad", "Advised"),
    200: ("Delvis mottagen", "Partly received"),
    300: ("Mottagen", "Received"),
    900: ("Makulerad", "Cancelled"),
}


def localised(table: dict[int, tuple[str, str]], language: str) -> dict[int, str]:
    index = 0 if language == "sv" else 1
    return {number: texts[index] for number, texts in table.items()}


def demo_order_statuses(language: str) -> dict[int, str]:
    if language == "sv":
        return dict(DEMO_ONGOING_ORDER_STATUSES)
    return {number: _DEMO_ORDER_STATUSES_EN.get(number, text) for number, text in DEMO_ONGOING_ORDER_STATUSES}


def status_json(number: int | None, table: dict[int, str]) -> dict[str, object] | None:
    if number is None:
        return None
    return {"number": number, "text": table.get(number)}


def table_json(table: dict[int, str]) -> list[dict[str, object]]:
    return [{"number": number, "text": text} for number, text in sorted(table.items())]
