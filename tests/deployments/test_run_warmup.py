"""What the forkserver prepares once for the runs it forks, and what a run started from it is given."""

from __future__ import annotations

from pathlib import Path

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


def test_runs_of_a_plain_http_api_get_a_ca_file_of_one_certificate() -> None:
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_API_URL, temporary_settings

    from deployments.run_starts import light_ca_file_for_a_plain_http_api

    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4200/api"}), light_ca_file_for_a_plain_http_api():
        given = PREFECT_API_SSL_CERT_FILE.value()
        assert given and Path(given).read_text().count("BEGIN CERTIFICATE") == 1
    with temporary_settings({PREFECT_API_URL: "https://prefect.example/api"}):
        before = PREFECT_API_SSL_CERT_FILE.value()
        with light_ca_file_for_a_plain_http_api():
            assert PREFECT_API_SSL_CERT_FILE.value() == before  # an https API is verified as configured


def test_the_light_ca_settings_are_made_once_per_runner_settings_and_follow_a_change() -> None:
    from prefect.context import get_settings_context
    from prefect.settings import PREFECT_API_SSL_CERT_FILE, PREFECT_API_URL, temporary_settings

    from deployments.run_starts import light_ca_file_for_a_plain_http_api

    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        with light_ca_file_for_a_plain_http_api():
            first = get_settings_context().settings
        with light_ca_file_for_a_plain_http_api():
            assert get_settings_context().settings is first  # the run starts of one runner share them
    with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:4300/api"}), light_ca_file_for_a_plain_http_api():
        other = get_settings_context().settings
        assert other is not first and other.api.url == "http://127.0.0.1:4300/api"
        assert PREFECT_API_SSL_CERT_FILE.value() == first.api.ssl_cert_file
