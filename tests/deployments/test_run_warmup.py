"""The forkserver's warm-up: what it prepares once is what each forked run would otherwise do itself."""

from __future__ import annotations

from pydantic import BaseModel

from deployments.run_starts import WARM_UP_MODULE, preload_for


def test_the_forkserver_warms_up_after_importing_the_flows() -> None:
    modules = preload_for(["flows/order_export.py:export_orders"])
    assert modules.index("flows.order_export") < modules.index(WARM_UP_MODULE) == len(modules) - 1


def test_the_warm_up_builds_every_deferred_model_of_the_connector_and_the_tls_context() -> None:
    import flows.order_export  # noqa: F401  the forkserver imports the flows first
    from deployments.run_warmup import warm_up
    from integrations.http import tls_context

    warm_up()  # again: importing the module did it once already

    def models(base: type[BaseModel]) -> list[type[BaseModel]]:
        return [m for sub in base.__subclasses__() for m in (sub, *models(sub))]

    ours = [m for m in models(BaseModel) if m.__module__.split(".")[0] in ("domain", "integrations")]
    assert ours and [m.__name__ for m in ours if not m.__pydantic_complete__] == []
    assert tls_context.cache_info().currsize == 1
