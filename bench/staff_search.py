"""Scenario `staff_search`: the console's search box over N clients (issue 14 item 1: well under 100 ms on 100k).

A freshly migrated gateway database (its trigram indexes, migration 0007) is filled with set-based SQL: N clients with
Spanish names, e-mails, phones, one in ten with a verified identity (legal name, last four digits of the tax id).
The gateway's own `StaffClientRepository.search` then answers a mix of what staff type (part of a name, a whole
e-mail, a client number with and without `C-`, phone digits, a common short syllable, the tax id's last four) with a
fixed seed; each query's wall time through SQLAlchemy is recorded. Baseline in the same run and process: the same
number of primary-key lookups of a client (`UserRepository.get`), the cheapest read the gateway does.

The search box asks four services at once: `bench.staff_search_fanout` fills billing's, provisioning's and support's
databases for the same clients and times every query through all four search repositories concurrently (figures
`search_all_services_p50_ms`, `search_all_services_p99_ms`, against the same baseline).
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from functools import partial

from sqlalchemy import text

from abono.db import make_engine, make_sessionmaker
from abono.migrations import upgrade
from bench import staff_search_fanout as fanout
from bench.common import REPO_ROOT, Figure, bench_databases, percentile, say
from bench.options import Options
from gateway.accounts.repository import UserRepository
from gateway.staff.repository import StaffClientRepository

NAME = "staff_search"
DB = "abono_bench_staff_search"
OTHERS = {"billing": "abono_bench_staff_billing", "provisioning": "abono_bench_staff_provisioning",
          "support": "abono_bench_staff_support"}
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
    async with bench_databases(DB, *OTHERS.values(), keep=opts.keep) as urls:
        url = urls[DB]
        await asyncio.to_thread(upgrade, REPO_ROOT / "gateway", url)
        for service, name in OTHERS.items():
            await asyncio.to_thread(upgrade, REPO_ROOT / f"{service}-svc", urls[name])
        engines = {"gateway": make_engine(url, pool_size=2)}
        engines |= {service: make_engine(urls[name], pool_size=1) for service, name in OTHERS.items()}
        sessionmakers = {service: make_sessionmaker(engine) for service, engine in engines.items()}
        try:
            started = time.monotonic()
            async with engines["gateway"].begin() as conn:
                raw = await conn.get_raw_connection()
                for statement in (_SEED, _SEED_IDENTITIES):
                    await raw.driver_connection.execute(statement, clients)  # type: ignore[union-attr]
                for table in ("users", "identity_verifications"):
                    await conn.execute(text(f"ANALYZE {table}"))
            await fanout.seed(sessionmakers, clients)
            seeded = time.monotonic() - started
            say(f"{NAME}: {clients} clients (their invoices, services, tickets) seeded in {seeded:.1f} s")
            queries = _queries(clients, count)
            everything = [q for pair in zip(queries, fanout.what_else_staff_type(clients, count, random.Random(21)),
                                            strict=True) for q in pair][:count]
            rng = random.Random(7)
            ids = [
                uuid.UUID(hashlib.md5(f"client{rng.randint(1, clients)}".encode(), usedforsecurity=False).hexdigest())
                for _ in range(count)
            ]
            sessions = {service: maker() for service, maker in sessionmakers.items()}
            try:
                session = sessions["gateway"]
                search = StaffClientRepository(session)
                users = UserRepository(session)
                both = fanout.FanOut(sessions)
                found: list[int] = []

                async def one(q: str) -> None:
                    found.append(len(await search.search(q, limit=20)))
                    session.expunge_all()

                async def pk(user_id: uuid.UUID) -> None:
                    await users.get(user_id)
                    session.expunge_all()  # every lookup reads the row, none from the identity map

                async def four(q: str) -> None:
                    fanned.append(await both.search(q))

                fanned: list[int] = []
                await _timed([partial(one, q) for q in queries[:20]])  # warm the caches and the statements
                await _timed([partial(four, q) for q in everything[:20]])
                searched = await _timed([partial(one, q) for q in queries])
                looked_up = await _timed([partial(pk, i) for i in ids])
                fanned.clear()
                fanned_out = await _timed([partial(four, q) for q in everything])
            finally:
                for open_session in sessions.values():
                    await open_session.close()
        finally:
            for engine in engines.values():
                await engine.dispose()
    p50, p99 = percentile(searched, 50), percentile(searched, 99)
    f50, f99 = percentile(fanned_out, 50), percentile(fanned_out, 99)
    base50, base99 = percentile(looked_up, 50), percentile(looked_up, 99)
    hits = sum(1 for n in found[20:] if n)
    say(
        f"{NAME}: clients search p50 {p50:.2f} ms, p99 {p99:.2f} ms over {count} queries ({hits} with results); "
        f"all four services at once p50 {f50:.2f} ms, p99 {f99:.2f} ms "
        f"({sum(1 for n in fanned if n)} of {count} with results); "
        f"primary-key lookup p50 {base50:.2f} ms, p99 {base99:.2f} ms"
    )
    extra = {"clients": clients, "queries": count, "queries_with_results": hits}
    how = "StaffClientRepository.search (trigram and prefix indexes); baseline UserRepository.get by primary key"
    how_all = ("the gateway's, billing's, provisioning's and support's search repositories at once (asyncio.gather), "
               "clients' and the other services' kinds of query alternated; baseline UserRepository.get")
    extra_all = {"clients": clients, "queries": count, "queries_with_results": sum(1 for n in fanned if n)}
    return [
        Figure(NAME, "search_p50_ms", p50, "ms", base50, TARGET_MS, "max", how, extra=extra),
        Figure(NAME, "search_p99_ms", p99, "ms", base99, TARGET_MS, "max", how, extra=extra),
        Figure(NAME, "search_all_services_p50_ms", f50, "ms", base50, TARGET_MS, "max", how_all, extra=extra_all),
        Figure(NAME, "search_all_services_p99_ms", f99, "ms", base99, TARGET_MS, "max", how_all, extra=extra_all),
    ]
