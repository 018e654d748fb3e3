"""Staff actions and views of the console's billing side; every action is audited with who and when (item 7)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import Conflict, NotFound
from abono.messaging import emit
from abono.money import Money, MoneyModel
from billing.audit.repository import AuditRepository
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.console.repository import ConsoleRepository, InvoiceFilters
from billing.console.schemas import (
    AuditEntryPublic,
    BillingWork,
    ClientBilling,
    CreditAdjustment,
    CreditMovement,
    MonthlyFigure,
    PaymentPublic,
    WaitingTransfer,
)
from billing.credit.repository import CreditRepository
from billing.cycles import local_date
from billing.invoices.issuing import invoice_issued
from billing.invoices.models import Invoice, InvoiceStatus
from billing.invoices.repository import InvoiceRepository
from billing.invoices.schemas import InvoicePublic
from billing.invoices.service import audit_invoice
from billing.orders import service as orders
from billing.orders.schemas import OrderPlaced, OrderRequest
from billing.payments.models import TransferReport
from billing.payments.schemas import TransferReportPublic
from billing.subscriptions.endpoints import service_public
from billing.subscriptions.repository import SubscriptionRepository

_RECENT = 200  # rows of each kind on a client's page


def waiting(rows: Sequence[tuple[TransferReport, Invoice]]) -> list[WaitingTransfer]:
    return [WaitingTransfer(report=TransferReportPublic.of(r), invoice=InvoicePublic.of(i)) for r, i in rows]


async def client_billing(*, session: AsyncSession, client_id: uuid.UUID) -> ClientBilling:
    console = ConsoleRepository(session)
    client = await ClientRepository(session).get(client_id)
    subs = await SubscriptionRepository(session).for_client(client_id)
    return ClientBilling(
        client_id=client_id,
        currency=client.currency if client else None,
        services=[await service_public(session, s) for s in subs],
        invoices=[
            InvoicePublic.of(i) for i in await console.invoices(InvoiceFilters(client_id=client_id), limit=_RECENT)
        ],
        payments=[
            PaymentPublic(
                id=p.id,
                invoice_id=p.invoice_id,
                invoice_number=number,
                amount=MoneyModel.of(Money(p.amount_minor, p.currency)),
                method=p.method,
                received_at=p.received_at,
                credited=MoneyModel.of(Money(p.credited_minor, p.currency)),
                refunded_at=p.refunded_at,
            )
            for p, number in await console.payments(client_id, limit=_RECENT)
        ],
        credit_balances=[MoneyModel.of(m) for m in await CreditRepository(session).balances(client_id)],
        credit_movements=[
            CreditMovement(
                id=e.id,
                amount=MoneyModel.of(Money(e.amount_minor, e.currency)),
                reason=e.reason,
                invoice_id=e.invoice_id,
                created_at=e.created_at,
            )
            for e in await console.credit_entries(client_id, limit=_RECENT)
        ],
        transfer_reports=waiting(await console.transfer_reports(client_id, limit=_RECENT)),
        audit=[AuditEntryPublic.model_validate(a) for a in await console.audit(client_id, limit=_RECENT)],
    )


async def adjust_credit(
    *, session: AsyncSession, clock: Clock, actor_id: uuid.UUID, client_id: uuid.UUID, body: CreditAdjustment
) -> list[MoneyModel]:
    """B-10: a manual credit or debit with its reason; a debit never takes the balance below zero. Audited."""
    if body.amount_minor == 0:
        raise Conflict("A credit or debit of zero changes nothing.")
    if await ClientRepository(session).get(client_id) is None:
        raise NotFound("Billing knows no such client.")
    try:
        amount = Money(body.amount_minor, body.currency)
    except ValueError as exc:
        raise Conflict(str(exc)) from exc
    credit = CreditRepository(session)
    await credit.lock(client_id)
    balance = await credit.balance(client_id, body.currency)
    if (balance + amount).amount_minor < 0:
        raise Conflict(f"The balance is {balance.amount_minor} (minor units): a debit cannot take it below zero.")
    now = clock.now()
    await credit.add(client_id=client_id, amount=amount, reason=f"staff: {body.reason}", at=now)
    await AuditRepository(session).add(
        actor_id=actor_id,
        action="credit" if body.amount_minor > 0 else "debit",
        target_type="client",
        target_id=client_id,
        at=now,
        details={"amount_minor": body.amount_minor, "currency": body.currency, "reason": body.reason},
    )
    return [MoneyModel.of(m) for m in await credit.balances(client_id)]


async def order_for_client(
    *,
    session: AsyncSession,
    clock: Clock,
    settings: BillingSettings,
    actor_id: uuid.UUID,
    client_id: uuid.UUID,
    request: OrderRequest,
) -> OrderPlaced:
    """Staff place an order on the client's behalf: the same order the client would place. Audited."""
    placed = await orders.place_order(
        session=session, clock=clock, settings=settings, client_id=client_id, request=request
    )
    await AuditRepository(session).add(
        actor_id=actor_id,
        action="order_for_client",
        target_type="client",
        target_id=client_id,
        at=clock.now(),
        details={
            "invoice_id": str(placed.invoice_id),
            "number": placed.number,
            "items": [i.model_dump(mode="json", exclude_defaults=True) for i in request.items],
        },
    )
    return placed


