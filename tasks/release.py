"""Tasks of the order release: the candidates in the ledger, the per-merchant lock, and moving each
chosen order to picking in Ongoing first, then in Starweb.

Ongoing goes first because it is the side that can refuse (goods already allocated, order cancelled);
Starweb's change can always be completed later. Orders go in chunks: Ongoing for the chunk, one look at
the orders cancelled in Starweb since the run listed them, then Starweb for the chunk. Each step is
recorded at once, so a crash or a vendor fault between the two writes leaves a half-done release that
the next run completes, never a split. The lock and the claims are held by the run's flow-run id: a run
that was killed, failed or cancelled holds nothing once Prefect shows it over, so the next run takes its
lock and orders at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from functools import partial

from prefect import task
from prefect.cache_policies import NO_CACHE

from domain.config import MerchantConfig
from domain.order_sync import ChangeRefused
from domain.release import ReleaseCandidate, ReleaseDecision
from domain.statuses import OPEN_STATES, OrderState, StatusTable
from integrations.ongoing.client import OngoingClient
from integrations.starweb.client import StarwebClient
from integrations.starweb.models import OrderPatch
from ledger import bindings, quarantine
from ledger import release as release_ledger
from ledger.models import OrderBinding
from tasks.recording import Batch
from tasks.reporting import Outcome
from tasks.run_holders import finished_runs, run_lock
from tasks.runtime import ledger, ongoing_client, starweb_client

RELEASE_KIND = "release"
BLOCKING_KINDS = ("order-change", "order-status", RELEASE_KIND)


@asynccontextmanager
async def merchant_release_lock(merchant_id: str, holder: str) -> AsyncIterator[None]:
    """One release at a time per merchant, across processes: a ledger lock held by this run (``holder``,
    its flow-run id), taken over at once from a run that is over."""
    async with run_lock(f"release:{merchant_id}", holder, what=f"the release lock of merchant {merchant_id}"):
        yield


async def claim_order(binding_id: int, token: str) -> bool:
    """Take the order for this run, from a run that is over too; False while a live run holds it."""
    with ledger().session() as session:
        if release_ledger.claim_for_release(session, binding_id, token):
            return True
        holder = release_ledger.release_claim_holder(session, binding_id)
    finished = await finished_runs([holder] if holder else [])
    if not finished:
        return False
    with ledger().session() as session:
        return release_ledger.claim_for_release(session, binding_id, token, finished_holders=finished)


def _candidate(binding: OrderBinding, started: bool) -> ReleaseCandidate:
    return ReleaseCandidate(
        binding_id=binding.id, starweb_order_id=binding.starweb_order_id, order_number=binding.order_number,
        ongoing_order_id=binding.ongoing_order_id, state=binding.state, starweb_created_at=binding.starweb_created_at,
        on_hold=binding.on_hold, started=started, lines=len(binding.lines),
        units=sum(float(line.quantity) for line in binding.lines))


@task(name="read-release-candidates", cache_policy=NO_CACHE)
def read_release_candidates(merchant_id: str) -> tuple[list[ReleaseCandidate], set[int]]:
    """Exported orders still open, releases left half done, and the order ids held in quarantine."""
    with ledger().session() as session:
        half_done = {b.id: b for b in release_ledger.half_released(session, merchant_id)}
        open_orders = [b for b in bindings.unfinished_orders(session, merchant_id)
                       if b.id not in half_done and b.released_at is None
                       and (b.state is None or OrderState(b.state) in OPEN_STATES)]
        # A failed release waits for its next try; a change or status problem blocks until it is resolved.
        held = {int(e.key) for kind in BLOCKING_KINDS if kind != RELEASE_KIND
                for e in quarantine.open_entries(session, merchant_id, kind)}
        held |= {int(key) for key in quarantine.held_keys(session, merchant_id, RELEASE_KIND)}
        candidates = [_candidate(b, False) for b in open_orders] + [_candidate(b, True) for b in half_done.values()]
    return candidates, held


def _columns(decision: ReleaseDecision) -> dict[str, str]:
    c = decision.candidate
    return {"lines": f"{c.lines} ({c.units:g} units)", "stock state": decision.stock_state}


# Orders moved to picking in Ongoing before one look at the orders cancelled in Starweb meanwhile: the
# window in which a cancellation can be overwritten is at most this many Starweb writes long.
RELEASE_CHUNK = 50


class RecentCancellations:
    """The orders a person cancelled in Starweb since the run listed the releasable ones: one listing of the
    cancelled status, newest change first, per chunk of releases instead of a re-read of every order."""

    def __init__(self, shop: StarwebClient, cancelled_status_id: int, since: datetime) -> None:
        self.shop, self.status_id, self.since = shop, cancelled_status_id, since

    async def look(self) -> set[int]:
        found: set[int] = set()
        async for order in self.shop.iter_orders(status_id=self.status_id, sort_by="modifiedAt", sort_order="DESC",
                                                 include=()):
            if order.modified_at is not None and order.modified_at < self.since:
                break
            found.add(order.order_id)
        return found


@task(name="release-to-picking", cache_policy=NO_CACHE)
async def release_to_picking(merchant: MerchantConfig, table: StatusTable, decisions: Sequence[ReleaseDecision],
                             token: str, dry_run: bool, listed_at: datetime) -> tuple[list[Outcome], list[str]]:
    """Move each chosen order to picking, Ongoing first; ``listed_at`` is when the run read Starweb's
    statuses, so an order cancelled since is found and never overwritten."""
    batch = Batch(merchant, dry_run)
    chosen = [d for d in decisions if d.release]
    for decision in decisions:
        if not decision.release:
            batch.add(f"order {decision.candidate.starweb_order_id}", "not released", decision.reason,
                      _columns(decision))
    if not chosen:
        return batch.outcomes, batch.unexpected
    if dry_run:
        for decision in chosen:
            batch.add(f"order {decision.candidate.starweb_order_id}", "would release", decision.reason,
                      _columns(decision))
        return batch.outcomes, batch.unexpected
    async with await ongoing_client(merchant) as warehouse, await starweb_client(merchant) as shop:
        since = listed_at - timedelta(minutes=merchant.orders.overlap_minutes)
        cancellations = RecentCancellations(shop, table.starweb_status_id(OrderState.CANCELLED), since)
        for start in range(0, len(chosen), RELEASE_CHUNK):
            moved = [d for d in chosen[start:start + RELEASE_CHUNK]
                     if await _move_in_warehouse(batch, warehouse, table, d, token)]
            cancelled = await cancellations.look() if moved else set()
            for decision in moved:
                await _move_in_shop(batch, shop, table, decision, cancelled)
    return batch.outcomes, batch.unexpected


def _release_failed(batch: Batch, decision: ReleaseDecision, error: Exception) -> None:
    c = decision.candidate
    batch.quarantine(RELEASE_KIND, str(c.starweb_order_id), f"order {c.starweb_order_id}", error,
                     payload={"orderId": c.starweb_order_id})


async def _move_in_warehouse(batch: Batch, warehouse: OngoingClient, table: StatusTable, decision: ReleaseDecision,
                             token: str) -> bool:
    """Claim the order and move it to picking in Ongoing (unless Ongoing shows it there); False when the
    order is someone else's or Ongoing refused (quarantined)."""
    c = decision.candidate
    if not await claim_order(c.binding_id, token):
        batch.add(f"order {c.starweb_order_id}", "not released", "another release run holds this order",
                  _columns(decision))
        return False
    if decision.warehouse_done or c.ongoing_order_id is None:
        return True
    picking = table.ongoing_number(OrderState.PICKING)
    try:
        await batch.write("ongoing", "PATCH /orders/{orderId}/orderStatus", c.order_number,
                          partial(warehouse.patch_order_status, c.ongoing_order_id, picking),
                          detail={"orderStatusNumber": picking})
        with ledger().session() as session:
            release_ledger.mark_picking_in_warehouse(session, c.binding_id, ongoing_status=picking)
    except Exception as error:
        _release_failed(batch, decision, error)
        return False
    return True


