import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from abono.auth import CurrentPrincipal, StaffPrincipal
from abono.db import SessionDep
from abono.money import MoneyModel
from billing.deps import ClockDep, SettingsDep, problems
from billing.invoices.schemas import InvoicePublic, PaymentApplied, StaffReason, TransferConfirmation
from billing.payments import batch_reads, batches, checkout, methods, staff, transfers
from billing.payments.registry import ProvidersDep
from billing.payments.schemas import (
    CaptureRequest,
    CaptureResult,
    PayInstructions,
    PayManyRequest,
    PaymentBatchPublic,
    PaymentMethods,
    PayRequest,
    TransferReportCreate,
    TransferReportPublic,
)

router = APIRouter(tags=["payments"])


@router.get("/invoices/{invoice_id}/payment-methods", summary="The methods I may pay this invoice with",
            responses=problems(401, 404, 409))
async def invoice_payment_methods(invoice_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                                  settings: SettingsDep, providers: ProvidersDep) -> PaymentMethods:
    """The payment methods the client may pay one of their invoices with (by country, currency and the providers
    configured), with the amount due for each. Client only; another client's invoice is 404. 409 when the invoice
    is not unpaid or credit already covers it."""
    return await methods.payment_methods(session=session, settings=settings, client_id=principal.user_id,
                                         invoice_id=invoice_id, configured=providers.keys())


@router.post("/invoices/{invoice_id}/pay", summary="Pay one of my invoices: a provider's page or transfer "
             "instructions",
             description="`method` is one of those `GET /invoices/{id}/payment-methods` offers. For a card or wallet "
             "the answer's `redirect_url` opens the provider's checkout, which returns the client to the panel; the "
             "invoice is paid when the provider's notification arrives. For `transfer` the answer gives the bank "
             "details and the invoice's payment reference. Paying with another method than the invoice was priced "
             "for re-prices its payment-method discount.",
             responses={**problems(401, 404, 409, 422),
                                                   503: {"description": "The provider is unreachable"}})
async def pay(invoice_id: uuid.UUID, body: PayRequest, principal: CurrentPrincipal, request: Request,
              providers: ProvidersDep, clock: ClockDep, settings: SettingsDep) -> PayInstructions:
    return await checkout.pay_invoice(sessionmaker=request.app.state.sessionmaker, providers=providers, clock=clock,
                                     settings=settings, client_id=principal.user_id, invoice_id=invoice_id,
                                     method=body.method)


@router.post("/invoices/{invoice_id}/capture", summary="Back from the provider's page: capture what I approved "
             "and apply it (PayPal)", responses={**problems(401, 404, 422),
                                                      503: {"description": "The provider is unreachable"}})
async def capture(invoice_id: uuid.UUID, body: CaptureRequest, principal: CurrentPrincipal, request: Request,
                  providers: ProvidersDep, clock: ClockDep, settings: SettingsDep) -> CaptureResult:
    """Call it when the client is back from the provider's page (PayPal) with `provider_ref`: captures the payment
    the client approved and applies it; the invoice is paid and its services activated. Client only, own invoices
    (404 otherwise). Capturing the same payment twice does not charge twice. 503 when the provider is
    unreachable."""
    return await checkout.capture_on_return(
        sessionmaker=request.app.state.sessionmaker, providers=providers, clock=clock, settings=settings,
        client_id=principal.user_id, invoice_id=invoice_id, method=body.method, provider_ref=body.provider_ref)


@router.post("/invoices/pay-many", summary="Pay several of my invoices at once, credit first",
             responses={**problems(401, 404, 409, 422), 503: {"description": "The provider is unreachable"}})
async def pay_many(body: PayManyRequest, principal: CurrentPrincipal, request: Request, providers: ProvidersDep,
                   clock: ClockDep, settings: SettingsDep) -> PaymentBatchPublic:
    """Pays several of the client's unpaid invoices of one currency together. The client's credit balance pays
    what it can first (oldest due date first); the rest is charged in one checkout at the provider given as
    `method` (a card or wallet method that `GET /invoices/{id}/payment-methods` offers for these invoices): the
    answer shows the total, the credit applied and the amount to pay, and `redirect_url` opens the provider's page,
    which returns the client to the invoices list. Every invoice is paid when the provider confirms; when credit
    covers them all they are paid at once and there is no page. Asking again for the same invoices reuses the same
    checkout. Another client's invoice is 404; an invoice not unpaid is 409; mixed currencies, an empty list or a
    method not offered are 422; nothing changes in those cases."""
    return await batches.pay_many(sessionmaker=request.app.state.sessionmaker, providers=providers, clock=clock,
                                  settings=settings, client_id=principal.user_id, invoice_ids=body.invoice_ids,
                                  method=body.method)


