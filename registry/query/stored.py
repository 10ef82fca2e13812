"""Stored SPARQL queries an analyst would run, each with a stable URL and named parameters.

Each query is a .rq file in registry/queries/ whose header comments give its title,
description and parameters (`# param: NAME KIND [SCHEME]`). Parameter values are never
pasted into the query text: they are parsed into RDF terms and bound to the query's
variables by the engine (SPARQL substitution), so a value cannot change the query.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import SKOS

from registry.query.guard import QueryError
from registry.rdf.identifiers import is_web_iri
from registry.vocab.model import Model

QUERY_DIR = Path(__file__).resolve().parent / "queries"
KINDS = ("concept", "date", "iri", "text")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    scheme: str | None = None


@dataclass(frozen=True)
class StoredQuery:
    name: str
    title: str
    description: str
    text: str
    params: tuple[Param, ...] = field(default_factory=tuple)


@cache
def stored_queries(ldr_namespace: str) -> dict[str, StoredQuery]:
    queries = {}
    for path in sorted(QUERY_DIR.glob("*.rq")):
        header = dict(title="", description="")
        params = []
        for line in path.read_text(encoding="utf-8").splitlines():
            match = re.match(r"#\s*(title|description|param):\s*(.*)", line)
            if not match:
                continue
            key, value = match.groups()
            if key == "param":
                parts = value.split()
                if len(parts) < 2 or parts[1] not in KINDS:
                    raise ValueError(
                        f"{path.name}: a param line needs a name and one of {KINDS}: {line!r}"
                    )
                params.append(Param(parts[0], parts[1], parts[2] if len(parts) > 2 else None))
            else:
                header[key] = value.strip()
        text = path.read_text(encoding="utf-8").replace("<{ldr}>", f"<{ldr_namespace}>")
        queries[path.stem] = StoredQuery(
            path.stem, header["title"], header["description"], text, tuple(params)
        )
    return queries


def bind_parameters(query: StoredQuery, values: dict[str, str], model: Model) -> dict[str, list]:
    """Turn request values into substitutions; unknown names and bad values are refused."""
    known = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise QueryError(
            "param",
            f"{query.name} has no parameter {', '.join(unknown)}; "
            f"it takes: {', '.join(known) or 'none'}.",
        )
    bound: dict[str, list] = {}
    for name, raw in values.items():
        if raw == "":
            continue
        param = known[name]
        if param.kind == "concept":
            assert param.scheme is not None  # a concept param line names its scheme
            scheme = URIRef(model.base.scheme_graph(param.scheme))
            concepts = {
                str(c).rsplit("/", 1)[-1]: c for c in model.ontology.subjects(SKOS.inScheme, scheme)
            }
            concept = concepts.get(raw) or (
                URIRef(raw) if URIRef(raw) in concepts.values() else None
            )
            if concept is None:
                raise QueryError(
                    "param", f"{name}={raw!r} is not one of: {', '.join(sorted(concepts))}."
                )
            bound[name] = ["iri", str(concept)]
        elif param.kind == "date":
            try:
                datetime.date.fromisoformat(raw)
            except ValueError:
                raise QueryError(
                    "param", f"{name}={raw!r} is not a date like 2027-03-31."
                ) from None
            bound[name] = ["literal", raw, "http://www.w3.org/2001/XMLSchema#date"]
        elif param.kind == "iri":
            if not is_web_iri(raw):
                raise QueryError("param", f"{name}={raw!r} is not an http(s) IRI.")
            bound[name] = ["iri", raw]
        else:
            bound[name] = ["literal", raw, "http://www.w3.org/2001/XMLSchema#string"]
    return bound
