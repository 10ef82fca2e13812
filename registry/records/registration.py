"""Registering and maintaining records: submit, revise, change status — with permissions,
the reg: lifecycle, duplicate warnings and versions. HTTP routes and `ldr` commands both
call these functions."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF
from rdflib.term import Node

from registry.rdf.identifiers import is_web_iri, shown, sparql_iri
from registry.rdf.namespaces import REG
from registry.records.findings import Report, Result
from registry.records.split import split_records
from registry.records.validation import validate_graph
from registry.records.versions import WRITE_LOCK, Agent, VersionConflict, commit, current_versions
from registry.store import Store
from registry.store.layout import history_iri
from registry.vocab.model import Model


class RegistrationError(Exception):
    """Why a write was refused. `kind` maps to an HTTP status; nothing was written."""

    STATUS = {
        "unauthenticated": 401,
        "forbidden": 403,
        "not-found": 404,
        "conflict": 409,
        "transition": 409,
        "precondition": 412,
        "precondition-required": 428,
        "invalid": 422,
        "bad-request": 400,
    }

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        report: Report | None = None,
        allowed: list[str] | None = None,
        current_version: int | None = None,
    ):
        self.kind, self.message, self.report, self.allowed = kind, message, report, allowed
        self.current_version = current_version
        super().__init__(message)


@dataclass(frozen=True)
class IfMatch:
    """The versions a writer says it read, from an If-Match header (RFC 9110 §13.1.1): `any` for
    `*` (whatever the version, so long as the record exists), else the versions named by the
    strong entity tags in the list. Weak tags name no version (If-Match compares strongly), so a
    list of weak tags only matches nothing. api/records.py reads the header into one."""

    any: bool = False
    versions: frozenset[int] = frozenset()

    def matches(self, current: int | None) -> bool:
        """True when the record exists and (for a list) is at one of the versions named."""
        return current is not None and (self.any or current in self.versions)

    def describe(self) -> str:
        if self.any:
            return "any version"
        if not self.versions:
            return "no version: only weak or unrecognised entity tags"
        return "version " + " or ".join(str(v) for v in sorted(self.versions))


@dataclass
class WriteResult:
    report: Report
    versions: dict[str, int] = field(default_factory=dict)
    written: bool = False


# --- permissions -------------------------------------------------------------------------------


def owner_of(store: Store, model: Model, iri: str) -> str | None:
    rows = store.select(
        f"SELECT ?o WHERE {{ GRAPH {sparql_iri(history_iri(model, iri))} {{ {sparql_iri(iri)} {sparql_iri(REG.owner)} ?o }} }}"
    )
    return str(rows[0]["o"]) if rows else None


def _harvested_from(store: Store, model: Model, iri: str) -> str | None:
    """The harvest source a record is kept in step with, if any (registry/harvest)."""
    rows = store.select(
        f"SELECT ?s WHERE {{ {sparql_iri(iri)} <{model.base.ldr}harvestedFrom> ?s }} LIMIT 1"
    )
    return str(rows[0]["s"]) if rows else None


def _check_harvested_from(
    model: Model, graph: Graph, iri: str, agent: Agent, now: str | None
) -> None:
    """Only harvests link a record to a harvest source: a person may keep the link as it is,
    and a steward may remove it (detach the record), but nobody makes one by hand, or a
    publisher could hand their record to another organisation's source to withdraw."""
    given = {str(o) for o in graph.objects(URIRef(iri), model.base.ldr.harvestedFrom)}
    if given and given != ({now} if now else set()):
        raise RegistrationError(
            "forbidden",
            f"{iri} names a harvest source it comes from (ldr:harvestedFrom): only a harvest "
            "of that source makes that link. Leave it out.",
        )


def _is_source(model: Model, graph: Graph, iri: str) -> bool:
    return (URIRef(iri), RDF.type, model.base.ldr.HarvestSource) in graph


def _check_source_publisher(graph: Graph, iri: str, agent: Agent) -> None:
    """A publisher registers harvest sources for their own organisation only: the records a
    source brings in are published by the organisation it names."""
    named = {str(o) for o in graph.objects(URIRef(iri), DCTERMS.publisher)}
    if agent.role == "publisher" and named and named != {agent.organisation}:
        raise RegistrationError(
            "forbidden",
            f"A publisher registers harvest sources for their own organisation: {iri} names "
            f"{', '.join(sorted(named))} as its organisation, and {agent.username} acts for "
            f"{agent.organisation}. Ask a steward to register a source for another organisation.",
        )


