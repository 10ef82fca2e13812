"""Writing the whole registry in any supported syntax."""
from __future__ import annotations

from .rdfio import Format, serialize
from .store import Store


def export_registry(store: Store, fmt: Format) -> bytes:
    """Dataset syntaxes keep every graph (current records, versions, provenance); triple
    syntaxes get the default graph: the current description of every record and the vocabulary."""
    if fmt.name in ("nquads", "trig"):
        return store.dump(fmt.name)
    graph = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    return serialize(graph, fmt)
