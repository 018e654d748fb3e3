"""What the domains' jobs share: going through a list one item at a time, each item in a transaction of its own, so
that one that fails, or that another replica took first, never undoes nor holds back the others. A provider is asked
outside any transaction: no row stays locked while it answers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.db import unit_of_work

Item = TypeVar("Item")
Answer = TypeVar("Answer")


async def ask_then_record(
    sessionmaker: async_sessionmaker[AsyncSession],
    items: Iterable[Item],
    ask: Callable[[Item], Awaitable[Answer]],
    record: Callable[[AsyncSession, Item, Answer], Awaitable[bool]],
) -> int:
    """For each item: `ask` (a provider, outside any transaction), then `record` its answer in a transaction of its
    own. Returns how many items `record` counted (returned True for)."""
    done = 0
    for item in items:
        answer = await ask(item)
        async with unit_of_work(sessionmaker) as session:
            if await record(session, item, answer):
                done += 1
    return done


async def each_in_own_transaction(
    sessionmaker: async_sessionmaker[AsyncSession],
    items: Iterable[Item],
    step: Callable[[AsyncSession, Item], Awaitable[bool]],
) -> int:
    """`step` for each item, in a transaction of its own; returns how many items `step` counted (returned True for)."""

    async def record(session: AsyncSession, item: Item, _: None) -> bool:
        return await step(session, item)

    return await ask_then_record(sessionmaker, items, _nothing, record)


async def _nothing(_: object) -> None:
    return None
