"""One module per kind of harvest source, each a function `read(data, context) -> Mapped` that
turns the bytes fetched from a source into records in the registry's vocabulary, and says, for
every entry or field it could not use, what is wrong and how to fix it at the source. A mapping
never writes and never fetches: registry/harvest/sync.py writes what it returns, and fetch.py
fetched the bytes. docs/harvesting.md has each mapping's table, field by field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from rdflib import Graph, URIRef

from registry.rdf.identifiers import REFERENCE_MAX
from registry.vocab.model import Model


@dataclass(frozen=True)
class Problem:
    """Something in the source the registry could not use, in words its maintainer can act on.

    `entry`: the entry of the source it is about (a software's name, an API's address), or ""
    for the whole file. `field`: the source's own name for the field (legal/license, url), or
    "". `message`: what is wrong and how to fix it. `severity`: "error" when the entry was left
    out, "warning" when it was kept without that field."""

    entry: str
    field: str
    message: str
    severity: str = "error"


@dataclass
class Mapped:
    """What a source holds, as records: IRI -> description (with its type, title, description,
    dcterms:source, prov:wasDerivedFrom the address it came from, and ldr:harvestedFrom the
    source), and the problems found reading it. reg:status is left to the sync."""

    records: dict[str, Graph] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    """What a mapping needs to know besides the bytes: the vocabulary (and through it the base
    IRIs are minted under), the source's IRI, the address the bytes came from, the organisation
    that owns the source (publisher of what it harvests), and the organisations registered
    here by lower-case title or alternative name -> IRI, to match names against (a name that
    matches none is reported, never invented)."""

    model: Model
    source: URIRef
    address: str
    owner: URIRef
    organisations: Mapping[str, str] = field(default_factory=dict)
    #: fetches another file the source names (an address, absolute or relative to `address`),
    #: with the same safety checks and limits as the source itself; None when there is no
    #: network to use (a file uploaded to the dry run), and a mapping then does without
    related: Callable[[str], bytes] | None = None


def reference_for(*parts: str) -> str:
    """A record reference made from words or an address (lower case, hyphens, ASCII), the same
    every run for the same input: `reference_for("github.com/italia/bootstrap-italia")` is
    github-com-italia-bootstrap-italia. Too long, it keeps the end, which names the thing."""
    text = " ".join(parts)
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text.strip().lower())
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"\.git$|/+$", "", text)
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "record"
    return slug[-REFERENCE_MAX:].lstrip("-")


Reader = Callable[[bytes, Context], Mapped]
