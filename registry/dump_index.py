"""The search index of a dump, built in a process of its own while `ldr restore` bulk-loads
the same dump into the store.

The bulk loader keeps one core busy; this reads the dump on the other, keeps in memory what the
index is made from (the current descriptions in the default graph, when each record last
changed, the registry's latest change: about a quarter of a dump) and indexes it from there, so
a restore takes about as long as the load alone (docs/benchmarks.md) instead of the load and
then a rebuild. Run as
`python -m registry.dump_index DUMP INDEX BASE`: it writes INDEX and prints the record count.
"""
from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

from .model import load_model
from .search_index import SearchIndex, remove_index_files
from .store.embedded import EmbeddedStore
from .versions import state_graph

#: Outside the default graph, the index reads only these (see search_index._documents).
HISTORY = (ox.NamedNode("http://purl.org/linked-data/version#currentVersion"),
           ox.NamedNode("http://www.w3.org/ns/prov#generatedAtTime"))


def build(dump: Path, index: Path, base: str) -> int:
    model = load_model(base)
    state = ox.NamedNode(state_graph(model))
    fmt = ox.RdfFormat.TRIG if ".trig" in dump.name else ox.RdfFormat.N_QUADS
    memory = ox.Store()
    with (gzip.open(dump, "rb") if dump.name.endswith(".gz") else dump.open("rb")) as data:
        memory.bulk_extend(quad for quad in ox.parse(data, format=fmt)
                           if type(quad.graph_name) is ox.DefaultGraph or quad.predicate in HISTORY
                           or quad.graph_name == state)
    remove_index_files(index)
    built = SearchIndex(index)
    try:
        return built.rebuild(EmbeddedStore.over(memory), model)
    finally:
        built.close()
        built.lock_path.unlink(missing_ok=True)


class Indexer:
    """The indexing process, started beside a bulk load and finished (or abandoned) after it."""

    def __init__(self, dump: Path, index: Path, base: str):
        self.index = index
        self.building = index.with_name(index.name + ".building")
        self.process = subprocess.Popen([sys.executable, "-m", "registry.dump_index", str(dump),
                                         str(self.building), base],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

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
