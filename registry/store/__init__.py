"""The triple store: the narrow interface (base), the embedded on-disk store (embedded), any SPARQL
1.1 server (remote), the IRI of every named graph the registry writes (layout), and the record
events each committed change publishes to its subscribers (events). Here: the factory that picks an
implementation from settings.

May import the packages in the layers below it: vocab/, rdf/, runtime/ (pyproject.toml's import
contract; tests/test_house.py checks it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.store.base import Store, StoreError, StoreInUse
from registry.store.embedded import EmbeddedStore

__all__ = ["Store", "StoreError", "StoreInUse", "EmbeddedStore", "open_store"]


def open_store(settings: Mapping[str, Any], *, create: bool = False) -> Store:
    kind = settings["LDR_STORE"]
    if kind == "embedded":
        return EmbeddedStore(settings["LDR_STORE_DIR"], create=create)
    if kind == "sparql":
        from registry.store.remote import RemoteStore

        return RemoteStore(
            settings["LDR_SPARQL_QUERY_URL"],
            settings["LDR_SPARQL_UPDATE_URL"],
            user=settings["LDR_SPARQL_USER"],
            password=settings["LDR_SPARQL_PASSWORD"],
            gsp_url=settings["LDR_SPARQL_GSP_URL"],
            timeout=settings["LDR_SPARQL_TIMEOUT"],
        )
    raise StoreError(f"LDR_STORE={kind!r} is not a known store; use 'embedded' or 'sparql'")
