"""Namespaces reused from W3C and others, the registry's own vocabulary, and the IRIs derived
from the base IRI.

The vocabulary (ontology terms, concept schemes and their concepts, shapes) has one namespace,
VOCABULARY, the same in every deployment, so a query or shape written for one registry runs on
another; the RDF files name it in full. Records (``/id/...``, ``/doc/...``) are minted under the
configured base: the data files write them relative (``<id/standards/>``) and are parsed with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

from registry import FilesError

ADMS = Namespace("http://www.w3.org/ns/adms#")
REG = Namespace("http://purl.org/linked-data/registry#")
PROF = Namespace("http://www.w3.org/ns/dx/prof/")
ODRL = Namespace("http://www.w3.org/ns/odrl/2/")
DPV = Namespace("https://w3id.org/dpv#")
SCHEMA = Namespace("https://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
DOAP = Namespace("http://usefulinc.com/ns/doap#")

#: The root of the registry's vocabulary in every deployment (docs/vocabulary.md): not under
#: LDR_BASE. Each registry documents it on its own /def/ pages.
VOCABULARY = "https://w3id.org/local-digital-registry/def/"
LDR = Namespace(VOCABULARY + "ldr#")


def vocabulary_iri(part: str) -> str:
    """The IRI of a part of the vocabulary: 'ldr', 'shapes', a scheme ('phase'), a concept ('phase/alpha')."""
    return VOCABULARY + part


def vocabulary_part(iri: str) -> str | None:
    """The inverse of vocabulary_iri: the part of the vocabulary an IRI names, else None."""
    return iri[len(VOCABULARY) :] if iri.startswith(VOCABULARY) else None


class RegistersError(FilesError):
    """ontology/registers.ttl cannot be read into registers (see FilesError)."""


def _read_registers() -> tuple[str, ...]:
    """The registers ontology/registers.ttl declares, in the order people meet them (each
    register's sh:order): the one list of registers. A new register is a new entry there, with
    its class in ontology/ldr.ttl and its shape in shapes/registry-shapes.ttl."""
    import decimal
    import numbers
    import re

    from rdflib import Graph, Literal, URIRef

    from registry import ROOT

    path = ROOT / "ontology" / "registers.ttl"
    here = "http://registers.invalid/"
    try:
        graph = Graph().parse(path, format="turtle", publicID=here)
    except Exception as exc:  # rdflib's syntax errors have no common base class
        raise RegistersError(f"{path} is not valid Turtle: {exc}") from exc
    found = []
    for register in graph.subjects(RDF.type, REG.Register):
        shown = str(register).replace(here, "")
        name = shown[len("id/") :] if shown.startswith("id/") else ""
        where = f"{path}: the register <{shown}>"
        if not isinstance(register, URIRef) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,59}", name):
            raise RegistersError(
                f"{where} must be written <id/NAME>, NAME in lower-case letters, digits and "
                "hyphens (it is the path of its records' addresses, such as <id/exemplars>)"
            )
        order = graph.value(register, SH.order)
        if not isinstance(order, Literal) or not isinstance(
            order.toPython(), numbers.Real | decimal.Decimal
        ):
            raise RegistersError(
                f"{where} needs its place among the registers as a number: sh:order 8 ;"
            )
        if not isinstance(graph.value(register, REG.containedItemClass), URIRef):
            raise RegistersError(
                f"{where} needs the class of its records: reg:containedItemClass ldr:Need ; "
                "(and that class in ontology/ldr.ttl)"
            )
        found.append((float(order.toPython()), name))
    if not found:
        raise RegistersError(f"{path} declares no register (a reg:Register)")
    return tuple(name for _, name in sorted(found))


#: The registers, in the order people meet them. Their names are the path segment in IRIs.
REGISTERS = _read_registers()

PREFIXES = {
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "dcat": DCAT,
    "foaf": FOAF,
    "org": ORG,
    "prov": PROV,
    "sh": SH,
    "adms": ADMS,
    "reg": REG,
    "prof": PROF,
    "odrl": ODRL,
    "dpv": DPV,
    "schema": SCHEMA,
    "vcard": VCARD,
    "doap": DOAP,
}


@dataclass(frozen=True)
class Base:
    """Everything derived from the configured base IRI."""

    iri: str  # no trailing slash

    @property
    def parse_base(self) -> str:
        """The base for resolving the project's relative IRIs (must end in a slash)."""
        return self.iri + "/"

    @property
    def ldr(self) -> Namespace:
        return LDR

    @property
    def ontology_graph(self) -> str:
        return vocabulary_iri("ldr")

    @property
    def shapes_graph(self) -> str:
        return vocabulary_iri("shapes")

    def scheme_graph(self, name: str) -> str:
        return vocabulary_iri(name)

    @property
    def old_vocabulary(self) -> str:
        """Where the vocabulary was before it had one namespace: under this base (see migrate.py)."""
        return f"{self.iri}/def/"

    def item(self, register: str, reference: str) -> str:
        return f"{self.iri}/id/{register}/{reference}"

    def document(self, register: str, reference: str) -> str:
        return f"{self.iri}/doc/{register}/{reference}"

    def split_item(self, iri: str) -> tuple[str, str] | None:
        """(register, reference) for an item IRI minted here, else None."""
        prefix = f"{self.iri}/id/"
        if not iri.startswith(prefix):
            return None
        parts = iri[len(prefix) :].split("/")
        if len(parts) != 2 or parts[0] not in REGISTERS or not parts[1]:
            return None
        return parts[0], parts[1]

    def prefixes(self) -> dict[str, str]:
        """Every prefix the registry writes and reads: the reused vocabularies and its own."""
        return {**{p: str(ns) for p, ns in PREFIXES.items()}, "ldr": str(self.ldr)}

    def sparql_prefixes(self) -> str:
        return "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in self.prefixes().items()) + "\n"
