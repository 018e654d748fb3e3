"""#19 item 3 (P-4): a service whose driver has no server or endpoint in this installation stays `pending` and is
listed for operators with that reason, instead of being retried in a loop."""

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from provisioning_testkit import Served, auth, fetch, ordered, paid, publish_as_billing, service_state

from abono.auth import Role
from abono.events import DriversConfigured, DriversRequested
from abono.testing import wait_for
from provisioning.drivers.base import DriverNotConfigured
from provisioning.runtime import Runtime


async def test_p4_a_service_stuck_on_configuration_is_listed_with_the_reason_not_retried_in_a_loop(
    served: Served,
) -> None:
    whm = ordered(uuid.uuid4(), settings={"server": "whm-missing", "package": "basic"})
    http = ordered(uuid.uuid4(), driver="http", kind="audio_streaming", settings={"endpoint": "nowhere"})
    await publish_as_billing(whm, paid(whm), http, paid(http))
    listed: dict[str, dict[str, object]] = {}

    async def both_listed() -> bool:
        async with served.http() as client:
            response = await client.get(
                "/staff/actions/failed", params={"not_configured_only": "true"}, headers=auth(uuid.uuid4(), Role.STAFF)
            )
        assert response.status_code == 200, response.text
        listed.clear()
        listed.update({a["service_id"]: a for a in response.json()})
        return str(whm.service_id) in listed and str(http.service_id) in listed

    await wait_for(both_listed, what="both services to be listed as not configured")
    assert listed[str(whm.service_id)]["not_configured"] == (
        "no WHM server 'whm-missing' is configured (PROVISIONING_WHM_SERVERS)"
    )
    assert "no HTTP endpoint 'nowhere'" in str(listed[str(http.service_id)]["not_configured"])
    for action in (listed[str(whm.service_id)], listed[str(http.service_id)]):
        assert str(action["last_error"]).startswith("not configured: ")
        # Waits the longest back-off at once (the test settings' 0.2 s), not the first one's 0.05 s.
        waited = (
            datetime.fromisoformat(str(action["next_attempt_at"]))
            - datetime.fromisoformat(str(action["last_attempt_at"]))
        ).total_seconds()
        assert waited >= served.app.state.runtime.settings.action_retry_max_seconds - 0.01, action
    for order in (whm, http):
        assert await service_state(served.database_url, order.service_id) == "pending"


async def test_p4_a_configured_service_failing_at_its_provider_is_not_reported_as_not_configured(
    served: Served,
) -> None:
    async with served.http() as client:
        response = await client.get("/staff/actions/failed", headers=auth(uuid.uuid4(), Role.STAFF))
    assert response.status_code == 200
    runtime = served.app.state.runtime
    assert runtime.drivers.configuration_problem("whm", {"server": "whm1"}) is None
    assert runtime.drivers.configuration_problem("http", {"endpoint": "radio"}) is None
    assert runtime.drivers.configuration_problem("manual", {}) is None
    assert runtime.drivers.configuration_problem("registrar", {}) is None


async def test_p4_start_up_announces_what_this_installation_can_run(served: Served) -> None:
    """#19 item 3: every start publishes `DriversConfigured` through the outbox (names only, never URLs or secrets),
    once the service's queues are bound (`ServiceSpec.on_subscribed`, in the background)."""
    query = "SELECT payload FROM outbox WHERE routing_key = $1 ORDER BY id DESC LIMIT 1"

    async def in_outbox() -> bool:
        return bool(await fetch(served.database_url, query, DriversConfigured.routing_key))

    await wait_for(in_outbox, what="DriversConfigured in the outbox")
    rows = await fetch(served.database_url, query, DriversConfigured.routing_key)
    payload = rows[0]["payload"]
    announced = DriversConfigured.model_validate(json.loads(payload) if isinstance(payload, str) else payload)
    assert announced.configuration == served.app.state.runtime.drivers.configuration()
    assert announced.configuration.whm_servers == ["whm1"] and announced.configuration.http_endpoints == ["radio"]
    assert announced.configuration.registrar_configured
    assert "token" not in json.dumps(payload) and "secret" not in json.dumps(payload)


async def test_p4_billing_asking_for_the_drivers_gets_them_announced_again(served: Served) -> None:
    """`DriversRequested` (billing started with no report, as when provisioning's announcement was published before
    billing's queue existed) is answered with one more `DriversConfigured`."""
    count = "SELECT count(*) AS n FROM outbox WHERE routing_key = $1"

    async def announcements() -> int:
        return int((await fetch(served.database_url, count, DriversConfigured.routing_key))[0]["n"])

    async def announced_at_start() -> bool:
        return await announcements() > 0

    await wait_for(announced_at_start, what="the start's announcement")
    before = await announcements()
    await publish_as_billing(DriversRequested())

    async def answered() -> bool:
        return await announcements() == before + 1

    await wait_for(answered, what="a DriversConfigured answering billing's request")


@pytest.mark.parametrize(("driver", "settings"), [
    ("whm", {"server": "whm1"}), ("cpanel", {}), ("whm", {"server": "whm-missing"}), ("radio", {}),
    ("centova", {"endpoint": "radio"}), ("centova", {}), ("http", {"endpoint": "nowhere"}), ("staff-task", {}),
])
async def test_p4_the_published_answer_is_the_drivers_own(runtime: Runtime, sessionmaker: Any, driver: str,
                                                          settings: dict[str, object]) -> None:
    """What billing is told (`DriverConfiguration.problem`) matches whether provisioning can build the driver."""
    async with sessionmaker() as session:
        try:
            runtime.drivers.driver(driver, settings, session=session, now=datetime.now(UTC))
            buildable = True
        except DriverNotConfigured:
            buildable = False
    assert (runtime.drivers.configuration_problem(driver, settings) is None) == buildable
