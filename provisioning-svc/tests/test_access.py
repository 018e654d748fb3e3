"""P-7: a client sees its own services and their access data (the password encrypted at rest); another client's
service is a 404, as if it did not exist."""

import uuid

from cryptography.fernet import Fernet
from provisioning_testkit import SECRET_KEY, Fakes, Served, auth, fetch, ordered, paid, publish_as_billing

from abono.auth import Role
from abono.testing import wait_for


async def test_p7_the_owner_sees_access_data_and_the_password_is_encrypted_at_rest(
    served: Served, fakes: Fakes
) -> None:
    client_id = uuid.uuid4()
    # The catalog's own names: `cpanel` is the WHM driver; with one server configured, no `server` is needed.
    order = ordered(client_id, driver="cpanel", settings={"package": "basic"}, domain="acceso.com.ar")
    pending = ordered(client_id, domain="espera.com.ar")
    await publish_as_billing(order, pending, paid(order))
    async with served.http() as http:
        async def active() -> bool:
            response = await http.get(f"/services/{order.service_id}", headers=auth(client_id))
            return response.status_code == 200 and response.json()["state"] == "active"

        await wait_for(active, what="the hosting to be active")
        mine = await http.get("/services", headers=auth(client_id))
        assert mine.status_code == 200
        assert sorted(s["id"] for s in mine.json()) == sorted([str(order.service_id), str(pending.service_id)])
        detail = (await http.get(f"/services/{order.service_id}", headers=auth(client_id))).json()
        account = next(a for a in fakes.whm.accounts.values() if a["domain"] == "acceso.com.ar")
        assert detail["access"]["panel_url"] == "https://cpanel.example.test:2083"
        assert detail["access"]["password"] == account["password"] and len(account["password"]) >= 16
        assert all("password" not in s and "access" not in s for s in mine.json())
        # A pending service has no access data yet.
        waiting = (await http.get(f"/services/{pending.service_id}", headers=auth(client_id))).json()
        assert (waiting["state"], waiting["access"]) == ("pending", None)
        # Another client, or staff, or nobody: never the data.
        assert (await http.get(f"/services/{order.service_id}", headers=auth(uuid.uuid4()))).status_code == 404
        assert (await http.get(f"/services/{order.service_id}",
                               headers=auth(uuid.uuid4(), Role.STAFF))).status_code == 404
        assert (await http.get(f"/services/{order.service_id}")).status_code == 401
        assert (await http.get("/services", headers=auth(uuid.uuid4()))).json() == []
    stored = await fetch(served.database_url, "SELECT * FROM service_access WHERE service_id = $1", order.service_id)
    ciphertext = stored[0]["password_encrypted"]
    assert account["password"] not in ciphertext
    assert Fernet(SECRET_KEY.encode()).decrypt(ciphertext.encode()).decode() == account["password"]
