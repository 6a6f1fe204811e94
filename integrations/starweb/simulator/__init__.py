"""A local stand-in for a Starweb shop's Shop API v2, faithful to Starweb's published contract.

Same paths, field names, envelopes, paging, OAuth2 client-credentials auth and error shape as a
real shop, plus the side effects a connector must respect (status e-mails, payment processing,
stock), recorded on an admin surface under ``/_sim`` so tests can see them.
"""

from integrations.starweb.simulator.app import create_app
from integrations.starweb.simulator.settings import StarwebSimSettings

__all__ = ["StarwebSimSettings", "create_app"]
