"""``swo automations apply`` refuses, in one line, to install alerts on no server at all (an ephemeral
Prefect API would take them and forget them)."""

from __future__ import annotations

from prefect.settings import PREFECT_API_URL, temporary_settings
from typer.testing import CliRunner

from swo.cli import app


def test_without_a_prefect_server_nothing_is_applied_and_the_operator_is_told_where_to_point() -> None:
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        result = CliRunner().invoke(app, ["automations", "apply", "--notify", "slack-webhook/ops-alerts"])

    assert result.exit_code == 1
    assert result.output.strip() == ("PREFECT_API_URL is not set: point it at the Prefect server the deployments run "
                                     "on, e.g. PREFECT_API_URL=http://127.0.0.1:4200/api")
