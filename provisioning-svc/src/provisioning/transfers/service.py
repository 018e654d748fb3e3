"""P-6: a service changes hands when both clients confirm the same request.

The owner's request is the owner's confirmation; the recipient's acceptance completes it. Both accounts must be
verified: staff approved their identity (A-2; provisioning's copy of the gateway's accounts learns it from
`ClientVerified`), and the service active with no unpaid invoice, when requested and again when accepted.
Either client may cancel while it is pending; a request expires after `transfer_expiry_days` on the injected clock.
A third client is told nothing: every transfer that is not its own is a 404.
Offering does not tell whether an e-mail or id is a client's, nor whether that client is verified (issue 11): the
offer is made either way (to nobody, for an unknown e-mail; it expires unaccepted), the recipient is checked when it
accepts, and the owner sees the recipient's id only once the transfer is completed.
"""

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict, Forbidden, InvalidInput, NotFound
from abono.events import ServiceTransferred
from abono.messaging import emit
from provisioning.clients.models import ClientCopy
from provisioning.clients.repository import ClientRepository
from provisioning.instances.lifecycle import State
from provisioning.instances.models import ServiceInstance
from provisioning.instances.repository import ServiceRepository
from provisioning.instances.service import Cause, audit_row, note
from provisioning.invoices.repository import InvoiceRepository
from provisioning.transfers.models import ServiceTransfer
from provisioning.transfers.repository import PENDING, TransferRepository

RULE = "P-6"


class ClientNotVerified(Conflict):
    code, title = "client-not-verified", "Both clients must be verified"


class ServiceNotTransferable(Conflict):
    code, title = "service-not-transferable", "The service cannot be transferred now"


class TransferAlreadyPending(Conflict):
    code, title = "transfer-pending", "The service already has a pending transfer"


class TransferNotPending(Conflict):
    code, title = "transfer-not-pending", "The transfer is no longer pending"


def status_of(transfer: ServiceTransfer, now: datetime) -> str:
    """The status as clients see it: a pending request past its expiry is expired."""
    if transfer.status == PENDING and transfer.expires_at <= now:
        return "expired"
    return transfer.status


async def request_transfer(
    session: AsyncSession, *, service_id: uuid.UUID, owner_id: uuid.UUID, owner_email: str,
    to_client_id: uuid.UUID | None, to_email: str | None, expiry_days: int, now: datetime,
) -> ServiceTransfer:
    """The owner asks to give its service to another client; the request is the owner's confirmation."""
    services = ServiceRepository(session)
    await services.lock_client(owner_id)  # serialised with billing's events for the owner
    service = await services.lock(service_id)
    if service is None or service.client_id != owner_id:
        raise NotFound("You have no such service.")
    recipient_id, shown_email = await _recipient(session, owner_id=owner_id, to_client_id=to_client_id,
                                                 to_email=to_email)
    await _check_owner_side(session, service=service, owner_id=owner_id)
    transfers = TransferRepository(session)
    await transfers.expire_stale(service.id, now=now)
    pending = await transfers.pending_for_service(service.id)
    if pending is not None:
        raise TransferAlreadyPending("Cancel the pending transfer of this service first.", transfer_id=str(pending.id))
    transfer = ServiceTransfer(
        id=uuid.uuid4(), service_id=service.id, from_client_id=owner_id, to_client_id=recipient_id,
        from_email=owner_email or None, to_email=shown_email, product_name=service.product_name,
        domain=service.domain, status=PENDING, requested_at=now, expires_at=now + timedelta(days=expiry_days),
    )
    transfers.add(transfer)
    await session.flush()
    await note(session, service=service, action="transfer_requested",
               cause=Cause("client", rule=RULE, actor_id=owner_id, note=_describe(transfer)), now=now)
    return transfer


