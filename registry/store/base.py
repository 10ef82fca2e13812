"""The one store interface everything above it uses (DESIGN.md: query, construct, ask,
transactional replace of graphs). Implementations must not leak their own term types:
results are rdflib terms and graphs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Protocol

from registry.rdf.identifiers import sparql_iri

if TYPE_CHECKING:  # rdflib is not imported by commands that never build a graph (`ldr restore`)
    from rdflib import Graph
    from rdflib.term import Node

    from registry.store.events import Events


class StoreError(Exception):
    """The store cannot be opened or cannot do what was asked; the message says why.

    `status` is the HTTP status a SPARQL server answered with (None if it did not answer),
    `timed_out` whether it did not answer in time, `detail` the server's own words."""

    def __init__(
        self, message: str, *, status: int | None = None, timed_out: bool = False, detail: str = ""
    ):
        super().__init__(message)
        self.status, self.timed_out, self.detail = status, timed_out, detail

    @property
    def unavailable(self) -> bool:
        """The store could not be reached, or was too slow: worth trying again later."""
        return self.timed_out or self.status is None or self.status >= 500


class StoreInUse(StoreError):
    """An embedded store that another process (such as `ldr serve`) holds open: only one process
    at a time may open it."""


class Store(Protocol):
    #: whether other processes may write to it at the same time (versions._claimed)
    shared: bool
    #: what subscribes to the records' committed changes (registry.store.events)
    events: Events

    def select(self, sparql: str) -> list[dict[str, Node]]:
        """Rows of a SELECT query, each a dict of variable name to term (unbound ones absent)."""

    def select_text(self, sparql: str) -> list[dict[str, str]]:
        """Rows of a SELECT query as the text of each term: an IRI's or blank node's identifier,
        a literal's lexical form. For readers that want only the text (the search index)."""

    def ask(self, sparql: str) -> bool: ...

    def construct(self, sparql: str) -> Graph: ...

    def update(self, sparql_update: str) -> None:
        """Apply a SPARQL 1.1 Update request as one transaction: all of it or none of it."""

    def replace_graphs(self, graphs: Mapping[str, Graph]) -> None:
        """Replace each named graph's contents with the given graph, all in one transaction."""

    def graph_names(self) -> list[str]: ...

    def dump(self, fmt: str) -> bytes:
        """The whole store in a dataset syntax ('nquads' or 'trig')."""

    def is_empty(self) -> bool: ...

    def bulk_load(self, path) -> None:
        """Load a whole dataset file (a dump: N-Quads or TriG, optionally gzipped) as fast as the store can."""

    def checkpoint(self) -> str:
        """A read-only snapshot other processes may open; its path."""

    def close(self) -> None: ...


def insert_data(graphs: Mapping[str, Graph]) -> str:
    """A SPARQL Update that replaces each named graph; servers apply one request atomically."""
    parts: list[str] = []
    for name in graphs:
        parts.append(f"DROP SILENT GRAPH {sparql_iri(name)}")
    inserts: list[str] = []
    for name, graph in graphs.items():
        body = nt_lines(graph)
        inserts.append(f"GRAPH {sparql_iri(name)} {{\n{body}\n}}")
    if inserts:
        parts.append("INSERT DATA {\n" + "\n".join(inserts) + "\n}")
    return " ;\n".join(parts)


def nt_lines(triples: Iterable[Iterable[Node]]) -> str:
    """Triples as N-Triples lines, for the body of INSERT DATA. IRIs go through the one check
    (registry.rdf.identifiers), literals through rdflib's N-Triples escaping."""
    from rdflib import URIRef  # here: `ldr restore` never imports rdflib

    return "\n".join(
        " ".join(sparql_iri(term) if isinstance(term, URIRef) else term.n3() for term in triple)
        + " ."
        for triple in triples
    )
