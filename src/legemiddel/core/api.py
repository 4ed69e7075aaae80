"""What every REST API endpoint may answer besides its result, for its OpenAPI document.

The access middleware answers 401 (no session) and 403 (no access) as JSON, a missing object
is a 404 and a parameter of the wrong type or out of range a 422. An endpoint declares them
with ``response={200: Result, **errors(404, 422)}`` so clients (and the contract tests) know
every status code it can return.
"""

from __future__ import annotations

from typing import Any

from ninja import Schema


class Message(Schema):
    detail: str


class ValidationErrors(Schema):
    detail: list[dict[str, Any]]


_ERRORS: dict[int, type[Schema]] = {
    401: Message,
    403: Message,
    404: Message,
    422: ValidationErrors,
}


def errors(*codes: int) -> dict[int, type[Schema]]:
    """The error responses of an endpoint: 401 and 403 always, and ``codes``."""
    return {code: _ERRORS[code] for code in (401, 403, *codes)}


def clean_text(value: str) -> str:
    """A text parameter as the database can search for it: without NUL characters, which
    PostgreSQL refuses in a query."""
    return value.replace("\x00", "")
