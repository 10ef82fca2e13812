"""`ldr serve` as its operator meets it: a port already taken, a port other than LDR_BASE's, the
request log, and Ctrl-C. Real servers on 127.0.0.1, real clients."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import BASE
from tests.server import START_WITHIN
from tests.test_cli import LDR
from tests.test_clients import server as served  # noqa: F401 - a fixture: one server on a copy of the starter store


def serve(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`ldr serve` expected to stop by itself; if it serves instead, the test fails (not hangs)."""
    process = subprocess.Popen([LDR, "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "LDR_BASE": BASE, **(env or {})})
    try:
        out, err = process.communicate(timeout=START_WITHIN)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"ldr serve {' '.join(args)} went on serving instead of stopping:\n{err[-3000:]}")
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def test_a_second_server_on_a_port_in_use_stops_with_a_clear_error(served, tmp_path, starter_store_dir):
    other = tmp_path / "other"
    shutil.copytree(starter_store_dir, other)
    second = serve("--port", str(served.port), "--store", str(other))
    assert second.returncode == 2, second.stderr
    assert f"cannot serve on 127.0.0.1:{served.port}: the port is already in use" in second.stderr
    assert f"--port {served.port + 1}" in second.stderr   # how to fix it
    assert "Traceback" not in second.stderr
    import urllib.request
    with urllib.request.urlopen(served.url + "/health", timeout=60) as answer:   # the first one still serves
        assert answer.status == 200
