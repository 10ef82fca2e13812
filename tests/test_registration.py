"""The write API: submit, revise with If-Match, the lifecycle, permissions, versions and history."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from registry.rdf.namespaces import VOCABULARY
from tests.conftest import BASE, app_over, close_app

EXEMPLAR = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ldr: <{vocabulary}ldr#> .
<{base}/id/exemplars/{ref}> a ldr:Exemplar ;
    dcterms:title "{title}"@en ;
    dcterms:description "A council project written for the registration tests, about {topic}."@en ;
    ldr:problem "Councils each solve this on their own, which wastes effort and money."@en ;
    ldr:leadOrganisation <{base}/id/organisations/{org}> ;
    ldr:serviceArea <{vocabulary}service-area/housing> ;
    dcterms:source <https://example.org/{ref}> .
"""


def exemplar(
    ref="damp-and-mould-reporting",
    title="Damp and mould reporting",
    topic="damp and mould",
    org="leeds-city-council",
) -> str:
    return EXEMPLAR.format(
        base=BASE, vocabulary=VOCABULARY, ref=ref, title=title, topic=topic, org=org
    )


@pytest.fixture
def app(store_dir):
    app = app_over(store_dir)
    yield app
    close_app(app)


@pytest.fixture
def tokens(app):
    accounts = app.extensions["ldr.registry"].accounts
    made = {}
    for name, org, role in [
        ("leeds", "leeds-city-council", "publisher"),
        ("croydon", "london-borough-of-croydon", "publisher"),
        ("steward", "ministry-of-housing-communities-and-local-government", "steward"),
    ]:
        made[name] = accounts.create_token(name, f"{BASE}/id/organisations/{org}", role)[1]
    return made


