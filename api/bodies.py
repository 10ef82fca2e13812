"""Request bodies are read whole, or refused: one WSGI layer in front of everything (Flask's
routes, the form parser and /sparql), so no route can see a body cut at the size limit.

Why here and not in each route: werkzeug, under a server that sets `wsgi.input_terminated`
(granian does, for every request), limits a body sent without Content-Length (chunked) by
reading *up to* the limit and stopping there silently (`LimitedStream.readall` returns at the
limit instead of raising): a chunked batch of six records over LDR_MAX_INPUT_BYTES was parsed
as its first three. This layer reads at most limit + 1 bytes: one byte over is 413; fewer bytes
than Content-Length promised is 400. The route then reads the whole body from memory, with its
true length in CONTENT_LENGTH and no Transfer-Encoding.

Under `ldr serve`, api/front.py has already read the body on granian's event loop (at most the
limit and a little more), and tells this layer in `environ["ldr.body_problem"]` when the body
broke off (400) or did not arrive in time (408); this layer answers those too, in the same
format as every other refusal."""

from __future__ import annotations

import io
import re

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge

from .problems import problem, too_large
from .security import add_headers

READ_SIZE = 64 * 1024
#: environ key in which api/front.py says why it could not read a body whole: (status, message)
BODY_PROBLEM = "ldr.body_problem"
_DIGITS = re.compile(r"[0-9]{1,18}")


class BodyError(Exception):
    """The body cannot be used: `status` 413 (over the limit) or 400 (cut short, or a bad
    Content-Length)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def declared_length(environ) -> int | None:
    """Content-Length as a number, None when the body is chunked or the header absent; BodyError
    when it is not a plain non-negative number (RFC 9110 §8.6: digits only)."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return None
    value = environ.get("CONTENT_LENGTH")
    if value is None or value == "":
        return None
    value = value.strip()
    if not _DIGITS.fullmatch(value):
        raise BodyError(400, f"Content-Length must be a number of bytes, not {value[:40]!r}.")
    return int(value)


def read_body(environ, limit: int) -> bytes:
    """The whole body, reading at most `limit` + 1 bytes of it; BodyError if it is larger than
    `limit` (413) or shorter than its Content-Length (400)."""
    length = declared_length(environ)
    if length is not None and length > limit:
        raise BodyError(413, "")
    stream = environ.get("wsgi.input")
    if stream is None or length == 0:
        return b""
    wanted = limit + 1 if length is None else length
    parts, have = [], 0
    while have < wanted:
        try:
            part = stream.read(min(READ_SIZE, wanted - have))
        except (OSError, ValueError) as exc:  # a server that reports a broken body as an error
            raise BodyError(
                400,
                f"The request body could not be read to its end ({exc.__class__.__name__}); "
                "nothing was done. Send it again.",
            ) from exc
        if not part:
            break
        parts.append(part)
        have += len(part)
    if have > limit:
        raise BodyError(413, "")
    if length is not None and have < length:
        raise BodyError(
            400,
            f"The request body ended after {have:,} of the {length:,} bytes its Content-Length "
            "promised; nothing was done. Send it again, whole.",
        )
    return b"".join(parts)


def drain(environ, most: int) -> None:
    """Read and drop what is left of a refused body, up to `most` bytes more: a client still
    sending it then reads the 413 rather than a reset connection (a server that closes with
    unread bytes makes the kernel reset it, which can discard the answer before the client
    reads it; this lost the 413 now and then on a loaded machine). Beyond `most`, the
    connection is closed as before: refusing a body never costs more than twice the limit."""
    length = declared_length(environ)
    if length is not None and length > 2 * most:
        return
    stream = environ.get("wsgi.input")
    left = most if length is None else length
    try:
        while left > 0 and stream is not None:
            part = stream.read(min(READ_SIZE, left))
            if not part:
                return
            left -= len(part)
    except (OSError, ValueError):
        return


def has_body(environ) -> bool:
    return bool(environ.get("HTTP_TRANSFER_ENCODING")) or environ.get("CONTENT_LENGTH", "") not in (
        "",
        "0",
    )


