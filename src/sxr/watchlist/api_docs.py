"""The platform API's OpenAPI document (only /api/v1) and a plain HTML reading of it for /api/docs.

The page is rendered on the server from the document, so it needs no script and no other host: the app's
own Content-Security-Policy applies to it unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

PLATFORM_PREFIX = "/api/v1/"
DESCRIPTION = (
    "Hash look-ups against sxr's watchlist for platforms and hotlines. Every request needs "
    "`Authorization: Bearer KEY` (an operator issues keys with `sxr apikey create NAME`). Answers carry "
    "opaque ids, distances and each entry's trust level, never anything about the victim or the case."
)


def platform_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of the platform API alone (built once per app)."""
    cached: dict[str, Any] | None = getattr(app.state, "platform_openapi", None)
    if cached is None:
        # Routers are included lazily (FastAPI flattens them itself): build the whole, keep /api/v1.
        doc = get_openapi(
            title="sxr platform API", version=app.version, description=DESCRIPTION, routes=app.routes
        )
        doc["paths"] = {p: ops for p, ops in doc.get("paths", {}).items() if p.startswith(PLATFORM_PREFIX)}
        components = doc.get("components", {})
        schemas = components.get("schemas", {})
        wanted = _referenced(doc["paths"], schemas)
        components["schemas"] = {name: schemas[name] for name in sorted(wanted)}
        cached = app.state.platform_openapi = doc
    return cached


def _referenced(part: Any, schemas: dict[str, Any], found: set[str] | None = None) -> set[str]:
    """The names of the component schemas `part` refers to, directly or through other schemas."""
    found = set() if found is None else found
    if isinstance(part, dict):
        ref = part.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[-1]
            if name not in found and name in schemas:
                found.add(name)
                _referenced(schemas[name], schemas, found)
        for value in part.values():
            _referenced(value, schemas, found)
    elif isinstance(part, list):
        for value in part:
            _referenced(value, schemas, found)
    return found


@dataclass(frozen=True)
class Property:
    """One property of a schema, as the docs page lists it."""

    name: str
    type: str
    required: bool
    rules: str
    description: str


@dataclass(frozen=True)
class Schema:
    name: str
    description: str
    fields: list[Property]


@dataclass(frozen=True)
class Reply:
    status: str
    description: str
    type: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    description: str
    parameters: list[Property] = field(default_factory=list)
    body: str = ""
    replies: list[Reply] = field(default_factory=list)
    auth: bool = False


def type_words(schema: dict[str, Any]) -> str:
    """A schema's type in a few words ("list of HashQuery", "string or null")."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "const" in schema:
        return f'"{schema["const"]}"'
    if "enum" in schema:
        return " or ".join(f'"{v}"' for v in schema["enum"])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            return " or ".join(type_words(s) for s in schema[key])
    kind = schema.get("type")
    if kind == "array":
        return f"list of {type_words(schema.get('items') or {})}"
    if kind == "object" and "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        return f"object of {type_words(extra)}" if isinstance(extra, dict) else "object"
    return str(kind or "any")


_RULES = (
    ("minLength", "at least {} characters"),
    ("maxLength", "at most {} characters"),
    ("minItems", "at least {} items"),
    ("maxItems", "at most {} items"),
    ("minimum", "from {}"),
    ("maximum", "up to {}"),
    ("exclusiveMinimum", "above {}"),
    ("exclusiveMaximum", "below {}"),
    ("pattern", "matches {}"),
)


def rule_words(schema: dict[str, Any]) -> str:
    parts = [text.format(schema[key]) for key, text in _RULES if key in schema]
    for key in ("anyOf", "oneOf"):
        for option in schema.get(key, []):
            inner = rule_words(option)
            if inner:
                parts.append(inner)
    if "default" in schema:
        parts.append(f"default {schema['default']!r}".replace("'", '"'))
    return "; ".join(parts)


def _fields(schema: dict[str, Any]) -> list[Property]:
    required = set(schema.get("required", []))
    return [
        Property(
            name=name,
            type=type_words(prop),
            required=name in required,
            rules=rule_words(prop),
            description=str(prop.get("description", "")),
        )
        for name, prop in (schema.get("properties") or {}).items()
    ]


def reading(doc: dict[str, Any]) -> tuple[list[Operation], list[Schema]]:
    """The operations and schemas of an OpenAPI document, for the docs page."""
    operations = []
    for path, methods in sorted(doc.get("paths", {}).items()):
        for method, op in methods.items():
            operation = Operation(
                method=method.upper(),
                path=path,
                summary=str(op.get("summary", "")),
                description=str(op.get("description", "")),
                auth=bool(op.get("security")),
            )
            for param in op.get("parameters", []):
                schema = param.get("schema", {})
                operation.parameters.append(
                    Property(
                        name=f"{param['name']} ({param.get('in', '')})",
                        type=type_words(schema),
                        required=bool(param.get("required")),
                        rules=rule_words(schema),
                        description=str(param.get("description", "")),
                    )
                )
            content = (op.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                operation.body = type_words(content["application/json"].get("schema", {}))
            for status, reply in sorted(op.get("responses", {}).items()):
                body = (reply.get("content") or {}).get("application/json", {}).get("schema")
                operation.replies.append(
                    Reply(status, str(reply.get("description", "")), type_words(body) if body else "")
                )
            operations.append(operation)
    schemas = []
    for name, schema in sorted(doc.get("components", {}).get("schemas", {}).items()):
        description = str(schema.get("description", ""))
        schemas.append(Schema(name, description, _fields(schema)))
        # A schema that is one of several objects (a hash to look up: one a hash type) lists each.
        for option in schema.get("oneOf", []):
            if option.get("properties"):
                title = option.get("title", "")
                schemas.append(
                    Schema(f"{name}: {title}", str(option.get("description", "")), _fields(option))
                )
    return operations, schemas
