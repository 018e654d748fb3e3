"""Back up and restore an installation: every service's database and the broker's definitions (#19 item 7).

    python scripts/backup.py backup  --to backups/2026-12-03     # every service + the broker
    python scripts/backup.py restore --from backups/2026-12-03   # into the databases the settings name
    python scripts/backup.py restore --from DIR billing --no-broker

A backup is a folder: `<service>.dump` per database (`pg_dump --format=custom`: consistent, compressed, restorable
table by table), `rabbitmq-definitions.json` (the platform's virtual host: its exchanges, queues, bindings, policies,
users and permissions, from `rabbitmqctl export_definitions`) and `manifest.json` (when, what, each file's SHA-256).

Where: the database of each service is `<PREFIX>DATABASE_URL` (e.g. `BILLING_DATABASE_URL`, as `make db` and the
services read it); the broker's virtual host is the path of `ABONO_AMQP_URL`. `rabbitmqctl` is run as
`ABONO_RABBITMQCTL` (default `rabbitmqctl`; e.g. `docker compose exec -T rabbitmq rabbitmqctl`). The PostgreSQL
client tools must be as new as the server.

Restore refuses a database that already has tables (a restore is for fresh databases: after a loss, or to check a
backup) unless `--clean` is given, which drops the objects the backup contains first. Queued messages are not in a
backup: the outbox holds every event not yet confirmed by the broker, so a restored database publishes again what
was pending at the time of the dump, and the consumers' inbox makes a repeat harmless.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import asyncpg
from _services import Service, select
from sqlalchemy.engine import make_url

DEFINITIONS = "rabbitmq-definitions.json"
MANIFEST = "manifest.json"


def libpq_url(sqlalchemy_url: str) -> str:
    """`postgresql+asyncpg://...` as the URL pg_dump, pg_restore and asyncpg understand."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


