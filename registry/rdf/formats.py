"""The RDF syntaxes the registry reads and writes, and the error that says where input is wrong.
Nothing here needs rdflib, so commands that only move whole dumps (`ldr restore`) start
without it (docs/benchmarks-notes.md, tenth round)."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    name: str
    ox: ox.RdfFormat
    media_type: str
    extensions: tuple[str, ...]
    rdflib_name: str
    label: str
    datasets: bool = False


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("turtle", ox.RdfFormat.TURTLE, "text/turtle", (".ttl",), "turtle", "Turtle"),
        Format(
            "ntriples", ox.RdfFormat.N_TRIPLES, "application/n-triples", (".nt",), "nt", "N-Triples"
        ),
        Format(
            "nquads",
            ox.RdfFormat.N_QUADS,
            "application/n-quads",
            (".nq",),
            "nquads",
            "N-Quads",
            True,
        ),
        Format("trig", ox.RdfFormat.TRIG, "application/trig", (".trig",), "trig", "TriG", True),
        Format(
            "jsonld",
            ox.RdfFormat.JSON_LD,
            "application/ld+json",
            (".jsonld", ".json"),
            "json-ld",
            "JSON-LD",
            True,
        ),
        Format(
            "rdfxml",
            ox.RdfFormat.RDF_XML,
            "application/rdf+xml",
            (".rdf", ".xml", ".owl"),
            "xml",
            "RDF/XML",
        ),
    )
}


class InputError(Exception):
    """Input that cannot be read as RDF. Says what, where (file, line, column) and what to do."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ):
        self.message, self.source, self.line, self.column, self.hint = (
            message,
            source,
            line,
            column,
            hint,
        )
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.source or "input"
        if self.line is not None:
            where += f", line {self.line}"
            if self.column is not None:
                where += f", column {self.column}"
        text = f"{where}: {self.message}"
        return f"{text}\n  {self.hint}" if self.hint else text

    def as_dict(self) -> dict:
        return {
            k: v
            for k, v in {
                "source": self.source,
                "line": self.line,
                "column": self.column,
                "message": self.message,
                "hint": self.hint,
            }.items()
            if v is not None
        }
