"""Which standards apply to me: the stored query `standards-that-apply`, answered for people.

The query gives a row per adoption statement; a person wants one entry per standard, with its
statuses, what it asks and what it applies to, all by name. The same query (and the same
parameter binding) serves SPARQL users at /queries/standards-that-apply, so both always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import SKOS

from registry.query.stored import bind_parameters, stored_queries
from registry.rdf.identifiers import sparql_iri
from registry.vocab.model import Model

QUERY = "standards-that-apply"
#: The form's fields: parameter name, its concept scheme, and what a person calls it.
FIELDS = (
    ("service_area", "service-area", "Service area"),
    ("product_kind", "product-kind", "Kind of product"),
)


class UnknownChoice(ValueError):
    """A value that is not one of a field's choices: which field, what was given, and what is
    allowed, by the names the form's list shows, in its order."""

    def __init__(self, name: str, label: str, value: str, allowed: list[str]):
        self.name, self.label, self.value, self.allowed = name, label, value, allowed
        super().__init__(
            f"{label}: {value[:60]!r} is not one of the choices. Choose one from the list, or leave it "
            f"as 'Any {label.lower()}' to see every standard (the choices are: {', '.join(allowed)})."
        )


@dataclass
class Status:
    label: str
    stated_at: str
    since: str = ""


@dataclass
class Applicable:
    iri: str
    title: str
    asks: str = ""
    statuses: list[Status] = field(default_factory=list)
    applies_to: list[str] = field(default_factory=list)


def choices(model: Model, scheme: str) -> list[tuple[str, str]]:
    """A concept scheme's concepts as (code, name), by name."""
    iri = URIRef(model.base.scheme_graph(scheme))
    pairs = [
        (
            str(model.ontology.value(c, SKOS.notation) or str(c).rsplit("/", 1)[-1]),
            model.text(c, SKOS.prefLabel) or str(c),
        )
        for c in model.ontology.subjects(SKOS.inScheme, iri)
    ]
    return sorted(pairs, key=lambda pair: pair[1].lower())


def standards_that_apply(
    run: Callable[[str, dict], list[dict]], store, model: Model, values: dict[str, str]
) -> list[Applicable]:
    """One entry per standard that applies, strongest status first (mandated, adopted, endorsed,
    recommended), as the stored query orders them. `run(query, substitutions)` runs the stored
    query and gives its SPARQL JSON bindings; `values` are the form's codes ('' for any)."""
    for name, scheme, label in FIELDS:
        value = values.get(name, "")
        allowed = choices(model, scheme)
        if value and value not in [code for code, _ in allowed]:
            raise UnknownChoice(name, label, value, [named for _, named in allowed])
    query = stored_queries(str(model.base.ldr))[QUERY]
    bindings = run(
        query.text, bind_parameters(query, {n: values.get(n, "") for n, _, _ in FIELDS}, model)
    )
    found: dict[str, Applicable] = {}
    for row in bindings:
        iri = row["standard"]["value"]
        entry = found.setdefault(
            iri, Applicable(iri, row["title"]["value"], row.get("asks", {}).get("value", ""))
        )
        status = Status(
            row["statusLabel"]["value"],
            row["statedAt"]["value"],
            row.get("since", {}).get("value", ""),
        )
        if status not in entry.statuses:
            entry.statuses.append(status)
    if found:
        ldr = model.base.ldr
        rows = store.select(f"""SELECT ?s ?o WHERE {{ VALUES ?s {{ {" ".join(sparql_iri(i) for i in found)} }}
            VALUES ?p {{ <{ldr}serviceArea> <{ldr}appliesToProductKind> }} ?s ?p ?o }}""")
        for row in rows:
            applies = model.text(row["o"], SKOS.prefLabel)
            if applies is not None:
                found[str(row["s"])].applies_to.append(applies)
        for entry in found.values():
            entry.applies_to.sort(key=str.lower)
    return list(found.values())
