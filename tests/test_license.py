"""#19 item 7: the project is Apache-2.0, and every package says so (pyproject.toml; package.json for the panel)."""

from __future__ import annotations

import importlib.metadata
import json
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_license_file_is_apache_2() -> None:
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text


def test_every_package_declares_apache_2() -> None:
    projects = [p for p in ROOT.glob("*/pyproject.toml") if "project" in tomllib.loads(p.read_text())]
    assert len(projects) >= 7  # shared and every service
    for path in projects:
        project = tomllib.loads(path.read_text())["project"]
        assert project.get("license") == "Apache-2.0", path
        # What the installed distribution tells pip and SBOM tools.
        assert importlib.metadata.metadata(project["name"])["License-Expression"] == "Apache-2.0", path
    package_jsons = [p for p in ROOT.glob("*/**/package.json") if "node_modules" not in p.parts]
    for path in package_jsons:
        assert json.loads(path.read_text()).get("license") == "Apache-2.0", path
