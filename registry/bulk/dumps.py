"""The whole registry out (an export in any supported syntax) and back in (restoring a dump into a
new store). Nothing here validates, so `ldr restore` starts without loading the validator."""

from __future__ import annotations

from pathlib import Path

from registry.rdf.formats import Format, InputError
from registry.store import Store


def export_registry(store: Store, fmt: Format) -> bytes:
    """Dataset syntaxes keep every graph (current records, versions, provenance); triple
    syntaxes get the default graph: the current description of every record and the vocabulary."""
    if fmt.name in ("nquads", "trig"):
        return store.dump(fmt.name)
    from registry.rdf.rdfio import serialize

    graph = store.construct("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    return serialize(graph, fmt)


def restore(store: Store, path: Path) -> None:
    """Load a registry dump (`/dumps/registry.nq.gz`, `ldr export --format nquads`) into an empty
    store with the store's bulk loader: every record, version and provenance graph as it was.
    A dump is the registry's own output, so it is not validated again; an empty store is
    required so that nothing already there is mixed with it or lost."""
    check_restorable(store, path)
    store.bulk_load(path)


def check_restorable(store: Store, path: Path) -> None:
    """Why `path` cannot be restored into `store`, as an InputError (or nothing)."""
    if not path.name.endswith((".nq", ".nq.gz", ".nquads", ".trig", ".trig.gz")):
        raise InputError(f"{path}: a dump is N-Quads (.nq, .nq.gz) or TriG (.trig, .trig.gz)")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if not store.is_empty():
        raise InputError(
            "the store is not empty: restore into a new store (`--store NEW_DIR`), so nothing is mixed or lost"
        )
