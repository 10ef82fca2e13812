"""Reading RDF files, validating them as one bundle, and writing their records atomically.

One function per behaviour, called by the CLI and (later) by HTTP routes alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef

from registry.rdf.identifiers import sparql_iri
from registry.rdf.namespaces import REG
from registry.rdf.rdfio import InputError, format_for_path, parse, read_limited
from registry.records.findings import Report
from registry.records.split import split_records
from registry.records.validation import validate_graph
from registry.records.versions import (
    COMMAND_LINE,
    WRITE_LOCK,
    Agent,
    commit,
    current_versions,
    publish_vocabulary,
)
from registry.store import Store
from registry.vocab.model import DATA_DIR, Model

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


@dataclass
class Outcome:
    """What a validate or load did: the report, the records, and whether they were written."""

    report: Report
    records: dict[str, Graph] = field(default_factory=dict)
    written: bool = False
    input_errors: list[InputError] = field(default_factory=list)
    #: records already registered, left as they are (`ldr init` on a store that has them)
    kept: list[str] = field(default_factory=list)
    #: records described exactly as they already were: written, they got no new version
    unchanged: list[str] = field(default_factory=list)


def read_files(
    paths: Iterable[str | Path], model: Model, max_bytes: int, progress: Progress = _quiet
) -> tuple[Graph, list[InputError]]:
    """Parse every file; collect every unreadable one rather than stopping at the first."""
    merged, errors = Graph(), []
    files = [Path(p) for p in paths]
    for number, path in enumerate(files, 1):
        progress(f"reading {path} ({number}/{len(files)})")
        try:
            fmt = format_for_path(path)
            merged += parse(
                read_limited(path, max_bytes),
                fmt,
                model.base.parse_base,
                source=str(path),
                max_bytes=max_bytes,
            )
        except InputError as exc:
            errors.append(exc)
    return merged, errors


def check_graph(
    graph: Graph, model: Model, store: Store | None, progress: Progress = _quiet
) -> Outcome:
    progress(f"validating {len(graph):,} statements")
    records, report = validate_graph(graph, model, store)
    return Outcome(report=report, records=records)


def write_records(
    store: Store,
    model: Model,
    records: dict[str, Graph],
    agent: Agent = COMMAND_LINE,
    note: str = "",
) -> dict[str, int]:
    """Each record's description as its next version, all records in one transaction."""
    existing = current_versions(store, model, list(records))
    new = {i: g for i, g in records.items() if i not in existing}
    changed = {i: g for i, g in records.items() if i in existing}
    with WRITE_LOCK:
        numbers = {}
        if new:
            numbers.update(commit(store, model, new, agent, note=note, activity="Submission"))
        if changed:
            numbers.update(commit(store, model, changed, agent, note=note, activity="Revision"))
        return numbers


def submit_graph(
    graph: Graph,
    model: Model,
    store: Store,
    *,
    dry_run: bool = False,
    progress: Progress = _quiet,
    agent: Agent = COMMAND_LINE,
    note: str = "",
) -> Outcome:
    """Validate a bundle of records and, if nothing is a violation, write all of them."""
    outcome = check_graph(graph, model, store, progress)
    if outcome.report.conforms and not dry_run:
        progress(f"writing {len(outcome.records)} record(s)")
        before = current_versions(store, model, list(outcome.records))
        numbers = write_records(store, model, outcome.records, agent, note)
        outcome.unchanged = sorted(
            iri for iri, number in numbers.items() if before.get(iri) == number
        )
        outcome.written = True
    return outcome


def load_files(
    paths: Iterable[str | Path],
    model: Model,
    store: Store | None,
    max_bytes: int,
    *,
    dry_run: bool = False,
    progress: Progress = _quiet,
) -> Outcome:
    """`ldr validate` (dry_run) and `ldr load`: nothing is written unless every file is
    readable and every record conforms."""
    paths = list(paths)
    graph, errors = read_files(paths, model, max_bytes, progress)
    if errors:
        return Outcome(report=Report(), input_errors=errors)
    as_submitted(graph, model, store)
    if store is None or dry_run:
        outcome = check_graph(graph, model, store, progress)
        return outcome
    names = ", ".join(Path(p).name for p in paths)
    return submit_graph(
        graph, model, store, progress=progress, note=f"Loaded with `ldr load` from {names}"
    )


def as_submitted(graph: Graph, model: Model, store: Store | None) -> None:
    """Give each new record that states no registration status the one submission gives it
    (submitted), so that `ldr validate` and `ldr load` do not demand what the registry sets."""
    records, _ = split_records(graph, model)
    registered = (
        current_versions(store, model, list(records)) if store is not None and records else {}
    )
    for iri in records:
        if iri not in registered and graph.value(URIRef(iri), REG.status) is None:
            graph.add((URIRef(iri), REG.status, REG.statusSubmitted))


def starter_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.ttl"))


def init_store(
    store: Store, model: Model, max_bytes: int, progress: Progress = _quiet, operator: str = ""
) -> Outcome:
    """Load the ontology, schemes, registers and shapes, then the starter records in data/ that
    are not registered yet (those that are keep their history and their steward's decisions).

    With `operator` (the reference of the registered organisation that runs this registry), the
    registry's own record shapes are registered as a standard that organisation publishes."""
    progress("loading the vocabulary and shapes")
    publish_vocabulary(store, model)
    graph, errors = read_files(starter_files(), model, max_bytes, progress)
    if errors:
        return Outcome(report=Report(), input_errors=errors)
    if operator:
        graph += own_shapes_standard(model, operator)
    outcome = check_graph(graph, model, store, progress)
    if not outcome.report.conforms:
        return outcome
    # A record already registered is the registry's now: stewards may have retired it, publishers
    # revised it. Writing data/'s description over it again would undo that.
    outcome.kept = sorted(current_versions(store, model, list(outcome.records)))
    new = {iri: g for iri, g in outcome.records.items() if iri not in outcome.kept}
    progress(
        f"writing {len(new)} record(s); {len(outcome.kept)} already registered left as they are"
    )
    write_records(store, model, new, note="Starter data loaded by `ldr init`")
    outcome.written = True
    return outcome


def own_shapes_standard(model: Model, operator: str) -> Graph:
    """The registry's record shapes as a standard, with the shapes as its validation resource (PROF),
    so suppliers can check RDF data against them like any other standard."""
    base = model.base.iri
    return Graph().parse(
        format="turtle",
        data=f"""
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix prof: <http://www.w3.org/ns/dx/prof/> .
@prefix reg: <http://purl.org/linked-data/registry#> .
@prefix ldr: {sparql_iri(model.base.ldr)} .
<{base}/id/standards/registry-record-shapes> a dcterms:Standard ;
    dcterms:title "Local Digital Registry record shapes"@en ;
    dcterms:description "The SHACL shapes every record in this registry meets: what a project, platform, standard, agreement, product or organisation must and should say. Check your own records against them before you submit."@en ;
    dcterms:publisher <{base}/id/organisations/{operator}> ;
    ldr:specification <{model.base.shapes_graph}> ;
    dcat:landingPage <{base}/def/> ;
    prof:hasResource [ a prof:ResourceDescriptor ; prof:hasRole <http://www.w3.org/ns/dx/prof/role/validation> ;
        prof:hasArtifact <{model.base.shapes_graph}> ;
        dcterms:format <https://www.iana.org/assignments/media-types/text/turtle> ] ;
    dcterms:source <{model.base.shapes_graph}> ;
    reg:status reg:statusStable .
""",
    )
