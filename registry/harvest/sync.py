"""A harvest run: fetch the source, read it with its kind's mapping, and bring the registry in
step with it — faithfully, so that a run over unchanged metadata writes nothing.

- A record the source lists for the first time is registered (status stable: a steward approved
  the source, not each record), owned by the source's organisation.
- A record whose description changed gets a new version; one that did not is left alone (not
  even validated again: that is what makes a run over unchanged metadata cheap).
- A record the source no longer lists is withdrawn (ldr:statusWithdrawn, with the date and the
  reason in its version's note) once it has been missing for the source's number of runs in a
  row; never deleted. If the source lists it again, it is reinstated.
- A record detached by a steward (no ldr:harvestedFrom any more) is left to be edited here.
- A record registered here by other means, or from another source, is never overwritten.
- A changed identifier with the same repository, endpoint or landing page is a rename: the
  record keeps its IRI and history.

Each record is validated by the same SHACL path as a submission and written all or nothing; one
bad record fails alone and the run goes on. Whatever happens, the run's report is kept (log).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS

from registry.accounts.users import organisation_titles
from registry.harvest.fetch import Fetched, Fetcher, FetchError
from registry.harvest.kinds import Context, Mapped, Problem
from registry.harvest.sources import Source, SourceError, read_source
from registry.rdf.identifiers import sparql_iri, sparql_iris
from registry.rdf.namespaces import REG, SCHEMA
from registry.records.validation import validate_graph
from registry.records.versions import Agent, commit, current_versions, unchanged_records
from registry.store import Store
from registry.store.layout import doc_iri
from registry.vocab.model import Model

#: Records written in one transaction (each record is all or nothing either way).
CHUNK = 200
#: What a record is recognised by across a rename: the same repository, endpoint or page.
SAME_THING = (SCHEMA.codeRepository, DCAT.endpointURL, DCAT.landingPage)


@dataclass
class Outcome:
    """What one record came to in a run."""

    record: str  # its IRI, or the entry's name in the source when it has no IRI
    outcome: str  # created, updated, unchanged, withdrawn, reinstated, failed, skipped
    field: str = ""
    message: str = ""
    title: str = ""


@dataclass
class RunReport:
    source: str
    started: str
    finished: str = ""
    dry_run: bool = False
    address: str = ""
    error: str = ""  # the run as a whole failed (fetch, parse): nothing was written
    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # what the mapping could not use
    missing: list[str] = field(default_factory=list)  # listed before, not this time

    def count(self, outcome: str) -> int:
        return sum(1 for o in self.outcomes if o.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {
            name: self.count(name)
            for name in (
                "created",
                "updated",
                "unchanged",
                "withdrawn",
                "reinstated",
                "failed",
                "skipped",
            )
        }

    def as_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "started": self.started,
            "finished": self.finished,
            "dry_run": self.dry_run,
            "address": self.address,
            "error": self.error,
            "counts": self.counts,
            "outcomes": [o.__dict__ for o in self.outcomes],
            "problems": [p.__dict__ for p in self.problems],
            "missing": self.missing,
        }


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def fetch_source(source: Source, fetcher: Fetcher) -> tuple[Fetched, Callable[[str], bytes]]:
    """The source's bytes, fetched as its kind says, and how to fetch a file it names."""
    address = source.address

    def related(name: str) -> bytes:
        return fetcher.get(urljoin(address, name)).data

    if source.kind == "publiccode":
        if address.rstrip("/").lower().endswith((".yml", ".yaml")):
            return fetcher.get(address, "application/yaml, text/yaml, text/plain, */*"), related
        return fetcher.clone_file(address, ("publiccode.yml", "publiccode.yaml")), related
    if source.kind == "api-list":
        apis = address.rstrip("/") + "/apis"
        return fetcher.get(apis, "application/vnd.uk.gov.api.v1alpha+json"), related
    if source.kind == "dcat":
        accept = "text/turtle, application/ld+json, application/rdf+xml;q=0.9, */*;q=0.1"
        return fetcher.get(address, accept), related
    return fetcher.get(address, "text/csv, */*;q=0.5"), related


