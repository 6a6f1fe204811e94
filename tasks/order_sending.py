"""Sending new orders to Ongoing, with the ledger's part of each order done beside the writes.

Ongoing takes a goods owner's writes one at a time, so an export can go no faster than its writes one after
the other: ``PUT /orders``, then ``PATCH …/orderStatus`` to the chosen initial status, per order. What the
connector records of each order does not hold up the next write; it goes to a ledger lane
(``tasks.ledger_lane``) that works while the next write is on its way:

1. the claim on the order (a concurrent run skips a claimed order), taken while the previous order's
   status write is out; the order's ``PUT`` waits for it;
2. after the ``PUT``, its audit row, the binding with the chosen state, the claim let go and an old
   quarantine entry closed, in one transaction; the status write goes out at once;
3. after the status write, its audit row and the binding's status, in one transaction;
4. the order's outcome, once its ledger jobs are done.

A run killed in between leaves nothing lost: an order in Ongoing without its binding is adopted by the next
run, which looks every order's number up in Ongoing before it sends (and the stream's cursor has not moved
past it); an order whose status the ledger did not take is read back and completed
(``complete_initial_statuses``); a claim of a run that is over is taken over.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from functools import partial

from prefect import get_run_logger

from domain.order_export import ExportPlan
from domain.statuses import OrderState, StatusTable
from integrations.errors import ConnectorError, RefusedByVendor
from integrations.ongoing.client import OngoingClient
from integrations.ongoing.models import OrderWrite, OrderWriteResponse
from ledger import bindings, export_claims, quarantine
from ledger.bindings import LineSpec
from ledger.db import LedgerSession, is_transient_ledger_error
from tasks.ledger_lane import LedgerLane
from tasks.recording import Batch
from tasks.run_holders import finished_runs
from tasks.runtime import ledger

ORDER_KIND = "order"
PUT_ORDERS = "PUT /orders"
PATCH_STATUS = "PATCH /orders/{orderId}/orderStatus"


def describe(state: OrderState) -> str:
    return state.value.replace("_", " ")


def lines_of(payload: OrderWrite) -> list[LineSpec]:
    """The lines as pushed; the row number is the Starweb itemId for lines that came from Starweb."""
    return [LineSpec(row_number=line.row_number, sku=line.article_number, quantity=float(line.number_of_items or 0),
                     starweb_item_id=int(line.row_number) if line.row_number.isdigit() else None)
            for line in payload.order_lines or []]


@dataclass(frozen=True)
class Claim:
    """The claim's answer: taken (with the reason to skip the order anyway, if a run bound it meanwhile),
    or held by ``holder``."""

    taken: bool
    skip: str | None = None
    holder: str | None = None


def claim_in_ledger(merchant_id: str, starweb_order_id: int, token: str,
                    finished_holders: Collection[str] = ()) -> Claim:
    """One transaction: take the order for this run, and check that no run has bound it since this run read
    the ledger (if one has, the claim is let go again)."""
    with ledger().session() as session:
        if not export_claims.claim_for_export(session, merchant_id, starweb_order_id, token,
                                              finished_holders=finished_holders):
            return Claim(False, holder=export_claims.export_claim_holder(session, merchant_id, starweb_order_id))
        if not bindings.bound_order_ids(session, merchant_id, [starweb_order_id]):
            return Claim(True)
        export_claims.let_go(session, merchant_id, starweb_order_id, token)
        return Claim(True, skip="already exported by another run")


def let_go(batch: Batch, starweb_order_id: int, token: str) -> None:
    try:
        with ledger().session() as session:
            export_claims.let_go(session, batch.merchant_id, starweb_order_id, token)
    except Exception as error:
        if not is_transient_ledger_error(error):
            raise
        # The claim expires on its own; until then a concurrent run skips the order.
        get_run_logger().warning("could not let go of the export claim on order %s: %s", starweb_order_id, error)


@dataclass
class _Sent:
    """An order whose writes went out, its outcome waiting for its ledger jobs."""

    plan: ExportPlan
    status_number: int
    bound: asyncio.Future[None]
    status_marked: asyncio.Future[None] | None  # None: the status write failed
    status_error: BaseException | None = None

    @property
    def jobs(self) -> list[asyncio.Future[None]]:
        return [self.bound] if self.status_marked is None else [self.bound, self.status_marked]

    @property
    def record(self) -> str:
        return f"order {self.plan.order.order_id}"


class OrderSender:
    """Sends planned orders one after the other; their ledger work runs in ``lane`` meanwhile. ``settle``
    must be awaited before the batch's outcomes are read."""

    def __init__(self, batch: Batch, warehouse: OngoingClient, table: StatusTable, token: str,
                 lane: LedgerLane) -> None:
        self.batch, self.warehouse, self.table, self.token, self.lane = batch, warehouse, table, token, lane
        self._claims: dict[int, asyncio.Future[Claim]] = {}
        self._sent: deque[_Sent] = deque()

    def claim_soon(self, starweb_order_id: int) -> None:
        """Start taking the claim on an order this run sends next."""
        if starweb_order_id not in self._claims:
            self._claims[starweb_order_id] = self.lane.submit(
                partial(claim_in_ledger, self.batch.merchant_id, starweb_order_id, self.token))

    async def claim(self, starweb_order_id: int) -> str | None:
        """Take the order for this run (from a run Prefect shows over, too); the reason to skip it when another
        live run has it or a run has bound it."""
        self.claim_soon(starweb_order_id)
        answer = await self._claims.pop(starweb_order_id)
        if answer.taken:
            return answer.skip
        finished = await finished_runs([answer.holder] if answer.holder else [])
        if finished:
            answer = await self.lane.submit(partial(claim_in_ledger, self.batch.merchant_id, starweb_order_id,
                                                    self.token, finished))
            if answer.taken:
                return answer.skip
        return "another export run is sending this order right now"

    async def send(self, plan: ExportPlan, *, then_claim: int | None = None) -> RefusedByVendor | None:
        """``PUT`` the order and set its initial status; ``then_claim``: the order to claim while the status
        write is out. A refused ``PUT`` is returned (the caller may find the order in Ongoing after all);
        any other failure of the ``PUT`` is raised, with nothing left in the lane for this order."""
        number = plan.payload.order_number
        try:
            created, bound = await self.batch.write_beside(
                self.lane, "ongoing", PUT_ORDERS, number, partial(self.warehouse.put_order, plan.payload),
                partial(self._bind, plan))
        except RefusedByVendor as refused:
            return refused
        if then_claim is not None:
            self.claim_soon(then_claim)
        status_number = self.table.ongoing_number(plan.initial_state)
        try:
            _, marked = await self.batch.write_beside(
                self.lane, "ongoing", PATCH_STATUS, str(created.order_id),
                partial(self.warehouse.patch_order_status, created.order_id, status_number),
                partial(self._mark_status, plan, status_number), detail={"orderStatusNumber": status_number})
        except Exception as error:
            self._sent.append(_Sent(plan, status_number, bound, None, error))
        else:
            self._sent.append(_Sent(plan, status_number, bound, marked))
        self._settle_done()
        return None

    async def settle(self) -> None:
        """Wait for every ledger job, and give each sent order its outcome."""
        while self._sent:
            await asyncio.wait(self._sent[0].jobs)
            self._settle(self._sent.popleft())
        for claim in self._claims.values():  # claims taken for orders never reached; the run lets go of all
            await asyncio.wait([claim])
            claim.exception()  # one that failed took nothing
        self._claims.clear()

    def _settle_done(self) -> None:
        while self._sent and all(job.done() for job in self._sent[0].jobs):
            self._settle(self._sent.popleft())

    def _settle(self, sent: _Sent) -> None:
        order_id, record = sent.plan.order.order_id, sent.record
        bind_error = sent.bound.exception()
        if bind_error is not None:
            if sent.status_marked is not None:
                sent.status_marked.exception()  # failed too (no binding to mark): the bind's failure says it
            # The order is in Ongoing but not bound: held, and adopted by number when it is tried again.
            self.batch.quarantine(ORDER_KIND, str(order_id), record, bind_error, payload={"orderId": order_id})
            let_go(self.batch, order_id, self.token)
            return
        state = describe(sent.plan.initial_state)
        if sent.status_error is not None:
            if not isinstance(sent.status_error, ConnectorError):
                self.batch.unexpected.append(f"{record}: {type(sent.status_error).__name__}: {sent.status_error}")
            self.batch.add(record, "created", f"initial status {sent.status_number} not yet set, retried next run: "
                                              f"{sent.status_error}")
            return
        assert sent.status_marked is not None
        mark_error = sent.status_marked.exception()
        if mark_error is not None:
            if not is_transient_ledger_error(mark_error):
                self.batch.unexpected.append(f"{record}: {type(mark_error).__name__}: {mark_error}")
            self.batch.add(record, "created", f"{state} (Ongoing status {sent.status_number}); the ledger did not "
                                              f"take the status ({mark_error}), so the next run reads it back")
            return
        self.batch.add(record, "created", f"{state} (Ongoing status {sent.status_number})")

    # --- ledger jobs (in the lane's thread, each in the transaction of its write's audit row) --------------

    def _bind(self, plan: ExportPlan, session: LedgerSession, created: OrderWriteResponse) -> None:
        merchant_id, order_id = self.batch.merchant_id, plan.order.order_id
        binding = bindings.mark_exported(
            session, merchant_id, starweb_order_id=order_id, order_number=plan.payload.order_number,
            ongoing_order_id=created.order_id, pushed_hash=plan.payload_hash, lines=lines_of(plan.payload),
            starweb_status_id=plan.order.status_id, starweb_created_at=plan.order.created_at,
            starweb_modified_at=plan.order.modified_at, silent=plan.silent)
        bindings.mark_state(binding, state=plan.initial_state.value)
        export_claims.let_go(session, merchant_id, order_id, self.token)
        quarantine.resolve(session, merchant_id, ORDER_KIND, str(order_id), "exported")

    def _mark_status(self, plan: ExportPlan, status_number: int, session: LedgerSession, _: object) -> None:
        bindings.set_initial_status(session, self.batch.merchant_id, plan.order.order_id,
                                    state=plan.initial_state.value, ongoing_status=status_number)
