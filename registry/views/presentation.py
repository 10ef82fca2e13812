"""Turning a record's graph into rows a page can show: human labels from the ontology and
shapes, linked records by their titles, nested values as nested rows."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SH, SKOS, XSD

from registry.rdf.identifiers import sparql_iri
from registry.vocab.model import Model, preferred

LABELS = (DCTERMS.title, SKOS.prefLabel, RDFS.label, FOAF.name)
NOT_PUBLISHED = "Not published by its source"


@dataclass
class Value:
    text: str
    href: str | None = None
    nested: list[Row] | None = None


@dataclass
class Row:
    label: str
    values: list[Value] = field(default_factory=list)
    order: float = 100.0


def title_of(graph: Graph, node, languages: tuple[str, ...] = ("en",)) -> str | None:
    """A thing's name in the graph: its title, else its label, in the language wanted most."""
    for p in LABELS:
        value = preferred(graph.objects(node, p), languages)
        if value is not None:
            return str(value)
    return None


IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def media_type_name(node) -> str | None:
    """A format given as its address in IANA's media types register is named by its media type,
    as that register names it (application/schema+json), rather than by the whole address."""
    text = str(node)
    return (
        text[len(IANA_MEDIA_TYPES) :]
        if text.startswith(IANA_MEDIA_TYPES) and "/" in text[len(IANA_MEDIA_TYPES) :]
        else None
    )


def _order(model: Model, predicate: URIRef, classes: set, nested: bool) -> float:
    shape = model.property_shape(predicate, classes, nested)
    order = model.shapes.value(shape, SH.order) if shape is not None else None
    return float(order) if order is not None else 100.0


def rows_for(
    graph: Graph,
    subject,
    model: Model,
    href: Callable[[str], str | None],
    skip: tuple = (RDF.type, DCTERMS.title),
    nested: bool = False,
    labels: dict | None = None,
) -> list[Row]:
    """The rows a page shows for `subject`: each property by its label (`labels` names those the
    ontology and shapes do not), its values by their titles, nested values as nested rows."""
    rows = []
    labels = labels or {}
    classes = set(graph.objects(subject, RDF.type))
    not_published = model.base.ldr.notPublished
    # A property the record's sources do not publish is shown in its own place, saying so.
    for prop in graph.objects(subject, not_published):
        if isinstance(prop, URIRef):
            rows.append(
                Row(
                    model.label(prop, classes, nested),
                    [Value(NOT_PUBLISHED)],
                    _order(model, prop, classes, nested),
                )
            )
    for node in set(graph.predicates(subject)) - set(skip) - {not_published}:
        predicate = cast(URIRef, node)  # a predicate is an IRI
        label = labels.get(predicate) or model.label(predicate, classes, nested)
        if (
            predicate == model.base.ldr.amountGBP
        ):  # "Amount (£)" asks for pounds; the value says £ itself
            label = re.sub(r"\s*\(£\)", "", label)
        row = Row(label, order=_order(model, predicate, classes, nested))
        for obj in sorted(graph.objects(subject, predicate), key=str):
            if isinstance(obj, BNode):
                row.values.append(
                    Value(
                        "", nested=rows_for(graph, obj, model, href, skip=(RDF.type,), nested=True)
                    )
                )
            elif isinstance(obj, URIRef):
                label = (
                    title_of(graph, obj, model.languages)
                    or title_of(model.ontology, obj, model.languages)
                    or media_type_name(obj)
                )
                row.values.append(Value(label or str(obj), href(str(obj))))
            else:
                assert isinstance(obj, Literal)
                row.values.append(
                    Value(
                        pounds(obj)
                        if predicate == model.base.ldr.amountGBP
                        else day_in_words(obj)
                        if obj.datatype == XSD.date
                        else "Yes"
                        if obj.toPython() is True
                        else "No"
                        if obj.toPython() is False
                        else str(obj)
                    )
                )
        rows.append(row)
    return sorted(rows, key=lambda r: (r.order, r.label))


