"""The public SPARQL query service: read-only, never reaching the network, time-limited.

Queries run in a small pool of worker processes, each on a read-only snapshot (a checkpoint)
of the embedded store. A query that passes the time limit has its worker killed and replaced,
so it really stops; the other workers go on answering.
"""

from __future__ import annotations

import logging
import os
import pickle
import queue
import re
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from registry import ROOT
from registry.query.guard import QueryError, check_graph_names, refuse, screen
from registry.query.worker import answer_in_json, answer_job
from registry.runtime.allocator import with_allocator

log = logging.getLogger(__name__)

#: rows a lookup may take in the web process; one with more goes to a worker (a scan of 1,000
#: rows takes a few milliseconds, and holds the web process for that long)
ROWS_ANSWERED_HERE = 1_000
_LAST_LIMIT = re.compile(r"(?:\bOFFSET\s+\d+\s+)?\bLIMIT\s+(\d+)\s*(?:\bOFFSET\s+\d+\s*)?$", re.I)


def within_limit(body: str, max_rows: int) -> bool:
    """Whether the query's own top-level LIMIT keeps its answer within `max_rows`: a LIMIT at
    the very end of the query (`body`: its keywords, as guard returns them), after its last
    brace, is the outermost query's."""
    found = _LAST_LIMIT.search(body, body.rfind("}") + 1)  # searched from the brace: 8 -> 1 µs
    return found is not None and int(found.group(1)) <= max_rows


_IRI = r'<[^<>"{}|^`\\\s]*>'
_NAME = r"(?:[A-Za-z][\w-]*)?:[\w-]*"  # a prefixed name without dots (others go to a worker)
_VAR = r"[?$]\w+"
_LITERAL = rf'"[^"\\\n]*"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:{_IRI}|{_NAME}))?|[+-]?\d+'
_NODE = rf"(?:{_VAR}|{_IRI}|{_NAME})"
_LOOKUP = re.compile(
    rf"""\s*(?:PREFIX\s+(?:[A-Za-z][\w-]*)?:\s*{_IRI}\s*)*
    (?:SELECT\s+(?P<selected>\*\s*|(?:{_VAR}\s*)+)|ASK\s*)(?:WHERE\s*)?
    \{{\s*(?P<s>{_NODE})\s+(?P<p>{_NODE}|a)\s+(?P<o>{_NODE}|{_LITERAL})\s*\.?\s*\}}
    \s*(?P<tail>LIMIT\s+(?P<limit>\d+)\s*)?""",
    re.I | re.X,
)
_SELECTED = re.compile(r"[?$](\w+)")


def streamed_lookup(query: str) -> re.Match | None:
    """Whether the query looks up one thing: one triple pattern with a given subject or object,
    no variable repeated in it, and no DISTINCT, FILTER, paths, OFFSET or ordering. The engine
    reads its answer straight from one index range, so its cost grows only with the rows taken,
    and the caller decides how many it takes. A whitelist: whatever it does not recognise
    (escapes, dotted names, comments, graphs) is not one.
    - A repeated variable, as in `?s ?p ?s`, would make the engine read every triple to find
      the few that match.
    - With neither subject nor object given, the rows could be anyone's long texts (a thousand
      descriptions of 10 MiB each); a given subject's rows are that record's, a given object's
      rows are names of things."""
    found = None if "\\" in query else _LOOKUP.fullmatch(query)
    if found:
        variables = _pattern_variables(found)
        if len(set(variables.values())) < len(variables) or ("s" in variables and "o" in variables):
            return None
    return found


def _pattern_variables(lookup: re.Match) -> dict[str, str]:
    """The lookup's variables by their place in the pattern ("s", "p", "o")."""
    return {part: lookup[part][1:] for part in ("s", "p", "o") if lookup[part][0] in "?$"}


def _binds_in_every_row(lookup: re.Match) -> bool:
    """Whether every solution of a lookup binds a variable: a SELECT whose pattern has a
    variable and which selects no variable outside it."""
    if not lookup["selected"]:
        return False  # ASK
    in_pattern = set(_pattern_variables(lookup).values())
    selected = set(_SELECTED.findall(lookup["selected"]))
    return bool(in_pattern) and selected <= in_pattern


