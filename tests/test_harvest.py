"""Harvesting end to end: a source registered as a record and approved by a steward, run over a
real HTTP server on 127.0.0.1 (and a git repository), kept in step faithfully (nothing written
when nothing changed; withdrawn when gone, reinstated when back; renames keep their history;
bad records fail alone), its runs logged for its organisation, and a dry run that writes
nothing. Runs go through the real job queue (huey, SQLite) where the test is about running."""

from __future__ import annotations

import json

import pytest
from rdflib import Graph, URIRef

from registry.harvest.service import harvest
from registry.rdf.namespaces import REG, VOCABULARY
from registry.records.versions import current_versions, history
from tests.conftest import BASE, app_over, close_app
from tests.harvest_server import HarvestServer
from tests.test_registration import auth, post
from tests.waiting import wait_for

LDR = f"{VOCABULARY}ldr#"
OGL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
LEEDS = f"{BASE}/id/organisations/leeds-city-council"


def catalogue(*services: tuple[str, str, str]) -> bytes:
    """A DCAT catalogue of data services: (their IRI, title, endpoint)."""
    lines = [
        "@prefix dcat: <http://www.w3.org/ns/dcat#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "<https://data.example.org/catalogue> a dcat:Catalog ;",
        '    dcterms:title "Leeds APIs"@en .',
    ]
    for iri, title, endpoint in services:
        lines += [
            f"<{iri}> a dcat:DataService ;",
            f'    dcterms:title "{title}"@en ;',
            f'    dcterms:description "{title}: an API written for the harvest tests, with a description."@en ;',
            f"    dcat:endpointURL <{endpoint}> ;",
            f"    dcterms:license <{OGL}> .",
        ]
    return "\n".join(lines).encode()


BINS = ("https://data.example.org/api/bins", "Bin collection days", "https://api.example.org/bins")
ROADS = ("https://data.example.org/api/roads", "Road works", "https://api.example.org/roads")


def source_turtle(ref: str, address: str, kind: str = "dcat", withdraw_after: int = 2) -> str:
    return f"""@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix ldr: <{LDR}> .
<{BASE}/id/sources/{ref}> a ldr:HarvestSource ;
    dcterms:title "Leeds API catalogue"@en ;
    ldr:harvestKind <{VOCABULARY}harvest-kind/{kind}> ;
    dcat:accessURL <{address}> ;
    ldr:schedule <{VOCABULARY}harvest-schedule/weekly> ;
    dcterms:license <{OGL}> ;
    dcterms:publisher <{LEEDS}> ;
    ldr:withdrawAfter {withdraw_after} ;
    dcterms:source <{address}> .
"""


@pytest.fixture
def served(tmp_path):
    server = HarvestServer(tmp_path)
    yield server, tmp_path
    server.close()


@pytest.fixture
def app(store_dir):
    app = app_over(store_dir, LDR_HARVEST_ALLOW="127.0.0.1")
    yield app
    close_app(app)


@pytest.fixture
def tokens(app):
    accounts = app.extensions["ldr.registry"].accounts
    return {
        name: accounts.create_token(name, f"{BASE}/id/organisations/{org}", role)[1]
        for name, org, role in [
            ("leeds", "leeds-city-council", "publisher"),
            ("croydon", "london-borough-of-croydon", "publisher"),
            ("steward", "ministry-of-housing-communities-and-local-government", "steward"),
        ]
    }


def register_and_approve(client, tokens, ref: str, address: str, **kwargs) -> str:
    response = post(client, source_turtle(ref, address, **kwargs), tokens["leeds"], "sources")
    assert response.status_code == 201, response.json
    approved = client.post(
        f"/id/sources/{ref}/status",
        json={"status": "stable"},
        headers=auth(tokens["steward"]),
    )
    assert approved.status_code == 200, approved.json
    return f"{BASE}/id/sources/{ref}"


def run(app, source: str):
    registry = app.extensions["ldr.registry"]
    return harvest(registry.store, registry.model, registry.settings, source)


def api_iri(service) -> str:
    from registry.harvest.kinds import reference_for

    return f"{BASE}/id/apis/{reference_for(service[0])}"


def test_a_source_must_be_approved_before_it_runs(app, tokens, served):
    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS))
    client = app.test_client()
    response = post(
        client, source_turtle("leeds-apis", server.url("apis.ttl")), tokens["leeds"], "sources"
    )
    assert response.status_code == 201 and response.json["records"][0]["status"] == "submitted"
    report = run(app, f"{BASE}/id/sources/leeds-apis")
    assert "has not been approved" in report.error and not report.outcomes
    assert server.requests == []  # nothing was fetched


