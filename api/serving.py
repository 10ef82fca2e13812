"""The app as one worker process of `ldr serve` builds it."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import signal

from registry.records.warm_up import warm_up

from . import create_app
from .request_log import configure_logging

PR_SET_PDEATHSIG = 1


def _end_with_parent() -> None:
    """Ask Linux to kill this worker when the server's main process ends, however it ends: a
    worker left behind after a SIGKILL would keep the store locked, and a restarted server could
    not open it (found by tests/test_durability.py)."""
    parent = os.getppid()
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return
    libc = ctypes.CDLL(libc_name, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return
    if os.getppid() != parent:  # the parent ended before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)


def _leave_the_terminal_s_group() -> None:
    """Take this worker, and the query workers it starts, out of the terminal's process group.
    Ctrl-C signals the whole group; the server's main process then stops this worker itself.
    With both signals at once, granian's worker hung in its shutdown, and the query workers
    printed KeyboardInterrupt tracebacks; now only the main process hears Ctrl-C."""
    try:
        os.setpgid(0, 0)
    except OSError:  # already a group leader, or not allowed: Ctrl-C still stops it, less tidily
        pass


def app():
    """Settings come from the environment (`ldr serve` puts the store's location there)."""
    _end_with_parent()
    _leave_the_terminal_s_group()
    configure_logging()
    flask_app = create_app()
    try:
        warm_up(
            flask_app.extensions["ldr.registry"].store,
            flask_app.extensions["ldr.registry"].model,
            flask_app.extensions["ldr.registry"].index,
        )
    except Exception:  # noqa: BLE001 - only a head start; the server works without it
        logging.getLogger("ldr").exception(
            "warming up validation failed; the first submission will be slower"
        )
    queries = flask_app.extensions["ldr.registry"].queries
    if not queries.remote:
        try:  # a snapshot for queries now, while there is room: if the disk fills later, queries go on from it
            queries.snapshot()
        except Exception:  # noqa: BLE001 - the first query takes one instead
            logging.getLogger("ldr").exception(
                "no snapshot for queries at start; the first query will take one"
            )
    # harvest jobs and their schedule run in this process (an embedded store has one writer)
    flask_app.extensions["ldr.registry"].harvests.start_worker()
    # What is alive now (the vocabulary, shapes, caches: some 200,000 objects) lives as long
    # as the process. Frozen, the collector stops walking it on every full collection:
    # measured at 1M triples, a full collection in the middle of a submission took 66 ms; 4 ms frozen.
    gc.freeze()
    return flask_app


def asgi():
    """What granian serves: the app under api/front.py's layer, which reads each body whole on
    the event loop before one of LDR_SERVE_THREADS threads runs the request."""
    from .front import BodiesFirst

    for handler in logging.getLogger("_granian").handlers:
        handler.addFilter(_not_a_client_that_left)
    flask_app = app()
    settings = flask_app.config["LDR"]
    threads = int(
        os.environ.get("LDR_SERVE_THREADS")
        or settings["LDR_QUERY_WORKERS"] + settings["LDR_QUERY_WAITING"] + 2
    )
    return BodiesFirst(
        flask_app,
        settings["LDR_MAX_INPUT_BYTES"],
        settings["LDR_BODY_TIMEOUT"],
        threads,
        settings["LDR_BODY_MEMORY"],
    )


def _not_a_client_that_left(record: logging.LogRecord) -> bool:
    """Drop granian's line for an answer whose client had already gone ('ASGI transport error:
    "Closed(..)"'): a browser that moved on, a client that timed out. The request log has the
    request's line and status; nothing in the server went wrong."""
    return not record.getMessage().startswith("ASGI transport error")
