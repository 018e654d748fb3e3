import uuid
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from billing.catalog.models import Price, Product


class CatalogRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, product_id: uuid.UUID) -> Product | None:
        return await self.session.get(Product, product_id)

    async def by_code(self, code: str) -> Product | None:
        return await self.session.scalar(select(Product).where(Product.code == code))

    async def by_codes(self, codes: Sequence[str]) -> list[Product]:
        return list(await self.session.scalars(select(Product).where(Product.code.in_(codes))))

    async def all(self, *, include_inactive: bool) -> list[Product]:
        stmt = select(Product).order_by(Product.kind, Product.code)
        if not include_inactive:
            stmt = stmt.where(Product.active.is_(True))
        return list(await self.session.scalars(stmt))

    async def prices_of(self, product_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Price]]:
        rows = await self.session.scalars(
            select(Price).where(Price.product_id.in_(product_ids)).order_by(Price.currency, Price.cycle)
        )
        found: dict[uuid.UUID, list[Price]] = {pid: [] for pid in product_ids}
        for price in rows:
            found[price.product_id].append(price)
        return found

    async def price(self, product_id: uuid.UUID, cycle: str, currency: str) -> Price | None:
        return await self.session.get(Price, (product_id, cycle, currency))

    async def add(self, product: Product) -> None:
        self.session.add(product)
        await self.session.flush()

    async def add_product_once(self, product: Product) -> bool:
        """Insert the product unless one has its code: True if new."""
        columns = (c.key for c in Product.__table__.columns)
        values = {k: getattr(product, k) for k in columns if getattr(product, k) is not None}
        inserted = await self.session.execute(insert(Product).values(**values).on_conflict_do_nothing(
            index_elements=[Product.code]).returning(Product.id))
        return inserted.first() is not None

    async def add_price_once(self, product_id: uuid.UUID, cycle: str, currency: str, amount_minor: int) -> bool:
        """Insert the price unless the product has one for this cycle and currency: True if new."""
        inserted = await self.session.execute(insert(Price).values(
            product_id=product_id, cycle=cycle, currency=currency, amount_minor=amount_minor,
        ).on_conflict_do_nothing().returning(Price.product_id))
        return inserted.first() is not None

    async def set_price(self, product_id: uuid.UUID, cycle: str, currency: str, amount_minor: int) -> None:
        stmt = insert(Price).values(product_id=product_id, cycle=cycle, currency=currency, amount_minor=amount_minor)
        await self.session.execute(stmt.on_conflict_do_update(
            index_elements=[Price.product_id, Price.cycle, Price.currency], set_={"amount_minor": amount_minor}
        ))

    async def delete_price(self, product_id: uuid.UUID, cycle: str, currency: str) -> bool:
        result = await self.session.execute(
            delete(Price).where(Price.product_id == product_id, Price.cycle == cycle, Price.currency == currency)
            .returning(Price.product_id)
        )
        return result.first() is not None
