"""The soak's own actors outlive a Starweb token: the full-size soak runs for over an hour, and its shoppers
were refused (401) at the 22nd tick of 24 when the token they took at the start expired."""

from __future__ import annotations

import time

import httpx

from bench.soak_actors import ShopToken
from integrations.simulation.server import serve_in_thread
from integrations.starweb.simulator import StarwebSimSettings
from integrations.starweb.simulator import create_app as create_starweb_app


def test_the_shop_actor_takes_a_new_token_when_starweb_says_its_token_expired() -> None:
    server = serve_in_thread(create_starweb_app(settings=StarwebSimSettings(token_lifetime_seconds=1)))
    api = f"{server.root_url}/api/v2"
    token = ShopToken(api)
    try:
        with httpx.Client(base_url=api, auth=token, timeout=30) as shop:
            assert shop.get("/orders").status_code == 200
            first = token.token
            time.sleep(1.5)  # the simulator's token has expired

            assert shop.get("/orders").status_code == 200
            assert token.token is not None and token.token != first
    finally:
        server.stop()
