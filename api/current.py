"""The one accessor for the registry a request is served from, as Flask's tutorial has get_db():
every route reaches the store, vocabulary, index, accounts and SPARQL service through it."""

from __future__ import annotations

from flask import current_app

from registry.assembly import Registry


def registry() -> Registry:
    """The registry this app serves (registry.assembly, built by create_app)."""
    return current_app.extensions["ldr.registry"]
