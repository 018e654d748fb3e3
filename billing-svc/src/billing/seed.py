"""Load the seed catalog, idempotently: `python -m billing.seed` (uses BILLING_DATABASE_URL).

Missing products and prices are inserted; existing ones are left as staff edited them.
"""

from __future__ import annotations

import asyncio

from abono.db import make_engine, make_sessionmaker, unit_of_work
from billing.catalog.seeding import load_seed_catalog
from billing.config import BillingSettings


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
