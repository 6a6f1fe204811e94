"""The Ongoing WMS simulator as one FastAPI app: vendor routes under ``/{warehouse}/api/v1`` behind
HTTP Basic, the ``/_sim`` admin surface at the root, fault injection with Ongoing's error shape.

Pointing a client at the real Ongoing is a change of base URL and credentials: paths, v57 member names,
nulls, id-cursor paging and ``{"Message": …}`` errors follow Ongoing's published contract.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI

from integrations.ongoing.simulator import (
    admin,
    articles,
    order_patches,
    orders,
    purchase_orders,
    reference,
    return_arrivals,
    returns,
    webhooks,
)
from integrations.ongoing.simulator.auth import vendor_access
from integrations.ongoing.simulator.errors import AUTH_DENIED, INTERNAL_ERROR, install_error_handlers
from integrations.ongoing.simulator.settings import OngoingSimSettings
from integrations.ongoing.simulator.state import SimState
from integrations.ongoing.simulator.timefmt import utc_now
from integrations.simulation.call_log import CallLog, CallLogMiddleware, call_log_router
from integrations.simulation.date_header import DateHeaderMiddleware
from integrations.simulation.faults import FaultInjector, FaultMiddleware, fault_router
from integrations.simulation.store import DocumentStore
from integrations.simulation.webhook_delivery import WebhookSender

ONGOING_ERROR_BODIES = {
    "429": {"Message": "Too many requests. Please slow down."},
    "500": {"Message": INTERNAL_ERROR},
    "401": {"Message": AUTH_DENIED},
    # Ongoing does not publish the wording of its consecutive-failure lockout; the status is 403.
    "lockout": {"Message": "Too many failed calls from this API user. Access is blocked for a while."},
    "default": {"Message": INTERNAL_ERROR},
}


def create_app(*, store: DocumentStore | None = None, settings: OngoingSimSettings | None = None) -> FastAPI:
    settings = settings or OngoingSimSettings()
    store = store or DocumentStore(settings.state_path)
    state = SimState(store, settings)

    app = FastAPI(title="Ongoing WMS simulator", description="Goods Owner REST API v1 (model v57), simulated.")
    install_error_handlers(app)

    vendor = APIRouter(prefix="/{warehouse}/api/v1", dependencies=[Depends(vendor_access(settings))])
    # Fixed paths (/orders/statuses …) are registered before their /{id} siblings inside each module.
    for module in (articles, orders, order_patches, purchase_orders, returns, reference):
        vendor.include_router(module.build_router(state))
    app.include_router(vendor)
    app.include_router(admin.build_router(state))
    app.include_router(return_arrivals.build_router(state))
    sender = WebhookSender()
    state.listener = webhooks.WarehouseWebhooks(state, sender)
    app.include_router(webhooks.build_router(state, sender))

    injector = FaultInjector()
    app.include_router(fault_router(injector))
    app.add_middleware(FaultMiddleware, injector=injector, error_body=ONGOING_ERROR_BODIES)
    calls = CallLog()
    app.include_router(call_log_router(calls))
    # Around the fault middleware, so a call a fault answers is counted too (under its raw path).
    app.add_middleware(CallLogMiddleware, log=calls)
    app.add_middleware(DateHeaderMiddleware, now=utc_now)
    app.state.sim = state
    app.state.calls = calls
    app.state.faults = injector
    app.state.webhooks = sender
    return app
