import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from abono.auth import CurrentPrincipal, StaffPrincipal, current_principal
from abono.db import ReadSessionDep, SessionDep, read_driver
from abono.errors import NotFound
from abono.money import Money, MoneyModel
from billing.credit.movements import movement_kind
from billing.credit.repository import CreditRepository
from billing.deps import ClockDep, SettingsDep, problems
from billing.invoices import service
from billing.invoices.json_reads import client_invoices_json
from billing.invoices.pdf import invoice_document, render_invoice_pdf
from billing.invoices.repository import InvoiceRepository
from billing.invoices.schemas import (
    CreditBalance,
    CreditMovementPublic,
    CreditMovements,
    InvoiceDetail,
    InvoiceLinePublic,
    InvoicePublic,
    SlaCreditPublic,
    StaffReason,
)

router = APIRouter(tags=["invoices"])
# The client's own reads take ReadSessionDep (autocommit, read-only connections): no BEGIN/COMMIT round trips.


@router.get("/invoices", summary="My invoices, newest first", responses=problems(401),
            response_model=list[InvoicePublic])
async def my_invoices(principal: CurrentPrincipal, request: Request) -> Response:
    """The client's invoices, newest first, with number, status, dates, currency and total. Client only; only the
    caller's own invoices."""
    # The body is `list[InvoicePublic]` as PostgreSQL writes it (billing.invoices.json_reads): no models per request,
    # on a read connection taken here rather than as a dependency (abono.db.read_driver: issue 20).
    async with read_driver(request.app) as conn:
        body = await client_invoices_json(conn, principal.user_id)
    return Response(body, media_type="application/json")


async def my_invoices_hot(request: Request) -> Response:
    """`GET /invoices` as a hot route (`abono.hotroutes`, billing's app): `my_invoices` with its one dependency."""
    return await my_invoices(await current_principal(request, None), request)


@router.get("/invoices/{invoice_id}", summary="One of my invoices with its lines and discounts",
            responses=problems(401, 404))
async def my_invoice(invoice_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSessionDep) -> InvoiceDetail:
    """One of the client's invoices with its lines and discounts. Client only; another client's invoice is 404."""
    invoice, lines = await service.client_invoice(session=session, client_id=principal.user_id, invoice_id=invoice_id)
    return InvoiceDetail(**InvoicePublic.of(invoice).model_dump(),
                         lines=[InvoiceLinePublic.of(line, invoice.currency) for line in lines])


@router.get("/invoices/{invoice_id}/pdf", summary="One of my invoices as a PDF", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}}, **problems(401, 404)})
async def my_invoice_pdf(invoice_id: uuid.UUID, principal: CurrentPrincipal, session: ReadSessionDep,
                         settings: SettingsDep) -> Response:
    """One of the client's invoices as a PDF download named after its number, with the seller's identity and the
    lines. Client only; another client's invoice is 404."""
    invoice, lines = await service.client_invoice(session=session, client_id=principal.user_id, invoice_id=invoice_id)
    document = await invoice_document(session, settings, invoice, lines)
    pdf = await asyncio.to_thread(render_invoice_pdf, document)  # CPU work, off the event loop
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{invoice.number}.pdf"'})


@router.get("/credit", summary="My credit balance per currency", responses=problems(401))
async def my_credit(principal: CurrentPrincipal, session: ReadSessionDep) -> CreditBalance:
    """The client's credit balance per currency (used automatically on new invoices), and the service-level credits
    granted for outages. Client only."""
    credit = CreditRepository(session)
    balances = await credit.balances(principal.user_id)
    sla = [
        SlaCreditPublic(service_id=c.service_id, month=c.month, credit_percent=c.credit_percent,
                        amount=MoneyModel.of(Money(c.amount_minor, c.currency)), created_at=c.created_at)
        for c in await credit.sla_credits_of(principal.user_id)
    ]
    return CreditBalance(balances=[MoneyModel.of(m) for m in balances], sla_credits=sla)


@router.get("/credit/movements", summary="My credit movements, newest first, a page at a time",
            responses=problems(401, 422))
async def my_credit_movements(principal: CurrentPrincipal, session: ReadSessionDep,
                              limit: Annotated[int, Query(ge=1, le=100)] = 20,
                              before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None) -> CreditMovements:
    """The client's credit movements (added, used, refunded...), newest first, with the invoice each belongs to.
    Paged: pass `next_before` from one answer as `before` for the next page. Client only; 422 for `limit` outside
    1 to 100."""
    entries = await CreditRepository(session).movements(principal.user_id, limit=limit + 1, before=before)
    page = entries[:limit]
    linked = [e.invoice_id for e in page if e.invoice_id is not None]
    numbers = await InvoiceRepository(session).numbers(principal.user_id, linked)
    items = [CreditMovementPublic(id=e.id, at=e.created_at, amount=MoneyModel.of(Money(e.amount_minor, e.currency)),
                            kind=movement_kind(e), invoice_id=e.invoice_id if e.invoice_id in numbers else None,
                            invoice_number=numbers.get(e.invoice_id) if e.invoice_id else None) for e in page]
    return CreditMovements(items=items, next_before=page[-1].id if len(entries) > limit else None)


@router.get("/staff/invoices/{invoice_id}", summary="Any invoice with its lines (staff)",
            responses=problems(401, 403, 404))
async def staff_invoice(invoice_id: uuid.UUID, _: StaffPrincipal, session: SessionDep) -> InvoiceDetail:
    """Any client's invoice with its lines and discounts. Staff only; 404 for an unknown invoice."""
    repo = InvoiceRepository(session)
    invoice = await repo.get(invoice_id)
    if invoice is None:
        raise NotFound("No such invoice.")
    return InvoiceDetail(**InvoicePublic.of(invoice).model_dump(),
                         lines=[InvoiceLinePublic.of(line, invoice.currency) for line in await repo.lines(invoice.id)])


@router.post("/staff/invoices/{invoice_id}/waive", summary="Waive an unpaid pay-with-time invoice (staff, audited)",
             responses=problems(401, 403, 404, 409, 422))
async def waive(invoice_id: uuid.UUID, body: StaffReason, principal: StaffPrincipal, session: SessionDep,
                clock: ClockDep, settings: SettingsDep) -> InvoicePublic:
    """Waives an unpaid invoice of a client who was allowed to pay later: it counts as settled without payment and
    its services stay active. Staff only, with the reason; audited. 404 for an unknown invoice; 409 when it is
    not unpaid."""
    invoice = await service.waive(session=session, clock=clock, settings=settings, actor_id=principal.user_id,
                                  invoice_id=invoice_id, reason=body.reason)
    return InvoicePublic.of(invoice)
