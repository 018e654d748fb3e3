"""An affiliate's monthly statement: opening balance, what the month brought, closing balance, per currency."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from abono.money import Money, MoneyModel
from affiliate.commissions.models import EntryType
from affiliate.commissions.repository import LedgerRepository
from affiliate.schemas import Statement, StatementLine
from affiliate.views import ledger_entries


def _next_month(start: datetime) -> datetime:
    return start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)


async def statement(session: AsyncSession, affiliate_id: uuid.UUID, month: str, start: datetime) -> Statement:
    ledger = LedgerRepository(session)
    end = _next_month(start)
    opening, closing = await ledger.balances(affiliate_id, before=start), await ledger.balances(affiliate_id,
                                                                                                 before=end)
    entries = await ledger.entries(affiliate_id, since=start, until=end, limit=10_000)
    lines = []
    for currency in sorted(set(opening) | set(closing)):
        def total(*types: EntryType, currency: str = currency) -> MoneyModel:
            return MoneyModel.of(Money(sum(e.amount_minor for e in entries
                                           if e.currency == currency and e.entry_type in types), currency))
        before, after = opening.get(currency, {}), closing.get(currency, {})
        lines.append(StatementLine(
            currency=currency,
            opening=MoneyModel.of(Money(sum(before.values()), currency)),
            commissions=total(EntryType.COMMISSION), reversals=total(EntryType.REVERSAL),
            withdrawals=total(EntryType.WITHDRAWAL, EntryType.WITHDRAWAL_RETURNED),
            closing=MoneyModel.of(Money(sum(after.values()), currency)),
            available_at_close=MoneyModel.of(Money(after.get("available", 0), currency))))
    return Statement(month=month, affiliate_id=affiliate_id, currencies=lines,
                     entries=await ledger_entries(session, entries))


_TYPES = {"commission": "Comisión", "maturation": "Disponible", "reversal": "Reversión", "withdrawal": "Retiro",
          "withdrawal_returned": "Retiro devuelto"}


def statement_text(found: Statement) -> list[str]:
    """The statement as the lines of text its PDF prints (Spanish first, N-1)."""
    def m(money: MoneyModel) -> str:
        return str(money.to_money())

    out = [f"Resumen de afiliado {found.month}", f"Afiliado: {found.affiliate_id}", ""]
    for line in found.currencies:
        out += [f"{line.currency}: saldo inicial {m(line.opening)}", f"    comisiones {m(line.commissions)}",
                f"    reversiones {m(line.reversals)}", f"    retiros {m(line.withdrawals)}",
                f"    saldo final {m(line.closing)} (disponible {m(line.available_at_close)})", ""]
    if not found.currencies:
        out += ["Sin movimientos.", ""]
    for entry in sorted(found.entries, key=lambda e: e.created_at):
        matures = f"  madura {entry.matures_at:%Y-%m-%d}" if entry.matures_at else ""
        out.append(f"{entry.created_at:%Y-%m-%d}  {_TYPES.get(entry.entry_type, entry.entry_type)}"
                   f"  {m(entry.amount)}{matures}  {entry.note}")
    return out
