"""Where everything lives in the store: the IRI of every named graph the registry writes.

A record's current description is in its document graph (/doc/{register}/{reference}); each
version in a graph of its own (…/version/{n}); its history (versions, who, when, why) in …/history.
The registry's own state (its latest change) and the claims writers sharing a server make on
records are in graphs under /catalogue/. Every reader of when a record last changed uses
last_changed, so how versions are stored is known here and in records/versions.py, which
writes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotations only: `ldr restore` reads these names without rdflib
    from registry.vocab.model import Model

#: A record's history graph names its current version (version:currentVersion), and each version
#: when it was made (prov:generatedAtTime).
CURRENT_VERSION = "http://purl.org/linked-data/version#currentVersion"
GENERATED_AT = "http://www.w3.org/ns/prov#generatedAtTime"
#: The only triples outside the default graph that say when records last changed.
LAST_CHANGED_PREDICATES = (CURRENT_VERSION, GENERATED_AT)


def last_changed(record: str = "?s", when: str = "?modified") -> str:
    """A SPARQL graph pattern that binds each record (a variable or an IRI in <>) to when its
    current version was made: what listings sort by and catching up and reports read."""
    return (
        f"GRAPH ?history_ {{ {record} <{CURRENT_VERSION}> ?current_ . "
        f"?current_ <{GENERATED_AT}> {when} }}"
    )


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


def harvest_log(model: Model, source: str) -> str:
    """The graph holding a harvest source's runs: one ldr:HarvestRun each, with its report."""
    return f"{doc_iri(model, source)}/harvest-log"
