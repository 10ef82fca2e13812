"""The embedded store: a real on-disk pyoxigraph store behind the narrow interface."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef

from registry.store import EmbeddedStore, StoreError


def one_triple(s: str, o) -> Graph:
    graph = Graph()
    graph.add((URIRef(s), URIRef("http://purl.org/dc/terms/title"), o))
    return graph


def test_replace_graphs_replaces_each_graph(tmp_path):
    store = EmbeddedStore(tmp_path / "s", create=True)
    store.replace_graphs({"http://g/1": one_triple("http://x/1", Literal("old"))})
    store.replace_graphs({"http://g/1": one_triple("http://x/1", Literal("new"))})
    rows = store.select("SELECT ?o WHERE { GRAPH <http://g/1> { ?s ?p ?o } }")
    assert [str(r["o"]) for r in rows] == ["new"]
    store.close()


def test_replace_graphs_is_one_transaction(tmp_path):
    """If one graph cannot be written, none of them is."""
    store = EmbeddedStore(tmp_path / "s", create=True)
    store.replace_graphs({"http://g/keep": one_triple("http://x/keep", Literal("kept"))})
    bad = one_triple("http://x/2 has spaces", Literal("x"))  # not an IRI the store accepts
    with pytest.raises(StoreError, match="nothing was changed"):
        store.replace_graphs(
            {"http://g/keep": one_triple("http://x/keep", Literal("changed")), "http://g/2": bad}
        )
    rows = store.select("SELECT ?g ?o WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert [(str(r["g"]), str(r["o"])) for r in rows] == [("http://g/keep", "kept")]
    store.close()


def test_a_failed_update_in_the_store_changes_nothing(tmp_path):
    store = EmbeddedStore(tmp_path / "s", create=True)
    store.replace_graphs({"http://g/keep": one_triple("http://x/keep", Literal("kept"))})
    # The first operation succeeds, the second fails at run time: the first must be undone.
    with pytest.raises(RuntimeError, match="does not exist"):
        store._store.update("DROP GRAPH <http://g/keep> ; DROP GRAPH <http://g/absent>")
    assert store.ask('ASK { GRAPH <http://g/keep> { ?s ?p "kept" } }')
    store.close()


def test_data_survives_reopening(tmp_path):
    path = tmp_path / "s"
    store = EmbeddedStore(path, create=True)
    store.replace_graphs({"http://g/1": one_triple("http://x/1", Literal("persisted"))})
    store.close()
    again = EmbeddedStore(path)
    assert again.ask('ASK { GRAPH <http://g/1> { ?s ?p "persisted" } }')
    again.close()


def test_opening_a_missing_store_says_how_to_create_it(tmp_path):
    with pytest.raises(StoreError, match="ldr init --store"):
        EmbeddedStore(tmp_path / "absent")


def test_a_store_in_use_by_another_process_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "s"
    first = EmbeddedStore(path, create=True)
    try:
        with pytest.raises(StoreError, match="one process at a time"):
            EmbeddedStore(path)
    finally:
        first.close()
