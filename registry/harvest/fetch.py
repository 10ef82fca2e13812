"""Fetching a harvest source, safely: HTTP(S) with httpx, or a git repository cloned shallowly by
git itself.

Every address, the first and each one a redirect leads to, is resolved here and refused before
anything is sent if it is not http(s), or if any address it resolves to is private, loopback,
link-local, multicast or otherwise not public, unless LDR_HARVEST_ALLOW names its host or
network. The request then goes to the address that was checked (the host name is kept for the
Host header and TLS), so a name that resolves differently a moment later cannot send it
elsewhere. A redirect may not change the scheme (https to http, or to anything else). The body
is read up to LDR_HARVEST_MAX_BYTES and the whole fetch within LDR_HARVEST_TIMEOUT seconds.

git resolves names itself: the repository's host is checked first, git may use only http(s),
follows no redirect, runs no hooks and reads no system or user configuration.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx

#: At most this many redirects are followed.
MAX_REDIRECTS = 5
USER_AGENT = "LocalDigitalRegistry-harvester/1 (+https://w3id.org/local-digital-registry)"


class FetchError(Exception):
    """The source could not be fetched; the message says why and what to do, in plain words."""


@dataclass(frozen=True)
class Fetched:
    data: bytes
    address: str  # where the bytes came from, after any redirects
    media_type: str  # the Content-Type's media type, lower case, or ""


Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


#: Not public, though Python's ipaddress may call them global (IETF protocol assignments), and
#: the IPv6 ranges that carry an IPv4 address inside them by translation or tunnel.
_NOT_PUBLIC = [
    ipaddress.ip_network(n)
    for n in (
        "192.0.0.0/24",
        "192.88.99.0/24",
        "64:ff9b:1::/48",
        "2001::/32",
        "fec0::/10",
        "5f00::/16",
        "3fff::/20",
    )
]
#: IPv4-translated addresses (SIIT, RFC 2765): ::ffff:0:a.b.c.d
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_COMPATIBLE = ipaddress.ip_network("::/96")


def _public(ip: Address) -> bool:
    """Whether an address is on the public internet: global, not multicast, and (for IPv6 that
    carries an IPv4 address: mapped, compatible, NAT64, 6to4) an IPv4 address that is too."""
    if any(ip in net for net in _NOT_PUBLIC if net.version == ip.version):
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour
        if inner is None and (ip in _NAT64 or ip in _COMPATIBLE or ip in _TRANSLATED):
            inner = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if inner is not None:
            return _public(inner)
    return ip.is_global and not ip.is_multicast


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS settings httpx gives a client of its own accord (certifi's certificates, host
    names verified, the environment not read), made once in a process and shared by every
    fetch. Made for each fetch (reading certifi's certificates), they took 0.05-0.07 s of a
    0.28-0.42 s run over the UK API catalogue's three files with nothing changed."""
    return httpx.create_ssl_context(trust_env=False)