def test_a_run_registers_records_owned_by_the_sources_organisation(app, tokens, served):
    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS, ROADS))
    client = app.test_client()
    source = register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
    report = run(app, source)
    assert report.error == "" and report.counts["created"] == 2, report.as_json()
    registry = app.extensions["ldr.registry"]
    bins = api_iri(BINS)
    graph = Graph().parse(
        data=client.get(
            bins.replace(BASE, ""), headers={"Accept": "text/turtle"}, follow_redirects=True
        ).data,
        format="turtle",
    )
    node = URIRef(bins)
    assert (node, URIRef(LDR + "harvestedFrom"), URIRef(source)) in graph
    assert (node, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), None) in graph
    assert graph.value(node, REG.status) == REG.statusStable
    owner = registry.store.select(f"SELECT ?o WHERE {{ GRAPH ?h {{ <{bins}> <{REG}owner> ?o }} }}")
    assert str(owner[0]["o"]) == LEEDS
    page = client.get(bins.replace("/id/", "/doc/"), headers={"Accept": "text/html"}).get_data(
        as_text=True
    )
    assert "Harvested from" in page and "Leeds API catalogue" in page
    block = page[page.find('id="harvested"') :][:1200]
    assert server.url("apis.ttl") in block and "change that file at its source" in block, block


def test_a_rerun_over_unchanged_metadata_writes_nothing(app, tokens, served):
    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS, ROADS))
    client = app.test_client()
    source = register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
    run(app, source)
    registry = app.extensions["ldr.registry"]
    before = current_versions(registry.store, registry.model, [api_iri(BINS), api_iri(ROADS)])
    again = run(app, source)
    assert (
        again.counts["unchanged"] == 2 and again.counts["created"] == again.counts["updated"] == 0
    )
    after = current_versions(registry.store, registry.model, [api_iri(BINS), api_iri(ROADS)])
    assert before == after == {api_iri(BINS): 1, api_iri(ROADS): 1}


def test_changes_make_versions_gone_records_are_withdrawn_then_reinstated(app, tokens, served):
    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS, ROADS))
    client = app.test_client()
    source = register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
    registry = app.extensions["ldr.registry"]
    store, model = registry.store, registry.model
    run(app, source)
    renamed = (BINS[0], "Bin collection calendar", BINS[2])
    (root / "apis.ttl").write_bytes(catalogue(renamed))  # renamed, and roads gone
    first = run(app, source)
    assert first.counts["updated"] == 1 and first.missing == [api_iri(ROADS)]
    assert first.counts["withdrawn"] == 0  # missing once: withdrawn after two runs
    second = run(app, source)
    assert second.counts["withdrawn"] == 1
    roads = history(store, model, api_iri(ROADS))
    assert roads[-1]["status"].endswith("statusWithdrawn")
    assert "has not listed it for 2 run(s) in a row" in roads[-1]["note"]
    assert api_iri(ROADS) in {str(r["s"]) for r in store.select("SELECT ?s WHERE { ?s ?p ?o }")}
    (root / "apis.ttl").write_bytes(catalogue(renamed, ROADS))
    back = run(app, source)
    assert back.counts["reinstated"] == 1
    assert history(store, model, api_iri(ROADS))[-1]["status"].endswith("statusStable")
    bins = history(store, model, api_iri(BINS))
    assert [entry["version"] for entry in bins] == [1, 2]  # the rename kept its history


def test_a_bad_record_fails_alone_and_the_rest_are_written(app, tokens, served):
    server, root = served
    broken = catalogue(BINS, ROADS).replace(
        f"dcat:endpointURL <{ROADS[2]}>".encode(), b'dcat:endpointURL "not an address"'
    )
    (root / "apis.ttl").write_bytes(broken)
    client = app.test_client()
    source = register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
    report = run(app, source)
    assert report.counts["created"] == 1
    failed = [o for o in report.outcomes if o.outcome == "failed"] + [
        p for p in report.problems if p.severity == "error"
    ]
    assert failed, report.as_json()
    registry = app.extensions["ldr.registry"]
    assert api_iri(ROADS) not in current_versions(registry.store, registry.model, [api_iri(ROADS)])


def test_an_unreadable_file_fails_the_run_and_withdraws_nothing(app, tokens, served):
    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS))
    client = app.test_client()
    source = register_and_approve(
        client, tokens, "leeds-apis", server.url("apis.ttl"), withdraw_after=1
    )
    run(app, source)
    (root / "apis.ttl").write_bytes(b"@prefix broken <this is not turtle")
    report = run(app, source)
    assert report.error and report.counts["withdrawn"] == 0
    registry = app.extensions["ldr.registry"]
    assert history(registry.store, registry.model, api_iri(BINS))[-1]["status"].endswith(
        "statusStable"
    )


