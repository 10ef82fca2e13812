"""The registry's records in others' formats (registry/views/exports.py, api/exports.py,
docs/exports.md): the assets as ADMS-AP, checked against SEMIC's ADMS-AP validator rules and
DCAT-AP 3.0.1's SHACL shapes read from ../shared/ext; a software record as publiccode.yml, read
back by the registry's own publiccode.yml mapping; and schema.org JSON-LD on every record page,
which no title can break out of."""

from __future__ import annotations

import json
import re
import shutil

import pyshacl
import pytest
import yaml
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS

from registry.bulk import loader
from registry.harvest.kinds import Context
from registry.harvest.kinds.publiccode import read
from registry.rdf.namespaces import ADMS, LDR, REG, SCHEMA, VCARD, VOCABULARY
from registry.store import EmbeddedStore
from registry.views.exports import publiccode_yml, schema_org
from registry.vocab.model import load_model
from tests.conftest import BASE, SHARED, app_over, close_app
from tests.test_harvest_publiccode import SAMPLES, VALID, Sample

MODEL = load_model(BASE)
ADMS_AP = SHARED / "ext" / "adms-ap"
#: SEMIC's ADMS-AP validator: its 103 rules, as one SPARQL query over the graph it names
SEMIC_RULES = ADMS_AP / "SEMICeu__adms-ap_validator" / "pages" / "adms-ap.txt"
DCAT_AP = SHARED / "ext" / "dcat-ap" / "html-shacl"
LEEDS = URIRef(f"{BASE}/id/organisations/leeds-city-council")
SOURCE = URIRef(f"{BASE}/id/sources/leeds-publiccode")
LYNIS = SAMPLES / "CISOfy__lynis.publiccode.yml"
LYNIS_IRI = URIRef(f"{BASE}/id/software/github-com-cisofy-lynis")
#: the starter data's accepted assets: 12 exemplars, 12 platforms and 32 standards (no products
#: or software: those come from suppliers and harvests)
STARTER_ASSETS = 56


def context(address: str, organisations: dict | None = None) -> Context:
    return Context(
        model=MODEL, source=SOURCE, address=address, owner=LEEDS, organisations=organisations or {}
    )


def lynis() -> tuple[URIRef, Graph]:
    """The real publiccode.yml of Lynis read as a harvest reads it: software with a contact."""
    mapped = read(LYNIS.read_bytes(), context("https://github.com/CISOfy/lynis"))
    [(iri, graph)] = mapped.records.items()
    return URIRef(iri), graph


@pytest.fixture(scope="module")
def app(tmp_path_factory, starter_store_dir):
    """The starter registry with one accepted software record (Lynis, kept stable as a steward
    would: the harvest source it came from is left out)."""
    if not LYNIS.exists():
        pytest.skip(f"the publiccode.yml samples are not at {SAMPLES}")
    path = tmp_path_factory.mktemp("exports") / "store"
    shutil.copytree(starter_store_dir, path)
    iri, graph = lynis()
    graph.remove((iri, LDR.harvestedFrom, None))
    graph.add((iri, REG.status, REG.statusStable))
    store = EmbeddedStore(path)
    try:
        outcome = loader.submit_graph(graph, MODEL, store)
        assert outcome.written, outcome.report.render()
    finally:
        store.close()
    app = app_over(path)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def adms(client) -> Graph:
    return Graph().parse(data=client.get("/catalogue/adms").data, format="turtle")


# --- ADMS-AP ------------------------------------------------------------------------------------


def test_the_asset_repository_is_served_in_every_format(client, adms):
    response = client.get("/catalogue/adms")
    assert response.mimetype == "text/turtle" and response.headers["Vary"] == "Accept"
    assert response.headers["Content-Location"] == "/catalogue/adms.ttl"
    for accept, media, fmt in (
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ):
        answer = client.get("/catalogue/adms", headers={"Accept": accept})
        assert answer.mimetype == media
        assert isomorphic(Graph().parse(data=answer.data, format=fmt), adms), accept
    page = client.get("/catalogue/adms", headers={"Accept": "text/html"}).data.decode()
    assert "Reusable assets (ADMS-AP)" in page and 'href="/id/exemplars/bops"' in page
    assert 'href="/catalogue/adms"' in client.get("/catalogue.html").data.decode()
    assert client.get("/catalogue/adms.rdf").mimetype == "application/rdf+xml"
    assert client.get("/catalogue/adms.yaml").status_code == 404
    tag = response.headers["ETag"]
    assert client.get("/catalogue/adms", headers={"If-None-Match": tag}).status_code == 304


