"""P-6: service transfers between two clients, both confirming. A client sees only the transfers it is a party
to; any other is a 404, as if it did not exist."""

import uuid

from fastapi import APIRouter, status

from abono.auth import CurrentPrincipal
from abono.db import SessionDep
from abono.errors import problem_responses
from provisioning.runtime import Runtime, RuntimeDep
from provisioning.transfers import service
from provisioning.transfers.models import ServiceTransfer
from provisioning.transfers.schemas import TransferCreate, TransferPublic

router = APIRouter(tags=["transfers"])


def _public(transfer: ServiceTransfer, client_id: uuid.UUID, runtime: Runtime) -> TransferPublic:
    public = TransferPublic.model_validate(transfer)
    public.status = service.status_of(transfer, runtime.clock.now())
    public.direction = "outgoing" if transfer.from_client_id == client_id else "incoming"
    if public.direction == "outgoing" and transfer.status != "completed":
        public.to_client_id = None  # issue 11: offering does not tell whether the e-mail is a client's
    return public


@router.post(
    "/services/{service_id}/transfers", status_code=status.HTTP_201_CREATED,
    summary="Offer one of my active services to another client (my request is my confirmation)",
    description="The answer does not tell whether the e-mail or id is a client's, or a verified one: "
    "an offer to an e-mail no client has reaches nobody and expires; the recipient's verification is checked when "
    "it accepts, and its id is shown to the owner once the transfer is completed.",
    responses=problem_responses(
        401, 404, 409, 422, 429, s404="No such service of yours",
        s409="You are not verified, the service is not active or has unpaid invoices, or a transfer is pending",
        s422="Invalid body, or the recipient is the owner",
        s429="Too many offers (the gateway's limit: an offer must not be a way to look e-mails up)"),
)
async def request_transfer(service_id: uuid.UUID, body: TransferCreate, principal: CurrentPrincipal,
                           session: SessionDep, runtime: RuntimeDep) -> TransferPublic:
    transfer = await service.request_transfer(
        session, service_id=service_id, owner_id=principal.user_id, owner_email=principal.email,
        to_client_id=body.to_client_id, to_email=body.to_email,
        expiry_days=runtime.settings.transfer_expiry_days, now=runtime.clock.now())
    return _public(transfer, principal.user_id, runtime)


@router.get("/transfers", summary="My transfers, offered and received", responses=problem_responses(401))
async def my_transfers(principal: CurrentPrincipal, session: SessionDep,
                       runtime: RuntimeDep) -> list[TransferPublic]:
    """Any signed-in client. The transfers the caller offered (`direction: outgoing`) or received (`incoming`), with
    their status (pending, completed, cancelled, expired). On an outgoing transfer the recipient's id is shown only once
    it is completed."""
    transfers = await service.my_transfers(session, client_id=principal.user_id)
    return [_public(t, principal.user_id, runtime) for t in transfers]


@router.post(
    "/transfers/{transfer_id}/accept", summary="Accept a transfer offered to me: the service becomes mine",
    responses=problem_responses(
        401, 403, 404, 409, s403="Only the recipient accepts", s404="No such transfer of yours",
        s409="No longer pending, or the service or a client no longer qualifies"),
)
async def accept_transfer(transfer_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                          runtime: RuntimeDep) -> TransferPublic:
    """Only the recipient of a pending transfer may call this (the owner gets 403). The service moves to the caller's
    account at once; the change is recorded and published to the other services. 404 if the transfer is not one of
    yours; 409 if it is no longer pending, or the service or either client no longer qualifies (e.g. unpaid invoices,
    recipient not verified)."""
    transfer = await service.accept_transfer(session, transfer_id=transfer_id, client_id=principal.user_id,
                                             now=runtime.clock.now())
    return _public(transfer, principal.user_id, runtime)


@router.post(
    "/transfers/{transfer_id}/cancel", summary="Withdraw a pending transfer (the owner or the recipient)",
    responses=problem_responses(401, 404, 409, s404="No such transfer of yours", s409="No longer pending"),
)
async def cancel_transfer(transfer_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep,
                          runtime: RuntimeDep) -> TransferPublic:
    """Either party (the owner or the recipient) may withdraw a pending transfer; the service stays where it is. Returns
    the transfer, now cancelled. 404 if it is not one of yours, 409 if it is no longer pending."""
    transfer = await service.cancel_transfer(session, transfer_id=transfer_id, client_id=principal.user_id,
                                             now=runtime.clock.now())
    return _public(transfer, principal.user_id, runtime)
