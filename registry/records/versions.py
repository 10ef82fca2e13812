"""Versions: every accepted change is a new version, kept with who made it, when and why.

Layout in the store (docs/architecture.md):
- the default graph holds the current description of every record (and the vocabulary),
  which is what SPARQL queries see;
- `{doc}` (the record's document IRI) is a named graph with the current description;
- `{doc}/version/{n}` is a named graph with version n, kept for ever;
- `{doc}/history` is a named graph with the provenance of every version (PROV-O).
A change is one SPARQL Update request, which the store applies atomically.
"""

from __future__ import annotations

import datetime
import decimal
import logging
import random
import threading
import time
import uuid
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD

from registry.rdf.identifiers import sparql_iri, sparql_literal
from registry.rdf.namespaces import REG
from registry.store import Store
from registry.store.base import StoreError, nt_lines
from registry.store.events import RecordEvent
from registry.store.layout import (
    CURRENT_VERSION,
    claims_graph,
    doc_iri,
    history_iri,
    state_graph,
    version_iri,
)
from registry.vocab.model import Model

CURRENT = URIRef(CURRENT_VERSION)

#: One lock per process: reading the current version and writing the next happen together.
WRITE_LOCK = threading.RLock()
#: A claim older than this is a writer that died holding it, and is ignored.
CLAIM_EXPIRES = 60.0
#: How long a writer waits for another to finish with the same records.
CLAIM_WAIT = 10.0


#: one line for every write, saying who did what (the served registry logs it; docs/deployment.md)
AUDIT = logging.getLogger("ldr.audit")


@dataclass(frozen=True)
class Agent:
    """Who acts: a user, the organisation they act for, and their role."""

    username: str
    organisation: str | None
    role: str


COMMAND_LINE = Agent("ldr-command-line", None, "admin")


class VersionConflict(Exception):
    """The record changed since the client read it (If-Match did not match)."""

    def __init__(self, iri: str, expected: int, current: int):
        self.iri, self.expected, self.current = iri, expected, current
        super().__init__(f"{iri} is at version {current}, not {expected}")


def current_versions(store: Store, model: Model, iris: list[str]) -> dict[str, int]:
    """The current version number of each record (records not registered are absent)."""
    found: dict[str, int] = {}
    for start in range(0, len(iris), 500):
        chunk = iris[start : start + 500]
        values = " ".join(f"({sparql_iri(i)} {sparql_iri(history_iri(model, i))})" for i in chunk)
        rows = store.select(
            f"SELECT ?item ?n WHERE {{ VALUES (?item ?h) {{ {values} }} GRAPH ?h {{ ?item {sparql_iri(CURRENT)} ?v . "
            f"?v <{model.base.ldr}versionNumber> ?n }} }}"
        )
        for row in rows:
            found[str(row["item"])] = int(cast(Literal, row["n"]))  # a version number
    return found


def _agent_node(graph: Graph, agent: Agent, model: Model) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, PROV.Agent))
    graph.add((node, model.base.ldr.username, Literal(agent.username)))
    if agent.organisation:
        graph.add((node, PROV.actedOnBehalfOf, URIRef(agent.organisation)))
    return node


def last_change(store: Store, model: Model) -> tuple[str, str]:
    """The IRI and time of the registry's latest change ("" and "" before the first): the same
    for every process reading the store, so caches and indexes can tell whether they are behind."""
    rows = store.select(
        f"SELECT ?c ?t WHERE {{ GRAPH {sparql_iri(state_graph(model))} {{ <{model.base.iri}/catalogue> "
        f"<{model.base.ldr}lastChange> ?c ; {sparql_iri(DCTERMS.modified)} ?t }} }}"
    )
    return (str(rows[0]["c"]), str(rows[0]["t"])) if rows else ("", "")


