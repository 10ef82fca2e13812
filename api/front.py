"""What granian runs: an ASGI app that reads each request's whole body on the event loop, and
only then gives the request to a thread that runs the WSGI app (Flask and /sparql).

Why: under granian's WSGI interface a request had a thread from its first byte, and reading its
body had no time limit (granian issue #728, "wontfix"), so six clients that sent a few bytes of
a body and stopped held all six threads and every page waited (a stranger's attack, December
2026). Here a body that is slow to come costs a coroutine and its bytes so far, never a thread;
one not whole within LDR_BODY_TIMEOUT seconds gets 408. A connection that breaks before the body
is whole is never given to the app as if the body had ended (under the WSGI interface granian
turned the break into the end of a chunked body).

What decides about a body (413 over the limit, 400 cut short, 408 too slow) stays in one place,
api/bodies.py's WholeBodies, which answers in the registry's own problem or page format: this
layer reads at most the limit and one byte more, and tells WholeBodies what it saw.

a2wsgi (a small, maintained WSGI-on-ASGI adapter) builds the WSGI environ from the ASGI request.
Running the app is done here, on a pool of `threads` threads, because a2wsgi's own runner passes
every piece of an answer back to the loop in a hop of its own: item lookups on /sparql ran at 0.38
of their speed under the WSGI interface (medians of three alternated wrk runs). Here an answer up
to SMALL bytes comes back to the loop whole, in the one hop that ran the request (0.91 and 1.24 of
before in two noisy runs; /health 0.74 and 0.75; docs/benchmarks-notes.md); only a larger answer
(a dump) is streamed, a piece per hop."""

from __future__ import annotations

import asyncio
import io
import time
from concurrent.futures import ThreadPoolExecutor

from a2wsgi.wsgi import build_environ

from .bodies import BODY_PROBLEM

#: answers up to this size are collected on the request thread and sent in one piece
SMALL = 256 * 1024
#: how long a body refused on its Content-Length is read and dropped before the 413 goes out
DRAIN_SECONDS = 5.0


