"""Provisioning's business counters on `/metrics` (`abono_provisioning_*`): committed facts only (see `abono.metrics`).
The failing driver actions are the worker's gauge (`abono_provisioning_driver_actions_failing`)."""

from abono.metrics import FactCounter

TRANSITIONS = FactCounter(
    "provisioning", "service_transitions_total",
    "P-1 state changes committed (activate, suspend, reactivate, terminate, cancel, flag_fraud), by who decided",
    ("action", "decided_by"))
