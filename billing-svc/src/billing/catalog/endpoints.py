from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AfterValidator

from abono.auth import AdminPrincipal, CurrentPrincipal, StaffPrincipal
from abono.bounds import CodePath
from abono.countries import COUNTRIES, default_currency
from abono.db import ReadSessionDep, SessionDep
from abono.money import CurrencyCode
from billing.catalog import service
from billing.catalog.schemas import (
    CatalogChange,
    PriceAmount,
    PriceIn,
    ProductCreate,
    ProductDetail,
    ProductPublic,
    ProductUpdate,
    PublicCatalog,
)
from billing.cycles import Cycle
from billing.deps import ClockDep, problems

router = APIRouter(tags=["catalog"])


def _country(code: str | None) -> str | None:
    if code is not None and code not in COUNTRIES:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
    return code


CountryQuery = Annotated[str | None, Query(min_length=2, max_length=2, pattern="^[A-Z]{2}$"),
                         AfterValidator(_country)]


def _public(detail: ProductDetail) -> ProductPublic:
    staff_only = {"driver", "driver_settings", "provisioning_problem"}
    return ProductPublic.model_validate(detail.model_dump(exclude=staff_only))


@router.get("/catalog/products", summary="The catalog: active products and their prices",
            responses=problems(401))
async def list_products(_: CurrentPrincipal, session: SessionDep) -> list[ProductPublic]:
    """The active products with their prices per billing cycle and currency, in minor units. Any signed-in client;
    withdrawn products are not listed."""
    return [_public(p) for p in await service.list_products(session=session, include_inactive=False)]


@router.get(
    "/catalog/public", summary="The public catalog, in the visitor's currency (no login)",
    description="Active products and their prices, for a storefront: no token needed. The prices are in `currency` "
    "if given, else in the currency of the visitor's `country` (ISO 3166-1 alpha-2: the one a client from there is "
    "billed in), else in US dollars. A product without a price in that currency is listed without prices.",
    responses=problems(422), openapi_extra={"security": []},
)
async def public_catalog(session: ReadSessionDep, currency: CurrencyCode | None = None,
                         country: CountryQuery = None) -> PublicCatalog:
    chosen = currency or default_currency(country)
    products = await service.list_products(session=session, include_inactive=False)
    return PublicCatalog(currency=chosen, products=[
        _public(p).model_copy(update={"prices": [price for price in p.prices if price.currency == chosen]})
        for p in products])


@router.get("/catalog/products/{code}", summary="One active product with its prices", responses=problems(401, 404))
async def get_product(code: CodePath, _: CurrentPrincipal, session: SessionDep) -> ProductPublic:
    """One active product by its code, with its prices per cycle and currency (minor units). Any signed-in client;
    404 for an unknown or withdrawn product."""
    product = await service.get_product(session=session, code=code)
    return _public(await service.detail(session=session, product=product))


@router.get("/staff/catalog/products", summary="Every product, with drivers (staff)", responses=problems(401, 403))
async def staff_list_products(_: StaffPrincipal, session: SessionDep) -> list[ProductDetail]:
    """Every product, withdrawn ones included, with its prices and the provisioning driver and settings that set its
    services up. Staff and admins."""
    return await service.list_products(session=session, include_inactive=True)


@router.get("/staff/catalog/history", summary="The latest changes of the catalog and the coupons (staff)",
            responses=problems(401, 403, 422))
async def catalog_history(_: StaffPrincipal, session: SessionDep,
                          limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[CatalogChange]:
    """The latest changes of products, prices (domain extensions' register, renew and transfer prices included) and
    coupons, newest first: who made each, when, and the values before and after (a price in minor units). Staff and
    admins; `limit` from 1 to 200 (422 outside)."""
    return await service.history(session=session, limit=limit)


@router.post("/staff/catalog/products", status_code=201, summary="Create a product (admins)",
             description="`driver` and `driver_settings` say how provisioning sets its services up (`cpanel` with "
             "`server` and `package`, `staff-task` for manual products, or a generic HTTP endpoint's name). A driver, "
             "server or endpoint provisioning does not have is refused with 409 `driver-not-configured` (see "
             "`GET /staff/catalog/drivers`). Prices are per cycle and currency, in minor units. Admins only; the "
             "change is kept in the audit log.",
             responses=problems(401, 403, 409, 422))
async def create_product(body: ProductCreate, actor: AdminPrincipal, session: SessionDep, clock: ClockDep
                         ) -> ProductDetail:
    product = await service.create_product(session=session, clock=clock, actor=actor, data=body)
    return await service.detail(session=session, product=product)


@router.patch("/staff/catalog/products/{code}", summary="Change a product; `active: false` withdraws it (admins)",
              responses=problems(401, 403, 404, 409, 422))
async def update_product(code: CodePath, body: ProductUpdate, actor: AdminPrincipal, session: SessionDep,
                         clock: ClockDep) -> ProductDetail:
    """Changes some of a product's fields (only those sent): name, description, cycles, upgrade paths (products of
    the same kind it may be upgraded to), visibility. `active: false` withdraws it from sale: existing services keep
    running and renewing. Admins only, audited. 404 for an unknown code; 422 for invalid values, nothing changed."""
    product = await service.update_product(session=session, clock=clock, actor=actor, code=code, data=body)
    return await service.detail(session=session, product=product)


@router.put("/staff/catalog/products/{code}/prices/{cycle}/{currency}",
            summary="Set a product's price for one cycle and currency (admins)",
            responses=problems(401, 403, 404, 422))
async def set_price(code: CodePath, cycle: Cycle, currency: CurrencyCode, body: PriceAmount, actor: AdminPrincipal,
                    session: SessionDep, clock: ClockDep) -> ProductDetail:
    """Sets (creates or replaces) a product's price for one billing cycle and currency, in minor units. New orders
    use it at once, and so do renewal invoices issued from now on (they say the price is the current one); invoices
    already issued, and periods already paid, keep their price. Admins only, audited. 404 for an unknown product;
    422 for an invalid cycle, currency or amount. Setting the same price again changes nothing."""
    price = PriceIn(cycle=cycle, currency=currency, amount_minor=body.amount_minor)
    product = await service.set_price(session=session, clock=clock, actor=actor, code=code, price=price)
    return await service.detail(session=session, product=product)
