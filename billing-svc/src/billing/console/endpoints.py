"""The console's billing endpoints (issue 14 items 1, 2, 3, 6): staff and admins only."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from abono.auth import AdminPrincipal, StaffPrincipal
from abono.bounds import CodePath, OffsetQuery, PageSizeQuery, SearchQuery
from abono.db import SessionDep
from abono.money import CurrencyCode, MoneyModel
from billing.catalog import service as catalog
from billing.console import service
from billing.console.repository import ConsoleRepository, InvoiceFilters
from billing.console.schemas import BillingWork, ClientBilling, CreditAdjustment, MonthlyFigure, WaitingTransfer
from billing.cycles import Cycle
from billing.deps import ClockDep, SettingsDep, problems
from billing.invoices.models import InvoiceStatus
from billing.invoices.schemas import InvoicePublic
from billing.orders.schemas import OrderPlaced, OrderRequest
from billing.subscriptions.repository import SubscriptionRepository

router = APIRouter(prefix="/staff", tags=["staff: billing"])
# Catalog changes that need to know about the services sold (the catalog package sits below subscriptions).
catalog_router = APIRouter(tags=["catalog"])
Currency = Annotated[str, Query(pattern=r"^[A-Z]{3}$", max_length=3)]
Method = Annotated[str, Query(pattern=r"^[a-z0-9_]{2,40}$", max_length=40)]
EXPORT_LIMIT = 50_000


async def _filters(
    q: SearchQuery | None = None,
    status: InvoiceStatus | None = None,
    currency: Currency | None = None,
    method: Method | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
    client_id: uuid.UUID | None = None,
) -> InvoiceFilters:
    """The console's invoice filters, as query parameters: the one place the search and its CSV export read them."""
    return InvoiceFilters(
        q=q,
        status=status.value if status else None,
        currency=currency,
        method=method,
        due_from=due_from,
        due_to=due_to,
        client_id=client_id,
    )


Filters = Annotated[InvoiceFilters, Depends(_filters)]


@router.get(
    "/invoices",
    summary="Invoices by number, payment reference, amount or a transfer report's reference, "
    "and by status, due range, currency, method (staff)",
    responses=problems(401, 403, 422),
)
async def search_invoices(
    _: StaffPrincipal,
    session: SessionDep,
    filters: Filters,
    limit: PageSizeQuery = 100,
    offset: OffsetQuery = 0,
) -> list[InvoicePublic]:
    """Searches every client's invoices. `q` matches an invoice number, a payment reference, an amount or a reported
    transfer's reference; filter by status, due date range, currency, payment method and client. Staff only;
    paged with `limit` and `offset`; 422 for invalid filters."""
    return [InvoicePublic.of(i) for i in await ConsoleRepository(session).invoices(filters, limit=limit, offset=offset)]


@router.get(
    "/invoices-export",
    summary="The same invoice list as CSV (staff)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}, **problems(401, 403, 422)},
)
async def export_invoices(
    _: StaffPrincipal,
    session: SessionDep,
    filters: Filters,
) -> Response:
    """The same search as `GET /staff/invoices` (same filters, without paging) as a CSV download, `invoices.csv`, at
    most 50,000 rows. Staff only; 422 for invalid filters."""
    invoices = await ConsoleRepository(session).invoices(filters, limit=EXPORT_LIMIT)
    return Response(
        service.invoices_csv(invoices),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="invoices.csv"'},
    )


@router.post(
    "/invoices/{invoice_id}/resend",
    summary="Send an unpaid invoice to the client again (staff, audited)",
    responses=problems(401, 403, 404, 409),
)
async def resend_invoice(
    invoice_id: uuid.UUID, principal: StaffPrincipal, session: SessionDep, clock: ClockDep
) -> InvoicePublic:
    """Sends an unpaid invoice to the client again: the client gets the invoice e-mail once more. Staff only;
    recorded in the audit trail. 404 for an unknown invoice; 409 when it is not unpaid."""
    invoice = await service.resend_invoice(
        session=session, clock=clock, actor_id=principal.user_id, invoice_id=invoice_id
    )
    return InvoicePublic.of(invoice)