def commit(
    store: Store,
    model: Model,
    changes: Mapping[str, Graph],
    agent: Agent,
    *,
    note: str,
    activity: str,
    expected: Mapping[str, int] | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, int]:
    """Write each record's new description as its next version, all in one transaction.

    `activity` is "Submission", "Revision" or "StatusChange". `expected` maps records to the
    version the writer read (If-Match); if any record has moved on, nothing is written and
    VersionConflict is raised. Returns the new version number of each record; a record described
    exactly as it already is gets no new version (and keeps its number), so a write that changes
    nothing writes nothing.

    The check is made by the store, in the same request as the write: the update's first
    operation marks the change only if every record is still at the version read, and every
    later operation applies only where that mark is. That is enough on a store that applies
    update requests one at a time — the embedded store, written by one process under
    WRITE_LOCK. A server shared by several processes may not (the oxigraph server gives each
    request "repeatable read": two at the same moment can both see version 1 and both apply),
    so there the records are first claimed (`_claimed`), and two processes (or two web servers)
    writing the same record cannot both succeed.
    """
    if not changes:
        return {}
    with WRITE_LOCK, _claimed(store, model, list(changes)):
        now = now or datetime.datetime.now(datetime.UTC)
        for _attempt in range(3):
            current = current_versions(store, model, list(changes))
            for iri, version in (expected or {}).items():
                if current.get(iri, 0) != version:
                    raise VersionConflict(iri, version, current.get(iri, 0))
            # a record described exactly as it already is gets no new version: it keeps its number
            same = unchanged_records(store, model, changes, current)
            todo = {iri: graph for iri, graph in changes.items() if iri not in same}
            if not todo:
                return {iri: current[iri] for iri in changes}
            numbers, update, proof = _conditional_update(
                model, todo, current, agent, note, activity, now
            )
            store.update(update)
            if store.ask(proof):
                numbers.update({iri: current[iri] for iri in same})
                break
            if expected is not None:  # another process wrote first: the client must re-read
                iri = next(iter(changes))
                raise VersionConflict(
                    iri, expected.get(iri, 0), current_versions(store, model, [iri]).get(iri, 0)
                )
        else:
            raise VersionConflict(next(iter(changes)), -1, -1)
        store.events.publish(
            RecordEvent(
                record=iri,
                version=numbers[iri],
                activity=activity,
                agent=agent.username,
                organisation=agent.organisation or None,
                status=_status_of(todo[iri], iri),
                at=str(_xsd_time(now)),
                note=note,
            )
            for iri in todo
        )
        for iri in todo:
            AUDIT.info(
                "%s of %s (version %d) by %s%s: %s",
                activity,
                iri,
                numbers[iri],
                agent.username,
                f" for {agent.organisation}" if agent.organisation else "",
                note,
            )
        return {iri: numbers[iri] for iri in changes}


def unchanged_records(
    store: Store, model: Model, changes: Mapping[str, Graph], current: Mapping[str, int]
) -> set[str]:
    """The records whose new description is the one they have now (the same statements, blank
    nodes aside): writing them again would make a version in which nothing changed."""
    docs = {doc_iri(model, iri): iri for iri in changes if iri in current}
    now: dict[str, Graph] = {iri: Graph() for iri in docs.values()}
    names = list(docs)
    for start in range(0, len(names), 200):
        values = " ".join(sparql_iri(name) for name in names[start : start + 200])
        for row in store.select(
            f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }}"
        ):
            now[docs[str(row["g"])]].add((row["s"], row["p"], row["o"]))
    return {
        iri
        for iri, graph in now.items()
        if len(graph) == len(changes[iri]) and isomorphic(_by_value(graph), _by_value(changes[iri]))
    }


_NUMBERS = {XSD.decimal, XSD.integer, XSD.double, XSD.float}


def _by_value(graph: Graph) -> Graph:
    """The graph with each number written in one way for its value and type: "98500.0" and
    "98500" (xsd:decimal) are the same amount, so a form that writes one where the store has the
    other changes nothing."""
    same = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype in _NUMBERS and o.value is not None:
            value = o.value
            if o.datatype in (XSD.decimal, XSD.integer):
                text = format(decimal.Decimal(value).normalize(), "f")
            else:
                text = repr(float(value))
            o = Literal(text, datatype=o.datatype)
        same.add((s, p, o))
    return same


def _xsd_time(moment: datetime.datetime) -> Literal:
    """A UTC time as the registry writes it: xsd:dateTime to the millisecond, with Z."""
    return Literal(
        moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"), datatype=XSD.dateTime
    )


