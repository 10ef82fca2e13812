"""Where everything lives in the store: the IRI of every named graph the registry writes.

A record's current description is in its document graph (/doc/{register}/{reference}); each
version in a graph of its own (…/version/{n}); its history (versions, who, when, why) in …/history.
The registry's own state (its latest change) and the claims writers sharing a server make on
records are in graphs under /catalogue/.
"""

from __future__ import annotations

from registry.vocab.model import Model


def doc_iri(model: Model, iri: str) -> str:
    """The graph holding a record's current description: its document's IRI."""
    item = model.base.split_item(iri)
    assert item is not None, f"not an item IRI minted here: {iri}"
    register, reference = item
    return model.base.document(register, reference)


def version_iri(model: Model, iri: str, number: int) -> str:
    """The graph holding one version of a record."""
    return f"{doc_iri(model, iri)}/version/{number}"


def history_iri(model: Model, iri: str) -> str:
    """The graph holding a record's history: each version, who made it, when and why."""
    return f"{doc_iri(model, iri)}/history"


def state_graph(model: Model) -> str:
    """The named graph that says when the registry last changed, and by which change."""
    return f"{model.base.iri}/catalogue/state"


def claims_graph(model: Model) -> str:
    """The named graph where writers sharing a store claim the records they are about to change."""
    return f"{model.base.iri}/catalogue/claims"
