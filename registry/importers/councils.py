"""Importing every current UK council from the mySociety/ONS local authorities CSV.

What the importer does about data it can tell is wrong (docs/councils.md says the same):
- A county council's region is checked against the regions of the district councils in its
  area (the `county-la` column). When every district agrees on a region the county does not
  have, the county takes their region and the import reports the correction. (The 2025-07
  file has two such errors: Derbyshire and Lincolnshire.)
- A row whose GSS code, council type or nation cannot be used is reported with its line number
  and the whole import is refused: nothing is written until the file is fixed.
- Rows that are not current authorities (`current-authority` is not True) are left out.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS, XSD

from registry.bulk.loader import Outcome, Progress, _quiet, submit_graph
from registry.rdf.namespaces import REG, vocabulary_iri
from registry.rdf.rdfio import InputError, read_limited
from registry.records.versions import current_record
from registry.store import Store
from registry.vocab.model import Model

SOURCE = URIRef("https://github.com/mysociety/uk_local_authority_names_and_codes")
REQUIRED = (
    "local-authority-code",
    "official-name",
    "nice-name",
    "gss-code",
    "nation",
    "region",
    "local-authority-type",
    "county-la",
    "combined-authority",
    "current-authority",
)
TYPES = {"CTY", "UA", "NMD", "MD", "LBO", "CC", "COMB", "SRA", "SCO", "WPA", "NID"}
REGIONS = {
    "North East": "north-east",
    "North West": "north-west",
    "Yorkshire and The Humber": "yorkshire-and-the-humber",
    "East Midlands": "east-midlands",
    "West Midlands": "west-midlands",
    "East of England": "east-of-england",
    "London": "london",
    "South East": "south-east",
    "South West": "south-west",
    "Scotland": "scotland",
    "Wales": "wales",
    "Northern Ireland": "northern-ireland",
}
NATION_PREFIX = {"England": "E", "Scotland": "S", "Wales": "W", "Northern Ireland": "N"}
GSS = re.compile(r"^[ENSW][0-9]{8}$")


def slug(name: str) -> str:
    """The reference of an organisation's IRI: its official name in lower case, hyphenated."""
    text = name.lower().replace("&", "and").replace("'", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


@dataclass
class CouncilImport:
    outcome: Outcome
    corrections: list[str] = field(default_factory=list)
    rows: int = 0
    councils: int = 0


def read_rows(path: Path, max_bytes: int) -> list[dict[str, str]]:
    data = read_limited(path, max_bytes)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("the file is not UTF-8 text", source=str(path)) from exc
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(
            f"this is not the mySociety local authorities CSV: it has no column(s) {', '.join(missing)}",
            source=str(path),
            line=1,
            hint="Use uk_local_authorities_current.csv from mysociety/uk_local_authority_names_and_codes.",
        )
    return list(reader)


def council_graph(
    rows: list[dict[str, str]], model: Model, source: str
) -> tuple[Graph, list[str], list[InputError]]:
    """The councils as RDF, the region corrections made, and rows that cannot be used."""
    base, ldr = model.base, model.base.ldr
    current = [(n, r) for n, r in enumerate(rows, 2) if r["current-authority"].strip() == "True"]
    by_code = {r["local-authority-code"]: r for _, r in current}
    iri = {
        code: URIRef(base.item("organisations", slug(r["official-name"])))
        for code, r in by_code.items()
    }
    errors: list[InputError] = []
    for line, r in current:
        problems = []
        if not GSS.match(r["gss-code"]):
            problems.append(f"GSS code {r['gss-code']!r} is not a letter and eight digits")
        elif NATION_PREFIX.get(r["nation"]) != r["gss-code"][0]:
            problems.append(f"GSS code {r['gss-code']} does not belong to nation {r['nation']!r}")
        if r["local-authority-type"] not in TYPES:
            problems.append(
                f"council type {r['local-authority-type']!r} is not one of {', '.join(sorted(TYPES))}"
            )
        if r["region"] not in REGIONS:
            problems.append(f"region {r['region']!r} is not an English region or a nation")
        for column in ("county-la", "combined-authority"):
            if r[column] and r[column] not in by_code:
                problems.append(f"{column} {r[column]!r} is not a current authority in the file")
        for problem in problems:
            errors.append(
                InputError(
                    f"{r['official-name']}: {problem}",
                    source=source,
                    line=line,
                    hint="Correct the row, or use the publisher's current file.",
                )
            )
    # A county's region should be the region of the districts in its area.
    region = {code: r["region"] for code, r in by_code.items()}
    corrections = []
    for code, r in by_code.items():
        if r["local-authority-type"] != "CTY":
            continue
        districts = Counter(d["region"] for d in by_code.values() if d["county-la"] == code)
        if len(districts) == 1:
            ((agreed, count),) = districts.items()
            if agreed != r["region"]:
                region[code] = agreed
                corrections.append(
                    f"{r['official-name']} ({r['gss-code']}): region corrected from "
                    f"{r['region']!r} to {agreed!r}, the region of all {count} district councils in its area"
                )
    graph = Graph()
    for code, r in by_code.items():
        s = iri[code]
        kind = r["local-authority-type"]
        graph.add((s, RDF.type, ldr.LocalAuthority))
        graph.add((s, DCTERMS.title, Literal(r["official-name"], lang="en")))
        if r["nice-name"] and r["nice-name"] != r["official-name"]:
            graph.add((s, SKOS.altLabel, Literal(r["nice-name"], lang="en")))
        graph.add((s, DCTERMS.identifier, Literal(code)))
        graph.add((s, ldr.localAuthorityCode, Literal(code)))
        graph.add((s, ldr.gssCode, Literal(r["gss-code"], datatype=XSD.string)))
        graph.add(
            (
                s,
                ldr.governsArea,
                URIRef(f"http://statistics.data.gov.uk/id/statistical-geography/{r['gss-code']}"),
            )
        )
        if kind in TYPES:
            graph.add((s, ldr.councilType, URIRef(vocabulary_iri(f"council-type/{kind}"))))
        if region[code] in REGIONS:
            graph.add((s, ldr.region, URIRef(vocabulary_iri(f"region/{REGIONS[region[code]]}"))))
        type_label = r.get("local-authority-type-name") or kind
        graph.add(
            (
                s,
                DCTERMS.description,
                Literal(
                    f"{r['official-name']}: {type_label.lower()} in {region[code]}.", lang="en"
                ),
            )
        )
        if r["county-la"] in iri:
            graph.add((s, ldr.county, iri[r["county-la"]]))
        if r["combined-authority"] in iri:
            graph.add((s, ORG.memberOf, iri[r["combined-authority"]]))
        graph.add((s, DCTERMS.source, SOURCE))
        graph.add((s, REG.status, REG.statusStable))
    return graph, corrections, errors


def import_councils(
    path: str | Path,
    model: Model,
    store: Store,
    max_bytes: int,
    *,
    dry_run: bool = False,
    progress: Progress = _quiet,
) -> CouncilImport:
    path = Path(path)
    progress(f"reading {path}")
    rows = read_rows(path, max_bytes)
    graph, corrections, errors = council_graph(rows, model, str(path))
    councils = len(set(graph.subjects()))
    if errors:
        from registry.records.findings import Report

        return CouncilImport(
            Outcome(report=Report(), input_errors=errors), corrections, len(rows), councils
        )
    # Keep what other sources already say about a council (its website, other sources): the
    # importer replaces only the properties it sets itself, and adds its source to the others.
    owned = set(graph.predicates()) - {DCTERMS.source, RDF.type}
    for subject in set(graph.subjects()):
        existing = current_record(store, model, str(subject))
        for s, p, o in existing:
            if s == subject and p in owned:
                continue
            graph.add((s, p, o))
    outcome = submit_graph(
        graph,
        model,
        store,
        dry_run=dry_run,
        progress=progress,
        note=f"Imported with `ldr import-councils` from {path.name}",
    )
    return CouncilImport(outcome, corrections, len(rows), councils)
