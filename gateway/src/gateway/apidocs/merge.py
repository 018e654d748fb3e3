"""Merging OpenAPI documents: each service's paths move under `/api/<service>` and its components are renamed
`<service>.<name>` (every `$ref` rewritten), so two services' `ClientPublic` never collide."""

from __future__ import annotations

import copy
import json
from typing import Any

from gateway.apidocs.guide import INTRODUCTION, TAGS

Doc = dict[str, Any]

COMPONENT_KINDS = (
    "schemas",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
)
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# Operations endpoints of each service are not part of the public API.
_OPERATIONS_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/whoami"})
PROBLEM_REF = "#/components/schemas/Problem"
BEARER = "bearerAuth"


def _is_operations_path(path: str) -> bool:
    return path in _OPERATIONS_PATHS or path.startswith("/internal/")


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, dict):
        return {
            key: renames.get(value, value)
            if key == "$ref" and isinstance(value, str)
            else _rewrite_refs(value, renames)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _rename_security(requirements: list[dict[str, Any]], service: str) -> list[dict[str, Any]]:
    # Security requirements name their schemes by key, not by $ref. Every service's access token is the gateway's
    # (`abono.auth.bearer_scheme`): one scheme, one "Authorize" in /docs.
    return [{name if name == BEARER else f"{service}.{name}": scopes for name, scopes in req.items()}
            for req in requirements]


def namespace_service(service: str, doc: Doc) -> Doc:
    """A service's paths, components and tags as they appear in the merged document."""
    components: Doc = doc.get("components", {})
    renames = {
        f"#/components/{kind}/{name}": f"#/components/{kind}/{service}.{name}"
        for kind in COMPONENT_KINDS
        for name in components.get(kind, {})
        if (kind, name) != ("securitySchemes", BEARER)
    }
    default_security = doc.get("security")
    paths: Doc = {}
    for path, item in doc.get("paths", {}).items():
        if _is_operations_path(path):
            continue
        item = _rewrite_refs(item, renames)
        for method, operation in item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            if "operationId" in operation:
                operation["operationId"] = f"{service}_{operation['operationId']}"
            operation["tags"] = [f"{service}: {tag}" for tag in operation.get("tags", [])] or [service]
            security = operation.get("security", default_security)
            if security is not None:
                operation["security"] = _rename_security(security, service)
        paths[f"/api/{service}{path}"] = item
    return {
        "paths": paths,
        "components": {
            kind: {f"{service}.{name}": _rewrite_refs(value, renames) for name, value in entries.items()
                   if (kind, name) != ("securitySchemes", BEARER)}
            for kind, entries in components.items()
            if kind in COMPONENT_KINDS
        },
        "tags": [{**tag, "name": f"{service}: {tag['name']}"} for tag in doc.get("tags", []) if "name" in tag],
    }


def errors_as_problems(doc: Doc) -> Doc:
    """Every error response of the gateway's own routes as `application/problem+json` (what they really send)."""
    doc = copy.deepcopy(doc)
    for item in doc.get("paths", {}).values():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}}
    schemas = doc.get("components", {}).get("schemas", {})
    if "HTTPValidationError" in schemas and '"#/components/schemas/HTTPValidationError"' not in json.dumps(
        doc["paths"]
    ):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    return doc


# Issue 11 item 8: what the platform itself can answer to any operation, whatever its code declares.
_PLATFORM_ERRORS = {
    "401": "Missing, invalid, expired or revoked access token",
    "403": "Not allowed to you (role, someone else's, or `account-closed`, B-17)",
    "404": "No such object (or not yours)",
    "413": "Request body larger than the limit (`content-too-large`)",
    "422": "Invalid parameters or body",
}


def declare_platform_errors(paths: Doc) -> None:
    """Every operation declares the errors the platform can answer it with, as problem+json: an authenticated
    operation (one that declares 401) can also be 403 (a closed account, B-17); one with a body can be 413 (the
    body limits) and 422; one with parameters 422; one with path parameters 404. Every error response the code
    declared is problem+json too, which is what the services send."""
    problem = {"application/problem+json": {"schema": {"$ref": PROBLEM_REF}}}
    for item in paths.values():
        shared_parameters = item.get("parameters", [])
        for method, operation in item.items():
            if method not in HTTP_METHODS or not isinstance(operation, dict):
                continue
            responses: Doc = operation.setdefault("responses", {})
            parameters = [*shared_parameters, *operation.get("parameters", [])]
            wanted = set()
            if "401" in responses:
                wanted.add("403")
            if "requestBody" in operation:
                wanted |= {"413", "422"}
            if parameters:
                wanted.add("422")
            if any(p.get("in") == "path" for p in parameters if isinstance(p, dict)):
                wanted.add("404")
            for status in sorted(wanted - responses.keys()):
                responses[status] = {"description": _PLATFORM_ERRORS[status]}
            for status, response in responses.items():
                if status.isdigit() and int(status) >= 400 and isinstance(response, dict):
                    response["content"] = copy.deepcopy(problem)


def _described_tags(paths: Doc, declared: list[Doc]) -> list[Doc]:
    """Every tag the operations use, once, with its line from `guide.TAGS` (a service's own declaration first)."""
    described = {**TAGS, **{t["name"]: t["description"] for t in declared if t.get("description")}}
    used = [tag for item in paths.values() for method, operation in item.items()
            if method in HTTP_METHODS and isinstance(operation, dict) for tag in operation.get("tags", [])]
    order = {name: index for index, name in enumerate(TAGS)}
    names = sorted(dict.fromkeys(used), key=lambda name: (order.get(name, len(order)), name))
    return [{"name": name, **({"description": described[name]} if name in described else {})} for name in names]


def merge(own: Doc, services: dict[str, Doc | None]) -> Doc:
    """The gateway's document plus each reachable service's; `None` marks a service that could not be read."""
    merged = copy.deepcopy(own)
    merged.setdefault("paths", {})
    components = merged.setdefault("components", {})
    tags = merged.setdefault("tags", [])
    for service, doc in services.items():
        if doc is None:
            continue
        part = namespace_service(service, doc)
        merged["paths"].update(part["paths"])
        for kind, entries in part["components"].items():
            components.setdefault(kind, {}).update(entries)
        tags.extend(part["tags"])
    declare_platform_errors(merged["paths"])
    # Access tokens are sent by clients as a bearer header; declared here so Swagger UI offers "Authorize". Only the
    # operations that read one declare it (`abono.auth.bearer_scheme`): public ones (sign-up, login, the public
    # catalog, webhooks...) show no lock.
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
        "description": "The access token from `POST /api/auth/login`."}
    merged.pop("security", None)
    info = merged.setdefault("info", {})
    info["description"] = INTRODUCTION  # for API users; the gateway's own docstring is for its developers
    merged["tags"] = _described_tags(merged["paths"], tags)
    info["x-abono-services"] = {
        service: "included" if doc is not None else "unavailable" for service, doc in services.items()
    }
    return merged
