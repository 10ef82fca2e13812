"""The conformance checker on real standards' published JSON Schemas and samples
(../shared/ext/standards): samples that should pass do, known-invalid ones do not, with
problems grouped by record and field, and nothing fetched from the web."""

from __future__ import annotations

import json

import pytest

from registry.conformance.checker import check_json
from registry.rdf.namespaces import VOCABULARY
from tests.conftest import SHARED, close_app, make_app
from tests.test_cli import run
from tests.web import csrf

STANDARDS = SHARED / "ext" / "standards"
OCDS = "https://standard.open-contracting.org/schema/1__1__5/release-package-schema.json"
GIVING = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-package-schema.json"
ORUK = "https://openreferraluk.org/specifications/3.0/schema/service.json"

# (schema, sample, conforms, problems expected — from VALIDATION_RESULTS.txt, formats on)
CASES = [
    (OCDS, "ocds-1.1/examples/tender.json", True, 0),
    (OCDS, "ocds-1.1/examples/award.json", True, 0),
    (OCDS, "ocds-1.1/examples/contract.json", True, 0),
    (OCDS, "ocds-1.1/invalid/badfile.json", False, 27),
    (OCDS, "ocds-1.1/invalid/releases_non_unique.json", False, 1),
    (GIVING, "360giving/examples/andrew-lloyd-webber-foundation-a003W000001B7PzQAK.json", True, 0),
    (GIVING, "360giving/examples/grantnav-test-data-20180903134856.json", True, 0),
    (GIVING, "360giving/invalid/badfile_all_validation_errors.json", False, 10),
    (GIVING, "360giving/invalid/fundingproviders-grants_broken_grants.json", False, 14),
    (GIVING, "360giving/invalid/nulls.json", False, 133),
    (ORUK, "oruk-3.0/examples/service_full.json", True, 0),
    (ORUK, "oruk-3.0/invalid/service_full.json", False, 2),
]


def need_standards():
    if not STANDARDS.exists():
        pytest.skip(
            f"the standards' schemas are not at {STANDARDS} (../shared is not beside the project)"
        )
    return (str(STANDARDS),)


@pytest.mark.parametrize("schema,sample,conforms,count", CASES, ids=[c[1] for c in CASES])
def test_real_samples_give_the_expected_outcome(schema, sample, conforms, count):
    outcome = check_json("urn:test", schema, (STANDARDS / sample).read_bytes(), need_standards())
    assert outcome.conforms is conforms
    assert len(outcome.problems) == count


def test_problems_are_grouped_by_record_and_field():
    outcome = check_json(
        "urn:test",
        GIVING,
        (STANDARDS / "360giving/invalid/badfile_all_validation_errors.json").read_bytes(),
        need_standards(),
    )
    grouped = outcome.grouped()
    assert "grants[0]" in grouped
    fields = {p.field for p in grouped["grants[0]"]}
    assert "amountAwarded" in fields
    assert any("should be number" in p.message for p in grouped["grants[0]"])


@pytest.fixture
def app(tmp_path_factory, starter_store_dir):
    app = make_app(
        tmp_path_factory,
        starter_store_dir,
        "conformance",
        LDR_RESOURCE_DIRS=":".join(need_standards()),
    )
    yield app
    close_app(app)


def test_the_check_api_answers_with_a_report_and_an_earl_assertion(app):
    client = app.test_client()
    good = client.post(
        "/doc/standards/ocds/check",
        data=(STANDARDS / "ocds-1.1/examples/tender.json").read_bytes(),
        content_type="application/json",
    )
    assert good.status_code == 200 and good.json["conforms"] is True
    assert good.json["earl"]["earl:result"]["earl:outcome"]["@id"] == "earl:passed"
    bad = client.post(
        "/doc/standards/open-referral-uk/check",
        data=(STANDARDS / "oruk-3.0/invalid/service_full.json").read_bytes(),
        content_type="application/json",
    )
    assert bad.json["conforms"] is False
    assert {p["field"] for p in bad.json["problems"]} == {"email", "url"}
    assert bad.json["earl"]["earl:result"]["earl:outcome"]["@id"] == "earl:failed"
    none = client.post("/doc/standards/uprn/check", data=b"{}", content_type="application/json")
    assert (
        none.status_code == 422
        and "publishes no schema that this registry can check" in none.json["detail"]
    )
    junk = client.post(
        "/doc/standards/ocds/check", data=b"not json", content_type="application/json"
    )
    assert junk.status_code == 422 and "not JSON" in junk.json["detail"]