def may_edit(agent: Agent, owner: str | None) -> bool:
    return agent.role in ("steward", "admin") or (
        agent.role == "publisher" and owner is not None and owner == agent.organisation
    )


def edit_refusal(store: Store, model: Model, iri: str, agent: Agent) -> str | None:
    """Why this agent may not change this record, in words (the record and its organisation by
    their titles), or None if they may: the one check the web form (before it is shown) and
    the write API make."""
    owner = owner_of(store, model, iri)
    source = _harvested_from(store, model, iri)
    if source is not None and agent.role not in ("steward", "admin"):
        return (
            f"{agent.username} may not change this record here: it is harvested from {source}, "
            "and the next harvest would put back what the source says. Change it at the "
            "source, or ask a steward to detach it from its source (after which it is edited "
            "here)."
        )
    if may_edit(agent, owner):
        return None
    from registry.records.naming import titles

    names = titles(store, [iri] + ([owner] if owner else []))
    record = names.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1]
    if owner is None:  # loaded with the starter data or imported, not submitted by an organisation
        who = "a steward only: no organisation submitted it, so no publisher may change it"
    else:
        who = f"the publishers of {names.get(owner) or 'the organisation that submitted it'}, or by a steward"
    return (
        f"{agent.username} ({agent.role}) may not change \u201c{record}\u201d: it may be changed by {who}. "
        "Ask a steward (or that organisation) to make the change, or register a record of your own."
    )


# --- similar records ("avoid wasteful duplication of effort") -----------------------------------


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


def _close_titles(title: str, other: str) -> bool:
    """Whether two titles are at least 80% alike, character by character. difflib's cheap upper
    bounds rule most candidates out before its full comparison (profiled: the full one for 40
    candidates was 4 ms of a submission at 1M triples)."""
    if not title:
        return False
    matcher = difflib.SequenceMatcher(None, title.lower(), other.lower())
    return (
        matcher.real_quick_ratio() >= 0.8
        and matcher.quick_ratio() >= 0.8
        and matcher.ratio() >= 0.8
    )


def similar_records(
    store: Store, model: Model, register: str, records: dict[str, Graph], index=None
) -> list[Result]:
    """Warnings for registered records in the same register whose title or description is
    close to a submitted one's (similar_to)."""
    everything: list = []
    return [
        Result(
            iri,
            iri,
            str(DCTERMS.title),
            other,
            "Warning",
            f'A similar {register} record is already registered: "{other_title}" ({other}). '
            "Check it is not the same thing — reusing or improving it avoids duplicated effort.",
            field="Title",
        )
        for iri, graph in records.items()
        for other, other_title in similar_to(store, model, register, iri, graph, index, everything)
    ]


def similar_to(
    store: Store,
    model: Model,
    register: str,
    iri: str,
    graph: Graph,
    index=None,
    everything: list | None = None,
) -> list[tuple[str, str]]:
    """(IRI, title) of each registered record in the register, other than `iri`, whose title or
    description is close to the record's in `graph`. With the search index, only the best text
    matches are compared (a few dozen, whatever the size of the register); without it, every
    record in the register, read once into `everything` when a list is given to keep them."""
    title = str(graph.value(URIRef(iri), DCTERMS.title) or "")
    description = str(graph.value(URIRef(iri), DCTERMS.description) or "")
    if index is not None:
        existing = index.similar_candidates(register, f"{title} {description}")
    else:
        if not everything:
            rows = store.select(
                "SELECT ?s ?title ?description WHERE { ?s <http://purl.org/dc/terms/title> ?title "
                "OPTIONAL { ?s <http://purl.org/dc/terms/description> ?description } "
                f"FILTER(STRSTARTS(STR(?s), '{model.base.iri}/id/{register}/')) }}"
            )
            everything = everything if everything is not None else []
            everything.extend(rows)
        existing = everything
    ta, a = _words(title), _words(description)
    found = []
    for row in existing:
        other = str(row["s"])
        if other == iri:
            continue
        other_title = str(row["title"])
        tb = _words(other_title)
        shared_title_words = len(ta & tb) / len(ta | tb) if len(ta & tb) >= 2 else 0
        b = _words(str(row.get("description", "")))
        description_score = len(a & b) / len(a | b) if a and b else 0
        if (
            shared_title_words >= 0.6
            or description_score >= 0.5
            or _close_titles(title, other_title)
        ):
            found.append((other, other_title))
    if found:  # a record rejected as invalid is nothing to reuse
        rejected = {
            str(row["s"])
            for row in store.select(
                "SELECT ?s WHERE { VALUES ?s { "
                + " ".join(sparql_iri(other) for other, _ in found)
                + " } "
                f"?s {sparql_iri(REG.status)} {sparql_iri(REG.statusInvalid)} }}"
            )
        }
        found = [(other, other_title) for other, other_title in found if other not in rejected]
    return found


