"""Catalog rules (C-1..C-4): allowed cycles, prices only for allowed cycles, upgrade paths within one kind."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict, InvalidInput, NotFound
from billing.catalog.models import Price, Product
from billing.catalog.repository import CatalogRepository
from billing.catalog.schemas import PriceIn, PricePublic, ProductCreate, ProductDetail, ProductUpdate
from billing.cycles import Cycle
from billing.drivers import service as drivers
from billing.drivers.repository import ReportedDrivers


async def _check_upgrades(repo: CatalogRepository, *, kind: str, code: str, targets: Sequence[str]) -> None:
    if code in targets:
        raise InvalidInput("A product cannot be upgraded to itself.")
    found = {p.code: p for p in await repo.by_codes(list(targets))}
    missing = sorted(set(targets) - set(found))
    if missing:
        raise InvalidInput(f"Unknown upgrade targets: {', '.join(missing)}.")
    # C-3: an upgrade path stays within one category.
    other = sorted(c for c, p in found.items() if p.kind != kind)
    if other:
        raise InvalidInput(f"Upgrade targets of another kind: {', '.join(other)}.")


def _check_prices(cycles: Sequence[str], prices: Sequence[PriceIn]) -> None:
    wrong = sorted({p.cycle.value for p in prices} - set(cycles))
    if wrong:
        raise InvalidInput(f"Prices for cycles the product does not allow: {', '.join(wrong)}.")


def _detail(product: Product, prices: Sequence[Price], reported: ReportedDrivers | None) -> ProductDetail:
    return ProductDetail(
        id=product.id, code=product.code, name=product.name, description=product.description, kind=product.kind,
        cycles=[Cycle(c) for c in product.cycles], activation=product.activation, upgrade_to=product.upgrade_to,
        active=product.active, prices=[PricePublic.model_validate(p) for p in prices], driver=product.driver,
        driver_settings=product.driver_settings,
        provisioning_problem=drivers.problem(reported, product.driver, product.driver_settings),
    )


async def detail(*, session: AsyncSession, product: Product) -> ProductDetail:
    """A product with its prices, as staff see it."""
    prices = (await CatalogRepository(session).prices_of([product.id]))[product.id]
    return _detail(product, prices, await drivers.latest(session))


async def list_products(*, session: AsyncSession, include_inactive: bool) -> list[ProductDetail]:
    """Every product (active only unless asked) with its prices."""
    repo = CatalogRepository(session)
    products = await repo.all(include_inactive=include_inactive)
    prices = await repo.prices_of([p.id for p in products])
    reported = await drivers.latest(session)
    return [_detail(product, prices[product.id], reported) for product in products]


async def get_product(*, session: AsyncSession, code: str, include_inactive: bool = False) -> Product:
    """The product with `code`, or 404 (inactive ones only for staff)."""
    product = await CatalogRepository(session).by_code(code)
    if product is None or (not product.active and not include_inactive):
        raise NotFound(f"No product {code!r}.")
    return product


async def create_product(*, session: AsyncSession, clock: Clock, data: ProductCreate) -> Product:
    """C-1..C-4: a new product with its prices."""
    repo = CatalogRepository(session)
    if await repo.by_code(data.code) is not None:
        raise Conflict(f"A product {data.code!r} exists already.")
    cycles = [c.value for c in data.cycles]
    _check_prices(cycles, data.prices)
    await _check_upgrades(repo, kind=data.kind.value, code=data.code, targets=data.upgrade_to)
    await drivers.check_product(session, code=data.code, driver=data.driver, settings=data.driver_settings)
    now = clock.now()
    product = Product(
        code=data.code, name=data.name, description=data.description, kind=data.kind.value, cycles=cycles,
        activation=data.activation.value, driver=data.driver, driver_settings=data.driver_settings,
        upgrade_to=list(data.upgrade_to), active=True, created_at=now, updated_at=now,
    )
    await repo.add(product)
    for price in data.prices:
        await repo.set_price(product.id, price.cycle.value, price.currency, price.amount_minor)
    return product


async def update_product(*, session: AsyncSession, clock: Clock, code: str, data: ProductUpdate) -> Product:
    """Change a product's fields (its code stays)."""
    repo = CatalogRepository(session)
    product = await get_product(session=session, code=code, include_inactive=True)
    changes = data.model_dump(exclude_unset=True, mode="json")
    if data.cycles is not None:
        prices = (await repo.prices_of([product.id]))[product.id]
        _check_prices(changes["cycles"], [PriceIn(cycle=Cycle(p.cycle), currency=p.currency,
                                                  amount_minor=p.amount_minor) for p in prices])
    if data.upgrade_to is not None:
        await _check_upgrades(repo, kind=product.kind, code=product.code, targets=data.upgrade_to)
    after = {name: getattr(product, name) if changes.get(name) is None else changes[name]
             for name in ("driver", "driver_settings", "active")}
    if after["active"] and {"driver", "driver_settings", "active"} & changes.keys():  # #19 item 3: it must run
        await drivers.check_product(session, code=product.code, driver=after["driver"],
                                    settings=after["driver_settings"])
    for name, value in changes.items():
        if value is not None:
            setattr(product, name, value)
    product.updated_at = clock.now()
    await session.flush()
    return product


async def set_price(*, session: AsyncSession, code: str, price: PriceIn) -> Product:
    """C-4: set one price (product, cycle, currency)."""
    product = await get_product(session=session, code=code, include_inactive=True)
    _check_prices(product.cycles, [price])
    await CatalogRepository(session).set_price(product.id, price.cycle.value, price.currency, price.amount_minor)
    return product


async def delete_price(*, session: AsyncSession, code: str, cycle: Cycle, currency: str) -> None:
    """Remove one price; 404 if there was none."""
    product = await get_product(session=session, code=code, include_inactive=True)
    if not await CatalogRepository(session).delete_price(product.id, cycle.value, currency):
        raise NotFound("No such price.")
