"""2x1 for new clients (B-12): two new clients ordering the same product and cycle, naming each other, pay one
first invoice; renewals are paid by both.

- An order may name a `partner` (the other client's id or e-mail, as billing's client copy knows it). Only a new
  client (no settled invoice: paid, waived or refunded) may name one; a partner billing does not know is ignored
  (no 2x1, no error: issue 11, the answer must not tell who is a client).
- Each such order is recorded (`two_for_one_orders`, per product and cycle). When the second of the two orders is
  placed within `BILLING_TWO_FOR_ONE_WINDOW_DAYS` of the first (injected clock), and the first named this client
  and holds the same product and cycle, the pair is recorded once (`two_for_one_pairs`, key: the two ids sorted)
  and **the later order is the free one** — one unit of its matching line gets a 100% "2x1" discount line —
  whether or not the first one is paid yet: the earlier invoice is never changed (no re-issue, no refund), and
  the partner, new when it ordered, keeps its claim even if it has paid meanwhile.
- The price preview shows the 2x1 line when the partner's matching order exists and the pair is unused.
- Renewals are priced without it (the renewal job never sets `two_for_one_units`).
- Two orders of the pair placed at the same moment are serialised by an advisory lock on the pair, so the later
  one always sees the earlier one.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.clock import Clock
from abono.errors import InvalidInput
from billing import locks
from billing.clients.models import Client
from billing.clients.repository import ClientRepository
from billing.config import BillingSettings
from billing.invoices.repository import InvoiceRepository
from billing.locks import LockKind
from billing.promos.models import TwoForOneOrder, TwoForOnePair
from billing.promos.repository import TwoForOneRepository
from billing.promos.rules import pair_key


@dataclass(frozen=True)
class TwoForOneMatch:
    partner_id: uuid.UUID
    first_invoice_id: uuid.UUID  # the partner's order, the paid one
    product_id: uuid.UUID
    cycle: str


async def is_new_client(session: AsyncSession, client_id: uuid.UUID) -> bool:
    """No invoice of the client has ever been settled."""
    return not await InvoiceRepository(session).has_settled(client_id)


async def resolve_partner(session: AsyncSession, client: Client, partner: str) -> Client | None:
    """The client an order names as its 2x1 partner (id or e-mail), or None if billing knows no such client: the
    order then has no 2x1, priced like an order whose partner has not ordered yet, so naming an e-mail does not
    tell whether it is a client's (issue 11). `InvalidInput` only for what the caller knows of itself."""
    if not await is_new_client(session, client.id):
        raise InvalidInput("The 2x1 is for new clients only.")
    clients = ClientRepository(session)
    try:
        found = await clients.get(uuid.UUID(partner))
    except ValueError:
        found = await clients.by_email(partner)
    if found is not None and found.id == client.id:
        raise InvalidInput("You cannot be your own 2x1 partner.")
    return found


async def lock_pair(session: AsyncSession, a: uuid.UUID, b: uuid.UUID) -> None:
    """Serialise the two orders of one pair until the transaction ends."""
    low, high = pair_key(a, b)
    await locks.hold(session, LockKind.TWO_FOR_ONE, low, high)


async def find_match(*, session: AsyncSession, clock: Clock, settings: BillingSettings, client_id: uuid.UUID,
                     partner_id: uuid.UUID, lines: Sequence[tuple[uuid.UUID, str]]) -> TwoForOneMatch | None:
    """The partner's earlier order naming this client with one of these (product, cycle), within the window, if
    the pair has not had its 2x1 yet."""
    if not settings.two_for_one_enabled or not lines:
        return None
    low, high = pair_key(client_id, partner_id)
    repo = TwoForOneRepository(session)
    if await repo.pair(low, high) is not None:
        return None
    since = clock.now() - timedelta(days=settings.two_for_one_window_days)
    wanted = set(lines)
    for row in await repo.orders_naming(client_id=partner_id, partner_id=client_id, since=since):
        if (row.product_id, row.cycle) in wanted:
            return TwoForOneMatch(partner_id, row.invoice_id, row.product_id, row.cycle)
    return None


async def record_order(*, session: AsyncSession, clock: Clock, invoice_id: uuid.UUID, client_id: uuid.UUID,
                       partner_id: uuid.UUID, lines: Sequence[tuple[uuid.UUID, str]],
                       match: TwoForOneMatch | None) -> None:
    """This order's claim (each product and cycle), and the pair when it was the second order."""
    now = clock.now()
    repo = TwoForOneRepository(session)
    await repo.add_orders([TwoForOneOrder(invoice_id=invoice_id, product_id=product_id, cycle=cycle,
                                          client_id=client_id, partner_id=partner_id, ordered_at=now)
                           for product_id, cycle in dict.fromkeys(lines)])
    if match is not None:
        low, high = pair_key(client_id, partner_id)
        if not await repo.add_pair_once(TwoForOnePair(
                client_low=low, client_high=high, first_invoice_id=match.first_invoice_id, free_invoice_id=invoice_id,
                product_id=match.product_id, cycle=match.cycle, paired_at=now)):
            # cannot happen under `lock_pair`; never two free invoices for a pair
            raise InvalidInput("This pair has had its 2x1 already.")