def test_a_source_on_a_private_address_is_refused_before_anything_is_sent(store_dir, served):
    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS))
    app = app_over(store_dir)  # LDR_HARVEST_ALLOW not set: 127.0.0.1 is not allowed
    try:
        accounts = app.extensions["ldr.registry"].accounts
        tokens = {
            "leeds": accounts.create_token("leeds", LEEDS, "publisher")[1],
            "steward": accounts.create_token(
                "steward", f"{BASE}/id/organisations/leeds-city-council", "steward"
            )[1],
        }
        source = register_and_approve(
            app.test_client(), tokens, "leeds-apis", server.url("apis.ttl")
        )
        report = run(app, source)
        assert "non-public address" in report.error
        assert server.requests == []
    finally:
        close_app(app)


def test_publishers_edit_harvested_records_at_their_source(app, tokens, served):
    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS))
    client = app.test_client()
    source = register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
    run(app, source)
    path = api_iri(BINS).replace(BASE, "")
    current = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True)
    refused = client.put(
        path,
        data=current.data,
        content_type="text/turtle",
        headers={**auth(tokens["leeds"]), "If-Match": current.headers["ETag"]},
    )
    assert refused.status_code == 403 and "harvested from" in refused.json["detail"]


def test_runs_are_logged_for_the_organisation_and_run_through_the_queue(app, tokens, served):
    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS))
    client = app.test_client()
    register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
    registry = app.extensions["ldr.registry"]
    registry.harvests.start_worker(schedule=False)  # only the run asked for (due() is tested)
    queued = client.post("/doc/sources/leeds-apis/runs", headers=auth(tokens["leeds"]))
    assert queued.status_code == 202, queued.json

    def logged():
        answer = client.get("/doc/sources/leeds-apis/runs", headers=auth(tokens["leeds"]))
        return answer.json["runs"] or None

    runs = wait_for(logged, within=60, what="the queued run to be logged")
    assert len(runs) == 1 and runs[0]["counts"]["created"] == 1 and runs[0]["error"] == ""
    page = client.get(
        "/doc/sources/leeds-apis/runs", headers={**auth(tokens["leeds"]), "Accept": "text/html"}
    ).get_data(as_text=True)
    assert "1 created" in page
    other = client.get("/doc/sources/leeds-apis/runs", headers=auth(tokens["croydon"]))
    assert other.status_code == 403
    for path, who, status in (
        ("/doc/sources/leeds-apis/runs", "croydon", 403),
        ("/doc/sources/no-such-source/runs", "leeds", 404),
    ):
        refused = client.get(path, headers={**auth(tokens[who]), "Accept": "text/html"})
        assert refused.status_code == status and refused.mimetype == "text/html"
    assert client.get("/doc/sources/leeds-apis/runs").status_code == 401


def test_the_dry_run_says_what_would_happen_and_writes_nothing(app, tokens, served):
    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS, ROADS))
    client = app.test_client()
    answer = client.post(
        "/harvest/check",
        data={"kind": "dcat", "address": server.url("apis.ttl")},
        headers={**auth(tokens["leeds"]), "Accept": "application/json"},
    )
    assert answer.status_code == 200, answer.data[:500]
    report = answer.json
    assert report["dry_run"] and report["counts"]["created"] == 2
    registry = app.extensions["ldr.registry"]
    assert not current_versions(registry.store, registry.model, [api_iri(BINS)])
    assert json.dumps(report)  # the whole report is JSON


def test_a_real_publiccode_file_is_harvested_over_http_and_from_git(app, tokens, served):
    """One of the real publiccode.yml files in ../shared, served as a file and as the root of a
    git repository: each source makes the software record it describes."""
    from tests.conftest import SHARED
    from tests.harvest_server import git_repository

    server, root = served
    real = (SHARED / "ext/publiccode/samples/AgID__wai-portal.publiccode.yml").read_bytes()
    (root / "publiccode.yml").write_bytes(real)
    git_repository(root, "wai-portal", {"publiccode.yml": real})
    client = app.test_client()
    software = f"{BASE}/id/software/github-com-agid-wai-portal"
    for ref, address in (
        ("wai-file", server.url("publiccode.yml")),
        ("wai-git", server.url("git/wai-portal.git")),
    ):
        source = register_and_approve(client, tokens, ref, address, kind="publiccode")
        report = run(app, source)
        assert report.error == "", report.as_json()
        outcome = {o.record: o.outcome for o in report.outcomes}
        if ref == "wai-file":
            assert outcome == {software: "created"}, report.as_json()
        else:  # the same software from a second source is not taken over
            assert outcome == {software: "skipped"}, report.as_json()
    page = client.get(
        "/doc/software/github-com-agid-wai-portal", headers={"Accept": "text/html"}
    ).get_data(as_text=True)
    assert "Web Analytics Italia" in page and 'id="harvested"' in page
    registry = app.extensions["ldr.registry"]
    graph = Graph().parse(
        data=client.get(
            "/doc/software/github-com-agid-wai-portal", headers={"Accept": "text/turtle"}
        ).data,
        format="turtle",
    )
    assert (
        URIRef(software),
        URIRef(LDR + "harvestedFrom"),
        URIRef(f"{BASE}/id/sources/wai-file"),
    ) in graph
    assert registry.store.ask(
        f"ASK {{ <{software}> <http://purl.org/dc/terms/license> <http://spdx.org/licenses/AGPL-3.0-or-later> }}"
    )


