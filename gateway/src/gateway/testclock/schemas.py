from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictInt

from abono.testclock import ClockState


class ClockSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    now: AwareDatetime = Field(description="The platform's new current instant (with its UTC offset)")


class ClockAdvance(BaseModel):
    """How far to move the clock forward; negative amounts are refused (the clock never moves back this way)."""

    model_config = ConfigDict(extra="forbid")

    # Each bounded to about a century, so no sum can overflow a datetime.
    days: StrictInt = Field(default=0, ge=0, le=36_500)
    hours: StrictInt = Field(default=0, ge=0, le=876_000)
    minutes: StrictInt = Field(default=0, ge=0, le=52_560_000)
    seconds: StrictInt = Field(default=0, ge=0, le=3_153_600_000)


class ServiceAck(BaseModel):
    service: str
    acknowledged: bool
    status: int | None = None  # the service's HTTP status, if it answered
    error: str | None = None


class ClockMoved(BaseModel):
    """The platform time now, and which services took it (one that is down is listed, not fatal)."""

    clock: ClockState
    services: list[ServiceAck]
