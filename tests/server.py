"""A real `ldr serve` process on a free local port, for tests that use real HTTP clients."""
from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from tests.conftest import BASE
from tests.test_cli import LDR


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, store_dir: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [LDR, "serve", "--port", str(self.port), "--store", str(store_dir)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            env={**os.environ, "LDR_BASE": BASE, **env})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url + "/health", timeout=1)
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(self.process.stdout.read().decode())
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("ldr serve did not start within 30 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