def test_the_schedule_finds_the_approved_sources_that_are_due(app, tokens, served):
    import datetime

    from registry.harvest.service import due

    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS))
    client = app.test_client()
    weekly = register_and_approve(client, tokens, "weekly-apis", server.url("apis.ttl"))
    post(client, source_turtle("waiting", server.url("apis.ttl")), tokens["leeds"], "sources")
    registry = app.extensions["ldr.registry"]
    store, model = registry.store, registry.model
    assert due(store, model) == [weekly]  # never run; the unapproved one is not due
    run(app, weekly)
    now = datetime.datetime.now(datetime.UTC)
    assert due(store, model, now) == []
    assert due(store, model, now + datetime.timedelta(days=6)) == []
    assert due(store, model, now + datetime.timedelta(days=7)) == [weekly]


def test_a_changed_identifier_with_the_same_endpoint_keeps_the_record(app, tokens, served):
    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS))
    client = app.test_client()
    source = register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
    run(app, source)
    moved = ("https://data.example.org/services/bin-days", "Bin days", BINS[2])
    (root / "apis.ttl").write_bytes(catalogue(moved))
    report = run(app, source)
    assert {o.record: o.outcome for o in report.outcomes} == {api_iri(BINS): "updated"}
    registry = app.extensions["ldr.registry"]
    assert not current_versions(registry.store, registry.model, [api_iri(moved)])
    assert [e["version"] for e in history(registry.store, registry.model, api_iri(BINS))] == [1, 2]


def test_a_steward_detaches_a_record_which_harvests_then_leave_alone(app, tokens, served):
    server, root = served
    (root / "apis.ttl").write_bytes(catalogue(BINS))
    client = app.test_client()
    source = register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
    run(app, source)
    path = api_iri(BINS).replace(BASE, "")
    current = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True)
    graph = Graph().parse(data=current.data, format="turtle")
    graph.remove((URIRef(api_iri(BINS)), URIRef(LDR + "harvestedFrom"), None))
    detached = client.put(
        path,
        data=graph.serialize(format="turtle"),
        content_type="text/turtle",
        headers={**auth(tokens["steward"]), "If-Match": current.headers["ETag"]},
    )
    assert detached.status_code == 200, detached.json
    report = run(app, source)
    assert [o.outcome for o in report.outcomes] == ["skipped"]
    assert "edited here, not harvested" in report.outcomes[0].message
    assert report.missing == []  # detached: no longer the source's to withdraw


def api_list(*apis: dict) -> bytes:
    return json.dumps(
        {
            "api-version": "api.gov.uk/v1alpha",
            "apis": [{"api-version": "api.gov.uk/v1alpha", "data": a} for a in apis],
        }
    ).encode()


def test_a_file_cannot_attribute_records_to_another_organisation(app, tokens, served):
    """A source's records are published by its own organisation: an organisation the file names
    is kept as the provider it claims, not as the publisher (registry/harvest/sync.py)."""
    server, root = served
    (root / "apis").write_bytes(
        api_list(
            {
                "name": "Street lighting faults",
                "description": "Report and follow street lighting faults, for the tests.",
                "url": "https://api.example.org/lights",
                "organisation": "Leeds City Council",
            }
        )
    )
    client = app.test_client()
    croydon = f"{BASE}/id/organisations/london-borough-of-croydon"
    ttl = source_turtle("croydon-apis", server.base, kind="api-list").replace(LEEDS, croydon)
    assert post(client, ttl, tokens["croydon"], "sources").status_code == 201
    assert (
        client.post(
            "/id/sources/croydon-apis/status",
            json={"status": "stable"},
            headers=auth(tokens["steward"]),
        ).status_code
        == 200
    )
    report = run(app, f"{BASE}/id/sources/croydon-apis")
    assert report.counts["created"] == 1, report.as_json()
    registry = app.extensions["ldr.registry"]
    [record] = [o.record for o in report.outcomes]
    publishers = registry.store.select(
        f"SELECT ?p WHERE {{ <{record}> <http://purl.org/dc/terms/publisher> ?p }}"
    )
    assert [str(r["p"]) for r in publishers] == [croydon]
    assert registry.store.ask(f"ASK {{ <{record}> <https://schema.org/provider> <{LEEDS}> }}")


