"""A local simulator of Ongoing WMS's Goods Owner REST API (v1, model v57) for tests and the demo."""

from integrations.ongoing.simulator.app import create_app
from integrations.ongoing.simulator.settings import OngoingSimSettings

__all__ = ["OngoingSimSettings", "create_app"]

