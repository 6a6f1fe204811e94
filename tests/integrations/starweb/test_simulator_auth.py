"""Auth and errors over real HTTP: Starweb's token endpoint, bearer checks and ErrorModel bodies."""

from __future__ import annotations

import httpx

from integrations.simulation.server import RunningServer
from tests.integrations.starweb.sim_fixtures import (  # noqa: F401
    CLIENT_ID,
    CLIENT_SECRET,
    fetch_token,
    shop_fixture,
    sim_admin_fixture,
    starweb_sim_fixture,
)


def api(server: RunningServer) -> str:
    return f"{server.root_url}/api/v2"


def test_the_token_endpoint_answers_starwebs_token_model(starweb_sim, sim_admin) -> None:
    response = httpx.post(f"{api(starweb_sim)}/token", data={
        "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "scope", "expires_in"}
    assert body["scope"] == "" and body["expires_in"] == 3600
    shop_info = httpx.get(f"{api(starweb_sim)}/shop", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert shop_info.status_code == 200 and shop_info.json()["data"]["baseCurrency"] == "SEK"


def test_wrong_credentials_are_a_400_invalid_client_not_a_401(starweb_sim, sim_admin) -> None:
    response = httpx.post(f"{api(starweb_sim)}/token", data={
        "grant_type": "client_credentials", "client_id": CLIENT_ID, "client_secret": "wrong"})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_client", "error_description": "invalid credentials"}


def test_a_grant_other_than_client_credentials_is_refused(starweb_sim, sim_admin) -> None:
    response = httpx.post(f"{api(starweb_sim)}/token", data={
        "grant_type": "password", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_missing_and_unknown_bearer_tokens_get_401_invalid_token(starweb_sim, sim_admin) -> None:
    missing = httpx.get(f"{api(starweb_sim)}/orders")
    unknown = httpx.get(f"{api(starweb_sim)}/orders", headers={"Authorization": "Bearer not-a-token"})
    for response in (missing, unknown):
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_token"
        assert response.json()["error_description"]


def test_expired_tokens_are_refused_until_the_client_fetches_a_new_one(starweb_sim, shop, sim_admin) -> None:
    assert shop.get("/orders").status_code == 200
    assert sim_admin.post("/tokens/expire").json()["expired"] >= 1
    refused = shop.get("/orders")
    assert refused.status_code == 401
    assert refused.json() == {"error": "invalid_token", "error_description": "The access token has expired"}
    fresh = fetch_token(api(starweb_sim))
    assert shop.get("/orders", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_a_token_dies_when_its_lifetime_has_passed(starweb_sim, shop, sim_admin) -> None:
    # A margin of real seconds: on a busy machine time passes between fetching the token and asking.
    sim_admin.post("/clock/advance", json={"seconds": 3570}).raise_for_status()
    assert shop.get("/shop").status_code == 200
    sim_admin.post("/clock/advance", json={"seconds": 31}).raise_for_status()
    assert shop.get("/shop").status_code == 401


def test_unknown_resources_and_wrong_methods_answer_in_error_model_shape(shop) -> None:
    missing = shop.get("/orders/999999")
    assert missing.status_code == 404
    assert missing.json() == {"error": "not_found", "error_description": "Order 999999 not found"}
    wrong_method = shop.post("/shipping-methods", json={})
    assert wrong_method.status_code == 405
    assert wrong_method.json()["error"] == "method_not_allowed"
    bad_query = shop.get("/orders", params={"sortBy": "colour"})
    assert bad_query.status_code == 400
    assert set(bad_query.json()) == {"error", "error_description"}
    assert "sortBy" in bad_query.json()["error_description"]
