"""Stored business settings over the environment's defaults: `effective` for a unit of work (the scheduler's run
reads them once per run; requests through `jobs.SettingsCache`), `set_group`/`reset_group` for admins (audited:
who, when, before, after), `seller_identity` and `transfer_instructions_for` for invoices and payments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from abono.auth import Principal
from abono.errors import NotFound
from billing.audit.repository import AuditRepository
from billing.business_settings.repository import TARGET_TYPE, BusinessSettingRepository, target_id
from billing.business_settings.schemas import GROUPS, GroupState, SellerIdentity, SettingChange, _Group
from billing.config import BillingSettings, TransferInstruction


def default_of(key: str, base: BillingSettings) -> _Group:
    """A group's values from the environment (the seeded default)."""
    schema = GROUPS[key]
    return schema.model_construct(**{name: getattr(base, name) for name in schema.model_fields})


def apply(base: BillingSettings, stored: dict[str, dict[str, Any]]) -> BillingSettings:
    """The settings with each stored group in place of the environment's values (an unreadable group is ignored:
    the environment's values stay, so a bad row never stops billing)."""
    update: dict[str, Any] = {}
    for key, value in stored.items():
        schema = GROUPS.get(key)
        if schema is None:
            continue
        group = schema.model_validate(value)
        update.update({name: getattr(group, name) for name in schema.model_fields})
    return base.model_copy(update=update) if update else base


async def effective(session: AsyncSession, base: BillingSettings) -> BillingSettings:
    """The settings as an admin left them, read now."""
    return apply(base, {k: row.value for k, row in (await BusinessSettingRepository(session).all()).items()})


async def states(session: AsyncSession, base: BillingSettings) -> dict[str, GroupState[Any]]:
    stored = await BusinessSettingRepository(session).all()
    out: dict[str, GroupState[Any]] = {}
    for key, schema in GROUPS.items():
        row = stored.get(key)
        if row is None:
            out[key] = GroupState(value=default_of(key, base), source="environment")
        else:
            out[key] = GroupState(
                value=schema.model_validate(row.value),
                source="console",
                updated_at=row.updated_at,
                updated_by=row.updated_by,
            )
    return out


async def _current_json(repo: BusinessSettingRepository, key: str, base: BillingSettings) -> dict[str, Any]:
    row = await repo.get(key, for_update=True)
    return row.value if row is not None else default_of(key, base).model_dump(mode="json")


async def set_group(
    *, session: AsyncSession, base: BillingSettings, key: str, value: _Group, actor: Principal, now: datetime
) -> None:
    """An admin's new values for a group, with its audit row (before and after)."""
    repo = BusinessSettingRepository(session)
    before = await _current_json(repo, key, base)
    after = value.model_dump(mode="json")
    await repo.put(key, after, by=actor.user_id, at=now)
    await AuditRepository(session).add(
        actor_id=actor.user_id,
        action="business_setting_set",
        target_type=TARGET_TYPE,
        target_id=target_id(key),
        at=now,
        details={"key": key, "actor_email": actor.email, "before": before, "after": after},
    )


async def reset_group(
    *, session: AsyncSession, base: BillingSettings, key: str, actor: Principal, now: datetime
) -> None:
    """Back to the environment's values for a group (audited); 404 when the console set none."""
    repo = BusinessSettingRepository(session)
    before = await _current_json(repo, key, base)
    if not await repo.remove(key):
        raise NotFound(f"No value was set in the console for {key!r}.")
    await AuditRepository(session).add(
        actor_id=actor.user_id,
        action="business_setting_reset",
        target_type=TARGET_TYPE,
        target_id=target_id(key),
        at=now,
        details={
            "key": key,
            "actor_email": actor.email,
            "before": before,
            "after": default_of(key, base).model_dump(mode="json"),
        },
    )


@dataclass(frozen=True)
class Seller:
    """The seller's identity as an invoice prints it."""

    name: str
    address: str
    tax_id: str
    logo_url: str


async def seller_identity(session: AsyncSession, base: BillingSettings) -> Seller:
    """Who issues the invoices, as an admin last set it (for the invoice PDF and anything else that prints it)."""
    row = await BusinessSettingRepository(session).get("seller")
    group = SellerIdentity.model_validate(row.value) if row is not None else default_of("seller", base)
    assert isinstance(group, SellerIdentity)
    return Seller(
        name=group.seller_name, address=group.seller_address, tax_id=group.seller_tax_id, logo_url=group.seller_logo_url
    )


def transfer_instructions_for(
    settings: BillingSettings, *, currency: str, country: str | None
) -> TransferInstruction | None:
    """B-19: the bank details for a currency and the client's country, else the currency's for any country."""
    by_key = {(t.currency, t.country): t for t in settings.transfer_instructions}
    return by_key.get((currency, (country or "").upper())) or by_key.get((currency, "*"))


async def history(session: AsyncSession, *, limit: int) -> list[SettingChange]:
    """The latest changes of every group, newest first."""
    return [
        SettingChange(
            at=e.at,
            actor_id=e.actor_id,
            actor_email=e.details.get("actor_email"),
            action=e.action,
            key=e.details.get("key", ""),
            before=e.details.get("before", {}),
            after=e.details.get("after", {}),
        )
        for e in await BusinessSettingRepository(session).history(limit=limit)
    ]
