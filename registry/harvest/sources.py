"""Harvest sources as the registry holds them: records of the sources register, read into what
a run needs (kind, address, schedule, owner, licence, runs before withdrawal, whether a steward
has approved it)."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import DCAT, DCTERMS

from registry.rdf.namespaces import REG
from registry.records.versions import current_record
from registry.store import Store
from registry.vocab.model import Model

#: A record missing from its source this many runs in a row is withdrawn, unless the source says.
WITHDRAW_AFTER = 2
#: The statuses of a source a steward has approved: only these run.
APPROVED = (REG.statusStable, REG.statusExperimental)


class SourceError(ValueError):
    """The source cannot be run; the message says why and what to do."""


@dataclass(frozen=True)
class Source:
    iri: URIRef
    title: str
    kind: str  # publiccode, dcat, api-catalogue, api-list
    address: str
    schedule: str  # manual, daily, weekly
    owner: URIRef
    licence: str
    withdraw_after: int
    status: URIRef | None

    @property
    def approved(self) -> bool:
        return self.status in APPROVED

    @property
    def reference(self) -> str:
        return str(self.iri).rstrip("/").rsplit("/", 1)[-1]


def _last_part(node) -> str:
    return str(node).rstrip("/").rsplit("/", 1)[-1] if node is not None else ""


def read_source(store: Store, model: Model, iri: str) -> Source:
    """The source registered at this IRI; SourceError if there is none."""
    ldr = model.base.ldr
    split = model.base.split_item(iri)
    if split is None or split[0] != "sources":
        raise SourceError(
            f"{iri} is not a harvest source: sources are registered at "
            f"{model.base.iri}/id/sources/REFERENCE"
        )
    graph = current_record(store, model, iri)
    node = URIRef(iri)
    if (node, None, None) not in graph:
        raise SourceError(
            f"No harvest source is registered at {iri}. Register one first (the sources "
            "register's form, POST /sources, or `ldr harvest add`)."
        )
    withdraw = graph.value(node, ldr.withdrawAfter)
    owner = graph.value(node, DCTERMS.publisher)
    return Source(
        iri=node,
        title=str(graph.value(node, DCTERMS.title) or _last_part(node)),
        kind=_last_part(graph.value(node, ldr.harvestKind)),
        address=str(graph.value(node, DCAT.accessURL) or ""),
        schedule=_last_part(graph.value(node, ldr.schedule)) or "manual",
        owner=URIRef(str(owner)) if owner is not None else URIRef(""),
        licence=str(graph.value(node, DCTERMS.license) or ""),
        withdraw_after=int(str(withdraw)) if withdraw is not None else WITHDRAW_AFTER,
        status=graph.value(node, REG.status),  # type: ignore[arg-type]
    )


def registered_sources(store: Store, model: Model) -> list[str]:
    """The IRI of every harvest source registered here, in order."""
    ldr = model.base.ldr
    return sorted(
        str(row["s"]) for row in store.select(f"SELECT ?s WHERE {{ ?s a <{ldr}HarvestSource> }}")
    )
