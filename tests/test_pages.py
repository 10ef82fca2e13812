"""The web pages: listings and facets from the index, search, organisation pages, escaping."""

from __future__ import annotations

import csv
import io
import re

import pytest

from registry.rdf.namespaces import VOCABULARY
from tests.conftest import BASE, close_app, make_app
from tests.test_cli import run
from tests.test_registration import exemplar, post


@pytest.fixture
def app(tmp_path_factory, starter_store_dir):
    app = make_app(tmp_path_factory, starter_store_dir, "pages")
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    return app.test_client()


def result_count(page: bytes) -> int:
    return int(re.search(r"<strong>(\d+)</strong> result", page.decode()).group(1))


def titles(page: bytes) -> list[str]:
    return re.findall(
        r'<h2 class="govuk-heading-s[^"]*"><a class="govuk-link" href="[^"]+">([^<]+)</a>',
        page.decode(),
    )


def test_two_facets_narrow_a_list_and_counts_follow(client):
    everything = result_count(client.get("/organisations").data)
    london = result_count(client.get("/organisations?region=london").data)
    london_boroughs = client.get("/organisations?region=london&council_type=LBO").data
    assert everything > london > result_count(london_boroughs) > 0
    assert all("London Borough" in t or "Royal Borough" in t for t in titles(london_boroughs))
    assert 'value="LBO" checked' in london_boroughs.decode()


def test_pages_sorting_and_alternates_agree(client):
    first, second = (
        client.get("/organisations?page=1").data,
        client.get("/organisations?page=2").data,
    )
    assert titles(first) and titles(second) and not set(titles(first)) & set(titles(second))
    assert titles(first) == sorted(titles(first), key=str.lower)
    reverse = titles(client.get("/organisations?sort=-title").data)
    assert reverse == sorted(reverse, key=str.lower, reverse=True)
    data = client.get("/standards.json?adoption=mandated").json
    assert data["total"] == 4 and {i["title"] for i in data["items"]} >= {
        "Unique Property Reference Number (UPRN)"
    }
    assert any(f["value"] == "mandated" for f in data["facets"]["adoption"])
    rows = list(
        csv.DictReader(io.StringIO(client.get("/standards.csv?adoption=mandated").data.decode()))
    )
    assert len(rows) == 4 and rows[0]["iri"].startswith(f"{BASE}/id/standards/")


def test_search_is_ranked_highlighted_and_faceted(client):
    page = client.get("/search?q=leeds+care+record").data.decode()
    found = titles(page.encode())
    assert found[0] in (
        "Leeds Care Record",
        "Information Sharing Agreement for the Leeds Care Record",
    )
    assert "<mark>" in page
    agreements = client.get("/search?q=care+record&register=agreements").data
    assert result_count(agreements) == 3
    assert (
        client.get("/search.json?q=uprn").json["items"][0]["title"]
        == "Unique Property Reference Number (UPRN)"
    )