@contextmanager
def _claimed(store: Store, model: Model, iris: list[str]):
    """Hold the records for this writer alone among every process writing to a shared store.

    Each writer adds its claim, then reads the claims on those records: it goes on only if its
    own is the only one. Every request sees every change committed before it began, so of two
    writers at least the later one sees the other's claim; when both see both, both withdraw and
    try again after a random pause. No two ever go on together. A claim left by a writer that
    died is ignored after CLAIM_EXPIRES seconds, and removed by the next writer."""
    if not store.shared:
        yield
        return
    graph, ldr = claims_graph(model), model.base.ldr
    claim = f"urn:uuid:{uuid.uuid4()}"
    values = " ".join(f"{sparql_iri(iri)}" for iri in iris)
    held = " ".join(f"{sparql_iri(claim)} <{ldr}claims> {sparql_iri(iri)} ." for iri in iris)
    release = f"DELETE WHERE {{ GRAPH {sparql_iri(graph)} {{ {sparql_iri(claim)} ?p ?o }} }}"
    deadline, pause = time.monotonic() + CLAIM_WAIT, 0.01
    while True:
        now = datetime.datetime.now(datetime.UTC)
        stamp, expired = _xsd_time(now), _xsd_time(now - datetime.timedelta(seconds=CLAIM_EXPIRES))
        store.update(
            f"DELETE {{ GRAPH {sparql_iri(graph)} {{ ?old ?p ?o }} }} WHERE {{ GRAPH {sparql_iri(graph)} {{ "
            f"?old {sparql_iri(DCTERMS.created)} ?at FILTER(?at < {expired.n3()}) ?old ?p ?o }} }} ;\n"
            f"INSERT DATA {{ GRAPH {sparql_iri(graph)} {{ {held} {sparql_iri(claim)} {sparql_iri(DCTERMS.created)} {stamp.n3()} . }} }}"
        )
        others = store.select(f"""SELECT DISTINCT ?other WHERE {{ GRAPH {sparql_iri(graph)} {{
            VALUES ?record {{ {values} }} ?other <{ldr}claims> ?record ; {sparql_iri(DCTERMS.created)} ?at
            FILTER(?other != {sparql_iri(claim)} && ?at > {expired.n3()}) }} }}""")
        if not others:
            break
        store.update(release)
        if time.monotonic() > deadline:
            raise StoreError(
                "another writer has held these records for longer than "
                f"{CLAIM_WAIT:g} s; nothing was changed",
                status=503,
            )
        time.sleep(random.uniform(pause / 2, pause))
        pause = min(pause * 2, 0.5)
    try:
        yield
    finally:
        try:
            store.update(release)
        except StoreError as exc:  # the write's own outcome stands; the claim expires by itself
            logging.getLogger("ldr").warning(
                "could not withdraw the claim %s (it expires in %g s): %s",
                claim,
                CLAIM_EXPIRES,
                exc,
            )


def version_provenance(
    model: Model,
    iri: str,
    number: int,
    description: Graph,
    agent: Agent,
    stamp: Literal,
    activity_node: URIRef,
    activity: str,
    note: str,
) -> Graph:
    """What the history graph says about version `number` of a record (PROV-O)."""
    ldr = model.base.ldr
    provenance = Graph()
    item, ver = URIRef(iri), URIRef(version_iri(model, iri, number))
    who = _agent_node(provenance, agent, model)
    provenance.add((item, CURRENT, ver))
    provenance.add((item, DCTERMS.hasVersion, ver))
    if number == 1:
        provenance.add((item, DCTERMS.created, stamp))
        if agent.organisation:
            provenance.add((item, REG.owner, URIRef(agent.organisation)))
    provenance.add((ver, RDF.type, ldr.RecordVersion))
    provenance.add((ver, DCTERMS.isVersionOf, item))
    provenance.add((ver, ldr.versionNumber, Literal(number)))
    provenance.add((ver, PROV.generatedAtTime, stamp))
    provenance.add((ver, PROV.wasAttributedTo, who))
    provenance.add((ver, PROV.wasGeneratedBy, activity_node))
    provenance.add((ver, SKOS.changeNote, Literal(note or "(no note)", lang="en")))
    if number > 1:
        provenance.add((ver, PROV.wasRevisionOf, URIRef(version_iri(model, iri, number - 1))))
    status = description.value(item, REG.status)
    if status is not None:
        provenance.add((ver, REG.status, status))
    provenance.add((activity_node, RDF.type, ldr[activity]))
    provenance.add((activity_node, PROV.endedAtTime, stamp))
    provenance.add((activity_node, PROV.wasAssociatedWith, who))
    return provenance