def _number(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def plain_number(value) -> str:
    """A number as a form's box asks for it: 98500, not the 98500.0 Turtle may write back."""
    number = _number(value)
    if number is None:
        return str(value)
    return f"{number:.0f}" if number == number.to_integral_value() else f"{number.normalize():f}"


def day_in_words(day) -> str:
    """A date as GOV.UK pages write it: 1 April 2024 (as it is, if it is not a date)."""
    try:
        value = datetime.date.fromisoformat(str(day))
    except ValueError:
        return str(day)
    return f"{value.day} {value:%B} {value.year}"


def pounds(amount) -> str:
    """An amount of money as people write it: £98,500, or £98,500.50 where there are pence."""
    number = _number(amount)
    if number is None:
        return str(amount)
    return f"£{number:,.0f}" if number == number.to_integral_value() else f"£{number:,.2f}"


def kind_of(graph: Graph, subject, model: Model) -> str:
    kinds = [
        model.label(t)
        for t in graph.objects(subject, RDF.type)
        if isinstance(t, URIRef) and not str(t).startswith("http://www.w3.org/ns/prov#")
    ]
    return ", ".join(sorted(kinds))


@dataclass
class Group:
    label: str
    links: list[tuple[str, str]]  # (IRI, title)


def incoming_links(store, model: Model, iri: str) -> list[Group]:
    """Records that link to this one, grouped by how the link reads backwards (the ontology's
    ldr:inverseLabel): "Leads", "Partner in", "Conformed to by", "Used by"… A link made from a
    nested value (a funding award) counts for the record that holds it."""
    base = model.base.iri
    # Two small queries: joining the titles in the same query made the engine start from every
    # title in the store (15 ms at 100k triples, against 0.3 ms for the two).
    links = store.select(f"""
        SELECT DISTINCT ?p ?s WHERE {{
            {{ ?s ?p {sparql_iri(iri)} }} UNION {{ ?b ?p {sparql_iri(iri)} FILTER(isBlank(?b)) ?s ?q ?b }}
            FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{base}/id/") && ?s != {sparql_iri(iri)})
        }}""")
    if not links:
        return []
    subjects = " ".join(sorted({f"{sparql_iri(row['s'])}" for row in links}))
    titles = {
        str(row["s"]): str(row["title"])
        for row in store.select(
            f"SELECT ?s ?title WHERE {{ VALUES ?s {{ {subjects} }} ?s <http://purl.org/dc/terms/title> ?title }}"
        )
    }
    rows = [{**row, "title": titles[str(row["s"])]} for row in links if str(row["s"]) in titles]
    groups: dict[str, Group] = {}
    inverse = model.base.ldr.inverseLabel
    for row in rows:
        predicate = row["p"]
        label = model.text(predicate, inverse) or f"Linked from ({model.label(predicate)})"
        groups.setdefault(label, Group(label, [])).links.append((str(row["s"]), str(row["title"])))
    for group in groups.values():
        group.links.sort(key=lambda link: link[1].lower())
    return sorted(groups.values(), key=lambda g: g.label)


@dataclass
class Claim:
    product: str
    product_title: str
    standard: str
    standard_title: str
    version: str
    evidence: str | None
    date: str
    flags: list[str]


def conformance_claims(
    store, model: Model, *, product: str | None = None, standard: str | None = None, today=None
) -> list[Claim]:
    """Products' claims, with flags: evidence older than 12 months, or a claim against a version
    other than the standard's current one, or against a standard that has been superseded."""
    today = today or datetime.date.today()
    ldr = model.base.ldr
    where = (f"VALUES ?p {{ {sparql_iri(product)} }}" if product else "") + (
        f"VALUES ?s {{ {sparql_iri(standard)} }}" if standard else ""
    )
    rows = store.select(f"""SELECT ?p ?ptitle ?s ?stitle ?version ?evidence ?date ?current ?status WHERE {{ {where}
        ?p <{ldr}claim> ?c ; <http://purl.org/dc/terms/title> ?ptitle .
        ?c <{ldr}claimedStandard> ?s ; <http://purl.org/dc/terms/date> ?date .
        ?s <http://purl.org/dc/terms/title> ?stitle .
        OPTIONAL {{ ?c <http://www.w3.org/ns/dcat#version> ?version }}
        OPTIONAL {{ ?c <{ldr}evidence> ?evidence }}
        OPTIONAL {{ ?s <http://www.w3.org/ns/dcat#version> ?current }}
        OPTIONAL {{ ?s <http://purl.org/linked-data/registry#status> ?status }} }} ORDER BY ?ptitle ?stitle""")
    claims = []
    for r in rows:
        flags = []
        claimed_on = datetime.date.fromisoformat(str(r["date"])[:10])
        if (today - claimed_on).days > 365:
            flags.append(f"Evidence is more than 12 months old ({claimed_on})")
        if "version" in r and "current" in r and str(r["version"]) != str(r["current"]):
            flags.append(f"Claims version {r['version']}; the current version is {r['current']}")
        if str(r.get("status", "")).endswith("#statusSuperseded"):
            flags.append("The standard has been superseded")
        claims.append(
            Claim(
                str(r["p"]),
                str(r["ptitle"]),
                str(r["s"]),
                str(r["stitle"]),
                str(r.get("version", "")),
                str(r["evidence"]) if "evidence" in r else None,
                str(r["date"]),
                flags,
            )
        )
    return claims