def auth(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def post(
    client, body: str, token: str | None, register="exemplars", query="", content_type="text/turtle"
):
    headers = auth(token) if token else {}
    return client.post(
        f"/{register}{query}", data=body.encode(), content_type=content_type, headers=headers
    )


def test_submit_registers_with_status_submitted(app, tokens):
    client = app.test_client()
    response = post(client, exemplar(), tokens["leeds"])
    assert response.status_code == 201, response.json
    assert response.headers["Location"] == "/id/exemplars/damp-and-mould-reporting"
    record = response.json["records"][0]
    assert record["version"] == 1 and record["status"] == "submitted"
    graph = Graph().parse(
        data=client.get("/doc/exemplars/damp-and-mould-reporting.ttl").data, format="turtle"
    )
    assert (
        URIRef(f"{BASE}/id/exemplars/damp-and-mould-reporting"),
        URIRef("http://purl.org/linked-data/registry#status"),
        URIRef("http://purl.org/linked-data/registry#statusSubmitted"),
    ) in graph
    sparql = client.get(
        "/sparql?query=ASK%20%7B%20%3C"
        + f"{BASE}/id/exemplars/damp-and-mould-reporting".replace(":", "%3A")
        + "%3E%20%3Fp%20%3Fo%20%7D"
    )
    assert sparql.json["boolean"] is True  # visible to SPARQL right after the write


def test_a_submission_with_violations_gets_422_with_every_result_and_writes_nothing(app, tokens):
    client = app.test_client()
    broken = exemplar().replace("ldr:leadOrganisation <", "ldr:partnerOrganisation <")
    response = post(client, broken, tokens["leeds"])
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    errors = response.json["errors"]
    assert any(
        e["path"].endswith("leadOrganisation")
        and e["severity"] == "Violation"
        and e["focus"].endswith("damp-and-mould-reporting")
        and "lead organisation" in e["message"]
        for e in errors
    )
    assert client.get("/doc/exemplars/damp-and-mould-reporting").status_code == 404


def test_warnings_do_not_block_and_come_back_with_the_201(app, tokens):
    response = post(app.test_client(), exemplar(), tokens["leeds"])
    assert response.status_code == 201
    messages = [w["message"] for w in response.json["warnings"]]
    assert any("outcomes" in m.lower() or "achieved" in m for m in messages)


def test_similar_records_are_reported_with_their_links(app, tokens):
    similar = exemplar(
        ref="localgov-drupal-2", title="LocalGov Drupal platform", topic="council websites"
    )
    response = post(app.test_client(), similar, tokens["leeds"])
    assert response.status_code == 201
    hits = [w for w in response.json["warnings"] if "similar" in w["message"]]
    assert hits and hits[0]["value"] == f"{BASE}/id/exemplars/localgov-drupal"


def test_words_common_to_many_records_do_not_pick_similar_records_but_a_near_copy_is_still_found(
    app, tokens, monkeypatch
):
    import registry.search.sqlite_fts as search_index

    monkeypatch.setattr(search_index, "COMMON_WORD", 3)  # stands in for a large register
    client = app.test_client()
    for n, topic in enumerate(["bins", "parking", "libraries", "potholes"]):
        assert (
            post(
                client,
                exemplar(ref=f"common-{n}", title=f"Neighbourhood {topic} service", topic=topic),
                tokens["leeds"],
            ).status_code
            == 201
        )
    index = app.extensions["ldr.registry"].index
    with index._lock:
        # in more than three records each, "neighbourhood" and "council" are left out
        assert (
            index._candidate_match(["neighbourhood", "potholes", "parking", "libraries", "council"])
            == '"libraries" OR "parking" OR "potholes"'
        )
        # with fewer than three rare words, a record must share the three rarest words found,
        # rarest by their counts: "neighbourhood" (in the four records above) before "council"
        # (in most starter records), although "council" comes first in the alphabet
        assert (
            index._records_with("potholes")
            < index._records_with("neighbourhood")
            < index._records_with("council")
        )
        assert (
            index._candidate_match(["council", "neighbourhood", "potholes"])
            == '"potholes" OR ("potholes" AND "neighbourhood" AND "council")'
        )
    near_copy = exemplar(
        ref="common-copy", title="Neighbourhood potholes service", topic="potholes"
    )
    response = post(client, near_copy, tokens["croydon"])
    hits = [w["value"] for w in response.json["warnings"] if "similar" in w["message"]]
    assert f"{BASE}/id/exemplars/common-3" in hits
    # a near copy with no rare word at all is still found, through the words it shares
    monkeypatch.setattr(search_index, "COMMON_WORD", 0)
    response = post(
        client,
        exemplar(ref="common-copy-2", title="Neighbourhood parking service", topic="parking"),
        tokens["croydon"],
    )
    hits = [w["value"] for w in response.json["warnings"] if "similar" in w["message"]]
    assert f"{BASE}/id/exemplars/common-1" in hits


def test_dry_run_validates_without_writing(app, tokens):
    client = app.test_client()
    response = post(client, exemplar(), tokens["leeds"], query="?dry-run=true")
    assert response.status_code == 200 and response.json["valid"] is True
    assert client.get("/doc/exemplars/damp-and-mould-reporting").status_code == 404


def test_a_batch_is_all_or_nothing_with_a_report_per_record(app, tokens):
    client = app.test_client()
    good = exemplar(ref="batch-one", title="Batch one", topic="first")
    bad = exemplar(ref="batch-two", title="Batch two", topic="second").replace(
        "ldr:serviceArea <" + VOCABULARY + "service-area/housing>",
        "ldr:serviceArea <" + VOCABULARY + "phase/live>",
    )
    response = post(client, good + bad.split("\n", 2)[2], tokens["leeds"])
    assert response.status_code == 422
    assert {e["record"] for e in response.json["errors"]} == {f"{BASE}/id/exemplars/batch-two"}
    assert "batch-two" in response.json["report"]
    assert client.get("/doc/exemplars/batch-one").status_code == 404
    both = post(
        client,
        good + exemplar(ref="batch-two", title="Batch two", topic="second").split("\n", 2)[2],
        tokens["leeds"],
    )
    assert both.status_code == 201 and len(both.json["records"]) == 2


def test_no_token_is_401_and_a_bad_token_is_401(app):
    client = app.test_client()
    assert post(client, exemplar(), None).status_code == 401
    bad = post(client, exemplar(), "ldr_000000000000_not-a-real-secret")
    assert bad.status_code == 401 and "WWW-Authenticate" in bad.headers


def test_unreadable_body_is_400_with_line_and_column(app, tokens):
    response = post(app.test_client(), "<x> <y> .", tokens["leeds"])
    assert response.status_code == 400
    assert response.json["line"] == 1 and "column" in response.json


def test_put_needs_if_match_and_refuses_a_stale_one(app, tokens):
    client = app.test_client()
    assert post(client, exemplar(), tokens["leeds"]).status_code == 201
    path = "/doc/exemplars/damp-and-mould-reporting"
    changed = exemplar(title="Damp and mould reporting online")
    missing = client.put(
        path, data=changed, content_type="text/turtle", headers=auth(tokens["leeds"])
    )
    assert missing.status_code == 428
    etag = client.get(path + ".ttl").headers["ETag"]
    assert etag.startswith('"v1-')
    ok = client.put(
        path,
        data=changed,
        content_type="text/turtle",
        headers={**auth(tokens["leeds"]), "If-Match": etag},
    )
    assert ok.status_code == 200 and ok.json["version"] == 2
    stale = client.put(
        path,
        data=exemplar(title="Something else"),
        content_type="text/turtle",
        headers={**auth(tokens["leeds"]), "If-Match": etag},
    )
    assert stale.status_code == 412
    graph = Graph().parse(data=client.get(path + ".ttl").data, format="turtle")
    assert (
        str(graph.value(URIRef(f"{BASE}/id/exemplars/damp-and-mould-reporting"), DCTERMS.title))
        == "Damp and mould reporting online"
    )


def test_publishers_edit_only_their_own_organisations_records(app, tokens):
    client = app.test_client()
    assert post(client, exemplar(), tokens["leeds"]).status_code == 201
    path = "/doc/exemplars/damp-and-mould-reporting"
    etag = client.get(path + ".ttl").headers["ETag"]
    other = client.put(
        path,
        data=exemplar(title="Taken over"),
        content_type="text/turtle",
        headers={**auth(tokens["croydon"]), "If-Match": etag},
    )
    assert other.status_code == 403
    steward = client.put(
        path,
        data=exemplar(title="Tidied by a steward"),
        content_type="text/turtle",
        headers={**auth(tokens["steward"]), "If-Match": etag},
    )
    assert steward.status_code == 200


def test_the_lifecycle_is_enforced_and_nothing_is_deleted(app, tokens):
    client = app.test_client()
    assert post(client, exemplar(), tokens["leeds"]).status_code == 201
    path = "/doc/exemplars/damp-and-mould-reporting"
    by_publisher = client.post(
        path + "/status", json={"status": "stable"}, headers=auth(tokens["leeds"])
    )
    assert by_publisher.status_code == 403
    illegal = client.post(
        path + "/status", json={"status": "superseded"}, headers=auth(tokens["steward"])
    )
    assert illegal.status_code == 409
    assert sorted(illegal.json["allowed"]) == ["experimental", "invalid", "stable"]
    assert (
        client.post(
            path + "/status",
            json={"status": "stable", "note": "Reviewed"},
            headers=auth(tokens["steward"]),
        ).status_code
        == 200
    )
    no_successor = client.post(
        path + "/status", json={"status": "superseded"}, headers=auth(tokens["steward"])
    )
    assert no_successor.status_code == 400 and "successor" in no_successor.json["detail"]
    superseded = client.post(
        path + "/status",
        json={"status": "superseded", "successor": f"{BASE}/id/exemplars/localgov-drupal"},
        headers=auth(tokens["steward"]),
    )
    assert superseded.status_code == 200
    graph = Graph().parse(data=client.get(path + ".ttl").data, format="turtle")
    assert graph.value(
        URIRef(f"{BASE}/id/exemplars/damp-and-mould-reporting"), DCTERMS.isReplacedBy
    ) == URIRef(f"{BASE}/id/exemplars/localgov-drupal")
    assert client.delete(path, headers=auth(tokens["steward"])).status_code == 405
    assert client.get(path).status_code == 200


def test_versions_history_version_at_and_compare(app, tokens):
    client = app.test_client()
    assert post(client, exemplar(), tokens["leeds"], query="?note=First+draft").status_code == 201
    path = "/doc/exemplars/damp-and-mould-reporting"
    etag = client.get(path + ".ttl").headers["ETag"]
    assert (
        client.put(
            path + "?note=Better+title",
            data=exemplar(title="Reporting damp and mould"),
            content_type="text/turtle",
            headers={**auth(tokens["leeds"]), "If-Match": etag},
        ).status_code
        == 200
    )
    history = client.get(path + "/versions").json["versions"]
    assert [v["version"] for v in history] == [1, 2]
    assert history[0]["note"] == "First draft" and history[1]["note"] == "Better title"
    assert history[0]["user"] == "leeds" and history[0]["organisation"].endswith(
        "/leeds-city-council"
    )
    assert [v["activity"] for v in history] == ["Submission", "Revision"]
    old = Graph().parse(data=client.get(path + "/version/1.ttl").data, format="turtle")
    assert (
        str(old.value(URIRef(f"{BASE}/id/exemplars/damp-and-mould-reporting"), DCTERMS.title))
        == "Damp and mould reporting"
    )
    # the instant version 1 was made, as its history says (not a reading of this machine's clock)
    first_made = history[0]["at"]
    assert first_made < history[1]["at"]
    at = client.get(path, query_string={"_versionAt": first_made})
    assert at.status_code == 303 and at.headers["Location"].endswith("/version/1")
    diff = client.get(path + "/compare?from=1&to=2").json
    assert any("Reporting damp and mould" in line for line in diff["added"])
    assert any('"Damp and mould reporting"@en' in line for line in diff["removed"])
    assert len(diff["added"]) == len(diff["removed"]) == 1


def test_provenance_is_queryable_but_old_versions_are_not_in_the_default_graph(app, tokens):
    client = app.test_client()
    assert post(client, exemplar(), tokens["leeds"]).status_code == 201
    path = "/doc/exemplars/damp-and-mould-reporting"
    etag = client.get(path + ".ttl").headers["ETag"]
    client.put(
        path,
        data=exemplar(title="Renamed"),
        content_type="text/turtle",
        headers={**auth(tokens["leeds"]), "If-Match": etag},
    )
    from urllib.parse import quote

    titles = client.get(
        "/sparql?query="
        + quote(
            f"SELECT ?t WHERE {{ <{BASE}/id/exemplars/damp-and-mould-reporting> <http://purl.org/dc/terms/title> ?t }}"
        )
    ).json
    assert [b["t"]["value"] for b in titles["results"]["bindings"]] == ["Renamed"]
    count = client.get(
        "/sparql?query="
        + quote(
            "SELECT (COUNT(?v) AS ?n) WHERE { GRAPH ?h { ?v <http://www.w3.org/ns/prov#wasAttributedTo> ?a ; "
            f"<http://purl.org/dc/terms/isVersionOf> <{BASE}/id/exemplars/damp-and-mould-reporting> }} }}"
        )
    ).json
    assert count["results"]["bindings"][0]["n"]["value"] == "2"


def test_admins_manage_tokens_over_http_and_others_cannot(app, tokens):
    client = app.test_client()
    admin = app.extensions["ldr.registry"].accounts.create_token(
        "root", f"{BASE}/id/organisations/government-digital-service", "admin"
    )[1]
    assert client.get("/tokens", headers=auth(tokens["steward"])).status_code == 403
    assert client.get("/tokens").status_code == 401
    made = client.post(
        "/tokens",
        json={"username": "bea", "organisation": "leeds-city-council", "role": "publisher"},
        headers=auth(admin),
    )
    assert made.status_code == 201 and made.json["token"].startswith("ldr_")
    listed = client.get("/tokens", headers=auth(admin)).json["tokens"]
    assert any(t["username"] == "bea" for t in listed)
    assert all("token" not in t and "secret_hash" not in t for t in listed)
    assert post(client, exemplar(), made.json["token"]).status_code == 201
    assert client.delete(f"/tokens/{made.json['id']}", headers=auth(admin)).status_code == 200
    assert (
        post(
            client, exemplar(ref="another-one", title="Another one"), made.json["token"]
        ).status_code
        == 401
    )
    bad_role = client.post(
        "/tokens",
        json={"username": "x", "organisation": "leeds-city-council", "role": "king"},
        headers=auth(admin),
    )
    assert bad_role.status_code == 422


@pytest.mark.parametrize("media", ["text/turtle", "application/ld+json"])
def test_a_record_read_can_be_sent_back_as_it_is(app, tokens, media):
    """docs/api.md: a record's document can be sent back as it is. It could not: the document
    carries the names and types of the records it links to, and PUT refused it as describing
    other records. A change to another record's name is still refused."""
    client = app.test_client()
    path = "/doc/exemplars/bops"
    read = client.get(path, headers={"Accept": media})
    assert read.status_code == 200
    headers = {**auth(tokens["steward"]), "If-Match": read.headers["ETag"]}
    back = client.put(path, data=read.data, content_type=media, headers=headers)
    assert back.status_code == 200, back.json
    assert back.json["version"] == 1  # nothing changed, so no new version
    lead = f"{BASE}/id/organisations/london-borough-of-southwark"
    graph = Graph().parse(data=read.data, format="turtle" if media == "text/turtle" else "json-ld")
    assert (URIRef(lead), DCTERMS.title, None) in graph
    graph.set(
        (URIRef(lead), DCTERMS.title, Literal("Southwark, renamed by a PUT on BOPS", lang="en"))
    )
    renamed = client.put(
        path, data=graph.serialize(format="turtle"), content_type="text/turtle", headers=headers
    )
    assert renamed.status_code == 400 and "must describe that record only" in renamed.json["detail"]
