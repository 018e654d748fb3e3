"""The rest of the console's search box (issue 14 item 1): the panel asks four services at once (clients at the
gateway, invoices in billing, services in provisioning, tickets in support), so the search a person waits for is the
slowest of four. This fills billing's, provisioning's and support's freshly migrated databases for the same N clients
(set-based SQL: one invoice per client and a transfer report for one in twenty, one service with its domain and panel
username per client, a ticket for one client in five) and times each query through the four services' own
repositories, concurrently, as `searchEverything` in the panel does (without the HTTP hops).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from billing.console.repository import ConsoleRepository as BillingConsole
from billing.console.repository import InvoiceFilters
from gateway.staff.repository import StaffClientRepository
from provisioning.console.repository import ConsoleRepository as ProvisioningConsole
from provisioning.console.repository import ServiceFilters
from support.tickets.repository import TicketRepository

BILLING = [
    """
INSERT INTO invoices (id, number, payment_reference, client_id, currency, kind, status, issued_at, due_on,
                      subtotal_minor, discount_minor, credit_applied_minor, total_minor, note)
SELECT md5('invoice' || n)::uuid, 'A-' || lpad(n::text, 8, '0'),
       'ABN' || upper(substr(md5('ref' || n), 1, 4)) || lpad(n::text, 7, '0'),
       md5('client' || n)::uuid, 'ARS', 'renewal', (ARRAY['paid', 'paid', 'paid', 'unpaid'])[1 + n % 4],
       now() - (n % 700) * interval '1 day', current_date - (n % 700) + 10, 100000 + (n % 997) * 100, 0, 0,
       100000 + (n % 997) * 100, ''
FROM generate_series(1, $1::int) AS n
""",
    """
INSERT INTO transfer_reports (id, invoice_id, client_id, channel, reference, amount_minor, currency, paid_on, proof,
                              reported_at)
SELECT md5('report' || n)::uuid, md5('invoice' || n)::uuid, md5('client' || n)::uuid, 'bank',
       'TRF' || upper(substr(md5('transfer' || n), 1, 10)), 100000, 'ARS', current_date, 'comprobante', now()
FROM generate_series(20, $1::int, 20) AS n
""",
]
PROVISIONING = [
    """
INSERT INTO services (id, client_id, state, product_id, product_code, product_name, kind, cycle, activation, driver,
                      driver_settings, domain, order_invoice_id, created_at, updated_at)
SELECT md5('service' || n)::uuid, md5('client' || n)::uuid, 'active', md5('product')::uuid, 'hosting-basic',
       'Hosting Básico', 'hosting', 'monthly', 'automatic', 'whm', '{"server": "whm1"}'::jsonb,
       (ARRAY['estudio', 'taller', 'tienda', 'consultora', 'panaderia', 'clinica', 'agencia'])[1 + (n / 8) % 7]
           || (ARRAY['sofia', 'mateo', 'valentina', 'santiago', 'martina', 'benjamin', 'catalina', 'joaquin'])
               [1 + n % 8]
           || n || '.com.ar',
       md5('invoice' || n)::uuid, now() - (n % 700) * interval '1 day', now()
FROM generate_series(1, $1::int) AS n
""",
    """
INSERT INTO service_access (service_id, panel_url, username, downloads, updated_at)
SELECT md5('service' || n)::uuid, 'https://whm1.example/',
       substr((ARRAY['sofia', 'mateo', 'valentina', 'santiago', 'martina', 'benjamin', 'catalina', 'joaquin'])
              [1 + n % 8],
              1, 5) || n, '[]'::jsonb, now()
FROM generate_series(1, $1::int) AS n
""",
]
SUPPORT = [
    """
INSERT INTO tickets (id, code, client_id, subject, sla_class, plan, channel, status, priority, opened_at, updated_at,
                     resolution_spent_seconds)
SELECT md5('ticket' || n)::uuid, 'T' || upper(substr(md5('code' || n), 1, 3)) || lpad(n::text, 6, '0'),
       md5('client' || n)::uuid,
       (ARRAY['No me llegan los correos', 'El sitio está caído', 'Quiero cambiar de plan', 'Factura duplicada',
              'Certificado SSL vencido', 'No puedo entrar al panel'])[1 + n % 6] || ' (' || n || ')',
       'SLA1', 'standard', 'panel', (ARRAY['open', 'waiting_on_client', 'closed'])[1 + n % 3], 'normal',
       now() - (n % 300) * interval '1 hour', now(), 0
FROM generate_series(5, $1::int, 5) AS n
""",
]
TABLES = {"billing": ("invoices", "transfer_reports"), "provisioning": ("services", "service_access"),
          "support": ("tickets",)}


async def seed(sessionmakers: dict[str, async_sessionmaker[AsyncSession]], clients: int) -> None:
    statements = {"billing": BILLING, "provisioning": PROVISIONING, "support": SUPPORT}
    for service, sqls in statements.items():
        async with sessionmakers[service]() as session, session.begin():
            raw = (await (await session.connection()).get_raw_connection()).driver_connection
            for statement in sqls:
                await raw.execute(statement, clients)  # type: ignore[union-attr]
        async with sessionmakers[service]() as session, session.begin():
            for table in TABLES[service]:
                await session.execute(text(f"ANALYZE {table}"))


def what_else_staff_type(clients: int, count: int, rng: random.Random) -> list[str]:
    """The kinds only the other services answer: an invoice number, part of a payment or transfer reference, an
    amount, part of a domain, a panel username, a ticket's code or words of its subject."""
    def md5(s: str) -> str:
        return hashlib.md5(s.encode(), usedforsecurity=False).hexdigest().upper()

    def reference(m: int) -> str:
        return f"ABN{md5(f'ref{m}')[:4]}{m:07d}"

    def code(m: int) -> str:
        return f"T{md5(f'code{m}')[:3]}{m:06d}"

    def n() -> int:
        return rng.randint(1, clients)

    kinds: list[Callable[[], str]] = [
        lambda: f"A-{n():08d}",
        lambda: reference(n())[3:11],  # part of a payment reference
        lambda: reference(n()),  # a whole one
        lambda: md5(f"transfer{20 * max(1, n() // 20)}")[:8],
        lambda: f"{1000 + (n() % 997)},00",
        lambda: f"tienda{rng.choice(['sofia', 'mateo', 'martina'])}{n()}",
        lambda: f"{rng.choice(['sofia', 'mateo', 'valen'])}{n()}",
        lambda: code(5 * max(1, n() // 5)),
        lambda: rng.choice(["correos", "caído", "ssl vencido", "factura"]),
    ]
    return [kinds[i % len(kinds)]() for i in range(count)]


class FanOut:
    """One session per service, reused; the identity maps emptied after each search (every row read again)."""

    def __init__(self, sessions: dict[str, AsyncSession]) -> None:
        self.sessions = sessions

    async def _one(self, service: str, search: Awaitable[Any]) -> int:
        found = await search
        self.sessions[service].expunge_all()
        return len(found)

    async def search(self, q: str) -> int:
        s = self.sessions
        counts = await asyncio.gather(
            self._one("gateway", StaffClientRepository(s["gateway"]).search(q, limit=20)),
            self._one("billing", BillingConsole(s["billing"]).invoices(InvoiceFilters(q=q), limit=20)),
            self._one("provisioning", ProvisioningConsole(s["provisioning"]).services(ServiceFilters(q=q), limit=20)),
            self._one("support", TicketRepository(s["support"]).list(
                client_id=None, status=None, sla_class=None, assigned_to=None, queue=False, limit=20, offset=0,
                search=q)),
        )
        return sum(counts)