def _json_rows(body: bytes) -> int:
    """The number of solutions in SPARQL JSON results whose every solution binds a variable:
    solutions are separated by `},{"`, which cannot occur inside a JSON string (its quote
    would be escaped)."""
    return 0 if body.endswith(b'"bindings":[]}}') else body.count(b'},{"') + 1


class Admission:
    """At most `limit` queries in progress at once (running, or waiting for a worker); the next
    is refused at once. Each holds a request thread while it runs or waits, so a flood of heavy
    queries would otherwise hold them all, and pages would wait behind them (measured: an item
    page took 9.6 s while six heavy queries ran and waited)."""

    def __init__(self, limit: int):
        self._slots = threading.BoundedSemaphore(max(1, limit))

    @contextmanager
    def admitted(self):
        if not self._slots.acquire(blocking=False):
            raise QueryError(
                "busy",
                "The endpoint is running as many queries as it takes at once; try again in a "
                "few seconds, or narrow the query so that it finishes sooner.",
            )
        try:
            yield
        finally:
            self._slots.release()


@dataclass
class QueryOutcome:
    body: bytes
    media_type: str
    truncated: bool = False


#: how long a query worker may take to start (import its libraries, build the guard's parser)
WORKER_START_WITHIN = 120.0

#: what Rust's allocator writes before aborting when an allocation fails (at the memory limit)
_ALLOCATION_FAILED = b"memory allocation of "
_warned_network: list[str] = []


class _Worker:
    """One worker process, spoken to through pickles on its stdin and stdout. It is started
    with `python -m`, so it never depends on how the web process itself was started. Its
    stderr is read by a thread of ours: passed on to the log, and kept in mind if it says the
    process ran out of memory, so that a death is reported for what it was."""

    def __init__(self, memory_mb: int, allocator: str = ""):
        env = with_allocator({**os.environ, "LDR_QUERY_MEMORY_MB": str(memory_mb or 0)}, allocator)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "registry.query.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=str(ROOT),
        )
        #: None until the worker has said; then "" when it has no network, or why it has one
        self.network: str | None = None
        self.out_of_memory = False
        self._stderr = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr.start()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None  # the worker's streams are pipes (__init__)
        for line in self.process.stderr:
            if _ALLOCATION_FAILED in line:
                self.out_of_memory = True
            log.warning(
                "query worker %d: %s", self.process.pid, line.decode("utf-8", "replace").rstrip()
            )

    def send(self, job) -> None:
        assert self.process.stdin is not None
        pickle.dump(job, self.process.stdin)
        self.process.stdin.flush()

    def answer_within(self, seconds: float):
        """The worker's answer, or None if it has not answered in time."""
        deadline = time.monotonic() + seconds
        assert self.process.stdout is not None
        while True:
            ready, _, _ = select.select(
                [self.process.stdout], [], [], max(0.0, deadline - time.monotonic())
            )
            if not ready:
                return None
            answer = pickle.load(self.process.stdout)
            if answer[0] != "hello":
                return answer
            self._hello(answer[1])

    def ready_within(self, seconds: float) -> bool:
        """Wait for the worker to say it is ready (its hello, sent once it has started and built
        the guard's parser); False if it has not in time. Raises EOFError if it died starting."""
        if self.network is not None:
            return True
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], seconds)
        if not ready:
            return False
        answer = pickle.load(self.process.stdout)
        if answer[0] != "hello":
            raise pickle.UnpicklingError(f"a query worker spoke before its hello: {answer[0]!r}")
        self._hello(answer[1])
        return True

    def _hello(self, reason: str | None) -> None:
        self.network = reason or ""
        if reason and not _warned_network:
            _warned_network.append(reason)
            log.warning(
                "The SPARQL query workers could not be cut off from the network (%s). SERVICE is still "
                "refused by the guard, which parses every query that could hold it, but the second wall "
                "is missing: run the registry as root, or where unprivileged user namespaces are allowed "
                "(docs/security.md).",
                reason,
            )

    def ended(self) -> str:
        """How the process ended, once it has: its exit status or the signal that ended it."""
        try:
            code = self.process.wait(5)
        except subprocess.TimeoutExpired:
            return "still running"
        self._stderr.join(2)  # its last words, such as the allocator's
        if code < 0:
            try:
                return f"killed by signal {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
        assert self.process.stdin is not None and self.process.stdout is not None
        for stream in (self.process.stdin, self.process.stdout):
            try:
                stream.close()
            except OSError:
                pass

    def stop(self) -> None:
        try:
            self.send(None)
            self.process.wait(2)
        except (OSError, subprocess.TimeoutExpired):
            self.kill()


