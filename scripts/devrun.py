"""Run the whole platform in the foreground: the gateway and the five services, one uvicorn each.

    python scripts/devrun.py                 # every service whose folder exists
    python scripts/devrun.py gateway billing # only these

Output of all of them is interleaved line by line behind a `name        | ` prefix (colored on a terminal,
unless NO_COLOR is set). Ctrl-C (SIGINT) or SIGTERM stops them all: SIGTERM first, SIGKILL after a grace period.
If one of them exits on its own, the others are stopped and this exits non-zero.

With ABONO_ENVIRONMENT other than production (and ABONO_SANDBOX not false) it also starts the sandbox
(scripts/sandbox.py: local Stripe, MercadoPago, PayPal, Pagos360, WHM and provider fakes, a mail catcher) and points
billing, provisioning and notify at it for whatever you have not configured yourself (scripts/_sandbox.py).

Environment: everything of yours is passed through (so `ABONO_TEST_MODE=true make run` works); these are set
only if you have not set them: ABONO_ENVIRONMENT=development, ABONO_JWT_PUBLIC_KEY_FILE and
GATEWAY_JWT_PRIVATE_KEY_FILE (from .run/keys, see `make keys`), ABONO_GATEWAY_URL, GATEWAY_SERVICE_URLS (the
services started here), ABONO_LOG_JSON=false (readable console logs; set it to true for JSON).
Each service listens on `<PREFIX>HOST` (127.0.0.1) and `<PREFIX>PORT` (8000..8005), with `<PREFIX>WEB_WORKERS` (1)
processes (`python -m abono.serve`). Billing, provisioning and notify each get a second process, `<name>-bulk`
(`python -m abono.bulk_worker`, niced by ABONO_BULK_NICE, 10): their bulk lane (issue 20), with `/healthz` and
`/metrics` on `<PREFIX>BULK_METRICS_PORT` (the app's port + 1000: 9001..9003);
`<PREFIX>BULK_LANE=in_process` keeps it in the app instead.
DEVRUN_READY_TIMEOUT (60) is how long to wait for every /readyz; DEVRUN_GRACE (8) the seconds between SIGTERM
and SIGKILL (a second Ctrl-C kills at once).
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from types import FrameType
from typing import IO

import _sandbox as sandbox
from _services import PRIVATE_KEY, PUBLIC_KEY, REPO_ROOT, Service, select, warn

COLORS = ("36", "32", "33", "35", "34", "31")  # cyan, green, yellow, magenta, blue, red
WIDTH = max(len("devrun"), len("provisioning-bulk"), *(len(s) for s in ("gateway", "billing", "support", "affiliate")))


class Output:
    """Writes whole lines with a padded, optionally colored prefix; one lock so lines never mix."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.color = sys.stdout.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"

    def prefix(self, name: str, color: str) -> str:
        label = f"{name:<{WIDTH}} |"
        return f"\033[{color}m{label}\033[0m " if self.color else f"{label} "

    def line(self, name: str, color: str, text: str) -> None:
        with self.lock:
            sys.stdout.write(self.prefix(name, color) + text.rstrip("\r\n") + "\n")
            sys.stdout.flush()

    def say(self, text: str) -> None:
        self.line("devrun", "1", text)


out = Output()


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if devrun itself dies (even by SIGKILL). Linux only, best effort."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Child:
    def __init__(self, name: str, cmd: list[str], url: str, color: str, env: dict[str, str]) -> None:
        self.name = name
        self.color = color
        self.url = url
        # Its own session: the terminal's Ctrl-C reaches only us, and we stop each child exactly once
        # (a second SIGINT would make uvicorn skip its graceful shutdown).
        self.proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            text=True,
            errors="replace",
            bufsize=1,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
        self.reader = threading.Thread(target=self._pump, args=(self.proc.stdout,), daemon=True)

    @classmethod
    def of_service(cls, service: Service, color: str, env: dict[str, str]) -> Child:
        host = service.host
        url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::', '') else host}:{service.listen_port}"  # noqa: S104
        cmd = [
            sys.executable,
            "-m",
            "abono.serve",  # uvicorn with <PREFIX>WEB_WORKERS processes (as the image's entry point)
            service.app,
            "--host",
            host,
            "--port",
            str(service.listen_port),
            # The gateway decides whom to believe about X-Forwarded-For (GATEWAY_TRUSTED_PROXIES); uvicorn must not
            # rewrite the client address first.
            "--no-proxy-headers",
            # Open live streams (/api/stream) never end by themselves: cancel them after this on Ctrl-C.
            "--timeout-graceful-shutdown",
            "3",
        ]
        return cls(service.name, cmd, url, color, env)

    @classmethod
    def of_bulk_worker(cls, service: Service, color: str, env: dict[str, str]) -> Child:
        """The service's bulk lane in a process of its own at a lower CPU priority (issue 20, abono.bulk_worker)."""
        return cls(f"{service.name}-bulk", [sys.executable, "-m", "abono.bulk_worker", service.app], "", color, env)

    @classmethod
    def of_sandbox(cls, color: str, env: dict[str, str]) -> Child:
        script = str(REPO_ROOT / "scripts" / "sandbox.py")
        return cls("sandbox", [sys.executable, script], sandbox.url("mail", env), color, env)

    def _pump(self, stream: IO[str] | None) -> None:
        if stream is None:
            return
        for text in stream:
            out.line(self.name, self.color, text)

    def signal(self, sig: signal.Signals) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)