def test_the_check_page_takes_an_upload(app):
    client = app.test_client()
    token = csrf(client.get("/doc/standards/360giving/check").data)
    import io

    sample = (STANDARDS / "360giving/invalid/badfile_all_validation_errors.json").read_bytes()
    result = client.post(
        "/doc/standards/360giving/check",
        content_type="multipart/form-data",
        data={"csrf_token": token, "data": (io.BytesIO(sample), "grants.json")},
    )
    page = result.data.decode()
    assert result.status_code == 200 and "10</strong> problems" in page and "grants[0]" in page


def test_ldr_check_exit_codes(store_dir):
    env = {"LDR_RESOURCE_DIRS": ":".join(need_standards())}
    ok = run(
        "check", "ocds", str(STANDARDS / "ocds-1.1/examples/award.json"), store=store_dir, env=env
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = run(
        "check",
        "ocds",
        str(STANDARDS / "ocds-1.1/invalid/releases_non_unique.json"),
        store=store_dir,
        env=env,
    )
    assert bad.returncode == 1 and "releases" in bad.stdout
    missing = run("check", "ocds", str(STANDARDS / "ocds-1.1/examples/award.json"), store=store_dir)
    assert missing.returncode == 2 and "LDR_RESOURCE_DIRS" in missing.stderr


def test_products_claims_are_shown_on_both_pages_and_old_ones_flagged(app):
    import datetime

    from tests.conftest import BASE
    from tests.test_registration import post

    token = app.extensions["ldr.registry"].accounts.create_token(
        "sup", f"{BASE}/id/organisations/graphnet-health", "publisher"
    )[1]
    recent = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
    product = f"""@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ldr: <{VOCABULARY}ldr#> .
<{BASE}/id/products/contracts-publisher> a ldr:Product ;
    dcterms:title "Contracts publisher"@en ;
    dcterms:description "A product that publishes a council's contracts as open data, made up for this test."@en ;
    ldr:supplier <{BASE}/id/organisations/graphnet-health> ;
    ldr:productKind <{VOCABULARY}product-kind/procurement-system> ;
    dcterms:conformsTo <{BASE}/id/standards/ocds>, <{BASE}/id/standards/csv> ;
    ldr:claim [ a ldr:ConformanceClaim ; ldr:claimedStandard <{BASE}/id/standards/ocds> ; dcat:version "1.1" ;
                ldr:evidence <https://example.org/report> ; dcterms:date "{recent}"^^xsd:date ] ,
              [ a ldr:ConformanceClaim ; ldr:claimedStandard <{BASE}/id/standards/csv> ;
                dcterms:date "2023-01-10"^^xsd:date ] ;
    dcterms:source <https://example.org/contracts-publisher> .
"""
    client = app.test_client()
    created = post(client, product, token, register="products")
    assert created.status_code == 201, created.json.get("report")
    page = client.get("/doc/products/contracts-publisher.html").data.decode()
    assert (
        "Conformance claims" in page and "Evidence is more than 12 months old (2023-01-10)" in page
    )
    assert page.count("govuk-tag--green") == 1
    assert 'href="/standards/apply?product_kind=procurement-system"' in page
    standard = client.get("/doc/standards/ocds.html").data.decode()
    assert "Contracts publisher" in standard and "Current" in standard
    csv_page = client.get("/doc/standards/csv.html").data.decode()
    assert "Evidence is more than 12 months old" in csv_page


def test_the_registrys_own_shapes_are_a_standard_that_checks_rdf_data(tmp_path, model, settings):
    """With LDR_OPERATOR, `ldr init` registers the registry's record shapes as a standard with the
    shapes as its PROF validation resource; RDF data is then checked with them, as a submission is."""
    from registry.bulk import loader
    from registry.store.embedded import EmbeddedStore
    from tests.conftest import app_over, close_app

    unknown = EmbeddedStore(tmp_path / "unknown", create=True)
    refused = loader.init_store(
        unknown, model, settings["LDR_MAX_INPUT_BYTES"], operator="nobody-at-all"
    )
    unknown.close()
    assert not refused.written and "nobody-at-all" in refused.report.render()
    path = tmp_path / "store"
    store = EmbeddedStore(path, create=True)
    assert loader.init_store(
        store, model, settings["LDR_MAX_INPUT_BYTES"], operator="local-government-association"
    ).written
    store.close()
    app = app_over(path)
    try:
        client = app.test_client()
        record = client.get("/doc/standards/registry-record-shapes.ttl").data.decode()
        assert (
            "prof:hasArtifact <" + VOCABULARY + "shapes>" in record
            or f"<{VOCABULARY}shapes>" in record
        )
        assert "role/validation" in record and "local-government-association" in record
        good = client.get("/doc/platforms/govuk-pay/version/1.ttl").data  # the record alone
        ok = client.post(
            "/doc/standards/registry-record-shapes/check", data=good, content_type="text/turtle"
        )
        assert ok.status_code == 200 and ok.json["conforms"] is True, ok.json
        broken = good.replace(b"dcterms:publisher", b"dcterms:contributor")
        bad = client.post(
            "/doc/standards/registry-record-shapes/check", data=broken, content_type="text/turtle"
        )
        assert bad.json["conforms"] is False
        assert any("owns it" in p["message"] for p in bad.json["problems"])
    finally:
        close_app(app)


def test_data_at_an_allowed_address_is_checked_and_other_addresses_refused(
    tmp_path_factory, starter_store_dir
):
    import http.server
    import threading

    need_standards()
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=str(STANDARDS))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    allowed = f"http://127.0.0.1:{server.server_port}/ocds-1.1/"
    app = make_app(
        tmp_path_factory,
        starter_store_dir,
        "urlcheck",
        LDR_RESOURCE_DIRS=str(STANDARDS),
        LDR_CHECK_URL_PREFIXES=allowed,
    )
    try:
        client = app.test_client()
        ok = client.post(f"/doc/standards/ocds/check?url={allowed}examples/tender.json")
        assert ok.status_code == 200 and ok.json["conforms"] is True
        assert ok.json["dqv"]["dqv:value"]["@value"] == "true"
        other = client.post(
            f"/doc/standards/ocds/check?url=http://127.0.0.1:{server.server_port}/360giving/nulls.json"
        )
        assert (
            other.status_code == 422
            and "not at an address a steward has allowed" in other.json["detail"]
        )
        local = client.post("/doc/standards/ocds/check?url=file:///etc/passwd")
        assert local.status_code == 422
    finally:
        close_app(app)
        server.shutdown()


