"""The search and listing index as SQLite FTS5: one file beside the store, kept in step with it,
rebuilt with `ldr reindex`. It implements registry.search.index.SearchIndex.

List pages, facet counts and search are served from here, not from SPARQL: at a million
triples an ORDER BY or GROUP BY over the store takes seconds, a lookup here milliseconds.
The store stays the source of truth; the index can always be thrown away and rebuilt.
"""

from __future__ import annotations

import datetime
import fcntl
import json
import logging
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import cast

from rdflib import URIRef
from rdflib.namespace import SKOS

from registry.rdf.namespaces import REGISTERS
from registry.records.versions import last_change
from registry.search.documents import (
    ALLOWED_SHOWN,
    FACET_SCHEMES,
    FACETS,
    FacetValues,
    Hit,
    UnknownFilterValue,
    UnknownFilterValues,
    documents,
    facet_key,
    led_or_partnered,
    scheme_keys,
)
from registry.search.files import remove_index_files
from registry.store import Store
from registry.store.layout import last_changed
from registry.vocab.model import Model

log = logging.getLogger(__name__)

SCHEMA_VERSION = 12  # 12: region and council type of lead and partner councils


#: The register name under which facet_totals keeps the counts over every register.
ALL = "*"


#: Seconds of clock difference between writers that catching up allows for.
CLOCK_MARGIN = 120


#: A word found in more records than this is too common to pick similar records by (see _candidate_match).
COMMON_WORD = 500


#: Words are counted up to this many records: enough to tell the rarest of common words apart.
COUNTED_UP_TO = 20_000


#: Seconds a word's count is remembered: counts drift slowly as records come and go.
WORD_COUNTS_KEPT = 600


#: A catch-up that finds more than one record in this many changed rebuilds the index instead:
#: measured at 5M triples (100,000 records), re-indexing costs about 1.1 ms a record and a
#: rebuild 0.3 ms for every record in the index.
REBUILD_SHARE = 4


#: seconds before a catch-up that failed (a full disk) is tried again; meanwhile reads are
#: answered from the index as it is
CATCH_UP_RETRY = 30


#: How the facets table is looked up: by facet value, by register and value, by record.
FACET_INDEXES = {
    "facets_by_key": "CREATE INDEX IF NOT EXISTS facets_by_key ON facets (facet, key, rid)",
    "facets_by_register": "CREATE INDEX IF NOT EXISTS facets_by_register ON facets (facet, register, key, rid)",
    "facets_by_record": "CREATE INDEX IF NOT EXISTS facets_by_record ON facets (rid, facet, key, label)",
}


SORTS = {
    "title": "sort_title ASC",
    "-title": "sort_title DESC",
    "modified": "modified ASC",
    "-modified": "modified DESC",
}


