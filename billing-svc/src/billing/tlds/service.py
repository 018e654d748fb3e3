"""D-1: the TLD price list, read by clients (the panel's *Contratar*) and staff, changed by admins (issue 14 item 3),
each change in the catalog's audit log."""

from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import Principal
from abono.clock import Clock
from abono.errors import InvalidInput, NotFound
from billing.catalog.models import Product, ProductKind
from billing.catalog.repository import CatalogRepository
from billing.catalog.service import audit_change
from billing.cycles import Cycle
from billing.tlds.repository import TldPriceRepository
from billing.tlds.schemas import TldPriceIn, TldPricePublic, TldPublic


def tld_of(product: Product) -> str:
    """The TLD a domain product sells (`driver_settings.tld`, else from its code `domain-com-ar`)."""
    tld = str(product.driver_settings.get("tld") or product.code.removeprefix("domain-").replace("-", "."))
    return tld.lstrip(".")


def transfers_in(product: Product) -> bool:
    """D-3: the TLD takes transfers in with an EPP code, unless its product says `transfer_in: false`."""
    return product.driver_settings.get("transfer_in", True) is not False


def check_domain_line(product: Product, domain: str | None, quantity: int, *, transfer: bool = False) -> None:
    """D-1: a domain line names one domain of the product's TLD (a name is registered once, never by the dozen)."""
    tld = tld_of(product)
    if not domain or not domain.strip():
        raise InvalidInput(f"{product.name}: say which domain to register (e.g. mysite.{tld}).")
    if quantity != 1:
        raise InvalidInput(f"{product.name}: a domain is ordered one at a time (quantity 1), {domain} included.")
    label = domain.strip().lower().removesuffix(".").removesuffix(f".{tld}")
    if label == domain.strip().lower().removesuffix(".") or not label or "." in label:
        raise InvalidInput(f"{domain!r} is not a .{tld} name; {product.name} registers .{tld} domains.")
    # D-3: some registries move a domain themselves, no EPP code.
    if transfer and not transfers_in(product):
        raise InvalidInput(f".{tld} domains are not transferred with an EPP code: the holder moves them at the "
                           "registry itself.")


async def price_list(*, session: AsyncSession) -> list[TldPublic]:
    """Every active domain product with, per cycle and currency, its register, renew and transfer price (register
    and transfer default to the renew price where the TLD list has none)."""
    catalog = CatalogRepository(session)
    products = [p for p in await catalog.all(include_inactive=False) if p.kind == ProductKind.DOMAIN]
    renew = await catalog.prices_of([p.id for p in products])
    listed = await TldPriceRepository(session).of_products([p.id for p in products])
    answer = []
    for product in products:
        prices = []
        for price in renew[product.id]:
            cycle = Cycle(price.cycle)
            if cycle.value not in product.cycles or cycle.months % 12:
                continue
            row = listed.get((product.id, price.cycle, price.currency))
            prices.append(TldPricePublic(
                cycle=cycle, years=cycle.months // 12, currency=price.currency, renew_minor=price.amount_minor,
                register_minor=row.register_minor if row else price.amount_minor,
                transfer_minor=row.transfer_minor if row else price.amount_minor))
        answer.append(TldPublic(product_code=product.code, name=product.name, tld=tld_of(product),
                                cycles=[Cycle(c) for c in product.cycles], prices=prices,
                                transfers=transfers_in(product)))
    return answer


async def set_price(*, session: AsyncSession, clock: Clock, actor: Principal, code: str, cycle: Cycle, currency: str,
                    body: TldPriceIn) -> None:
    """Admins: a TLD's prices for a cycle of whole years in a currency; the renew price is the catalog price. Audited
    with the three prices before and after; the same prices again change nothing and are not recorded."""
    catalog = CatalogRepository(session)
    product = await catalog.by_code(code)
    if product is None or product.kind != ProductKind.DOMAIN:
        raise NotFound("No domain product with that code.")
    if cycle.value not in product.cycles or cycle.months % 12:
        raise InvalidInput(f"{product.name} is not sold {cycle.value} (domains are sold in whole years).")
    tlds = TldPriceRepository(session)
    renew = await catalog.price(product.id, cycle.value, currency)
    listed = await tlds.get(product.id, cycle.value, currency)
    before = None if renew is None and listed is None else {
        "register_minor": listed.register_minor if listed else None,
        "renew_minor": renew.amount_minor if renew else None,
        "transfer_minor": listed.transfer_minor if listed else None}
    after = {"register_minor": body.register_minor, "renew_minor": body.renew_minor,
             "transfer_minor": body.transfer_minor}
    if before == after:
        return  # the same prices again: nothing changes, nothing to audit
    await catalog.set_price(product.id, cycle.value, currency, body.renew_minor)
    await tlds.put(product_id=product.id, cycle=cycle.value, currency=currency, register_minor=body.register_minor,
                   transfer_minor=body.transfer_minor)
    await session.flush()
    await audit_change(session, actor=actor, action="tld_price_set", product=product, at=clock.now(), before=before,
                       after=after, cycle=cycle.value, currency=currency)
