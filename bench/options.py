"""The command line's choices, handed to every scenario."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Options:
    quick: bool
    log_dir: Path  # children's output, and the figures' raw data
    keep: bool = False  # keep the abono_bench_* databases afterwards
    broker_restart: bool = True  # event_bus (c): restart RabbitMQ once
    profile: Path | None = None  # py-spy profiles of the measured processes into this folder
    gateway_path: str = "/invoices"  # billing path measured by the gateway scenario ("my invoices")
    bus_producers: int = 2  # event_bus (b): processes of the producing service, each emitting rate/N with its relay
    reactivation_rate: float | None = None  # reactivation: webhooks/s instead of the mode's (quick 20, full 50)
    reactivation_seconds: float | None = None  # reactivation: seconds of webhooks instead of the mode's (5, 60)
