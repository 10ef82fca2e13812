"""Every body limit applies however the body arrives: with Content-Length, chunked (no length at
all), or as a form. Over LDR_MAX_INPUT_BYTES is 413 and nothing is written; a body shorter than
its Content-Length is 400; a batch of records is written whole or not at all.

All against a real `ldr serve` (granian) with real HTTP clients, since how the server hands a
chunked body to the application is the point: under granian, werkzeug read a chunked body up to
the limit and stopped there without a word, so a batch of six records over the limit was
registered as its first three, and /sparql ran a cut query (api/bodies.py)."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.parse

import pytest

from registry.rdf.namespaces import VOCABULARY
from tests.conftest import BASE
from tests.hostile.bodies import CASES, chunks
from tests.server import Server
from tests.test_cli import LDR
from tests.test_faults import token_for
from tests.test_registration import exemplar
from tests.web import PASSWORD, csrf

LIMIT = 6000


@pytest.fixture(scope="module")
def server(tmp_path_factory, starter_store_dir):
    path = tmp_path_factory.mktemp("bodies") / "store"
    shutil.copytree(starter_store_dir, path)
    token = token_for(path)
    made = subprocess.run(
        [
            LDR,
            "user",
            "create",
            "--user",
            "amy",
            "--org",
            "leeds-city-council",
            "--role",
            "publisher",
            "--password-stdin",
            "--store",
            str(path),
        ],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, "LDR_BASE": BASE},
    )
    assert made.returncode == 0, made.stderr
    running = Server(
        path, LDR_MAX_INPUT_BYTES=str(LIMIT), LDR_COOKIE_SECURE="false", LDR_RATE_LIMIT="100000"
    )
    running.token = token
    yield running
    running.stop()


def send(
    server,
    method: str,
    path: str,
    body: bytes,
    headers: dict,
    chunked: bool = True,
    piece: int = 700,
) -> tuple[int, dict, bytes]:
    """One request with http.client; chunked: Transfer-Encoding: chunked, no Content-Length."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest(method, path)
        for name, value in headers.items():
            connection.putheader(name, value)
        if chunked:
            connection.putheader("Transfer-Encoding", "chunked")
        else:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        if chunked:
            for start in range(0, len(body), piece):
                part = body[start : start + piece]
                connection.send(b"%x\r\n%s\r\n" % (len(part), part))
            connection.send(b"0\r\n\r\n")
        else:
            connection.send(body)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def status_of(server, path: str) -> int:
    return send(server, "GET", path, b"", {}, chunked=False)[0]


def batch(prefix: str, count: int, pad: int = 500) -> bytes:
    return "\n".join(
        exemplar(
            ref=f"{prefix}-{n}",
            title=f"Batch {prefix} {n}",
            topic=f"batch {prefix} {n} " + "y" * pad,
        )
        for n in range(count)
    ).encode()


def writer(server) -> dict:
    return {"Content-Type": "text/turtle", "Authorization": f"Bearer {server.token}"}


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_a_batch_over_the_limit_is_refused_whole_however_it_is_sent(server, chunked):
    body = batch(f"over-{int(chunked)}", 6)
    assert LIMIT < len(body) < 2 * LIMIT
    status, _, answer = send(server, "POST", "/exemplars", body, writer(server), chunked=chunked)
    assert status == 413, answer[:500]
    assert f"{LIMIT:,} bytes" in json.loads(answer)["detail"]
    for n in range(6):
        assert status_of(server, f"/doc/exemplars/over-{int(chunked)}-{n}.ttl") == 404


def test_a_chunked_batch_within_the_limit_is_written_whole(server):
    body = batch("within", 3)
    assert len(body) < LIMIT
    status, _, answer = send(server, "POST", "/exemplars", body, writer(server), piece=97)
    assert status == 201, answer[:500]
    assert len(json.loads(answer)["records"]) == 3
    assert all(status_of(server, f"/doc/exemplars/within-{n}.ttl") == 200 for n in range(3))


def test_a_batch_with_one_invalid_record_writes_nothing(server):
    records = [
        exemplar(ref=f"mixed-{n}", title=f"Mixed batch {n}", topic=f"mixed {n}") for n in range(3)
    ]
    records[2] = records[2].replace(
        "ldr:problem", "ldr:notAProblem"
    )  # the last one lacks its problem
    status, _, answer = send(
        server, "POST", "/exemplars", "\n".join(records).encode(), writer(server)
    )
    assert status == 422, answer[:500]
    assert all(status_of(server, f"/doc/exemplars/mixed-{n}.ttl") == 404 for n in range(3))


