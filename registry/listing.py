"""Listing the records of a register (a plain query for now; large registries will need the
search index planned for the web pages)."""
from __future__ import annotations

from .model import Model
from .store import Store


def register_counts(store: Store, model: Model) -> dict[str, int]:
    base = model.base.iri
    rows = store.select(
        "SELECT ?register (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s a ?t } "
        f"FILTER(STRSTARTS(STR(?g), '{base}/doc/')) FILTER(STR(?s) = REPLACE(STR(?g), '/doc/', '/id/')) "
        f"BIND(REPLACE(STR(?g), '^{base}/doc/([^/]+)/.*$', '$1') AS ?register) }} GROUP BY ?register")
    return {str(r["register"]): int(r["n"]) for r in rows}


def list_register(store: Store, model: Model, register: str) -> list[tuple[str, str]]:
    """(item IRI, title) of every record in the register, by title."""
    prefix = f"{model.base.iri}/doc/{register}/"
    rows = store.select(
        "SELECT ?s ?title WHERE { GRAPH ?g { ?s <http://purl.org/dc/terms/title> ?title } "
        f"FILTER(STRSTARTS(STR(?g), '{prefix}')) FILTER(STR(?s) = REPLACE(STR(?g), '/doc/', '/id/')) }} "
        "ORDER BY LCASE(STR(?title))")
    return [(str(r["s"]), str(r["title"])) for r in rows]
