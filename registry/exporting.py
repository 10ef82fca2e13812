"""Writing the whole registry in any supported syntax."""
from __future__ import annotations

from .rdfio import Format, serialize
from .store import Store


def export_registry(store: Store, fmt: Format) -> bytes:
    """Dataset syntaxes keep every named graph; triple syntaxes get the union of all graphs."""
    if fmt.name in ("nquads", "trig"):
        return store.dump(fmt.name)
    graph = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }")
    return serialize(graph, fmt)
