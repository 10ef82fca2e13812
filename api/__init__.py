"""The Flask application: a thin HTTP layer over the registry package."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Flask

from registry.model import load_model
from registry.settings import load_settings
from registry.store import open_store


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from settings (LDR_* variables, the LDR_CONFIG file, then `config`)."""
    settings = load_settings(config)
    app = Flask(__name__)
    app.config["LDR"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings["LDR_MAX_INPUT_BYTES"]
    app.extensions["ldr.model"] = load_model(settings["LDR_BASE"])
    app.extensions["ldr.store"] = open_store(settings)

    from .linked_data import bp as linked_data
    app.register_blueprint(linked_data)
    return app
