"""S-5 knowledge base: staff write Markdown articles by category in Spanish and English (sanitised when rendered);
anyone searches the published ones, ranked: "facturacion", "facturación" and "facturasion" all find the billing
article; a search that finds nothing is kept for staff."""

import uuid
from typing import Any

from support_testkit import Served, auth, staff

BILLING = {
    "slug": "facturacion-y-pagos",
    "category": "facturacion",
    "title": "Facturación y pagos",
    "body_md": "## Cómo pagar\n\nLa **facturación** es mensual. Puede pagar con tarjeta o transferencia.\n\n"
    "<script>alert('x')</script> [Mi cuenta](javascript:alert(1)) [Panel](https://panel.example)",
}
DNS = {
    "slug": "cambiar-dns",
    "category": "dominios",
    "title": "Cambiar los DNS de su dominio",
    "body_md": "Entre a su dominio y cambie los servidores de nombres. La factura no cambia.",
}
ENGLISH = {
    "slug": "billing-and-payments",
    "language": "en",
    "category": "facturacion",
    "title": "Billing and payments",
    "body_md": "Invoices are issued monthly; pay by card or transfer.",
}


async def search(served: Served, q: str, **params: str) -> list[dict[str, Any]]:
    async with served.http() as http:
        response = await http.get("/kb/search", params={"q": q, **params})  # no login
    assert response.status_code == 200, response.text
    hits: list[dict[str, Any]] = response.json()
    return hits


async def test_s5_accents_and_typos_find_the_billing_article_ranked_first_and_misses_are_kept(served: Served) -> None:
    tag = uuid.uuid4().hex[:6]
    async with served.http() as http:
        for slug, es, en in (("facturacion", "Facturación", "Billing"), ("dominios", "Dominios", "Domains")):
            assert (
                await http.put(f"/kb/categories/{slug}", headers=staff(), json={"name_es": es, "name_en": en})
            ).status_code == 200
        articles = {}
        for body in (BILLING, DNS, ENGLISH):
            created = await http.post("/kb/articles", headers=staff(), json={**body, "slug": f"{body['slug']}-{tag}"})
            assert created.status_code == 201, created.text
            articles[body["slug"]] = created.json()
        assert (await http.post("/kb/articles", headers=auth(uuid.uuid4()), json=BILLING)).status_code == 403
        dup = await http.post("/kb/articles", headers=staff(), json={**BILLING, "slug": f"{BILLING['slug']}-{tag}"})
        assert dup.status_code == 409
        draft = await http.post(
            "/kb/articles",
            headers=staff(),
            json={**BILLING, "slug": f"borrador-{tag}", "title": "Facturación (borrador)", "published": False},
        )
        # Rendered and sanitised: no script, no javascript: link; the https link stays, marked nofollow.
        shown = (await http.get(f"/kb/articles/{articles[BILLING['slug']]['id']}")).json()
        assert "<script" not in shown["html"] and "&lt;script&gt;" in shown["html"]  # shown as text
        assert 'href="javascript' not in shown["html"].lower()
        assert '<a href="https://panel.example" rel="noopener noreferrer nofollow">Panel</a>' in shown["html"]
        assert "<strong>facturación</strong>" in shown["html"]
        assert (await http.get(f"/kb/articles/{draft.json()['id']}")).status_code == 404  # drafts are staff's
        # Staff open a draft with its Markdown to edit it; a client cannot.
        editing = await http.get(f"/kb/drafts/{draft.json()['id']}", headers=staff())
        assert editing.status_code == 200 and editing.json()["body_md"] == BILLING["body_md"], editing.text
        assert (await http.get(f"/kb/drafts/{draft.json()['id']}", headers=auth(uuid.uuid4()))).status_code == 403
        assert (await http.get(f"/kb/drafts/{uuid.uuid4()}", headers=staff())).status_code == 404
    billing_id = articles[BILLING["slug"]]["id"]
    for typed in ("facturacion", "facturación", "facturasion", "FACTURACION", "como pagar la facturacion"):
        hits = await search(served, typed, language="es")
        assert hits and hits[0]["id"] == billing_id, (typed, hits)
        assert all(h["title"] != "Facturación (borrador)" for h in hits)
    # The DNS article mentions "factura" once in its body: found, ranked after the one about billing.
    ranked = [h["id"] for h in await search(served, "factura", language="es")]
    assert ranked.index(billing_id) < ranked.index(articles[DNS["slug"]]["id"])
    assert [h["id"] for h in await search(served, "payments", language="en")] == [articles[ENGLISH["slug"]]["id"]]
    # Nothing found: kept for staff (normalised), counted per query.
    missing = f"certificado ssl gratis {tag}"
    for typed in (missing, f"  Certificado  SSL gratis {tag} "):
        assert await search(served, typed) == []
    async with served.http() as http:
        listed = (await http.get("/kb/unanswered-searches", headers=staff())).json()
        assert (await http.get("/kb/unanswered-searches", headers=auth(uuid.uuid4()))).status_code == 403
    [kept] = [s for s in listed if s["query"] == missing]
    assert kept["count"] == 2
    assert all(s["query"] != "facturasion" for s in listed)
