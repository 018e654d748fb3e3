"""D-1 search and D-3 management of my domains; the staff's view by expiry and of registrar errors. Auto-renew
on/off is billing's `PATCH /services/{id}` (`renew`, B-15): a domain is never cancelled, only not renewed."""

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import StringConstraints

from abono.auth import CurrentPrincipal, StaffPrincipal
from abono.db import SessionDep
from abono.errors import InvalidInput, NotFound, ServiceUnavailable
from provisioning.actions.repository import ActionRepository
from provisioning.domains import actions as domain_actions
from provisioning.domains import service
from provisioning.domains.models import Domain
from provisioning.domains.repository import DomainRepository
from provisioning.domains.schemas import (
    DomainPublic,
    EppCode,
    LockUpdate,
    NameserversUpdate,
    RegistrantData,
    RegistrarErrorPublic,
    SearchAnswer,
    StaffDomain,
    TransferRequest,
)
from provisioning.domains.search import search
from provisioning.registrars.base import RegistrarError
from provisioning.registrars.nicar import is_nic_ar
from provisioning.runtime import Runtime, RuntimeDep

router = APIRouter(tags=["domains"])
AUTH: dict[int | str, dict[str, Any]] = {401: {"description": "No or bad access token"}}
MINE: dict[int | str, dict[str, Any]] = {**AUTH, 404: {"description": "No such domain of yours"}}
STAFF: dict[int | str, dict[str, Any]] = {**AUTH, 403: {"description": "Staff only"}}
REGISTRAR: dict[int | str, dict[str, Any]] = {503: {"description": "The registrar did not answer; try again"}}


async def _mine(session: SessionDep, service_id: uuid.UUID, client_id: uuid.UUID, *, lock: bool = False) -> Domain:
    repo = DomainRepository(session)
    domain = await (repo.lock(service_id) if lock else repo.get(service_id))
    if domain is None or domain.client_id != client_id:  # another client's domain: as if absent
        raise NotFound("You have no such domain.")
    return domain


def _public(domain: Domain, *, complete: bool, tax_id: bool = True) -> DomainPublic:
    public = DomainPublic.model_validate(domain)
    public.uses_provider_dns = not domain.nameservers
    if domain.status in ("pending", "awaiting_contact"):
        if not complete:
            public.needs = "registrant_data"
        elif is_nic_ar(domain.name) and not tax_id:
            public.needs = "tax_id"  # NIC Argentina registers only to a holder with CUIT/CUIL
        elif domain.operation == "transfer" and not domain.epp_code_encrypted:
            public.needs = "epp_code"
    return public


async def _answer(session: SessionDep, domain: Domain) -> DomainPublic:
    profile = await DomainRepository(session).profile(domain.client_id)
    public = _public(domain, complete=domain_actions.contact_of(profile) is not None,
                     tax_id=bool(profile and profile.tax_id))
    if domain.operation == "transfer" and domain.registrar_order_id is None and domain.epp_code_encrypted:
        # D-3: the registrar refused the transfer (most often a wrong EPP code): the client sees why and may send
        # the code again; the action keeps being retried meanwhile (P-4).
        waiting = [a for a in await ActionRepository(session).for_service(domain.service_id)
                   if a.kind == "create" and a.status == "pending" and a.last_error]
        public.transfer_refused = waiting[-1].last_error if waiting else None
    return public


@router.get("/domains/search", summary="Is this domain name free under the extensions sold? With suggestions",
            responses={**AUTH, 422: {"description": "Not a name"}, **REGISTRAR})
async def search_domains(_: CurrentPrincipal, runtime: RuntimeDep,
                         q: Annotated[str, Query(min_length=1, max_length=100)],
                         tlds: Annotated[list[Annotated[str, StringConstraints(max_length=30)]] | None,
                                         Query(max_length=20)] = None) -> SearchAnswer:
    """Any signed-in client. Checks whether the name in `q` is free under each extension in `tlds` (or the extensions we
    sell, if omitted), in the order asked, with suggestions of similar free names. Example: `GET
    /api/provisioning/domains/search?q=mishop&tlds=com&tlds=com.ar`. 422 if `q` is not a valid name or a TLD is
    malformed; 503 if the registry did not answer (try again)."""
    wanted = [t.strip().lower().lstrip(".") for t in tlds] if tlds else list(runtime.settings.domain_search_tlds)
    if any(not t or len(t) > 30 or not t.replace(".", "").isalnum() for t in wanted):
        raise InvalidInput("A TLD is letters and dots, like `com` or `com.ar`.")
    try:
        return await search_all(runtime, query=q, tlds=wanted)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    except RegistrarError:
        raise ServiceUnavailable("The registrar did not answer; please try again in a moment.") from None


