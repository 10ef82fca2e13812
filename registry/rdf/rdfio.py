"""Reading and writing RDF: parsing with limits and errors that say where input is wrong
(the syntaxes and the error itself are in rdf_formats), serialising, and term conversion.

Parsing uses pyoxigraph (fast, precise line and column in errors, no network access: it has
no document loader, so a JSON-LD ``@context`` naming a remote document is never fetched);
the result is handed on as an rdflib graph, which pyshacl and the serialisers need.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from registry.rdf.formats import FORMATS, Format, InputError  # noqa: F401 (also imported from here)
from registry.rdf.text import MAX_NESTING, line_and_column, nesting_depth, xml_safe_bytes


def format_for_path(path: str | Path) -> Format:
    suffix = Path(path).suffix.lower()
    for fmt in FORMATS.values():
        if suffix in fmt.extensions:
            return fmt
    known = ", ".join(sorted(e for f in FORMATS.values() for e in f.extensions))
    raise InputError(
        f"cannot tell the RDF syntax from the extension {suffix or '(none)'!r}",
        source=str(path),
        hint=f"Use one of: {known}.",
    )


def format_for_media_type(media_type: str) -> Format | None:
    media_type = media_type.split(";")[0].strip().lower()
    for fmt in FORMATS.values():
        if fmt.media_type == media_type:
            return fmt
    return {
        "application/json": FORMATS["jsonld"],
        "application/xml": FORMATS["rdfxml"],
        "text/xml": FORMATS["rdfxml"],
        "text/plain": FORMATS["ntriples"],
    }.get(media_type)


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The file's bytes, refusing before reading if it is larger than the limit."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", source=str(path)) from exc
    if size > max_bytes:
        raise InputError(
            f"the file is {size:,} bytes, more than the limit of {max_bytes:,} bytes",
            source=str(path),
            hint="Split it into smaller files, or raise LDR_MAX_INPUT_BYTES.",
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", source=str(path)) from exc


#: The most statements one submission over HTTP may hold (`ldr load` has no such cap: its files
#: are the operator's). Parsing stops as soon as it is passed, before validation, whose time
#: grows with the size of the submission.
MAX_SUBMISSION_STATEMENTS = 50_000


def parse(
    data: bytes,
    fmt: Format,
    base: str,
    *,
    source: str = "input",
    max_bytes: int | None = None,
    max_statements: int | None = None,
) -> Graph:
    """Parse bytes into an rdflib graph (named graphs in dataset formats are merged).

    Raises InputError for empty, oversized, binary or malformed input, with line and column;
    for input nested deeper than MAX_NESTING (found before the parser runs); and, if
    `max_statements` is given, as soon as the input holds more statements than that.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(
            f"the input is {len(data):,} bytes, more than the limit of {max_bytes:,} bytes",
            source=source,
            hint="Split it into smaller files, or raise LDR_MAX_INPUT_BYTES.",
        )
    if not data.strip():
        raise InputError(
            "the input is empty: there is nothing to read",
            source=source,
            hint=f"Give an RDF document in {fmt.label} syntax.",
        )
    if b"\x00" in data[:65536]:
        raise InputError(
            "the input is binary, not text",
            source=source,
            hint=f"Give an RDF document in {fmt.label} syntax (UTF-8 text).",
        )
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            "the input is not UTF-8 text",
            source=source,
            line=line,
            column=column,
            hint="Save the file as UTF-8.",
        ) from exc
    if fmt.ox == ox.RdfFormat.RDF_XML:
        _refuse_dtd(data, source)
    refuse_deep(data, fmt.name, source, fmt.label)
    graph = Graph()
    try:
        for quad in ox.parse(data, fmt.ox, base_iri=base):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
            if max_statements is not None and len(graph) > max_statements:
                raise InputError(
                    f"the input holds more than {max_statements:,} statements, the most one "
                    "submission may hold",
                    source=source,
                    hint="Send the records in several smaller submissions (or, for an operator, "
                    "load the files with `ldr load`).",
                )
    except SyntaxError as exc:
        if "LoadDocumentCallback" in str(exc):
            raise InputError(
                "the JSON-LD names a remote @context, and the registry never fetches remote documents",
                source=source,
                line=exc.lineno,
                column=exc.offset,
                hint='Put the context itself in the document ("@context": { ... }) instead of its address.',
            ) from exc
        raise InputError(
            _syntax_message(exc, fmt),
            source=source,
            line=exc.lineno,
            column=exc.offset,
            hint=f"Check the {fmt.label} syntax at that place"
            f"{' (or the file extension, if the file is in another syntax)' if source != 'input' else ''}.",
        ) from exc
    except (ValueError, OSError) as exc:
        raise InputError(f"cannot be read as {fmt.label}: {exc}", source=source) from exc
    if len(graph) == 0:
        raise InputError(
            f"no RDF statements were found in this {fmt.label} input",
            source=source,
            hint="Check that the file holds data, not only prefixes or comments.",
        )
    return graph


