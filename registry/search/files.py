"""Where the search index lives beside the store, and removing it. Apart from the engine (sqlite_fts), so
that `ldr restore`, which builds the index in a process of its own, starts without the model."""

from __future__ import annotations

from pathlib import Path

from registry.runtime.settings import beside_store


def index_path(settings) -> Path:
    return beside_store(settings, "LDR_INDEX_DB", ".index.sqlite")


def remove_index_files(path: Path) -> None:
    """The index and SQLite's journal files beside it."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