# --- operations --------------------------------------------------------------------------------


def _require_writer(agent: Agent | None) -> Agent:
    if agent is None:
        raise RegistrationError(
            "unauthenticated",
            "Writing needs an API token: send `Authorization: Bearer TOKEN`. "
            "An administrator creates one with `ldr token create`.",
        )
    return agent


def submit(
    store: Store,
    model: Model,
    graph: Graph,
    agent: Agent | None,
    *,
    register: str | None = None,
    dry_run: bool = False,
    note: str = "",
    index=None,
) -> WriteResult:
    """Register new records with status submitted. All or nothing, with a report per record."""
    agent = _require_writer(agent)
    if agent.role == "publisher" and not agent.organisation:
        raise RegistrationError("forbidden", "A publisher's token must belong to an organisation.")
    records, _ = split_records(graph, model)
    if not records:
        raise RegistrationError(
            "invalid",
            "The document holds no record: name each record "
            f"{model.base.iri}/id/{{register}}/{{reference}}.",
            report=validate_graph(graph, model, store)[1],
        )
    wrong = sorted(i for i in records if register and _register(model, i) != register)
    if wrong:
        raise RegistrationError(
            "bad-request",
            f"These records belong to other registers; post each to its own "
            f"register: {', '.join(wrong)}.",
        )
    for iri in records:
        if _is_source(model, graph, iri):
            _check_source_publisher(graph, iri, agent)
        _check_harvested_from(model, graph, iri, agent, None)
    for iri, record in records.items():  # a new record starts its life as submitted
        record.remove((URIRef(iri), REG.status, None))
        graph.remove((URIRef(iri), REG.status, None))
        graph.add((URIRef(iri), REG.status, REG.statusSubmitted))
    with WRITE_LOCK:
        existing = current_versions(store, model, list(records))
        if existing:
            raise RegistrationError(
                "conflict",
                "Already registered (use PUT on the record to change it): "
                + ", ".join(sorted(existing))
                + ".",
            )
        records, report = validate_graph(graph, model, store)
        by_register: dict[str, dict[str, Graph]] = {}
        for iri, record in records.items():
            by_register.setdefault(_register(model, iri), {})[iri] = record
        for reg_name, group in by_register.items():
            report.results.extend(similar_records(store, model, reg_name, group, index))
        if not report.conforms:
            raise RegistrationError(
                "invalid",
                f"{len(report.violations)} problem(s) must be fixed; nothing was registered.",
                report=report,
            )
        if dry_run:
            return WriteResult(report)
        versions = commit(
            store, model, records, agent, note=note or "Submitted", activity="Submission"
        )
    return WriteResult(report, versions, True)


def _existing(store: Store, model: Model, iri: str) -> int:
    version = current_versions(store, model, [iri]).get(iri)
    if version is None:
        raise RegistrationError("not-found", f"{iri} is not registered.")
    return version


def _without_what_a_read_added(store: Store, iri: str, graph: Graph) -> Graph:
    """The record as PUT, less what a GET of its document carried about the records and concepts
    it links to (their types and names, exactly as the store has them: names_and_types), so a
    document read can be sent back as it is. A statement about another record that the store
    does not hold is left in, and the PUT is refused for it."""
    others = {s for s in graph.subjects() if isinstance(s, URIRef) and s != URIRef(iri)}
    if not others:
        return graph
    from registry.records.naming import names_and_types

    context = names_and_types(store, others)
    kept = Graph()
    for triple in graph:
        if not (triple[0] in others and triple in context):
            kept.add(triple)
    return kept


