"""The AsyncAPI 3 document of every event on `abono.events`, generated from the code (#19 item 8).

    python scripts/asyncapi.py            # (re)write gateway/src/gateway/apidocs/asyncapi.json (`make asyncapi`)
    python scripts/asyncapi.py --check    # exit 1 if that file differs from what the code says (make test checks)
    python scripts/asyncapi.py --stdout   # print it

Channels are the routing keys; each message's payload schema comes from the event's pydantic model (as serialised
on the wire: the envelope `type` and `version` plus the model's fields); the producer is the service the routing
key names (`<service>.<entity>.<verb>`), and the consumers are read from each service's app: every `Consumer` it
runs and the routing keys it handles, with its queue `<service>.<consumer>` (`<service>.<consumer>.bulk` for
events of the bulk lane, issue 20). The gateway serves the file at
`/asyncapi.json`.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from typing import Any

from _services import REPO_ROOT
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from pydantic.json_schema import models_json_schema

import abono.events.catalog  # noqa: F401 - registers every event class
from abono.events.base import Event, registered_events
from abono.messaging.consumer import Consumer, queue_name
from affiliate.app import create_app as affiliate_app
from billing.app import create_app as billing_app
from gateway.app import create_app as gateway_app
from gateway.config import GatewaySettings
from notify.app import create_app as notify_app
from provisioning.app import create_app as provisioning_app
from support.app import create_app as support_app

TARGET = REPO_ROOT / "gateway" / "src" / "gateway" / "apidocs" / "asyncapi.json"
EXCHANGE = "abono.events"
APPS = {
    "gateway": gateway_app,
    "billing": billing_app,
    "provisioning": provisioning_app,
    "notify": notify_app,
    "support": support_app,
    "affiliate": affiliate_app,
}
AMQP_BINDING_VERSION = "0.3.0"


def _id(text: str) -> str:
    """AsyncAPI ids allow `[A-Za-z0-9_-]` only."""
    return text.replace(".", "_")


def consumers_by_service() -> dict[str, list[Consumer]]:
    """Each service's consumers, read from its app as it is built (nothing is started)."""
    found: dict[str, list[Consumer]] = {}
    # The gateway's app wants a signing key to be built; a throwaway one signs nothing here.
    key = Ed25519PrivateKey.generate().private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()).decode()
    for service, factory in APPS.items():
        app = factory(GatewaySettings(jwt_private_key=key)) if service == "gateway" else factory()  # type: ignore[operator]
        found[service] = list(app.state.consumers)
    return found


def _description(event: type[Event]) -> str:
    own = event.__dict__.get("__doc__")
    return inspect.cleandoc(own) if own else f"`{event.__name__}`."


