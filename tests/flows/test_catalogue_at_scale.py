"""End to end: a bigger catalogue, from the simulators' bulk seed, costs the product sync work in
proportion to its size: the first push reads each SKU's article binding once, not the whole catalogue's
bindings for every article it sends (which made the first push of a large shop quadratic)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event

from flows.product_sync import sync_products
from ledger.models import ArticleBinding
from tests.flows.actors import Warehouse, ledger_rows
from tests.flows.conftest import World

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

BULK_SKUS = 45


@pytest.fixture
def binding_loads() -> Iterator[list[str]]:
    """The SKU of every article binding the ledger loads from its database while the test runs."""
    loaded: list[str] = []

    def on_load(binding: ArticleBinding, _context: object) -> None:
        loaded.append(binding.sku)

    event.listen(ArticleBinding, "load", on_load)
    yield loaded
    event.remove(ArticleBinding, "load", on_load)


async def test_the_first_product_push_of_a_bulk_catalogue_loads_each_binding_a_bounded_number_of_times(
        world: World, binding_loads: list[str]) -> None:
    world.starweb.post("/_sim/seed/catalogue", json={"skus": BULK_SKUS, "stock": 5, "prefix": "LIN-",
                                                      "variantsPerProduct": 3}).raise_for_status()

    await sync_products("demo")

    pushed = {b.sku for b in ledger_rows(ArticleBinding)}
    bulk = {f"LIN-{n:06d}" for n in range(1, BULK_SKUS + 1)}
    assert bulk <= pushed, "every variant of the bulk catalogue became an article"
    warehouse = Warehouse(world.ongoing, world.sims.ongoing_api)
    for sku in ("LIN-000001", "LIN-000023", "LIN-000045"):
        article = warehouse.article(sku)
        assert article is not None and article["articleNumber"] == sku
    # Linear: a few loads per SKU at most (the run's start reads them all once); quadratic was ~N²/2.
    assert len(binding_loads) <= 3 * len(pushed), f"{len(binding_loads)} binding loads for {len(pushed)} SKUs"

    binding_loads.clear()
    await sync_products("demo")  # nothing changed: one read of the bindings to compare, nothing sent
    assert len(binding_loads) <= len(pushed)
