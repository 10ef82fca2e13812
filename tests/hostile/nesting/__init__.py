"""Deeply nested documents in every RDF syntax that can nest, and JSON for the checker, made by
`document(syntax, depth)` rather than kept as huge files. The files beside this one are the
same documents at depth 100 (`python -m tests.hostile.nesting` writes them again): small enough
to read, deep enough to be refused (the limit is 64, registry/rdf/text.py MAX_NESTING)."""

from __future__ import annotations

from pathlib import Path

BASE = "http://127.0.0.1:8000"
ITEM = f"{BASE}/id/exemplars/deep"
HERE = Path(__file__).parent

#: file name -> (syntax as registry.rdf.formats names it, media type)
FILES = {
    "blank-nodes.ttl": ("turtle", "text/turtle"),
    "collections.ttl": ("turtle", "text/turtle"),
    "graphs.trig": ("trig", "application/trig"),
    "elements.rdf": ("rdfxml", "application/rdf+xml"),
    "objects.jsonld": ("jsonld", "application/ld+json"),
    "arrays.json": ("json", "application/json"),
}


def document(name: str, depth: int) -> bytes:
    """The document FILES names, nested `depth` levels deep."""
    p = "<http://purl.org/dc/terms/relation>"
    if name == "blank-nodes.ttl":
        text = f"<{ITEM}> {p} " + f"[ {p} " * depth + '"bottom"' + " ]" * depth + " ."
    elif name == "collections.ttl":
        text = f"<{ITEM}> {p} " + "( " * depth + '"bottom"' + " )" * depth + " ."
    elif name == "graphs.trig":
        text = (
            f"<{BASE}/graph> {{ <{ITEM}> {p} "
            + f"[ {p} " * depth
            + '"bottom"'
            + " ]" * depth
            + " . }"
        )
    elif name == "elements.rdf":
        text = (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dcterms="http://purl.org/dc/terms/">'
            f'<rdf:Description rdf:about="{ITEM}">'
            + "<dcterms:relation><rdf:Description>" * (depth // 2)
            + "<dcterms:title>bottom</dcterms:title>"
            + "</rdf:Description></dcterms:relation>" * (depth // 2)
            + "</rdf:Description></rdf:RDF>"
        )
    elif name == "objects.jsonld":
        text = (
            f'{{"@id": "{ITEM}", "http://purl.org/dc/terms/relation": '
            + '{"http://purl.org/dc/terms/relation": ' * depth
            + '"bottom"'
            + "}" * depth
            + "}"
        )
    elif name == "arrays.json":
        text = '{"releases": ' + "[" * depth + "1" + "]" * depth + "}"
    else:
        raise KeyError(name)
    return text.encode()


def write_files(depth: int = 100) -> None:
    for file_name in FILES:
        (HERE / file_name).write_bytes(document(file_name, depth) + b"\n")
