"""What the search index holds of each record, whatever engine holds it: the facets (their
names, the properties they count, the concept schemes their values come from), a record read
from the store as an indexed document (title, text, facet values with their labels), and the
answers and refusals an index gives (Hit, FacetValues, UnknownFilterValue).

A new search engine implements registry.search.index.SearchIndex over these documents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.namespace import SKOS

from registry.rdf.identifiers import sparql_iri
from registry.store import Store
from registry.store.layout import last_changed
from registry.vocab.model import Model, preferred

#: facet name -> (label, the properties whose values it counts)
FACETS: dict[str, tuple[str, list[str | tuple[str, str]]]] = {
    "status": ("Registration status", ["http://purl.org/linked-data/registry#status"]),
    "adoption": ("Adoption status", [("{ldr}adoption", "{ldr}adoptionStatus")]),
    "service_area": ("Service area", ["{ldr}serviceArea"]),
    # a council's own type and region, and those of the councils that lead or partner a record
    "council_type": (
        "Council type",
        [
            "{ldr}councilType",
            ("{ldr}leadOrganisation", "{ldr}councilType"),
            ("{ldr}partnerOrganisation", "{ldr}councilType"),
        ],
    ),
    "region": (
        "Region or nation",
        [
            "{ldr}region",
            ("{ldr}leadOrganisation", "{ldr}region"),
            ("{ldr}partnerOrganisation", "{ldr}region"),
        ],
    ),
    "organisation": (
        "Organisation",
        [
            "{ldr}leadOrganisation",
            "{ldr}partnerOrganisation",
            "{ldr}party",
            "http://purl.org/dc/terms/publisher",
            "{ldr}supplier",
            "{ldr}usedBy",
            "{ldr}reusedBy",
        ],
    ),
    "phase": ("Phase", ["{ldr}phase"]),
    "product_kind": ("Kind of product", ["{ldr}productKind", "{ldr}appliesToProductKind"]),
}


#: facet -> the concept scheme (namespaces.vocabulary_iri(...)) its values come from; the organisation facet's
#: values are organisations
FACET_SCHEMES = {
    "status": "registration-status",
    "adoption": "adoption-status",
    "service_area": "service-area",
    "council_type": "council-type",
    "region": "region",
    "phase": "phase",
    "product_kind": "product-kind",
}


#: At most this many allowed values are named when a filter value is refused.
ALLOWED_SHOWN = 100


class UnknownFilterValue(ValueError):
    """A filter asks for a value that names nothing: `allowed` holds the values it may take
    (the first ALLOWED_SHOWN of them) and `size` how many there are in all; `named` the same
    values as a person reads them (Discovery, Alpha…), in the scheme's order where it has one."""

    def __init__(
        self,
        facet: str,
        values: list[str],
        allowed: list[str],
        size: int,
        named: list[str] | None = None,
    ):
        self.facet, self.values, self.allowed, self.size = facet, values, allowed, size
        self.named = named if named is not None else allowed
        more = (
            f" and {size - len(allowed):,} more (listed on /organisations)"
            if size > len(allowed)
            else ""
        )
        shown = ", ".join(repr(v[:60]) for v in values)
        what = "sort order" if facet == "sort" else facet.replace("_", " ")
        super().__init__(
            f"{facet}={shown}: no such {what}. Use one of: {', '.join(allowed)}{more}."
        )


class UnknownFilterValues(ValueError):
    """Filters that ask for values naming nothing: one UnknownFilterValue for each such facet, in
    `refusals`, so that all of them are reported at once."""

    def __init__(self, refusals: list[UnknownFilterValue]):
        self.refusals = refusals
        super().__init__(" ".join(str(refusal) for refusal in refusals))


class FacetValues(list):
    """A facet's (key, label, count) rows, commonest first. `size` is how many values the facet
    has in all: more than the list holds when a limit cut it short."""

    size: int = 0


@dataclass
class Hit:
    iri: str
    register: str
    title: str
    description: str
    status: str
    modified: str
    snippet: str = ""


def facet_key(value: str) -> str:
    """The short form of a facet value used in addresses: the last part of its IRI
    (stable, london, UA, leeds-city-council)."""
    if "#status" in value:
        return value.rsplit("#status", 1)[1].lower()
    return value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def scheme_keys(model: Model, facet: str) -> set[str]:
    """The keys of the concepts in a facet's scheme (empty for a facet with no scheme)."""
    scheme = FACET_SCHEMES.get(facet)
    if scheme is None:
        return set()
    memo = model.memo.setdefault("facet scheme keys", {})
    if facet not in memo:
        memo[facet] = {
            facet_key(str(c))
            for c in model.ontology.subjects(SKOS.inScheme, URIRef(model.base.scheme_graph(scheme)))
        }
    return memo[facet]


def led_or_partnered(store: Store, model: Model, iris: list[str]) -> list[str]:
    """The records that changed organisations lead or partner: their region and council type
    facets are those organisations', so they are indexed again with them."""
    organisations = [i for i in iris if i.startswith(f"{model.base.iri}/id/organisations/")]
    if not organisations:
        return []
    ldr, found = model.base.ldr, []
    for start in range(0, len(organisations), 500):
        chunk = " ".join(sparql_iri(i) for i in organisations[start : start + 500])
        found += [
            row["s"]
            for row in store.select_text(f"""SELECT DISTINCT ?s WHERE {{ VALUES ?o {{ {chunk} }}
            ?s <{ldr}leadOrganisation>|<{ldr}partnerOrganisation> ?o }}""")
        ]
    return found