async def search_all(runtime: Runtime, *, query: str, tlds: list[str]) -> SearchAnswer:
    """D-1: each TLD asked of its own registry (`.ar` of NIC Argentina's RDAP), results in the order asked."""
    groups: dict[bool, list[str]] = {}
    for tld in tlds:
        groups.setdefault(is_nic_ar(tld), []).append(tld)
    answers = [await search(runtime.drivers.registrar_of(group[0]), runtime.availability, query=query, tlds=group,
                            suggestions=0 if ar else runtime.settings.domain_suggestions)
               for ar, group in groups.items()]
    found = {r.name: r for a in answers for r in a.results}
    label = answers[0].query
    return SearchAnswer(query=label, results=[found[f"{label}.{t}"] for t in tlds if f"{label}.{t}" in found],
                        suggestions=[s for a in answers for s in a.suggestions])


@router.get("/domains", summary="My domains (expiry, name servers, lock, what is pending)", responses=AUTH)
async def my_domains(principal: CurrentPrincipal, session: SessionDep) -> list[DomainPublic]:
    """Any signed-in client. The caller's domains with expiry date, name servers (or the provider's DNS), transfer lock
    and status; `needs` says what a pending registration still waits for from you (`registrant_data`, `tax_id` for `.ar`
    names, or `epp_code` for a transfer in)."""
    repo = DomainRepository(session)
    profile = await repo.profile(principal.user_id)
    complete = domain_actions.contact_of(profile) is not None
    return [_public(d, complete=complete, tax_id=bool(profile and profile.tax_id))
            for d in await repo.of_client(principal.user_id)]


@router.get("/domains/registrant", summary="My registrant data (the domain holder)",
            responses={**AUTH, 404: {"description": "Not given yet"}})
async def my_registrant(principal: CurrentPrincipal, session: SessionDep) -> RegistrantData:
    """Any signed-in client. The holder data used as the contact of all the caller's domains. 404 if it was not given
    yet."""
    profile = await DomainRepository(session).profile(principal.user_id)
    if profile is None:
        raise NotFound("You have not given your registrant data yet.")
    return RegistrantData.model_validate(profile)


@router.put("/domains/registrant", summary="Set my registrant data: starts registrations waiting for it and "
            "updates my domains' contacts", responses={**AUTH, 422: {"description": "Bad"}})
async def set_registrant(body: RegistrantData, principal: CurrentPrincipal, session: SessionDep,
                         runtime: RuntimeDep) -> RegistrantData:
    """Any signed-in client. Sets the holder data of all the caller's domains (registering a `.ar` name also needs a tax
    id). Registrations waiting for it start, and the new contact is sent to the registry for every registered domain in
    the background. Returns the saved data; 422 on invalid fields. Sending the same data again is harmless."""
    await service.save_profile(session, client_id=principal.user_id, values=body.model_dump(),
                               now=runtime.clock.now())
    return body


@router.get("/domains/{service_id}", summary="One of my domains", responses=MINE)
async def my_domain(service_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep) -> DomainPublic:
    """Any signed-in client, for one of its own domains (by its service id). As in the list, plus `transfer_refused`:
    why the other registrar refused a transfer in (most often a wrong EPP code), which may then be sent again. Another
    client's domain answers 404."""
    return await _answer(session, await _mine(session, service_id, principal.user_id))


@router.put("/domains/{service_id}/nameservers", summary="Set my domain's name servers, or use the provider's DNS",
            responses={**MINE, 422: {"description": "Bad name servers"}})
async def set_nameservers(service_id: uuid.UUID, body: NameserversUpdate, principal: CurrentPrincipal,
                          session: SessionDep, runtime: RuntimeDep) -> DomainPublic:
    """Any signed-in client, for one of its own domains. Give 2 to 13 host names in `nameservers`, or `use_provider_dns:
    true` to go back to ours. Sent to the registry in the background if the domain is registered, kept for the
    registration otherwise. 422 if both or neither are given, or fewer than 2 name servers; 404 if the domain is not
    yours."""
    if body.use_provider_dns == bool(body.nameservers):
        raise InvalidInput("Give either 2 to 13 name servers or `use_provider_dns: true`.")
    if body.nameservers and len(body.nameservers) < 2:
        raise InvalidInput("Registries require at least 2 name servers.")
    domain = await _mine(session, service_id, principal.user_id, lock=True)
    await service.set_nameservers(session, domain=domain, nameservers=body.nameservers, now=runtime.clock.now())
    return await _answer(session, domain)