@dataclass
class QueryPool:
    """Worker processes that run queries against the current snapshot."""

    snapshot: Callable[[], str]
    size: int = 2
    timeout: float = 10.0
    max_rows: int = 10_000
    memory_mb: int = 2048
    allocator: str = ""  # a shared library the workers preload (registry/runtime/allocator.py)
    #: the open pyoxigraph store, when lookups may be answered in this process without a worker
    engine: Any = None
    waiting: int = 1  # queries that may wait for a busy worker; the next is refused (Admission)
    _idle: queue.Queue = field(default_factory=queue.Queue, repr=False)
    _all: list = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self):
        self._admission = Admission(self.size + self.waiting)
        for _ in range(self.size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self.memory_mb, self.allocator)
        with self._lock:
            self._all.append(worker)
        return worker

    def _kill(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            if worker in self._all:
                self._all.remove(worker)

    def run(
        self,
        query: str,
        *,
        default_graphs=(),
        named_graphs=(),
        result_type: str,
        rdf_type: str,
        base_iri: str | None = None,
        substitutions: dict | None = None,
    ) -> QueryOutcome:
        """Run a query and serialise its results: SELECT and ASK as `result_type`,
        CONSTRUCT and DESCRIBE as `rdf_type`."""
        if self.engine is not None and not (default_graphs or named_graphs or substitutions):
            lookup = streamed_lookup(query)
            if lookup:
                outcome = self._answer_here(query, lookup, result_type, rdf_type, base_iri)
                if outcome is not None:
                    return outcome
        check_graph_names(*default_graphs, *named_graphs)
        # the cheap checks here; a query that could hold SERVICE is parsed by the worker before it
        # runs, under the same time limit (a parse may take seconds, and would hold this process)
        with self._admission.admitted():
            body, must_parse = screen(query)
            started = time.monotonic()
            snapshot = (
                self.snapshot()
            )  # before a worker is taken: if this fails, no worker is kept from the pool
            job = {
                "query": query,
                "default_graphs": list(default_graphs),
                "named_graphs": list(named_graphs),
                "snapshot": snapshot,
                "max_rows": self.max_rows,
                "rdf_format": rdf_type,
                "result_type": result_type,
                "base_iri": base_iri,
                "substitutions": substitutions or {},
                "whole": within_limit(body, self.max_rows),
                "check": must_parse,
            }
            return _outcome(*self._ask(job, started))

    def check(self, query: str, started: float) -> str:
        """The guard, with its parse (if the query needs one) done by a worker within the time
        limit counted from `started`: for a store whose queries run elsewhere (RemoteQueries).
        Returns the query's keywords."""
        body, must_parse = screen(query)
        if must_parse:
            self._ask({"check": True, "query": query, "snapshot": None}, started)
        return body

    def _ask(self, job: dict, started: float):
        """Give a job to an idle worker: its answer as (status, payload), or a QueryError if it
        took longer than the time limit (counted from `started`), or the worker died."""
        query = job["query"]
        try:
            worker = self._idle.get(timeout=max(0.0, self.timeout - (time.monotonic() - started)))
        except queue.Empty:
            raise QueryError(
                "busy", "Every query worker is busy with other queries; try again shortly."
            ) from None
        try:
            # a worker started in place of one that was stopped may still be starting: the time
            # that takes is not the query's (under load it took longer than a short time limit)
            waiting_since = time.monotonic()
            if not worker.ready_within(WORKER_START_WITHIN):
                raise EOFError("the query worker did not start")
            started += time.monotonic() - waiting_since
            worker.send(job)
            remaining = max(0.0, self.timeout - (time.monotonic() - started))
            answer = worker.answer_within(remaining)
            if answer is None:
                self._kill(worker)
                worker = self._start()
                raise QueryError(
                    "timeout",
                    f"The query was stopped after the time limit of {self.timeout:g} s. "
                    "Narrow it (a LIMIT, fewer OPTIONALs, bounded property paths) "
                    "or download the dump instead.",
                )
            status, payload = answer
        except (EOFError, OSError, pickle.UnpicklingError):
            # The worker died mid-query. Replace it, and say why it died: at the memory limit
            # only if it said so (the allocator's last words); otherwise it crashed.
            ended = worker.ended()
            self._kill(worker)
            out_of_memory = worker.out_of_memory
            worker = self._start()
            if out_of_memory:
                raise QueryError(
                    "memory",
                    "The query was stopped: it needed more memory than the endpoint allows "
                    f"({self.memory_mb} MiB), and its worker process ended ({ended}).",
                ) from None
            log.error(
                "SPARQL query worker crashed (%s) running: %r", ended, query[:2000]
            )  # %r: one line
            raise QueryError(
                "crash",
                f"The query process failed ({ended}) while running this query. This is a "
                "fault in the server, not in the query; it has been logged.",
            ) from None
        finally:
            self._idle.put(worker)
        if status == "verdict":
            refuse(*payload)
        return status, payload

    def _answer_here(
        self, query: str, lookup: re.Match, result_type: str, rdf_type: str, base_iri: str | None
    ) -> QueryOutcome | None:
        """A lookup answered from the live store in this process, with no hop to a worker
        (docs/benchmarks-notes.md, eighth round). None when it has more rows than are answered
        here: then a worker answers it."""
        rows = min(self.max_rows, ROWS_ANSWERED_HERE)
        limit = lookup["limit"]
        whole = limit is not None and int(limit) <= rows
        counted = (
            not whole
            and result_type == "application/sparql-results+json"
            and _binds_in_every_row(lookup)
        )
        if counted:
            # The engine writes the answer in one call, capped at one row more than is answered
            # here, and the rows are counted in what it wrote (profiled: taking the rows one by
            # one let the other request threads take the interpreter's lock at every row, and the
            # hand-overs doubled a lookup's CPU time under load).
            query = query[: lookup.start("tail")] if lookup["tail"] else query
            query, whole = f"{query} LIMIT {rows + 1}", True
        if whole and lookup["selected"] and result_type == "application/sparql-results+json":
            status, payload = answer_in_json(self.engine, query, base_iri)
        else:
            job = {
                "query": query,
                "default_graphs": [],
                "named_graphs": [],
                "max_rows": rows,
                "rdf_format": rdf_type,
                "result_type": result_type,
                "base_iri": base_iri,
                "substitutions": {},
                "whole": whole,
            }
            status, payload = answer_job(self.engine, job)
        if status == "ok" and (
            _json_rows(payload["body"]) > rows
            if counted
            else payload["truncated"] and rows < self.max_rows
        ):
            return None
        return _outcome(status, payload)

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            worker.stop()


def _outcome(status: str, payload) -> QueryOutcome:
    """A worker's answer (or one worked out in this process) as an outcome or a QueryError."""
    if status == "syntax":
        raise QueryError("syntax", f"The query is not valid SPARQL 1.1: {payload}")
    if status == "memory":
        raise QueryError("memory", f"The query was stopped: {payload}.")
    if status == "unwritable":
        raise QueryError("unwritable", f"The query was answered, but {payload}.")
    if status == "evaluation":
        raise QueryError(
            "evaluation",
            f"The query cannot be evaluated: {payload}. Change the query: the endpoint "
            "has the functions of SPARQL 1.1, as its engine implements them.",
        )
    if status != "ok":
        raise QueryError("error", f"The query failed: {payload}")
    return QueryOutcome(payload["body"], payload["media_type"], payload["truncated"])