def documents(store: Store, model: Model, iris: list[str] | None) -> list[dict]:
    """What the index holds for each record (all, or the given ones), read from the store as
    text (profiled: making rdflib terms of it was two fifths of a rebuild)."""
    base, ldr = model.base.iri, str(model.base.ldr)
    values = ""
    if iris is not None:
        if not iris:
            return []
        values = "VALUES ?s { " + " ".join(f"{sparql_iri(i)}" for i in iris) + " }"
    records = store.select_text(f"""
        SELECT ?s ?title ?description ?status WHERE {{
            {values}
            ?s <http://purl.org/dc/terms/title> ?title .
            FILTER(STRSTARTS(STR(?s), "{base}/id/"))
            OPTIONAL {{ ?s <http://purl.org/dc/terms/description> ?description }}
            OPTIONAL {{ ?s <http://purl.org/linked-data/registry#status> ?status }}
        }}""")
    # When each record last changed, in a query of its own: inside the one above, as an OPTIONAL
    # over every history graph, it took most of a rebuild's time (profiled).
    modified = {
        row["s"]: row["modified"]
        for row in store.select_text(f"""
        SELECT ?s ?modified WHERE {{ {values} {last_changed("?s", "?modified")} }}""")
    }
    docs: dict[str, dict] = {}
    for row in records:
        iri = row["s"]
        split = model.base.split_item(iri)
        if split is None or iri in docs:
            continue
        docs[iri] = {
            "iri": iri,
            "register": split[0],
            "title": row["title"],
            "description": row.get("description", ""),
            "status": row.get("status", ""),
            "modified": modified.get(iri, ""),
            "facets": [],
            "keywords": [],
            "organisations": [],
        }
    if not docs:
        return []
    # A rebuild reads every record's values at once and keeps those of indexed records; naming
    # thousands of records in VALUES made each of these queries slow (profiled).
    chunk_values = (
        "" if iris is None else "VALUES ?s { " + " ".join(f"{sparql_iri(i)}" for i in docs) + " }"
    )
    # Every facet's values in one query (one per property path), then every label in one more:
    # a query per facet, each with its own label lookup, was most of a rebuild (profiled).
    by_path: dict[str, list[str]] = {}
    for facet, (_, paths) in FACETS.items():
        for p in paths:
            by_path.setdefault(_path(p, ldr), []).append(facet)
    branches = " UNION ".join(
        f"{{ ?s {path} ?value BIND({json.dumps(path)} AS ?path) }}" for path in by_path
    )
    rows = store.select_text(
        f"SELECT ?s ?path ?value (isIRI(?value) AS ?iri) WHERE {{ {chunk_values} {branches} }}"
    )
    found = [
        (row["s"], row["path"], row["value"], row["iri"] == "true")
        for row in rows
        if row["s"] in docs
    ]
    linked = sorted({f"{sparql_iri(value)}" for _, _, value, is_iri in found if is_iri})
    # every label a linked concept or record has: the facet shows the one in the language wanted
    # most (Model.text's choice), and a search finds the value by any of them
    every_label: dict[str, list[Literal]] = {}
    for start in range(0, len(linked), 2000):
        some = " ".join(linked[start : start + 2000])
        for row in store.select_text(f"""SELECT ?value ?label (LANG(?label) AS ?lang) WHERE {{
                VALUES ?value {{ {some} }}
                ?value <http://www.w3.org/2004/02/skos/core#prefLabel>|<http://purl.org/dc/terms/title> ?label }}"""):
            every_label.setdefault(row["value"], []).append(
                Literal(row["label"], lang=row.get("lang") or None)
            )
    labels = {value: str(preferred(some, model.languages)) for value, some in every_label.items()}
    for iri, path, value, _ in found:
        label = labels.get(value, value.rsplit("/", 1)[-1])
        others = sorted({str(v) for v in every_label.get(value, ())} - {label})
        for facet in by_path[path]:
            docs[iri]["facets"].append((facet, value, label))
            if facet == "organisation":
                docs[iri]["organisations"].append(label)
            else:
                docs[iri]["keywords"].extend([label, *others])
    for row in store.select_text(f"""SELECT ?s ?text WHERE {{ {chunk_values}
            ?s <{ldr}problem>|<{ldr}outcome>|<http://www.w3.org/2004/02/skos/core#altLabel>|<http://purl.org/dc/terms/subject> ?text
            FILTER(isLiteral(?text)) }}"""):
        if row["s"] in docs:
            docs[row["s"]]["keywords"].append(row["text"])
    for doc in docs.values():
        doc["keywords"] = " ".join(doc["keywords"])
        doc["organisations"] = " ".join(doc["organisations"])
        if doc["register"] == "organisations":
            doc["organisations"] += " " + doc["title"]
    return list(docs.values())


def _path(template: str | tuple[str, ...], ldr: str) -> str:
    """A SPARQL property path: one property, or a sequence given as a tuple."""
    parts = template if isinstance(template, tuple) else (template,)
    return "/".join(f"<{part.replace('{ldr}', ldr)}>" for part in parts)