def test_a_put_over_the_limit_is_refused_chunked(server):
    status, _, answer = send(
        server, "POST", "/exemplars", batch("put", 1), writer(server), chunked=False
    )
    assert status == 201, answer[:500]
    big = exemplar(
        ref="put-0", title="Changed by a chunked PUT", topic="put " + "z" * (LIMIT + 100)
    ).encode()
    status, _, answer = send(
        server, "PUT", "/doc/exemplars/put-0", big, {**writer(server), "If-Match": '"v1"'}
    )
    assert status == 413, answer[:500]
    _, headers, _ = send(server, "GET", "/doc/exemplars/put-0.ttl", b"", {}, chunked=False)
    assert headers["etag"].startswith('"v1-'), "the record was changed by a refused PUT"


def test_a_sparql_query_over_the_limit_is_refused_not_cut(server):
    # cut at the limit, this is a complete query that succeeds: the comment is what is cut off
    query = ("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n#" + "x" * LIMIT).encode()
    for content_type, body in [
        ("application/sparql-query", query),
        ("application/x-www-form-urlencoded", b"query=" + urllib.parse.quote(query).encode()),
    ]:
        status, _, answer = send(
            server,
            "POST",
            "/sparql",
            body,
            {"Content-Type": content_type, "Accept": "application/sparql-results+json"},
        )
        assert status == 413, (content_type, answer[:300])
    small = b"SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
    status, _, answer = send(
        server,
        "POST",
        "/sparql",
        small,
        {"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    assert status == 200 and json.loads(answer)["results"]["bindings"], answer[:300]


def test_the_checker_refuses_a_chunked_body_over_the_limit(server):
    data = json.dumps({"padding": "x" * LIMIT}).encode()
    status, _, answer = send(
        server, "POST", "/doc/standards/uprn/check", data, {"Content-Type": "application/json"}
    )
    assert status == 413, answer[:300]


class Browser:
    """Cookies kept between requests, as a browser would."""

    def __init__(self, server):
        self.server, self.cookies = server, {}

    def request(self, method: str, path: str, fields: dict | None = None, chunked: bool = False):
        headers = (
            {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
            if self.cookies
            else {}
        )
        body = b""
        if fields is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urllib.parse.urlencode(fields).encode()
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            connection.putrequest(method, path)
            for name, value in headers.items():
                connection.putheader(name, value)
            connection.putheader(
                "Transfer-Encoding" if chunked else "Content-Length",
                "chunked" if chunked else str(len(body)),
            )
            connection.endheaders()
            if chunked:
                for start in range(0, len(body), 500):
                    part = body[start : start + 500]
                    connection.send(b"%x\r\n%s\r\n" % (len(part), part))
                connection.send(b"0\r\n\r\n")
            else:
                connection.send(body)
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, response.getheader("Location"), response.read()
        finally:
            connection.close()


def test_a_form_post_over_the_limit_is_refused_and_writes_nothing(server):
    browser = Browser(server)
    _, _, page = browser.request("GET", "/sign-in")
    status, _, _ = browser.request(
        "POST",
        "/sign-in",
        {"username": "amy", "password": PASSWORD, "csrf_token": csrf(page), "next": "/"},
    )
    assert status in (302, 303)
    _, _, form = browser.request("GET", "/exemplars/new")
    token = csrf(form)
    fields = {
        "csrf_token": token,
        "action": "continue",
        "reference": "form-post-limit",
        "title": "Garden waste by form",
        "descriptionRequired": "Residents subscribe and pay for garden waste "
        "collection online, and crews see who has paid.",
        "serviceArea": f"{VOCABULARY}service-area/housing",
        "lead": "Leeds City Council",
        "source": "https://example.org/garden-waste",
        "exemplarPhase": f"{VOCABULARY}phase/beta",
        "problem": "Each council builds its own garden waste payment pages.",
    }
    status, draft, answer = browser.request("POST", "/exemplars/new", fields, chunked=True)
    assert status == 303, answer[:1000]
    # confirming the draft with a note over the limit: before, the note was cut and the record written
    status, _, answer = browser.request(
        "POST", draft, {"csrf_token": token, "note": "n" * LIMIT}, chunked=True
    )
    assert status == 413, answer[:300]
    assert status_of(server, "/doc/exemplars/form-post-limit.ttl") == 404
    status, _, answer = browser.request(
        "POST", draft, {"csrf_token": token, "note": "Within the limit"}, chunked=True
    )
    assert status == 200 and b"Record submitted" in answer
    assert status_of(server, "/doc/exemplars/form-post-limit.ttl") == 200


def test_a_body_shorter_than_its_content_length_is_refused(server):
    body = batch("short", 1)
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest("POST", "/exemplars")
        for name, value in writer(server).items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body) + 500))
        connection.endheaders()
        connection.send(body)
        connection.sock.shutdown(1)  # the client stops sending: the body is 500 bytes short
        response = connection.getresponse()
        assert response.status == 400, response.read()[:300]
    finally:
        connection.close()
    assert status_of(server, "/doc/exemplars/short-0.ttl") == 404


