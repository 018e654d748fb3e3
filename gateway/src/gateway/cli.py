"""Operator commands: `python -m gateway.cli create-user --email a@b.c --password ... --role admin`.

Uses the gateway's settings (`GATEWAY_DATABASE_URL`), on a migrated database.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from collections.abc import Sequence

from abono.auth import Role
from abono.clock import SystemClock
from abono.countries import COUNTRIES
from abono.db import make_engine, make_sessionmaker, unit_of_work
from abono.errors import Conflict
from abono.events import ClientRegistered, EmailVerified
from abono.messaging.outbox import emit
from gateway.accounts.schemas import normalize_email
from gateway.accounts.service import announce_role, create_user, profile_of
from gateway.config import GatewaySettings


async def create_user_command(
    *, settings: GatewaySettings, email: str, password: str, role: Role, name: str, country: str | None
) -> str:
    """Create a verified account; a client also gets its ClientRegistered and EmailVerified events (billing and
    provisioning keep their copies; P-6 transfers need the verification)."""
    engine = make_engine(settings.database_url, pool_size=1)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            now = SystemClock().now()
            user = await create_user(
                session=session,
                email=email,
                password=password,
                name=name,
                role=role,
                country=country,
                now=now,
                verified=True,
            )
            if role is not Role.CLIENT:
                await announce_role(session, user, now=now)
            else:
                await emit(
                    session,
                    ClientRegistered(client_id=user.id, profile=profile_of(user), occurred_at=now),
                    EmailVerified(client_id=user.id, occurred_at=now),
                )
        return str(user.id)
    finally:
        await engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m gateway.cli", description="Abono gateway operator commands")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create a verified account (e.g. the first admin)")
    create.add_argument("--email", required=True)
    create.add_argument("--password", help="at least 10 characters; asked for if omitted")
    create.add_argument("--role", choices=[role.value for role in Role], default=Role.CLIENT.value)
    create.add_argument("--name", default="Administrator")
    create.add_argument("--country", help="ISO 3166-1 alpha-2 (clients)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        email = normalize_email(args.email)
    except ValueError:
        print(f"error: {args.email!r} is not an e-mail address", file=sys.stderr)
        return 2
    password = args.password or getpass.getpass("Password: ")
    if len(password) < 10:
        print("error: the password needs at least 10 characters", file=sys.stderr)
        return 2
    country = args.country.upper() if args.country else None
    if country is not None and country not in COUNTRIES:
        print(f"error: {args.country!r} is not an ISO 3166-1 alpha-2 country code", file=sys.stderr)
        return 2
    try:
        user_id = asyncio.run(
            create_user_command(
                settings=GatewaySettings(),
                email=email,
                password=password,
                role=Role(args.role),
                name=args.name,
                country=country,
            )
        )
    except Conflict as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return 1
    print(user_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
