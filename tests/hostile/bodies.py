"""The hostile corpus for request bodies: the malformed ways a body can arrive, as raw bytes on
a socket (http.client will not send most of them). tests/test_bodies.py sends each to a real
`ldr serve` and asserts the same of every one: never a 500, never a write.

Each case is a function of (head, record, limit) giving the bytes to send: `head` is the request
line and headers every case shares (POST to a register, with a token), without the framing
headers; `record` a valid record in Turtle; `limit` LDR_MAX_INPUT_BYTES. `half_close`: the client
stops sending after these bytes (shutdown of its side), as a client whose connection breaks does.
`statuses`: what the answer may be (None: the connection may close without one, which is the
server's (hyper's) answer to framing it cannot read)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[bytes, bytes, int], bytes]
    statuses: frozenset
    half_close: bool = True
    why: str = ""


def chunks(data: bytes, size: int = 512) -> bytes:
    return b"".join(
        b"%x\r\n%s\r\n" % (len(data[i : i + size]), data[i : i + size])
        for i in range(0, len(data), size)
    )


def padded(record: bytes, limit: int) -> bytes:
    """The record with a comment after it that takes it past the limit: cut at the limit, it is
    still a complete, valid record (so a cut body would be written, not refused)."""
    return record + b"\n#" + b"x" * (limit + 10) + b"\n"


def _cut(record: bytes) -> bytes:
    """The record cut in the middle of a statement: never a complete document."""
    return record[: record.index(b"dcterms:description") + 25]


REFUSED = frozenset({400, 411, 413, 415, 422, None})

CASES = [
    Case(
        "chunked over the limit",
        lambda h, r, n: (
            h + b"Transfer-Encoding: chunked\r\n\r\n" + chunks(padded(r, n)) + b"0\r\n\r\n"
        ),
        frozenset({413, None}),
        why="read to limit + 1 bytes, the rest drained (up to the limit again), then 413; a client that "
        "half-closed meanwhile may get no answer: hyper drops it (its http1_half_close is off)",
    ),
    Case(
        "chunked over the limit in one chunk",
        lambda h, r, n: (
            h + b"Transfer-Encoding: chunked\r\n\r\n" + chunks(padded(r, n), 1 << 20) + b"0\r\n\r\n"
        ),
        frozenset({413}),
        half_close=False,
    ),
    Case(
        "chunked over the limit, never ended",
        lambda h, r, n: h + b"Transfer-Encoding: chunked\r\n\r\n" + chunks(padded(r, n)),
        frozenset({413, None}),
        half_close=False,
        why="the answer does not wait for the end of a body already over the limit",
    ),
    Case(
        "Content-Length over the limit",
        lambda h, r, n: h + b"Content-Length: %d\r\n\r\n" % len(padded(r, n)) + padded(r, n),
        frozenset({413}),
        half_close=False,
        why="a client that half-closes here may get no answer: hyper drops a connection whose client stopped "
        "sending while its body is unread (its http1_half_close is off)",
    ),
    Case(
        "Content-Length over the limit, body not sent",
        lambda h, r, n: h + b"Content-Length: %d\r\n\r\n" % (n * 10),
        frozenset({413}),
        half_close=False,
        why="refused on the header alone, before reading",
    ),
    Case(
        "Content-Length larger than sent",
        lambda h, r, n: h + b"Content-Length: %d\r\n\r\n" % (len(r) + 100) + r,
        frozenset({400, None}),
        why="a complete record, but 100 bytes short of what was promised",
    ),
    Case(
        "Content-Length smaller than sent",
        lambda h, r, n: h + b"Content-Length: %d\r\n\r\n" % len(_cut(r)) + r,
        REFUSED,
        why="the declared body is a cut record (400); the rest is not a request",
    ),
    Case(
        "chunked with a bad chunk size",
        lambda h, r, n: h + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n" + r + b"\r\n0\r\n\r\n",
        REFUSED,
    ),
    Case(
        "chunked with a chunk size smaller than its data",
        lambda h, r, n: (
            h + b"Transfer-Encoding: chunked\r\n\r\n%x\r\n" % len(_cut(r)) + r + b"\r\n0\r\n\r\n"
        ),
        REFUSED,
    ),
    Case(
        "chunked with a negative chunk size",
        lambda h, r, n: h + b"Transfer-Encoding: chunked\r\n\r\n-10\r\n" + r + b"\r\n0\r\n\r\n",
        REFUSED,
    ),
    Case(
        "chunked with a huge chunk size",
        lambda h, r, n: h + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n" + r,
        REFUSED,
    ),
    Case(
        "chunked ending mid-record",
        lambda h, r, n: h + b"Transfer-Encoding: chunked\r\n\r\n" + chunks(_cut(r)),
        REFUSED,
        why="the connection closes before the last chunk, in the middle of a statement",
    ),
    Case(
        "both Content-Length and chunked",
        lambda h, r, n: (
            h
            + b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
            + chunks(padded(r, n))
            + b"0\r\n\r\n"
        ),
        REFUSED,
        why="both framings: refused (RFC 9112 6.1), and it is over the limit anyway",
    ),
    Case(
        "both Content-Length and chunked, within the limit",
        lambda h, r, n: (
            h
            + b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n" % len(r)
            + chunks(r)
            + b"0\r\n\r\n"
        ),
        REFUSED,
        why="a proxy reading the other header would see another request (smuggling)",
    ),
    Case(
        "two Content-Lengths",
        lambda h, r, n: h + b"Content-Length: %d\r\nContent-Length: 5\r\n\r\n" % len(r) + r,
        REFUSED,
    ),
    Case("negative Content-Length", lambda h, r, n: h + b"Content-Length: -1\r\n\r\n" + r, REFUSED),
    Case(
        "non-numeric Content-Length",
        lambda h, r, n: h + b"Content-Length: 12abc\r\n\r\n" + r,
        REFUSED,
    ),
    Case(
        "Content-Length with a plus sign",
        lambda h, r, n: h + b"Content-Length: +%d\r\n\r\n" % len(r) + r,
        REFUSED,
    ),
    Case(
        "Content-Length past 64 bits",
        lambda h, r, n: h + b"Content-Length: 99999999999999999999999\r\n\r\n" + r,
        REFUSED,
    ),
    Case(
        "gzip then chunked",
        lambda h, r, n: h + b"Transfer-Encoding: gzip, chunked\r\n\r\n" + chunks(r) + b"0\r\n\r\n",
        REFUSED,
        why="a coding the registry does not undo: the bytes are not Turtle",
    ),
    Case(
        "an unknown transfer coding",
        lambda h, r, n: h + b"Transfer-Encoding: x-unknown\r\n\r\n" + r,
        REFUSED,
    ),
    Case(
        "Expect: 100-continue over the limit",
        lambda h, r, n: h + b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % (n * 10),
        frozenset({413}),
        half_close=False,
    ),
]
