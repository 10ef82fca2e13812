"""RFC 9457 problem details for every error the API gives."""

from __future__ import annotations

import json

from flask import Response


def problem(
    status: int, title: str, detail: str, *, headers: dict | None = None, **extra
) -> Response:
    """A problem document; it needs no request or app context, so the SPARQL endpoint (which
    runs outside Flask) gives the same ones."""
    body = (
        json.dumps(
            {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra},
            sort_keys=True,
            separators=(",", ":"),
        )
        + "\n"
    )
    response = Response(body, status=status, mimetype="application/problem+json")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def too_large(limit: int) -> Response:
    return problem(
        413,
        "Request Entity Too Large",
        f"The request body is larger than the limit of {limit:,} bytes "
        "(LDR_MAX_INPUT_BYTES). Send fewer records at a time.",
    )