def reader_for(kind: str) -> Callable[[bytes, Context], Mapped]:
    """The mapping that reads a kind of source (registry/harvest/kinds)."""
    if kind == "publiccode":
        from registry.harvest.kinds.publiccode import read

        return read
    if kind == "dcat":
        from registry.harvest.kinds.dcat import read as read_dcat

        return read_dcat
    if kind == "api-catalogue":
        from registry.harvest.kinds.api_catalogue import read_catalogue

        return read_catalogue
    if kind == "api-list":
        from registry.harvest.kinds.api_catalogue import read_list

        return read_list
    raise SourceError(f"{kind!r} is not a kind of harvest source this registry reads")


def organisation_names(store: Store, model: Model) -> dict[str, str]:
    """Registered organisations by lower-case title and alternative name."""
    names = dict(organisation_titles(store, model))
    for row in store.select(
        "SELECT ?o ?name WHERE { ?o a ?t ; "
        "<http://www.w3.org/2004/02/skos/core#altLabel> ?name . "
        "FILTER(?t IN (<http://www.w3.org/ns/org#Organization>, "
        f"<{model.base.ldr}LocalAuthority>, <{model.base.ldr}PartnerBody>)) }}"
    ):
        names.setdefault(str(row["name"]).lower(), str(row["o"]))
    return names


def _harvested(store: Store, model: Model, source: str) -> dict[str, dict[str, Any]]:
    """The records this source keeps in step, with their status and what identifies them."""
    ldr = model.base.ldr
    found: dict[str, dict[str, Any]] = {}
    same = " ".join(sparql_iri(p) for p in SAME_THING)
    for row in store.select(
        f"SELECT ?r ?status ?same WHERE {{ ?r <{ldr}harvestedFrom> {sparql_iri(source)} ; "
        f"{sparql_iri(REG.status)} ?status . OPTIONAL {{ VALUES ?p {{ {same} }} ?r ?p ?same }} }}"
    ):
        entry = found.setdefault(str(row["r"]), {"status": row["status"], "same": set()})
        if row.get("same") is not None:
            entry["same"].add(str(row["same"]))
    return found


def _sources_of(store: Store, model: Model, iris: list[str]) -> dict[str, str]:
    """For records already registered: the source each is harvested from ("" for none)."""
    ldr = model.base.ldr
    found: dict[str, str] = {}
    for start in range(0, len(iris), 500):
        values = " ".join(sparql_iri(i) for i in iris[start : start + 500])
        for row in store.select(
            f"SELECT ?r ?src WHERE {{ VALUES ?r {{ {values} }} ?r a ?t . "
            f"OPTIONAL {{ ?r <{ldr}harvestedFrom> ?src }} }}"
        ):
            found[str(row["r"])] = str(row.get("src") or "")
    return found


def _renamed(mapped: dict[str, Graph], harvested: Mapping[str, dict[str, Any]]) -> None:
    """A new IRI for a record the source listed before under another one, recognised by the
    same repository, endpoint or landing page: keep the old IRI (and so its history)."""
    listed = set(mapped)
    for iri in list(mapped):
        if iri in harvested:
            continue
        graph = mapped[iri]
        ids = {str(o) for p in SAME_THING for o in graph.objects(URIRef(iri), p)}
        for old, entry in harvested.items():
            if old not in listed and ids & entry["same"]:
                renamed = Graph()
                for s, p, o in graph:
                    renamed.add((URIRef(old) if s == URIRef(iri) else s, p, o))
                del mapped[iri]
                mapped[old] = renamed
                listed.add(old)
                break