async def accept_transfer(session: AsyncSession, *, transfer_id: uuid.UUID, client_id: uuid.UUID,
                          now: datetime) -> ServiceTransfer:
    """The recipient's confirmation: with the owner's, the service becomes the recipient's (audited, published)."""
    found = await _visible(session, transfer_id=transfer_id, client_id=client_id)
    if found.to_client_id != client_id:
        raise Forbidden("Only the recipient accepts a transfer; the request already is the owner's confirmation.")
    await ServiceRepository(session).lock_client(found.from_client_id)  # then the same order as billing's events
    service = await ServiceRepository(session).lock(found.service_id)
    transfer = await TransferRepository(session).lock(transfer_id)
    assert transfer is not None and service is not None
    _check_pending(transfer, now)
    if service.client_id != transfer.from_client_id:
        raise ServiceNotTransferable("The service no longer belongs to the client who offered it.")
    recipient = await ClientRepository(session).get(client_id)
    await _check_transferable(session, service=service, owner_id=transfer.from_client_id, recipient=recipient)
    transfer.status, transfer.accepted_at = "completed", now
    service.client_id, service.updated_at = client_id, now  # the recipient (checked above)
    event = ServiceTransferred(service_id=service.id, from_client_id=transfer.from_client_id,
                               to_client_id=client_id, transfer_id=transfer.id, occurred_at=now)
    await emit(session, event)
    transfer.event_id = event.event_id
    cause = Cause("client", rule=RULE, actor_id=client_id, note=_describe(transfer) + ", confirmed by both")
    ServiceRepository(session).add_audit(
        audit_row(service, action="transfer", from_state=service.state, cause=cause, now=now, event=event))
    await session.flush()
    return transfer


async def cancel_transfer(session: AsyncSession, *, transfer_id: uuid.UUID, client_id: uuid.UUID,
                          now: datetime) -> ServiceTransfer:
    """Either client withdraws a pending request."""
    await _visible(session, transfer_id=transfer_id, client_id=client_id)
    transfer = await TransferRepository(session).lock(transfer_id)
    assert transfer is not None
    _check_pending(transfer, now)
    transfer.status, transfer.cancelled_at, transfer.cancelled_by = "cancelled", now, client_id
    service = await ServiceRepository(session).get(transfer.service_id)
    if service is not None:
        who = "owner" if client_id == transfer.from_client_id else "recipient"
        await note(session, service=service, action="transfer_cancelled",
                   cause=Cause("client", rule=RULE, actor_id=client_id, note=f"{_describe(transfer)}, by the {who}"),
                   now=now)
    await session.flush()
    return transfer


async def my_transfers(session: AsyncSession, *, client_id: uuid.UUID) -> list[ServiceTransfer]:
    return await TransferRepository(session).of_client(client_id)


async def _visible(session: AsyncSession, *, transfer_id: uuid.UUID, client_id: uuid.UUID) -> ServiceTransfer:
    transfer = await TransferRepository(session).get(transfer_id)
    if transfer is None or client_id not in (transfer.from_client_id, transfer.to_client_id):
        raise NotFound("You have no such transfer.")  # another's transfer: as if absent
    return transfer


def _check_pending(transfer: ServiceTransfer, now: datetime) -> None:
    status = status_of(transfer, now)
    if status != PENDING:
        raise TransferNotPending(f"This transfer is {status}.", transfer_status=status)


async def _recipient(session: AsyncSession, *, owner_id: uuid.UUID, to_client_id: uuid.UUID | None,
                     to_email: str | None) -> tuple[uuid.UUID | None, str | None]:
    """Whom an offer goes to: the recipient's id (None: no client has that e-mail) and the e-mail the owner typed.
    Whether a client matches is never told to the owner (issue 11); only offering to oneself is refused."""
    if to_client_id is not None:
        if to_client_id == owner_id:
            raise InvalidInput("A service cannot be transferred to its own owner.")
        return to_client_id, None
    found = await ClientRepository(session).by_email(to_email or "")
    if found is not None and found.id == owner_id:
        raise InvalidInput("A service cannot be transferred to its own owner.")
    return (found.id if found is not None else None), to_email


async def _check_owner_side(session: AsyncSession, *, service: ServiceInstance, owner_id: uuid.UUID) -> None:
    owner = await ClientRepository(session).get(owner_id)
    # both sides verified.
    if owner is None or not owner.verified:
        raise ClientNotVerified("Verify your identity before transferring a service.", client="owner")
    if service.state != State.ACTIVE.value:
        raise ServiceNotTransferable(f"Only an active service can be transferred; this one is {service.state}.")
    unpaid = await InvoiceRepository(session).unpaid_for_service(service_id=service.id, owner_id=owner_id)
    if unpaid:
        raise ServiceNotTransferable("The service has unpaid invoices; pay them first.",
                                     invoices=[i.number for i in unpaid])


async def _check_transferable(session: AsyncSession, *, service: ServiceInstance, owner_id: uuid.UUID,
                              recipient: ClientCopy | None) -> None:
    await _check_owner_side(session, service=service, owner_id=owner_id)
    if recipient is None or not recipient.verified:
        raise ClientNotVerified("Verify your identity before accepting a transfer.", client="recipient")


def _describe(transfer: ServiceTransfer) -> str:
    return f"transfer {transfer.id} from {transfer.from_client_id} to {transfer.to_client_id}"
