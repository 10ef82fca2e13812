"""Moving a store made before the vocabulary had one namespace.

Until then every deployment named its vocabulary under its own base ({LDR_BASE}/def/ldr#, ...);
now it is namespaces.VOCABULARY everywhere (docs/vocabulary.md). A store made before says so
(`old_vocabulary_problem`), and `ldr migrate-vocabulary` moves it (`migrate_vocabulary`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from registry.rdf.identifiers import sparql_iri, sparql_literal
from registry.rdf.namespaces import VOCABULARY, Base
from registry.store import Store

if TYPE_CHECKING:
    from rdflib import Literal

    from registry.vocab.model import Model

COMMAND = "ldr migrate-vocabulary"


def old_vocabulary_problem(store: Store, base_iri: str, where: str) -> str:
    """What to do about a store that still names the vocabulary under the base, or "" if it does not.
    Looks only for the old ontology and shapes graphs, which every `ldr init` wrote: cheap at start-up."""
    old = Base(base_iri).old_vocabulary
    found = store.ask(
        "ASK { "
        + " UNION ".join(
            f"{{ GRAPH {sparql_iri(old + name)} {{ ?s ?p ?o }} }}" for name in ("ldr", "shapes")
        )
        + " }"
    )
    if not found:
        return ""
    return (
        f"the store {where} was made before the registry's vocabulary had one namespace: it names the "
        f"vocabulary under {old} (this deployment's LDR_BASE), where every registry now names it under "
        f"{VOCABULARY}. Move it with `{COMMAND} --store {where}` (with the server stopped), then run this "
        "command again. See docs/vocabulary.md."
    )


def _moved(variable: str, old: str) -> str:
    """SPARQL for the term in `variable` with the old namespace swapped for the new one. The old
    root itself ({base}/def/, the deployment's vocabulary page) is a web page, not a term: kept."""
    old_text = sparql_literal(old)
    return (
        f"IF(isIRI(?{variable}) && STRSTARTS(STR(?{variable}), {old_text}) && STR(?{variable}) != {old_text}, "
        f"IRI(CONCAT({sparql_literal(VOCABULARY)}, STRAFTER(STR(?{variable}), {old_text}))), ?{variable})"
    )


def _rewrite(old: str) -> tuple[str, str]:
    """(the number of statements to move, as a SELECT; the SPARQL Update that moves them)."""
    names = ("g", "s", "p", "o")
    binds = " ".join(f"BIND({_moved(v, old)} AS ?{v}2)" for v in names)
    changed = " || ".join(f"!sameTerm(?{v}, ?{v}2)" for v in names)
    where = f"GRAPH ?g {{ ?s ?p ?o }} {binds} FILTER({changed})"
    default_binds = " ".join(f"BIND({_moved(v, old)} AS ?{v}2)" for v in names[1:])
    default_changed = " || ".join(f"!sameTerm(?{v}, ?{v}2)" for v in names[1:])
    count = (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ {where} }} UNION "
        f"{{ ?s ?p ?o {default_binds} FILTER({default_changed}) }} }}"
    )
    update = (
        f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} INSERT {{ GRAPH ?g2 {{ ?s2 ?p2 ?o2 }} }} WHERE {{ {where} }} ;\n"
        # the default graph: the current records and the vocabulary, side by side
        f"DELETE {{ ?s ?p ?o }} INSERT {{ ?s2 ?p2 ?o2 }} WHERE {{ ?s ?p ?o {default_binds} FILTER({default_changed}) }}"
    )
    return count, update


@dataclass
class Migration:
    moved: int  # statements whose old-namespace IRIs were rewritten
    indexed: int = 0  # records in the rebuilt search index


def migrate_vocabulary(store: Store, model: Model, settings: Mapping) -> Migration:
    """Rewrite every IRI under the old namespace ({base}/def/...) to the vocabulary's own (in
    subjects, predicates, objects and graph names) and publish the current vocabulary, in one
    SPARQL Update (one transaction: all of it or nothing); then rebuild the search index.
    On a store that has nothing to move it changes nothing."""
    from registry.records.versions import vocabulary_update
    from registry.search.index import index_for

    count, update = _rewrite(model.base.old_vocabulary)
    moved = int(cast("Literal", store.select(count)[0]["n"]))  # a COUNT: an integer literal
    if not moved:
        return Migration(moved=0)
    store.update(update + " ;\n" + vocabulary_update(model))
    index = index_for(settings, fresh=True)
    try:
        indexed = index.rebuild(store, model)
    finally:
        index.close()
    return Migration(moved=moved, indexed=indexed)
