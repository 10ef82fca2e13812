"""The record-events spine (registry.store.events): each committed change publishes one event per
record that changed, to every subscriber, whichever way the change was made; a subscriber that
fails does not fail the write or starve the others; and what the web app keeps in step with the
records (its search listing and its SPARQL answers) follows a write made by any route."""

from __future__ import annotations

import logging

from rdflib import Graph

from registry.rdf.namespaces import REG
from registry.records import registration
from registry.records.versions import Agent
from registry.store.events import RecordEvent
from tests.conftest import BASE, close_app, make_app
from tests.test_registration import exemplar

LEEDS = f"{BASE}/id/organisations/leeds-city-council"
PUBLISHER = Agent("amy", LEEDS, "publisher")
STEWARD = Agent("sam", f"{BASE}/id/organisations/government-digital-service", "steward")


def test_each_committed_change_publishes_one_event_per_record(store, model):
    seen: list[list[RecordEvent]] = []
    store.events.subscribe("a test", seen.append)
    iri = f"{BASE}/id/exemplars/evented"
    registration.submit(
        store,
        model,
        Graph().parse(data=exemplar(ref="evented", title="Evented"), format="turtle"),
        PUBLISHER,
        register="exemplars",
        note="first",
    )
    registration.revise(
        store,
        model,
        iri,
        Graph().parse(data=exemplar(ref="evented", title="Evented, renamed"), format="turtle"),
        PUBLISHER,
        expected_version=1,
    )
    # the same description again is no change: no version, so no event
    registration.revise(
        store,
        model,
        iri,
        Graph().parse(data=exemplar(ref="evented", title="Evented, renamed"), format="turtle"),
        PUBLISHER,
        expected_version=2,
    )
    registration.change_status(store, model, iri, "stable", STEWARD, note="looks right")
    assert [len(batch) for batch in seen] == [1, 1, 1]
    first, second, third = (batch[0] for batch in seen)
    assert (
        first.record,
        first.version,
        first.activity,
        first.agent,
        first.organisation,
        first.note,
    ) == (iri, 1, "Submission", "amy", LEEDS, "first")
    assert first.status == str(REG.statusSubmitted) and first.at.startswith("20")
    assert (second.version, second.activity) == (2, "Revision")
    assert (third.version, third.activity, third.agent, third.status, third.note) == (
        3,
        "StatusChange",
        "sam",
        str(REG.statusStable),
        "looks right",
    )


def test_a_batch_of_records_is_one_publication_with_an_event_for_each(store, model):
    seen: list[list[RecordEvent]] = []
    store.events.subscribe("a test", seen.append)
    graph = Graph().parse(
        data=exemplar(ref="batch-one", title="Batch one")
        + exemplar(ref="batch-two", title="Batch two"),
        format="turtle",
    )
    registration.submit(store, model, graph, PUBLISHER, register="exemplars")
    assert len(seen) == 1
    assert sorted(event.record for event in seen[0]) == [
        f"{BASE}/id/exemplars/batch-one",
        f"{BASE}/id/exemplars/batch-two",
    ]


def test_a_failing_subscriber_is_logged_and_neither_fails_the_write_nor_stops_the_others(
    store, model, caplog
):
    def broken(events):
        raise OSError("no space left on device")

    after: list[list[RecordEvent]] = []
    store.events.subscribe("a broken feed", broken)
    store.events.subscribe("a test", after.append)
    with caplog.at_level(logging.ERROR, logger="ldr"):
        result = registration.submit(
            store,
            model,
            Graph().parse(data=exemplar(ref="survives", title="Survives"), format="turtle"),
            PUBLISHER,
            register="exemplars",
        )
    assert result.versions == {f"{BASE}/id/exemplars/survives": 1}
    assert [event.record for batch in after for event in batch] == [f"{BASE}/id/exemplars/survives"]
    assert any(
        "a broken feed failed after a committed change" in r.getMessage() for r in caplog.records
    )


def test_the_web_app_follows_a_write_by_any_route_in_its_listing_and_sparql_answers(
    tmp_path_factory, starter_store_dir
):
    """The app subscribes its search listing and its SPARQL answers once; a record submitted
    through the API is found by both straight after (no route calls a refresh of its own)."""
    app = make_app(tmp_path_factory, starter_store_dir, "events")
    try:
        assert app.extensions["ldr.registry"].store.events.subscribers() == [
            "the SPARQL answers",
            "the search index",
        ]
        client = app.test_client()
        # two patterns and a filter: answered by the query workers from a snapshot of the store,
        # not looked up in the live store by the web process
        query = (
            "ASK { ?s <http://purl.org/dc/terms/title> ?t ; <http://purl.org/linked-data/registry#status> ?st "
            "FILTER(STR(?t) = 'Followed everywhere') }"
        )
        assert (
            client.get(
                "/sparql",
                query_string={"query": query},
                headers={"Accept": "application/sparql-results+json"},
            ).json["boolean"]
            is False
        )
        token = app.extensions["ldr.registry"].accounts.create_token("events", LEEDS, "publisher")[
            1
        ]
        made = client.post(
            "/exemplars",
            data=exemplar(ref="followed", title="Followed everywhere"),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "text/turtle"},
        )
        assert made.status_code == 201, made.data[:300]
        assert (
            client.get(
                "/sparql",
                query_string={"query": query},
                headers={"Accept": "application/sparql-results+json"},
            ).json["boolean"]
            is True
        )
        assert "Followed everywhere" in client.get("/exemplars?q=followed").data.decode()
    finally:
        close_app(app)
