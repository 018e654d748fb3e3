"""Catalog rules (C-1..C-4): allowed cycles, prices only for allowed cycles, upgrade paths within one kind. Admins
change the catalog (issue 14 item 3), each change in the audit log with who, when, before and after. A new price is
for new orders and for renewals not yet invoiced (B-16); issued invoices keep theirs (B-9)."""

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import Principal
from abono.clock import Clock
from abono.errors import Conflict, InvalidInput, NotFound
from billing.audit.repository import AuditRepository
from billing.catalog.models import Price, Product
from billing.catalog.repository import CatalogRepository
from billing.catalog.schemas import CatalogChange, PriceIn, PricePublic, ProductCreate, ProductDetail, ProductUpdate
from billing.cycles import Cycle
from billing.drivers import service as drivers
from billing.drivers.repository import ReportedDrivers

AUDIT_TARGET = "product"
_AUDITED = ("name", "description", "kind", "cycles", "activation", "driver", "driver_settings", "upgrade_to",
            "active")


def _fields(product: Product) -> dict[str, Any]:
    return {name: getattr(product, name) for name in _AUDITED}


async def audit_change(session: AsyncSession, *, actor: Principal, action: str, product: Product, at: datetime,
                       before: Any, after: Any, **extra: str) -> None:
    """One change of a product or its prices in billing's audit log: who, when, the product's code, before, after
    (the TLD price list writes its changes here too)."""
    await AuditRepository(session).add(
        actor_id=actor.user_id, action=action, target_type=AUDIT_TARGET, target_id=product.id, at=at,
        details={"code": product.code, "actor_email": actor.email, **extra, "before": before, "after": after})


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


async def create_product(*, session: AsyncSession, clock: Clock, actor: Principal, data: ProductCreate) -> Product:
    """C-1..C-4: a new product with its prices (audited)."""
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
    await audit_change(session, actor=actor, action="product_created", product=product, at=now, before=None,
                 after={**_fields(product), "prices": [p.model_dump(mode="json") for p in data.prices]})
    return product


async def update_product(*, session: AsyncSession, clock: Clock, actor: Principal, code: str, data: ProductUpdate
                         ) -> Product:
    """Change a product's fields (its code stays), audited; `active: false` withdraws it from new orders while its
    services keep running and renewing."""
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
    before = _fields(product)
    for name, value in changes.items():
        if value is not None:
            setattr(product, name, value)
    after = _fields(product)
    if after == before:
        return product  # nothing changed: nothing to audit
    product.updated_at = clock.now()
    await session.flush()
    changed = sorted(k for k in _AUDITED if before[k] != after[k])
    await audit_change(session, actor=actor, action="product_updated", product=product, at=product.updated_at,
                 before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return product


async def set_price(*, session: AsyncSession, clock: Clock, actor: Principal, code: str, price: PriceIn) -> Product:
    """C-4: set one price (product, cycle, currency), audited. New orders and renewals not yet invoiced use it
    (B-16); invoices already issued keep their lines (B-9)."""
    product = await get_product(session=session, code=code, include_inactive=True)
    _check_prices(product.cycles, [price])
    repo = CatalogRepository(session)
    old = await repo.price(product.id, price.cycle.value, price.currency)
    before = None if old is None else old.amount_minor
    if before == price.amount_minor:
        return product  # the same price again changes nothing
    await repo.set_price(product.id, price.cycle.value, price.currency, price.amount_minor)
    await audit_change(session, actor=actor, action="price_set", product=product, at=clock.now(), before=before,
                 after=price.amount_minor, cycle=price.cycle.value, currency=price.currency)
    return product


RenewingAt = Callable[[uuid.UUID, str, str], Awaitable[int]]
"""How many services renew at a product's price for a cycle and currency: the catalog sits below subscriptions, so
whoever removes a price hands it in (billing.console passes the subscriptions' count)."""


async def delete_price(*, session: AsyncSession, clock: Clock, actor: Principal, code: str, cycle: Cycle,
                       currency: str, renewing_at: RenewingAt) -> None:
    """Remove one price (audited); 404 if there was none, 409 while services still renew at it (B-16: they would
    have no price to renew at)."""
    product = await get_product(session=session, code=code, include_inactive=True)
    repo = CatalogRepository(session)
    old = await repo.price(product.id, cycle.value, currency)
    if old is None:
        raise NotFound("No such price.")
    renewing = await renewing_at(product.id, cycle.value, currency)
    if renewing:
        raise Conflict(f"{renewing} service(s) of {product.name} renew at this price: change the amount instead, "
                       "or withdraw the product from sale.")
    before = old.amount_minor
    await repo.delete_price(product.id, cycle.value, currency)
    await audit_change(session, actor=actor, action="price_deleted", product=product, at=clock.now(), before=before,
                 after=None, cycle=cycle.value, currency=currency)


async def history(*, session: AsyncSession, limit: int) -> list[CatalogChange]:
    """The latest audited changes of products, prices (TLD prices included) and coupons, newest first."""
    entries = await AuditRepository(session).latest([AUDIT_TARGET, "coupon"], limit=limit)
    return [CatalogChange(at=e.at, actor_id=e.actor_id, actor_email=e.details.get("actor_email"), action=e.action,
                          code=e.details.get("code", ""), cycle=e.details.get("cycle"),
                          currency=e.details.get("currency"), before=e.details.get("before"),
                          after=e.details.get("after")) for e in entries]
