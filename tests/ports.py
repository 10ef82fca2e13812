"""Free local ports for the servers the tests start.

`make test` runs the suite twice side by side, on the embedded store and on a SPARQL server. The
kernel picks ports for the embedded run (and for every client connection) in Linux's ephemeral
range, 32768–60999; the SPARQL run picks its own below it, in 20000–32767. So the two runs never
choose the same port in the moment between choosing it and a server binding it, when a server
that lost the race would fail to start, or a test would talk to the other run's server."""

from __future__ import annotations

import os
import random
import socket

#: Where the run on the SPARQL server takes its ports: below the ephemeral range.
SPARQL_RUN_PORTS = range(20000, 32768)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now."""
    if os.environ.get("LDR_TEST_STORE") == "sparql":
        for _ in range(500):
            port = random.choice(SPARQL_RUN_PORTS)
            with socket.socket() as probe:
                try:
                    probe.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
        raise RuntimeError(
            f"no free port in {SPARQL_RUN_PORTS.start}–{SPARQL_RUN_PORTS.stop - 1} after 500 tries"
        )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