@router.get("/invoices/pay-many/{batch_id}", summary="Several invoices I paid at once: where they stand",
            responses=problems(401, 404))
async def paid_many(batch_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> PaymentBatchPublic:
    """The invoices paid together in one checkout, each with its status now, the credit applied and the amount
    charged; `paid` once every one is paid. Client only; another client's is 404."""
    return await batch_reads.batch_view(session, client_id=principal.user_id, batch_id=batch_id)


@router.post("/invoices/pay-many/{batch_id}/capture", summary="Back from the provider's page: capture what I "
             "approved for several invoices", responses={**problems(401, 404, 422),
                                                          503: {"description": "The provider is unreachable"}})
async def capture_many(batch_id: uuid.UUID, body: CaptureRequest, principal: CurrentPrincipal, request: Request,
                       providers: ProvidersDep, clock: ClockDep, settings: SettingsDep) -> PaymentBatchPublic:
    """Call it when the client is back from a provider's page that needs it (PayPal) with `provider_ref`: captures
    the payment approved for the invoices paid together and applies it; capturing twice does not charge twice.
    Client only, own payments (404 otherwise). 503 when the provider is unreachable."""
    return await batches.capture_batch(sessionmaker=request.app.state.sessionmaker, providers=providers,
                                       clock=clock, settings=settings, client_id=principal.user_id,
                                       batch_id=batch_id, provider_ref=body.provider_ref)


@router.post("/invoices/{invoice_id}/transfer-report", status_code=201,
             summary="Report a transfer I made for this invoice; staff confirm it",
             description="For invoices paid by bank or wallet transfer: the transfer's reference, amount, date and "
             "a proof (e.g. the bank's receipt text). The invoice stays unpaid until staff see the money arrive and "
             "confirm it; then it is paid and its services are activated or reactivated.",
             responses=problems(401, 404, 409, 422))
async def report_transfer(invoice_id: uuid.UUID, body: TransferReportCreate, principal: CurrentPrincipal,
                          session: SessionDep, clock: ClockDep, settings: SettingsDep) -> TransferReportPublic:
    report = await transfers.report_transfer(session=session, clock=clock, settings=settings,
                                           client_id=principal.user_id, invoice_id=invoice_id, report=body)
    return TransferReportPublic.of(report)


@router.get("/staff/transfer-reports", summary="Transfers clients reported, newest first (staff)",
            responses=problems(401, 403))
async def staff_transfer_reports(_: StaffPrincipal, session: SessionDep, invoice_id: uuid.UUID | None = None,
                                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[TransferReportPublic]:
    """Transfers clients reported, newest first, optionally for one invoice (`invoice_id`). Staff only; `limit` from
    1 to 500."""
    found = await transfers.transfer_reports(session=session, invoice_id=invoice_id, limit=limit)
    return [TransferReportPublic.of(r) for r in found]


@router.post("/staff/invoices/{invoice_id}/confirm-transfer", summary="Confirm a transfer the client reported (staff)",
             responses=problems(401, 403, 404, 422))
async def confirm_transfer(invoice_id: uuid.UUID, body: TransferConfirmation, principal: StaffPrincipal,
                           session: SessionDep, clock: ClockDep, settings: SettingsDep) -> PaymentApplied:
    """Confirms that a transfer arrived: records the payment for the amount and reference received; the invoice is
    paid once covered and its services are activated or reactivated. Staff only; audited. A reference already
    applied answers `duplicate: true` and nothing is paid twice. 404 for an unknown invoice; 422 for invalid
    values."""
    result = await staff.confirm_transfer(
        session=session, clock=clock, settings=settings, actor_id=principal.user_id, invoice_id=invoice_id,
        amount_minor=body.amount_minor, transfer_reference=body.transfer_reference, method=body.method)
    return PaymentApplied(payment_id=result.payment_id, invoice_id=result.invoice_id,
                          invoice_status=result.invoice_status, credited=MoneyModel.of(result.credited),
                          duplicate=result.duplicate)


@router.post("/staff/invoices/{invoice_id}/refund", summary="Refund a paid invoice (staff, audited)",
             responses=problems(401, 403, 404, 409, 422))
async def refund(invoice_id: uuid.UUID, body: StaffReason, principal: StaffPrincipal, session: SessionDep,
                 clock: ClockDep, settings: SettingsDep) -> InvoicePublic:
    """Refunds a paid invoice with the reason: the refundable lines (services within the refund window after
    activation; never domains) are returned through the provider that was paid, and those services end. Staff
    only; audited. 404 for an unknown invoice; 409 when it is not paid or nothing on it can be refunded."""
    invoice, _ = await staff.refund(session=session, clock=clock, settings=settings, actor_id=principal.user_id,
                                    invoice_id=invoice_id, reason=body.reason)
    return InvoicePublic.of(invoice)