class SqliteSearchIndex:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._generation = 0
        #: a query's key -> (the index's version, (its row ids as a JSON array, how many)) (_kept)
        self._match_cache: dict[tuple, tuple[tuple, tuple[str, int]]] = {}
        self._retry_at = 0.0  # when a catch-up that failed may be tried again (catch_up)
        self._word_counts: dict[str, int] = {}
        self._word_counts_since = time.monotonic()
        with self._between_processes():  # several web processes may open a new index at once
            try:
                self._open()
            except sqlite3.OperationalError:
                raise  # busy or unreadable for now: not a reason to throw another process's index away
            except sqlite3.DatabaseError:
                # A damaged or half-deleted index is only derived data: start it again.
                remove_index_files(self.path)
                self._open()

    @property
    def lock_path(self) -> Path:
        """The file writers in different processes take turns on."""
        return self.path.with_name(self.path.name + ".lock")

    @contextmanager
    def _undone_on_error(self):
        """A write that fails part-way (a full disk) is rolled back, so the connection is not left
        inside a transaction and reads go on answering from the index as it was."""
        try:
            yield
        except BaseException:
            if self._db.in_transaction:
                try:
                    self._db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # SQLite may have rolled it back itself
            raise

    @contextmanager
    def _between_processes(self):
        """One writer at a time across processes (web workers sharing the file), besides SQLite's
        own locking, which refuses rather than waits when two start a fresh index together."""
        with open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _open(self) -> None:
        self._db = sqlite3.connect(
            str(self.path), check_same_thread=False, isolation_level=None, timeout=30
        )
        self._db.execute("PRAGMA journal_mode=WAL")
        # Derived data: a commit need not wait for the disk. After a power cut the index may miss
        # its last writes, and catches up with the store (catch_up) as it does after any gap.
        self._db.execute("PRAGMA synchronous=NORMAL")
        if self._db.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
            # An index from another version of the software: it is only derived data, so start again.
            self._db.executescript(
                "DROP TABLE IF EXISTS records; DROP TABLE IF EXISTS facets; DROP TABLE IF EXISTS search; "
                "DROP TABLE IF EXISTS facet_totals;"
            )
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._db.executescript("""
            CREATE TABLE IF NOT EXISTS records (iri TEXT PRIMARY KEY, register TEXT, title TEXT, sort_title TEXT,
                description TEXT, status TEXT, modified TEXT);
            CREATE INDEX IF NOT EXISTS records_register ON records (register, sort_title);
            CREATE INDEX IF NOT EXISTS records_by_title ON records (sort_title, iri);
            -- rid: the record's rowid in `records` (and in `search`): integers join faster than IRIs
            CREATE TABLE IF NOT EXISTS facets (rid INTEGER, facet TEXT, value TEXT, key TEXT, label TEXT, register TEXT);
            CREATE TABLE IF NOT EXISTS seen (name TEXT PRIMARY KEY, value TEXT);
            CREATE TABLE IF NOT EXISTS facet_totals (register TEXT, facet TEXT, key TEXT, label TEXT, n INTEGER,
                PRIMARY KEY (register, facet, key));
            CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(iri UNINDEXED, title, description, keywords,
                organisations, tokenize = 'porter unicode61');
        """)
        for sql in FACET_INDEXES.values():
            self._db.execute(sql)

    # --- keeping in step -------------------------------------------------------------------

    def rebuild(self, store: Store, model: Model) -> int:
        """Throw the index away and build it again from the store."""
        change, stamp = last_change(store, model)
        rows = documents(store, model, None)
        with self._lock, self._between_processes(), self._undone_on_error():
            self._db.execute("BEGIN IMMEDIATE")
            for table in ("search", "records", "facets", "facet_totals"):
                self._db.execute(f"DELETE FROM {table}")
            # the facets' indexes made once all rows are in (profiled: keeping three indexes up
            # to date row by row was most of the facets' insert time)
            for name in FACET_INDEXES:
                self._db.execute(f"DROP INDEX {name}")
            self._insert_all(rows)
            for sql in FACET_INDEXES.values():
                self._db.execute(sql)
            # the totals counted once at the end (profiled: keeping them record by record was
            # half of a rebuild's time in SQLite)
            self._db.execute(
                "INSERT INTO facet_totals SELECT register, facet, key, MIN(label), COUNT(*) FROM facets "
                "GROUP BY register, facet, key"
            )
            self._db.execute(
                "INSERT INTO facet_totals SELECT ?, facet, key, MIN(label), COUNT(*) FROM facets "
                "GROUP BY facet, key",
                (ALL,),
            )
            self._remember(change, stamp)
            self._db.execute(
                "INSERT OR REPLACE INTO seen VALUES ('vocabulary', ?)", (_vocabulary(model),)
            )
            # the full-text index in one piece: a rebuild leaves it in many segments, and merging
            # them a little on every later write made about one submission in fifty take 14-43 ms
            # more at 5M (measured); merged now, 0.6 s at 5M
            self._db.execute("INSERT INTO search(search) VALUES ('optimize')")
            self._db.execute("COMMIT")
            self._generation += 1
            self._word_counts.clear()
        return len(rows)

    def catch_up(self, store: Store, model: Model) -> SqliteSearchIndex:
        """Bring the index up to the store's latest change, whoever made it: another web process
        or another machine writing to the same store. One small query when nothing changed.

        Reads go on when it cannot (the disk is full, so the index cannot be written): the index
        answers as it is, a little behind, and the next try is CATCH_UP_RETRY seconds later, so
        a full disk does not make every page try (and fail) a rebuild."""
        if time.monotonic() < self._retry_at:
            return self
        try:
            return self._catch_up(store, model)
        except (sqlite3.OperationalError, OSError) as exc:
            self._retry_at = time.monotonic() + CATCH_UP_RETRY
            log.warning(
                "the search index could not catch up with the store (%s); answering from it as it is, "
                "and trying again in %d s",
                exc,
                CATCH_UP_RETRY,
            )
            return self

    def _catch_up(self, store: Store, model: Model) -> SqliteSearchIndex:
        change, stamp = last_change(store, model)
        with self._lock:
            seen = dict(self._db.execute("SELECT name, value FROM seen").fetchall())
        if seen.get("vocabulary") != _vocabulary(model) and (change or self.count()):
            # labels and facets come from the vocabulary: new files, or other languages
            self.rebuild(store, model)
            return self
        if seen.get("change") == change and (change or self.count()):
            return self
        if not seen.get("stamp"):
            self.rebuild(store, model)
            return self
        since = (
            datetime.datetime.fromisoformat(seen["stamp"].replace("Z", "+00:00"))
            - datetime.timedelta(seconds=CLOCK_MARGIN)
        ).isoformat()
        rows = store.select(f"""SELECT DISTINCT ?s WHERE {{ {last_changed("?s", "?t")}
            FILTER(?t >= "{since}"^^<http://www.w3.org/2001/XMLSchema#dateTime>) }}""")
        changed = [str(r["s"]) for r in rows]
        if len(changed) * REBUILD_SHARE > sum(self.count().values()):
            self.rebuild(store, model)
        else:
            self.update(store, model, changed, seen=(change, stamp))
        return self

    def _remember(self, change: str, stamp: str) -> None:
        self._db.executemany(
            "INSERT OR REPLACE INTO seen VALUES (?, ?)", [("change", change), ("stamp", stamp)]
        )

    def update(
        self, store: Store, model: Model, iris: list[str], seen: tuple[str, str] | None = None
    ) -> None:
        """Re-index the given records (called after every write); `seen` is the store's latest
        change as read before the records were, to remember as caught up to."""
        iris = list(dict.fromkeys([*iris, *led_or_partnered(store, model, iris)]))
        rows = documents(store, model, iris)
        with self._lock, self._between_processes(), self._undone_on_error():
            self._db.execute("BEGIN IMMEDIATE")
            for iri in iris:
                self._forget(iri)
            self._insert(rows)
            if seen is not None:
                self._remember(*seen)
            self._db.execute("COMMIT")
            self._generation += 1

    def _forget(self, iri: str) -> None:
        """Remove one record: its search row (by the records row it shares a rowid with), its
        facets and its share of the facet totals."""
        found = self._db.execute("SELECT rowid FROM records WHERE iri = ?", (iri,)).fetchone()
        if found is None:
            return
        rid = found[0]
        self._db.execute("DELETE FROM search WHERE rowid = ?", (rid,))
        # each total the record counted in, found by its key (profiled at 5M triples: one UPDATE
        # over a subquery, then a sweep for emptied totals, scanned the whole table: 6 ms a record)
        totals = [
            (in_register, facet, key)
            for register, facet, key in self._db.execute(
                "SELECT register, facet, key FROM facets WHERE rid = ?", (rid,)
            )
            for in_register in (register, ALL)
        ]
        self._db.executemany(
            "UPDATE facet_totals SET n = n - 1 WHERE register = ? AND facet = ? AND key = ?", totals
        )
        self._db.executemany(
            "DELETE FROM facet_totals WHERE register = ? AND facet = ? AND key = ? AND n <= 0",
            totals,
        )
        self._db.execute("DELETE FROM facets WHERE rid = ?", (rid,))
        self._db.execute("DELETE FROM records WHERE rowid = ?", (rid,))

    def _insert(self, rows: list[dict]) -> None:
        """Records added to an index that holds others, their facet totals counted in."""
        for row in rows:
            # an INSERT's lastrowid is the new row's
            rid = cast(int, self._db.execute(INSERT_RECORD, _record_values(None, row)).lastrowid)
            facets = _facet_rows(rid, row)
            self._db.executemany(INSERT_FACET, facets)
            self._db.executemany(
                "INSERT INTO facet_totals VALUES (?, ?, ?, ?, 1) ON CONFLICT (register, facet, key) DO UPDATE SET n = n + 1",
                [
                    (in_register, facet, key, label)
                    for _, facet, _, key, label, register in facets
                    for in_register in (register, ALL)
                ],
            )
            self._db.execute(INSERT_SEARCH, _search_values(rid, row))

    def _insert_all(self, rows: list[dict]) -> None:
        """A rebuild's records into empty tables, numbered here, each table in one statement
        (profiled: three statements per record were half of a rebuild)."""
        self._db.executemany(
            INSERT_RECORD, [_record_values(rid, row) for rid, row in enumerate(rows, start=1)]
        )
        self._db.executemany(
            INSERT_FACET,
            [facet for rid, row in enumerate(rows, start=1) for facet in _facet_rows(rid, row)],
        )
        self._db.executemany(
            INSERT_SEARCH, [_search_values(rid, row) for rid, row in enumerate(rows, start=1)]
        )

    # --- reading -----------------------------------------------------------------------------

    def similar_candidates(self, register: str, text: str, limit: int = 40) -> list[dict]:
        """The records of a register whose words best match the text: candidates for the
        similar-record warnings, as rows with s, title and description."""
        with self._lock:
            match = self._candidate_match(_longest_words(text))
            if not match:
                return []
            rows = self._db.execute(
                "SELECT r.iri, r.title, r.description FROM search JOIN records r ON r.rowid = search.rowid "
                "WHERE search MATCH ? AND r.register = ? ORDER BY bm25(search, 0, 10.0, 2.0, 0, 0) LIMIT ?",
                [match, register, limit],
            ).fetchall()
        return [
            {"s": iri, "title": title, "description": description or ""}
            for iri, title, description in rows
        ]

    def _candidate_match(self, words: list[str]) -> str:
        """The full-text query for similar records: any of the words that can tell records apart
        (found in at most COMMON_WORD records). When fewer than three are, records must share the
        three rarest words found. Profiled at 1M triples: a word in thousands of records ("time",
        "into") OR-ed in made bm25 score every one of them, 11 of a submission's 34 ms; and at 5M,
        with only common words left, 21 ms for the OR against 1.4 ms for the AND. A record close
        enough to warn about shares the rare words anyway. Called under the lock."""
        found = sorted((n, word) for word in words if (n := self._records_with(word)))
        telling = [f'"{w}"' for n, w in found if n <= COMMON_WORD]
        if len(telling) < 3 and found:
            telling.append("(" + " AND ".join(f'"{w}"' for _, w in found[:3]) + ")")
        return " OR ".join(telling)

    def _records_with(self, word: str) -> int:
        """How many records hold the word, counted up to COUNTED_UP_TO and remembered for a while.
        Counted only as far as COMMON_WORD, every common word tied, and the "three rarest" were
        the first three in alphabetical order: at 5M, words in every exemplar ("council",
        "designed") matched 55,000 records and took 53 ms; the rarest by count, a few dozen.
        Counting a word in 55,000 records takes 1.5 ms, hence the memory of common words' counts.
        Called under the lock."""
        if (
            time.monotonic() - self._word_counts_since > WORD_COUNTS_KEPT
            or len(self._word_counts) > 100_000
        ):
            self._word_counts.clear()
            self._word_counts_since = time.monotonic()
        n = self._word_counts.get(word)
        if n is None:
            (n,) = self._db.execute(
                "SELECT count(*) FROM (SELECT 1 FROM search WHERE search MATCH ? LIMIT ?)",
                [f'"{word}"', COUNTED_UP_TO],
            ).fetchone()
            if n > COMMON_WORD:
                # only common words are remembered: a rare word's count is cheap, and a word new
                # to the index must be found the moment a record with it is written
                self._word_counts[word] = n
        return n

    def count(self, register: str | None = None) -> dict[str, int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT register, COUNT(*) FROM records GROUP BY register"
            ).fetchall()
        return dict(rows)

    def _matching(
        self, register: str | None, filters: dict[str, list[str]], match: str = ""
    ) -> tuple[str, list, int | None]:
        """A query for the row ids (rid) of the records that meet every filter (and the text match), driven
        by the filters themselves: a rare value is found from the facets index without walking
        the whole register (profiled: counting through every record took 70 ms at 20,000); and how
        many it finds, when that is known. When it intersects several conditions its rows are
        worked out once and kept (see _kept): a page with two filters used the same intersection
        for its records, their count and the other facets' counts (profiled at 10M: 14 ms each time)."""
        parts, params = [], []
        for facet, values in filters.items():
            if not values or facet not in FACETS:
                continue
            marks = ",".join("?" * len(values))
            if register:
                parts.append(
                    f"SELECT rid FROM facets WHERE facet = ? AND register = ? AND key IN ({marks})"
                )
                params += [facet, register, *values]
            else:
                parts.append(f"SELECT rid FROM facets WHERE facet = ? AND key IN ({marks})")
                params += [facet, *values]
        registers = [register] if register else filters.get("register") or []
        marks = ",".join("?" * len(registers))
        if match:
            parts.append(
                f"SELECT rowid AS rid FROM records WHERE rowid IN (SELECT value FROM json_each(?)) AND register IN ({marks})"
                if registers
                else "SELECT value AS rid FROM json_each(?)"
            )
            params += [self._searched(match)[0], *registers]
        elif registers and not (register and parts):  # facet parts above already hold `register`
            parts.append(f"SELECT rowid AS rid FROM records WHERE register IN ({marks})")
            params += registers
        if len(parts) < 2:
            return (parts[0] if parts else "SELECT rowid AS rid FROM records"), params, None
        matching = " INTERSECT ".join(parts)
        rows, count = self._kept(("matching", matching, *params), matching, params)
        return "SELECT value AS rid FROM json_each(?)", [rows], count

    def _searched(self, match: str) -> tuple[str, int]:
        """The rows that match a text search, as a JSON array, and how many: worked out once and
        reused by the listing and the facet counts of the same page (profiled: each facet ran the
        search again)."""
        return self._kept(
            ("search", match), "SELECT rowid FROM search WHERE search MATCH ?", [match]
        )

    def _kept(self, key: tuple, sql: str, params: list) -> tuple[str, int]:
        """The row ids a query finds, as a JSON array, and how many, kept until the index changes,
        by this process or another one (SQLite's data_version)."""
        with self._lock:
            version = (self._generation, self._db.execute("PRAGMA data_version").fetchone()[0])
            cached = self._match_cache.get(key)
            if cached and cached[0] == version:
                return cached[1]
            rows = [r for (r,) in self._db.execute(sql, params)]
            if len(self._match_cache) > 64:
                self._match_cache.clear()
            self._match_cache[key] = (version, (json.dumps(rows), len(rows)))
            return self._match_cache[key][1]

    def _where(
        self, register: str | None, filters: dict[str, list[str]], match: str = ""
    ) -> tuple[str, list, int | None]:
        """The condition on `records r` for a register, filters and text match: the register's own
        index when nothing else narrows it, else the records the filters find (see _matching);
        and how many records meet it, when that is known already."""
        if (
            not match
            and not filters.get("register")
            and not any(v for f, v in filters.items() if f in FACETS)
        ):
            return ("r.register = ?", [register], None) if register else ("1", [], None)
        matching, params, count = self._matching(register, filters, match)
        return f"r.rowid IN ({matching})", params, count

    def listing(
        self,
        register: str | None,
        filters: dict[str, list[str]],
        *,
        query: str = "",
        sort: str = "title",
        page: int = 1,
        per_page: int = 20,
    ) -> tuple[list[Hit], int]:
        where, params, count = self._where(register, filters)
        offset = (max(page, 1) - 1) * per_page
        match = _fts_query(query) if query else ""
        # nothing but the words: the matches are already counted (and cached for the facets)
        counted = self._searched(match)[1] if match and where == "1" else None
        with self._lock:
            if query:
                if not match:
                    return [], 0
                # best match first, unless another order is asked for ("relevance" is not in SORTS)
                order = SORTS.get(sort, "bm25(search, 0, 10.0, 2.0, 4.0, 3.0)")
                sql = (
                    f"SELECT r.iri, r.register, r.title, r.description, r.status, r.modified, "
                    f"snippet(search, -1, char(2), char(3), '…', 24) FROM search JOIN records r ON r.rowid = search.rowid "
                    f"WHERE search MATCH ? AND {where} ORDER BY {order}, r.iri LIMIT ? OFFSET ?"
                )
                rows = self._db.execute(sql, [match, *params, per_page, offset]).fetchall()
                if counted is not None:
                    total = counted
                else:
                    total = self._db.execute(
                        f"SELECT COUNT(*) FROM search JOIN records r ON r.rowid = search.rowid "
                        f"WHERE search MATCH ? AND {where}",
                        [match, *params],
                    ).fetchone()[0]
            else:
                order = SORTS.get(sort, SORTS["title"])
                rows = self._db.execute(
                    f"SELECT r.iri, r.register, r.title, r.description, r.status, r.modified, '' "
                    f"FROM records r WHERE {where} ORDER BY {order}, r.iri LIMIT ? OFFSET ?",
                    [*params, per_page, offset],
                ).fetchall()
                total = (
                    count
                    if count is not None
                    else self._db.execute(
                        f"SELECT COUNT(*) FROM records r WHERE {where}", params
                    ).fetchone()[0]
                )
        return [Hit(*row) for row in rows], total

    def facet_counts(
        self, register: str | None, filters: dict[str, list[str]], query: str = "", limit: int = 0
    ) -> dict[str, FacetValues]:
        """For each facet: (key, label, count) among the records matching the other filters; with
        a limit, the `limit` commonest values and any selected one (a ticked box never hides)."""
        match = ""
        if query:
            match = _fts_query(query)
            if not match:
                return {}
        narrowed = {f for f, v in filters.items() if v and f in FACETS}
        out: dict[str, FacetValues] = {}
        # Facets nobody filters on all count the records that meet every filter: one pass for them
        # all. A facet that is filtered on counts the records that meet the *other* filters.
        groups = [([f for f in FACETS if f not in narrowed], filters)]
        groups += [
            ([f], {k: v for k, v in filters.items() if k != f}) for f in FACETS if f in narrowed
        ]
        for facets, others in groups:
            if not facets:
                continue
            if not match and not any(
                v for k, v in others.items() if k in FACETS or k == "register"
            ):
                # Nothing narrows these facets: their counts are kept up to date as records are indexed,
                # so a register of 100,000 records is not counted again on every page (profiled).
                for facet in facets:
                    totals = self._totals(register, facet, limit, filters.get(facet, []))
                    if totals:
                        out[facet] = totals
                continue
            matching, params, _ = self._matching(register, others, match)
            # all facets at once: one range of the record index per record, not one lookup per facet
            which = (
                ""
                if len(facets) == len(FACETS)
                else f" AND f.facet IN ({','.join('?' * len(facets))})"
            )
            with self._lock:
                # From each matching record to its facet values (CROSS JOIN keeps that order), rather
                # than through every value of a facet (profiled: most of a filtered page).
                rows = self._db.execute(
                    f"SELECT f.facet, f.key, MIN(f.label), COUNT(*) FROM ({matching}) m CROSS JOIN facets f "
                    f"ON f.rid = m.rid{which} GROUP BY f.facet, f.key",
                    [*params, *(facets if which else [])],
                ).fetchall()
            counted: dict[str, list] = {}
            for facet, key, label, n in rows:
                counted.setdefault(facet, []).append((key, label, n))
            for facet, values in counted.items():
                values.sort(key=lambda row: (-row[2], row[1]))
                kept = FacetValues(_first(values, limit, filters.get(facet, [])))
                kept.size = len(values)
                out[facet] = kept
        return {facet: out[facet] for facet in FACETS if facet in out}

    def _totals(
        self, register: str | None, facet: str, limit: int, selected: list[str]
    ) -> FacetValues:
        """A facet's counts over a whole register (or all of them) from the totals kept as records
        are indexed; the commonest `limit` picked by SQLite (profiled: fetching and sorting every
        one of 15,000 organisations was most of a register page at 10M triples)."""
        # across registers: the totals kept under ALL
        table, params = (
            "(SELECT key, label, n FROM facet_totals WHERE register = ? AND facet = ?)",
            [register or ALL, facet],
        )
        with self._lock:
            rows = self._db.execute(
                f"SELECT key, label, n FROM {table} ORDER BY n DESC, label LIMIT ?",
                [*params, limit or -1],
            ).fetchall()
            size = (
                len(rows)
                if not limit or len(rows) < limit
                else self._db.execute(f"SELECT COUNT(*) FROM {table}", params).fetchone()[0]
            )
            shown = {key for key, _, _ in rows}
            missing = [key for key in selected if key not in shown]
            if missing and size > len(rows):
                rows += self._db.execute(
                    f"SELECT key, label, n FROM {table} WHERE key IN ({','.join('?' * len(missing))}) "
                    "ORDER BY n DESC, label",
                    [*params, *missing],
                ).fetchall()
        values = FacetValues(rows)
        values.size = size
        return values

    def check_filters(self, model: Model, filters: dict[str, list[str]]) -> None:
        """Refuse (UnknownFilterValues, every facet at fault in it) a filter value that names
        nothing — a register, a concept of the facet's scheme, an organisation, or a value some
        record holds — rather than answer with an empty list, which looks like "nothing matches"
        when the address is wrong."""
        refusals = []
        for facet, values in filters.items():
            unknown = [v for v in values if not self._known(model, facet, v)]
            if unknown:
                allowed = self._allowed(model, facet)
                named = self._named(model, facet, allowed)[:ALLOWED_SHOWN]
                refusals.append(
                    UnknownFilterValue(facet, unknown, allowed[:ALLOWED_SHOWN], len(allowed), named)
                )
        if refusals:
            raise UnknownFilterValues(refusals)

    def _known(self, model: Model, facet: str, value: str) -> bool:
        if facet == "register":
            return value in REGISTERS
        if value in scheme_keys(model, facet):
            return True
        with self._lock:
            if self._db.execute(
                "SELECT 1 FROM facet_totals WHERE register = ? AND facet = ? AND key = ?",
                (ALL, facet, value),
            ).fetchone():
                return True
            return (
                facet == "organisation"
                and self._db.execute(
                    "SELECT 1 FROM records WHERE iri = ?",
                    (f"{model.base.iri}/id/organisations/{value}",),
                ).fetchone()
                is not None
            )

    def _allowed(self, model: Model, facet: str) -> list[str]:
        """Every value a filter may take, in alphabetical order."""
        if facet == "register":
            return list(REGISTERS)
        found = set(scheme_keys(model, facet))
        with self._lock:
            found.update(
                k
                for (k,) in self._db.execute(
                    "SELECT key FROM facet_totals WHERE register = ? AND facet = ?", (ALL, facet)
                )
            )
            if facet == "organisation":
                found.update(
                    facet_key(iri)
                    for (iri,) in self._db.execute(
                        "SELECT iri FROM records WHERE register = 'organisations'"
                    )
                )
        return sorted(found, key=lambda k: (k.lower(), k))

    def _named(self, model: Model, facet: str, keys: list[str]) -> list[str]:
        """What a person calls each of these values of a facet (its concept's label, the record's
        title, the register's name), in the scheme's order where it states one, else by name."""
        if facet == "register":
            return [model.label(URIRef(f"{model.base.iri}/id/{k}")) for k in keys]
        names, order = self._names(model, facet)

        def place(k: str) -> tuple[int, str]:  # (a lambda here loses the types of names.get)
            return order.get(k, len(order)), names.get(k, k).lower()

        return [names.get(k, k) for k in sorted(keys, key=place)]

    def with_selected(
        self, model: Model, facets: dict[str, FacetValues], filters: dict[str, list[str]]
    ) -> dict[str, FacetValues]:
        """The facets with every selected value among them, by its name and with a count of 0 where
        no matching record holds it: a ticked box that matches nothing stays on the page, ticked, so
        that it can be unticked (it used to vanish with the results)."""
        out = dict(facets)
        for facet, keys in filters.items():
            if facet not in FACETS:
                continue
            values = out.get(facet, FacetValues())
            missing = [k for k in dict.fromkeys(keys) if k not in {row[0] for row in values}]
            if not missing:
                continue
            names, _ = self._names(model, facet)
            kept = FacetValues([*values, *((k, names.get(k, k), 0) for k in missing)])
            kept.size = values.size + len(missing)
            out[facet] = kept
        return {facet: out[facet] for facet in FACETS if facet in out}

    def _names(self, model: Model, facet: str) -> tuple[dict[str, str], dict[str, int]]:
        """A facet's values by name, and their places in the scheme's order where it states one."""
        names: dict[str, str] = {}
        with self._lock:
            for key, label in self._db.execute(
                "SELECT key, MIN(label) FROM facet_totals WHERE register = ? AND "
                "facet = ? GROUP BY key",
                (ALL, facet),
            ):
                names[key] = label
            if facet == "organisation":
                for iri, title in self._db.execute(
                    "SELECT iri, title FROM records WHERE register = 'organisations'"
                ):
                    names.setdefault(facet_key(iri), title)
        order: dict[str, int] = {}
        if facet in FACET_SCHEMES:
            scheme = model.base.scheme_graph(FACET_SCHEMES[facet])
            for concept in model.ontology.subjects(SKOS.inScheme, URIRef(scheme)):
                names[facet_key(str(concept))] = model.label(cast(URIRef, concept))  # an IRI
            order = {facet_key(c): n for c, n in model.concept_order(scheme).items()}
        return names, order

    def register_counts(
        self, filters: dict[str, list[str]], query: str = ""
    ) -> list[tuple[str, int]]:
        """How many matching records each register holds (the register facet of the search page)."""
        match = _fts_query(query) if query else ""
        if query and not match:
            return []
        where, params, _ = self._where(None, filters, match)
        with self._lock:
            return self._db.execute(
                f"SELECT r.register, COUNT(*) FROM records r WHERE {where} "
                "GROUP BY r.register ORDER BY COUNT(*) DESC",
                params,
            ).fetchall()

    def recent(self, limit: int = 10) -> list[Hit]:
        with self._lock:
            rows = self._db.execute(
                "SELECT iri, register, title, description, status, modified, '' FROM records "
                "ORDER BY modified DESC LIMIT ?",
                (limit,),
            ).fetchall()
        return [Hit(*row) for row in rows]

    def titles(self, register: str) -> dict[str, str]:
        """Title in lower case -> IRI of the register's records (for a command run while the
        server holds the embedded store open: the index is kept in step with every write)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT title, iri FROM records WHERE register = ?", (register,)
            ).fetchall()
        return {str(title).lower(): iri for title, iri in rows}

    def close(self) -> None:
        self._db.close()


def _first(values: list, limit: int, selected: list[str]) -> list:
    """The first `limit` values (all if 0), and any selected value beyond them."""
    if not limit or len(values) <= limit:
        return values
    return values[:limit] + [v for v in values[limit:] if v[0] in selected]


def _longest_words(text: str, limit: int = 12) -> list[str]:
    """The text's longest words (long words tend to be the rare ones), at most `limit`."""
    return sorted(
        {w for w in re.findall(r"\w+", text.lower()) if len(w) > 3}, key=lambda w: (-len(w), w)
    )[:limit]