class WholeBodies:
    """WSGI middleware: every request's body read whole (or refused) before any route sees it."""

    def __init__(self, app, limit: int, pages=None):
        self.app, self.limit = app, limit
        self.pages = (
            pages  # the Flask app, whose error page a browser gets for a body over the limit
        )

    def __call__(self, environ, start_response):
        seen = environ.get(BODY_PROBLEM)  # what api/front.py saw while reading the body
        if seen:
            status, message = seen
            title = {408: "Request body too slow", 503: "Too many request bodies at once"}.get(
                status, "Bad request body"
            )
            response = problem(
                status, title, message, headers={"Retry-After": "60"} if status == 503 else None
            )
            return self._refuse(environ, start_response, response, close=True)
        if environ.get("HTTP_TRANSFER_ENCODING") and environ.get("CONTENT_LENGTH", "") != "":
            # RFC 9112 6.1: a server may refuse such a message, and should: a proxy in front that
            # reads the other header would see a different request (request smuggling)
            response = problem(
                400,
                "Bad request body",
                "The request has both Content-Length and Transfer-Encoding; "
                "nothing was done. Send one of them (RFC 9112, section 6.1).",
            )
            return self._refuse(environ, start_response, response, close=True)
        if has_body(environ):
            try:
                body = read_body(environ, self.limit)
            except BodyError as exc:
                if exc.status == 413:
                    drain(environ, self.limit)
                    response = self._too_large_page(environ) or too_large(self.limit)
                    return self._refuse(environ, start_response, response, close=True)
                return self._refuse(
                    environ, start_response, problem(400, "Bad request body", exc.message)
                )
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
        return self.app(environ, start_response)

    @staticmethod
    def _refuse(environ, start_response, response, close: bool = False):
        """Answer with a refusal, with the registry's security headers (and the connection closed)."""
        if close:
            response.headers["Connection"] = "close"
        add_headers(
            response.headers,
            environ.get("PATH_INFO", "/"),
            None,
            environ.get("wsgi.url_scheme") == "https",
        )
        return response(environ, start_response)

    def _too_large_page(self, environ):
        """For a browser (a form with a file too large, say), the refusal as a page with a way back."""
        if self.pages is None:
            return None
        from .documents import error_page, wants_page

        with self.pages.request_context(environ):
            if not wants_page():
                return None
            return error_page(
                413,
                "The file or form is too large",
                f"What you sent is larger than this registry takes at once ({self.limit // (1024 * 1024):,} MB, "
                "LDR_MAX_INPUT_BYTES). Send a smaller file, or fewer records at a time.",
                "text/html",
                back=environ.get("PATH_INFO", "/"),
            )


class FormLimitedRequest(Request):
    """Flask's request, with the form limits (MAX_FORM_MEMORY_SIZE, MAX_FORM_PARTS) applied to
    URL-encoded forms as well: werkzeug applies them to multipart forms only, and parses a
    URL-encoded one of any size up to LDR_MAX_INPUT_BYTES. Either kind over them is 413 with a
    message that says which limit, not the body limit."""

    def _load_form_data(self) -> None:
        if "form" in self.__dict__:
            return
        if self.mimetype == "application/x-www-form-urlencoded":
            data = self.get_data(
                cache=True
            )  # already in memory (WholeBodies): parsed from the cache
            if (
                self.max_form_memory_size is not None and len(data) > self.max_form_memory_size
            ) or (self.max_form_parts is not None and data.count(b"&") >= self.max_form_parts):
                raise RequestEntityTooLarge(description=self._form_limits())
        try:
            super()._load_form_data()
        except RequestEntityTooLarge as exc:
            if (
                self.content_length is not None
                and self.max_content_length is not None
                and self.content_length > self.max_content_length
            ):
                raise
            raise RequestEntityTooLarge(description=self._form_limits()) from exc

    def _form_limits(self) -> str:
        return (
            f"The form is larger than a form may be: at most {self.max_form_parts:,} fields, and "
            f"{self.max_form_memory_size:,} bytes of text in its fields. Send fewer or shorter answers; "
            "a file to check can be uploaded whole."
        )