@router.put("/domains/{service_id}/lock", summary="Lock or unlock my domain against transfers",
            responses={**MINE, 409: {"description": "Not registered yet"}})
async def set_lock(service_id: uuid.UUID, body: LockUpdate, principal: CurrentPrincipal, session: SessionDep,
                   runtime: RuntimeDep) -> DomainPublic:
    """Any signed-in client, for one of its own registered domains. `locked: true` asks the registry to refuse transfers
    away; `false` allows them (needed before asking for the EPP code). Applied in the background. 409 if the domain is
    not registered yet; 422 for `.ar` names, whose registry has no lock."""
    domain = await _mine(session, service_id, principal.user_id, lock=True)
    await service.set_lock(session, domain=domain, locked=body.locked, now=runtime.clock.now())
    return await _answer(session, domain)


@router.post("/domains/{service_id}/transfer", summary="Transfer this ordered domain in from another registrar "
             "with its EPP code", responses={**MINE, 409: {"description": "Too late"}})
async def transfer_in(service_id: uuid.UUID, body: TransferRequest, principal: CurrentPrincipal,
                      session: SessionDep, runtime: RuntimeDep) -> DomainPublic:
    """Any signed-in client, for a domain it ordered that is not registered yet: it is then transferred in from its
    current registrar with the EPP (auth) code given, instead of registered. The code is stored encrypted and the
    transfer starts in the background. 409 if the registration already started; 422 for `.ar` names (no EPP codes)."""
    domain = await _mine(session, service_id, principal.user_id, lock=True)
    await service.request_transfer(session, domain=domain, epp_code=body.epp_code, box=runtime.box,
                                   now=runtime.clock.now())
    return await _answer(session, domain)


@router.post("/domains/{service_id}/epp-code", summary="My domain's EPP (auth) code, to transfer it out",
             responses={**MINE, 409: {"description": "Not registered"}, 422: {"description": "Locked"}, **REGISTRAR})
async def epp_code(service_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                   runtime: RuntimeDep) -> EppCode:
    """Any signed-in client, for one of its own registered domains: asks the registry for the EPP (auth) code the new
    registrar needs to transfer the domain out. 409 if the domain is not registered; 422 if it is locked (unlock it
    first) or is a `.ar` name (no EPP codes); 503 if the registry did not answer."""
    domain = await _mine(session, service_id, principal.user_id)
    service.check_epp_allowed(domain)
    return EppCode(name=domain.name, epp_code=await _registrar_code(runtime, domain.name))


async def _registrar_code(runtime: Runtime, name: str) -> str:
    try:
        return await runtime.drivers.registrar_of(name).epp_code(name)
    except RegistrarError:
        raise ServiceUnavailable("The registrar did not answer; please try again in a moment.") from None


@router.get("/staff/domains", summary="Domains at the registry, soonest expiry first (staff)", responses=STAFF)
async def domains_by_expiry(_: StaffPrincipal, session: SessionDep, expiring_before: date | None = None,
                            limit: int = Query(200, ge=1, le=1000)) -> list[StaffDomain]:
    """Staff only. Domains with their client, status and expiry date, soonest expiry first; `expiring_before` (a date)
    limits the list to those expiring before it."""
    rows = await DomainRepository(session).by_expiry(until=expiring_before, limit=limit)
    return [StaffDomain.model_validate(d) for d in rows]


@router.get("/staff/domains/errors", summary="Registrar actions that failed and are being retried (staff)",
            responses=STAFF)
async def registrar_errors(_: StaffPrincipal, session: SessionDep, runtime: RuntimeDep,
                           limit: int = Query(100, ge=1, le=1000)) -> list[RegistrarErrorPublic]:
    """Staff only. Registrar actions (register, transfer, renew, name servers, contacts, lock) that failed several times
    in a row, with the domain, the client and the registrar's last error. They keep being retried by themselves."""
    rows = await ActionRepository(session).failing(min_attempts=runtime.settings.action_failing_after_attempts,
                                                   limit=limit, drivers=runtime.settings.registrar_drivers)
    domains = await DomainRepository(session).many({r.service_id for r in rows})
    return [RegistrarErrorPublic.model_validate(r).model_copy(update={
        "domain": d.name if (d := domains.get(r.service_id)) else None, "client_id": d.client_id if d else None})
        for r in rows]
