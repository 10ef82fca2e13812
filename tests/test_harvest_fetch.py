"""Fetching harvest sources safely: only http(s) and git over http(s); private, loopback and
link-local addresses refused before anything is sent unless allowed; redirects checked hop by
hop and never to another scheme; limits on size and redirects. Every request here goes to a
server on 127.0.0.1 that the test starts, or is refused before it is sent."""

from __future__ import annotations

import pytest

from registry.harvest.fetch import Fetcher, FetchError
from tests.harvest_server import HarvestServer, git_repository
from tests.listener import Listener

ALLOWED = {
    "LDR_HARVEST_ALLOW": "127.0.0.1",
    "LDR_HARVEST_MAX_BYTES": 1024 * 1024,
    "LDR_HARVEST_TIMEOUT": 60.0,
}


@pytest.fixture
def server(tmp_path):
    (tmp_path / "publiccode.yml").write_bytes(b"publiccodeYmlVersion: '0.4'\nname: Test\n")
    served = HarvestServer(tmp_path)
    yield served
    served.close()


def test_a_file_on_an_allowed_host_is_fetched(server):
    fetched = Fetcher(ALLOWED).get(server.url("publiccode.yml"))
    assert fetched.data.startswith(b"publiccodeYmlVersion")
    assert fetched.address == server.url("publiccode.yml")


def test_loopback_is_refused_before_connecting_unless_allowed():
    listener = Listener()
    try:
        address = f"http://127.0.0.1:{listener.port}/publiccode.yml"
        for refused in (
            address,
            f"http://localhost:{listener.port}/x",
            f"http://127.1:{listener.port}/",
        ):
            with pytest.raises(FetchError, match="non-public address.*LDR_HARVEST_ALLOW"):
                Fetcher({**ALLOWED, "LDR_HARVEST_ALLOW": ""}).get(refused)
        assert listener.seen() == 0
    finally:
        listener.close()


@pytest.mark.parametrize(
    "address",
    [
        "http://10.0.0.1/publiccode.yml",
        "http://192.168.1.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[::ffff:10.0.0.1]/",
        "http://0.0.0.0/",
        "http://100.64.0.1/",
        "http://[64:ff9b::a00:1]/",  # NAT64 of 10.0.0.1
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[::127.0.0.1]/",  # IPv4-compatible
        "http://[2001::1]/",  # Teredo
        "http://192.0.0.8/",
        "http://[::ffff:0:a9fe:a9fe]/",  # IPv4-translated 169.254.169.254
        "http://[fec0::1]/",  # site-local
        "http://192.88.99.1/",
    ],
)
def test_private_and_link_local_addresses_are_refused(address):
    with pytest.raises(FetchError, match="non-public address"):
        Fetcher(ALLOWED).check(address)


@pytest.mark.parametrize(
    "address, said",
    [
        ("file:///etc/passwd", "http:// or https://"),
        ("ftp://127.0.0.1/x", "http:// or https://"),
        ("gopher://127.0.0.1/", "http:// or https://"),
        ("http://user:secret@127.0.0.1/", "user name or password"),
        ("http:///nohost", "names no host"),
        ("http://127.0.0.1:99999/", "not a web address"),
    ],
)
def test_other_schemes_and_odd_addresses_are_refused(address, said):
    with pytest.raises(FetchError, match=said):
        Fetcher(ALLOWED).get(address)


def test_a_redirect_to_a_private_address_is_refused_before_following_it(server):
    listener = Listener()
    try:
        # allowed: this server's port only by address; the redirect goes to 10.0.0.1
        with pytest.raises(FetchError, match="10.0.0.1.*non-public"):
            Fetcher(ALLOWED).get(server.url("redirect?to=http://10.0.0.1/secret"))
    finally:
        listener.close()


def test_a_redirect_to_another_scheme_is_refused(server):
    for target in ("file:///etc/passwd", "ftp://127.0.0.1/x"):
        with pytest.raises(FetchError, match="http:// or https://|scheme"):
            Fetcher(ALLOWED).get(server.url(f"redirect?to={target}"))


def test_a_redirect_on_an_allowed_host_is_followed_and_loops_are_cut(server):
    fetched = Fetcher(ALLOWED).get(server.url("redirect?to=/publiccode.yml"))
    assert fetched.address == server.url("publiccode.yml")
    with pytest.raises(FetchError, match="redirects more than 5 times"):
        Fetcher(ALLOWED).get(server.url("loop"))
    assert server.requests.count("/loop") == 6


def test_a_body_larger_than_the_limit_is_cut_off(server):
    with pytest.raises(FetchError, match="larger than the 1,048,576 bytes.*LDR_HARVEST_MAX_BYTES"):
        Fetcher(ALLOWED).get(server.url("huge"))


def test_a_missing_file_says_so(server):
    with pytest.raises(FetchError, match="answered 404"):
        Fetcher(ALLOWED).get(server.url("nothing-here.yml"))


def test_a_git_repository_is_cloned_shallowly_and_its_file_read(server, tmp_path):
    git_repository(
        tmp_path, "app", {"publiccode.yml": b"name: From git\n", "README.md": b"# app\n"}
    )
    fetched = Fetcher(ALLOWED).clone_file(server.url("git/app.git"), ("publiccode.yml",))
    assert fetched.data == b"name: From git\n"
    git_repository(tmp_path, "empty", {"README.md": b"# nothing to harvest\n"})
    with pytest.raises(FetchError, match="has no publiccode.yml or publiccode.yaml"):
        Fetcher(ALLOWED).clone_file(
            server.url("git/empty.git"), ("publiccode.yml", "publiccode.yaml")
        )


def test_git_is_refused_a_private_host_before_it_runs():
    listener = Listener()
    try:
        with pytest.raises(FetchError, match="non-public"):
            Fetcher({**ALLOWED, "LDR_HARVEST_ALLOW": ""}).clone_file(
                f"http://127.0.0.1:{listener.port}/app.git", ("publiccode.yml",)
            )
        assert listener.seen() == 0
    finally:
        listener.close()
