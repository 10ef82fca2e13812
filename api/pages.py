"""GOV.UK Frontend's assets, served by the registry itself."""
from __future__ import annotations

from flask import Blueprint, abort, send_from_directory
from registry.vocab.model import ROOT

bp = Blueprint("pages", __name__)


GOVUK_FRONTEND = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
ASSETS = {"govuk-frontend.min.css", "govuk-frontend.min.js", "govuk-frontend.min.js.map", "govuk-frontend.min.css.map"}


@bp.get("/assets/<path:filename>")
def govuk_asset(filename: str):
    """GOV.UK Frontend's CSS, JavaScript and images, served here (no CDN). Its fonts are not
    served: this registry is not a GOV.UK service and does not use the GDS Transport typeface."""
    allowed = filename in ASSETS or (filename.startswith("images/") and "crown" not in filename
                                     and "govuk-" not in filename.rsplit("/", 1)[-1])
    if not allowed or not (GOVUK_FRONTEND / filename).is_file():
        abort(404)
    return send_from_directory(GOVUK_FRONTEND, filename, max_age=86400)