def refuse_deep(data: bytes, syntax: str, source: str, label: str) -> None:
    """Refuse input that nests deeper than MAX_NESTING, from a scan of its text: before any
    parser runs (RDF/XML parsing is quadratic in depth, and the readers after it recurse)."""
    depth, offset = nesting_depth(data, syntax)
    if offset >= 0:
        line, column = line_and_column(data, offset)
        what = {
            "rdfxml": "elements",
            "jsonld": "objects or arrays",
            "json": "objects or arrays",
        }.get(syntax, "blank nodes [ ], collections ( ) or graphs { }")
        raise InputError(
            f"the {label} nests {what} more than {MAX_NESTING} levels deep, the most the registry "
            "reads",
            source=source,
            line=line,
            column=column,
            hint="Flatten the document: records need only a few levels (name deeply nested "
            "things with IRIs of their own).",
        )


def _refuse_dtd(data: bytes, source: str) -> None:
    """RDF/XML with a document type declaration is refused before parsing: its entities would be
    expanded (a few hundred bytes of "billion laughs" become gigabytes) or point at files and
    servers. RDF/XML never needs one."""
    found = re.search(rb"<!DOCTYPE|<!ENTITY", data, flags=re.IGNORECASE)
    if found:
        line = data[: found.start()].count(b"\n") + 1
        column = found.start() - (data.rfind(b"\n", 0, found.start()) + 1) + 1
        raise InputError(
            "the RDF/XML has a document type declaration (<!DOCTYPE> or <!ENTITY>), which the registry "
            "refuses: entities could expand without limit or read other files",
            source=source,
            line=line,
            column=column,
            hint="Remove the DOCTYPE and write each entity out in full (namespace IRIs as xmlns attributes).",
        )


def _syntax_message(exc: SyntaxError, fmt: Format) -> str:
    text = str(exc.msg if hasattr(exc, "msg") else exc)
    # pyoxigraph prefixes its own position ("Parser error at line 2 between columns 10 and 12: ...")
    if ": " in text and text.startswith("Parser error"):
        text = text.split(": ", 1)[1]
    return f"not valid {fmt.label}: {text}"


def serialize(graph: Graph, fmt: Format) -> bytes:
    if fmt.name == "jsonld":
        return graph.serialize(format="json-ld", auto_compact=True).encode("utf-8")
    body = graph.serialize(format=fmt.rdflib_name, encoding="utf-8")
    # rdflib writes control characters into XML as they are, which no XML reader accepts: data
    # stored before the rule against them (registry/rdf/text.py) must still give well-formed XML.
    return xml_safe_bytes(body) if fmt.name == "rdfxml" else body


# --- term conversion between pyoxigraph and rdflib -------------------------------------------

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term):
    if isinstance(term, ox.NamedNode):
        return _iri(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return _language_literal(term.value, term.language)
        if term.datatype.value == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise ValueError(f"unsupported RDF term {term!r}")


@lru_cache(maxsize=65536)
def _iri(value: str) -> URIRef:
    """rdflib checks every IRI it is given; the same IRIs (properties, vocabularies, organisations)
    come back from the store again and again (profiled: a tenth of an index rebuild)."""
    return URIRef(value)


@lru_cache(maxsize=65536)
def _language_literal(text: str, language: str) -> Literal:
    """rdflib checks a language tag with a regular expression each time: the store's tags are
    already valid, and the same texts come back on every page, so remember them."""
    return Literal(text, lang=language)


def to_ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise ValueError(f"unsupported RDF term {term!r}")
