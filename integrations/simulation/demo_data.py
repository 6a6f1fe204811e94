"""The demo merchant's world, shared by both simulators' ``/_sim/seed``.

A small outdoor-gear shop ("Fjällbutiken") whose TPL runs an Ongoing warehouse called ``demo``.
The same SKUs exist as Starweb variants and (once the warehouse has stock) as Ongoing articles,
so a fresh demo can export orders, release, ship and sync stock end to end.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoVariant:
    sku: str
    name: str
    ean: str | None
    mpn: str | None
    weight_kg: float
    price_ex_vat: float
    shop_stock: int
    warehouse_stock: int


@dataclass(frozen=True)
class DemoProduct:
    name: str
    variants: tuple[DemoVariant, ...]


DEMO_PRODUCTS: tuple[DemoProduct, ...] = (
    DemoProduct("Vandringsstav Kolfiber", (
        DemoVariant("POLE-CF-120", "Vandringsstav Kolfiber 120 cm", "7350001000012", "KF-120", 0.21, 479.2, 40, 40),
        DemoVariant("POLE-CF-135", "Vandringsstav Kolfiber 135 cm", "7350001000029", "KF-135", 0.23, 479.2, 25, 25),
    )),
    DemoProduct("Ullstrumpa Merino", (
        DemoVariant("SOCK-MER-38", "Ullstrumpa Merino 36-38", "7350001000036", "MER-S", 0.08, 119.2, 120, 120),
        DemoVariant("SOCK-MER-42", "Ullstrumpa Merino 39-42", "7350001000043", "MER-M", 0.09, 119.2, 150, 150),
        DemoVariant("SOCK-MER-46", "Ullstrumpa Merino 43-46", "7350001000050", "MER-L", 0.10, 119.2, 0, 0),
    )),
    DemoProduct("Termos 1 L", (
        DemoVariant("THERMOS-1L", "Termos 1 L stål", "7350001000067", "TH-1000", 0.55, 319.2, 30, 30),
    )),
    DemoProduct("Pannlampa 400 lm", (
        DemoVariant("HEADLAMP-400", "Pannlampa 400 lumen", "7350001000074", "HL-400", 0.09, 399.2, 3, 3),
    )),
    DemoProduct("Tält Fjäll 2", (
        DemoVariant("TENT-FJ2", "Tält Fjäll 2 personer", "7350001000081", "FJ2-2026", 2.35, 3199.2, 6, 6),
    )),
)

# Starweb order statuses: the four standard ones (idCode) plus custom ones (idCode None).
# (statusId, idCode, Swedish name, shouldSendEmail)
DEMO_ORDER_STATUSES: tuple[tuple[int, str | None, str, bool], ...] = (
    (1, "created", "Mottagen", True),
    (2, "picking", "Plockning", False),
    (3, "completed", "Skickad", True),
    (4, "canceled", "Makulerad", True),
    (5, None, "Delvis skickad", True),
    (6, None, "Behandlad", False),
    (7, None, "Returnerad", False),
    (8, None, "Väntar på betalning", False),
    # A second "partially sent" status: Starweb mails on a status change only, so a further partial
    # shipment alternates between 5 and 9 to reach the customer.
    (9, None, "Delvis skickad, fler paket", True),
    (10, None, "Ej uthämtad", True),
    (11, None, "Delvis returnerad", True),
)

# Starweb shipping methods: (shippingMethodId, Swedish name, externalId)
DEMO_SHIPPING_METHODS: tuple[tuple[int, str, str | None], ...] = (
    (1, "Schenker Parcel", "SBTL-BPA"),
    (2, "PostNord MyPack Collect", "PLAB-P19"),
    (3, "PostNord Parcel", "PLAB-P18"),
    (4, "Hämta i butik", None),
)

# Starweb shipping tracking types: (type, name)
DEMO_TRACKING_TYPES: tuple[tuple[int, str], ...] = (
    (1, "Posten Sverige"),
    (2, "DB Schenker"),
    (3, "DHL Freight"),
    (4, "Bring"),
)

# Starweb payment methods: (paymentMethodId, idCode, name)
DEMO_PAYMENT_METHODS: tuple[tuple[int, str, str], ...] = (
    (1, "klarna_checkout", "Klarna"),
    (2, "invoice", "Faktura"),
    (3, "card", "Kort"),
)

# Ongoing order statuses of the demo warehouse: the standard list plus the seed's custom
# "Öppen-OK" (open, all in stock) and "Öppen-Restad" (open, backordered).
DEMO_ONGOING_ORDER_STATUSES: tuple[tuple[int, str], ...] = (
    (150, "Fel"),
    (200, "Öppen"),
    (210, "Öppen-OK"),
    (211, "Öppen-Restad"),
    (300, "Plockning"),
    (320, "Allokerad"),
    (400, "Plockad"),
    (450, "Skickad"),
    (500, "Hämtad"),
    (800, "Returnerad"),
    (1000, "Makulerad"),
)

# Ongoing transporter contracts: (transporterCode, transporterName, ((serviceCode, serviceName), ...))
DEMO_TRANSPORTER_CONTRACTS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("SBTL", "DB Schenker", (("BPA", "DB SCHENKERparcel"), ("BDI", "DB SCHENKERdirect"))),
    ("PLAB", "PostNord Sverige AB", (("P19", "PostNord MyPack Collect"), ("P18", "PostNord Parcel (Nordic)"),
                                     ("P24", "PostNord Return Drop Off"))),
)

# Ongoing return causes: (code, name, isRemoveCause)
DEMO_RETURN_CAUSES: tuple[tuple[str, str, bool], ...] = (
    ("REGRET", "Ångerköp", False),
    ("NOTCOLLECTED", "Ej uthämtad", False),
    ("COMPLAINT", "Reklamation", True),
    ("WRONGSIZE", "Fel storlek", False),
)
