"""D-1 search and D-3 management against the fake ResellerClub over HTTP: name servers (or the provider's DNS),
lock, EPP code to transfer out, transfer in with a code, another client's domain never reachable."""

import uuid

import pytest
from domains_kit import domain_order, domain_row, give_registrant, registered_domain, sync_now, wait_domain
from provisioning_testkit import Fakes, Served, auth, paid, publish_as_billing, service_state, wait_state

from abono.auth import Role
from abono.testing import wait_for
from provisioning.domains.names import label_of, normalize


async def test_d3_nameservers_lock_and_epp_code_are_the_clients_to_manage(served: Served, fakes: Fakes) -> None:
    order = await registered_domain(served, "gestiono.com")
    mine, path = auth(order.client_id), f"/domains/{order.service_id}"
    registry = fakes.registrar.order("gestiono.com")
    assert registry is not None
    async with served.http() as http:
        bad = await http.put(f"{path}/nameservers", headers=mine, json={"nameservers": ["ns1.solo.test"]})
        assert bad.status_code == 422
        bad = await http.put(f"{path}/nameservers", headers=mine, json={"nameservers": ["no valido!", "x.test"]})
        assert bad.status_code == 422
        ok = await http.put(f"{path}/nameservers", headers=mine,
                            json={"nameservers": ["NS1.Mio.net", "ns2.mio.net"]})
        assert ok.status_code == 200 and ok.json()["nameservers"] == ["ns1.mio.net", "ns2.mio.net"]

        async def at_registry(ns: list[str]) -> bool:
            return bool(registry["ns"] == ns)

        await wait_for(lambda: at_registry(["ns1.mio.net", "ns2.mio.net"]), what="the registry's name servers")
        ok = await http.put(f"{path}/nameservers", headers=mine, json={"use_provider_dns": True})
        assert ok.json()["uses_provider_dns"] is True
        await wait_for(lambda: at_registry(["ns1.abono.example", "ns2.abono.example"]), what="the provider's DNS")

        assert (await http.put(f"{path}/lock", headers=mine, json={"locked": True})).status_code == 200

        async def locked() -> bool:
            return bool((await domain_row(served, order.service_id))["locked"])

        await wait_for(locked, what="the lock at the registry")
        assert registry["orderstatus"] == ["transferlock"]
        refused = await http.post(f"{path}/epp-code", headers=mine)
        assert refused.status_code == 422 and "unlock" in refused.json()["detail"]
        await http.put(f"{path}/lock", headers=mine, json={"locked": False})

        async def unlocked() -> bool:
            return not (await domain_row(served, order.service_id))["locked"]

        await wait_for(unlocked, what="the unlock at the registry")
        code = await http.post(f"{path}/epp-code", headers=mine)
        assert code.status_code == 200 and code.json()["epp_code"] == registry["domsecret"]

        stranger = auth(uuid.uuid4())
        for method, url, body in (("GET", path, None), ("POST", f"{path}/epp-code", None),
                                  ("PUT", f"{path}/lock", {"locked": False}),
                                  ("PUT", f"{path}/nameservers", {"use_provider_dns": True})):
            response = await http.request(method, url, headers=stranger, json=body)
            assert response.status_code == 404, (method, url)

        expiring = await http.get("/staff/domains", headers=auth(uuid.uuid4(), Role.STAFF))
        assert any(d["name"] == "gestiono.com" and d["client_id"] == str(order.client_id) for d in expiring.json())
        assert (await http.get("/staff/domains", headers=mine)).status_code == 403


async def test_d3_contacts_changed_by_the_client_reach_the_registry(served: Served, fakes: Fakes) -> None:
    order = await registered_domain(served, "contacto.com")
    registry = fakes.registrar.order("contacto.com")
    assert registry is not None
    first = registry["registrantcontactid"]
    await give_registrant(served, order.client_id, email=f"{order.client_id.hex[:8]}@example.test",
                          address="Calle Nueva 99")

    async def changed() -> bool:
        return bool(registry["registrantcontactid"] != first)

    await wait_for(changed, what="the new registrant contact at the registry")
    assert fakes.registrar.contacts[registry["registrantcontactid"]]["address-line-1"] == "Calle Nueva 99"