def revise(
    store: Store,
    model: Model,
    iri: str,
    graph: Graph,
    agent: Agent | None,
    *,
    expected_version: int | IfMatch | None,
    note: str = "",
    dry_run: bool = False,
) -> WriteResult:
    """Replace a record's description as its next version. Needs the version the writer read
    (a number, or an If-Match: `*` or a list of versions)."""
    agent = _require_writer(agent)
    expected = (
        IfMatch(versions=frozenset({expected_version}))
        if isinstance(expected_version, int)
        else expected_version
    )
    with WRITE_LOCK:
        if expected is not None and iri not in current_versions(store, model, [iri]):
            # RFC 9110 §13.1.1: If-Match is false when there is no current representation
            raise RegistrationError(
                "precondition",
                f"{iri} is not registered, so If-Match ({expected.describe()}) "
                "cannot match. Register new records with POST to their register.",
            )
        current = _existing(store, model, iri)
        if (refused := edit_refusal(store, model, iri, agent)) is not None:
            raise RegistrationError("forbidden", refused)
        if expected is None:
            raise RegistrationError(
                "precondition-required",
                "Send If-Match with the record's current ETag, so that a change "
                "made since you read it is not lost.",
                current_version=current,
            )
        if not expected.matches(current):
            if not expected.any and not expected.versions:
                raise RegistrationError(
                    "precondition",
                    "If-Match names no version of the record: only weak or "
                    "unrecognised entity tags were sent, and If-Match compares strongly. Send the "
                    f"ETag of the record as you read it (it is at version {current}).",
                    current_version=current,
                )
            raise RegistrationError(
                "precondition",
                f"The record has changed since you read it: it is at version "
                f"{current}, not {expected.describe()}. Read it again and reapply your change.",
                current_version=current,
            )
        graph = _without_what_a_read_added(store, iri, graph)
        records, _ = split_records(graph, model)
        others = sorted(set(records) - {iri})
        if others or iri not in records:
            raise RegistrationError(
                "bad-request",
                f"A PUT on {iri} must describe that record only"
                + (f"; it also describes {', '.join(others)}" if others else "")
                + ".",
            )
        status = store.select(
            f"SELECT ?s WHERE {{ {sparql_iri(iri)} {sparql_iri(REG.status)} ?s }}"
        )
        graph.remove((URIRef(iri), REG.status, None))  # status changes only through change_status
        if status:
            graph.add((URIRef(iri), REG.status, status[0]["s"]))
        _check_harvested_from(model, graph, iri, agent, _harvested_from(store, model, iri))
        if _is_source(model, graph, iri):
            _check_source_publisher(graph, iri, agent)
            if agent.role == "publisher":  # what it harvests, and for whom, is a steward's call
                graph.set((URIRef(iri), REG.status, REG.statusSubmitted))
        records, report = validate_graph(graph, model, store)
        if not report.conforms:
            raise RegistrationError(
                "invalid",
                f"{len(report.violations)} problem(s) must be fixed; nothing was changed.",
                report=report,
            )
        if dry_run:
            return WriteResult(report)
        try:
            versions = commit(
                store,
                model,
                records,
                agent,
                note=note or "Revised",
                activity="Revision",
                expected={iri: current},
            )
        except VersionConflict as exc:
            raise RegistrationError("precondition", str(exc), current_version=exc.current) from exc
    return WriteResult(report, versions, True)


def _register(model: Model, iri: str) -> str:
    """The register of a record split from a document (split_records keeps only item IRIs)."""
    item = model.base.split_item(iri)
    assert item is not None
    return item[0]


def allowed_transitions(model: Model, status: Node | None) -> list[Node]:
    return sorted(model.ontology.objects(status, REG.nextState), key=str)


def status_name(status: Node | None) -> str:
    return str(status).rsplit("#status", 1)[-1].lower()