def test_data_over_the_size_limit_is_refused_with_the_limit(tmp_path_factory, starter_store_dir):
    app = make_app(
        tmp_path_factory,
        starter_store_dir,
        "bigcheck",
        LDR_RESOURCE_DIRS=":".join(need_standards()),
        LDR_MAX_INPUT_BYTES=1000,
    )
    try:
        response = app.test_client().post(
            "/doc/standards/ocds/check", data=b" " * 5000, content_type="application/json"
        )
        assert response.status_code == 413 and "1,000 bytes" in response.json["detail"]
    finally:
        close_app(app)


# Which registered standard each directory of ../shared/ext/standards holds samples of.
STANDARD_OF_DIRECTORY = {
    "ocds-1.1": "ocds",
    "360giving": "360giving",
    "oruk-3.0": "open-referral-uk",
    "hsds-3.0": "hsds",
    "bods-0.4": "bods",
}


def published_verdicts() -> list[tuple[str, bool]]:
    """Every (sample, expected to conform) that VALIDATION_RESULTS.txt records, once each."""
    import re

    results = STANDARDS / "VALIDATION_RESULTS.txt"
    if not results.exists():
        return []
    verdicts: dict[str, bool] = {}
    for match in re.finditer(
        r"^  (\S+\.json)  \[expected (valid|invalid)\]", results.read_text(encoding="utf-8"), re.M
    ):
        verdicts[match[1]] = match[2] == "valid"
    return sorted(verdicts.items())