def _unchanged(
    store: Store, model: Model, wanted: Mapping[str, Graph], current: Mapping[str, int]
) -> set[str]:
    """The records whose new description is the one they have now: what
    records.versions.unchanged_records finds, found without rdflib's graph canonicalisation
    for the descriptions a harvest maps. (Measured on the UK API catalogue's 218 records, run
    again with nothing changed: unchanged_records took 0.13-0.23 s of a 0.28-0.42 s run, this
    0.04-0.06 s; bench/harvest.py.)

    A description is compared as a set of statements in which each blank node stands for
    what is said of it and what says it (a contact point: its email and name, and the record
    that has it). Where every blank node is told apart that way, the two sets are equal exactly
    when the descriptions are the same statements, blank nodes aside. Only that answer is
    taken from here: a description that differs, or that this cannot compare (two blank nodes
    alike, one blank node linked to another), is decided by unchanged_records. (What is the
    same here is the same there: it also reads numbers by value, which only makes more alike.)"""
    docs = {doc_iri(model, iri): iri for iri in wanted if iri in current}
    stored: dict[str, list[tuple]] = {iri: [] for iri in docs.values()}
    names = list(docs)
    for start in range(0, len(names), 200):
        for row in store.select(
            f"SELECT ?g ?s ?p ?o WHERE {{ VALUES ?g {{ {sparql_iris(names[start : start + 200])} }} "
            "GRAPH ?g { ?s ?p ?o } }"
        ):
            stored[docs[str(row["g"])]].append((row["s"], row["p"], row["o"]))
    same: set[str] = set()
    undecided: dict[str, Graph] = {}
    for iri, statements in stored.items():
        now = _statements(statements)
        if now is not None and now == _statements(wanted[iri]):
            same.add(iri)
        else:
            undecided[iri] = wanted[iri]
    if undecided:
        same |= unchanged_records(store, model, undecided, current)
    return same


def _statements(triples) -> frozenset | None:
    """A description's statements, each term written as what it is (an IRI and its text; a
    literal, its text, language and datatype) and each blank node as what is said of it and
    what says it; None when two blank nodes cannot be told apart that way, or when a blank node
    is linked to another."""
    triples = list(triples)
    said_of: dict[BNode, set] = {}
    saying: dict[BNode, set] = {}
    for s, p, o in triples:
        if isinstance(p, BNode):
            return None
        if isinstance(s, BNode):
            if isinstance(o, BNode):
                return None
            said_of.setdefault(s, set()).add((_term(p), _term(o)))
        elif isinstance(o, BNode):
            saying.setdefault(o, set()).add((_term(s), _term(p)))
    nodes = set(said_of) | set(saying)
    keys = {
        node: ("blank", frozenset(said_of.get(node, ())), frozenset(saying.get(node, ())))
        for node in nodes
    }
    if len(set(keys.values())) != len(keys):
        return None
    return frozenset(
        tuple(keys[t] if isinstance(t, BNode) else _term(t) for t in triple) for triple in triples
    )


def _term(term) -> tuple:
    if isinstance(term, Literal):
        return ("literal", str(term), term.language, term.datatype)
    return ("iri", str(term))


