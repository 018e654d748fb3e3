"""#14 item 5 in billing: business settings an admin changes without a restart (B-3..B-6, B-12, B-19, B-20, the
seller's identity), stored in billing's tables, audited, read by the next unit of work; staff read them only."""

import uuid
from datetime import date, datetime, time, timedelta

import httpx
from billing_helpers import auth, db_session, new_client, run_scheduler, sql, staff
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from abono.auth import Role
from billing.business_settings.service import seller_identity
from billing.config import BillingSettings

DUE = date(2029, 6, 4)  # a Monday no other test of this module uses
DUNNING = {
    "reminder_days_before": [7, 3],
    "suspend_after_days": 1,
    "suspend_all_after_business_days": 5,
    "terminate_after_days": 20,
    "autopay_days_before": 0,  # B-21
    "autopay_retry_days": [1, 2],
}


def admin() -> dict[str, str]:
    return auth(role=Role.ADMIN)


async def unpaid_invoice(
    url: str, client_id: uuid.UUID, due_on: date, currency: str = "USD"
) -> tuple[uuid.UUID, uuid.UUID]:
    """An active service on an unpaid invoice due `due_on` (rows as billing writes them)."""
    service_id, invoice_id = uuid.uuid4(), uuid.uuid4()
    issued = datetime.combine(due_on - timedelta(days=15), time(12)).astimezone()
    await sql(
        url,
        """
        INSERT INTO subscriptions (id, client_id, product_id, product_code, cycle, currency, status, next_due_on,
                                   created_at, updated_at)
        SELECT $1, $2, id, code, 'monthly', $3, 'active', $4, $5, $5 FROM products ORDER BY code LIMIT 1
    """,
        service_id,
        client_id,
        currency,
        due_on,
        issued,
    )
    await sql(
        url,
        """
        INSERT INTO invoices (id, number, payment_reference, client_id, currency, kind, status, issued_at, due_on,
                              subtotal_minor, discount_minor, credit_applied_minor, total_minor, note)
        VALUES ($1::uuid, 'S-' || $1::uuid::text, 'R' || left(replace($1::uuid::text, '-', ''), 12), $2, $3,
                'renewal', 'unpaid', $4, $5, 5000, 0, 0, 5000, '')
    """,
        invoice_id,
        client_id,
        currency,
        issued,
        due_on,
    )
    await sql(
        url,
        """
        INSERT INTO invoice_lines (id, invoice_id, position, kind, description, service_ids, quantity,
                                   unit_price_minor, gross_minor, discount_minor, amount_minor, discounts)
        VALUES ($1, $2, 1, 'service', 'hosting', $3, 1, 5000, 5000, 0, 5000, '[]')
    """,
        uuid.uuid4(),
        invoice_id,
        [service_id],
    )
    return service_id, invoice_id


async def status_of(url: str, service_id: uuid.UUID) -> str:
    return str((await sql(url, "SELECT status FROM subscriptions WHERE id = $1", service_id))[0]["status"])


async def test_item5_staff_read_only_clients_refused_admins_write_bounded_values(billing: httpx.AsyncClient) -> None:
    client = auth(uuid.uuid4())
    assert (await billing.get("/staff/settings", headers=client)).status_code == 403
    read = await billing.get("/staff/settings", headers=staff())
    assert read.status_code == 200
    assert read.json()["dunning"]["source"] == "environment"
    assert read.json()["dunning"]["value"]["suspend_after_days"] == BillingSettings().suspend_after_days
    # Percentages are JSON numbers, as the OpenAPI document declares (issue 11, make fuzz).
    discounts = read.json()["discounts"]["value"]
    assert all(isinstance(p, int | float) for p in discounts["discount_cycle_percent"].values()), discounts
    for who in (client, staff()):
        refused = await billing.put("/staff/settings/dunning", headers=who, json=DUNNING)
        assert refused.status_code == 403
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert (await billing.delete("/staff/settings/dunning", headers=who)).status_code == 403
    for bad in (
        {**DUNNING, "suspend_after_days": 400},
        {**DUNNING, "terminate_after_days": 1},
        {**DUNNING, "reminder_days_before": [3, 3]},
        {**DUNNING, "suspend_after_days": "2"},
        {**DUNNING, "extra": 1},
    ):
        answer = await billing.put("/staff/settings/dunning", headers=admin(), json=bad)
        assert answer.status_code == 422, bad
        assert answer.headers["content-type"].startswith("application/problem+json")
    seller = {"seller_name": "Hosting SA", "seller_logo_url": "javascript:alert(1)"}
    assert (await billing.put("/staff/settings/seller", headers=admin(), json=seller)).status_code == 422


