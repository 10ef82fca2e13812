"""The public SPARQL service the web app asks: the pool of query workers over snapshots of the
embedded store, or, on a SPARQL server, the server itself (registry.query.remote); started on
first use."""

from __future__ import annotations

import logging
import threading

from registry.query.guard import QueryError
from registry.query.pool import QueryPool
from registry.query.remote import RemoteQueries
from registry.runtime.allocator import allocator_library
from registry.store.base import StoreError


class QueryService:
    """The query pool, started on first use (spawning workers costs a second), with the
    snapshot it reads refreshed whenever the registry changes."""

    def __init__(self, store, settings):
        self.store, self.settings = store, settings
        self._pool: QueryPool | RemoteQueries | None = None
        self._snapshot: str | None = None
        self._stale = False
        self._lock = threading.Lock()
        self._snapshot_lock = threading.Lock()

    @property
    def remote(self) -> bool:
        """On a SPARQL server, queries go to the server itself: there are no local snapshots."""
        return hasattr(self.store, "query_request")

    def snapshot(self) -> str:
        """The latest snapshot, taken now if the registry changed since the last one: a write
        does not wait for it (profiled: a third of a submission's time), the next query does."""
        with self._snapshot_lock:
            if self._snapshot is None or self._stale:
                self._stale = False  # before the checkpoint: a write during it marks it stale again
                try:
                    self._snapshot = self.store.checkpoint()
                except StoreError as exc:
                    # Reads go on when the disk is full: queries run on the last snapshot taken
                    # (warm-up takes one as the server starts), and the next query tries again.
                    self._stale = True
                    if self._snapshot is None:
                        raise QueryError(
                            "unavailable",
                            "Queries cannot run just now: the registry could not "
                            "make a copy of its store to query (its disk may be full). The "
                            "operator has been told in the log.",
                        ) from exc
                    logging.getLogger("ldr").warning(
                        "no new snapshot for queries (%s); answering from the last one", exc
                    )
            return self._snapshot

    def refresh(self) -> None:
        """The registry has changed: the next query reads a new snapshot. Called for every committed
        change by the record-events spine (create_app subscribes it; registry.store.events)."""
        self._stale = True

    def __call__(self) -> QueryPool | RemoteQueries:
        with self._lock:
            if self._pool is None:
                s = self.settings
                if self.remote:
                    # one worker, only to parse the rare query that could hold SERVICE (the server runs them all)
                    checker = QueryPool(
                        lambda: "",
                        size=1,
                        timeout=s["LDR_QUERY_TIMEOUT"],
                        memory_mb=s["LDR_QUERY_MEMORY_MB"],
                        allocator=allocator_library(s["LDR_ALLOCATOR"]),
                    )
                    self._pool = RemoteQueries(
                        self.store,
                        timeout=s["LDR_QUERY_TIMEOUT"],
                        max_rows=s["LDR_QUERY_MAX_ROWS"],
                        checker=checker,
                        at_once=s["LDR_QUERY_WORKERS"] + s["LDR_QUERY_WAITING"],
                    )
                else:
                    self._pool = QueryPool(
                        self.snapshot,
                        size=s["LDR_QUERY_WORKERS"],
                        timeout=s["LDR_QUERY_TIMEOUT"],
                        max_rows=s["LDR_QUERY_MAX_ROWS"],
                        memory_mb=s["LDR_QUERY_MEMORY_MB"],
                        allocator=allocator_library(s["LDR_ALLOCATOR"]),
                        engine=self.store.engine,
                        waiting=s["LDR_QUERY_WAITING"],
                    )
            return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
