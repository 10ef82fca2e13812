"""A port on 127.0.0.1 that counts the connections made to it: the proof, for the tests that
need one, that nothing the registry ran reached the network."""

from __future__ import annotations

import select
import socket
import threading


class Listener:
    """Accepts and closes every connection at once (a client that connects is answered by the
    connection closing, so it never waits), and counts them. `seen()` also takes whatever the
    kernel has queued and not yet accepted: a connection is queued before the client's connect
    returns, so one made before an answer came back is counted, without sleeping."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.sock.setblocking(False)
        self.port = self.sock.getsockname()[1]
        self.endpoint = f"http://127.0.0.1:{self.port}/sparql"
        self._count = 0
        self._lock = threading.Lock()
        self._running = True
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        with self._lock:
            while True:
                try:
                    conn, _ = self.sock.accept()
                except OSError:  # nothing queued (BlockingIOError), or closed
                    return
                self._count += 1
                conn.close()

    def _serve(self) -> None:
        while self._running:
            try:
                ready, _, _ = select.select([self.sock], [], [], 0.2)
            except (OSError, ValueError):  # closed
                return
            if ready:
                self._drain()

    @property
    def connections(self) -> int:
        """Every connection made so far."""
        self._drain()
        return self._count

    def seen(self) -> int:
        return self.connections

    def close(self) -> None:
        self._drain()
        self._running = False
        self._thread.join(5)
        self.sock.close()