def _conditional_update(
    model: Model,
    changes: Mapping[str, Graph],
    current: Mapping[str, int],
    agent: Agent,
    note: str,
    activity: str,
    now: datetime.datetime | None,
):
    """The SPARQL Update that writes the next version of each record if, and only if, each is
    still at the version in `current`; and an ASK that is true once it has been applied."""
    now = now or datetime.datetime.now(datetime.UTC)
    stamp = _xsd_time(now)
    ldr = model.base.ldr
    change = URIRef(f"urn:uuid:{uuid.uuid4()}")
    state, catalogue = state_graph(model), f"{model.base.iri}/catalogue"
    marked = f"GRAPH {sparql_iri(state)} {{ {sparql_iri(change)} a <{ldr}PendingChange> }}"
    guards: list[str] = []
    operations: list[str] = []
    inserts: list[str] = []
    numbers: dict[str, int] = {}
    for position, (iri, description) in enumerate(changes.items()):
        number = current.get(iri, 0) + 1
        numbers[iri] = number
        doc, version, history = (
            doc_iri(model, iri),
            version_iri(model, iri, number),
            history_iri(model, iri),
        )
        if number > 1:
            guards.append(
                f"GRAPH {sparql_iri(history)} {{ {sparql_iri(iri)} {sparql_iri(CURRENT)} {sparql_iri(version_iri(model, iri, number - 1))} }}"
            )
        else:
            guards.append(
                f"FILTER NOT EXISTS {{ GRAPH {sparql_iri(history)} {{ {sparql_iri(iri)} {sparql_iri(CURRENT)} ?v{position} }} }}"
            )
        operations.append(
            f"DELETE {{ ?s ?p ?o }} WHERE {{ {marked} GRAPH {sparql_iri(doc)} {{ ?s ?p ?o }} }}"
        )
        operations.append(
            f"DELETE {{ GRAPH {sparql_iri(history)} {{ {sparql_iri(iri)} {sparql_iri(CURRENT)} ?v }} }} "
            f"WHERE {{ {marked} GRAPH {sparql_iri(history)} {{ {sparql_iri(iri)} {sparql_iri(CURRENT)} ?v }} }}"
        )
        operations.append(
            f"DELETE {{ GRAPH {sparql_iri(doc)} {{ ?s ?p ?o }} }} WHERE {{ {marked} GRAPH {sparql_iri(doc)} {{ ?s ?p ?o }} }}"
        )
        body = nt_lines(description)
        provenance = version_provenance(
            model,
            iri,
            number,
            description,
            agent,
            stamp,
            URIRef(f"{change}-{position}"),
            activity,
            note,
        )
        inserts.append(body)
        inserts.append(f"GRAPH {sparql_iri(doc)} {{\n{body}\n}}")
        inserts.append(f"GRAPH {sparql_iri(version)} {{\n{body}\n}}")
        inserts.append(f"GRAPH {sparql_iri(history)} {{\n" + nt_lines(provenance) + "\n}")
    inserts.append(
        f"GRAPH {sparql_iri(state)} {{ {sparql_iri(catalogue)} <{ldr}lastChange> {sparql_iri(change)} ; "
        f"{sparql_iri(DCTERMS.modified)} {stamp.n3()} }}"
    )
    update = " ;\n".join(
        [f"INSERT {{ {marked} }} WHERE {{ {' '.join(guards)} }}"]
        + operations
        + [
            f"DELETE {{ GRAPH {sparql_iri(state)} {{ {sparql_iri(catalogue)} <{ldr}lastChange> ?c ; {sparql_iri(DCTERMS.modified)} ?m }} }} "
            f"WHERE {{ {marked} GRAPH {sparql_iri(state)} {{ {sparql_iri(catalogue)} <{ldr}lastChange> ?c ; {sparql_iri(DCTERMS.modified)} ?m }} }}",
            "INSERT {\n" + "\n".join(inserts) + f"\n}} WHERE {{ {marked} }}",
            f"DELETE DATA {{ {marked} }}",
        ]
    )
    first = next(iter(changes))
    proof = f"ASK {{ GRAPH {sparql_iri(history_iri(model, first))} {{ ?v {sparql_iri(PROV.wasGeneratedBy)} <{change}-0> }} }}"
    return numbers, update, proof