async def test_b4_dunning_days_an_admin_changes_apply_at_the_next_run_and_are_audited(
    billing: httpx.AsyncClient, billing_db: str, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    client_id = await new_client(billing_db)
    service_id, _ = await unpaid_invoice(billing_db, client_id, DUE)
    await run_scheduler(sessionmaker, DUE + timedelta(days=1))
    assert await status_of(billing_db, service_id) == "active"  # B-4's default: 2 days after the due date
    admin_id = uuid.uuid4()
    changed = await billing.put("/staff/settings/dunning", headers=auth(admin_id, Role.ADMIN), json=DUNNING)
    assert changed.status_code == 200, changed.text
    assert changed.json()["dunning"] | {"updated_at": None} == {
        "value": DUNNING,
        "source": "console",
        "updated_by": str(admin_id),
        "updated_at": None,
    }
    await run_scheduler(sessionmaker, DUE + timedelta(days=1))  # the same day, the next run: 1 day is enough now
    assert await status_of(billing_db, service_id) == "suspended"
    audit = await sql(
        billing_db,
        "SELECT actor_id, action, details FROM audit_log WHERE target_type = 'business_setting' AND actor_id = $1",
        admin_id,
    )
    assert [a["action"] for a in audit] == ["business_setting_set"]
    history = (await billing.get("/staff/settings/history", headers=staff())).json()
    mine = [h for h in history if h["actor_id"] == str(admin_id)]
    assert mine[0]["key"] == "dunning" and mine[0]["before"]["suspend_after_days"] == 2
    assert mine[0]["after"] == DUNNING
    assert (await billing.delete("/staff/settings/dunning", headers=auth(admin_id, Role.ADMIN))).status_code == 204
    assert (await billing.delete("/staff/settings/dunning", headers=admin())).status_code == 404
    assert (await billing.get("/staff/settings", headers=staff())).json()["dunning"]["source"] == "environment"


async def test_b19_b20_transfer_details_and_minimums_an_admin_sets_apply_to_the_next_request(
    billing: httpx.AsyncClient, billing_db: str
) -> None:
    client_id = await new_client(billing_db)
    _, invoice_id = await unpaid_invoice(billing_db, client_id, DUE + timedelta(days=40))
    bank = {
        "currency": "USD",
        "country": "*",
        "bank_name": "Banco Ejemplo",
        "account_holder": "Hosting SA",
        "account_number": "0110599520000001234567",
        "alias": "HOSTING.SA.USD",
        "swift": "",
        "holder_tax_id": "30-71234567-8",
        "notes": "Cuenta en dólares",
    }
    put = await billing.put("/staff/settings/transfers", headers=admin(), json={"transfer_instructions": [bank]})
    assert put.status_code == 200, put.text
    paying = await billing.post(f"/invoices/{invoice_id}/pay", headers=auth(client_id), json={"method": "transfer"})
    assert paying.status_code == 200, paying.text
    assert paying.json()["bank"] == bank
    payments = (await billing.get("/staff/settings", headers=staff())).json()["payments"]["value"]
    payments["payment_methods_by_country"]["*"] = ["stripe", "paypal"]  # transfer no longer offered
    assert (await billing.put("/staff/settings/payments", headers=admin(), json=payments)).status_code == 200
    refused = await billing.post(f"/invoices/{invoice_id}/pay", headers=auth(client_id), json={"method": "transfer"})
    assert refused.status_code == 422 and "not available" in refused.json()["detail"]
    assert (await billing.delete("/staff/settings/payments", headers=admin())).status_code == 204


async def test_item5_seller_identity_for_invoices_is_what_an_admin_last_set(
    billing: httpx.AsyncClient, billing_db: str
) -> None:
    async with db_session(billing_db) as session:
        assert (await seller_identity(session, BillingSettings())).name == BillingSettings().seller_name
    seller = {
        "seller_name": "Hosting del Sur SA",
        "seller_address": "Av. Corrientes 1234, CABA",
        "seller_tax_id": "30-71234567-8",
        "seller_logo_url": "data:image/png;base64,iVBORw0KGgo=",
    }
    assert (await billing.put("/staff/settings/seller", headers=admin(), json=seller)).status_code == 200
    async with db_session(billing_db) as session:
        got = await seller_identity(session, BillingSettings())
    assert (got.name, got.address, got.tax_id, got.logo_url) == tuple(seller.values())
