"""The Grafana dashboard (deploy/grafana) queries only metrics the platform exposes: every `abono_*` name in a panel
expression is on some service's /metrics (histograms by their `_bucket/_sum/_count` series), every
`__name__=~"..."` selector matches one, and Prometheus scrapes every service the dashboard groups by."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import yaml
from prometheus_client.parser import text_string_to_metric_families

if TYPE_CHECKING:
    from conftest import Platform

ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = ROOT / "deploy" / "grafana" / "dashboards" / "abono.json"
# Not ours: Prometheus's own `up`, RabbitMQ's exporter (job rabbitmq-per-object in deploy/prometheus).
EXTERNAL = {"up", "rabbitmq_queue_messages_ready", "rabbitmq_queue_messages_unacked"}
_NAME = re.compile(r"\b(?:abono|rabbitmq)_[a-z0-9_]+\b")
_NAME_REGEX = re.compile(r'__name__=~"([^"]+)"')
_HISTOGRAM_SERIES = ("_bucket", "_sum", "_count")


def expressions() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    found = [target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", ())]
    found += [v["query"]["query"] for v in dashboard["templating"]["list"] if isinstance(v.get("query"), dict)]
    return found


async def exposed_names(platform: Platform) -> set[str]:
    """Every series name on every service's /metrics (a declared counter with no sample yet counts: its TYPE)."""
    names: set[str] = set()
    async with httpx.AsyncClient(timeout=10) as client:
        for url in [platform.gateway_url, *platform.service_urls.values()]:
            response = await client.get(f"{url}/metrics")
            assert response.status_code == 200, url
            for family in text_string_to_metric_families(response.text):
                if family.type == "histogram":
                    names.update(family.name + suffix for suffix in _HISTOGRAM_SERIES)
                elif family.type == "counter":
                    names.add(family.name + "_total")
                else:
                    names.add(family.name)
    return names


async def test_every_dashboard_query_names_an_exposed_metric(platform: Platform) -> None:
    exposed = await exposed_names(platform)
    missing: list[str] = []
    for expr in expressions():
        for name in _NAME.findall(expr):
            if name not in exposed and name not in EXTERNAL:
                missing.append(f"{name} in {expr}")
        for pattern in _NAME_REGEX.findall(expr):
            if not any(re.fullmatch(pattern, name) for name in exposed):
                missing.append(f"no metric matches {pattern!r} in {expr}")
    assert not missing, "\n".join(missing)


async def test_business_facts_are_on_the_dashboard(platform: Platform) -> None:
    # The other direction for what an operator of a billing platform watches: each fact has a panel.
    text = "\n".join(expressions())
    for name in ("abono_billing_invoices_issued_total", "abono_billing_payments_total",
                 "abono_billing_payments_amount_minor_total", "abono_billing_suspensions_decided_total",
                 "abono_provisioning_service_transitions_total", "abono_provisioning_driver_actions_failing",
                 "abono_notify_messages_total"):
        assert name in text, name
    assert name in await exposed_names(platform)


def test_issue20_the_bulk_lane_and_the_bulk_workers_have_their_panels() -> None:
    """The bulk lane's publish rate and delay (beside the urgent lane's), its pacing, and what the bulk worker processes
    (`process="bulk"`, the label Prometheus gives their own listener) consume."""
    text = "\n".join(expressions())
    for part in ('_outbox_publish_delay_seconds_count", service=~"$service", lane="bulk"',
                 '_outbox_publish_delay_seconds_bucket", service=~"$service", lane="bulk"',
                 '_outbox_publish_delay_seconds_bucket", service=~"$service", lane="urgent"',
                 "_outbox_bulk_paced_batches_total", '_events_consumed_total", service=~"$service", process="bulk"'):
        assert part in text, part


def test_prometheus_scrapes_every_service_with_its_service_label() -> None:
    config = yaml.safe_load((ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text())
    abono = next(job for job in config["scrape_configs"] if job["job_name"] == "abono")
    groups = abono["static_configs"]
    scraped = {group["labels"]["service"]: group["targets"][0] for group in groups if "process" not in group["labels"]}
    assert scraped == {"gateway": "gateway:8000", "billing": "billing:8001", "provisioning": "provisioning:8002",
                       "notify": "notify:8003", "support": "support:8004", "affiliate": "affiliate:8005"}
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for service, target in scraped.items():
        assert compose["services"][service]["environment"]["SERVICE_PORT"] == target.rsplit(":", 1)[1]
    # Issue 20: each bulk worker on its own listener, under its service's label (the dashboard's sums add it in).
    bulk = {group["targets"][0]: group["labels"] for group in groups if "process" in group["labels"]}
    assert bulk == {f"{name}-bulk:{port}": {"service": name, "process": "bulk"}
                    for name, port in (("billing", 9001), ("provisioning", 9002), ("notify", 9003))}
    grafana = compose["services"]["grafana"]
    assert any(volume.startswith("./deploy/grafana/dashboards:") for volume in grafana["volumes"])


def test_dashboard_is_importable() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    assert dashboard["templating"]["list"][0] == {**dashboard["templating"]["list"][0], "name": "datasource",
                                                  "type": "datasource", "query": "prometheus"}
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
