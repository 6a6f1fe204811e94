"""The run-start check: the merchant file's Ongoing codes against what the goods owner really offers.

Every flow that writes to Ongoing calls ``check_ongoing_mappings`` first, once per run, so the registers
are read once and not per write; a pass is kept in the ledger for a few minutes, so a merchant's runs in
those minutes share one read. A status number, transporter or service code or return cause the
warehouse does not have fails the run at once, naming the merchant file, the key and what Ongoing offers,
instead of failing each write one by one. The readers are plain functions so ``swo doctor`` reads the
same registers the same way.
"""

from __future__ import annotations

from pathlib import Path

from prefect import task

from domain.config import MerchantConfig
from domain.hashing import payload_hash
from domain.mapping_checks import OngoingRegisters, ShopRegisters, Transporter, ongoing_findings, ongoing_mismatch
from domain.statuses import ShopStatus
from integrations.ongoing.client import OngoingClient
from integrations.starweb.client import StarwebClient
from ledger.types import utcnow
from settings import get_settings
from tasks.registers import keep_register, recent_register
from tasks.runtime import ongoing_client
from tasks.shop_reads import READ_RETRIES

MAPPING_CHECK = "ongoing-mapping-check"


async def read_ongoing_registers(warehouse: OngoingClient, *, return_causes: bool = True) -> OngoingRegisters:
    """The goods owner's order statuses, transporter contracts and (when asked) return causes."""
    statuses = {s.number: s.text for s in await warehouse.list_order_statuses()}
    services_of: dict[str, dict[str, str | None]] = {}
    names: dict[str, str | None] = {}
    for contract in await warehouse.list_transporter_contracts():
        if not contract.transporter_code:
            continue
        # A contract may carry one service itself or several in transporterServices, and a code may repeat.
        names.setdefault(contract.transporter_code, contract.transporter_name)
        services = services_of.setdefault(contract.transporter_code, {})
        if contract.transporter_service_code:
            services.setdefault(contract.transporter_service_code, None)
        services.update({s.transporter_service_code: s.transporter_service_name
                         for s in contract.transporter_services if s.transporter_service_code})
    transporters = {code: Transporter(code, names[code], services) for code, services in services_of.items()}
    causes = {c.code: c.name for c in await warehouse.list_return_causes() if c.code} if return_causes else None
    return OngoingRegisters(statuses, transporters, causes)


async def read_shop_registers(shop: StarwebClient) -> ShopRegisters:
    """The shop's order statuses, shipping methods and shipping tracking types."""
    statuses = await shop.list_order_statuses()
    methods = await shop.list_shipping_methods()
    trackers = await shop.list_shipping_tracking_types()
    return ShopRegisters(
        statuses=[ShopStatus(s.status_id, s.id_code) for s in statuses],
        status_names={s.status_id: s.name for s in statuses},
        shipping_methods={m.shipping_method_id: m.name for m in methods},
        tracking_types={t.type: t.name for t in trackers},
        inactive_shipping_methods=frozenset(m.shipping_method_id for m in methods if m.active is False),
    )


def merchant_file(merchant_id: str) -> Path:
    return get_settings().merchants_dir / f"{merchant_id}.yaml"


def _fingerprint(merchant: MerchantConfig) -> str:
    """The merchant's configuration as checked: any edit of the file makes the next run check again."""
    return payload_hash(merchant.model_dump(mode="json"))


async def check_ongoing_mappings(merchant: MerchantConfig) -> None:
    """Fail the run if the merchant file names Ongoing codes the goods owner does not offer. A check the same
    file passed a few minutes ago stands (``tasks.registers``): the registers are read once for many runs,
    and a run that finds the check standing makes one ledger query and no task run (a task run for the
    query alone would cost more CPU, in the run and on the Prefect server, than the query)."""
    if recent_register(merchant.merchant_id, MAPPING_CHECK) == {"passed": _fingerprint(merchant)}:
        return
    await read_and_check_ongoing_mappings(merchant)


@task(name="check-ongoing-mappings", **READ_RETRIES)
async def read_and_check_ongoing_mappings(merchant: MerchantConfig) -> None:
    """Read the goods owner's registers and check the merchant file's Ongoing codes against them; a pass is
    kept for the merchant's runs of the next minutes."""
    fingerprint = _fingerprint(merchant)
    read_at = utcnow()
    async with await ongoing_client(merchant) as warehouse:
        registers = await read_ongoing_registers(warehouse, return_causes=bool(merchant.return_causes))
    mismatch = ongoing_mismatch(merchant_file(merchant.merchant_id), ongoing_findings(merchant, registers))
    if mismatch is not None:
        raise mismatch
    keep_register(merchant.merchant_id, MAPPING_CHECK, {"passed": fingerprint}, read_at=read_at)
