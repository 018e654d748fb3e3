"""A-2 identity verification: files checked by content, size capped, stored encrypted; submission with the legal
name, tax id and invoices' address; staff approve (ClientVerified, with a keyed fingerprint, never the number; and
ClientInvoicingIdentityChanged for billing's invoices, #15 item 6) or reject with a reason."""

import uuid

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"\x00" * 64
IDENTITY = {"legal_name": "Ana Pérez", "tax_id": "27-12345678-4", "document_type": "dni",
            "address": "Av. Santa Fe 1234\nC1059ABT CABA"}


async def upload(api, account, side: str, data: bytes, content_type: str = "image/png"):
    return await api.client.put(f"/api/identity/me/documents/{side}", content=data,
                                headers={**account.auth, "Content-Type": content_type})


async def submitted(api):
    account = await api.account()
    for side, data in (("front", PNG), ("back", PDF), ("selfie", JPEG)):
        response = await upload(api, account, side, data)
        assert response.status_code == 204, response.text
    response = await api.client.post("/api/identity/me/submit", json=IDENTITY, headers=account.auth)
    assert response.status_code == 202, response.text
    assert response.json()["status"] == "pending" and response.json()["tax_id_last4"] == "6784"
    return account


async def test_a2_files_are_checked_by_content_and_size(api):
    account = await api.account()
    fake = await upload(api, account, "front", b"MZ\x90\x00 not an image", content_type="image/png")
    assert fake.status_code == 422 and fake.headers["content-type"] == "application/problem+json"
    pdf_selfie = await upload(api, account, "selfie", PDF, content_type="application/pdf")
    assert pdf_selfie.status_code == 422  # a selfie is a photo
    big = await upload(api, account, "back", PNG + b"\x00" * 1_000_000)
    assert big.status_code in (413, 422)
    assert (await upload(api, account, "sideways", PNG)).status_code == 422
    assert (await upload(api, account, "front", PNG)).status_code == 204
    early = await api.client.post("/api/identity/me/submit", json=IDENTITY, headers=account.auth)
    assert early.status_code == 422 and early.json()["missing"] == ["back", "selfie"]
    me = (await api.client.get("/api/identity/me", headers=account.auth)).json()
    assert me["status"] == "draft" and me["documents"] == ["front"]
    stored = await api.db.fetchrow("SELECT content_type, data_encrypted FROM identity_documents "
                                   "WHERE client_id = $1", uuid.UUID(account.id))
    assert stored["content_type"] == "image/png" and not bytes(stored["data_encrypted"]).startswith(b"\x89PNG")
    anonymous = await api.client.get("/api/identity/me")
    assert anonymous.status_code == 401


async def test_a2_staff_approve_emits_client_verified_with_a_fingerprint(api):
    account = await submitted(api)
    me = (await api.client.get("/api/identity/me", headers=account.auth)).json()
    assert me["status"] == "pending" and me["tax_id_last4"] == "6784"
    assert me["address"] == "Av. Santa Fe 1234\nC1059ABT CABA"
    again = await upload(api, account, "front", PNG)
    assert again.status_code == 409  # pending: nothing changes under staff's eyes
    forbidden = await api.client.get("/api/identity/staff", headers=account.auth)
    assert forbidden.status_code == 403
    staff = api.bearer(await api.admin_token())
    pending = await api.client.get("/api/identity/staff", params={"status": "pending"}, headers=staff)
    assert account.id in {row["client_id"] for row in pending.json()}
    file = await api.client.get(f"/api/identity/staff/{account.id}/documents/back", headers=staff)
    assert file.status_code == 200 and file.content == PDF and file.headers["content-type"] == "application/pdf"
    assert file.headers["x-content-type-options"] == "nosniff"
    approved = await api.client.post(f"/api/identity/staff/{account.id}/approve", json={}, headers=staff)
    assert approved.status_code == 200 and approved.json()["status"] == "verified"
    [event] = await api.events("gateway.client.identity_verified", account.id)
    assert event["legal_name"] == "Ana Pérez" and len(event["document_fingerprint"]) == 64
    assert "12345678" not in str(event)
    twice = await api.client.post(f"/api/identity/staff/{account.id}/approve", json={}, headers=staff)
    assert twice.status_code == 409
    assert len(await api.events("gateway.client.identity_verified", account.id)) == 1
    # #15 item 6: whom billing makes the invoices out to, once, in the same transaction as the approval.
    [invoicing] = await api.events("gateway.client.invoicing_identity_changed", account.id)
    assert (invoicing["legal_name"], invoicing["tax_id"], invoicing["address"]) == (
        "Ana Pérez", "27123456784", "Av. Santa Fe 1234\nC1059ABT CABA")


async def test_a2_reject_needs_a_reason_and_the_client_may_try_again(api):
    account = await submitted(api)
    staff = api.bearer(await api.admin_token())
    silent = await api.client.post(f"/api/identity/staff/{account.id}/reject", json={}, headers=staff)
    assert silent.status_code == 422
    rejected = await api.client.post(f"/api/identity/staff/{account.id}/reject",
                                     json={"reason": "La foto del frente no se lee"}, headers=staff)
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    me = (await api.client.get("/api/identity/me", headers=account.auth)).json()
    assert me["reason"] == "La foto del frente no se lee"
    assert await api.events("gateway.client.identity_verified", account.id) == []
    assert (await upload(api, account, "front", JPEG)).status_code == 204
    resubmitted = await api.client.post("/api/identity/me/submit", json=IDENTITY, headers=account.auth)
    assert resubmitted.status_code == 202 and resubmitted.json()["status"] == "pending"
