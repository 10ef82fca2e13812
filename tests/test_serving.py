"""`ldr serve` as its operator meets it: a port already taken, a port other than LDR_BASE's, the
request log, and Ctrl-C. Real servers on 127.0.0.1, real clients."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request

import pytest
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import isomorphic

from tests.conftest import BASE
from tests.server import START_WITHIN, free_port, wait_until_answering
from tests.test_cli import LDR
from tests.test_clients import server as served  # noqa: F401 - a fixture: one server on a copy of the starter store


def serve(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`ldr serve` expected to stop by itself; if it serves instead, the test fails (not hangs)."""
    process = subprocess.Popen(
        [LDR, "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "LDR_BASE": BASE, **(env or {})},
    )
    try:
        out, err = process.communicate(timeout=START_WITHIN)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(
            f"ldr serve {' '.join(args)} went on serving instead of stopping:\n{err[-3000:]}"
        )
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_a_second_server_on_a_port_in_use_stops_with_a_clear_error(
    served, tmp_path, starter_store_dir
):
    other = tmp_path / "other"
    shutil.copytree(starter_store_dir, other)
    second = serve("--port", str(served.port), "--store", str(other))
    assert second.returncode == 2, second.stderr
    assert f"cannot serve on 127.0.0.1:{served.port}: the port is already in use" in second.stderr
    assert f"--port {served.port + 1}" in second.stderr  # how to fix it
    assert "Traceback" not in second.stderr
    with urllib.request.urlopen(
        served.url + "/health", timeout=60
    ) as answer:  # the first one still serves
        assert answer.status == 200


def log_of(server) -> str:
    """What the server has written so far (read without moving the offset it writes at)."""
    fd = server.log.fileno()
    return os.pread(fd, os.fstat(fd).st_size, 0).decode("utf-8", "replace")


def test_serving_on_another_port_than_ldr_base_says_so_once_at_start(served):
    # the test servers keep LDR_BASE at port 8000 and listen on a free port
    log = log_of(served)
    warning = f"LDR_BASE is {BASE}, but this server listens on 127.0.0.1:{served.port}"
    assert log.count(warning) == 1, log[-3000:]
    assert f"LDR_BASE=http://127.0.0.1:{served.port} ldr init --store DIR" in log  # how to set it


def document(server, path: str, accept: str) -> bytes:
    request = urllib.request.Request(server.url + path, headers={"Accept": accept})
    with urllib.request.urlopen(request, timeout=60) as answer:
        return answer.read()


def contexts(node) -> list:
    """Every @context value in a JSON-LD document, however deep."""
    if isinstance(node, dict):
        return ([node["@context"]] if "@context" in node else []) + [
            c for v in node.values() for c in contexts(v)
        ]
    if isinstance(node, list):
        return [c for v in node for c in contexts(v)]
    return []


@pytest.mark.parametrize(
    "path",
    [
        "/doc/exemplars/bops",
        "/doc/standards/uprn",
        "/doc/agreements/leeds-care-record",
        "/doc/organisations/london-borough-of-southwark",
        "/doc/exemplars",
        "/catalogue",
    ],
)
def test_every_json_ld_document_parses_offline_in_rdflib_and_pyld(served, path):
    body = document(served, path, "application/ld+json")
    doc = json.loads(body)
    assert all(isinstance(c, dict) for c in contexts(doc)), "a @context names a document to fetch"

    def no_fetching(url, options=None):
        raise AssertionError(f"pyld tried to fetch {url}")

    from_pyld = Graph().parse(
        data=jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": no_fetching}),
        format="nquads",
    )
    from_rdflib = Graph().parse(data=body, format="json-ld")
    turtle = Graph().parse(data=document(served, path, "text/turtle"), format="turtle")
    assert len(turtle) > 0
    assert isomorphic(Graph() + from_pyld, turtle)
    assert isomorphic(Graph() + from_rdflib, turtle)


def test_each_request_gets_one_line_in_the_log_with_its_id(served):
    from tests.waiting import wait_for

    request = urllib.request.Request(
        served.url + "/doc/exemplars/bops.ttl", headers={"X-Request-Id": "journey-7"}
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.headers["X-Request-Id"] == "journey-7"
    line = wait_for(
        lambda: [entry for entry in log_of(served).splitlines() if "request_id=journey-7" in entry],
        within=120,
        what="the request's log line",
    )
    assert len(line) == 1 and "ldr.request GET /doc/exemplars/bops.ttl 200 " in line[0], line
    assert line[0][:4].isdigit() and "ms request_id=journey-7" in line[0]  # time first, duration


def test_ctrl_c_stops_the_server_and_its_query_workers_without_a_traceback(
    tmp_path, starter_store_dir
):
    """A terminal's Ctrl-C sends SIGINT to the whole foreground process group. Before, the
    query workers each printed a KeyboardInterrupt traceback and the web worker hung in its
    shutdown (the server never ended). Now the server ends, with its query workers, and says
    nothing worse than that it is shutting down."""
    import signal
    import tempfile

    from tests.waiting import wait_for

    store = tmp_path / "store"
    shutil.copytree(starter_store_dir, store)
    port = free_port()
    log = tempfile.TemporaryFile()
    server = subprocess.Popen(
        [LDR, "serve", "--port", str(port), "--store", str(store)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # a terminal's group of its own
        env={**os.environ, "LDR_BASE": BASE},
    )
    try:
        wait_until_answering(port)
        query = (
            "ASK%20%7B%20%3Fs%20a%20%3Ft%20%3B%20%3Fp%20%3Fo%20%7D"  # answered by a query worker
        )
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/sparql?query={query}", timeout=120
        ) as answer:
            assert json.loads(answer.read())["boolean"] is True
        workers = subprocess.run(
            ["pgrep", "-f", "registry.query.worker"], capture_output=True, text=True
        ).stdout.split()
        ours = [pid for pid in workers if _ancestor(int(pid), server.pid)]
        assert ours, "the server started no query workers"
        os.killpg(server.pid, signal.SIGINT)  # what Ctrl-C does
        assert server.wait(timeout=120) == 0
        wait_for(
            lambda: not any(os.path.exists(f"/proc/{pid}") and _running(pid) for pid in ours),
            within=60,
            what="the query workers ending",
        )
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)
    log.seek(0)
    output = log.read().decode("utf-8", "replace")
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output[-3000:]
    assert "Shutting down" in output


def _ancestor(pid: int, ancestor: int) -> bool:
    """Whether `ancestor` is `pid`'s parent, grandparent, …"""
    while pid > 1:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                pid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
        if pid == ancestor:
            return True
    return False


def _running(pid: str) -> bool:
    """A process that has not ended (a zombie has ended: only its parent has not read its status)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
