"""The public SPARQL service when the registry runs on a SPARQL server (LDR_STORE=sparql).

Queries pass the same guard as on the embedded store (no updates, no SERVICE; a query that
could hold SERVICE is parsed by a query worker process, `checker`, under the time limit), then
go to the server itself with what is left of the registry's time limit; results are capped at the same number of rows
and serialised by the same code, so a client cannot tell which store answered.
"""

from __future__ import annotations

import json
import re
import time
from contextlib import nullcontext

import pyoxigraph as ox

from registry.query import worker as query_worker
from registry.query.guard import QueryError, check_graph_names, keywords
from registry.query.pool import Admission, QueryOutcome, QueryPool, streamed_lookup
from registry.rdf.identifiers import sparql_iri, sparql_literal
from registry.store.base import StoreError

_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


def query_form(query: str) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside strings and IRIs."""
    found = _FORM.search(keywords(query))
    return found.group(1).upper() if found else "SELECT"


def bind_values(query: str, substitutions: dict) -> str:
    """Bind parameters with an inline VALUES block at the start of the outermost WHERE group, so
    every pattern and FILTER in it sees them (as pyoxigraph's substitutions do). Each value is a
    term that cannot end early: an IRI with none of the characters that end one, or a string
    written by sparql_literal (quotes, backslashes and control characters escaped), so the query
    that was guarded gains nothing but data."""
    blocks = []
    for name, spec in substitutions.items():
        term = (
            sparql_iri(spec[1]) if spec[0] == "iri" else sparql_literal(spec[1], datatype=spec[2])
        )
        blocks.append(f"VALUES ?{name} {{ {term} }}")
    found = re.search(r"\bWHERE\s*\{", query, flags=re.I)
    if not found:
        raise QueryError("param", "This query has no WHERE clause to bind its parameters in.")
    return query[: found.end()] + " " + " ".join(blocks) + " " + query[found.end() :]


class RemoteQueries:
    """Same interface as QueryPool.run, answered by the store's own SPARQL server."""

    def __init__(
        self, store, *, timeout: float, max_rows: int, checker: QueryPool, at_once: int = 4
    ):
        """`checker`: the worker pool whose workers parse queries for the guard (QueryPool.check);
        `at_once`: queries sent to the server at the same time (Admission)."""
        self.store, self.timeout, self.max_rows, self.checker = store, timeout, max_rows, checker
        self._admission = Admission(at_once)

    def run(
        self,
        query: str,
        *,
        default_graphs=(),
        named_graphs=(),
        result_type: str,
        rdf_type: str,
        base_iri: str | None = None,
        substitutions: dict | None = None,
    ) -> QueryOutcome:
        # a lookup of one thing is quickly answered, so it is never refused for the heavy ones; any
        # other query is guarded once admitted, as on the embedded store
        check_graph_names(*default_graphs, *named_graphs)
        admission = nullcontext() if streamed_lookup(query) else self._admission.admitted()
        with admission:
            return self._run(
                query, default_graphs, named_graphs, result_type, rdf_type, base_iri, substitutions
            )

    def _run(
        self, query, default_graphs, named_graphs, result_type, rdf_type, base_iri, substitutions
    ) -> QueryOutcome:
        started = time.monotonic()
        body = self.checker.check(query, started)
        if substitutions:
            query = bind_values(query, substitutions)
            body = keywords(query)
        if base_iri and not re.match(r"\s*BASE\b", body, flags=re.I):
            query = f"BASE {sparql_iri(base_iri)}\n{query}"
        graph_form = query_form(query) in ("CONSTRUCT", "DESCRIBE")
        params = (
            [("query", query)]
            + [("default-graph-uri", g) for g in default_graphs]
            + [("named-graph-uri", g) for g in named_graphs]
        )
        accept = "application/n-triples" if graph_form else "application/sparql-results+json"
        try:
            body = self.store.query_request(
                params, accept, timeout=max(0.1, self.timeout - (time.monotonic() - started))
            )
        except StoreError as exc:
            if exc.status == 400:
                raise QueryError(
                    "syntax", f"The query is not valid SPARQL 1.1: {exc.detail}"
                ) from None
            if exc.timed_out:
                raise QueryError(
                    "timeout",
                    f"The query was stopped after the time limit of {self.timeout:g} s. "
                    "Narrow it (a LIMIT, fewer OPTIONALs, bounded property paths) "
                    "or download the dump instead.",
                ) from None
            raise QueryError("unavailable", str(exc)) from None
        if graph_form:
            triples: list[ox.Triple] = []
            for quad in ox.parse(body, ox.RdfFormat.N_TRIPLES):
                if len(triples) == self.max_rows:
                    return self._graph(triples, rdf_type, truncated=True)
                triples.append(ox.Triple(quad.subject, quad.predicate, quad.object))
            return self._graph(triples, rdf_type, truncated=False)
        results = json.loads(body)
        if "boolean" in results:
            payload = {"kind": "boolean", "value": bool(results["boolean"])}
            return QueryOutcome(query_worker.serialize_results(payload, result_type), result_type)
        variables = results["head"].get("vars", [])
        bindings = results["results"]["bindings"]
        truncated = len(bindings) > self.max_rows
        rows = [[binding.get(v) for v in variables] for binding in bindings[: self.max_rows]]
        payload = {
            "kind": "solutions",
            "variables": variables,
            "rows": rows,
            "truncated": truncated,
        }
        return QueryOutcome(
            query_worker.serialize_results(payload, result_type), result_type, truncated
        )

    @staticmethod
    def _graph(triples, rdf_type: str, truncated: bool) -> QueryOutcome:
        try:
            return QueryOutcome(
                query_worker.serialize_graph(triples, rdf_type), rdf_type, truncated
            )
        except query_worker.Unwritable as exc:
            raise QueryError("unwritable", f"The query was answered, but {exc}.") from None

    def close(self) -> None:
        self.checker.close()
