"""What the OpenAPI description says about errors, added to every operation in one place.

Every error of the API has one shape, `{"error": {"code", "message", "fields"}}` (see
accord/api/main.py). Each operation documents the statuses it can answer with it, so a
generated client knows them: 401, 403 and 429 where a token is needed, 404 (an object outside
the organization or an unknown id), 409 on writes (a stale `If-Match`, or an object still
in use), 422 (invalid input), and 400 where a body is read (not JSON, or too large).
"""

from __future__ import annotations

from typing import Any

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "fields"],
            "properties": {
                "code": {"type": "string", "description": "A short machine-readable reason."},
                "message": {"type": "string", "description": "What went wrong, for people."},
                "fields": {
                    "type": "object",
                    "description": "Messages per request field (body, query or path).",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
                "existing_id": {
                    "type": "integer",
                    "description": "With code `duplicate`: the id of the same one you made "
                    "a moment ago (send `again: true` to make a second one).",
                },
            },
        }
    },
}

DESCRIPTIONS = {
    "400": "The body is not a JSON object, or too large.",
    "401": "No valid API token (`unauthenticated`), or one revoked or of someone deactivated "
    "(`token_revoked`, saying since when).",
    "403": "Your role or the token's scope may not do this, or the agent is paused.",
    "404": "No such object in your organization.",
    "409": "Stale `If-Match` version, the object is still in use, or it is not in a state "
    "for this (a finished delivery retried).",
    "422": "Invalid input; `fields` names each problem.",
    "429": "Too many calls: invalid tokens from your address, or over the token's person's "
    "(an agent's) rate limit. Retry after `Retry-After` seconds.",
}

WRITES = {"post", "put", "patch", "delete"}


def error_statuses(method: str, operation: dict[str, Any]) -> list[str]:
    statuses = ["404", "422"]
    if operation.get("security"):
        statuses += ["401", "403", "429"]
    if method in WRITES:
        statuses.append("409")
    if "requestBody" in operation:
        statuses.append("400")
    return sorted(statuses)


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the Error schema and each operation's error responses to an OpenAPI document."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            operation["responses"] = {str(k): v for k, v in operation["responses"].items()}
            for status in error_statuses(method, operation):
                operation["responses"].setdefault(
                    status, {"description": DESCRIPTIONS[status], "content": body}
                )
    return schema
