"""What `ldr harvest`, the sources' pages and the queue all call: register a source, run one
(and keep its log), check an address or a file without writing, and find the sources due."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from registry.harvest.log import last_run, previous_missing, record_run
from registry.harvest.sources import APPROVED, registered_sources
from registry.harvest.sync import RunReport, run_harvest
from registry.rdf.namespaces import REG, VOCABULARY
from registry.records.registration import WriteResult, submit
from registry.records.versions import Agent, is_registered
from registry.store import Store
from registry.vocab.model import Model

KINDS = ("publiccode", "dcat", "api-catalogue", "api-list")
SCHEDULES = {"manual": None, "daily": 1, "weekly": 7}


def harvest(
    store: Store,
    model: Model,
    settings: Mapping[str, Any],
    source: str,
    *,
    dry_run: bool = False,
    data: bytes | None = None,
) -> RunReport:
    """Run the source now (or, with `dry_run`, say what a run would do, writing nothing) and
    keep the run's log."""
    report = run_harvest(
        store,
        model,
        settings,
        source,
        dry_run=dry_run,
        data=data,
        previous_missing=previous_missing(store, model, source),
    )
    if not dry_run and is_registered(store, model, source):  # no log for a source not there
        record_run(store, model, report)
    return report


def source_graph(
    model: Model,
    reference: str,
    *,
    title: str,
    kind: str,
    address: str,
    schedule: str,
    licence: str,
    owner: str,
    withdraw_after: int | None = None,
    description: str = "",
) -> Graph:
    """A harvest source's description, as the sources register's form would write it."""
    iri = URIRef(model.base.item("sources", reference))
    ldr = model.base.ldr
    graph = Graph()
    graph.add((iri, RDF.type, ldr.HarvestSource))
    graph.add((iri, DCTERMS.title, Literal(title, lang="en")))
    if description:
        graph.add((iri, DCTERMS.description, Literal(description, lang="en")))
    graph.add((iri, ldr.harvestKind, URIRef(f"{VOCABULARY}harvest-kind/{kind}")))
    graph.add((iri, DCAT.accessURL, URIRef(address)))
    graph.add((iri, ldr.schedule, URIRef(f"{VOCABULARY}harvest-schedule/{schedule}")))
    graph.add((iri, DCTERMS.license, URIRef(licence)))
    graph.add((iri, DCTERMS.publisher, URIRef(owner)))
    graph.add((iri, DCTERMS.source, URIRef(address)))
    if withdraw_after is not None:
        graph.add((iri, ldr.withdrawAfter, Literal(withdraw_after, datatype=XSD.integer)))
    graph.add((iri, REG.status, REG.statusSubmitted))
    return graph


def add_source(store: Store, model: Model, agent: Agent | None, graph: Graph) -> WriteResult:
    """Register a harvest source (status submitted: a steward approves it before it runs), by
    the same path as any submission."""
    return submit(store, model, graph, agent, register="sources", note="Harvest source registered")


def due(store: Store, model: Model, now: datetime.datetime | None = None) -> list[str]:
    """The approved sources whose schedule says they should run now: never run, or last run
    (started) a day or a week ago, give or take an hour."""
    now = now or datetime.datetime.now(datetime.UTC)
    from registry.harvest.sources import read_source

    found = []
    for iri in registered_sources(store, model):
        source = read_source(store, model, iri)
        days = SCHEDULES.get(source.schedule)
        if days is None or source.status not in APPROVED:
            continue
        last = last_run(store, model, iri)
        if last is None:
            found.append(iri)
            continue
        started = datetime.datetime.fromisoformat(last["started"])
        if now - started >= datetime.timedelta(days=days) - datetime.timedelta(hours=1):
            found.append(iri)
    return found