def _status_of(description: Graph, iri: str) -> str | None:
    status = description.value(URIRef(iri), REG.status)
    return str(status) if status is not None else None


def publish_vocabulary(store: Store, model: Model) -> None:
    """The ontology, schemes and registers (default graph and their own graphs) and the shapes
    (own graph only), replacing what an earlier `ldr init` wrote — in one transaction."""
    store.update(vocabulary_update(model))


def published_vocabulary(store: Store, model: Model) -> str:
    """The fingerprint of the vocabulary files the store last had published ("" if unknown)."""
    rows = store.select(
        f"SELECT ?f WHERE {{ GRAPH {sparql_iri(state_graph(model))} {{ "
        f"<{model.base.iri}/catalogue> <{model.base.ldr}vocabularyFingerprint> ?f }} }}"
    )
    return str(rows[0]["f"]) if rows else ""


def keep_vocabulary_current(store: Store, model: Model) -> bool:
    """Publish the vocabulary files again if they changed since the store last had them (a new
    register, new labels): a served registry answers SPARQL with the vocabulary it shows.
    True if it did."""
    if published_vocabulary(store, model) == model.fingerprint:
        return False
    publish_vocabulary(store, model)
    return True


def vocabulary_update(model: Model) -> str:
    """The SPARQL Update of publish_vocabulary."""
    parts: list[str] = []
    inserts: list[str] = []
    for name, graph in model.ontology_files().items():
        parts.append(f"DELETE {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_iri(name)} {{ ?s ?p ?o }} }}")
        parts.append(f"DROP SILENT GRAPH {sparql_iri(name)}")
        body = nt_lines(graph)
        if name != model.base.shapes_graph:
            inserts.append(body)
        inserts.append(f"GRAPH {sparql_iri(name)} {{\n{body}\n}}")
    state, catalogue = sparql_iri(state_graph(model)), f"<{model.base.iri}/catalogue>"
    parts.append(
        f"DELETE WHERE {{ GRAPH {state} {{ {catalogue} <{model.base.ldr}vocabularyFingerprint> ?f }} }}"
    )
    inserts.append(
        f"GRAPH {state} {{ {catalogue} <{model.base.ldr}vocabularyFingerprint> "
        f"{sparql_literal(model.fingerprint)} }}"
    )
    return " ;\n".join(parts + ["INSERT DATA {\n" + "\n".join(inserts) + "\n}"])


def history(store: Store, model: Model, iri: str) -> list[dict]:
    """Every version of a record, oldest first: number, when, who, for whom, activity, note, status."""
    rows = store.select(f"""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?v ?n ?when ?user ?org ?kind ?note ?status WHERE {{ GRAPH {sparql_iri(history_iri(model, iri))} {{
            ?v <{model.base.ldr}versionNumber> ?n ; prov:generatedAtTime ?when ;
               prov:wasAttributedTo ?agent ; prov:wasGeneratedBy ?activity ;
               {sparql_iri(SKOS.changeNote)} ?note .
            ?agent <{model.base.ldr}username> ?user .
            OPTIONAL {{ ?agent prov:actedOnBehalfOf ?org }}
            ?activity a ?kind .
            OPTIONAL {{ ?v {sparql_iri(REG.status)} ?status }}
        }} }} ORDER BY ?n""")
    return [
        {
            "version": int(cast(Literal, r["n"])),
            "iri": str(r["v"]),
            "at": str(r["when"]),
            "user": str(r["user"]),
            "organisation": str(r["org"]) if "org" in r else None,
            "activity": str(r["kind"]).rsplit("#", 1)[-1],
            "note": str(r["note"]),
            "status": str(r["status"]) if "status" in r else None,
        }
        for r in rows
    ]


