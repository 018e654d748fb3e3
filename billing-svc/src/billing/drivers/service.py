"""#19 item 3 (P-4): nothing is created or sold that provisioning cannot run.

Before provisioning's first report (a new installation whose provisioning never started) billing does not know and
allows it: refusing would make selling depend on the services' start order, and a service accepted then still shows
up for operators with its reason if it cannot run (provisioning's not-configured list). The report is kept in
billing's database, so after the first one there is always an answer (README, "Drivers and servers")."""

from collections.abc import Mapping

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from abono.errors import Conflict
from billing.drivers.repository import DriversRepository, ReportedDrivers

log = structlog.get_logger("billing.drivers")


class DriverNotConfigured(Conflict):
    code, title = "driver-not-configured", "Provisioning cannot run this product"


async def latest(session: AsyncSession) -> ReportedDrivers | None:
    return await DriversRepository(session).latest()


def problem(reported: ReportedDrivers | None, driver: str, settings: Mapping[str, object]) -> str | None:
    """Why provisioning cannot run `driver` with `settings`, or None (also while provisioning never reported)."""
    return None if reported is None else reported.configuration.problem(driver, settings)


async def check_product(session: AsyncSession, *, code: str, driver: str, settings: Mapping[str, object]) -> None:
    """Staff creating or changing product `code`: 409 `driver-not-configured` with provisioning's reason."""
    reason = problem(await latest(session), driver, settings)
    if reason is not None:
        raise DriverNotConfigured(
            f"Product {code!r} cannot be provisioned: {reason}. Configure it in provisioning (README, \"Drivers and "
            "servers\") or choose another driver or server.", product_code=code, driver=driver, reason=reason)


async def check_sellable(session: AsyncSession, *, code: str, name: str, driver: str,
                         settings: Mapping[str, object]) -> None:
    """A client ordering product `code`: 409 `driver-not-configured`, worded for the client (the reason, which names
    the provider's configuration, goes to the log for operators)."""
    reason = problem(await latest(session), driver, settings)
    if reason is not None:
        log.warning("product_not_provisionable", product_code=code, driver=driver, reason=reason)
        raise DriverNotConfigured(f"{name} cannot be ordered at the moment: it could not be set up for you. "
                                  "Please try again later or contact support.", product_code=code)
