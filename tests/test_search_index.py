"""The search index catching up with writes it did not see (another process, another machine)."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

import registry.search.sqlite_fts as search_index
from registry.accounts.users import Agent
from registry.bulk import loader
from registry.rdf.namespaces import VOCABULARY
from registry.records import versions
from registry.records.registration import submit
from registry.search.sqlite_fts import SqliteSearchIndex as SearchIndex
from tests.conftest import BASE
from tests.test_registration import exemplar

CONTENTS = (
    "SELECT iri, register, title, status, modified FROM records ORDER BY iri",
    "SELECT r.iri, f.facet, f.key FROM facets f JOIN records r ON r.rowid = f.rid ORDER BY 1, 2, 3",
    "SELECT * FROM facet_totals ORDER BY 1, 2, 3",
)


def contents(index: SearchIndex) -> list:
    return [index._db.execute(sql).fetchall() for sql in CONTENTS]


@pytest.mark.parametrize("share,rebuilds", [(search_index.REBUILD_SHARE, True), (0, False)])
def test_an_index_catches_up_record_by_record_or_by_a_rebuild_when_most_records_changed(
    store, model, tmp_path, monkeypatch, share, rebuilds
):
    """Re-indexing many records one by one is slower than a rebuild (measured at 5M triples), so
    a catch-up that finds most of the registry changed rebuilds; either way the index ends up as
    a rebuild from scratch makes it."""
    index = SearchIndex(tmp_path / "index.sqlite")
    index.rebuild(store, model)
    publisher = Agent("amy", f"{BASE}/id/organisations/leeds-city-council", "publisher")
    # written with no index listening, as another process would; the index saw the registry long ago
    submit(store, model, Graph().parse(data=exemplar(), format="turtle"), publisher)
    index._remember("urn:uuid:an-old-change", "2020-01-01T00:00:00Z")
    assert index.listing("exemplars", {}, query="mould")[1] == 0
    monkeypatch.setattr(search_index, "REBUILD_SHARE", share)
    rebuilt = []
    real = SearchIndex.rebuild
    monkeypatch.setattr(
        SearchIndex, "rebuild", lambda self, st, m: rebuilt.append(True) or real(self, st, m)
    )
    index.catch_up(store, model)
    assert index.listing("exemplars", {}, query="mould")[1] == 1
    assert bool(rebuilt) is rebuilds
    fresh = SearchIndex(tmp_path / "fresh.sqlite")
    real(fresh, store, model)
    assert contents(index) == contents(fresh)
    fresh.close()
    index.close()


def test_exemplars_follow_the_region_of_the_councils_that_lead_or_partner_them(
    store, model, tmp_path
):
    """An exemplar's region and council type facets are those of its lead and partner councils,
    so a change to a council re-indexes the exemplars it leads or partners (issue 25, point 12)."""
    index = SearchIndex(tmp_path / "index.sqlite")
    index.rebuild(store, model)
    store.events.subscribe(
        "the search index", lambda events: index.update(store, model, [e.record for e in events])
    )
    ripa = f"{BASE}/id/exemplars/reducing-invalid-planning-applications"

    def in_wales() -> set[str]:
        return {
            hit.iri for hit in index.listing("exemplars", {"region": ["wales"]}, per_page=100)[0]
        }

    assert ripa not in in_wales()
    # Lambeth leads RIPA; moved (in this test only) to Wales, RIPA is found among Welsh exemplars
    lambeth = f"{BASE}/id/organisations/london-borough-of-lambeth"
    graph = versions.current_record(store, model, lambeth)
    graph.set(
        (URIRef(lambeth), URIRef(f"{model.base.ldr}region"), URIRef(f"{VOCABULARY}region/wales"))
    )
    loader.write_records(store, model, {lambeth: graph})
    assert ripa in in_wales()
    index.close()
