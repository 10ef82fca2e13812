"""The `oxigraph` PyPI package's SPARQL server, started on a free local port over a store
directory, for the tests that run against a real server."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.ports import free_port

OXIGRAPH = str(Path(sys.executable).parent / "oxigraph")


class OxigraphServer:
    def __init__(self, location: Path, port: int | None = None, preexec=None):
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [OXIGRAPH, "serve", "--location", str(location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=preexec,
        )
        deadline = (
            time.monotonic() + 60
        )  # not 200 tries of 50 ms: a loaded machine starts it slowly
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/query?query=ASK%7B%7D", timeout=5)
                return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.05)
        raise RuntimeError("the oxigraph server did not start")

    def settings(self) -> dict:
        """The registry's settings for a store on this server."""
        return {
            "LDR_STORE": "sparql",
            "LDR_SPARQL_QUERY_URL": self.url + "/query",
            "LDR_SPARQL_UPDATE_URL": self.url + "/update",
            "LDR_SPARQL_GSP_URL": self.url + "/store",
        }

    def restart(self, location: Path, port: int) -> None:
        """Start again on the same store and port, as an operator restarting the server would."""
        self.__init__(location, port)

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
