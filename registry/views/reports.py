"""Programme reports — the paper's "monitoring progress": what is being built, where, how
much it is reused, how far standards are adopted, and what needs attention."""

from __future__ import annotations

import datetime
import textwrap
from dataclasses import dataclass, field

from rdflib.namespace import SKOS

from registry.store import Store
from registry.store.layout import last_changed
from registry.vocab.model import Model

PREFIXES = """PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX reg: <http://purl.org/linked-data/registry#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


@dataclass
class ProgrammeReport:
    name: str
    title: str
    description: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    chart: int | None = None  # the column of counts to draw as bars (the first column names them)


def _rows(store: Store, query: str, names: list[str]) -> list[list]:
    return [[(str(r[n]) if n in r else "") for n in names] for r in store.select(PREFIXES + query)]


def _by_concept(store: Store, model: Model, query: str, missing: str = "Not stated") -> list[list]:
    """[name, count] for each ?concept the query counts (its ?n), the concept named in the
    language wanted most (Model.text) or `missing` where unbound: most first, then by name."""
    counts: dict[str, int] = {}
    for row in store.select(PREFIXES + query):
        concept = row.get("concept")
        name = missing if concept is None else model.text(concept, SKOS.prefLabel) or str(concept)
        counts[name] = counts.get(name, 0) + int(str(row.get("n") or 0))
    return sorted(([name, n] for name, n in counts.items()), key=lambda row: (-row[1], row[0]))


def _counts(rows: list[list], column: int) -> list[list]:
    for row in rows:
        row[column] = int(row[column] or 0)
    return rows


def exemplars_by_phase(store: Store, model: Model) -> ProgrammeReport:
    ldr = model.base.ldr
    rows = _by_concept(
        store,
        model,
        f"""SELECT ?concept (COUNT(DISTINCT ?e) AS ?n) WHERE {{
        ?e a <{ldr}Exemplar> . OPTIONAL {{ ?e <{ldr}phase> ?concept }} }} GROUP BY ?concept""",
    )
    return ProgrammeReport(
        "exemplars-by-phase",
        "Exemplars by phase",
        "How far exemplar projects have come.",
        ["Phase", "Exemplars"],
        rows,
        chart=1,
    )


def exemplars_by_service_area(store: Store, model: Model) -> ProgrammeReport:
    ldr = model.base.ldr
    rows = _by_concept(
        store,
        model,
        f"""SELECT ?concept (COUNT(DISTINCT ?e) AS ?n) WHERE {{
        ?e a <{ldr}Exemplar> ; <{ldr}serviceArea> ?concept }} GROUP BY ?concept""",
    )
    return ProgrammeReport(
        "exemplars-by-service-area",
        "Exemplars by service area",
        "Which council services exemplars serve.",
        ["Service area", "Exemplars"],
        rows,
        chart=1,
    )


def _taking_part(
    store: Store, model: Model, prop: str, scheme: str, title: str, name: str
) -> ProgrammeReport:
    ldr = model.base.ldr
    involvement = "|".join(
        f"<{p}>"
        for p in (
            ldr.leadOrganisation,
            ldr.partnerOrganisation,
            ldr.reusedBy,
            ldr.usedBy,
            ldr.party,
            "http://purl.org/dc/terms/publisher",
        )
    )
    rows = _by_concept(
        store,
        model,
        f"""SELECT ?concept (COUNT(DISTINCT ?c) AS ?n) WHERE {{
        ?concept skos:inScheme <{model.base.scheme_graph(scheme)}> .
        OPTIONAL {{ ?c <{prop}> ?concept ; a <{ldr}LocalAuthority> . FILTER EXISTS {{ ?r {involvement} ?c }} }}
        }} GROUP BY ?concept""",
    )
    return ProgrammeReport(
        name,
        title,
        "Councils that lead, partner in, reuse or use an asset, or are party to an agreement. "
        "Rows with 0 are missing from the programme.",
        [title.split(" by ")[-1].capitalize(), "Councils taking part"],
        rows,
        chart=1,
    )


def councils_by_type(store: Store, model: Model) -> ProgrammeReport:
    return _taking_part(
        store,
        model,
        str(model.base.ldr.councilType),
        "council-type",
        "Councils taking part by council type",
        "councils-by-type",
    )


def councils_by_region(store: Store, model: Model) -> ProgrammeReport:
    return _taking_part(
        store,
        model,
        str(model.base.ldr.region),
        "region",
        "Councils taking part by region",
        "councils-by-region",
    )


def reuse(store: Store, model: Model) -> ProgrammeReport:
    ldr = model.base.ldr
    rows = _rows(
        store,
        f"""SELECT ?title ?kind (COUNT(DISTINCT ?c) AS ?n) WHERE {{
        {{ ?a a <{ldr}Exemplar> BIND("Exemplar" AS ?kind) OPTIONAL {{ ?a <{ldr}reusedBy> ?c . ?c a <{ldr}LocalAuthority> }} }}
        UNION
        {{ ?a a <{ldr}Platform> BIND("Platform" AS ?kind)
           OPTIONAL {{ {{ ?a <{ldr}usedBy> ?c }} UNION {{ ?e <{ldr}usesPlatform> ?a ; <{ldr}leadOrganisation>|<{ldr}partnerOrganisation>|<{ldr}reusedBy> ?c }}
                      ?c a <{ldr}LocalAuthority> }} }}
        ?a dcterms:title ?title }} GROUP BY ?title ?kind ORDER BY DESC(?n) ?title""",
        ["title", "kind", "n"],
    )
    return ProgrammeReport(
        "reuse",
        "Reuse of exemplars and platforms",
        "How many councils reuse each exemplar or use each platform.",
        ["Asset", "Kind", "Councils"],
        _counts(rows, 2),
        chart=2,
    )


def standards_adoption(store: Store, model: Model) -> ProgrammeReport:
    rows = _rows(
        store,
        """SELECT ?title (COUNT(DISTINCT ?a) AS ?n) WHERE {
        ?s a dcterms:Standard ; dcterms:title ?title . OPTIONAL { ?a dcterms:conformsTo ?s }
        } GROUP BY ?title ORDER BY DESC(?n) ?title""",
        ["title", "n"],
    )
    return ProgrammeReport(
        "standards-adoption",
        "Standards adoption",
        "How many registered platforms, exemplars and products conform to each standard.",
        ["Standard", "Conforming assets and products"],
        _counts(rows, 1),
        chart=1,
    )


def agreements_due(
    store: Store, model: Model, today: datetime.date | None = None
) -> ProgrammeReport:
    today = today or datetime.date.today()
    soon = today + datetime.timedelta(days=90)
    ldr = model.base.ldr
    rows = _rows(
        store,
        f"""SELECT ?title ?review ?state WHERE {{
        ?a a <{ldr}DataSharingAgreement> ; dcterms:title ?title . OPTIONAL {{ ?a <{ldr}reviewDate> ?review }}
        BIND(IF(!BOUND(?review), "No review date given",
             IF(?review < "{today}"^^xsd:date, "Past its review date",
             IF(?review <= "{soon}"^^xsd:date, "Review due within 90 days", ""))) AS ?state)
        FILTER(?state != "") }} ORDER BY ?review ?title""",
        ["title", "review", "state"],
    )
    return ProgrammeReport(
        "agreements-due-for-review",
        "Agreements due for review",
        f"Agreements past their review date, due within 90 days (by {soon}), or giving no review date.",
        ["Agreement", "Next review", "State"],
        rows,
    )


def not_reviewed(store: Store, model: Model, today: datetime.date | None = None) -> ProgrammeReport:
    today = today or datetime.date.today()
    cutoff = datetime.datetime.combine(
        today - datetime.timedelta(days=365), datetime.time(), datetime.UTC
    )
    rows = _rows(
        store,
        f"""SELECT ?title ?changed WHERE {{
        {last_changed("?r", "?changed")}
        FILTER(?changed < "{cutoff.isoformat()}"^^xsd:dateTime)
        ?r dcterms:title ?title }} ORDER BY ?changed ?title""",
        ["title", "changed"],
    )
    return ProgrammeReport(
        "not-reviewed",
        "Records not reviewed for 12 months",
        f"Records whose description has not changed since {cutoff.date()}.",
        ["Record", "Last changed"],
        rows,
    )


#: report name (its address under /reports/) -> the function that makes it
REPORTS = {
    "exemplars-by-phase": exemplars_by_phase,
    "exemplars-by-service-area": exemplars_by_service_area,
    "councils-by-type": councils_by_type,
    "councils-by-region": councils_by_region,
    "reuse": reuse,
    "standards-adoption": standards_adoption,
    "agreements-due-for-review": agreements_due,
    "not-reviewed": not_reviewed,
}


def all_reports(store: Store, model: Model) -> list[ProgrammeReport]:
    return [make(store, model) for make in REPORTS.values()]


#: Characters on one line of a chart's label. Thirty characters of a name in 14px Arial take
#: about 210 of the chart's 300 units (drawn at full size on a 320 px screen), with room for
#: capitals: a long name goes on to a further line rather than off the chart's edge.
LABEL_LINE = 30


def bar_chart(report: ProgrammeReport, width: int = 300) -> dict:
    """The geometry of an accessible horizontal bar chart (drawn as SVG by the page). Each label
    is written in full above its bar, over as many lines as it needs, rather than squeezed
    into a column beside it where a long name would run off the chart's edge."""
    if report.chart is None or not report.rows:
        return {}
    top = max(row[report.chart] for row in report.rows) or 1
    bar_height, gap, line_height = 22, 12, 18
    bars, y = [], 0
    for row in report.rows:
        lines = textwrap.wrap(str(row[0]), LABEL_LINE) or [""]
        bar_y = y + len(lines) * line_height + 4
        bars.append(
            {
                "label": str(row[0]),
                "lines": lines,
                "value": row[report.chart],
                "label_y": y + 14,
                "y": bar_y,
                "width": round((width - 50) * row[report.chart] / top),
            }
        )
        y = bar_y + bar_height + gap
    # labels start a little in from the edge: a letter such as Y reaches left of where it is
    # drawn in some typefaces (DejaVu Sans, where Arial is not installed), and would be cut
    return {
        "bars": bars,
        "height": y,
        "width": width,
        "bar_height": bar_height,
        "line_height": line_height,
        "label_x": 2,
    }
