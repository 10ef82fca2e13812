"""Conditional requests as RFC 9110 §13.1 has them: If-Match on a write compares strongly (a weak
tag never matches), `*` matches a record that exists, and a list matches if any member does;
If-None-Match on a read compares weakly, with `*` and lists, and answers 304."""

from __future__ import annotations

import pytest

from tests.test_registration import app, auth, exemplar, post, tokens  # noqa: F401 - fixtures

PATH = "/doc/exemplars/damp-and-mould-reporting"


@pytest.fixture
def client(app, tokens):  # noqa: F811
    client = app.test_client()
    assert post(client, exemplar(), tokens["leeds"]).status_code == 201
    return client


def put(
    client,
    tokens,
    if_match: str | None,
    title: str = "Damp and mould reporting, changed",
    path: str = PATH,  # noqa: F811
    ref: str = "damp-and-mould-reporting",
):
    headers = auth(tokens["leeds"]) | ({"If-Match": if_match} if if_match is not None else {})
    return client.put(
        path, data=exemplar(ref=ref, title=title), content_type="text/turtle", headers=headers
    )


def etag(client, suffix: str = ".ttl") -> str:
    return client.get(PATH + suffix).headers["ETag"]


def test_if_match_with_the_current_strong_tag_of_any_format_matches(client, tokens):  # noqa: F811
    assert etag(client).startswith('"v1-') and etag(client, ".jsonld") != etag(client)
    assert put(client, tokens, etag(client, ".jsonld")).status_code == 200
    assert (
        put(client, tokens, '"v2"', title="Changed again").status_code == 200
    )  # as a write's answer gives it


def test_a_weak_tag_never_matches_if_match(client, tokens):  # noqa: F811
    tag = etag(client)
    refused = put(client, tokens, "W/" + tag)
    assert refused.status_code == 412, refused.json
    assert "weak" in refused.json["detail"]
    assert put(client, tokens, f'W/"v1", W/{tag}').status_code == 412
    assert etag(client) == tag, "a refused write changed the record"


def test_if_match_star_matches_a_record_that_exists_and_no_other(client, tokens):  # noqa: F811
    assert put(client, tokens, "*").status_code == 200
    missing = put(
        client, tokens, "*", path="/doc/exemplars/not-registered-yet", ref="not-registered-yet"
    )
    assert missing.status_code == 412, missing.json
    assert "not registered" in missing.json["detail"]
    tagged = put(
        client, tokens, '"v1"', path="/doc/exemplars/not-registered-yet", ref="not-registered-yet"
    )
    assert tagged.status_code == 412
    assert client.get("/doc/exemplars/not-registered-yet.ttl").status_code == 404


def test_if_match_with_a_list_matches_when_any_member_does(client, tokens):  # noqa: F811
    tag = etag(client)
    assert put(client, tokens, f'"v7-old", W/"v1", {tag}').status_code == 200
    assert (
        put(client, tokens, f'"v1", {tag}', title="Stale").status_code == 412
    )  # both name version 1; it is 2
    assert put(client, tokens, '"v1", "v2", "v3"', title="Listed").status_code == 200


def test_if_match_that_names_no_version_is_412_and_none_at_all_is_428(client, tokens):  # noqa: F811
    assert put(client, tokens, '"something-else"').status_code == 412
    assert put(client, tokens, None).status_code == 428


@pytest.mark.parametrize("header", ["{tag}", "W/{tag}", "*", '"v9-other", {tag}', 'W/"x", W/{tag}'])
def test_if_none_match_compares_weakly_with_star_and_lists(client, header):
    tag = etag(client)
    response = client.get(PATH + ".ttl", headers={"If-None-Match": header.format(tag=tag)})
    assert response.status_code == 304, header
    assert response.headers["ETag"] == tag and not response.data


@pytest.mark.parametrize("header", ['"v9-other"', 'W/"v9-other", "v1"'])
def test_if_none_match_that_does_not_match_is_answered_in_full(client, header):
    response = client.get(PATH + ".ttl", headers={"If-None-Match": header})
    assert response.status_code == 200 and response.data
