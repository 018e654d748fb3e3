"""Scenario `staff_search`: the console's search box over N clients (issue 14 item 1: well under 100 ms on 100k).

A freshly migrated gateway database (its trigram indexes, migration 0007) is filled with set-based SQL: N clients with
Spanish names, e-mails, phones, one in ten with a verified identity (legal name, last four digits of the tax id).
The gateway's own `StaffClientRepository.search` then answers a mix of what staff type (part of a name, a whole
e-mail, a client number with and without `C-`, phone digits, a common short syllable, the tax id's last four) with a
fixed seed; each query's wall time through SQLAlchemy is recorded. Baseline in the same run and process: the same
number of primary-key lookups of a client (`UserRepository.get`), the cheapest read the gateway does.
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import text

from abono.db import make_engine, make_sessionmaker
from abono.migrations import upgrade
from bench.common import REPO_ROOT, Figure, bench_databases, percentile, say
from bench.options import Options
from gateway.accounts.repository import UserRepository
from gateway.staff.repository import StaffClientRepository

NAME = "staff_search"
DB = "abono_bench_staff_search"
TARGET_MS = 100.0
FULL_CLIENTS, QUICK_CLIENTS = 100_000, 20_000
FULL_QUERIES, QUICK_QUERIES = 600, 150

_SEED = """
INSERT INTO users (id, email, password_hash, role, name, phone, country, currency, language, email_verified_at,
                   created_at, updated_at)
SELECT md5('client' || n)::uuid,
       lower(f.v) || '.' || lower(l.v) || n || '@'
           || (ARRAY['gmail.com', 'hotmail.com', 'yahoo.com.ar', 'fibertel.com.ar'])[1 + n % 4],
       'x', 'client', f.v || ' ' || l.v || ' ' || (ARRAY['', 'Pérez', 'Núñez', 'Sosa', 'Ibáñez'])[1 + n % 5],
       '+54 9 11 ' || lpad(((n * 7919) % 100000000)::text, 8, '0'), 'AR', 'ARS', 'es', now(), now(), now()
FROM generate_series(1, $1::int) AS n
CROSS JOIN LATERAL (SELECT (ARRAY['Sofía', 'Mateo', 'Valentina', 'Santiago', 'Martina', 'Benjamín', 'Catalina',
                                  'Joaquín', 'Lucía', 'Tomás', 'Mía', 'Lautaro', 'Emma', 'Thiago', 'Julieta',
                                  'Felipe'])[1 + n % 16] AS v) f
CROSS JOIN LATERAL (SELECT (ARRAY['González', 'Rodríguez', 'Gómez', 'Fernández', 'López', 'Díaz', 'Martínez', 'Pérez',
                                  'García', 'Sánchez', 'Romero', 'Álvarez', 'Torres', 'Ruiz', 'Ramírez', 'Flores',
                                  'Acosta', 'Benítez', 'Medina', 'Herrera', 'Suárez', 'Aguirre', 'Giménez']
                           )[1 + (n / 16) % 23] AS v) l
"""
_SEED_IDENTITIES = """
INSERT INTO identity_verifications (client_id, status, document_type, legal_name, tax_id_last4, submitted_at,
                                    decided_at, updated_at)
SELECT md5('client' || n)::uuid, 'verified', 'dni', 'Razón Social ' || n || ' S.R.L.',
       lpad((n % 10000)::text, 4, '0'), now(), now(), now()
FROM generate_series(10, $1::int, 10) AS n
"""


def _queries(clients: int, count: int) -> list[str]:
    """What staff type, drawn with a fixed seed: every kind the search box understands."""
    rng = random.Random(14)
    surnames = ["gonzález", "fernández", "díaz", "martínez", "romero", "álvarez", "benítez", "giménez"]
    first = ["sofía", "mateo", "valentina", "joaquín", "lucía", "tomás"]
    kinds: list[Callable[[], str]] = [
        lambda: f"{rng.choice(first)} {rng.choice(surnames)}",  # a name as said on the phone
        lambda: rng.choice(surnames)[:5],  # part of a surname
        lambda: f"{rng.choice(first)}.{rng.choice(surnames)}{rng.randint(1, clients)}@",  # an e-mail, most of it
        lambda: f"C-{rng.randint(1, clients)}",  # a client number
        lambda: str(rng.randint(1, clients)),  # the number without its prefix
        lambda: f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}",  # phone digits
        lambda: rng.choice(["mar", "san", "gar", "lu"]),  # a short common syllable: the worst case
        lambda: f"{rng.randint(0, 9999):04d}",  # the tax id's last four
        lambda: f"razón social {rng.randint(1, clients)}",  # a company's legal name
    ]
    return [kinds[i % len(kinds)]() for i in range(count)]


async def _timed(calls: list[Callable[[], Awaitable[object]]]) -> list[float]:
    durations = []
    for call in calls:
        started = time.perf_counter()
        await call()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


async def run(opts: Options) -> list[Figure]:
    clients = QUICK_CLIENTS if opts.quick else FULL_CLIENTS
    count = QUICK_QUERIES if opts.quick else FULL_QUERIES
    async with bench_databases(DB, keep=opts.keep) as urls:
        url = urls[DB]
        await asyncio.to_thread(upgrade, REPO_ROOT / "gateway", url)
        engine = make_engine(url, pool_size=2)
        sessionmaker = make_sessionmaker(engine)
        try:
            started = time.monotonic()
            async with engine.begin() as conn:
                raw = await conn.get_raw_connection()
                for statement in (_SEED, _SEED_IDENTITIES):
                    await raw.driver_connection.execute(statement, clients)  # type: ignore[union-attr]
                for table in ("users", "identity_verifications"):
                    await conn.execute(text(f"ANALYZE {table}"))
            say(f"{NAME}: {clients} clients seeded in {time.monotonic() - started:.1f} s")
            queries = _queries(clients, count)
            rng = random.Random(7)
            ids = [
                uuid.UUID(hashlib.md5(f"client{rng.randint(1, clients)}".encode(), usedforsecurity=False).hexdigest())
                for _ in range(count)
            ]
            async with sessionmaker() as session:
                search = StaffClientRepository(session)
                users = UserRepository(session)
                found: list[int] = []

                async def one(q: str) -> None:
                    found.append(len(await search.search(q, limit=20)))

                async def pk(user_id: uuid.UUID) -> None:
                    await users.get(user_id)
                    session.expunge_all()  # every lookup reads the row, none from the identity map

                await _timed([lambda q=q: one(q) for q in queries[:20]])  # warm the caches and the statements
                searched = await _timed([lambda q=q: one(q) for q in queries])
                looked_up = await _timed([lambda i=i: pk(i) for i in ids])
        finally:
            await engine.dispose()
    p50, p99 = percentile(searched, 50), percentile(searched, 99)
    base50, base99 = percentile(looked_up, 50), percentile(looked_up, 99)
    hits = sum(1 for n in found[20:] if n)
    say(
        f"{NAME}: search p50 {p50:.2f} ms, p99 {p99:.2f} ms over {count} queries ({hits} with results); "
        f"primary-key lookup p50 {base50:.2f} ms, p99 {base99:.2f} ms"
    )
    extra = {"clients": clients, "queries": count, "queries_with_results": hits}
    how = "StaffClientRepository.search (trigram indexes) in-process; baseline UserRepository.get by primary key"
    return [
        Figure(NAME, "search_p50_ms", p50, "ms", base50, TARGET_MS, "max", how, extra=extra),
        Figure(NAME, "search_p99_ms", p99, "ms", base99, TARGET_MS, "max", how, extra=extra),
    ]
