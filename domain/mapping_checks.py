"""Mapping checks: the codes a merchant file names, compared with what both systems actually offer.

A merchant file names Ongoing status numbers, transporter and service codes and return causes, and
Starweb order statuses, shipping methods and tracking types. Each is only right if the system has it;
a wrong one would otherwise fail every write that uses it, one record at a time. These functions are
pure: the systems' registers come in (read by ``tasks.mapping_checks`` or ``swo doctor``), and one
``Finding`` per setting comes out, saying what the system offers when the setting is wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

from domain.config import ConfigError, MerchantConfig
from domain.statuses import ShopStatus, StarwebStatusRef

# How many offered values a message lists before it says "and N more".
_OFFERED_SHOWN = 25


class Verdict(StrEnum):
    OK = "ok"
    WARNING = "warning"
    PROBLEM = "problem"


@dataclass(frozen=True)
class Finding:
    """One setting checked: where it is in the merchant file, what it says, and what the check found."""

    area: str
    key: str
    value: str
    verdict: Verdict
    detail: str


class MappingMismatch(ConfigError):
    """A merchant file names codes a system does not offer; the message lists each key and what is offered."""


@dataclass(frozen=True)
class Transporter:
    """A transporter the goods owner may use in Ongoing, with its service codes (code → name)."""

    code: str
    name: str | None
    services: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class OngoingRegisters:
    """What the merchant's Ongoing goods owner offers. ``return_causes`` is None when it was not read."""

    order_statuses: Mapping[int, str | None]
    transporters: Mapping[str, Transporter]
    return_causes: Mapping[str, str | None] | None = None


@dataclass(frozen=True)
class ShopRegisters:
    """What the merchant's Starweb shop offers: order statuses, shipping methods and tracking types."""

    statuses: Sequence[ShopStatus]
    status_names: Mapping[int, str | None]
    shipping_methods: Mapping[int, str | None]
    tracking_types: Mapping[int, str | None]
    inactive_shipping_methods: frozenset[int] = frozenset()


def _labelled(code: object, name: str | None) -> str:
    return f"{code} {name}" if name else str(code)


def _offered(items: Iterable[str]) -> str:
    listed = list(items)
    if not listed:
        return "nothing"
    shown = ", ".join(listed[:_OFFERED_SHOWN])
    return shown if len(listed) <= _OFFERED_SHOWN else f"{shown} and {len(listed) - _OFFERED_SHOWN} more"


# Ongoing ------------------------------------------------------------------------------------------

def ongoing_findings(merchant: MerchantConfig, registers: OngoingRegisters) -> list[Finding]:
    """Every Ongoing code in the merchant file: status numbers, transporters and services, return causes,
    and the transporter codes of the tracking-type map."""
    return [*_status_numbers(merchant, registers), *_transporters(merchant, registers),
            *_return_causes(merchant, registers), *_tracking_keys(merchant, registers)]


def _status_numbers(merchant: MerchantConfig, registers: OngoingRegisters) -> list[Finding]:
    numbered = [(f"statuses.{state.value}.ongoing", rule.ongoing) for state, rule in merchant.statuses.items()]
    numbered.append(("orders.picked_status", merchant.orders.picked_status))
    offered = _offered(_labelled(n, text) for n, text in sorted(registers.order_statuses.items()))
    findings = []
    for key, number in numbered:
        if number in registers.order_statuses:
            findings.append(Finding("Ongoing", key, str(number), Verdict.OK,
                                    registers.order_statuses[number] or "an order status"))
        else:
            findings.append(Finding("Ongoing", key, str(number), Verdict.PROBLEM,
                                    f"Ongoing has no order status {number}; it offers {offered}"))
    return findings


