"""The seed catalog (`catalog.seed_data`) loaded idempotently: missing products and prices are inserted, existing
ones are left as staff edited them. Only flushes; `python -m billing.seed` runs it in a transaction."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from billing.catalog.models import Product
from billing.catalog.repository import CatalogRepository
from billing.catalog.seed_data import SEED_PRODUCTS
from billing.cycles import Cycle


async def load_seed_catalog(session: AsyncSession) -> tuple[int, int]:
    """Insert the seed products and prices that are missing; returns (products added, prices added)."""
    now = datetime.now(UTC)
    products_added = prices_added = 0
    repo = CatalogRepository(session)
    for seed in SEED_PRODUCTS:
        products_added += await repo.add_product_once(Product(
            id=uuid.uuid4(), code=seed.code, name=seed.name, description=seed.description, kind=seed.kind,
            cycles=list(seed.cycles), activation=seed.activation, driver=seed.driver,
            driver_settings=seed.driver_settings, upgrade_to=list(seed.upgrade_to), active=True,
            created_at=now, updated_at=now))
        product = await repo.by_code(seed.code)
        assert product is not None
        for cycle in seed.cycles:
            for currency, monthly in seed.monthly_minor.items():
                prices_added += await repo.add_price_once(product.id, cycle, currency,
                                                          monthly * Cycle(cycle).months)
    return products_added, prices_added