def run_harvest(
    store: Store,
    model: Model,
    settings: Mapping[str, Any],
    source_iri: str | Source,
    *,
    dry_run: bool = False,
    data: bytes | None = None,
    previous_missing: Callable[[int], list[list[str]]] | None = None,
) -> RunReport:
    """Harvest one source (or, with `data`, read those bytes as if fetched from it) and, unless
    `dry_run`, write what changed. `previous_missing(n)` gives what the last n completed runs
    found missing (the log), to count runs in a row. A Source not registered (a check of an
    address before it is registered) is only ever a dry run."""
    name = str(source_iri.iri) if isinstance(source_iri, Source) else source_iri
    report = RunReport(source=name, started=_now().isoformat(), dry_run=dry_run)
    try:
        source = (
            source_iri if isinstance(source_iri, Source) else read_source(store, model, source_iri)
        )
        if not dry_run and not source.approved:
            raise SourceError(
                f"The source {source.title!r} has not been approved: a steward accepts it "
                "(status experimental or stable) before its first run."
            )
        report.address = source.address
        related: Callable[[str], bytes] | None = None
        if data is None:
            fetched, related = fetch_source(source, Fetcher(settings))
            data, report.address = fetched.data, fetched.address
        context = Context(
            model=model,
            source=source.iri,
            address=report.address,
            owner=source.owner,
            organisations=organisation_names(store, model),
            related=related,
        )
        mapped = reader_for(source.kind)(data, context)
    except (SourceError, FetchError) as exc:
        report.error = str(exc)
        report.finished = _now().isoformat()
        return report
    report.problems = list(mapped.problems)
    left_out: dict[str, list[Problem]] = {}
    for problem in mapped.problems:  # an entry left out is one failed record, however many faults
        if problem.severity == "error" and problem.entry:
            left_out.setdefault(problem.entry, []).append(problem)
    for entry, problems in left_out.items():
        report.outcomes.append(
            Outcome(
                entry,
                "failed",
                field=", ".join(dict.fromkeys(p.field for p in problems if p.field)),
                message=" ".join(p.message for p in problems),
            )
        )
    unreadable = [p for p in mapped.problems if p.severity == "error" and not p.entry]
    if unreadable and not mapped.records:
        # the file as a whole could not be read: nothing in it counts as gone from the source
        report.error = "; ".join(p.message for p in unreadable)
        report.finished = _now().isoformat()
        return report
    _sync(store, model, source, mapped, report, dry_run, previous_missing)
    report.finished = _now().isoformat()
    return report


def _sync(
    store: Store,
    model: Model,
    source: Source,
    mapped: Mapped,
    report: RunReport,
    dry_run: bool,
    previous_missing: Callable[[int], list[list[str]]] | None,
) -> None:
    ldr = model.base.ldr
    records = dict(mapped.records)
    harvested = _harvested(store, model, str(source.iri))
    _renamed(records, harvested)
    # what this source harvested is its own (a record has one ldr:harvestedFrom at most: the
    # shapes' s:harvestedFrom): only the others are asked whose they are
    owners = _sources_of(store, model, [iri for iri in records if iri not in harvested])
    agent = Agent(f"harvester:{source.reference}", str(source.owner), "publisher")
    titles = {
        iri: str(g.value(URIRef(iri), URIRef("http://purl.org/dc/terms/title")) or "")
        for iri, g in records.items()
    }
    wanted: dict[str, Graph] = {}
    reinstating: set[str] = set()
    for iri, graph in list(records.items()):
        node = URIRef(iri)
        graph = records[iri] = _as_stored(graph)
        _owned_by_the_source(graph, node, source)
        if iri in owners and owners[iri] != str(source.iri):
            report.outcomes.append(
                Outcome(
                    iri,
                    "skipped",
                    message="Already registered here "
                    + ("from another source" if owners[iri] else "and edited here, not harvested")
                    + ": it is left as it is. A steward can remove the other record, or the "
                    "source can stop listing it.",
                    title=titles[iri],
                )
            )
            continue
        status = harvested.get(iri, {}).get("status")
        if status == ldr.statusWithdrawn or status is None:
            if status == ldr.statusWithdrawn:
                reinstating.add(iri)
            status = REG.statusStable
        graph.remove((node, REG.status, None))
        graph.add((node, REG.status, status))
        if source.status is None:  # a check of a source not registered: nothing to link to
            graph.remove((node, ldr.harvestedFrom, None))
        else:
            graph.set((node, ldr.harvestedFrom, source.iri))
        wanted[iri] = graph
    current = current_versions(store, model, list(wanted))
    same = _unchanged(store, model, wanted, current)
    for iri in sorted(same):
        report.outcomes.append(Outcome(iri, "unchanged", title=titles.get(iri, "")))
        del wanted[iri]
    # validated together (as `ldr load` does), written in chunks: each record all or nothing
    if wanted:
        everything = Graph()
        for graph in wanted.values():
            everything += graph
        _, checked = validate_graph(everything, model, store)
        bad: dict[str, list] = {}
        for result in checked.violations:
            bad.setdefault(result.record or "", []).append(result)
        for iri in list(wanted):
            if iri in bad:
                for result in bad[iri]:
                    report.outcomes.append(
                        Outcome(
                            iri,
                            "failed",
                            field=result.field or (result.path or ""),
                            message=result.message,
                            title=titles.get(iri, ""),
                        )
                    )
                del wanted[iri]
        if "" in bad:  # a problem that belongs to no record: every record is held back
            for result in bad[""]:
                report.outcomes.append(Outcome("", "failed", message=result.message))
            wanted = {}
    names = sorted(wanted)
    for start in range(0, len(names), CHUNK):
        chunk = {iri: wanted[iri] for iri in names[start : start + CHUNK]}
        if not dry_run:
            commit(
                store,
                model,
                chunk,
                agent,
                note=f"Harvested from {source.title} ({report.address})",
                activity="Harvest",
            )
        for iri in chunk:
            outcome = (
                "reinstated" if iri in reinstating else "updated" if iri in current else "created"
            )
            report.outcomes.append(Outcome(iri, outcome, title=titles.get(iri, "")))
    _withdraw(store, model, source, records, harvested, report, agent, dry_run, previous_missing)


