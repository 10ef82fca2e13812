"""How people name records: by title, by reference or by address. The one way a record is
named: record fields of the publishing form, the invite form, `ldr user create --org` and POST
/tokens all read their organisation with record_iri, and pages show linked records by the titles
read here."""

from __future__ import annotations

import re
from collections.abc import Mapping

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from registry.rdf.identifiers import is_reference, sparql_iri, sparql_iris
from registry.rdf.namespaces import REG
from registry.vocab.model import Model

#: what titles_to_iris gives for a title more than one record has
SHARED_TITLE = ""


class UnknownRecord(ValueError):
    """What a person typed to name a registered record names none of the field's kind; the
    message says what was typed, what is wanted, and an example from the register."""


def titles(store, iris) -> dict[str, str]:
    """The titles the store holds for these things (organisations, records), by IRI; those with
    none are left out, for the caller to show some other way."""
    wanted = sorted({str(i) for i in iris if i})
    if not wanted:
        return {}
    return {
        str(row["s"]): str(row["title"])
        for row in store.select(
            "SELECT ?s ?title WHERE { VALUES ?s { "
            + " ".join(sparql_iri(i) for i in wanted)
            + " } ?s <http://purl.org/dc/terms/title> ?title }"
        )
    }


def registered_titles(store, model: Model, node_class: URIRef) -> list[tuple[str, str]]:
    """(title, IRI) of every record here of `node_class` (any record for reg:RegisterItem), in
    the order of their titles: the suggestions of a record field, and what record_iri reads. A
    record rejected as invalid comes with an empty title: it is still known by its address (a
    record that links to it can be saved unchanged), but its title names nothing, so it cannot
    take a title or block a reference from the records that stand."""
    here = f"FILTER(STRSTARTS(STR(?s), '{model.base.iri}/id/'))"
    status = f"OPTIONAL {{ ?s {sparql_iri(REG.status)} ?status }}"
    if node_class == REG.RegisterItem:
        query = f"SELECT ?s ?title ?status WHERE {{ ?s <{DCTERMS.title}> ?title {status} {here} }}"
    else:
        query = (
            f"SELECT ?s ?title ?status WHERE {{ ?s a ?t . "
            f"?t <http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
            f"{sparql_iri(node_class)} . ?s <{DCTERMS.title}> ?title {status} {here} }}"
        )
    return [
        ("" if r.get("status") == REG.statusInvalid else str(r["title"]), str(r["s"]))
        for r in store.select(query + " ORDER BY LCASE(STR(?title))")
    ]


def titles_to_iris(rows) -> dict[str, str]:
    """Title in lower case -> IRI, from (title, IRI) pairs: what record_iri looks a title up in.
    A title two records share names neither: it maps to SHARED_TITLE, and the form shows those
    records by their address. Every record is also known by its IRI, so none is left out of what
    record_iri accepts."""
    rows = list(rows)
    named: dict[str, set[str]] = {}
    for title, iri in rows:
        if title:  # a rejected record's (registered_titles): known by its address only
            named.setdefault(title.lower(), set()).add(iri)
    records = {
        title: next(iter(iris)) if len(iris) == 1 else SHARED_TITLE for title, iris in named.items()
    }
    records.update({iri.lower(): iri for _, iri in rows})
    return records


def record_iri(
    model: Model, given: str, node_class: URIRef | None, records: Mapping[str, str]
) -> str:
    """The registered record a person named: by its title (`records`, title in lower case ->
    IRI, every record it may be), by its reference in any case (leeds-city-council,
    Leeds-City-Council), by its IRI, or by the address of its page as a browser shows it
    (…/doc/organisations/leeds-city-council). UnknownRecord, saying what to give, otherwise.
    The one way a record is named: record fields of the publishing form, the invite form,
    `ldr user create --org` and POST /tokens all read their organisation with it."""
    text = given.strip()
    registers = sorted(
        model.register_of_types({node_class}) if node_class is not None else ()
    ) or sorted(model.register_class)
    kind = registers[0][:-1] if len(registers) == 1 else "record"  # organisations -> organisation
    wanted = (
        f"the title, reference or address of a registered {kind}{_example(model, kind, records)}"
    )
    if not text:
        raise UnknownRecord(f"give {wanted}")
    titled = records.get(text.lower())
    shared = titled == SHARED_TITLE
    titled = None if shared else titled
    # the record the words name as a reference or an address, if they do
    named = _item_named(model, text)
    if named is not None:
        candidates = [model.base.item(*named)] if named[0] in registers else []
    elif is_reference(text.lower()):
        candidates = [model.base.item(register, text.lower()) for register in registers]
    else:
        candidates = []
    known = set(records.values())
    by_name = next((iri for iri in candidates if iri in known), None)
    of_title = model.base.split_item(titled) if titled else None
    if titled and (of_title is None or of_title[0] in registers):
        if (
            by_name is not None and by_name != titled
        ):  # a title written like another record's reference
            raise UnknownRecord(
                f"“{text}” is the title of one {kind} ({titled}) and names another ({by_name}): "
                "give the address of the one you mean"
            )
        return titled
    if by_name is not None:
        return by_name
    if (named is not None and named[0] not in registers) or titled:
        raise UnknownRecord(f"“{text}” is not {_a(kind)}: give {wanted}")
    if shared:
        raise UnknownRecord(
            f"more than one {kind} has the title “{text}”: give the reference or address "
            f"of the one you mean"
        )
    raise UnknownRecord(f"“{text}” is not {wanted}")


def _item_named(model: Model, text: str) -> tuple[str, str] | None:
    """(register, reference) of the record an address here names: its IRI (/id/…) or its page
    (/doc/…, with a format suffix such as .html, a query or a fragment); None if it names none."""
    for part in ("/id/", "/doc/"):
        if text.startswith(model.base.iri + part):
            path = re.split(r"[?#]", text[len(model.base.iri + part) :])[0].strip("/")
            register, _, reference = path.partition("/")
            reference = reference.split(".", 1)[0].lower()  # a reference has no dot: .html, .ttl
            return (
                (register, reference)
                if register in model.register_class and is_reference(reference)
                else None
            )
    register, _, reference = text.partition("/")  # exemplars/bops, as in an address
    return (
        (register, reference.lower())
        if register in model.register_class and is_reference(reference.lower())
        else None
    )


def _a(kind: str) -> str:
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def _example(model: Model, kind: str, records: Mapping[str, str]) -> str:
    """ ", such as …" with a record of the kind from the register itself; "" if it has none."""
    named = [
        model.base.split_item(records[title])
        for title in sorted(records)
        if records[title] != SHARED_TITLE
    ]
    example = next(
        (n for n in named if n is not None and (kind == "record" or n[0][:-1] == kind)), None
    )
    return "" if example is None else f", such as {example[1]} or {model.base.document(*example)}"


def names_and_types(store, iris) -> Graph:
    """The types and names (title, skos:prefLabel or rdfs:label) the store holds for these
    things: what a record's document carries about each record and concept it links to, so one
    request is enough to show their names. Read from the default graph: current versions and
    the vocabulary only, not earlier versions (a renamed record once showed both names)."""
    wanted = sorted({str(i) for i in iris if isinstance(i, URIRef)})
    if not wanted:
        return Graph()
    return store.construct(
        "CONSTRUCT { ?x a ?t ; ?label ?name } WHERE { VALUES ?x { "
        + sparql_iris(wanted)
        + " } VALUES ?label { <http://purl.org/dc/terms/title> "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> "
        "<http://www.w3.org/2000/01/rdf-schema#label> } { ?x a ?t } UNION { ?x ?label ?name } }"
    )
