"""RFC 9457 problem details for every error the API gives."""
from __future__ import annotations

from flask import Response, jsonify


def problem(status: int, title: str, detail: str, *, headers: dict | None = None, **extra) -> Response:
    response = jsonify({"type": "about:blank", "title": title, "status": status, "detail": detail, **extra})
    response.status_code = status
    response.mimetype = "application/problem+json"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response