def version_graph(store: Store, model: Model, iri: str, number: int) -> Graph:
    return store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_iri(version_iri(model, iri, number))} {{ ?s ?p ?o }} }}"
    )


def version_at(store: Store, model: Model, iri: str, instant: datetime.datetime) -> int | None:
    """The number of the version that was current at an instant (None if the record did not exist)."""
    chosen = None
    for entry in history(store, model, iri):
        at = datetime.datetime.fromisoformat(entry["at"].replace("Z", "+00:00"))
        if at <= instant:
            chosen = entry["version"]
    return chosen


def compare(store: Store, model: Model, iri: str, first: int, second: int) -> tuple[Graph, Graph]:
    """(triples added, triples removed) going from version `first` to version `second`.
    Blank nodes are compared by their content, not their labels."""
    from rdflib.compare import graph_diff, to_isomorphic

    a, b = version_graph(store, model, iri, first), version_graph(store, model, iri, second)
    _, only_first, only_second = graph_diff(to_isomorphic(a), to_isomorphic(b))
    return only_second, only_first


def add_review_comment(
    store: Store,
    model: Model,
    iri: str,
    agent: Agent,
    comment: str,
    now: datetime.datetime | None = None,
) -> None:
    """A steward asks for changes: the comment is kept with the record's provenance (no new
    version) and shown to the submitter's organisation."""
    now = now or datetime.datetime.now(datetime.UTC)
    graph = Graph()
    node = BNode()
    who = _agent_node(graph, agent, model)
    graph.add((node, RDF.type, model.base.ldr.ReviewComment))
    graph.add((node, DCTERMS.subject, URIRef(iri)))
    graph.add((node, PROV.wasAttributedTo, who))
    graph.add((node, PROV.generatedAtTime, _xsd_time(now)))
    graph.add((node, SKOS.changeNote, Literal(comment, lang="en")))
    with WRITE_LOCK:
        store.update(
            f"INSERT DATA {{ GRAPH {sparql_iri(history_iri(model, iri))} {{\n"
            + nt_lines(graph)
            + "\n} }"
        )
    AUDIT.info("ReviewComment on %s by %s", iri, agent.username)


def reviews_for_organisation(store: Store, model: Model, organisation: str) -> list[dict]:
    """The latest steward decisions and comments on the records an organisation submitted."""
    rows = store.select(f"""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?item ?title ?when ?note ?kind ?status WHERE {{
            GRAPH ?h {{ ?item {sparql_iri(REG.owner)} {sparql_iri(organisation)} .
                {{ ?c a <{model.base.ldr}ReviewComment> ; {sparql_iri(DCTERMS.subject)} ?item ; prov:generatedAtTime ?when ;
                      {sparql_iri(SKOS.changeNote)} ?note BIND("Changes asked for" AS ?kind) }}
                UNION
                {{ ?v {sparql_iri(DCTERMS.isVersionOf)} ?item ; prov:generatedAtTime ?when ; {sparql_iri(SKOS.changeNote)} ?note ;
                      prov:wasGeneratedBy ?a . ?a a <{model.base.ldr}StatusChange> . OPTIONAL {{ ?v {sparql_iri(REG.status)} ?status }}
                   BIND("Status changed" AS ?kind) }} }}
            OPTIONAL {{ ?item {sparql_iri(DCTERMS.title)} ?title }}
        }} ORDER BY DESC(?when) LIMIT 50""")
    return [
        {
            "item": str(r["item"]),
            "title": str(r.get("title", r["item"])),
            "when": str(r["when"]),
            "note": str(r["note"]),
            "kind": str(r["kind"]),
            "status": _status_label(model, r.get("status")),
        }
        for r in rows
    ]


def _status_label(model: Model, status) -> str | None:
    """What a person reads for a status: its label in the scheme ("Invalid" for reg:statusInvalid)."""
    return model.label(URIRef(str(status))) if status is not None else None