@pytest.mark.parametrize(
    "sample,conforms", published_verdicts(), ids=[v[0] for v in published_verdicts()]
)
def test_every_published_sample_gets_its_published_verdict_through_the_checker(
    app, sample, conforms
):
    """The checker picks the schema for the kind of document it is given and names it."""
    reference = STANDARD_OF_DIRECTORY[sample.split("/")[0]]
    response = app.test_client().post(
        f"/doc/standards/{reference}/check",
        data=(STANDARDS / sample).read_bytes(),
        content_type="application/json",
    )
    assert response.status_code == 200, response.json
    assert response.json["conforms"] is conforms, response.json["problems"][:3]
    assert response.json["resource"].startswith("https://")


def test_the_schema_applied_is_the_one_for_the_kind_of_document(app):
    client = app.test_client()
    applied = {}
    for reference, sample in [
        ("ocds", "ocds-1.1/examples/record.json"),
        ("ocds", "ocds-1.1/examples/tender.json"),
        ("open-referral-uk", "oruk-3.0/examples/organization_full.json"),
        ("open-referral-uk", "oruk-3.0/examples/service_at_location_full.json"),
        ("open-referral-uk", "oruk-3.0/examples/service_list.json"),
        ("open-referral-uk", "oruk-3.0/examples/service_full.json"),
        ("hsds", "hsds-3.0/examples/location.json"),
    ]:
        response = client.post(
            f"/doc/standards/{reference}/check",
            data=(STANDARDS / sample).read_bytes(),
            content_type="application/json",
        )
        applied[sample.rsplit("/", 1)[-1]] = response.json["resource"].rsplit("/", 1)[-1]
    assert applied == {
        "record.json": "record-package-schema.json",
        "tender.json": "release-package-schema.json",
        "organization_full.json": "organization.json",
        "service_at_location_full.json": "service_at_location.json",
        "service_list.json": "service_list.json",
        "service_full.json": "service.json",
        "location.json": "location.json",
    }
    chosen = client.post(
        "/doc/standards/open-referral-uk/check?schema=organization",
        data=(STANDARDS / "oruk-3.0/examples/service_full.json").read_bytes(),
        content_type="application/json",
    )
    assert chosen.json["resource"].endswith("/organization.json")
    unknown = client.post(
        "/doc/standards/open-referral-uk/check?schema=widget",
        data=b"{}",
        content_type="application/json",
    )
    assert unknown.status_code == 422 and "no schema for 'widget'" in unknown.json["detail"]
    assert "service_at_location" in unknown.json["detail"]
    page = client.post(
        "/doc/standards/ocds/check",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf(client.get("/doc/standards/ocds/check").data),
            "data": (
                __import__("io").BytesIO(
                    (STANDARDS / "ocds-1.1/examples/record.json").read_bytes()
                ),
                "record.json",
            ),
        },
    ).data.decode()
    assert "The data conforms" in page and "record-package-schema.json" in page


def test_a_page_of_a_list_is_refused_in_words_where_the_standard_has_no_schema_for_lists(app):
    """HSDS 3.0's schemas describe single documents; its list responses are in its OpenAPI
    document only, by a compiled schema not among its published files held here."""
    client = app.test_client()
    page = client.post(
        "/doc/standards/hsds/check",
        data=(STANDARDS / "hsds-3.0/examples/service_list.json").read_bytes(),
        content_type="application/json",
    )
    assert page.status_code == 422
    assert (
        "This is a page of a list" in page.json["detail"]
        and "none for a list" in page.json["detail"]
    )
    entry = json.dumps(
        json.loads((STANDARDS / "hsds-3.0/examples/service_list.json").read_bytes())["contents"][0]
    )
    one = client.post("/doc/standards/hsds/check", data=entry, content_type="application/json")
    assert one.status_code == 200 and one.json["kind"] == "service"