async def _move_in_shop(batch: Batch, shop: StarwebClient, table: StatusTable, decision: ReleaseDecision,
                        cancelled: set[int]) -> None:
    """Move the order to picking in Starweb and record the release, unless a person cancelled it meanwhile."""
    c = decision.candidate
    rule, picking = table.rule(OrderState.PICKING), table.starweb_status_id(OrderState.PICKING)
    try:
        # A release left half done may have reached Starweb already: only that rare case is read again.
        status = (await shop.get_order(c.starweb_order_id, include=())).status_id if c.started else None
        if c.starweb_order_id in cancelled or (status is not None and table.is_cancelled_in_starweb(status)):
            # A person cancelled it while this run released it: never overwrite the cancellation.
            raise ChangeRefused(f"cancelled in Starweb while the release moved {c.order_number} to "
                                f"picking in Ongoing; the warehouse has to stop it by hand")
        if status != picking:
            patch = OrderPatch(status_id=picking, on_order_status_change_send_email=rule.notify_customer,
                               on_order_status_change_process_payment=rule.process_payment)
            await batch.write("starweb", "PATCH /orders/{orderId}", str(c.starweb_order_id),
                              partial(shop.patch_order, c.starweb_order_id, patch),
                              detail={"statusId": picking})
        with ledger().session() as session:
            release_ledger.mark_released(session, c.binding_id, starweb_status_id=picking,
                                         ongoing_status=table.ongoing_number(OrderState.PICKING))
    except Exception as error:
        _release_failed(batch, decision, error)
        return
    batch.resolve(RELEASE_KIND, str(c.starweb_order_id), "released")
    batch.add(f"order {c.starweb_order_id}", "released", decision.reason, _columns(decision))


@task(name="let-go-of-claims", cache_policy=NO_CACHE)
def let_go_of_claims(token: str) -> None:
    with ledger().session() as session:
        release_ledger.let_go(session, token)


@task(name="close-settled-releases", cache_policy=NO_CACHE)
def close_settled_releases(merchant_id: str, dry_run: bool) -> list[Outcome]:
    """Close release entries of orders that no longer need a release: released after all, or sent,
    cancelled or returned. (A release left half done keeps its entry until it is completed.)"""
    outcomes: list[Outcome] = []
    with ledger().session() as session:
        entries = quarantine.open_entries(session, merchant_id, RELEASE_KIND)
        found = bindings.orders_by_starweb_id(session, merchant_id, [int(e.key) for e in entries])
        for entry in entries:
            binding = found.get(int(entry.key))
            if binding is None or not (binding.released_at is not None or binding.state in bindings.FINAL_STATES):
                continue
            why = f"the order is {binding.state or 'released'}; no release needed any more"
            if not dry_run:
                quarantine.resolve(session, merchant_id, RELEASE_KIND, entry.key, why)
            outcomes.append(Outcome(f"order {entry.key}", "would close" if dry_run else "closed", why))
    return outcomes
