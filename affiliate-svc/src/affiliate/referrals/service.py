"""F-1: turning an affiliate account on, recording visits of its link, and attributing sign-ups once.

A visit of `/r/{code}` records when and whose link (plus a keyed hash of the address) and sets a first-party cookie
holding the visit's id for the window (90 days); the gateway reads that cookie at sign-up and carries it on
`ClientRegistered.referral_visit`. The window is judged here, on platform time (visit → sign-up), not by the
cookie's own expiry. A code typed at sign-up (`ClientRegistered.referral_code`) names the affiliate directly and
wins over a cookie.

Self-referral is refused: the same client, the same e-mail (`rules.email_key`), the same document (A-2
fingerprints, when the referred client is verified) or the same payer fingerprint (when a provider gives one);
the last two are only known later, so `refuse_self_referrals` re-checks when they arrive. Suspicious sign-ups are
held for staff: from a visit made from the affiliate's own address, on the affiliate's own non-public e-mail
domain, or beyond `suspicious_signups_per_day` in a day.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict, NotFound
from abono.events import ReferralAttributed
from abono.messaging import emit
from affiliate import audit
from affiliate.clients.models import Client
from affiliate.clients.repository import ClientRepository
from affiliate.config import AffiliateSettings
from affiliate.referrals.models import Affiliate, Attribution, AttributionStatus, Visit
from affiliate.referrals.repository import ReferralRepository
from affiliate.referrals.rules import code_of, email_domain, ip_hash, within_window


async def activate(*, session: AsyncSession, settings: AffiliateSettings, client_id: uuid.UUID, now: datetime,
                   address: str | None) -> tuple[Affiliate, bool]:
    """Turn the client's affiliate account on (once); returns it and whether it was created now."""
    repo = ReferralRepository(session)
    created = await repo.add_affiliate(client_id=client_id, code=code_of(client_id), activated_at=now,
                                       ip_hash=ip_hash(address, settings.ip_hash_key.get_secret_value()))
    affiliate = await repo.affiliate(client_id)
    assert affiliate is not None
    return affiliate, created


async def record_visit(*, session: AsyncSession, settings: AffiliateSettings, code: str, now: datetime,
                       address: str | None) -> Visit | None:
    """A visit of an affiliate's link; None when the code is no affiliate's (nothing is recorded)."""
    affiliate = await ReferralRepository(session).affiliate_by_code(code)
    if affiliate is None:
        return None
    hashed = ip_hash(address, settings.ip_hash_key.get_secret_value())
    visit = Visit(id=uuid.uuid4(), affiliate_id=affiliate.client_id, visited_at=now, ip_hash=hashed,
                  own_address=hashed is not None and hashed == affiliate.ip_hash)
    session.add(visit)
    await session.flush()
    return visit


async def _candidate(session: AsyncSession, settings: AffiliateSettings, *, code: str | None,
                     visit_token: str | None, signed_up_at: datetime) -> tuple[Affiliate, str, Visit | None] | None:
    repo = ReferralRepository(session)
    if code:
        affiliate = await repo.affiliate_by_code(code)
        if affiliate is not None:
            return affiliate, "code", None
    if not visit_token:
        return None
    try:
        visit = await repo.visit(uuid.UUID(visit_token))
    except ValueError:
        return None
    if visit is None or not within_window(visit.visited_at, signed_up_at, settings.attribution_window_days):
        return None
    affiliate = await repo.affiliate(visit.affiliate_id)
    return (affiliate, "link", visit) if affiliate is not None else None


async def _verdict(session: AsyncSession, settings: AffiliateSettings, *, affiliate: Affiliate, client: Client,
                   visit: Visit | None, signed_up_at: datetime) -> tuple[AttributionStatus, str]:
    """The status a sign-up gets: refused for a self-referral known now, held when suspicious, else attributed."""
    if affiliate.client_id == client.id:
        return AttributionStatus.REFUSED, "self-referral: same client"
    own = await ClientRepository(session).get(affiliate.client_id)
    if own is not None and own.email_key and own.email_key == client.email_key:
        return AttributionStatus.REFUSED, "self-referral: same e-mail"
    if visit is not None and visit.own_address:
        return AttributionStatus.HELD, "the visit came from the affiliate's own address"
    domain = email_domain(client.email_key)
    if own is not None and domain and domain == email_domain(own.email_key) \
            and domain not in settings.public_email_domains:
        return AttributionStatus.HELD, f"same e-mail domain as the affiliate ({domain})"
    recent = await ReferralRepository(session).signups_since(affiliate.client_id, signed_up_at - timedelta(days=1))
    if recent >= settings.suspicious_signups_per_day:
        return AttributionStatus.HELD, f"more than {settings.suspicious_signups_per_day} sign-ups in a day"
    return AttributionStatus.ATTRIBUTED, ""