def test_the_repository_holds_every_accepted_asset_and_nothing_else(adms):
    repository = URIRef(f"{BASE}/catalogue/adms")
    assert (repository, RDF.type, ADMS.AssetRepository) in adms
    assert (repository, RDF.type, DCAT.Catalog) in adms
    assets = set(adms.objects(repository, DCAT.dataset))
    assert len(assets) == STARTER_ASSETS + 1 and LYNIS_IRI in assets
    assert set(adms.subjects(RDF.type, ADMS.Asset)) == assets
    assert set(adms.subjects(RDF.type, DCAT.Dataset)) == assets
    registers = {str(a).split("/")[-2] for a in assets}
    assert registers == {"exemplars", "platforms", "software", "standards"}
    # an exemplar's publisher is its lead organisation, a foaf:Agent with a name
    bops = URIRef(f"{BASE}/id/exemplars/bops")
    southwark = URIRef(f"{BASE}/id/organisations/london-borough-of-southwark")
    assert (bops, DCTERMS.publisher, southwark) in adms
    assert adms.value(southwark, FOAF.name) == Literal("London Borough of Southwark", lang="en")
    assert adms.value(southwark, DCTERMS.type) == URIRef(
        "http://purl.org/adms/publishertype/LocalAuthority"
    )
    # software: its contact as a vcard:Kind, its status as ADMS's, its version and licence
    contact = adms.value(LYNIS_IRI, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in adms
    assert adms.value(contact, VCARD.hasEmail) == URIRef("mailto:michael.boelen@cisofy.com")
    assert adms.value(LYNIS_IRI, ADMS.status) == URIRef("http://purl.org/adms/status/Completed")
    assert (LYNIS_IRI, DCTERMS.license, URIRef("http://spdx.org/licenses/AGPL-3.0-only")) in adms
    # themes are the registry's service areas, each a concept in a scheme the repository names
    theme = adms.value(bops, DCAT.theme)
    assert (theme, RDF.type, SKOS.Concept) in adms and adms.value(theme, SKOS.prefLabel)
    assert (repository, DCAT.themeTaxonomy, URIRef(f"{VOCABULARY}service-area")) in adms


def test_a_submitted_record_is_not_exported(app, client):
    token = app.extensions["ldr.registry"].accounts.create_token("p", str(LEEDS), "publisher")[1]
    body = f"""@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ldr: <{VOCABULARY}ldr#> .
<{BASE}/id/platforms/waiting> a ldr:Platform ;
    dcterms:title "A platform waiting for review"@en ;
    dcterms:description "Submitted and not reviewed yet, so not offered for reuse."@en ;
    dcterms:publisher <{LEEDS}> ;
    ldr:phase <{VOCABULARY}phase/beta> ;
    dcterms:source <https://example.org/waiting> .
"""
    answer = client.post(
        "/platforms",
        data=body.encode(),
        content_type="text/turtle",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.json
    adms = Graph().parse(data=client.get("/catalogue/adms").data, format="turtle")
    assert (URIRef(f"{BASE}/id/platforms/waiting"), None, None) not in adms


def semic_findings(graph: Graph) -> set[tuple[int, str | None]]:
    """(rule, subject) for every error SEMIC's ADMS-AP validator finds in the graph."""
    if not SEMIC_RULES.exists():
        pytest.skip(f"SEMIC's ADMS-AP validator rules are not at {SEMIC_RULES}")
    name = "urn:ldr:test:adms-export"
    dataset = Dataset()
    named = dataset.graph(URIRef(name))
    for triple in graph:
        named.add(triple)
    query = SEMIC_RULES.read_text(encoding="utf-8").replace("@@@TOKEN-GRAPH@@@", name)
    found = set()
    for row in dataset.query(query):
        assert str(row.Rule_Severity) == "error"  # the validator's rules are all errors
        found.add((int(row.Rule_ID), str(row.Subject) if row.Subject is not None else None))
    return found


def test_the_export_meets_semic_adms_ap_rules_but_the_contact_points_records_lack(adms):
    """SEMIC's validator rules are ADMS-AP's machine-readable constraints (ADMS-AP publishes no
    SHACL shapes: ../shared/ext/adms-ap/README.md). Every rule holds but one: rule 1 wants a
    contact point (a vcard:Kind with a name and an email, rules 80 and 82) on every asset, and
    the records that give none (none of the starter data does) get none: the registry does not
    make one up."""
    assets = set(adms.subjects(RDF.type, ADMS.Asset))
    lacking = {str(a) for a in assets if adms.value(a, DCAT.contactPoint) is None}
    assert len(lacking) == STARTER_ASSETS  # Lynis has its maintainer
    assert semic_findings(adms) == {(1, a) for a in lacking}
    without_lynis = Graph()
    for s, p, o in adms:
        if LYNIS_IRI not in (s, o) and not isinstance(s, BNode):
            without_lynis.add((s, p, o))
    # and rule 102 wants at least one vcard:Kind in the file: the starter data alone has none
    assert semic_findings(without_lynis) == {(1, a) for a in lacking} | {(102, None)}


def test_the_semic_rules_can_fail(adms):
    broken = Graph() + adms
    bops = URIRef(f"{BASE}/id/exemplars/bops")
    broken.remove((bops, DCTERMS.title, None))
    broken.add((bops, DCAT.landingPage, URIRef("https://example.org/second")))
    broken.add((URIRef("https://example.org/second"), RDF.type, FOAF.Document))
    found = semic_findings(broken) - semic_findings(adms)
    assert found == {(7, str(bops)), (12, str(bops))}


def test_the_export_conforms_to_dcat_ap_3_but_for_several_publishers(adms):
    """ADMS-AP 2.01's asset is a dcat:Dataset, so DCAT-AP 3.0.1's shapes (class ranges included)
    apply too. One rule cannot be met with ADMS-AP's: DCAT-AP allows a dataset one publisher,
    ADMS-AP an asset several, and an exemplar led by two councils has both."""
    core, ranges = DCAT_AP / "shapes.ttl", DCAT_AP / "range.ttl"
    if not (core.exists() and ranges.exists()):
        pytest.skip(f"DCAT-AP shapes are not at {DCAT_AP}")
    shapes = Graph().parse(core).parse(ranges)
    _, report, _ = pyshacl.validate(adms, shacl_graph=shapes)
    sh = "http://www.w3.org/ns/shacl#"
    found = {
        (
            str(report.value(r, URIRef(sh + "focusNode"))),
            str(report.value(r, URIRef(sh + "resultPath"))),
        )
        for r in report.subjects(RDF.type, URIRef(sh + "ValidationResult"))
    }
    several = {
        str(a)
        for a in adms.subjects(RDF.type, ADMS.Asset)
        if len(set(adms.objects(a, DCTERMS.publisher))) > 1
    }
    assert several and found == {(a, str(DCTERMS.publisher)) for a in several}


# --- publiccode.yml -----------------------------------------------------------------------------

MISSING = re.compile(r"^#   - ([^:]+): ", re.M)


def at(document: dict, path: str):
    for key in path.split("/"):
        if not isinstance(document, dict) or key not in document:
            return None
        document = document[key]
    return document


def put(document: dict, path: str, value) -> None:
    *parents, last = path.split("/")
    for key in parents:
        document = document.setdefault(key, {})
    document[last] = value


@pytest.mark.parametrize("sample", VALID, ids=lambda s: s.name)
def test_a_real_file_exported_and_read_again_gives_the_same_record(sample: Sample):
    """Read a real publiccode.yml, export the record, add back only the keys the export's comment
    says the record cannot fill (from the original, as its maintainer would), read it again: the
    same record, fact for fact. So the export loses nothing the record holds, and its comment
    names every required key it leaves out."""
    original = yaml.safe_load(sample.path.read_text(encoding="utf-8-sig"))
    users = [u for u in original.get("usedBy") or [] if isinstance(u, str)]
    organisations = {
        " ".join(u.split()).lower(): f"{BASE}/id/organisations/u{n}" for n, u in enumerate(users)
    }
    first = read(sample.path.read_bytes(), context(sample.address, organisations))
    [(iri, record)] = first.records.items()
    shown = Graph() + record  # as /doc/ describes it: with the names of the organisations it links
    for name in users:
        shown.add(
            (URIRef(organisations[" ".join(name.split()).lower()]), DCTERMS.title, Literal(name))
        )
    text = publiccode_yml(shown, URIRef(iri), MODEL)
    assert text.startswith("# publiccode.yml (version 0.4 of the standard)")
    exported = yaml.safe_load(text)
    assert exported["publiccodeYmlVersion"] == "0.4"
    missing = MISSING.findall(text)
    assert {"platforms", "softwareType", "localisation/localisationReady"} <= set(missing)
    for path in missing:
        assert at(exported, path) is None, path  # said to be missing, and missing
        if at(original, path) is None:
            # only a file of 0.5 or later may leave out categories, which 0.4 requires
            assert path == "categories" and str(original["publiccodeYmlVersion"]) >= "0.5"
            return  # a 0.5 file without categories cannot be a 0.4 file: said, and that is all
        put(exported, path, at(original, path))
    again = read(yaml.safe_dump(exported).encode(), context(sample.address, organisations))
    assert not [p for p in again.problems if p.severity == "error"], again.problems
    assert list(again.records) == [iri]
    assert isomorphic(again.records[iri], record)


def software(**facts) -> tuple[URIRef, Graph]:
    iri = URIRef(f"{BASE}/id/software/example")
    graph = Graph()
    graph.add((iri, RDF.type, LDR.Software))
    graph.add((iri, DCTERMS.title, Literal(facts.get("title", "Example"))))
    graph.add(
        (iri, DCTERMS.description, Literal(facts.get("description", "Too short."), lang="en"))
    )
    graph.add((iri, SCHEMA.codeRepository, URIRef("https://github.com/example/example")))
    for licence in facts.get("licences", ()):
        graph.add((iri, DCTERMS.license, URIRef(licence)))
    if "maintenance" in facts:
        graph.add(
            (
                iri,
                LDR.maintenanceType,
                URIRef(f"{VOCABULARY}maintenance-type/{facts['maintenance']}"),
            )
        )
    return iri, graph


def test_what_the_record_cannot_fill_is_said_not_invented():
    iri, graph = software(
        licences=["http://spdx.org/licenses/MIT", "http://spdx.org/licenses/Apache-2.0"],
        maintenance="internal",
    )
    text = publiccode_yml(graph, iri, MODEL)
    said = dict(re.findall(r"^#   - ([^:]+): (.*)$", text, re.M))
    document = yaml.safe_load(text)
    assert "legal" not in document and "categories" not in document
    assert "Apache-2.0, MIT" in said["legal/license"] and "(AND)" in said["legal/license"]
    assert set(said) == {
        "categories",
        "developmentStatus",
        "description/en/longDescription",
        "description/en/features",
        "legal/license",
        "maintenance/contacts",
        "platforms",
        "softwareType",
        "localisation/localisationReady",
        "localisation/availableLanguages",
    }
    assert document["description"] == {"en": {"shortDescription": "Too short."}}
    assert document["maintenance"] == {"type": "internal"}
    iri, graph = software(
        licences=["https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"]
    )
    assert "not on the SPDX list" in publiccode_yml(graph, iri, MODEL)


def test_a_hostile_title_stays_a_value():
    title = "Name\n# a comment?\npublicCodeYmlVersion: '9'\n- injected: true"
    iri, graph = software(title=title, description="</script> & 'quotes' \"too\"\n- not a key")
    text = publiccode_yml(graph, iri, MODEL)
    document = yaml.safe_load(text)
    assert document["name"] == title and document["publiccodeYmlVersion"] == "0.4"
    assert set(MISSING.findall(text)) >= {"platforms"} and "injected" not in text.split("\n")[0]
    assert all(line.startswith("#") for line in text.split("publiccodeYmlVersion:")[0].splitlines())


def test_a_software_record_is_served_as_publiccode_yml(client):
    page = client.get("/doc/software/github-com-cisofy-lynis.html").data.decode()
    assert 'href="/doc/software/github-com-cisofy-lynis/publiccode.yml"' in page
    response = client.get("/doc/software/github-com-cisofy-lynis/publiccode.yml")
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    assert response.headers["ETag"]
    document = yaml.safe_load(response.data)
    assert document["name"] == "Lynis" and document["legal"] == {"license": "AGPL-3.0-only"}
    assert document["maintenance"]["contacts"] == [
        {"name": "Michael Boelen", "email": "michael.boelen@cisofy.com"}
    ]
    again = read(response.data, context("https://github.com/CISOfy/lynis"))
    assert {p.field for p in again.problems if p.severity == "error"} == {
        "platforms",
        "softwareType",
        "localisation",
    }, "only what the comment says is missing"
    assert client.get("/doc/software/nothing-here/publiccode.yml").status_code == 404
    assert client.get("/doc/software/uprn/publiccode.yml").status_code == 404  # a standard's


# --- schema.org ---------------------------------------------------------------------------------

SCRIPTS = re.compile(r'<script type="application/ld\+json"( id="schema-org")?>(.*?)</script>', re.S)


def scripts(page: str) -> tuple[dict, dict]:
    """(the registry's own JSON-LD, the schema.org JSON-LD) a record page carries."""
    found = {bool(marked): json.loads(body) for marked, body in SCRIPTS.findall(page)}
    assert len(SCRIPTS.findall(page)) == 2
    return found[False], found[True]


@pytest.mark.parametrize(
    "path,kind,keys",
    [
        ("exemplars/bops", "CreativeWork", {"publisher", "url", "keywords"}),
        ("standards/open-referral-uk", "CreativeWork", {"publisher", "url", "version"}),
        ("platforms/govuk-pay", "CreativeWork", {"publisher", "url"}),
        ("organisations/leeds-city-council", "GovernmentOrganization", {"url"}),
        ("organisations/unboxed", "Organization", set()),
        (
            "software/github-com-cisofy-lynis",
            ["SoftwareApplication", "SoftwareSourceCode"],
            {"publisher", "license", "codeRepository", "applicationCategory", "featureList"},
        ),
    ],
)
def test_record_pages_carry_schema_org_json_ld_beside_their_own(client, path, kind, keys):
    page = client.get(f"/doc/{path}.html").data.decode()
    own, found = scripts(page)
    assert own == client.get(f"/doc/{path}.jsonld").json  # the registry's JSON-LD, as it was
    assert found["@context"] == "https://schema.org" and found["@type"] == kind
    assert found["@id"] == f"{BASE}/id/{path}" and found["mainEntityOfPage"] == f"{BASE}/doc/{path}"
    assert found["name"] and found["description"] and keys <= set(found)


def test_an_api_is_a_web_api():
    iri = URIRef(f"{BASE}/id/apis/example")
    graph = Graph()
    graph.add((iri, RDF.type, DCAT.DataService))
    graph.add((iri, DCTERMS.title, Literal("Example API")))
    graph.add((iri, DCAT.endpointURL, URIRef("https://api.example.gov.uk/v1")))
    graph.add((iri, DCAT.endpointDescription, URIRef("https://api.example.gov.uk/docs")))
    graph.add((iri, DCTERMS.publisher, LEEDS))
    graph.add((LEEDS, RDF.type, LDR.LocalAuthority))
    graph.add((LEEDS, DCTERMS.title, Literal("Leeds City Council", lang="en")))
    found = schema_org(graph, iri, MODEL)
    assert found["@type"] == "WebAPI" and found["url"] == "https://api.example.gov.uk/v1"
    assert found["documentation"] == "https://api.example.gov.uk/docs"
    assert found["provider"] == {
        "@type": "GovernmentOrganization",
        "@id": str(LEEDS),
        "name": "Leeds City Council",
    }


def test_no_title_can_close_the_json_ld_script(app, client):
    token = app.extensions["ldr.registry"].accounts.create_token("s", str(LEEDS), "steward")[1]
    title = "</script><script>alert(1)</script><!-- & 'x'"
    body = f"""@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ldr: <{VOCABULARY}ldr#> .
<{BASE}/id/organisations/closing-tags> a ldr:Supplier ;
    dcterms:title "{title}"@en ;
    dcterms:description "A supplier whose name tries to end the page's script element."@en ;
    dcterms:source <https://example.org/closing-tags> .
"""
    answer = client.post(
        "/organisations",
        data=body.encode(),
        content_type="text/turtle",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 201, answer.json
    response = client.get("/doc/organisations/closing-tags.html")
    page = response.data.decode()
    assert "<script>alert" not in page and "<!--" not in page
    own, found = scripts(page)
    assert found["name"] == title and own["title"] == title
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
