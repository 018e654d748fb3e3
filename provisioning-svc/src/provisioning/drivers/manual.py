"""The manual driver: each call opens a staff task with a P-3 deadline; a create completes when staff do."""

from collections.abc import Awaitable, Callable

from provisioning.drivers.base import AccountStatus, DriverCall, Provisioned

# (call, action kind) -> opens the task; bound by the registry to the worker's session, clock and calendar.
TaskOpener = Callable[[DriverCall, str], Awaitable[None]]


class ManualDriver:
    def __init__(self, open_task: TaskOpener) -> None:
        self._open_task = open_task

    async def create(self, call: DriverCall) -> Provisioned:
        await self._open_task(call, "create")
        return Provisioned(completed=False)

    async def suspend(self, call: DriverCall) -> None:
        await self._open_task(call, "suspend")

    async def unsuspend(self, call: DriverCall) -> None:
        await self._open_task(call, "unsuspend")

    async def terminate(self, call: DriverCall) -> None:
        await self._open_task(call, "terminate")

    async def change_package(self, call: DriverCall) -> None:
        await self._open_task(call, "change_package")

    async def status(self, call: DriverCall) -> AccountStatus:
        return AccountStatus.UNKNOWN