@pytest.mark.parametrize(
    "query",
    ['"', "AND OR NOT", "care*", "NEAR(a b)", "title:x", "^", "'; DROP TABLE records; --", ""],
)
def test_search_never_fails_on_odd_input(client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200


def test_the_index_follows_writes_and_can_be_rebuilt(tmp_path_factory, starter_store_dir):
    from pathlib import Path

    app = make_app(tmp_path_factory, starter_store_dir, "reindex")
    client = app.test_client()
    store_dir = Path(app.config["LDR"]["LDR_STORE_DIR"])
    token = app.extensions["ldr.registry"].accounts.create_token(
        "ix", f"{BASE}/id/organisations/leeds-city-council", "publisher"
    )[1]
    assert "Damp and mould" not in client.get("/search?q=mould").data.decode()
    assert post(client, exemplar(), token).status_code == 201
    assert "Damp and mould reporting" in client.get("/search?q=mould").data.decode()
    assert "Damp and mould reporting" in client.get("/exemplars?status=submitted").data.decode()
    close_app(app)
    index_file = store_dir.with_name(store_dir.name + ".index.sqlite")
    index_file.unlink()
    rebuilt = run("reindex", store=store_dir)
    assert rebuilt.returncode == 0 and "Indexed 125 records" in rebuilt.stdout


def test_organisation_pages_show_what_it_leads_partners_in_and_is_party_to(client):
    page = client.get("/doc/organisations/leeds-city-council.html").data.decode()
    for group in ("Partner in", "Party to", "Data controller in"):
        assert group in page
    assert (
        "Family context for children&#39;s social care referrals" in page
        or "Family context" in page
    )
    assert 'href="/id/agreements/leeds-care-record"' in page
    southwark = client.get("/doc/organisations/london-borough-of-southwark.html").data.decode()
    assert "Leads" in southwark and "Back-office Planning System (BOPS)" in southwark


def test_hostile_data_is_shown_inert(app, client):
    token = app.extensions["ldr.registry"].accounts.create_token(
        "x", f"{BASE}/id/organisations/leeds-city-council", "steward"
    )[1]
    hostile = f"""@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ldr: <{VOCABULARY}ldr#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
<{BASE}/id/organisations/hostile> a ldr:Supplier ;
    dcterms:title "<script>alert('title')</script> Ltd"@en ;
    dcterms:description "Says <img src=x onerror=alert(1)> and \\"quotes\\""@en ;
    foaf:homepage <javascript:alert(document.cookie)> ;
    dcterms:alternative "Alt with a made-up tag"@x-onmouse-alert ;
    dcterms:source <https://example.org/hostile'onmouseover='alert(1)> .
"""
    assert post(client, hostile, token, register="organisations").status_code == 201
    for path in ("/doc/organisations/hostile.html", "/organisations", "/search?q=alert", "/"):
        page = client.get(path, headers={"Accept": "text/html"}).data.decode()
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert 'href="javascript:' not in page, path
        assert "'onmouseover='" not in page, path  # quotes in an IRI cannot end an attribute
    page = client.get("/doc/organisations/hostile.html").data.decode()
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt; Ltd" in page
    assert "javascript:alert(document.cookie)" in page  # shown as text, not as a link


def test_reports_with_charts_tables_and_downloads(client):
    page = client.get("/reports").data.decode()
    for name in (
        "exemplars-by-phase",
        "exemplars-by-service-area",
        "councils-by-type",
        "councils-by-region",
        "reuse",
        "standards-adoption",
        "agreements-due-for-review",
        "not-reviewed",
    ):
        assert f'id="{name}"' in page
        assert client.get(f"/reports/{name}.csv").mimetype == "text/csv"
    assert page.count('role="img"') >= 6 and "<title id=" in page
    phases = client.get("/reports/exemplars-by-phase.json").json
    assert dict(map(tuple, phases["rows"]))["Live"] == 4
    due = client.get("/reports/agreements-due-for-review.json").json["rows"]
    assert len(due) == 3 and {row[2] for row in due} == {"No review date given"}
    regions = dict(map(tuple, client.get("/reports/councils-by-region.json").json["rows"]))
    assert regions["London"] >= 7 and regions["Scotland"] == 0  # missing from the programme
    assert client.get("/reports/nothing.csv").status_code == 404


def test_the_not_reviewed_report_finds_old_records(app):
    import datetime

    from registry.views.reports import not_reviewed

    store, model = app.extensions["ldr.registry"].store, app.extensions["ldr.registry"].model
    later = datetime.date.today() + datetime.timedelta(days=400)
    rows = not_reviewed(store, model, today=later).rows
    assert len(rows) == 124
    assert not not_reviewed(store, model).rows


def test_standards_are_faceted_by_the_kind_of_product_they_apply_to(client):
    data = client.get("/standards.json?product_kind=web-api").json
    assert {i["title"] for i in data["items"]} == {"OAuth 2.0", "OpenAPI Specification 3"}
    assert any(
        f["value"] == "care-record-system"
        for f in client.get("/standards.json").json["facets"]["product_kind"]
    )


def test_facet_totals_kept_up_to_date_match_a_full_count(app, client):
    """Unfiltered facet counts come from totals kept as records are indexed; after records are
    added and changed they must equal a count made from scratch."""
    from registry.search.documents import FACETS
    from tests.test_registration import exemplar, post

    token = app.extensions["ldr.registry"].accounts.create_token(
        "t", f"{BASE}/id/organisations/leeds-city-council", "publisher"
    )[1]
    assert (
        post(client, exemplar(ref="totals-check", title="Totals check"), token).status_code == 201
    )
    etag = client.get("/doc/exemplars/totals-check.ttl").headers["ETag"]
    changed = exemplar(ref="totals-check", title="Totals check").replace(
        "service-area/housing", "service-area/planning"
    )
    assert (
        client.put(
            "/doc/exemplars/totals-check",
            data=changed,
            content_type="text/turtle",
            headers={"Authorization": f"Bearer {token}", "If-Match": etag},
        ).status_code
        == 200
    )
    index = app.extensions["ldr.registry"].index
    for register in (None, "exemplars", "organisations", "standards"):
        for facet in FACETS:
            where, params = ("r.register = ?", [register]) if register else ("1", [])
            full = index._db.execute(
                f"SELECT f.key, COUNT(DISTINCT r.iri) FROM records r JOIN facets f ON f.rid = r.rowid AND f.facet = ? "
                f"WHERE {where} GROUP BY f.key",
                [facet, *params],
            ).fetchall()
            assert {k: n for k, _, n in index._totals(register, facet, 0, [])} == dict(full), (
                register,
                facet,
            )


def test_a_listing_with_two_filters_follows_a_write_at_once(app, client):
    """The records two filters find are worked out once per change of the index and kept: a
    record written afterwards is listed, counted and faceted on the next page."""
    from tests.test_registration import exemplar, post

    southwark = "london-borough-of-southwark"
    path = f"/exemplars.json?service_area=housing&organisation={southwark}&per_page=100"
    before = client.get(path).json
    assert (
        before["total"] >= 1 and client.get(path).json == before
    )  # the same page again, from what was kept
    token = app.extensions["ldr.registry"].accounts.create_token(
        "t", f"{BASE}/id/organisations/{southwark}", "publisher"
    )[1]
    assert (
        post(
            client, exemplar(ref="kept-check", title="Kept check", org=southwark), token
        ).status_code
        == 201
    )
    after = client.get(path).json
    assert after["total"] == before["total"] + 1 == len(after["items"])
    assert f"{BASE}/id/exemplars/kept-check" in {i["iri"] for i in after["items"]}

    def statuses(page):
        return {f["value"]: f["count"] for f in page["facets"].get("status", [])}

    assert statuses(after) == {
        **statuses(before),
        "submitted": statuses(before).get("submitted", 0) + 1,
    }


@pytest.mark.parametrize(
    "register,filters,query",
    [
        ("organisations", {"region": ["london"], "council_type": ["LBO"]}, ""),
        ("exemplars", {"service_area": ["health-and-care-integration"]}, ""),
        (None, {"register": ["exemplars", "agreements"]}, "care"),
        ("standards", {"adoption": ["mandated", "endorsed"]}, "data"),
    ],
)
def test_filtered_facet_counts_equal_a_count_by_hand(app, register, filters, query):
    """Each facet counts the records that meet every other filter (and the search words)."""
    from registry.search.documents import FACETS

    index = app.extensions["ldr.registry"].index
    facets: dict[str, dict[str, set]] = {}
    for iri, facet, key in index._db.execute(
        "SELECT r.iri, f.facet, f.key FROM facets f JOIN records r ON r.rowid = f.rid"
    ):
        facets.setdefault(iri, {}).setdefault(facet, set()).add(key)
    registers = dict(index._db.execute("SELECT iri, register FROM records"))
    found = (
        {hit.iri for hit in index.listing(None, {}, query=query, per_page=100_000)[0]}
        if query
        else set(registers)
    )
    counts = index.facet_counts(register, filters, query)
    for facet in FACETS:
        expected: dict[str, int] = {}
        for iri in found:
            if register and registers[iri] != register:
                continue
            if filters.get("register") and registers[iri] not in filters["register"]:
                continue
            if any(
                f != facet and f in FACETS and not (facets.get(iri, {}).get(f, set()) & set(v))
                for f, v in filters.items()
            ):
                continue
            for key in facets.get(iri, {}).get(facet, ()):
                expected[key] = expected.get(key, 0) + 1
        assert {k: n for k, _, n in counts.get(facet, [])} == expected, (facet, filters)


def test_long_listings_page_by_page_in_every_format(client):
    """A long listing: a few page links, not one per page (a register of 100,000 records would
    list 5,000); JSON and CSV come a page at a time with links on, as the HTML does."""
    total = client.get("/search.json").json["total"]
    pages = -(-total // 20)
    assert pages > 6
    html = client.get("/search?page=4").data.decode()
    links = [int(n) for n in re.findall(r'aria-label="Page (\d+)"', html)]
    assert links == [1, 3, 4, 5, pages]
    assert html.count("govuk-pagination__item--ellipses") == 2
    first = client.get("/search.json?per_page=50")
    assert first.json["per_page"] == 50 and len(first.json["items"]) == 50
    second = client.get(first.json["next"])
    assert second.json["page"] == 2 and second.json["prev"].endswith("page=1")
    assert not {i["iri"] for i in first.json["items"]} & {i["iri"] for i in second.json["items"]}
    every = client.get(f"/search.csv?per_page={total}")
    assert (
        len(list(csv.DictReader(io.StringIO(every.data.decode())))) == total
        and "Link" not in every.headers
    )
    part = client.get("/search.csv?per_page=10&page=2")
    assert 'rel="next"' in part.headers["Link"] and 'rel="prev"' in part.headers["Link"]
    lots = client.get("/search.json?per_page=lots")  # not read as the default: told so (issue 24)
    assert lots.status_code == 400 and "per_page must be a whole number" in lots.json["detail"]
    # in a browser, a page in words with the way back to the same list without the bad number
    bad_page = client.get("/exemplars?phase=live&page=two", headers={"Accept": "text/html"})
    text = bad_page.data.decode()
    assert bad_page.status_code == 400 and bad_page.mimetype == "text/html"
    assert "Not a whole number" in text and "page must be a whole number, such as 1" in text
    assert 'href="/exemplars?phase=live"' in text
    for odd in (
        "page=99999999999999999999",
        "facet_limit=99999999999999999999",
        "per_page=99999999999999999999",
        "q=care&page=99999999999999999999",
        "page=-3",
    ):
        for path in ("/search", "/search.json", "/exemplars", "/exemplars.csv"):
            response = client.get(f"{path}?{odd}")
            assert response.status_code == 200, (path, odd)
    assert client.get("/search.json?page=99999999999999999999").json["items"] == []


def test_a_facet_shows_its_commonest_values_and_every_ticked_one(client):
    everything = client.get("/search.json?facet_limit=0").json
    organisations = everything["facets"]["organisation"]
    assert (
        len(organisations) > 20 and "facet_values" in everything and not everything["facet_values"]
    )
    capped = client.get("/search.json").json
    assert len(capped["facets"]["organisation"]) == 20 and capped["facet_values"][
        "organisation"
    ] == len(organisations)
    rarest = organisations[-1]["value"]
    html = client.get("/search").data.decode()
    assert html.count('name="organisation"') == 12 and f'value="{rarest}"' not in html
    ticked = client.get(f"/search?organisation={rarest}").data.decode()
    assert f'name="organisation" type="checkbox" value="{rarest}" checked' in ticked


def test_a_fact_the_sources_do_not_publish_is_shown_as_such(client):
    """BOPS's sources give no outcome: its page says so where the outcome would be."""
    page = client.get(
        "/id/exemplars/bops", headers={"Accept": "text/html"}, follow_redirects=True
    ).data.decode()
    at = page.index("Outcomes and benefits")
    assert "Not published by its source" in page[at : at + 400], page[at : at + 400]
    assert "not published by its sources" not in page  # no raw row for ldr:notPublished itself


def test_a_record_page_names_reused_properties_in_words(client):
    """An agreement's page said "hasApplicableLaw" and "relation", the properties' local names."""
    page = client.get(
        "/doc/agreements/leeds-care-record", headers={"Accept": "text/html"}
    ).data.decode()
    assert "Applicable law" in page and "Related records" in page
    assert ">hasApplicableLaw<" not in page and ">relation<" not in page


def test_the_header_links_every_register(client):
    """The menu was typed into the template and left out two registers (products and guides)."""
    from registry.rdf.namespaces import REGISTERS

    page = client.get("/", headers={"Accept": "text/html"}).data.decode()
    header = page[page.find("<header") : page.find("</header>")]
    for name in REGISTERS:
        assert f'href="/{name}"' in header, name
    assert 'href="/reports"' in header and 'href="/query"' in header