def _as_stored(graph: Graph) -> Graph:
    """The record as the store gives it back: language tags in lower case (the store keeps
    en-gb for en-GB), so that an unchanged file compares as unchanged."""
    kept = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.language and o.language != o.language.lower():
            o = Literal(str(o), lang=o.language.lower())
        kept.add((s, p, o))
    return kept


def _owned_by_the_source(graph: Graph, node: URIRef, source: Source) -> None:
    """A harvested record is published by the organisation that keeps its source, whatever the
    file says: a file can name any organisation, and proves nothing. The organisation it names,
    when registered here, is kept as the record's provider (schema:provider), which says whose
    the file says it is without the registry vouching for it."""
    for named in set(graph.objects(node, DCTERMS.publisher)) - {source.owner}:
        graph.remove((node, DCTERMS.publisher, named))
        graph.add((node, SCHEMA.provider, named))
    graph.set((node, DCTERMS.publisher, source.owner))


def _withdraw(
    store: Store,
    model: Model,
    source: Source,
    listed: Mapping[str, Graph],
    harvested: Mapping[str, dict[str, Any]],
    report: RunReport,
    agent: Agent,
    dry_run: bool,
    previous_missing: Callable[[int], list[list[str]]] | None,
) -> None:
    """Withdraw what has been missing from the source for its number of runs in a row."""
    ldr = model.base.ldr
    missing = sorted(
        iri
        for iri, entry in harvested.items()
        if iri not in listed and entry["status"] != ldr.statusWithdrawn
    )
    report.missing = missing
    if not missing:
        return
    if any(p.severity == "error" for p in report.problems):
        # an entry the mapping could not read may be one of those "missing": withdrawing it
        # would punish a typo at the source as if the software or API were gone
        report.missing = []
        report.problems.append(
            Problem(
                "",
                "",
                f"{len(missing)} record(s) harvested before are not among those read this time; "
                "as some entries could not be read (above), none is withdrawn until they can.",
                "warning",
            )
        )
        return
    earlier = previous_missing(source.withdraw_after - 1) if previous_missing else []
    due = [
        iri
        for iri in missing
        if len(earlier) >= source.withdraw_after - 1 and all(iri in runs for runs in earlier)
    ]
    today = _now().date().isoformat()
    from registry.records.versions import current_record

    for iri in due:
        if dry_run:
            report.outcomes.append(Outcome(iri, "withdrawn"))
            continue
        graph = current_record(store, model, iri)
        graph.set((URIRef(iri), REG.status, ldr.statusWithdrawn))
        commit(
            store,
            model,
            {iri: graph},
            agent,
            note=(
                f"Withdrawn on {today}: {source.title} ({source.address}) has not listed it for "
                f"{source.withdraw_after} run(s) in a row. It is reinstated if the source lists "
                "it again."
            ),
            activity="Harvest",
        )
        title = graph.value(URIRef(iri), URIRef("http://purl.org/dc/terms/title"))
        report.outcomes.append(Outcome(iri, "withdrawn", title=str(title or "")))
