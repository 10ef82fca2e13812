"""A real HTTP server on 127.0.0.1 for the harvest tests: serves files from a folder, the git
repositories in it over git's smart HTTP protocol (git http-backend, under /git/), and a few
answers of its own: a redirect to anywhere (/redirect?to=…), an endless chain of redirects
(/loop), and a body larger than the limit (/huge). It records every request it receives."""

from __future__ import annotations

import http.server
import subprocess
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


class HarvestServer:
    def __init__(self, root: Path):
        self.root = root
        self.requests: list[str] = []
        server = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(root), **kwargs)

            def log_message(self, *args) -> None:  # quiet
                pass

            def _git(self) -> None:
                """git http-backend, run as the CGI program it is."""
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                env = {
                    "PATH": "/usr/bin:/bin",
                    "GIT_PROJECT_ROOT": str(root),
                    "GIT_HTTP_EXPORT_ALL": "1",
                    "REQUEST_METHOD": self.command,
                    "PATH_INFO": parts.path[len("/git") :],
                    "QUERY_STRING": parts.query,
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "CONTENT_LENGTH": str(len(body)),
                    "REMOTE_ADDR": "127.0.0.1",
                }
                if self.headers.get("Git-Protocol"):
                    env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
                done = subprocess.run(
                    ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
                )
                head, _, rest = done.stdout.partition(b"\r\n\r\n")
                status, headers = 200, []
                for line in head.decode("latin-1").split("\r\n"):
                    name, _, value = line.partition(":")
                    if name.lower() == "status":
                        status = int(value.strip().split()[0])
                    elif name:
                        headers.append((name, value.strip()))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(rest)))
                self.end_headers()
                self.wfile.write(rest)

            def do_POST(self) -> None:
                server.requests.append(self.path)
                if self.path.startswith("/git/"):
                    self._git()
                else:
                    self.send_error(405)

            def do_GET(self) -> None:
                server.requests.append(self.path)
                parts = urlsplit(self.path)
                if parts.path.startswith("/git/"):
                    self._git()
                    return
                if parts.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", parse_qs(parts.query)["to"][0])
                    self.end_headers()
                    return
                if parts.path == "/loop":
                    self.send_response(302)
                    self.send_header("Location", "/loop")
                    self.end_headers()
                    return
                if parts.path == "/huge":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    try:
                        for _ in range(64):
                            self.wfile.write(b"x" * 65536)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client stopped reading at its limit, as it should
                    return
                super().do_GET()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def git_repository(parent: Path, name: str, files: dict[str, bytes]) -> Path:
    """A bare git repository under `parent` holding these files in one commit (served by a
    HarvestServer over `parent` at /git/{name}.git)."""
    work = parent / f"{name}-work"
    work.mkdir(parents=True)
    for relative, data in files.items():
        (work / relative).write_bytes(data)
    env = {
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
        "HOME": str(parent),
        "PATH": "/usr/bin:/bin",
    }

    def git(*args: str, cwd: Path) -> None:
        subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)

    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "publiccode.yml", cwd=work)
    bare = parent / f"{name}.git"
    git("clone", "-q", "--bare", str(work), str(bare), cwd=parent)
    return bare