def test_a_form_with_more_fields_than_a_form_may_have_is_refused_whatever_its_encoding(server):
    """werkzeug limits the fields of multipart forms only (MAX_FORM_PARTS); URL-encoded ones too here."""
    browser = Browser(server)
    for chunked in (True, False):
        status, _, answer = browser.request(
            "POST", "/sign-in", {f"f{n}": "" for n in range(1001)}, chunked=chunked
        )
        assert status == 413, answer[:300]
        assert "at most 1,000 fields" in json.loads(answer)["detail"]
    status, _, _ = browser.request("POST", "/sign-in", {f"f{n}": "" for n in range(990)})
    assert status == 400  # within the limit: read, and refused for its missing CSRF token


# --- the hostile corpus (tests/hostile/bodies.py) ------------------------------------------------


def send_raw(server, payload: bytes, half_close: bool, wait: float = 10) -> int | None:
    """The status line's code, or None when the connection closed without an answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=wait) as connection:
        try:
            connection.sendall(payload)
            if half_close:
                connection.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server answered and closed before it had everything: read its answer
        answer = b""
        try:
            while b"\r\n" not in answer:
                data = connection.recv(4096)
                if not data:
                    break
                answer += data
        except (ConnectionResetError, TimeoutError):
            pass
    match = re.match(rb"HTTP/1\.[01] (\d{3})", answer)
    return int(match.group(1)) if match else None


def hostile_head(server) -> bytes:
    return (
        b"POST /exemplars HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/turtle\r\n"
        b"Authorization: Bearer %s\r\n" % server.token.encode()
    )


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_malformed_body_is_never_a_500_and_never_a_write(server, case):
    ref = "hostile-" + re.sub(r"[^a-z0-9]+", "-", case.name.lower()).strip("-")
    record = exemplar(ref=ref, title=f"Hostile {case.name}", topic=f"hostile {case.name}").encode()
    status = send_raw(server, case.make(hostile_head(server), record, LIMIT), case.half_close)
    assert status in case.statuses, f"{case.name}: {status} ({case.why})"
    assert status_of(server, f"/doc/exemplars/{ref}.ttl") == 404, f"{case.name}: written"
    assert status_of(server, "/health") == 200


def test_a_chunked_body_whose_connection_breaks_between_records_writes_nothing(server):
    records = [
        exemplar(ref=f"broken-{n}", title=f"Broken stream {n}", topic=f"broken {n}").encode()
        for n in range(2)
    ]
    payload = (
        hostile_head(server) + b"Transfer-Encoding: chunked\r\n\r\n" + chunks(records[0])
    )  # no last chunk
    send_raw(server, payload, half_close=True)
    assert status_of(server, "/doc/exemplars/broken-0.ttl") == 404


# --- the reading function itself, as any WSGI server may call it -------------------------------


class Broken(io.BytesIO):
    def read(self, size=-1):
        data = super().read(size)
        if not data:
            raise OSError("connection reset by peer")
        return data


@pytest.mark.parametrize(
    "environ, outcome",
    [
        ({"CONTENT_LENGTH": "5", "wsgi.input": io.BytesIO(b"hello")}, b"hello"),
        ({"CONTENT_LENGTH": "5", "wsgi.input": io.BytesIO(b"hello, and more")}, b"hello"),
        ({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"x" * 10)}, b"x" * 10),
        ({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(b"x" * 11)}, 413),
        (
            {
                "HTTP_TRANSFER_ENCODING": "chunked",
                "CONTENT_LENGTH": "3",
                "wsgi.input": io.BytesIO(b"x" * 11),
            },
            413,
        ),
        ({"CONTENT_LENGTH": "11", "wsgi.input": io.BytesIO(b"")}, 413),
        ({"CONTENT_LENGTH": "8", "wsgi.input": io.BytesIO(b"hello")}, 400),
        ({"CONTENT_LENGTH": "-1", "wsgi.input": io.BytesIO(b"hello")}, 400),
        ({"CONTENT_LENGTH": "+5", "wsgi.input": io.BytesIO(b"hello")}, 400),
        ({"CONTENT_LENGTH": "5abc", "wsgi.input": io.BytesIO(b"hello")}, 400),
        ({"CONTENT_LENGTH": "9" * 40, "wsgi.input": io.BytesIO(b"hello")}, 400),
        ({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": Broken(b"hel")}, 400),
    ],
    ids=[
        "exact",
        "longer than declared",
        "chunked at the limit",
        "chunked over",
        "chunked with a length",
        "declared over",
        "short",
        "negative",
        "signed",
        "not a number",
        "too long a number",
        "broken stream",
    ],
)
def test_read_body_reads_at_most_one_byte_over_the_limit(environ, outcome):
    from api.bodies import BodyError, read_body

    if isinstance(outcome, bytes):
        assert read_body(environ, 10) == outcome
        return
    with pytest.raises(BodyError) as refused:
        read_body(environ, 10)
    assert refused.value.status == outcome
    assert environ["wsgi.input"].tell() <= 11


# --- bodies that come slowly: they hold a connection, never a request thread ---------------------


def stall(server, count: int, sent: bytes = b"@prefix") -> list[socket.socket]:
    """`count` connections that each send headers promising 5,000 bytes, then a few, then nothing."""
    stalled = []
    for _ in range(count):
        connection = socket.create_connection(("127.0.0.1", server.port), timeout=120)
        connection.sendall(hostile_head(server) + b"Content-Length: 5000\r\n\r\n" + sent)
        stalled.append(connection)
    return stalled


def test_stalled_bodies_do_not_stop_pages_or_other_writes(server):
    """Twice as many stalled bodies as `ldr serve` has request threads (six): under granian's WSGI
    interface each held a thread until its client left, and every page waited (a stranger's attack).
    The pages and a whole write still answer while the stalled ones wait."""
    stalled = stall(server, 12)
    try:
        for path in ("/health", "/", "/exemplars", "/doc/standards/uprn"):
            assert send(server, "GET", path, b"", {}, chunked=False)[0] == 200, path
        record = exemplar(
            ref="beside-stalled", title="Written beside stalled bodies", topic="beside stalled"
        ).encode()
        status, _, answer = send(
            server,
            "POST",
            "/exemplars",
            record,
            {"Content-Type": "text/turtle", "Authorization": f"Bearer {server.token}"},
            chunked=False,
        )
        assert status == 201, answer
    finally:
        for connection in stalled:
            connection.close()


def test_a_body_that_does_not_arrive_in_time_gets_408_and_writes_nothing(
    tmp_path, starter_store_dir
):
    shutil.copytree(starter_store_dir, tmp_path / "store")
    token = token_for(tmp_path / "store")
    running = Server(tmp_path / "store", LDR_BODY_TIMEOUT="2")
    running.token = token
    try:
        ref = "too-slow"
        record = exemplar(ref=ref, title="Too slow", topic="too slow").encode()
        [connection] = stall(running, 1, sent=record[:40])
        with connection:
            answer = b""
            while b"\r\n\r\n" not in answer:  # the server answers once LDR_BODY_TIMEOUT has passed
                data = connection.recv(4096)
                if not data:
                    break
                answer += data
            assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
            assert b"connection: close" in answer.lower()
            rest = answer.split(b"\r\n\r\n", 1)[1]
            while True:
                data = connection.recv(4096)
                if not data:
                    break
                rest += data
            assert json.loads(rest)["detail"].startswith(
                "The request body did not arrive whole within 2 seconds"
            )
        assert status_of(running, f"/doc/exemplars/{ref}.ttl") == 404
        # a body that comes slowly but whole within the time is taken
        record = exemplar(
            ref="slow-but-whole", title="Slow but whole", topic="slow but whole"
        ).encode()
        status, _, answer = send(
            running,
            "POST",
            "/exemplars",
            record,
            {"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"},
            piece=200,
        )
        assert status == 201, answer
    finally:
        running.stop()


def status_line(connection: socket.socket) -> bytes:
    """The first line the server sends on this connection (waits up to the socket's timeout)."""
    answer = b""
    while b"\r\n" not in answer:
        data = connection.recv(4096)
        if not data:
            break
        answer += data
    return answer.split(b"\r\n", 1)[0]


@pytest.mark.parametrize(
    "declared, expect",
    [(LIMIT * 2, True), (LIMIT * 2, False), (LIMIT * 100, True)],
    ids=[
        "within twice the limit, expecting 100-continue",
        "within twice the limit",
        "far over, expecting 100-continue",
    ],
)
def test_a_content_length_over_the_limit_is_refused_without_waiting_for_the_body(
    server, declared, expect
):
    """The header alone decides: 413, never an invitation to send ("100 Continue") and never a wait
    for a body that is refused anyway (a stranger got 100 and then 408 after a minute)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=120) as connection:
        connection.sendall(
            hostile_head(server)
            + b"Content-Length: %d\r\n" % declared
            + (b"Expect: 100-continue\r\n" if expect else b"")
            + b"\r\n"
        )
        assert status_line(connection) == b"HTTP/1.1 413 Payload Too Large"


def curl_h2(server, path: str, body: bytes, tmp_path, headers: dict) -> tuple[int, str]:
    """A POST over HTTP/2 (h2c, prior knowledge) whose body has no Content-Length: curl streams
    a file given with -T and `Transfer-Encoding: chunked`, which HTTP/2 frames without either header."""
    upload = tmp_path / "body"
    upload.write_bytes(body)
    command = [
        shutil.which("curl"),
        "-s",
        "--http2-prior-knowledge",
        "-X",
        "POST",
        "-T",
        str(upload),
        "-H",
        "Transfer-Encoding: chunked",
        "-o",
        str(tmp_path / "answer"),
        "-w",
        "%{http_code} %{http_version}",
        *[part for name, value in headers.items() for part in ("-H", f"{name}: {value}")],
        f"http://127.0.0.1:{server.port}{path}",
    ]
    said = subprocess.run(command, capture_output=True, text=True, timeout=120).stdout.split()
    assert said[1] == "2", said  # it was HTTP/2
    return int(said[0]), (tmp_path / "answer").read_text()


def test_a_body_over_http2_without_a_length_is_read_and_limited_like_any_other(server, tmp_path):
    """HTTP/2 may send a body with neither Content-Length nor Transfer-Encoding: it was not read at
    all (the record came to the app empty, and a body over the limit got 400, not 413)."""
    headers = {"Content-Type": "text/turtle", "Authorization": f"Bearer {server.token}"}
    record = exemplar(ref="over-h2", title="Sent over HTTP/2", topic="over http two").encode()
    status, answer = curl_h2(server, "/exemplars", record, tmp_path, headers)
    assert status == 201, answer
    assert status_of(server, "/doc/exemplars/over-h2.ttl") == 200
    status, answer = curl_h2(server, "/exemplars", batch("h2-over", 6), tmp_path, headers)
    assert status == 413, answer
    assert status_of(server, "/doc/exemplars/batch-h2-over-0.ttl") == 404


def test_bodies_held_at_once_are_bounded_and_the_rest_refused(tmp_path, starter_store_dir):
    """Slow bodies hold their bytes until they are whole; LDR_BODY_MEMORY bounds them all together
    (a stranger's hundred slow clients took the web process from 164 MB to 1.2 GB)."""
    shutil.copytree(starter_store_dir, tmp_path / "store")
    running = Server(tmp_path / "store", LDR_MAX_INPUT_BYTES=str(LIMIT), LDR_BODY_MEMORY="12000")
    running.token = token_for(tmp_path / "store")
    try:
        stalled = stall(running, 2, sent=b"#" * 4900)  # 9,800 bytes held
        try:
            for connection in stalled:  # each is held, unanswered
                connection.settimeout(1)
                with pytest.raises(TimeoutError):
                    connection.recv(1)
            with socket.create_connection(("127.0.0.1", running.port), timeout=120) as third:
                third.sendall(hostile_head(running) + b"Content-Length: 5000\r\n\r\n" + b"#" * 4900)
                assert status_line(third) == b"HTTP/1.1 503 Service Unavailable"
            assert status_of(running, "/health") == 200
        finally:
            for connection in stalled:
                connection.close()
        record = exemplar(
            ref="after-the-crowd", title="After the crowd", topic="after the crowd"
        ).encode()
        headers = {"Content-Type": "text/turtle", "Authorization": f"Bearer {running.token}"}
        deadline_ok = False
        for _ in range(120):  # the stalled bodies' bytes are let go as their connections close
            status, _, answer = send(running, "POST", "/exemplars", record, headers, chunked=False)
            if status != 503:
                deadline_ok = True
                break
            time.sleep(0.5)
        assert deadline_ok and status == 201, answer
    finally:
        running.stop()