def payload_schemas(events: dict[str, type[Event]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each event's payload schema (by class name) and the schemas they share, `#/components/schemas/...`."""
    models = [(cls, "serialization") for cls in events.values()]
    refs, definitions = models_json_schema(models, ref_template="#/components/schemas/{model}")  # type: ignore[arg-type]
    schemas: dict[str, Any] = dict(definitions.get("$defs", {}))
    for routing_key, cls in events.items():
        ref = refs[(cls, "serialization")]["$ref"].rsplit("/", 1)[1]
        schema = dict(schemas[ref])
        schema["properties"] = {
            "type": {"const": routing_key, "description": "the routing key: which event this is"},
            "version": {"const": cls.version, "description": "the event's schema version (README: Upgrading)"},
            **schema["properties"],
        }
        schema["required"] = ["type", "version", *schema.get("required", [])]
        schema["description"] = _description(cls)
        schemas[ref] = schema
    return schemas, {key: cls.__name__ for key, cls in events.items()}


def document() -> dict[str, Any]:
    events = dict(sorted(registered_events().items()))
    schemas, names = payload_schemas(events)
    consumers = consumers_by_service()
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for routing_key, cls in events.items():
        producer = routing_key.split(".", 1)[0]
        channel_id = _id(routing_key)
        name = names[routing_key]
        listeners = sorted(
            (service, consumer.name)
            for service, service_consumers in consumers.items()
            for consumer in service_consumers
            if routing_key in consumer.routing_keys
        )
        summary = _description(cls).split("\n\n", 1)[0]
        messages[name] = {
            "name": name,
            "title": name,
            "summary": summary,
            "contentType": "application/json",
            "payload": {"$ref": f"#/components/schemas/{name}"},
            "bindings": {"amqp": {"messageType": routing_key, "bindingVersion": AMQP_BINDING_VERSION}},
        }
        channels[channel_id] = {
            "address": routing_key,
            "title": routing_key,
            "description": f"Published by {producer} in the {cls.lane.name.lower()} outbox lane. Consumed by "
            + (", ".join(f"{s} (queue `{queue_name(s, c, cls.lane)}`)" for s, c in listeners) or "no service yet")
            + ".",
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
            "bindings": {
                "amqp": {
                    "is": "routingKey",
                    "exchange": {"name": EXCHANGE, "type": "topic", "durable": True, "autoDelete": False},
                    "bindingVersion": AMQP_BINDING_VERSION,
                }
            },
        }
        channel_ref = {"$ref": f"#/channels/{channel_id}"}
        operations[f"{channel_id}_send"] = {
            "action": "send",
            "channel": channel_ref,
            "title": f"{producer} publishes {name}",
            "summary": summary,
            "tags": [{"name": producer}],
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{name}"}],
            "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": AMQP_BINDING_VERSION}},
        }
        for service, consumer in listeners:
            queue = queue_name(service, consumer, cls.lane)
            operations[f"{channel_id}_receive_{_id(queue)}"] = {
                "action": "receive",
                "channel": channel_ref,
                "title": f"{service} consumes {name}",
                "description": f"Queue `{queue}` (quorum, dead letters in `{queue}.dlq`), manual acknowledgement; "
                "the consumer's inbox skips a redelivered `event_id`.",
                "tags": [{"name": service}],
                "messages": [{"$ref": f"#/channels/{channel_id}/messages/{name}"}],
                "bindings": {"amqp": {"ack": True, "bindingVersion": AMQP_BINDING_VERSION}},
            }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Abono events",
            "version": "1.0.0",
            "description": (
                f"Every event the platform publishes on the RabbitMQ topic exchange `{EXCHANGE}`, routed by "
                "`<service>.<entity>.<verb>`. A message is the JSON envelope `{type, version, ...fields}`; each "
                "carries `event_id` (UUID: consumers deduplicate on it) and `occurred_at` (UTC). Delivery is at "
                "least once. Producers only add fields under the same version; consumers ignore fields they do "
                "not know. Generated from the code by `make asyncapi`."
            ),
            "license": {"name": "Apache-2.0", "url": "https://www.apache.org/licenses/LICENSE-2.0"},
        },
        "defaultContentType": "application/json",
        "servers": {
            "broker": {
                "host": "rabbitmq:5672",
                "protocol": "amqp",
                "protocolVersion": "0-9-1",
                "description": "The installation's RabbitMQ (ABONO_AMQP_URL); integrators bind their own queue.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": dict(sorted(schemas.items()))},
    }


def render() -> str:
    return json.dumps(document(), indent=1, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help=f"fail if {TARGET.name} is not what the code says")
    group.add_argument("--stdout", action="store_true", help="print the document instead of writing it")
    args = parser.parse_args()
    text = render()
    if args.stdout:
        sys.stdout.write(text)
    elif args.check:
        if not TARGET.is_file() or TARGET.read_text() != text:
            print(f"{TARGET.relative_to(REPO_ROOT)} is out of date: run `make asyncapi`", file=sys.stderr)
            return 1
        print(f"{TARGET.relative_to(REPO_ROOT)} matches the code")
    else:
        TARGET.write_text(text)
        print(f"wrote {TARGET.relative_to(REPO_ROOT)} ({len(json.loads(text)['channels'])} events)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
