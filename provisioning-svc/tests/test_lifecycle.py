"""P-1: the state machine, every edge and every refused transition."""

import itertools

import pytest

from provisioning.instances.lifecycle import EDGES, Action, IllegalTransition, State, allows, next_state

ALLOWED = {
    (State.PENDING, Action.ACTIVATE): State.ACTIVE,
    (State.PENDING, Action.TERMINATE): State.TERMINATED,
    (State.PENDING, Action.CANCEL): State.CANCELLED,
    (State.PENDING, Action.FLAG_FRAUD): State.FRAUD,
    (State.ACTIVE, Action.SUSPEND): State.SUSPENDED,
    (State.ACTIVE, Action.TERMINATE): State.TERMINATED,
    (State.ACTIVE, Action.CANCEL): State.CANCELLED,
    (State.ACTIVE, Action.FLAG_FRAUD): State.FRAUD,
    (State.SUSPENDED, Action.REACTIVATE): State.ACTIVE,
    (State.SUSPENDED, Action.TERMINATE): State.TERMINATED,
    (State.SUSPENDED, Action.CANCEL): State.CANCELLED,
    (State.SUSPENDED, Action.FLAG_FRAUD): State.FRAUD,
    (State.FRAUD, Action.TERMINATE): State.TERMINATED,
}
ILLEGAL = [pair for pair in itertools.product(State, Action) if pair not in ALLOWED]


def test_p1_the_machine_has_exactly_the_documented_edges() -> None:
    assert EDGES == ALLOWED


@pytest.mark.parametrize(("state", "action"), list(ALLOWED))
def test_p1_allowed_transitions(state: State, action: Action) -> None:
    assert allows(state, action)
    assert next_state(state, action) is ALLOWED[(state, action)]


@pytest.mark.parametrize(("state", "action"), ILLEGAL, ids=[f"{s.value}-{a.value}" for s, a in ILLEGAL])
def test_p1_every_illegal_transition_is_refused(state: State, action: Action) -> None:
    assert not allows(state, action)
    with pytest.raises(IllegalTransition):
        next_state(state, action)


def test_p1_terminated_and_cancelled_are_final() -> None:
    for state in (State.TERMINATED, State.CANCELLED):
        assert all(not allows(state, action) for action in Action)


def test_p1_suspended_only_comes_back_by_reactivation() -> None:
    assert [a for a in Action if next_state_or_none(State.SUSPENDED, a) is State.ACTIVE] == [Action.REACTIVATE]


def next_state_or_none(state: State, action: Action) -> State | None:
    return ALLOWED.get((state, action))


def test_p7_production_refuses_the_development_secret_key() -> None:
    from abono.settings import PlatformSettings
    from provisioning.config import ProvisioningSettings

    production = PlatformSettings(environment="production", jwt_public_key="x")
    with pytest.raises(ValueError, match="PROVISIONING_SECRET_KEYS"):
        ProvisioningSettings(platform=production)


def test_p3_business_days_skip_weekends_and_argentine_holidays() -> None:
    from datetime import date

    from provisioning.business_calendar import BusinessCalendar

    calendar = BusinessCalendar(country="AR", timezone="America/Argentina/Buenos_Aires")
    assert calendar.add_business_days(date(2027, 3, 22), 3) == date(2027, 3, 30)  # 24-26 March are holidays
    assert calendar.add_business_days(date(2027, 3, 19), 1) == date(2027, 3, 22)  # Friday → Monday