def _fts_query(text: str) -> str:
    """User words as an FTS5 query: every word must match (prefix match on the last one).
    Operators in the input are treated as plain words, never as query syntax."""
    words = re.findall(r"\w+", text.lower())
    if not words:
        return ""
    terms = [f'"{w}"' for w in words[:-1]] + [f'"{words[-1]}"*']
    return " ".join(terms)


INSERT_RECORD = (
    "INSERT INTO records (rowid, iri, register, title, sort_title, description, status, modified) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


INSERT_FACET = "INSERT INTO facets VALUES (?, ?, ?, ?, ?, ?)"


INSERT_SEARCH = "INSERT INTO search (rowid, iri, title, description, keywords, organisations) VALUES (?, ?, ?, ?, ?, ?)"


def _record_values(rid: int | None, row: dict) -> tuple:
    """A record's row (rid None: SQLite numbers it)."""
    return (
        rid,
        row["iri"],
        row["register"],
        row["title"],
        row["title"].lower(),
        row["description"],
        row["status"],
        row["modified"],
    )


def _facet_rows(rid: int, row: dict) -> list[tuple]:
    """One row per record, facet and value (an organisation that both leads and partners counts
    once), so counts need no DISTINCT (profiled: a third of a search page's facet counts)."""
    distinct = {(f, facet_key(v)): (v, label) for f, v, label in reversed(row["facets"])}
    return [(rid, f, v, key, label, row["register"]) for (f, key), (v, label) in distinct.items()]


def _search_values(rid: int, row: dict) -> tuple:
    return rid, row["iri"], row["title"], row["description"], row["keywords"], row["organisations"]


def _vocabulary(model: Model) -> str:
    """What the index's labels were made from: the vocabulary's files and the languages."""
    return f"{model.fingerprint} {','.join(model.languages)}"
