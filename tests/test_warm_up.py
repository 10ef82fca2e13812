"""What a server does as it starts so that the first submission is not the slow one."""

from __future__ import annotations

import registry.records.warm_up as warm
from registry.records.warm_up import warm_up
from tests.conftest import app_over, close_app


def count_quads(store) -> int:
    return int(store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")[0]["n"])


def test_warming_up_validates_a_record_of_every_register_that_has_one_and_writes_nothing(
    store, model
):
    before = count_quads(store)
    validated = warm_up(store, model)
    registers = [iri.split("/id/", 1)[1].split("/", 1)[0] for iri in validated]
    # the starter data has records in every register but products (no product is sourced yet)
    assert sorted(registers) == [
        "agreements",
        "exemplars",
        "organisations",
        "platforms",
        "standards",
    ]
    assert count_quads(store) == before


def test_warming_up_with_the_search_index_looks_for_similar_records_and_still_writes_nothing(
    store_dir, monkeypatch
):
    looked_for = []
    real = warm.similar_records
    monkeypatch.setattr(
        warm,
        "similar_records",
        lambda store, model, register, records, index: (
            looked_for.append(register) or real(store, model, register, records, index)
        ),
    )
    app = app_over(store_dir)
    try:
        store, model = app.extensions["ldr.registry"].store, app.extensions["ldr.registry"].model
        before = count_quads(store)
        validated = warm.warm_up(store, model, app.extensions["ldr.registry"].index)
        assert sorted(looked_for) == sorted(
            iri.split("/id/", 1)[1].split("/", 1)[0] for iri in validated
        )
        assert len(validated) == 5 and count_quads(store) == before
    finally:
        close_app(app)
