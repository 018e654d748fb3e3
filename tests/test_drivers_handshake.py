"""P-4 (#19 item 3) on a new installation: services start in no order, and an event is routed only to the queues
bound when it is published. Provisioning announces its drivers at start; started first, before billing's queue ever
existed, that announcement reaches no one, so billing asks (`DriversRequested`) once its own queue is bound and
provisioning answers. Either way billing learns what provisioning can run without a restart."""

from abono.testing import (
    amqp_url_for,
    ensure_test_vhost,
    fetch_rows,
    migrated_database,
    platform_settings,
    serve,
    wait_for,
)
from billing.app import create_app as billing_app
from billing.config import BillingSettings
from provisioning.app import create_app as provisioning_app
from provisioning.config import ProvisioningSettings

VHOST = "abono_test_drivers_handshake"  # fresh: no queue of billing's exists when provisioning starts


async def test_p4_billing_started_after_provisioning_announced_still_learns_its_drivers() -> None:
    ensure_test_vhost(VHOST, fresh=True)
    billing_db = await migrated_database("billing-svc", "abono_test_handshake_billing")
    provisioning_db = await migrated_database("provisioning-svc", "abono_test_handshake_provisioning")
    platform = platform_settings(amqp_url=amqp_url_for(VHOST))

    async with serve(
        provisioning_app(
            ProvisioningSettings(database_url=provisioning_db, platform=platform, outbox_sweep_seconds=0.5)
        )
    ):

        async def announced() -> bool:
            rows = await fetch_rows(
                provisioning_db,
                "SELECT count(*) AS n FROM outbox WHERE routing_key = "
                "'provisioning.drivers.configured' AND published_at IS NOT NULL",
            )
            return rows[0]["n"] == 1

        await wait_for(announced, what="provisioning's announcement published (to no queue of billing's)")

        async with serve(
            billing_app(BillingSettings(database_url=billing_db, platform=platform, outbox_sweep_seconds=0.5))
        ):

            async def billing_knows() -> bool:
                return bool(await fetch_rows(billing_db, "SELECT configuration FROM provisioning_drivers"))

            await wait_for(billing_knows, what="billing to keep provisioning's drivers")

    asked = await fetch_rows(
        billing_db, "SELECT count(*) AS n FROM outbox WHERE routing_key = 'billing.drivers.requested'"
    )
    answered = await fetch_rows(
        provisioning_db, "SELECT count(*) AS n FROM outbox WHERE routing_key = 'provisioning.drivers.configured'"
    )
    assert (asked[0]["n"], answered[0]["n"]) == (1, 2)  # one question, the start's announcement and the answer