def _run(args: list[str], *, stdin: bytes | None = None) -> bytes:
    result = subprocess.run(args, input=stdin, capture_output=True, check=False)
    if result.returncode != 0:
        shown = " ".join(shlex.quote(a) for a in args if "://" not in a)  # never print a password
        sys.exit(f"failed ({result.returncode}): {shown}\n{result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- the broker ------------------------------------------------------------------------------------------------


def rabbitmqctl() -> list[str]:
    return shlex.split(os.environ.get("ABONO_RABBITMQCTL", "rabbitmqctl"))


def platform_vhost() -> str:
    path = urlsplit(os.environ.get("ABONO_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/")).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def vhost_definitions(everything: dict[str, Any], vhost: str) -> dict[str, Any]:
    """The part of a broker's definitions that belongs to one virtual host, with the users it grants."""
    scoped = {
        kind: [item for item in everything.get(kind, []) if item.get("vhost") == vhost]
        for kind in ("queues", "exchanges", "bindings", "policies", "permissions", "topic_permissions", "parameters")
    }
    granted = {p["user"] for p in scoped["permissions"]}
    return {
        "rabbit_version": everything.get("rabbit_version"),
        "vhosts": [v for v in everything.get("vhosts", []) if v["name"] == vhost],
        "users": [u for u in everything.get("users", []) if u["name"] in granted],
        **scoped,
    }


def moved_to_vhost(definitions: dict[str, Any], vhost: str) -> dict[str, Any]:
    """The same definitions for another virtual host (restoring into the one ABONO_AMQP_URL names)."""
    moved = json.loads(json.dumps(definitions))
    for kind, items in moved.items():
        if isinstance(items, list):
            for item in items:
                if kind == "vhosts":
                    item["name"] = vhost
                elif "vhost" in item:
                    item["vhost"] = vhost
    return moved


def export_broker(target: Path) -> dict[str, Any]:
    vhost = platform_vhost()
    everything = json.loads(_run([*rabbitmqctl(), "-q", "export_definitions", "-"]))
    definitions = vhost_definitions(everything, vhost)
    if not definitions["vhosts"]:
        sys.exit(f"the broker has no virtual host {vhost!r} (ABONO_AMQP_URL)")
    target.write_text(json.dumps(definitions, indent=1, sort_keys=True) + "\n")
    return {"vhost": vhost, "exchanges": len(definitions["exchanges"]), "queues": len(definitions["queues"])}


def import_broker(source: Path) -> str:
    vhost = platform_vhost()
    definitions = moved_to_vhost(json.loads(source.read_text()), vhost)
    _run([*rabbitmqctl(), "-q", "import_definitions"], stdin=json.dumps(definitions).encode())
    return vhost


# --- databases -------------------------------------------------------------------------------------------------


def dump(service: Service, target: Path) -> None:
    url = libpq_url(service.direct_database_url)
    _run(["pg_dump", "--format=custom", "--no-owner", "--no-acl", f"--file={target}", url])


async def table_count(url: str) -> int:
    conn = await asyncpg.connect(url, timeout=10)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"))
    finally:
        await conn.close()


async def ensure_database(url: str) -> None:
    """Create the database if it is missing (through the server's `postgres` database)."""
    try:
        await (await asyncpg.connect(url, timeout=10)).close()
    except asyncpg.InvalidCatalogNameError:
        parsed = make_url(url)
        admin = await asyncpg.connect(parsed.set(database="postgres").render_as_string(hide_password=False))
        try:
            name = (parsed.database or "").replace('"', '""')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()


def restore(service: Service, source: Path, *, clean: bool) -> None:
    url = libpq_url(service.direct_database_url)
    asyncio.run(ensure_database(url))
    if not clean and asyncio.run(table_count(url)):
        sys.exit(
            f"{service.name}: {make_url(url).database} already has tables; restore into a fresh database "
            "or pass --clean to replace what the backup contains"
        )
    args = ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", f"--dbname={url}"]
    if clean:
        args += ["--clean", "--if-exists"]
    _run([*args, str(source)])


# --- commands --------------------------------------------------------------------------------------------------


def backup_command(args: argparse.Namespace) -> None:
    folder: Path = args.to
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {"made_at": datetime.now(UTC).isoformat(), "databases": {}, "broker": None}
    for service in select(args.services):
        target = folder / f"{service.name}.dump"
        dump(service, target)
        manifest["databases"][service.name] = {
            "file": target.name,
            "database": make_url(service.direct_database_url).database,
            "sha256": _sha256(target),
        }
        print(f"backup: {service.name} -> {target} ({target.stat().st_size:,} bytes)")
    if not args.no_broker:
        target = folder / DEFINITIONS
        manifest["broker"] = {"file": target.name, "sha256": "", **export_broker(target)}
        manifest["broker"]["sha256"] = _sha256(target)
        print(f"backup: broker definitions of vhost {manifest['broker']['vhost']!r} -> {target}")
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    print(f"backup: done, {folder}")


def restore_command(args: argparse.Namespace) -> None:
    folder: Path = args.from_
    manifest = json.loads((folder / MANIFEST).read_text())
    services = select(args.services or list(manifest["databases"]))
    for service in services:
        entry = manifest["databases"].get(service.name)
        if entry is None:
            sys.exit(f"{service.name}: not in the backup {folder}")
        source = folder / entry["file"]
        if _sha256(source) != entry["sha256"]:
            sys.exit(f"{service.name}: {source} does not match its checksum in {MANIFEST}")
    for service in services:
        restore(service, folder / manifest["databases"][service.name]["file"], clean=args.clean)
        print(f"restore: {service.name} <- {manifest['databases'][service.name]['file']}")
    if not args.no_broker and manifest.get("broker"):
        vhost = import_broker(folder / manifest["broker"]["file"])
        print(f"restore: broker definitions -> vhost {vhost!r}")
    print("restore: done; start the services (they migrate a database from an older release on start)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True)
    b = commands.add_parser("backup", help="dump every service's database and the broker's definitions")
    b.add_argument("--to", type=Path, required=True, help="folder to write (made if missing)")
    r = commands.add_parser("restore", help="restore a backup into the databases the settings name")
    r.add_argument("--from", dest="from_", type=Path, required=True, help="a folder made by `backup`")
    r.add_argument("--clean", action="store_true", help="drop what the backup contains before restoring it")
    for command in (b, r):
        command.add_argument("services", nargs="*", help="only these services (default: all)")
        command.add_argument("--no-broker", action="store_true", help="leave the broker's definitions out")
    args = parser.parse_args(argv)
    backup_command(args) if args.command == "backup" else restore_command(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