async def resend_invoice(*, session: AsyncSession, clock: Clock, actor_id: uuid.UUID, invoice_id: uuid.UUID) -> Invoice:
    """Send an unpaid invoice to the client again: the same `InvoiceIssued` envelope (a new event id), so notify
    mails it once more and every other consumer finds it already recorded. Audited."""
    repo = InvoiceRepository(session)
    invoice = await repo.get(invoice_id)
    if invoice is None:
        raise NotFound("No such invoice.")
    if invoice.status != InvoiceStatus.UNPAID:
        raise Conflict(f"Only an unpaid invoice is sent again; this one is {invoice.status}.")
    lines = [(line.description, line.amount_minor, tuple(line.service_ids), line.cycle)
             for line in await repo.lines(invoice.id)]
    await emit(session, invoice_issued(invoice, lines))
    await audit_invoice(session, actor_id=actor_id, action="resend_invoice", invoice=invoice, clock=clock)
    return invoice


async def work(*, session: AsyncSession, clock: Clock, settings: BillingSettings) -> BillingWork:
    console = ConsoleRepository(session)
    today = local_date(clock.now(), settings.calendar_timezone)
    return BillingWork(
        transfers_to_confirm=await console.count_waiting_transfers(),
        invoices_due_this_week=await console.unpaid_due_between(today, today + timedelta(days=6)),
        overdue_invoices=await console.unpaid_due_between(today - timedelta(days=3650), today - timedelta(days=1)),
    )


def _month_starts(now: datetime, timezone: str, months: int) -> list[str]:
    today = local_date(now, timezone)
    year, month, found = today.year, today.month, []
    for _ in range(months):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


async def monthly_figures(
    *, session: AsyncSession, clock: Clock, settings: BillingSettings, months: int
) -> list[MonthlyFigure]:
    """Item 6: invoiced and collected per month and currency, the last `months` months (empty months as zero)."""
    labels = _month_starts(clock.now(), settings.calendar_timezone, months)
    since = clock.now() - timedelta(days=31 * months + 1)
    invoiced, collected = await ConsoleRepository(session).monthly(since, settings.calendar_timezone)
    table: dict[tuple[str, str], list[int]] = {}
    for rows, column in ((invoiced, 0), (collected, 1)):
        for month, currency, amount in rows:
            if month in labels:
                table.setdefault((month, currency), [0, 0])[column] += int(amount or 0)
    currencies = sorted({currency for _, currency in table})
    return [
        MonthlyFigure(
            month=m,
            currency=c,
            invoiced=MoneyModel.of(Money(table.get((m, c), [0, 0])[0], c)),
            collected=MoneyModel.of(Money(table.get((m, c), [0, 0])[1], c)),
        )
        for c in currencies
        for m in labels
    ]


CSV_COLUMNS = [
    "number",
    "client_id",
    "kind",
    "status",
    "currency",
    "issued_at",
    "due_on",
    "subtotal_minor",
    "discount_minor",
    "credit_applied_minor",
    "total_minor",
    "payment_reference",
    "paid_method",
    "settled_at",
]


def invoices_csv(invoices: Sequence[Invoice]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for i in invoices:
        writer.writerow(
            [
                i.number,
                i.client_id,
                i.kind,
                i.status,
                i.currency,
                i.issued_at.isoformat(),
                i.due_on.isoformat(),
                i.subtotal_minor,
                i.discount_minor,
                i.credit_applied_minor,
                i.total_minor,
                i.payment_reference,
                i.paid_method or "",
                i.settled_at.isoformat() if i.settled_at else "",
            ]
        )
    return out.getvalue()