def child_env(services: list[Service]) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("ABONO_ENVIRONMENT", "development")
    env.setdefault("ABONO_LOG_JSON", "false")
    env["PYTHONUNBUFFERED"] = "1"
    if PUBLIC_KEY.exists():
        env.setdefault("ABONO_JWT_PUBLIC_KEY_FILE", str(PUBLIC_KEY))
    if PRIVATE_KEY.exists():
        env.setdefault("GATEWAY_JWT_PRIVATE_KEY_FILE", str(PRIVATE_KEY))
    if not (PUBLIC_KEY.exists() and PRIVATE_KEY.exists()):
        warn(f"no JWT keys in {PUBLIC_KEY.parent} (run `make keys`): tokens cannot be signed or verified")
    gateway = next((s for s in services if s.name == "gateway"), None)
    env.setdefault("ABONO_GATEWAY_URL", f"http://127.0.0.1:{gateway.listen_port if gateway else 8000}")
    urls = {s.name: f"http://127.0.0.1:{s.listen_port}" for s in services if s.name != "gateway"}
    env.setdefault("GATEWAY_SERVICE_URLS", json.dumps(urls))
    for service in services:
        if service.bulk_worker:  # the app leaves its bulk lane to its bulk worker (started next to it)
            env[f"{service.prefix}BULK_LANE"] = "separate"
    if sandbox.enabled(env):
        env |= sandbox.service_env(env)
    return env


def ready(url: str) -> tuple[bool, str]:
    try:
        with urllib.request.urlopen(f"{url}/readyz", timeout=2) as resp:  # noqa: S310 - http://127.0.0.1 only
            return resp.status == 200, str(resp.status)
    except urllib.error.HTTPError as exc:
        return False, str(exc.code)
    except (OSError, ValueError) as exc:
        return False, type(exc).__name__


def watch_readiness(children: list[Child], stopping: threading.Event, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = {c.name: c for c in children}
    status: dict[str, str] = {}
    while pending and not stopping.is_set():
        for name, child in list(pending.items()):
            ok, status[name] = ready(child.url)
            if ok:
                del pending[name]
        if not pending:
            break
        if time.monotonic() > deadline:
            detail = ", ".join(f"{n} ({status.get(n, '?')})" for n in pending)
            out.say(f"not ready after {timeout:.0f} s: {detail} - still running; see their logs above")
            return
        stopping.wait(0.5)
    if stopping.is_set():
        return
    gateway = next((c for c in children if c.name == "gateway"), None)
    if gateway:
        out.say(f"Abono is up: {gateway.url}/   (the client panel; the API at {gateway.url}/docs)")
    else:
        out.say("Abono is up (no gateway yet): " + ", ".join(f"{c.name} {c.url}/docs" for c in children))
    if any(c.name == "sandbox" for c in children):
        out.say(f"Sandbox: e-mail caught at {sandbox.url('mail')}/ ; Stripe, MercadoPago, PayPal and Pagos360 are "
                "local fakes (their checkout pages have Pay and Decline buttons; pending debits at "
                f"{sandbox.url('pagos360')}/sandbox); no provider keys needed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("services", nargs="*", help="service names (default: all whose folder exists)")
    args = parser.parse_args(argv)
    services = select(args.services)
    if not services:
        out.say("no service folder exists: nothing to run")
        return 1
    ready_timeout = float(os.environ.get("DEVRUN_READY_TIMEOUT", "60"))
    grace = float(os.environ.get("DEVRUN_GRACE", "8"))

    stopping = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        received.append(signum)
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    env = child_env(services)
    children: list[Child] = []
    if sandbox.enabled(env):
        # First, so the fakes and the mail catcher answer before the services call them.
        children.append(Child.of_sandbox("37", env))
        out.say(f"started sandbox (pid {children[0].proc.pid}): "
                "Stripe, MercadoPago, PayPal, Pagos360, WHM, registrar, mail catcher")
    for i, service in enumerate(services):
        child = Child.of_service(service, COLORS[i % len(COLORS)], env)
        children.append(child)
        out.say(f"started {service.name} (pid {child.proc.pid}) on {child.url}")
        if service.bulk_worker:
            bulk = Child.of_bulk_worker(service, COLORS[i % len(COLORS)], env)
            children.append(bulk)
            listener = f"http://{service.host}:{service.env('BULK_METRICS_PORT', str(service.listen_port + 1000))}"
            out.say(f"started {bulk.name} (pid {bulk.proc.pid}): its bulk lane, niced (ABONO_BULK_NICE); "
                    f"/healthz and /metrics on {listener}")
    for child in children:  # only now: preexec_fn must not run while other threads exist
        child.reader.start()
    served = [c for c in children if c.url]  # bulk workers serve no HTTP
    threading.Thread(target=watch_readiness, args=(served, stopping, ready_timeout), daemon=True).start()

    failed: Child | None = None
    while not stopping.is_set():
        failed = next((c for c in children if c.proc.poll() is not None), None)
        if failed:
            out.say(f"{failed.name} exited with code {failed.proc.returncode}: stopping the others")
            stopping.set()
            break
        stopping.wait(0.2)
    if received:
        out.say(f"{signal.Signals(received[0]).name} received: stopping everything")

    for child in children:
        child.signal(signal.SIGTERM)
    signals_before = len(received)
    deadline = time.monotonic() + grace
    while any(c.proc.poll() is None for c in children):
        if time.monotonic() > deadline or len(received) > signals_before:
            for child in children:
                if child.proc.poll() is None:
                    out.say(f"killing {child.name} (did not stop within {grace:.0f} s or asked twice)")
                    child.signal(signal.SIGKILL)
            for child in children:
                child.proc.wait()
            break
        time.sleep(0.1)
    for child in children:
        child.reader.join(timeout=2)
    out.say("all stopped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
