"""The registry as a running service: its health check, the OpenAPI description of its HTTP
interface, and GOV.UK Frontend's assets, served by the registry itself."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, send_from_directory

from registry import ROOT

from .current import registry
from .problems import problem

bp = Blueprint("system", __name__)


GOVUK_FRONTEND = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
ASSETS = {
    "govuk-frontend.min.css",
    "govuk-frontend.min.js",
    "govuk-frontend.min.js.map",
    "govuk-frontend.min.css.map",
}


@bp.get("/assets/<path:filename>")
def govuk_asset(filename: str):
    """GOV.UK Frontend's CSS, JavaScript and images, served here (no CDN). Its fonts are not
    served: this registry is not a GOV.UK service and does not use the GDS Transport typeface."""
    allowed = filename in ASSETS or (
        filename.startswith("images/")
        and "crown" not in filename
        and "govuk-" not in filename.rsplit("/", 1)[-1]
    )
    if not allowed or not (GOVUK_FRONTEND / filename).is_file():
        abort(404)
    return send_from_directory(GOVUK_FRONTEND, filename, max_age=86400)


@bp.get("/health")
def health():
    try:
        registry().store.ask("ASK { }")
    except Exception as exc:  # noqa: BLE001 - any store failure means unhealthy
        return problem(503, "Store unavailable", f"The store did not answer: {exc}")
    return {"status": "ok"}


@bp.get("/openapi.json")
def openapi():
    from .openapi import build_openapi

    return build_openapi(current_app.config["LDR"]["LDR_BASE"])
