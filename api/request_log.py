"""The request log: one line per request (time, method, path, status, duration, request id),
and the audit lines of writes and sign-ins, each carrying the id of the request that made it."""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import time
import uuid

#: the request being answered by this thread, for every line logged meanwhile
REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
SAFE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
log = logging.getLogger("ldr.request")


class _WithRequestId(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def configure_logging() -> None:
    """The served registry's lines on standard error, with time and request id; once per process."""
    logger = logging.getLogger("ldr")
    if any(isinstance(f, _WithRequestId) for h in logger.handlers for f in h.filters):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_WithRequestId())
    formatter = logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s request_id=%(request_id)s"
    )
    formatter.converter = time.gmtime
    formatter.default_msec_format = "%s.%03dZ"
    handler.setFormatter(formatter)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


class RequestLog:
    """WSGI middleware: gives each request an id (a client's X-Request-Id if it is a plain token,
    else a new one), returns it in X-Request-Id, and logs the request when its body is sent."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        given = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = given if SAFE_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = ["-"]

        def start(code, headers, exc_info=None):
            status[0] = code.split(" ", 1)[0]
            return start_response(code, [*headers, ("X-Request-Id", request_id)], exc_info)

        try:
            body = self.app(environ, start)
        except BaseException:
            self._line(environ, "500", started)
            REQUEST_ID.set("-")
            raise
        return _Logged(body, lambda: self._line(environ, status[0], started))

    @staticmethod
    def _line(environ, status: str, started: float) -> None:
        log.info(
            "%s %s %s %.1fms",
            loggable(environ.get("REQUEST_METHOD", "-"))[:16],
            loggable_path(environ.get("PATH_INFO", "") or "/"),
            status,
            (time.perf_counter() - started) * 1000,
        )


#: paths whose last part is a secret (an invitation link): kept out of the log, which more
#: people read than the accounts file
_SECRET_PATHS = re.compile(r"^(/invitation/)[^/]+")
#: what a log line may hold as it is: printable ASCII other than space and backslash
_PRINTABLE = re.compile(rb"[^\x21-\x5b\x5d-\x7e]")


def loggable(text: str) -> str:
    """`text` (WSGI's latin-1 view of the request's bytes) with every byte that is not printable
    ASCII written %XX: a line break or NUL in a path cannot forge a line or break the log."""
    raw = text.encode("latin-1", "replace")
    return _PRINTABLE.sub(lambda m: b"%%%02X" % m.group()[0], raw).decode("ascii")


def loggable_path(path: str) -> str:
    """The path as it may be logged: `loggable`, with an invitation's secret left out."""
    return loggable(_SECRET_PATHS.sub(r"\1[secret]", path))


class _Logged:
    """The response body, logged once it has been sent (or abandoned)."""

    def __init__(self, body, done):
        self.body, self.done = body, done

    def __iter__(self):
        return iter(self.body)

    def close(self):
        try:
            if hasattr(self.body, "close"):
                self.body.close()
        finally:
            self.done()
            REQUEST_ID.set("-")