def change_status(
    store: Store,
    model: Model,
    iri: str,
    new_status: str,
    agent: Agent | None,
    *,
    successor: str | None = None,
    note: str = "",
) -> WriteResult:
    """Move a record along the reg: lifecycle (stewards only). Superseding names the successor."""
    agent = _require_writer(agent)
    if agent.role not in ("steward", "admin"):
        raise RegistrationError(
            "forbidden",
            f"Only stewards change a record's status; {agent.username} is a {agent.role}.",
        )
    _check_note(note)
    target = REG["status" + new_status.strip().capitalize()]
    if (target, None, None) not in model.ontology:
        names = sorted(status_name(s) for s in model.ontology.subjects(REG.nextState, None))
        raise RegistrationError(
            "bad-request",
            f"{new_status!r} is not a registration status; use one of: "
            f"{', '.join(names + ['invalid'])}.",
        )
    with WRITE_LOCK:
        current = _existing(store, model, iri)
        from registry.records.versions import current_record

        graph = current_record(store, model, iri)
        status = graph.value(URIRef(iri), REG.status)
        allowed = allowed_transitions(model, status)
        if target not in allowed:
            raise RegistrationError(
                "transition",
                f"A {status_name(status)} record cannot become {status_name(target)}. "
                f"Allowed: {', '.join(status_name(a) for a in allowed) or 'none'}.",
                allowed=[status_name(a) for a in allowed],
            )
        graph.set((URIRef(iri), REG.status, target))
        if target == REG.statusSuperseded:
            if not successor:
                raise RegistrationError(
                    "bad-request",
                    "Superseding needs the successor: give the IRI of the record "
                    "that replaces this one.",
                )
            if not is_web_iri(successor):
                raise RegistrationError(
                    "bad-request",
                    f"The successor {shown(successor)} is not a record's IRI: give "
                    "the http(s) address of the record that replaces this one.",
                )
            graph.set((URIRef(iri), DCTERMS.isReplacedBy, URIRef(successor)))
        records, report = validate_graph(graph, model, store)
        if not report.conforms:
            raise RegistrationError(
                "invalid", "The record would not be valid with this status.", report=report
            )
        versions = commit(
            store,
            model,
            records,
            agent,
            activity="StatusChange",
            expected={iri: current},
            note=note or f"Status changed to {status_name(target)}",
        )
    return WriteResult(report, versions, True)


def status_of(graph: Graph, iri: str) -> str | None:
    value = graph.value(URIRef(iri), REG.status)
    return status_name(value) if value is not None else None


#: A steward's decisions on a record waiting for review, as the review page offers them.
DECISIONS = ("stable", "experimental", "changes", "invalid")


def _check_note(note: str) -> None:
    """RegistrationError (bad-request) for a note or comment holding characters no text here may
    hold (control characters, invisible ones): the same rule as a record's own text."""
    from registry.rdf.text import control_problem, invisible_problem

    problem = control_problem(note) or invisible_problem(note)
    if problem:
        raise RegistrationError("bad-request", f"The comment {problem.rstrip('.')}.")


def review(
    store: Store, model: Model, iri: str, decision: str, steward: Agent | None, comment: str = ""
) -> None:
    """A steward's decision on a submitted record: accept it as stable or experimental, ask for
    changes, or reject it as invalid (the last two with a comment the submitter sees). Only a
    record waiting for review may be decided on: one already accepted or retired changes status
    with change_status, where the lifecycle's rules are said. RegistrationError otherwise."""
    steward = _require_writer(steward)
    if steward.role not in ("steward", "admin"):
        raise RegistrationError(
            "forbidden", f"Only stewards review records; {steward.username} is a {steward.role}."
        )
    if decision not in DECISIONS:
        raise RegistrationError("bad-request", "Choose approve, reject or ask for changes.")
    comment = comment.strip()
    _check_note(comment)
    if decision == "invalid" and not comment:
        raise RegistrationError(
            "bad-request",
            "Say why the record is rejected, in the comment box: the submitter "
            "will see the reason.",
        )
    if decision == "changes" and not comment:
        raise RegistrationError(
            "bad-request",
            "Say what should change, in the comment box: the submitter will see the comment.",
        )
    _existing(store, model, iri)
    from registry.records.versions import add_review_comment, current_record

    status = current_record(store, model, iri).value(URIRef(iri), REG.status)
    if status != REG.statusSubmitted:
        raise RegistrationError(
            "conflict",
            f"This record is not waiting for review: it is {status_name(status)}. "
            "Only a submitted record is decided on here.",
        )
    if decision == "changes":
        add_review_comment(store, model, iri, steward, comment)
    else:
        change_status(
            store, model, iri, decision, steward, note=comment or f"Approved as {decision}"
        )
