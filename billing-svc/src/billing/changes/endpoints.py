"""A client's changes to its own services (B-11, B-14, B-15); another client's service is "not found"."""

import uuid

from fastapi import APIRouter
from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import CurrentPrincipal
from abono.db import SessionDep
from abono.money import MoneyModel
from billing.changes import cancellation, cycle, upgrades
from billing.changes.schemas import (
    CancelRequest,
    CycleChanged,
    CycleChangeRequest,
    ProrationPublic,
    ServiceUpdate,
    UpgradePlaced,
    UpgradePreview,
    UpgradeRequest,
)
from billing.deps import ClockDep, SettingsDep, problems
from billing.invoices.models import Invoice
from billing.invoices.repository import InvoiceRepository
from billing.invoices.schemas import InvoiceDetail, InvoiceLinePublic, InvoicePublic, PreviewLine
from billing.subscriptions.endpoints import service_public
from billing.subscriptions.schemas import ServicePublic

router = APIRouter(prefix="/services", tags=["services"])


async def _detail(session: AsyncSession, invoice: Invoice) -> InvoiceDetail:
    lines = await InvoiceRepository(session).lines(invoice.id)
    return InvoiceDetail(**InvoicePublic.of(invoice).model_dump(),
                         lines=[InvoiceLinePublic.of(line, invoice.currency) for line in lines])


def _preview(quote: upgrades.UpgradeQuote) -> UpgradePreview:
    lines = [PreviewLine.of(d, quote.target.code) for d in quote.lines]
    return UpgradePreview(
        service_id=quote.subscription.id, from_product=quote.current.code, to_product=quote.target.code,
        prorations=[ProrationPublic(
            period_start_on=p.period_start_on, period_end_on=p.period_end_on, old_price=MoneyModel.of(p.old_price),
            new_price=MoneyModel.of(p.new_price), remaining_days=p.remaining_days, period_days=p.period_days,
            difference=MoneyModel.of(p.amount), computation=p.describe()) for p in quote.prorations],
        lines=lines, total=MoneyModel.of(quote.total), credit=MoneyModel.of(quote.credit))


@router.patch("/{service_id}", summary="Switch my service's renewal off or on (how a domain stops)",
              responses=problems(401, 404, 409, 422))
async def update_service(service_id: uuid.UUID, body: ServiceUpdate, principal: CurrentPrincipal,
                         session: SessionDep, clock: ClockDep, settings: SettingsDep) -> ServicePublic:
    """Switches a service's renewal off (`renew: false`) or back on. Off, no renewal invoice is issued and the
    service ends when its paid period does; this is how a domain is stopped. Client only, own services only (404
    otherwise); 409 when the service has ended or is already cancelled, or its renewal invoice is already due."""
    sub = await cancellation.set_renew(session=session, clock=clock, settings=settings, client_id=principal.user_id,
                                       service_id=service_id, renew=body.renew)
    return await service_public(session, sub)


@router.post("/{service_id}/cycle", summary="Change my service's billing cycle",
             description="Allowed up to 5 days before the service's next renewal (a setting), to a cycle its product "
             "offers. The new cycle applies from the next period; a renewal invoice already issued and unpaid is "
             "cancelled and issued again for the new cycle.",
             responses=problems(401, 404, 409, 422))
async def change_cycle(service_id: uuid.UUID, body: CycleChangeRequest, principal: CurrentPrincipal,
                       session: SessionDep, clock: ClockDep, settings: SettingsDep) -> CycleChanged:
    done = await cycle.change_cycle(session=session, clock=clock, settings=settings, client_id=principal.user_id,
                                    service_id=service_id, cycle=body.cycle)
    return CycleChanged(service=await service_public(session, done.subscription),
                        cancelled_invoice_id=done.cancelled.id if done.cancelled else None,
                        invoice=await _detail(session, done.reissued) if done.reissued else None)


@router.post("/{service_id}/upgrade/preview", summary="What upgrading my service would cost, nothing changed",
             responses=problems(401, 404, 409, 422))
async def preview_upgrade(service_id: uuid.UUID, body: UpgradeRequest, principal: CurrentPrincipal,
                          session: SessionDep, clock: ClockDep, settings: SettingsDep) -> UpgradePreview:
    """What upgrading one of the client's services to `product_code` would cost now: the prorated difference for the
    rest of the paid period, the invoice lines and the credit that would be used. Nothing is changed. Client only
    (404 for another client's service); 409 when the upgrade is not possible (not active, same product, a
    downgrade, no upgrade path, or not sold in the service's cycle and currency)."""
    return _preview(await upgrades.quote_upgrade(session=session, clock=clock, settings=settings,
                                                 client_id=principal.user_id, service_id=service_id,
                                                 product_code=body.product_code))


@router.post("/{service_id}/upgrade", status_code=201,
             summary="Upgrade my service: an invoice for the prorated difference, applied once paid",
             responses=problems(401, 404, 409, 422))
async def upgrade(service_id: uuid.UUID, body: UpgradeRequest, principal: CurrentPrincipal, session: SessionDep,
                  clock: ClockDep, settings: SettingsDep) -> UpgradePlaced:
    """Requests an upgrade of one of the client's services to `product_code`: issues an invoice for the prorated
    difference; the service moves to the new product once that invoice is paid. Client only (404 for another
    client's service). 409 for the same reasons as the preview, or when an upgrade of this service is already
    waiting for payment."""
    placed, invoice, quote = await upgrades.request_upgrade(
        session=session, clock=clock, settings=settings, client_id=principal.user_id, service_id=service_id,
        product_code=body.product_code)
    return UpgradePlaced(upgrade_id=placed.id, status=placed.status, preview=_preview(quote),
                         invoice=await _detail(session, invoice))


@router.post("/{service_id}/cancel", summary="Cancel my service now or at the end of its paid period",
             description="`when: end_of_period` (the default) keeps the service until its paid period ends; "
             "`immediate` ends it now. Refused (409) while the client has unpaid invoices. Domains cannot be "
             "cancelled: switch their renewal off instead (`PATCH /services/{id}` with `renew: false`).",
             responses=problems(401, 404, 409, 422))
async def cancel(service_id: uuid.UUID, body: CancelRequest, principal: CurrentPrincipal, session: SessionDep,
                 clock: ClockDep, settings: SettingsDep) -> ServicePublic:
    sub = await cancellation.cancel_service(session=session, clock=clock, settings=settings,
                                            client_id=principal.user_id, service_id=service_id, when=body.when)
    return await service_public(session, sub)
