"""A store on any SPARQL 1.1 Query and Update server (Fuseki, GraphDB, Virtuoso, Neptune, the
oxigraph server). Each write is one Update request, which such servers apply atomically."""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import cast

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import IdentifiedNode, Node

from registry.rdf.rdfio import to_rdflib
from registry.store.base import StoreError, insert_data
from registry.store.events import Events


class RemoteStore:
    shared = True  # other processes and machines may write to the same server (versions._claimed)

    def __init__(
        self,
        query_url: str,
        update_url: str,
        *,
        user: str = "",
        password: str = "",
        gsp_url: str = "",
        timeout: float = 30.0,
    ):
        if not query_url or not update_url:
            raise StoreError(
                "LDR_STORE=sparql needs LDR_SPARQL_QUERY_URL and LDR_SPARQL_UPDATE_URL"
            )
        self.query_url, self.update_url, self.gsp_url, self.timeout = (
            query_url,
            update_url,
            gsp_url,
            timeout,
        )
        self.events = (
            Events()
        )  # what subscribes to this store's committed changes (registry.store.events)
        self._auth = (
            ("Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()) if user else None
        )

    def _post(
        self, url: str, form, accept: str | None = None, timeout: float | None = None
    ) -> bytes:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            **({"Accept": accept} if accept else {}),
        }
        return self._send(url, urllib.parse.urlencode(form).encode("utf-8"), headers, timeout)

    def _send(
        self, url: str, data: bytes | None, headers: dict, timeout: float | None = None
    ) -> bytes:
        """One HTTP request to the server (POST with data, else GET), with its credentials; every
        failure becomes a StoreError that says whether the server answered, and how."""
        request = urllib.request.Request(
            url, data=data, method="POST" if data is not None else "GET", headers=headers
        )
        if self._auth:
            request.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:500].decode("utf-8", "replace")
            raise StoreError(
                f"the SPARQL server at {url} answered {exc.code}: {detail}",
                status=exc.code,
                detail=detail,
            ) from exc
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            timed_out = isinstance(exc, TimeoutError) or isinstance(
                getattr(exc, "reason", None), TimeoutError
            )
            raise StoreError(
                f"the SPARQL server at {url} did not answer: {exc}", timed_out=timed_out
            ) from exc
        except (
            http.client.HTTPException
        ) as exc:  # it stopped mid-answer (IncompleteRead) or spoke no HTTP
            raise StoreError(f"the SPARQL server at {url} broke off its answer: {exc!r}") from exc

    def query_request(self, params: list[tuple[str, str]], accept: str, *, timeout: float) -> bytes:
        """A query with protocol parameters (query, default-graph-uri, named-graph-uri), answered raw."""
        return self._post(self.query_url, params, accept, timeout=timeout)

    def _results(self, sparql: str) -> dict:
        """The server's JSON results; an answer that cannot be read (cut short, or not results at
        all) is the server failing, a StoreError, like no answer: never a crash above here."""
        data = self._post(self.query_url, {"query": sparql}, "application/sparql-results+json")
        try:
            body = json.loads(data)
        except ValueError as exc:
            raise StoreError(
                f"the SPARQL server's answer is not JSON results (cut short?): {exc}"
            ) from exc
        results = body.get("results", {}) if isinstance(body, dict) else None
        if not isinstance(results, dict) or not isinstance(results.get("bindings", []), list):
            raise StoreError("the SPARQL server's answer is not SPARQL JSON results")
        return body

    def _bindings(self, sparql: str) -> list[dict]:
        body = self._results(sparql)
        if "results" not in body:
            raise StoreError("the SPARQL server answered a SELECT query without results")
        return body["results"]["bindings"]

    def select(self, sparql: str) -> list[dict[str, Node]]:
        return [
            {name: _term(value) for name, value in binding.items()}
            for binding in self._bindings(sparql)
        ]

    def select_text(self, sparql: str) -> list[dict[str, str]]:
        return [
            {name: value["value"] for name, value in binding.items()}
            for binding in self._bindings(sparql)
        ]

    def ask(self, sparql: str) -> bool:
        body = self._results(sparql)
        if "boolean" not in body:
            raise StoreError("the SPARQL server answered an ASK query without a boolean")
        return bool(body["boolean"])

    def construct(self, sparql: str) -> Graph:
        data = self._post(self.query_url, {"query": sparql}, "application/n-triples")
        graph = Graph()
        try:
            for quad in ox.parse(data, ox.RdfFormat.N_TRIPLES):
                graph.add(
                    (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
                )
        except (SyntaxError, ValueError) as exc:
            raise StoreError(
                f"the SPARQL server's N-Triples answer cannot be read (cut short?): {exc}"
            ) from exc
        return graph

    def update(self, sparql_update: str) -> None:
        self._post(self.update_url, {"update": sparql_update})

    def replace_graphs(self, graphs: Mapping[str, Graph]) -> None:
        if graphs:
            try:
                update = insert_data(graphs)
            except Exception as exc:  # rdflib refuses to write a term that is not valid RDF
                raise StoreError(
                    f"the store could not write, and nothing was changed: {exc}"
                ) from exc
            self.update(update)

    def bulk_load(self, path) -> None:
        """Send a dataset file to the server's Graph Store Protocol endpoint in one POST."""
        import gzip

        if not self.gsp_url:
            raise StoreError(
                "restoring into a SPARQL server needs LDR_SPARQL_GSP_URL (or the server's own loader)"
            )
        data = gzip.open(path, "rb").read() if path.name.endswith(".gz") else path.read_bytes()
        media = "application/trig" if ".trig" in path.name else "application/n-quads"
        self._send(self.gsp_url, data, {"Content-Type": media}, timeout=max(self.timeout, 600))

    def graph_names(self) -> list[str]:
        return sorted(
            str(r["g"]) for r in self.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        )

    def dump(self, fmt: str) -> bytes:
        if self.gsp_url and fmt == "nquads":  # the Graph Store Protocol: every graph in one GET
            return self._send(self.gsp_url, None, {"Accept": "application/n-quads"})
        dataset = Dataset()
        for row in self.select(
            "SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        ):
            # a graph's name is an IRI or a blank node
            target = (
                dataset.graph(cast(IdentifiedNode, row["g"]))
                if "g" in row
                else dataset.default_graph
            )
            target.add((row["s"], row["p"], row["o"]))
        return dataset.serialize(format="nquads" if fmt == "nquads" else "trig", encoding="utf-8")

    def is_empty(self) -> bool:
        return not self.ask("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")

    def checkpoint(self) -> str:
        raise StoreError("a remote store has no local snapshot; queries go to the server itself")

    def close(self) -> None:
        pass


def _term(value: dict):
    kind = value["type"]
    if kind == "uri":
        return URIRef(value["value"])
    if kind == "bnode":
        return BNode(value["value"])
    if "xml:lang" in value:
        return Literal(value["value"], lang=value["xml:lang"])
    datatype = value.get("datatype")
    if datatype and datatype != "http://www.w3.org/2001/XMLSchema#string":
        return Literal(value["value"], datatype=URIRef(datatype))
    return Literal(value["value"])
