from fastapi import APIRouter, Response

from abono.auth import CurrentPrincipal, StaffPrincipal
from abono.bounds import CodePath
from abono.db import SessionDep
from abono.money import CurrencyCode
from billing.catalog import service
from billing.catalog.schemas import (
    PriceAmount,
    PriceIn,
    ProductCreate,
    ProductDetail,
    ProductPublic,
    ProductUpdate,
)
from billing.cycles import Cycle
from billing.deps import ClockDep, problems

router = APIRouter(tags=["catalog"])


def _public(detail: ProductDetail) -> ProductPublic:
    return ProductPublic.model_validate(detail.model_dump(exclude={"driver", "driver_settings"}))


@router.get("/catalog/products", summary="The catalog: active products and prices (C-1..C-4)",
            responses=problems(401))
async def list_products(_: CurrentPrincipal, session: SessionDep) -> list[ProductPublic]:
    return [_public(p) for p in await service.list_products(session=session, include_inactive=False)]


@router.get("/catalog/products/{code}", summary="One active product with its prices", responses=problems(401, 404))
async def get_product(code: CodePath, _: CurrentPrincipal, session: SessionDep) -> ProductPublic:
    product = await service.get_product(session=session, code=code)
    return _public(await service.detail(session=session, product=product))


@router.get("/staff/catalog/products", summary="Every product, with drivers (staff)", responses=problems(401, 403))
async def staff_list_products(_: StaffPrincipal, session: SessionDep) -> list[ProductDetail]:
    return await service.list_products(session=session, include_inactive=True)


@router.post("/staff/catalog/products", status_code=201, summary="Create a product (staff)",
             responses=problems(401, 403, 409, 422))
async def create_product(body: ProductCreate, _: StaffPrincipal, session: SessionDep, clock: ClockDep
                         ) -> ProductDetail:
    product = await service.create_product(session=session, clock=clock, data=body)
    return await service.detail(session=session, product=product)


@router.patch("/staff/catalog/products/{code}", summary="Change a product; `active: false` withdraws it (staff)",
              responses=problems(401, 403, 404, 422))
async def update_product(code: CodePath, body: ProductUpdate, _: StaffPrincipal, session: SessionDep, clock: ClockDep
                         ) -> ProductDetail:
    product = await service.update_product(session=session, clock=clock, code=code, data=body)
    return await service.detail(session=session, product=product)


@router.put("/staff/catalog/products/{code}/prices/{cycle}/{currency}", summary="Set a price (staff, C-4)",
            responses=problems(401, 403, 404, 422))
async def set_price(code: CodePath, cycle: Cycle, currency: CurrencyCode, body: PriceAmount, _: StaffPrincipal,
                    session: SessionDep) -> ProductDetail:
    price = PriceIn(cycle=cycle, currency=currency, amount_minor=body.amount_minor)
    product = await service.set_price(session=session, code=code, price=price)
    return await service.detail(session=session, product=product)


@router.delete("/staff/catalog/products/{code}/prices/{cycle}/{currency}", status_code=204,
               summary="Remove a price (staff)", responses=problems(401, 403, 404))
async def delete_price(code: CodePath, cycle: Cycle, currency: CurrencyCode, _: StaffPrincipal, session: SessionDep
                       ) -> Response:
    await service.delete_price(session=session, code=code, cycle=cycle, currency=currency)
    return Response(status_code=204)
