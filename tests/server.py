"""A real `ldr serve` process on a free local port, for tests that use real HTTP clients."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from tests.conftest import BASE, store_settings
from tests.ports import free_port
from tests.test_cli import LDR

#: how long a server may take to answer /health: generous, because a loaded machine (CI beside
#: other suites) has taken more than 60 s to start one
START_WITHIN = 180


def wait_until_answering(port: int) -> None:
    """Wait (up to START_WITHIN) for an `ldr serve` started by a test to answer /health."""
    from tests.waiting import wait_for

    def answering() -> bool:
        try:
            return (
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5).status == 200
            )
        except OSError:
            return False

    wait_for(answering, within=START_WITHIN, what=f"ldr serve answering /health on port {port}")


class Server:
    def __init__(
        self,
        store_dir: Path,
        owner: dict | None = None,
        args: tuple[str, ...] = (),
        preexec=None,
        **env: str,
    ):
        """`preexec` runs in the process that writes the store (ldr serve, or the SPARQL server)
        before it starts: the fault tests limit it there."""
        """`owner`: another Server's, to serve the same store on the same SPARQL server again."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.owner = owner if owner is not None else {}
        self.log = tempfile.TemporaryFile()  # a file, not a pipe: a full pipe would stop the server
        if "test.oxigraph" in self.owner:
            store = self.owner["test.oxigraph"].settings()
        else:
            store = store_settings(store_dir, self.owner, preexec=preexec)
            store.pop("LDR_STORE_DIR")
        self.process = subprocess.Popen(
            [LDR, "serve", "--port", str(self.port), "--store", str(store_dir), *args],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "LDR_BASE": BASE, **store, **env},
            preexec_fn=preexec if "test.oxigraph" not in self.owner else None,
        )
        deadline = time.monotonic() + START_WITHIN
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/health", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None:
                    self.log.seek(0)
                    raise RuntimeError(self.log.read().decode("utf-8", "replace")) from None
                time.sleep(0.1)
        self.stop()
        self.log.seek(0)
        raise RuntimeError(
            f"ldr serve did not start within {START_WITHIN} s:\n"
            + self.log.read().decode("utf-8", "replace")[-4000:]
        )

    def stop(self, stop_store: bool = True) -> None:
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        if stop_store and "test.oxigraph" in self.owner:
            self.owner.pop("test.oxigraph").stop()