def _transporters(merchant: MerchantConfig, registers: OngoingRegisters) -> list[Finding]:
    offered = _offered(_labelled(t.code, f"({t.name})" if t.name else None) for t in registers.transporters.values())
    findings = []
    for method_id, route in sorted(merchant.shipping_methods.items()):
        key = f"shipping_methods.{method_id}"
        if not route.transporter_code:
            findings.append(Finding("Ongoing", f"{key}.way_of_delivery_code", str(route.way_of_delivery_code),
                                    Verdict.OK, "a way of delivery: the warehouse assigns the transporter"))
            continue
        transporter = registers.transporters.get(route.transporter_code)
        if transporter is None:
            findings.append(Finding("Ongoing", f"{key}.transporter_code", route.transporter_code, Verdict.PROBLEM,
                                    f"Ongoing has no transporter {route.transporter_code} for this goods owner; "
                                    f"it offers {offered}"))
            continue
        findings.append(Finding("Ongoing", f"{key}.transporter_code", route.transporter_code, Verdict.OK,
                                transporter.name or "a transporter of this goods owner"))
        service = route.transporter_service_code
        if not service:
            continue
        if service in transporter.services:
            findings.append(Finding("Ongoing", f"{key}.transporter_service_code", service, Verdict.OK,
                                    transporter.services[service] or f"a service of {transporter.code}"))
        else:
            services = _offered(_labelled(code, f"({name})" if name else None)
                                for code, name in transporter.services.items())
            findings.append(Finding("Ongoing", f"{key}.transporter_service_code", service, Verdict.PROBLEM,
                                    f"transporter {transporter.code} has no service {service}; "
                                    f"it offers {services}"))
    return findings


def _return_causes(merchant: MerchantConfig, registers: OngoingRegisters) -> list[Finding]:
    causes = registers.return_causes
    if causes is None:
        return []
    offered = _offered(_labelled(code, f"({name})" if name else None) for code, name in causes.items())
    findings = []
    for kind, code in merchant.return_causes.items():
        key = f"return_causes.{kind.value}"
        if code in causes:
            findings.append(Finding("Ongoing", key, code, Verdict.OK, causes[code] or "a return cause"))
        else:
            findings.append(Finding("Ongoing", key, code, Verdict.PROBLEM,
                                    f"Ongoing has no return cause {code}; it offers {offered}"))
    return findings


def _tracking_keys(merchant: MerchantConfig, registers: OngoingRegisters) -> list[Finding]:
    # Harmless at run time (no shipment ever names the code), but usually a typo for a transporter that is meant.
    return [Finding("Ongoing", f"tracking_types.{code}", code, Verdict.WARNING,
                    f"Ongoing has no transporter {code} for this goods owner, so this tracking type is never used")
            for code in merchant.tracking_types if code not in registers.transporters]


def ongoing_mismatch(merchant_file: Path, findings: Iterable[Finding]) -> MappingMismatch | None:
    """The error a run fails with when the file names Ongoing codes the warehouse does not offer."""
    problems = [f for f in findings if f.verdict is Verdict.PROBLEM]
    if not problems:
        return None
    lines = [f"{merchant_file}: {len(problems)} setting(s) name what Ongoing does not offer; nothing was written:"]
    lines += [f"  {f.key}: {f.detail}" for f in problems]
    return MappingMismatch("\n".join(lines))


# Starweb ------------------------------------------------------------------------------------------

def starweb_findings(merchant: MerchantConfig, shop: ShopRegisters) -> list[Finding]:
    """Every Starweb reference in the merchant file: the status map, the exportable and releasable
    statuses, shipping methods (and the shop's methods nobody mapped) and tracking types."""
    refs: list[tuple[str, str | int]] = [(f"statuses.{state.value}.starweb", rule.starweb)
                                         for state, rule in merchant.statuses.items()]
    refs += [(f"orders.exportable_starweb_statuses[{i}]", ref)
             for i, ref in enumerate(merchant.orders.exportable_starweb_statuses)]
    refs += [(f"release.releasable_starweb_statuses[{i}]", ref)
             for i, ref in enumerate(merchant.release.releasable_starweb_statuses)]
    findings = [_status_ref(key, StarwebStatusRef.parse(raw), shop) for key, raw in refs]
    return [*findings, *_shipping_methods(merchant, shop), *_tracking_types(merchant, shop)]


def _status_ref(key: str, ref: StarwebStatusRef, shop: ShopRegisters) -> Finding:
    if ref.id_code is not None:
        matching = [s for s in shop.statuses if s.id_code == ref.id_code]
        what = f"idCode {ref.id_code!r}"
    else:
        matching = [s for s in shop.statuses if s.status_id == ref.status_id]
        what = f"id {ref.status_id}"
    if matching:
        return Finding("Starweb", key, str(ref), Verdict.OK, _shop_status(matching[0], shop))
    offered = _offered(_shop_status(s, shop) for s in shop.statuses)
    return Finding("Starweb", key, str(ref), Verdict.PROBLEM,
                   f"the shop has no order status with {what}; it offers {offered}")


