"""Request-scoped helpers shared by the gateway's routers: settings, business time, the caller's IP and account.

The dependencies are `async def` although they never wait: FastAPI runs a plain `def` dependency in a worker
thread, a cost every proxied request would pay.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from typing import Annotated

from fastapi import Depends, Request

from abono.auth import CurrentPrincipal, TokenSigner
from abono.db import SessionDep
from abono.errors import Unauthorized
from gateway.accounts.models import User
from gateway.config import GatewaySettings
from gateway.errors import ACCOUNT_CLOSED, AccountClosed

Networks = list[IPv4Network | IPv6Network]


async def get_settings(request: Request) -> GatewaySettings:
    settings: GatewaySettings = request.app.state.settings
    return settings


async def business_now(request: Request) -> datetime:
    """Platform time: the test clock in test mode, wall time otherwise."""
    now: datetime = request.app.state.clock.now()
    return now


async def get_signer(request: Request) -> TokenSigner:
    signer: TokenSigner = request.app.state.token_signer
    return signer


Settings = Annotated[GatewaySettings, Depends(get_settings)]
Now = Annotated[datetime, Depends(business_now)]
Signer = Annotated[TokenSigner, Depends(get_signer)]


@lru_cache(maxsize=4096)
def _parsed(address: str) -> IPv4Address | IPv6Address | None:
    # Every proxied request parses its peer's address twice: ~4 % of the gateway's CPU per request (issue 20, py-spy).
    try:
        return ip_address(address)
    except ValueError:
        return None


def is_trusted(address: str, networks: Networks) -> bool:
    ip = _parsed(address)
    return ip is not None and any(ip in network for network in networks)


def forwarded_chain(request: Request, trusted: Networks) -> list[str]:
    """The client's address chain as far as it can be believed: `X-Forwarded-For` only from a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    return chain_of(peer, request.headers.getlist("x-forwarded-for"), trusted)


def chain_of(peer: str, forwarded_for: list[str], trusted: Networks) -> list[str]:
    """`forwarded_chain` from the socket peer and the request's `X-Forwarded-For` values (read only if the peer is
    a trusted proxy)."""
    if not is_trusted(peer, trusted):
        return [peer]
    header = ",".join(forwarded_for)
    return [hop.strip() for hop in header.split(",") if hop.strip()] + [peer]


def client_ip(request: Request, trusted: Networks) -> str:
    """The nearest address that is not one of our proxies: the key rate limits count by."""
    chain = forwarded_chain(request, trusted)
    for hop in reversed(chain):
        if not is_trusted(hop, trusted):
            return hop
    return chain[0]


async def caller_ip(request: Request, settings: Settings) -> str:
    return client_ip(request, settings.trusted_proxies)


ClientIp = Annotated[str, Depends(caller_ip)]


async def current_user(principal: CurrentPrincipal, session: SessionDep) -> User:
    """The caller's account, loaded in the request's transaction (401 if it no longer exists, 403 if closed)."""
    user = await session.get(User, principal.user_id)
    if user is None:
        raise Unauthorized("The account of this token no longer exists.")
    if user.is_closed:
        # B-17: the JWT is still valid (services check it statelessly until it expires), but not here.
        raise AccountClosed(ACCOUNT_CLOSED)
    return user


CurrentUser = Annotated[User, Depends(current_user)]