def test_sources_are_registered_for_ones_own_organisation_and_edits_go_back_to_review(
    app, tokens, served
):
    server, root = served
    client = app.test_client()
    other = post(
        client, source_turtle("not-mine", server.url("x.ttl")), tokens["croydon"], "sources"
    )
    assert other.status_code == 403 and "their own organisation" in other.json["detail"]
    register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
    path = "/doc/sources/leeds-apis"
    current = client.get(path, headers={"Accept": "text/turtle"})
    moved = current.data.replace(
        server.url("apis.ttl").encode(), b"https://elsewhere.example/x.ttl"
    )
    revised = client.put(
        path,
        data=moved,
        content_type="text/turtle",
        headers={**auth(tokens["leeds"]), "If-Match": current.headers["ETag"]},
    )
    assert revised.status_code == 200, revised.json
    graph = Graph().parse(
        data=client.get(path, headers={"Accept": "text/turtle"}).data, format="turtle"
    )
    assert graph.value(URIRef(f"{BASE}/id/sources/leeds-apis"), REG.status) == REG.statusSubmitted
    assert "has not been approved" in run(app, f"{BASE}/id/sources/leeds-apis").error


def test_an_entry_that_cannot_be_read_is_a_failure_not_a_withdrawal(app, tokens, served):
    server, root = served
    lights = {
        "name": "Street lighting faults",
        "description": "Report and follow street lighting faults, for the tests.",
        "url": "https://api.example.org/lights",
    }
    bins = {**lights, "name": "Bin days", "url": "https://api.example.org/bins"}
    (root / "apis").write_bytes(api_list(lights, bins))
    client = app.test_client()
    source = register_and_approve(
        client, tokens, "leeds-apis", server.base, kind="api-list", withdraw_after=1
    )
    assert run(app, source).counts["created"] == 2
    (root / "apis").write_bytes(api_list(lights, {**bins, "url": "not an address"}))
    report = run(app, source)
    assert report.counts["failed"] == 1 and report.counts["withdrawn"] == 0, report.as_json()
    assert report.missing == []


def test_asking_for_a_run_twice_queues_one(app, tokens, served):
    server, _ = served
    client = app.test_client()
    source = register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
    queue = app.extensions["ldr.registry"].harvests
    first, second = queue.enqueue(source), queue.enqueue(source)
    assert first == second and queue.pending() == 1


def test_an_unchanged_publiccode_file_with_a_regional_language_key_writes_nothing(
    app, tokens, served
):
    """bootstrap-italia's description is under it-IT: the store keeps the tag as it-it."""
    from tests.conftest import SHARED

    server, root = served
    real = (SHARED / "ext/publiccode/samples/italia__bootstrap-italia.publiccode.yml").read_bytes()
    (root / "publiccode.yml").write_bytes(real)
    client = app.test_client()
    source = register_and_approve(
        client, tokens, "bootstrap", server.url("publiccode.yml"), kind="publiccode"
    )
    assert run(app, source).counts["created"] == 1
    again = run(app, source)
    assert again.counts["unchanged"] == 1 and again.counts["updated"] == 0, again.as_json()


def test_nobody_links_a_record_to_a_harvest_source_by_hand(app, tokens, served):
    """Only a harvest makes ldr:harvestedFrom: a publisher naming another organisation's source
    on a record of their own would have that source's runs withdraw it."""
    server, _ = served
    client = app.test_client()
    source = register_and_approve(client, tokens, "leeds-apis", server.url("apis.ttl"))
    record = f"""@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{BASE}/id/apis/croydon-parking> a dcat:DataService ;
    dcterms:title "Croydon parking"@en ;
    dcterms:description "Parking permits, written for the harvest tests."@en ;
    dcat:endpointURL <https://api.example.org/parking> ;
    <{LDR}harvestedFrom> <{source}> ;
    dcterms:source <https://api.example.org/parking> .
"""
    refused = post(client, record, tokens["croydon"], "apis")
    assert refused.status_code == 403 and "only a harvest" in refused.json["detail"]