def _shop_status(status: ShopStatus, shop: ShopRegisters) -> str:
    """How a person finds the status in Starweb's admin: idCode if standard, id, and its name."""
    described = " ".join(part for part in (f"#{status.status_id}", shop.status_names.get(status.status_id)) if part)
    return f"{status.id_code} ({described})" if status.id_code else described


def _shipping_methods(merchant: MerchantConfig, shop: ShopRegisters) -> list[Finding]:
    offered = _offered(_labelled(i, name) for i, name in sorted(shop.shipping_methods.items()))
    findings = []
    for method_id in sorted(merchant.shipping_methods):
        key = f"shipping_methods.{method_id}"
        if method_id in shop.shipping_methods:
            findings.append(Finding("Starweb", key, str(method_id), Verdict.OK,
                                    shop.shipping_methods[method_id] or "a shipping method"))
        else:
            findings.append(Finding("Starweb", key, str(method_id), Verdict.PROBLEM,
                                    f"the shop has no shipping method {method_id}; it offers {offered}"))
    for method_id, name in sorted(shop.shipping_methods.items()):
        if method_id not in merchant.shipping_methods and method_id not in shop.inactive_shipping_methods:
            findings.append(Finding("Starweb", "shipping_methods", f"(not mapped: {method_id})", Verdict.WARNING,
                                    f"the shop's shipping method {_labelled(method_id, name)} has no Ongoing "
                                    "transporter: its orders are quarantined until it is mapped"))
    return findings


def _tracking_types(merchant: MerchantConfig, shop: ShopRegisters) -> list[Finding]:
    offered = _offered(_labelled(t, name) for t, name in sorted(shop.tracking_types.items()))
    findings = []
    for code, tracker in merchant.tracking_types.items():
        key = f"tracking_types.{code}"
        if tracker in shop.tracking_types:
            findings.append(Finding("Starweb", key, str(tracker), Verdict.OK,
                                    shop.tracking_types[tracker] or "a tracking type"))
        else:
            findings.append(Finding("Starweb", key, str(tracker), Verdict.PROBLEM,
                                    f"the shop has no shipping tracking type {tracker}; it offers {offered}"))
    return findings


# Go-live and clocks -------------------------------------------------------------------------------

def go_live_finding(cutoff: datetime | None, now: datetime) -> Finding:
    if cutoff is None:
        return Finding("go-live", "go_live_cutoff", "(not set)", Verdict.WARNING,
                       "orders from before go-live that the first run exports will email their customers when "
                       "shipped; set the moment the connector takes over")
    when = cutoff.isoformat()
    if cutoff > now:
        days = (cutoff - now).days
        return Finding("go-live", "go_live_cutoff", when, Verdict.OK,
                       f"in {days} day(s): orders created before it are synced without customer emails")
    return Finding("go-live", "go_live_cutoff", when, Verdict.OK,
                   "passed: orders created before it are synced without customer emails")


# Below this a clock difference is measurement noise (the Date header has whole seconds) and network time.
CLOCK_TOLERANCE = timedelta(seconds=60)


def clock_finding(system: str, skew: timedelta | None, overlap: timedelta) -> Finding:
    """How far ``system``'s clock is from this machine's (positive: it is ahead), judged against the
    cursor overlap (``orders.overlap_minutes``), which is how much difference incremental reads absorb."""
    minutes = int(overlap.total_seconds() // 60)
    key, value = f"{system} clock", f"overlap {minutes} min"
    if skew is None:
        return Finding("clock", key, value, Verdict.WARNING,
                       f"{system} sent no Date header, so the clock difference is unknown")
    seconds = round(skew.total_seconds())
    if abs(seconds) <= 1:  # the Date header has whole seconds
        return Finding("clock", key, value, Verdict.OK, f"{system}'s clock agrees with this machine's")
    said = f"{system} is {abs(seconds)} s {'ahead of' if seconds > 0 else 'behind'} this machine"
    if abs(skew) < CLOCK_TOLERANCE:
        return Finding("clock", key, value, Verdict.OK, said)
    if abs(skew) < overlap:
        return Finding("clock", key, value, Verdict.WARNING,
                       f"{said}: within the cursor overlap ({minutes} min), but set this machine's clock (NTP)")
    return Finding("clock", key, value, Verdict.PROBLEM,
                   f"{said}: more than the cursor overlap ({minutes} min), so changes made in the gap can be "
                   "missed; set this machine's clock (NTP)")