@router.get(
    "/transfers/waiting",
    summary="Reported transfers whose invoice is still unpaid, oldest first (staff)",
    responses=problems(401, 403),
)
async def waiting_transfers(
    _: StaffPrincipal, session: SessionDep, limit: PageSizeQuery = 200
) -> list[WaitingTransfer]:
    """Transfers clients reported whose invoice is still unpaid, oldest first: what staff must check against the
    bank before confirming. Staff only."""
    return service.waiting(await ConsoleRepository(session).waiting_transfers(limit=limit))


@router.get(
    "/clients/{client_id}",
    summary="A client's services, invoices, payments, credit, transfer reports and audit trail (staff)",
    responses=problems(401, 403),
)
async def client_billing(client_id: uuid.UUID, _: StaffPrincipal, session: SessionDep) -> ClientBilling:
    """Everything billing knows about one client for the staff console: services, invoices, payments, credit
    balances, reported transfers and the audit trail of staff actions. Staff only."""
    return await service.client_billing(session=session, client_id=client_id)


@router.post(
    "/clients/{client_id}/credit",
    summary="A manual credit (positive) or debit (negative) with the reason (staff, audited)",
    responses=problems(401, 403, 404, 409, 422),
)
async def adjust_credit(
    client_id: uuid.UUID, body: CreditAdjustment, principal: StaffPrincipal, session: SessionDep, clock: ClockDep
) -> list[MoneyModel]:
    """Adds credit (positive `amount_minor`) to a client's balance in one currency, or takes it off (negative), with
    the reason. Staff only; audited. Answers the client's balances. 404 for an unknown client; 409 for zero or a
    debit that would take the balance below zero."""
    return await service.adjust_credit(
        session=session, clock=clock, actor_id=principal.user_id, client_id=client_id, body=body
    )


@router.post(
    "/clients/{client_id}/orders",
    status_code=201,
    summary="Place an order for the client (staff, audited)",
    responses=problems(401, 403, 404, 409, 422),
)
async def order_for_client(
    client_id: uuid.UUID,
    body: OrderRequest,
    principal: StaffPrincipal,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
) -> OrderPlaced:
    """Places an order on a client's behalf, as if they had ordered it in the panel: creates the services and issues
    the invoice for them; the client is e-mailed the invoice. Staff only; audited. 404 for an unknown client or
    product; 409 or 422 when the order is refused, nothing created."""
    return await service.order_for_client(
        session=session, clock=clock, settings=settings, actor_id=principal.user_id, client_id=client_id, request=body
    )


@router.get(
    "/work", summary="What waits for a person today: transfers, invoices due (staff)", responses=problems(401, 403)
)
async def work(_: StaffPrincipal, session: SessionDep, clock: ClockDep, settings: SettingsDep) -> BillingWork:
    """Today's to-do list for staff: how many reported transfers wait for confirmation, and the unpaid invoices due
    this week and overdue. Staff only."""
    return await service.work(session=session, clock=clock, settings=settings)


@router.get(
    "/figures/monthly",
    summary="Invoiced and collected per month and currency (staff)",
    responses=problems(401, 403, 422),
)
async def monthly(
    _: StaffPrincipal,
    session: SessionDep,
    clock: ClockDep,
    settings: SettingsDep,
    months: Annotated[int, Query(ge=1, le=36)] = 12,
) -> list[MonthlyFigure]:
    """Per month and currency, how much was invoiced and how much collected, for the last `months` months (1 to 36,
    default 12). Staff only; 422 outside that range."""
    return await service.monthly_figures(session=session, clock=clock, settings=settings, months=months)


@catalog_router.delete("/staff/catalog/products/{code}/prices/{cycle}/{currency}", status_code=204,
               summary="Remove a price (admins)", responses=problems(401, 403, 404, 409))
async def delete_price(code: CodePath, cycle: Cycle, currency: CurrencyCode, actor: AdminPrincipal,
                       session: SessionDep, clock: ClockDep) -> Response:
    """Removes a product's price for one billing cycle and currency: the product can no longer be ordered in that
    cycle and currency. Refused with 409 while services still renew at that price (change the amount instead).
    Admins only, audited. 404 when the product or the price does not exist; answers 204 with no body."""
    await catalog.delete_price(session=session, clock=clock, actor=actor, code=code, cycle=cycle, currency=currency,
                               renewing_at=SubscriptionRepository(session).count_renewing_at)
    return Response(status_code=204)