def test_a_fresh_make_serve_checks_the_starter_standards(tmp_path, starter_store_dir):
    """On a development machine (../shared beside the project), `make serve` needs no extra step."""
    import os
    import shutil
    import signal
    import subprocess
    import urllib.request

    from tests.conftest import ROOT
    from tests.server import free_port
    from tests.waiting import wait_for

    need_standards()
    store = tmp_path / "store"
    shutil.copytree(starter_store_dir, store)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LDR_")}
    log = (tmp_path / "serve.log").open("wb")
    process = subprocess.Popen(
        ["make", "-s", "serve", f"STORE={store}", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def up():
        assert process.poll() is None, (tmp_path / "serve.log").read_text()
        try:
            return urllib.request.urlopen(url + "/health", timeout=5).status == 200
        except OSError:
            return False

    try:
        wait_for(up, within=300, every=0.5, what="make serve answering")
        request = urllib.request.Request(
            url + "/doc/standards/ocds/check",
            method="POST",
            data=(STANDARDS / "ocds-1.1/examples/record.json").read_bytes(),
            headers={"Content-Type": "application/json"},
        )
        import json

        answer = json.loads(urllib.request.urlopen(request, timeout=60).read())
        assert answer["conforms"] is True and answer["resource"].endswith(
            "record-package-schema.json"
        )
        page = urllib.request.urlopen(url + "/check", timeout=60).read().decode()
        assert "Open Contracting Data Standard (OCDS)" in page and "Not yet" not in page
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)


def test_ldr_fetch_schemas_downloads_the_pinned_files_and_refuses_altered_ones(
    tmp_path, store_dir, tmp_path_factory
):
    """A deployer's one command: every pinned file, sha256 checked, where the checker reads it."""
    import http.server
    import json
    import threading

    from registry.conformance.checker import PINNED

    need_standards()
    handler = lambda *args: http.server.SimpleHTTPRequestHandler(*args, directory=str(STANDARDS))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    mirror = f"http://127.0.0.1:{server.server_port}/"
    try:
        before = run(
            "check", "ocds", str(STANDARDS / "ocds-1.1/examples/record.json"), store=store_dir
        )
        assert before.returncode == 2 and "ldr fetch-schemas" in before.stderr
        files = json.loads(PINNED.read_text())["files"]
        tampered = (
            tmp_path / "tampered.json"
        )  # the published address gives something else than the pinned file
        tampered.write_text(
            json.dumps({"files": [{**files[0], "fetch": mirror + files[1]["path"]}]})
        )
        refused = run("fetch-schemas", "--list", str(tampered), store=store_dir)
        assert (
            refused.returncode == 1
            and "sha256" in refused.stderr
            and files[0]["path"] in refused.stderr
        )
        assert not (store_dir.with_name("store.schemas") / files[0]["path"]).exists()
        listing = (
            tmp_path / "list.json"
        )  # the pinned list, with the addresses served from 127.0.0.1
        listing.write_text(
            json.dumps({"files": [{**f, "fetch": mirror + f["path"]} for f in files]})
        )
        fetched = run("fetch-schemas", "--list", str(listing), store=store_dir)
        assert fetched.returncode == 0, fetched.stderr
        assert f"{len(files)} file(s) downloaded" in fetched.stdout
        for sample in ("ocds-1.1/examples/record.json", "bods-0.4/examples/joint-ownership.json"):
            reference = STANDARD_OF_DIRECTORY[sample.split("/")[0]]
            after = run("check", reference, str(STANDARDS / sample), store=store_dir)
            assert after.returncode == 0, after.stdout + after.stderr
        again = run("fetch-schemas", "--list", str(listing), store=store_dir)
        assert "0 file(s) downloaded" in again.stdout
    finally:
        server.shutdown()


def test_the_checker_page_says_which_standards_can_be_checked_here(
    tmp_path_factory, starter_store_dir
):
    need_standards()
    bare = make_app(tmp_path_factory, starter_store_dir, "bare")
    try:
        page = bare.test_client().get("/check").data.decode()
        assert (
            "Open Contracting Data Standard (OCDS)" in page
            and "Not yet" in page
            and "ldr fetch-schemas" in page
        )
    finally:
        close_app(bare)
    held = make_app(tmp_path_factory, starter_store_dir, "held", LDR_RESOURCE_DIRS=str(STANDARDS))
    try:
        page = held.test_client().get("/check").data.decode()
        assert "Not yet" not in page
        for title in (
            "Human Services Data Specification (HSDS)",
            "Beneficial Ownership Data Standard (BODS)",
            "Open Referral UK",
            "360Giving Data Standard",
        ):
            assert title in page
        assert "service_at_location" in page and 'href="/doc/standards/bods/check"' in page
    finally:
        close_app(held)
