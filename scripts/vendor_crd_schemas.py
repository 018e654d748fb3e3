"""Turn operators' CustomResourceDefinition files into the JSON Schemas `check-jsonschema` validates our custom
resources against (deploy/schemas/<group>/<kind>_<version>.json, committed: validation stays offline).

    python scripts/vendor_crd_schemas.py CRD.yaml [CRD.yaml ...]

Each served version's `openAPIV3Schema` is kept without `status` (a manifest never sets it) and without
descriptions (size), and is made strict like the API server's strict field validation: an object that lists its
`properties` and does not preserve unknown fields gets `additionalProperties: false`, so a misspelt field fails
here instead of being pruned silently by the cluster.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import yaml

SCHEMAS = Path(__file__).resolve().parents[1] / "deploy" / "schemas"
_DROPPED = {"description"}


def strict(node: Any) -> Any:
    """The schema with descriptions dropped and `additionalProperties: false` on closed objects."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: strict(value) for key, value in node.items() if key not in _DROPPED}
    if "properties" in node:
        # `properties` maps names to schemas: a property may be called "description" itself.
        out["properties"] = {name: strict(schema) for name, schema in node["properties"].items()}
        if not node.get("x-kubernetes-preserve-unknown-fields") and "additionalProperties" not in node:
            out["additionalProperties"] = False
    return out


def vendor(crd_file: Path, source: str) -> list[Path]:
    written = []
    for crd in yaml.safe_load_all(crd_file.read_text()):
        if not crd or crd.get("kind") != "CustomResourceDefinition":
            continue
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if not version.get("served", True):
                continue
            schema = dict(version["schema"]["openAPIV3Schema"])
            schema["properties"] = {k: v for k, v in schema["properties"].items() if k != "status"}
            schema = strict(schema)
            schema["properties"]["apiVersion"] = {"const": f"{group}/{version['name']}"}
            schema["properties"]["kind"] = {"const": kind}
            schema["required"] = sorted({*schema.get("required", ()), "apiVersion", "kind", "metadata", "spec"})
            document = {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "title": f"{kind} {group}/{version['name']}",
                "$comment": f"made by scripts/vendor_crd_schemas.py from {source}",
                **schema,
            }
            target = SCHEMAS / group / f"{kind.lower()}_{version['name']}.json"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
            written.append(target)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("crds", nargs="+", type=Path)
    parser.add_argument("--source", default="", help="where the CRDs came from (recorded in each schema)")
    args = parser.parse_args()
    for crd_file in args.crds:
        for path in vendor(crd_file, args.source or crd_file.name):
            print(path.relative_to(SCHEMAS.parents[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
