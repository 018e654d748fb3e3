"""P-1 as a pure state machine: `pending` → `active` ⇄ `suspended` → `terminated`; `cancelled`; `fraud`.

Only the edges below exist; anything else raises `IllegalTransition`. P-5: none of these is reachable from a
staff endpoint; the automation (billing's decisions, payments, the drivers, a completed manual task) drives them.
"""

from enum import StrEnum

from abono.errors import Conflict


class State(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"
    CANCELLED = "cancelled"
    FRAUD = "fraud"


class Action(StrEnum):
    ACTIVATE = "activate"  # the account exists (driver create done, or manual task completed)
    SUSPEND = "suspend"  # B-4 / B-5
    REACTIVATE = "reactivate"  # B-7
    TERMINATE = "terminate"  # B-6 / B-17
    CANCEL = "cancel"  # ended by the client (B-15)
    FLAG_FRAUD = "flag_fraud"


EDGES: dict[tuple[State, Action], State] = {
    (State.PENDING, Action.ACTIVATE): State.ACTIVE,
    (State.PENDING, Action.TERMINATE): State.TERMINATED,  # B-17 on a service never set up: nothing to remove
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

FINAL_STATES = frozenset({State.TERMINATED, State.CANCELLED})


class IllegalTransition(Conflict):
    code, title = "illegal-transition", "Illegal service state transition"


def next_state(current: State, action: Action) -> State:
    """The state `action` leads to from `current`; `IllegalTransition` if P-1 has no such edge."""
    try:
        return EDGES[(current, action)]
    except KeyError:
        raise IllegalTransition(f"A {current.value} service cannot {action.value.replace('_', ' ')}.") from None


def allows(current: State, action: Action) -> bool:
    return (current, action) in EDGES
