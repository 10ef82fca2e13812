"""`ldr serve`: the checks before it starts (the address, the store, LDR_BASE) and granian."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import click

from registry.store import StoreError, open_store

if TYPE_CHECKING:
    pass

from registry.cli.base import (
    STORE_HELP,
    CannotRun,
    _settings,
    main,
)


@main.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    help="Port to listen on (default: the LDR_PORT setting, 8000).",
)
@click.option("--host", help="Interface to listen on (default: the LDR_HOST setting, 127.0.0.1).")
@click.option("--store", metavar="DIR", help=STORE_HELP)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    help="Worker processes (default 1). More than one needs LDR_STORE=sparql: an embedded store is "
    "opened by one process only.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    help="Threads per worker process that run requests (default: LDR_QUERY_WORKERS + LDR_QUERY_WAITING "
    "+ 2, so that two are free for pages while SPARQL queries run and wait: 6 with the defaults).",
)
def serve(
    port: int | None, host: str | None, store: str | None, workers: int, threads: int | None
) -> None:
    """Serve the registry over HTTP: the Flask app from api.create_app, under the granian server."""
    settings = _settings(store, heavy=True)
    threads = threads or settings["LDR_QUERY_WORKERS"] + settings["LDR_QUERY_WAITING"] + 2
    bind_host, bind_port = host or settings["LDR_HOST"], port or settings["LDR_PORT"]
    if workers > 1 and settings["LDR_STORE"] == "embedded":
        raise click.UsageError(
            "--workers above 1 needs LDR_STORE=sparql: an embedded store can be opened by one "
            "process only. Use one worker, or put the registry on a SPARQL server (docs/deployment.md)."
        )
    problem = _address_problem(bind_host, bind_port)
    if problem:
        raise CannotRun(problem)
    problem = _store_problem(settings)  # said here, once, not by each worker as it dies
    if problem:
        raise CannotRun(problem)
    elsewhere = _base_elsewhere(settings["LDR_BASE"], bind_host, bind_port)
    if elsewhere:
        click.echo(f"ldr: {elsewhere}", err=True)
    _serve_with_granian(settings["LDR_STORE_DIR"], bind_host, bind_port, workers, threads)


def _address_problem(host: str, port: int) -> str:
    """Why nothing can listen on host:port, or "". granian's workers bind with SO_REUSEPORT, so a
    second server on a port in use would start and share its connections; this probe binds
    without it (over TIME_WAIT connections, but never over a listening socket) and lets go."""
    if not 0 < port < 65536:
        return f"cannot serve on port {port}: a port is a number from 1 to 65535. Set --port (or LDR_PORT) to one."
    fix = (
        f"Stop the program that listens there, or choose another port: ldr serve --port {port + 1} "
        f"(make serve PORT={port + 1})."
    )
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        return (
            f"cannot serve on {host!r}: it is not a host name or address this machine knows ({exc}). "
            "Give --host (or LDR_HOST) an address such as 127.0.0.1, or 0.0.0.0 for every interface."
        )
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"cannot serve on {host}:{port}: the port is already in use (another server listens there). {fix}"
            if exc.errno == errno.EACCES:
                return (
                    f"cannot serve on {host}:{port}: this user may not listen on ports below 1024. "
                    f"Choose a port of 1024 or more: ldr serve --port 8000."
                )
            if exc.errno == errno.EADDRNOTAVAIL:
                return (
                    f"cannot serve on {host}:{port}: {host} is not an address of this machine. "
                    "Give --host (or LDR_HOST) one of its addresses, such as 127.0.0.1, or 0.0.0.0."
                )
            return f"cannot serve on {host}:{port}: {exc.strerror}. {fix}"
    return ""


def _base_elsewhere(base: str, host: str, port: int) -> str:
    """Why the IRIs minted under LDR_BASE would not answer on this server, or "". Only a base on
    this machine (a loopback address) is judged: a public base is served through a proxy."""
    address = urlsplit(base)
    base_host = address.hostname or ""
    base_port = address.port or (443 if address.scheme == "https" else 80)
    loopback = base_host == "localhost" or base_host == "::1" or base_host.startswith("127.")
    if not loopback:
        return ""
    if base_port == port and (
        host in ("0.0.0.0", "::", "localhost", base_host) or host.startswith("127.")
    ):
        return ""
    return (
        f"LDR_BASE is {base}, but this server listens on {host}:{port}: the IRIs its documents mint and "
        f"link ({base}/id/...) do not answer here. Serve on port {base_port} (ldr serve --port {base_port}, "
        f"make serve PORT={base_port}), or make a store whose IRIs are on this port: "
        f"LDR_BASE=http://127.0.0.1:{port} ldr init --store DIR, then serve it with the same LDR_BASE "
        "(IRIs never change once minted; docs/settings.md)."
    )


def _store_problem(settings) -> str:
    """Why the store cannot be opened or served (one made before the vocabulary had one
    namespace, say), or "". Tried in a child process: this one forks the
    server's workers, and RocksDB's background threads do not survive a fork (a store opened
    here first made every worker's checkpoint wait for ever)."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(reader)
        message = b""
        try:
            from registry.bulk.migrate import old_vocabulary_problem

            opened = open_store(settings)
            try:
                message = old_vocabulary_problem(
                    opened, settings["LDR_BASE"], settings["LDR_STORE_DIR"]
                ).encode("utf-8")
            finally:
                opened.close()
        except StoreError as exc:
            message = str(exc).encode("utf-8")
        except BaseException as exc:  # noqa: BLE001 - reported by the parent, never raised in a fork
            message = f"{type(exc).__name__}: {exc}".encode()
        os.write(writer, message)
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as answer:
        problem = answer.read().decode("utf-8")
    os.waitpid(child, 0)
    return problem


def _serve_with_granian(store_dir: str, host: str, port: int, workers: int, threads: int) -> None:
    """granian with `workers` processes, each building its own app with api.create_app (nothing
    shared but the store and the files beside it). Settings reach them through the environment."""
    from granian import Granian
    from granian.constants import Interfaces

    os.environ["LDR_STORE_DIR"] = str(Path(store_dir).resolve())
    os.environ["LDR_SERVE_THREADS"] = str(threads)
    # ASGI without lifespan events: api/front.py reads bodies on granian's event loop and runs the
    # Flask app on `threads` threads of its own (granian's WSGI interface gave a thread to a
    # request before its body had come, with no time limit: docs/security.md)
    server = Granian(
        "api.serving:asgi",
        factory=True,
        interface=Interfaces.ASGINL,
        address=host,
        port=port,
        workers=workers,
        websockets=False,
        log_access=False,
    )
    server.serve()
