"""The search index of a dump, built in a process of its own while `ldr restore` bulk-loads
the same dump into the store.

The bulk loader keeps one core busy; this reads the dump on the other, keeps in memory what the
index is made from (the current descriptions in the default graph, when each record last
changed, the registry's latest change: about a quarter of a dump) and indexes it from there, so
a restore takes about as long as the load alone (docs/benchmarks.md) instead of the load and
then a rebuild. Run as
`python -m registry.search.dump_index DUMP INDEX BASE`: it writes INDEX and prints the record count.
"""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, cast

import pyoxigraph as ox

from registry.search.files import remove_index_files
from registry.store.layout import LAST_CHANGED_PREDICATES

#: Outside the default graph, the index reads only these (see store.layout.last_changed).
HISTORY = tuple(ox.NamedNode(p) for p in LAST_CHANGED_PREDICATES)


def build(dump: Path, index: Path, base: str) -> int:
    # imported here: the restore that starts this process only needs Indexer, and starts sooner
    from registry.search.sqlite_fts import SqliteSearchIndex
    from registry.store.embedded import EmbeddedStore
    from registry.store.layout import state_graph
    from registry.vocab.model import load_model

    model = load_model(base)
    state = ox.NamedNode(state_graph(model))
    memory = ox.Store()
    with gzip.open(dump, "rb") if dump.name.endswith(".gz") else dump.open("rb") as data:
        if ".trig" in dump.name:
            # a gzip file is a binary file object, though not typed as IO[bytes]
            quads = ox.parse(cast(IO[bytes], data), format=ox.RdfFormat.TRIG)
            memory.bulk_extend(
                quad
                for quad in quads
                if type(quad.graph_name) is ox.DefaultGraph
                or quad.predicate in HISTORY
                or quad.graph_name == state
            )
        else:
            # One load, so a blank node keeps its identity across the whole dump.
            memory.bulk_load(
                input=io.BufferedReader(_Chunks(_lines_to_index(data, state)), 1 << 20),
                format=ox.RdfFormat.N_QUADS,
            )
    remove_index_files(index)
    built = SqliteSearchIndex(index)
    try:
        return built.rebuild(EmbeddedStore.over(memory), model)
    finally:
        built.close()
        built.lock_path.unlink(missing_ok=True)


_HISTORY_TOKENS = frozenset(f"<{p.value}>".encode() for p in HISTORY)


def _lines_to_index(lines: Iterable[bytes], state: ox.NamedNode) -> Iterator[bytes]:
    """The N-Quads lines the index may need, in batches: every line but those that are surely a
    quad in a named graph other than `state` whose predicate is not one of HISTORY. Profiled at
    5M quads: making a Python quad of every line to look at its graph was half of the indexing
    process's CPU, which the bulk load beside it needs.

    A line is dropped only when it ends in `<IRI> .` and that IRI is a graph name, not the
    object: the rest of the line is then three terms, the first two (subject and predicate)
    without spaces in them. Anything unusual — a comment, a quoted triple, a datatype written
    apart from its literal — is kept, and the parser sees it."""
    state_token = f"<{state.value}>".encode()
    batch: list[bytes] = []
    size = 0
    for line in lines:
        if line.endswith(b"> .\n") and b"<<" not in line:
            rest, last, _ = line.rsplit(None, 2)
            if (
                last[:1] == b"<"
                and b'"' not in last
                and last != state_token
                and not rest.endswith(b"^^")
            ):
                terms = rest.split(None, 2)
                if len(terms) == 3 and terms[1] not in _HISTORY_TOKENS:
                    continue
        batch.append(line)
        size += len(line)
        if size >= 1 << 20:
            yield b"".join(batch)
            batch, size = [], 0
    if batch:
        yield b"".join(batch)


class _Chunks(io.RawIOBase):
    """Byte chunks read as a file (the parser reads a file; a BufferedReader in front of this
    keeps its small reads out of Python)."""

    def __init__(self, chunks: Iterator[bytes]):
        self._chunks = chunks
        self._pending = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = memoryview(chunk)
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


class Indexer:
    """The indexing process, started beside a bulk load and finished (or abandoned) after it."""

    def __init__(self, dump: Path, index: Path, base: str):
        self.index = index
        self.building = index.with_name(index.name + ".building")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "registry.search.dump_index",
                str(dump),
                str(self.building),
                base,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def finish(self) -> int | None:
        """The number of records indexed, with the index moved into place; None if the process
        failed (the caller then rebuilds from the store)."""
        out, _ = self.process.communicate()
        if self.process.returncode != 0:
            remove_index_files(self.building)
            return None
        remove_index_files(self.index)
        self.building.replace(self.index)
        return int(out.split()[0])

    def abandon(self) -> None:
        self.process.kill()
        self.process.wait()
        remove_index_files(self.building)


if __name__ == "__main__":
    count = build(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3])
    print(count)
