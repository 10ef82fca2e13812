"""The sync's quick check of which records are unchanged (registry/harvest/sync.py, `_unchanged`)
gives the answer records.versions.unchanged_records gives, on descriptions with and without
blank nodes, alike blank nodes, blank nodes linked to each other and numbers, each described
again as it is, with its blank nodes renamed, and changed in one statement."""

from __future__ import annotations

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from registry.harvest import sync
from registry.harvest.sync import _statements, _unchanged
from registry.rdf.namespaces import REG, VCARD
from registry.records.versions import Agent, commit, current_versions, unchanged_records
from tests.conftest import BASE

TESTER = Agent("harvest-tests", None, "admin")


def api(reference: str, *contacts: tuple[str, str], rest=()) -> Graph:
    """An API's description with a contact point for each (email, name), and more statements
    (`rest`: a function of the API's IRI giving them)."""
    s = URIRef(f"{BASE}/id/apis/{reference}")
    g = Graph()
    g.add((s, RDF.type, DCAT.DataService))
    g.add((s, DCTERMS.title, Literal(f"The {reference} API", lang="en")))
    g.add((s, DCAT.endpointURL, URIRef(f"https://api.example.gov.uk/{reference}")))
    g.add((s, DCTERMS.issued, Literal("2024-03-31", datatype=XSD.date)))
    g.add((s, REG.status, REG.statusStable))
    for email, name in contacts:
        contact = BNode()
        g.add((s, DCAT.contactPoint, contact))
        g.add((contact, VCARD.hasEmail, URIRef(f"mailto:{email}")))
        if name:
            g.add((contact, VCARD.fn, Literal(name)))
    for triple in rest(s) if callable(rest) else rest:
        g.add(triple)
    return g


def chained(s):
    """A contact point whose address is a blank node of its own."""
    contact, address = BNode(), BNode()
    return [
        (s, DCAT.contactPoint, contact),
        (contact, VCARD.hasAddress, address),
        (address, VCARD["locality"], Literal("Leeds")),
    ]


def amount(text: str):
    return lambda s: [(s, DCTERMS.extent, Literal(text, datatype=XSD.decimal))]


#: reference -> its description as registered
STORED = {
    "plain": api("plain"),
    "one-contact": api("one-contact", ("api@example.gov.uk", "API team")),
    "two-contacts": api("two-contacts", ("a@example.gov.uk", "A"), ("b@example.gov.uk", "B")),
    "alike": api("alike", ("same@example.gov.uk", "Same"), ("same@example.gov.uk", "Same")),
    "chained": api("chained", rest=chained),
    "number": api("number", rest=amount("98500")),
}


def renamed(graph: Graph) -> Graph:
    """The same statements with new blank nodes: what a harvest's mapping gives every run."""
    names: dict[BNode, BNode] = {}
    again = Graph()
    for triple in graph:
        again.add(
            tuple(names.setdefault(t, BNode()) if isinstance(t, BNode) else t for t in triple)  # type: ignore[arg-type]
        )
    return again


def more(graph: Graph, predicate, value) -> Graph:
    again = renamed(graph)
    again.add((next(again.subjects(RDF.type, DCAT.DataService)), predicate, value))
    return again


def changed(graph: Graph, old, new) -> Graph:
    again = renamed(graph)
    found = [t for t in again if t[2] == old]
    assert found, old
    again.remove(found[0])
    again.add((found[0][0], found[0][1], new))
    return again


def variants(reference: str) -> list[tuple[str, Graph, bool]]:
    """(what, the description given, whether it is unchanged)."""
    graph = STORED[reference]
    title = Literal(f"The {reference} API", lang="en")
    out = [
        ("as it is", graph, True),
        ("blank nodes renamed", renamed(graph), True),
        ("a title changed", changed(graph, title, Literal("Another API", lang="en")), False),
        ("a language changed", changed(graph, title, Literal(str(title), lang="cy")), False),
        (
            "a datatype dropped",
            changed(graph, Literal("2024-03-31", datatype=XSD.date), Literal("2024-03-31")),
            False,
        ),
        ("a statement more", more(graph, DCTERMS.description, Literal("More")), False),
    ]
    if reference in ("one-contact", "two-contacts", "alike"):
        name = next(graph.objects(None, VCARD.fn))
        out.append(("a contact's name changed", changed(graph, name, Literal("Else")), False))
    if reference == "two-contacts":  # the names swapped between the two contact points
        swapped = renamed(graph)
        a = next(swapped.subjects(VCARD.fn, Literal("A")))
        b = next(swapped.subjects(VCARD.fn, Literal("B")))
        swapped.remove((a, VCARD.fn, Literal("A")))
        swapped.remove((b, VCARD.fn, Literal("B")))
        swapped.add((a, VCARD.fn, Literal("B")))
        swapped.add((b, VCARD.fn, Literal("A")))
        out.append(("names swapped between contact points", swapped, False))
    if reference == "alike":  # one of the two alike contact points only
        one = api("alike", ("same@example.gov.uk", "Same"))
        out.append(("one contact point where there were two alike", one, False))
    if reference == "number":  # the same amount written another way
        out.append(("98500.0 for 98500", api("number", rest=amount("98500.0")), True))
        out.append(("another amount", api("number", rest=amount("98501")), False))
    return out


@pytest.fixture
def registered(store, model):
    changes = {f"{BASE}/id/apis/{ref}": graph for ref, graph in STORED.items()}
    commit(store, model, changes, TESTER, note="For the tests", activity="Submission")
    return current_versions(store, model, list(changes))


CASES = [(ref, what, given, same) for ref in STORED for what, given, same in variants(ref)]


@pytest.mark.parametrize(
    "reference, what, given, same", CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES]
)
def test_the_quick_check_answers_as_unchanged_records_does(
    store, model, registered, monkeypatch, reference, what, given, same
):
    iri = f"{BASE}/id/apis/{reference}"
    expected = unchanged_records(store, model, {iri: given}, registered)
    assert expected == ({iri} if same else set()), what
    asked = []

    def slow(store, model, changes, current):
        asked.extend(changes)
        return unchanged_records(store, model, changes, current)

    monkeypatch.setattr(sync, "unchanged_records", slow)
    assert _unchanged(store, model, {iri: given}, registered) == expected, what
    # what it can compare and finds the same is not asked again: that is what makes it quick.
    # Left to unchanged_records: alike or linked blank nodes, and a number written another way.
    quick = same and reference not in ("alike", "chained") and what != "98500.0 for 98500"
    assert asked == ([] if quick else [iri]), what


def test_only_descriptions_it_can_tell_apart_are_compared_quickly():
    """Alike blank nodes and blank nodes linked to each other are left to unchanged_records."""
    assert _statements(STORED["one-contact"]) is not None
    assert _statements(STORED["two-contacts"]) is not None
    assert _statements(STORED["alike"]) is None
    assert _statements(STORED["chained"]) is None
    assert _statements(renamed(STORED["two-contacts"])) == _statements(STORED["two-contacts"])