def submissions(store: Store, model: Model, username: str, organisation: str | None) -> list[dict]:
    """Every record that this user, or anyone acting for their organisation, created (its first
    version), newest first: its title, current status, who submitted it and when, and the
    stewards' comments and status decisions on it, newest first (a publisher's "My submissions")."""
    ldr = model.base.ldr
    whose = f"{{ ?a <{ldr}username> {Literal(username).n3()} }}"
    if organisation:
        whose += f" UNION {{ ?a prov:actedOnBehalfOf {sparql_iri(organisation)} }}"
    rows = store.select(f"""
        PREFIX prov: <http://www.w3.org/ns/prov#>
        SELECT ?item ?when ?user (SAMPLE(?t) AS ?title) (SAMPLE(?s) AS ?status) WHERE {{
            GRAPH ?h {{ {whose}
                ?v prov:wasAttributedTo ?a ; <{ldr}versionNumber> 1 ; {sparql_iri(DCTERMS.isVersionOf)} ?item ;
                   prov:generatedAtTime ?when .
                ?a <{ldr}username> ?user }}
            OPTIONAL {{ ?item {sparql_iri(DCTERMS.title)} ?t }}
            OPTIONAL {{ ?item {sparql_iri(REG.status)} ?s }}
        }} GROUP BY ?item ?when ?user ORDER BY DESC(?when)""")
    records: dict[str, dict[str, Any]]  # each record's summary, its comments a list
    records = {
        str(r["item"]): {
            "item": str(r["item"]),
            "title": str(r.get("title", r["item"])),
            "status": _status_label(model, r.get("status")),
            "submitted": str(r["when"]),
            "by": str(r["user"]),
            "comments": [],
        }
        for r in rows
    }
    iris = list(records)
    for start in range(0, len(iris), 500):
        values = " ".join(sparql_iri(i) for i in iris[start : start + 500])
        for r in store.select(f"""
            PREFIX prov: <http://www.w3.org/ns/prov#>
            SELECT ?item ?when ?note ?by ?status ?kind WHERE {{ VALUES ?item {{ {values} }}
                GRAPH ?h {{
                    {{ ?c a <{ldr}ReviewComment> ; {sparql_iri(DCTERMS.subject)} ?item ; prov:generatedAtTime ?when ;
                          {sparql_iri(SKOS.changeNote)} ?note ; prov:wasAttributedTo ?a BIND("changes" AS ?kind) }}
                    UNION
                    {{ ?v {sparql_iri(DCTERMS.isVersionOf)} ?item ; prov:generatedAtTime ?when ;
                          {sparql_iri(SKOS.changeNote)} ?note ; prov:wasAttributedTo ?a ; prov:wasGeneratedBy ?act .
                       ?act a <{ldr}StatusChange> . OPTIONAL {{ ?v {sparql_iri(REG.status)} ?status }} BIND("status" AS ?kind) }}
                    ?a <{ldr}username> ?by }}
            }} ORDER BY DESC(?when)"""):
            records[str(r["item"])]["comments"].append(
                {
                    "when": str(r["when"]),
                    "note": str(r["note"]),
                    "by": str(r["by"]),
                    "outcome": "Changes asked for"
                    if str(r["kind"]) == "changes"
                    else f"Status changed to {_status_label(model, r.get('status')) or 'another status'}",
                }
            )
    return list(records.values())


def current_record(store: Store, model: Model, iri: str) -> Graph:
    """The current description of one record (empty if it is not registered)."""
    name = doc_iri(model, iri)
    return store.construct(
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {sparql_iri(name)} {{ ?s ?p ?o }} }}"
    )


def is_registered(store: Store, model: Model, iri: str) -> bool:
    return store.ask(
        f"ASK {{ GRAPH {sparql_iri(doc_iri(model, iri))} {{ {sparql_iri(iri)} ?p ?o }} }}"
    )


def registered_items(store: Store, model: Model, register: str) -> list[URIRef]:
    prefix = f"{model.base.iri}/id/{register}/"
    rows = store.select(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), {sparql_literal(prefix)})) "
        f"FILTER(STRSTARTS(STR(?g), {sparql_literal(f'{model.base.iri}/doc/{register}/')})) }}"
    )
    return sorted(cast(URIRef, row["s"]) for row in rows)  # the items' IRIs
