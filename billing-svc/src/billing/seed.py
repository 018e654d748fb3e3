"""Load the seed catalog, idempotently: `python -m billing.seed` (uses BILLING_DATABASE_URL).

Missing products and prices are inserted; existing ones are left as staff edited them.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from abono.db import make_engine, make_sessionmaker, unit_of_work
from billing.catalog.models import Price, Product
from billing.catalog.repository import CatalogRepository
from billing.catalog.seed_data import SEED_PRODUCTS
from billing.config import BillingSettings
from billing.cycles import Cycle


async def load_seed_catalog(session: AsyncSession) -> tuple[int, int]:
    """Insert the seed products and prices that are missing; returns (products added, prices added)."""
    now = datetime.now(UTC)
    products_added = prices_added = 0
    repo = CatalogRepository(session)
    for seed in SEED_PRODUCTS:
        inserted = await session.execute(
            insert(Product).values(
                id=uuid.uuid4(), code=seed.code, name=seed.name, description=seed.description, kind=seed.kind,
                cycles=list(seed.cycles), activation=seed.activation, driver=seed.driver,
                driver_settings=seed.driver_settings, upgrade_to=list(seed.upgrade_to), active=True,
                created_at=now, updated_at=now,
            ).on_conflict_do_nothing(index_elements=[Product.code]).returning(Product.id)
        )
        products_added += inserted.first() is not None
        product = await repo.by_code(seed.code)
        assert product is not None
        for cycle in seed.cycles:
            for currency, monthly in seed.monthly_minor.items():
                result = await session.execute(
                    insert(Price).values(product_id=product.id, cycle=cycle, currency=currency,
                                         amount_minor=monthly * Cycle(cycle).months)
                    .on_conflict_do_nothing().returning(Price.product_id)
                )
                prices_added += result.first() is not None
    return products_added, prices_added


async def main() -> None:
    engine = make_engine(BillingSettings().database_url, pool_size=1)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            products, prices = await load_seed_catalog(session)
    finally:
        await engine.dispose()
    print(f"billing seed: {products} products and {prices} prices added")


if __name__ == "__main__":
    asyncio.run(main())
