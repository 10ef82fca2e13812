"""The default store: pyoxigraph on disk, opened read-write by one process."""

from __future__ import annotations

import gzip
import shutil
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

import pyoxigraph as ox

from registry.store.base import StoreError, StoreInUse, insert_data
from registry.store.events import Events

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


class EmbeddedStore:
    KEEP_SNAPSHOTS = 3  # a worker may still be reading the one before the latest
    shared = False  # opened read-write by one process only (versions._claimed)
    path: Path | None  # None for a store opened elsewhere (over)

    @classmethod
    def over(cls, store: ox.Store) -> EmbeddedStore:
        """An already open pyoxigraph store (an in-memory one, say) behind the same interface."""
        self = cls.__new__(cls)
        self.path, self.events, self._store = None, Events(), store
        return self

    def __init__(self, path: str | Path, *, create: bool = False):
        self.path = Path(path)
        self.events = (
            Events()
        )  # what subscribes to this store's committed changes (registry.store.events)
        if not create and not self.path.is_dir():
            raise StoreError(
                f"there is no store at {self.path}: create it with `ldr init --store {self.path}`"
            )
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(self.path))
        except OSError as exc:
            if "lock" in str(exc).lower():
                raise StoreInUse(
                    f"cannot open the store at {self.path}: {exc}. Another process (such as `ldr "
                    "serve`) has it open: an embedded store is used by one process at a time, so stop "
                    "that process first."
                ) from exc
            raise StoreError(f"cannot open the store at {self.path}: {exc}.") from exc
        except RuntimeError as exc:  # RocksDB reports damage this way
            raise StoreError(
                f"the store at {self.path} is damaged and cannot be opened: {exc}. Restore it from "
                "a dump (`ldr restore`) or a backup."
            ) from exc

    @property
    def engine(self) -> ox.Store:
        """The open pyoxigraph store, for the endpoint's lookups (registry/query/pool.py), which read
        it directly."""
        return self._store

    def select(self, sparql: str) -> list[dict[str, Node]]:
        from registry.rdf.rdfio import (
            to_rdflib,  # here, so that opening a store does not import rdflib
        )

        # pyoxigraph types every query's result as the union of the three kinds; a SELECT's are
        # solutions
        solutions = cast(ox.QuerySolutions, self._store.query(sparql))
        names = [v.value for v in solutions.variables]
        # a solution iterates over its terms in the variables' order (profiled: faster than by name)
        return [
            {name: to_rdflib(term) for name, term in zip(names, solution) if term is not None}
            for solution in solutions
        ]

    def select_text(self, sparql: str) -> list[dict[str, str]]:
        solutions = cast(ox.QuerySolutions, self._store.query(sparql))
        names = [v.value for v in solutions.variables]
        return [
            {name: term.value for name, term in zip(names, solution) if term is not None}
            for solution in solutions
        ]

    def ask(self, sparql: str) -> bool:
        return bool(self._store.query(sparql))

    def construct(self, sparql: str) -> Graph:
        from rdflib import Graph

        from registry.rdf.rdfio import to_rdflib

        graph = Graph()
        for triple in cast(ox.QueryTriples, self._store.query(sparql)):
            graph.add(
                (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
            )
        return graph

    def update(self, sparql_update: str) -> None:
        try:
            self._store.update(sparql_update)
        except OSError as exc:  # the disk is full or failing: nothing of this update was written
            raise StoreError(
                f"the store could not write to disk, and nothing was changed: {exc}",
                status=507,
                detail=str(exc),
            ) from exc
        except (SyntaxError, ValueError, RuntimeError) as exc:
            raise StoreError(f"the store could not write, and nothing was changed: {exc}") from exc

    def replace_graphs(self, graphs: Mapping[str, Graph]) -> None:
        if not graphs:
            return
        try:
            update = insert_data(graphs)
        except Exception as exc:  # rdflib refuses to write a term that is not valid RDF
            raise StoreError(f"the store could not write, and nothing was changed: {exc}") from exc
        self.update(update)

    def checkpoint(self) -> str:
        """A consistent read-only copy of the store as it is now (hard links, so cheap), for
        query worker processes to open safely while this process goes on writing."""
        assert self.path is not None, "only a store opened on its own directory has snapshots"
        root = self.path.with_name(self.path.name + ".snapshots")
        root.mkdir(parents=True, exist_ok=True)
        target = root / f"{time.time_ns()}"
        try:
            self._store.backup(str(target))
        except OSError as exc:  # a full disk: leave no half-made copy behind
            shutil.rmtree(target, ignore_errors=True)
            raise StoreError(
                f"the store could not make a snapshot for queries: {exc}",
                status=507,
                detail=str(exc),
            ) from exc
        for old in sorted(root.iterdir(), key=lambda p: p.name)[: -self.KEEP_SNAPSHOTS]:
            shutil.rmtree(old, ignore_errors=True)
        return str(target)

    def bulk_load(self, path: Path) -> None:
        """Load a dataset file (N-Quads or TriG, optionally gzipped) with pyoxigraph's bulk loader."""
        fmt = ox.RdfFormat.TRIG if ".trig" in path.name else ox.RdfFormat.N_QUADS
        try:
            if path.name.endswith(".gz"):
                with gzip.open(path, "rb") as data:
                    # a gzip file is a binary file object, though not typed as IO[bytes]
                    self._store.bulk_load(cast(IO[bytes], data), fmt)
            else:
                self._store.bulk_load(path=str(path), format=fmt)
        except (OSError, SyntaxError, ValueError) as exc:
            raise StoreError(f"{path}: {exc}") from exc

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs())

    def dump(self, fmt: str) -> bytes:
        formats = {"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
        # without an output to write to, pyoxigraph returns the bytes
        return cast(bytes, self._store.dump(format=formats[fmt]))

    def is_empty(self) -> bool:
        return len(self._store) == 0

    def close(self) -> None:
        self._store.flush()
        del self._store