async def attribute_signup(*, session: AsyncSession, settings: AffiliateSettings, client_id: uuid.UUID,
                           code: str | None, visit_token: str | None, signed_up_at: datetime) -> Attribution | None:
    """F-1: attribute a new client's sign-up to an affiliate, once; None when nothing names one."""
    found = await _candidate(session, settings, code=code, visit_token=visit_token, signed_up_at=signed_up_at)
    client = await ClientRepository(session).get(client_id)
    if found is None or client is None:
        return None
    affiliate, source, visit = found
    status, reason = await _verdict(session, settings, affiliate=affiliate, client=client, visit=visit,
                                    signed_up_at=signed_up_at)
    decided = await ReferralRepository(session).add_attribution(
        client_id=client_id, affiliate_id=affiliate.client_id, source=source,
        visit_id=visit.id if visit is not None else None, status=status.value, reason=reason,
        signed_up_at=signed_up_at)
    if not decided:  # decided before: once per client
        return None
    if status is AttributionStatus.ATTRIBUTED:
        await emit(session, ReferralAttributed(client_id=client_id, affiliate_client_id=affiliate.client_id,
                                               code=affiliate.code, source=source, occurred_at=signed_up_at))
    return await ReferralRepository(session).attribution(client_id)


async def refuse_self_referrals(*, session: AsyncSession, client_id: uuid.UUID, now: datetime) -> list[Attribution]:
    """Re-check the attributions this client takes part in (as referred client or as affiliate) against what is
    known now (A-2 document fingerprints, payer fingerprints); returns the ones refused now."""
    clients, repo = ClientRepository(session), ReferralRepository(session)
    own = await repo.attribution(client_id, for_update=True)
    pairs = [own] if own is not None and own.status != AttributionStatus.REFUSED else []
    pairs += await repo.live_attributions_of(client_id)
    refused = []
    for attribution in pairs:
        referred = await clients.get(attribution.client_id)
        affiliate = await clients.get(attribution.affiliate_id)
        if referred is None or affiliate is None:
            continue
        reason = ""
        if referred.document_fingerprint and referred.document_fingerprint == affiliate.document_fingerprint:
            reason = "self-referral: same document"
        elif (await clients.payer_fingerprints(referred.id)) & (await clients.payer_fingerprints(affiliate.id)):
            reason = "self-referral: same payer"
        if reason:
            attribution.status, attribution.reason, attribution.decided_at = (
                AttributionStatus.REFUSED.value, reason, now)
            refused.append(attribution)
    await session.flush()
    return refused


async def decide_held(*, session: AsyncSession, client_id: uuid.UUID, approve: bool, reason: str,
                      staff_id: uuid.UUID, now: datetime) -> Attribution:
    """Staff approve (it earns from now on, and for what was paid while held) or refuse a held attribution."""
    repo = ReferralRepository(session)
    attribution = await repo.attribution(client_id, for_update=True)
    if attribution is None:
        raise NotFound("No such attribution.")
    if attribution.status != AttributionStatus.HELD:
        raise Conflict(f"Only a held attribution can be decided; this one is {attribution.status}.")
    attribution.status = (AttributionStatus.ATTRIBUTED if approve else AttributionStatus.REFUSED).value
    attribution.reason = reason or attribution.reason
    attribution.decided_at, attribution.decided_by = now, staff_id
    await session.flush()
    await audit.record(session, actor_id=staff_id, action="attribution_approve" if approve else "attribution_refuse",
                       at=now, affiliate_id=attribution.affiliate_id, client_id=str(client_id), reason=reason)
    if approve:
        affiliate = await repo.affiliate(attribution.affiliate_id)
        assert affiliate is not None
        await emit(session, ReferralAttributed(client_id=client_id, affiliate_client_id=affiliate.client_id,
                                               code=affiliate.code, source=attribution.source, occurred_at=now))
    return attribution