class Fetcher:
    """Fetches for one harvest run: its limits, what it may reach, and one deadline for all."""

    def __init__(self, settings: Mapping[str, Any]):
        self.max_bytes = int(settings["LDR_HARVEST_MAX_BYTES"])
        self.timeout = float(settings["LDR_HARVEST_TIMEOUT"])
        self.deadline = time.monotonic() + self.timeout
        self.allowed_hosts: set[str] = set()
        self.allowed_networks: list[Network] = []
        for entry in str(settings.get("LDR_HARVEST_ALLOW") or "").split(","):
            entry = entry.strip().lower()
            if not entry:
                continue
            try:
                self.allowed_networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.allowed_hosts.add(entry)

    # --- what may be reached ------------------------------------------------------------------

    def _left(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise FetchError(
                f"fetching the source took longer than the {self.timeout:g} seconds a harvest may "
                "spend (LDR_HARVEST_TIMEOUT); make the file smaller or the server faster"
            )
        return left

    def _allowed(self, host: str, ip: Address) -> bool:
        return host in self.allowed_hosts or any(ip in n for n in self.allowed_networks)

    def check(self, address: str) -> tuple[str, str, int, Address]:
        """(scheme, host, port, the IP to connect to) for an address that may be fetched;
        FetchError saying why not, before anything is sent."""
        try:
            parts = urlsplit(address)
            port = parts.port
        except ValueError as exc:
            raise FetchError(f"{address!r} is not a web address: {exc}") from exc
        if parts.scheme not in ("http", "https"):
            raise FetchError(
                f"{address!r} is not an http:// or https:// address: harvests fetch only over "
                "HTTP(S) (and git over HTTP(S))"
            )
        host = (parts.hostname or "").lower()
        if not host:
            raise FetchError(f"{address!r} names no host")
        if parts.username or parts.password:
            raise FetchError(f"{address!r} has a user name or password in it; remove them")
        port = port or (443 if parts.scheme == "https" else 80)
        try:
            found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise FetchError(f"the host {host!r} could not be found ({exc})") from exc
        ips = [ipaddress.ip_address(sockaddr[0]) for *_, sockaddr in found]
        for ip in ips:
            if not _public(ip) and not self._allowed(host, ip):
                raise FetchError(
                    f"{address!r} leads to {ip}, a private, loopback, link-local or otherwise "
                    "non-public address, which harvests may not reach (an operator can allow a "
                    "host or network with LDR_HARVEST_ALLOW)"
                )
        return parts.scheme, host, port, ips[0]

    # --- HTTP ---------------------------------------------------------------------------------

    def get(self, address: str, accept: str = "*/*") -> Fetched:
        """The body at the address, following at most MAX_REDIRECTS redirects, each checked."""
        current, first_scheme = address, urlsplit(address).scheme
        with httpx.Client(follow_redirects=False, trust_env=False, verify=_tls()) as client:
            for _ in range(MAX_REDIRECTS + 1):
                scheme, host, port, ip = self.check(current)
                if scheme != first_scheme:
                    raise FetchError(
                        f"{address!r} redirects from {first_scheme}:// to {current!r}; a "
                        "harvest does not change scheme on a redirect: give the final address"
                    )
                parts = urlsplit(current)
                shown_ip = f"[{ip}]" if ip.version == 6 else str(ip)
                default = (scheme == "https" and port == 443) or (scheme == "http" and port == 80)
                target = urlunsplit(
                    (
                        scheme,
                        shown_ip if default else f"{shown_ip}:{port}",
                        parts.path or "/",
                        parts.query,
                        "",
                    )
                )
                headers = {
                    "Host": host if default else f"{host}:{port}",
                    "Accept": accept,
                    "User-Agent": USER_AGENT,
                }
                try:
                    with client.stream(
                        "GET",
                        target,
                        headers=headers,
                        timeout=self._left(),
                        extensions={"sni_hostname": host},
                    ) as response:
                        if response.is_redirect:
                            location = response.headers.get("location", "")
                            if not location:
                                raise FetchError(f"{current!r} redirects without saying where")
                            current = urljoin(current, location)
                            continue
                        if response.status_code != 200:
                            raise FetchError(
                                f"{current!r} answered {response.status_code} "
                                f"{response.reason_phrase}: check the address, and that the "
                                "file is published there"
                            )
                        declared = response.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > self.max_bytes:
                            raise self._too_big(current)
                        body = bytearray()
                        for chunk in response.iter_bytes():
                            body += chunk
                            if len(body) > self.max_bytes:
                                raise self._too_big(current)
                            self._left()
                        media = response.headers.get("content-type", "").split(";")[0]
                        return Fetched(bytes(body), current, media.strip().lower())
                except httpx.TimeoutException as exc:
                    raise FetchError(
                        f"{current!r} did not answer within the {self.timeout:g} seconds a "
                        "harvest may spend (LDR_HARVEST_TIMEOUT)"
                    ) from exc
                except httpx.HTTPError as exc:
                    raise FetchError(f"{current!r} could not be fetched: {exc}") from exc
        raise FetchError(f"{address!r} redirects more than {MAX_REDIRECTS} times")

    def _too_big(self, address: str) -> FetchError:
        return FetchError(
            f"{address!r} is larger than the {self.max_bytes:,} bytes a harvest fetches "
            "(LDR_HARVEST_MAX_BYTES)"
        )

    # --- git ----------------------------------------------------------------------------------

    def clone_file(self, repository: str, names: tuple[str, ...]) -> Fetched:
        """The first of these files at the root of the repository's default branch, from a
        shallow clone made by git and removed afterwards."""
        self.check(repository)
        work = Path(tempfile.mkdtemp(prefix="ldr-harvest-"))
        try:
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(work),
                "GIT_TERMINAL_PROMPT": "0",
                "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_CONFIG_GLOBAL": os.devnull,
                "GIT_ALLOW_PROTOCOL": "http:https",
            }
            command = [
                "git",
                "-c",
                "protocol.allow=never",
                "-c",
                "protocol.http.allow=always",
                "-c",
                "protocol.https.allow=always",
                "-c",
                "http.followRedirects=false",
                "-c",
                "core.hooksPath=" + os.devnull,
                "clone",
                "--quiet",
                "--depth=1",
                "--single-branch",
                "--no-tags",
                "--",
                repository,
                str(work / "repo"),
            ]
            # git runs helpers of its own (git-remote-https): in a process group of its own, so
            # that a clone stopped at the time limit leaves none of them running
            process = subprocess.Popen(
                command,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            try:
                _, stderr = process.communicate(timeout=self._left())
            except (subprocess.TimeoutExpired, FetchError) as exc:
                os.killpg(process.pid, signal.SIGKILL)
                process.communicate()
                raise FetchError(
                    f"cloning {repository!r} took longer than the {self.timeout:g} seconds a "
                    "harvest may spend (LDR_HARVEST_TIMEOUT)"
                ) from exc
            if process.returncode != 0:
                said = " ".join(stderr.split())[:300]
                raise FetchError(f"git could not clone {repository!r}: {said}")
            for name in names:
                path = work / "repo" / name
                if path.is_file() and not path.is_symlink():
                    if path.stat().st_size > self.max_bytes:
                        raise self._too_big(f"{repository} {name}")
                    return Fetched(path.read_bytes(), f"{repository.rstrip('/')}/{name}", "")
            raise FetchError(
                f"the repository {repository!r} has no {' or '.join(names)} at the root of its "
                "default branch"
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