async def test_d3_transfer_in_with_the_epp_code(served: Served, fakes: Fakes) -> None:
    client_id = uuid.uuid4()
    await give_registrant(served, client_id, email="traslado@example.test")
    fakes.registrar.taken.add("traigo.com")
    fakes.registrar.transfer_codes["traigo.com"] = "Cod-3pp-Secreto"
    order = domain_order(client_id, "traigo.com")
    await publish_as_billing(order)
    await wait_domain(served, order.service_id, "pending")
    async with served.http() as http:
        asked = await http.post(f"/domains/{order.service_id}/transfer", headers=auth(client_id),
                                json={"epp_code": "Cod-3pp-Secreto"})
        assert asked.status_code == 200 and asked.json()["operation"] == "transfer"
    await publish_as_billing(paid(order))
    await wait_domain(served, order.service_id, "transferring")
    assert await service_state(served.database_url, order.service_id) == "pending"  # active once it completes
    assert len(fakes.registrar.calls_of("domains/transfer.json", **{"auth-code": "Cod-3pp-Secreto"})) == 1
    fakes.registrar.complete_transfer("traigo.com")
    await sync_now(served, order.service_id)
    await wait_domain(served, order.service_id, "active")
    await wait_state(served, order.service_id, "active")
    async with served.http() as http:
        late = await http.post(f"/domains/{order.service_id}/transfer", headers=auth(client_id),
                               json={"epp_code": "otro-codigo"})
        assert late.status_code == 409


async def test_d1_search_shows_availability_per_tld_with_suggestions_and_caches_briefly(
    served: Served, fakes: Fakes
) -> None:
    headers = auth(uuid.uuid4())
    async with served.http() as http:
        first = await http.get("/domains/search", headers=headers, params={"q": "Tomado", "tlds": ["com", "net"]})
        assert first.status_code == 200, first.text
        body = first.json()
        assert [(r["name"], r["available"]) for r in body["results"]] == [("tomado.com", False),
                                                                          ("tomado.net", True)]
        assert body["suggestions"] and all(s["available"] for s in body["suggestions"])
        checks = len(fakes.registrar.calls_of("domains/available.json", **{"domain-name": "tomado"}))
        again = await http.get("/domains/search", headers=headers, params={"q": "tomado.com", "tlds": ["com"]})
        assert again.json()["results"][0]["available"] is False
        assert len(fakes.registrar.calls_of("domains/available.json", **{"domain-name": "tomado"})) == checks
        for params in ({"q": "!!!"}, {"q": "ok", "tlds": ["c o m"]}):
            refused = await http.get("/domains/search", headers=headers, params=params)
            assert refused.status_code == 422, params
        assert (await http.get("/domains/search", params={"q": "x"})).status_code == 401


@pytest.mark.parametrize(("typed", "expected"), [("Mi-Sitio.COM.ar.", "mi-sitio.com.ar"),
                                                 ("ñandú.com", "xn--and-6ma2c.com")])
def test_d1_names_are_normalized(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


@pytest.mark.parametrize("typed", ["sinpunto", "-malo.com", "a..com", "x" * 64 + ".com"])
def test_d1_bad_names_are_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        normalize(typed)


def test_d1_a_search_is_reduced_to_one_label() -> None:
    assert label_of(" Mi Sitio.com ") == "misitio"
    assert label_of("!!!") == ""


async def test_d3_a_transfer_ordered_without_its_code_waits_for_it(served: Served, fakes: Fakes) -> None:
    client_id = uuid.uuid4()
    await give_registrant(served, client_id, email="sin-codigo@example.test")
    fakes.registrar.taken.add("sincodigo.com")
    fakes.registrar.transfer_codes["sincodigo.com"] = "EPP-123456"
    order = domain_order(client_id, "sincodigo.com")
    order = order.model_copy(update={"driver_settings": {**order.driver_settings, "operation": "transfer"}})
    await publish_as_billing(order, paid(order))
    await wait_domain(served, order.service_id, "pending")  # D-3: no "complete your data" for a missing code
    async with served.http() as http:
        mine = (await http.get(f"/domains/{order.service_id}", headers=auth(client_id))).json()
        assert (mine["operation"], mine["needs"]) == ("transfer", "epp_code")
        assert not fakes.registrar.calls_of("domains/transfer.json", **{"domain-name": "sincodigo.com"})
        given = await http.post(f"/domains/{order.service_id}/transfer", headers=auth(client_id),
                                json={"epp_code": "EPP-123456"})
        assert given.status_code == 200 and given.json()["needs"] is None
    await wait_domain(served, order.service_id, "transferring")
