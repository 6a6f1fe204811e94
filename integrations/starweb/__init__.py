"""Starweb Shop API v2: the async client, its models and the simulator that mimics a shop.

Use ``StarwebClient(StarwebSettings(base_url=..., client_id=..., client_secret=...))`` as an async
context manager; models live in ``integrations.starweb.models``.
"""

from integrations.starweb.client import StarwebClient, StarwebSettings

__all__ = ["StarwebClient", "StarwebSettings"]
