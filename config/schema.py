"""drf-spectacular post-processing: every operation documents the error answers it can give.

Errors are one JSON shape everywhere (config/api.py): `{"detail", "code"}` plus, by code,
`errors` (field errors of `invalid`), `fields`, `retry_after`, `tries_left`, … Any operation
can answer 401/403 (authentication, role), 404 (an object outside the caller's scope), 429
(throttles) and 400 (bad input); writes also 409 (state conflicts) and 415 (a body type the
operation does not parse)."""

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string", "description": "Stable machine-readable error code."},
        "errors": {"type": "object", "additionalProperties": True,
                   "description": "Field errors (code `invalid`)."},
    },
    "required": ["detail", "code"],
    "additionalProperties": True,
}
_COMMON = {
    "400": "Bad input (`invalid` with `errors`, or a specific code).",
    "401": "Not authenticated.",
    "403": "Not allowed for this role.",
    "404": "Not found, or outside what the caller may see.",
    "429": "Throttled; see Retry-After.",
}
_WRITES = {"409": "Conflicts with the current state (e.g. `transition_not_allowed`).",
           "415": "The body's content type is not accepted here."}


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    ref = {"$ref": "#/components/schemas/Error"}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            wanted = dict(_COMMON)
            if method in ("post", "put", "patch", "delete"):
                wanted.update(_WRITES)
            responses = operation["responses"]
            for code, description in wanted.items():
                responses.setdefault(code, {"description": description,
                                            "content": {"application/json": {"schema": ref}}})
            for code, response in responses.items():
                if code.startswith(("4", "5")) and not response.get("content"):
                    response["content"] = {"application/json": {"schema": ref}}
    return result
