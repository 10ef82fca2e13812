"""Each harvest run's log, kept in the store beside its source (store/layout.harvest_log): one
ldr:HarvestRun (a prov:Activity) with when it started and ended, how many records it created,
updated, left unchanged, withdrew, reinstated or could not use, and the whole report as JSON.
Kept in the store, not a local file, so every web machine sharing a store shares the logs, and
SPARQL can ask which sources are failing."""

from __future__ import annotations

import json
import uuid

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, XSD

from registry.harvest.sync import RunReport
from registry.rdf.identifiers import sparql_iri
from registry.store import Store
from registry.store.base import nt_lines
from registry.store.layout import harvest_log
from registry.vocab.model import Model

RDF_JSON = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON")
#: Runs kept per source: older ones are removed as new ones are written.
KEPT = 100


def record_run(store: Store, model: Model, report: RunReport) -> str:
    """Keep the run's report; the IRI of the run."""
    ldr = model.base.ldr
    graph_name = harvest_log(model, report.source)
    run = URIRef(f"{graph_name}/{report.started[:19].replace(':', '')}-{uuid.uuid4().hex[:6]}")
    graph = Graph()
    graph.add((run, RDF.type, ldr.HarvestRun))
    graph.add((run, RDF.type, PROV.Activity))
    graph.add((run, PROV.used, URIRef(report.source)))
    graph.add((run, PROV.startedAtTime, Literal(report.started, datatype=XSD.dateTime)))
    graph.add((run, PROV.endedAtTime, Literal(report.finished, datatype=XSD.dateTime)))
    graph.add((run, ldr.runReport, Literal(json.dumps(report.as_json()), datatype=RDF_JSON)))
    store.update(f"INSERT DATA {{ GRAPH {sparql_iri(graph_name)} {{\n{nt_lines(graph)}\n}} }}")
    _forget_old(store, model, report.source)
    return str(run)


def _forget_old(store: Store, model: Model, source: str) -> None:
    name = sparql_iri(harvest_log(model, source))
    rows = store.select(
        f"SELECT ?run WHERE {{ GRAPH {name} {{ ?run {sparql_iri(PROV.startedAtTime)} ?t }} }} "
        f"ORDER BY DESC(?t) OFFSET {KEPT}"
    )
    for row in rows:
        store.update(f"DELETE WHERE {{ GRAPH {name} {{ {sparql_iri(str(row['run']))} ?p ?o }} }}")


def runs(store: Store, model: Model, source: str, limit: int = 20) -> list[dict]:
    """The source's latest runs' reports, newest first."""
    name = sparql_iri(harvest_log(model, source))
    rows = store.select(
        f"SELECT ?run ?report ?t WHERE {{ GRAPH {name} {{ ?run "
        f"{sparql_iri(model.base.ldr.runReport)} ?report ; {sparql_iri(PROV.startedAtTime)} ?t "
        f"}} }} ORDER BY DESC(?t) LIMIT {int(limit)}"
    )
    found = []
    for row in rows:
        report = json.loads(str(row["report"]))
        report["run"] = str(row["run"])
        found.append(report)
    return found


def previous_missing(store: Store, model: Model, source: str):
    """For the sync: what the last n completed runs (not dry runs, not failed) found missing."""

    def missing(n: int) -> list[list[str]]:
        if n <= 0:
            return []
        done = [r for r in runs(store, model, source, 4 * n + 10) if not r["dry_run"]]
        done = [r for r in done if not r["error"]]
        return [r["missing"] for r in done[:n]]

    return missing


def last_run(store: Store, model: Model, source: str) -> dict | None:
    found = runs(store, model, source, 1)
    return found[0] if found else None