class BodiesFirst:
    """ASGI app: each http request's body read whole (or found wanting), then the WSGI app on a thread."""

    def __init__(self, wsgi_app, limit: int, timeout: float, threads: int, memory: int):
        self.limit, self.timeout, self.memory = limit, timeout, memory
        self.app = wsgi_app
        self.threads = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="request")
        self.held = 0  # bytes of bodies held in memory now, by every request of this process

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return
        mine = [0]  # bytes of this request's body counted in self.held
        try:
            await self._answer(scope, receive, send, mine)
        finally:
            self.held -= mine[0]

    async def _answer(self, scope, receive, send, mine):
        declared = self._declared(scope)
        if declared > self.limit:
            # refused on its Content-Length alone (WholeBodies answers 413). A client that sends the
            # body anyway is read for a few seconds, so it reads the 413 rather than a reset
            # connection; one that waits for "100 Continue" is not invited to send it.
            if declared <= 2 * self.limit and not self._expects_continue(scope):
                await self._drain(receive, declared, min(DRAIN_SECONDS, self.timeout))
            body, problem = b"", None
        elif self._may_have_body(scope):
            body, problem = await self._read(scope, receive, mine)
        else:
            body, problem = b"", None
        environ = build_environ(scope, io.BytesIO(body))
        if problem:
            environ[BODY_PROBLEM] = problem
        elif body and "CONTENT_LENGTH" not in environ and "HTTP_TRANSFER_ENCODING" not in environ:
            environ["CONTENT_LENGTH"] = str(len(body))  # HTTP/2 frames a body without either header
        loop = asyncio.get_running_loop()
        status, headers, chunks, rest = await loop.run_in_executor(
            self.threads, self._start, environ
        )
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if rest is None:
            await send({"type": "http.response.body", "body": b"".join(chunks)})
            return
        try:
            await send({"type": "http.response.body", "body": b"".join(chunks), "more_body": True})
            while True:
                chunk = await loop.run_in_executor(self.threads, next, rest, None)
                if chunk is None:
                    break
                if chunk:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
        finally:
            close = getattr(rest.answer, "close", None)
            if close is not None:
                await loop.run_in_executor(self.threads, close)

    def _start(self, environ):
        """On a request thread: run the app, and collect its answer up to SMALL bytes. Most answers
        are smaller and go back to the loop whole, in one hop; a larger one comes back with the
        rest to stream."""
        said = {}

        def start_response(status, headers, exc_info=None):
            if exc_info and said.get("sent"):
                raise exc_info[1].with_traceback(exc_info[2])
            said["status"], said["headers"] = status, headers
            return chunks.append

        chunks: list[bytes] = []
        answer = self.app(environ, start_response)
        parts = iter(answer)
        rest, size = None, 0
        try:
            for chunk in parts:
                if chunk:
                    chunks.append(chunk)
                    size += len(chunk)
                if size >= SMALL:
                    rest = _Rest(parts, answer)
                    break
        finally:
            if rest is None and hasattr(answer, "close"):
                answer.close()
        said["sent"] = True
        headers = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in said["headers"]
        ]
        return int(said["status"][:3]), headers, chunks, rest

    async def _read(self, scope, receive, mine) -> tuple[bytes, object]:
        """The body (at most limit + 1 bytes of it), and None or what went wrong as (status, message)
        for WholeBodies to answer with. The bytes kept are counted in self.held (and mine)."""
        parts, have, more = [], 0, True
        deadline = time.monotonic() + self.timeout
        while more:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                return b"", (
                    408,
                    f"The request body did not arrive whole within {self.timeout:g} seconds "
                    "(LDR_BODY_TIMEOUT); nothing was done. Send it again, at once.",
                )
            except Exception as exc:  # noqa: BLE001 - granian raises when the body breaks (a bad chunk, say)
                return b"", (
                    400,
                    f"The request body could not be read to its end ({exc.__class__.__name__}: "
                    f"{str(exc)[:200]}); nothing was done. Send it again, whole and well formed.",
                )
            if (
                message["type"] == "http.disconnect"
            ):  # granian's word for a body that broke off or was malformed
                return b"", (
                    400,
                    f"The request body broke off after {have:,} bytes, before its end (the "
                    "connection closed, or a chunk was malformed); nothing was done. Send it again, whole.",
                )
            chunk = message.get("body", b"")
            more = message.get("more_body", False)
            if have <= self.limit and chunk:
                keep = chunk[: self.limit + 1 - have]
                if self.held + len(keep) > self.memory:
                    return b"", (
                        503,
                        f"The registry is receiving more request bodies at once than it holds "
                        f"({self.memory // (1024 * 1024):,} MB, LDR_BODY_MEMORY); nothing was done. "
                        "Send it again in a minute.",
                    )
                parts.append(keep)
                self.held += len(keep)
                mine[0] += len(keep)
            have += len(chunk)
            if have > 2 * self.limit + 1:
                break  # over the limit and then some: read no more, WholeBodies refuses it with 413
        return b"".join(parts), None

    @staticmethod
    def _declared(scope) -> int:
        """Content-Length as sent, or 0 when absent or not a number (WholeBodies judges those)."""
        for name, value in scope.get("headers", ()):
            if name.lower() == b"content-length":
                return int(value) if value.strip().isdigit() and len(value) < 19 else 0
        return 0

    @staticmethod
    async def _drain(receive, most: int, seconds: float) -> None:
        """Read and drop up to `most` bytes of a refused body, for at most `seconds`."""
        deadline, have = time.monotonic() + seconds, 0
        while have < most:
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - time.monotonic()))
            except Exception:  # noqa: BLE001 - out of time, or the body broke: the refusal goes out anyway
                return
            if message["type"] != "http.request":
                return
            have += len(message.get("body", b""))
            if not message.get("more_body", False):
                return

    @staticmethod
    def _expects_continue(scope) -> bool:
        return any(
            name.lower() == b"expect" and value.strip().lower() == b"100-continue"
            for name, value in scope.get("headers", ())
        )

    @staticmethod
    def _may_have_body(scope) -> bool:
        """HTTP/1 announces a body with Content-Length or Transfer-Encoding; HTTP/2 may send one
        with neither (its frames say where it ends), so there it is always read."""
        if not str(scope.get("http_version", "1.1")).startswith("1"):
            return True
        for name, value in scope.get("headers", ()):
            name = name.lower()
            if name == b"transfer-encoding" or (
                name == b"content-length" and value.strip() not in (b"", b"0")
            ):
                return True
        return False


class _Rest:
    """The rest of a large answer: its iterator, and the answer to close once sent."""

    def __init__(self, parts, answer):
        self.parts, self.answer = parts, answer

    def __iter__(self):
        return self

    def __next__(self):
        return next(self.parts)
