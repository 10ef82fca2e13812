"""The public SPARQL query service: read-only, never reaching the network, time-limited.

Queries run in a small pool of worker processes, each on a read-only snapshot (a checkpoint)
of the embedded store. A query that passes the time limit has its worker killed and replaced,
so it really stops; the other workers go on answering.
"""
from __future__ import annotations

import os
import pickle
import queue
import re
import select
import subprocess
import sys
import threading
import time
from pathlib import Path
from dataclasses import dataclass, field
from typing import Callable

from .allocator import with_allocator


ROOT = Path(__file__).resolve().parent.parent
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


class QueryError(Exception):
    """A query the service will not or cannot answer. `kind` says which, for the HTTP status."""

    def __init__(self, kind: str, message: str):
        self.kind, self.message = kind, message
        super().__init__(message)


def _unescape(text: str) -> str:
    """SPARQL codepoint escapes are processed before parsing, so checks must see them too."""
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})",
                  lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


_TOKENS = re.compile(r'''("""(?:[^"\\]|\\.|"(?!""))*"""|'\'\'(?:[^'\\]|\\.|'(?!''))*'\'\'|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>"{}|^`\\\s]*>|\#[^\n]*)''')


def keywords(query: str) -> str:
    """The query with strings, IRIs and comments blanked out: what remains are keywords,
    names and punctuation."""
    return _TOKENS.sub(" ", _unescape(query))


_PROLOGUE = re.compile(r"(?is)^\s*((BASE|PREFIX\s+[\w.-]*:)\s*)*")
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")
_SERVICE = re.compile(r"(?<![\w?$:.-])SERVICE(?![\w:.-])", re.I)


def is_update(query: str, *, body: str | None = None) -> bool:
    """`body`: the query's keywords, when the caller has them already."""
    first = _FIRST_WORD.match(_PROLOGUE.sub("", keywords(query) if body is None else body))
    return bool(first and first.group(1).upper() in UPDATE_KEYWORDS)


def uses_service(query: str, *, body: str | None = None) -> bool:
    body = keywords(query) if body is None else body
    return "service" in body.lower() and _SERVICE.search(body) is not None


def guard(query: str) -> str:
    """Refuse what a public read-only endpoint must never do, before anything runs. Returns the
    query's keywords for the checks that follow (profiled: working them out again for each
    check, 17 µs of the web process's ~300 µs of CPU per two-hop join request)."""
    body = keywords(query)
    if is_update(query, body=body):
        raise QueryError("update", "This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, "
                                   "DROP and the rest) is refused. Use the registry's write API to change records.")
    if uses_service(query, body=body):
        raise QueryError("service", "SERVICE is refused: this endpoint never sends requests to other "
                                    "servers. Query each endpoint yourself and combine the results.")
    return body


_LAST_LIMIT = re.compile(r"(?:\bOFFSET\s+\d+\s+)?\bLIMIT\s+(\d+)\s*(?:\bOFFSET\s+\d+\s*)?$", re.I)


def within_limit(body: str, max_rows: int) -> bool:
    """Whether the query's own top-level LIMIT keeps its answer within `max_rows`: a LIMIT at
    the very end of the query (`body`: its keywords, as guard returns them), after its last
    brace, is the outermost query's."""
    found = _LAST_LIMIT.search(body, body.rfind("}") + 1)   # searched from the brace: 8 -> 1 µs
    return bool(found) and int(found.group(1)) <= max_rows


@dataclass
class QueryOutcome:
    body: bytes
    media_type: str
    truncated: bool = False


class _Worker:
    """One worker process, spoken to through pickles on its stdin and stdout. It is started
    with `python -m`, so it never depends on how the web process itself was started."""

    def __init__(self, memory_mb: int, allocator: str = ""):
        env = with_allocator({**os.environ, "LDR_QUERY_MEMORY_MB": str(memory_mb or 0)}, allocator)
        self.process = subprocess.Popen([sys.executable, "-m", "registry.query_worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env, cwd=str(ROOT))

    def send(self, job) -> None:
        pickle.dump(job, self.process.stdin)
        self.process.stdin.flush()

    def answer_within(self, seconds: float):
        """The worker's answer, or None if it has not answered in time."""
        ready, _, _ = select.select([self.process.stdout], [], [], seconds)
        if not ready:
            return None
        return pickle.load(self.process.stdout)

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(5)
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
    allocator: str = ""   # a shared library the workers preload (registry/allocator.py)
    _idle: queue.Queue = field(default_factory=queue.Queue, repr=False)
    _all: list = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self):
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

    def run(self, query: str, *, default_graphs=(), named_graphs=(), result_type: str,
            rdf_type: str, base_iri: str | None = None, substitutions: dict | None = None) -> QueryOutcome:
        """Run a query and serialise its results: SELECT and ASK as `result_type`,
        CONSTRUCT and DESCRIBE as `rdf_type`."""
        body = guard(query)
        started = time.monotonic()
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise QueryError("busy", "Every query worker is busy with other queries; try again shortly.") from None
        job = {"query": query, "default_graphs": list(default_graphs), "named_graphs": list(named_graphs),
               "snapshot": self.snapshot(), "max_rows": self.max_rows, "rdf_format": rdf_type, "result_type": result_type,
               "base_iri": base_iri, "substitutions": substitutions or {},
               "whole": within_limit(body, self.max_rows)}
        try:
            worker.send(job)
            remaining = max(0.0, self.timeout - (time.monotonic() - started))
            answer = worker.answer_within(remaining)
            if answer is None:
                self._kill(worker)
                worker = self._start()
                raise QueryError("timeout", f"The query was stopped after the time limit of {self.timeout:g} s. "
                                            "Narrow it (a LIMIT, fewer OPTIONALs, bounded property paths) "
                                            "or download the dump instead.")
            status, payload = answer
        except (EOFError, OSError, pickle.UnpicklingError):
            # The worker died mid-query: most often the memory limit stopped it. Replace it.
            code = worker.process.poll()
            self._kill(worker)
            worker = self._start()
            raise QueryError("memory", "The query was stopped: its worker process ended "
                                       f"(exit status {code}), most likely at the memory limit of "
                                       f"{self.memory_mb} MiB.") from None
        finally:
            self._idle.put(worker)
        if status == "syntax":
            raise QueryError("syntax", f"The query is not valid SPARQL 1.1: {payload}")
        if status == "memory":
            raise QueryError("memory", f"The query was stopped: {payload}.")
        if status != "ok":
            raise QueryError("error", f"The query failed: {payload}")
        return QueryOutcome(payload["body"], payload["media_type"], payload["truncated"])

    def close(self) -> None:
        with self._lock:
            workers = list(self._all)
        for worker in workers:
            worker.stop()
