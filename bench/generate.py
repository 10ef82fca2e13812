"""Registry-like data at any scale, for the benchmarks: organisations (councils and suppliers),
standards, platforms, exemplar projects, data-sharing agreements and products, with text that
reads like the real thing, every record valid against shapes/ — written as a registry dump
(N-Quads in the store's own layout: default graph, record graph, version 1, provenance, and
the vocabulary), ready for `ldr restore` and for `oxigraph load`.

    python bench/generate.py --triples 1000000 -o var/bench/registry-1m.nq

The data is made up (dcterms:source points at example.org) and reproducible from --seed.
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, XSD

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from registry.rdf.namespaces import REG  # noqa: E402
from registry.records.versions import Agent, version_provenance  # noqa: E402
from registry.store.layout import doc_iri, history_iri, state_graph, version_iri  # noqa: E402
from registry.vocab.model import load_model  # noqa: E402

DCAT = "http://www.w3.org/ns/dcat#"
DPV = "https://w3id.org/dpv#"
PLACES = [
    "Ash",
    "Brook",
    "Castle",
    "Dale",
    "East",
    "Fern",
    "Green",
    "Hill",
    "Kings",
    "Lang",
    "Marsh",
    "North",
    "Oak",
    "Park",
    "Queens",
    "Ridge",
    "Stone",
    "Thorn",
    "Upper",
    "Vale",
    "West",
    "Wood",
    "Church",
    "Mill",
]
ENDINGS = [
    "ford",
    "ton",
    "bury",
    "ham",
    "field",
    "wick",
    "ley",
    "worth",
    "minster",
    "stead",
    "bridge",
    "mouth",
]
COUNCIL_KINDS = [
    ("UA", "Council"),
    ("NMD", "District Council"),
    ("MD", "Metropolitan Borough Council"),
    ("LBO", "London Borough Council"),
    ("CTY", "County Council"),
]
REGIONS = [
    "north-east",
    "north-west",
    "yorkshire-and-the-humber",
    "east-midlands",
    "west-midlands",
    "east-of-england",
    "london",
    "south-east",
    "south-west",
]
SERVICES = {
    "housing": [
        "housing repairs",
        "damp and mould reports",
        "homelessness applications",
        "tenancy changes",
    ],
    "planning": [
        "planning applications",
        "local plan consultations",
        "building control",
        "land charges",
    ],
    "data-and-infrastructure": [
        "address gazetteers",
        "open data publishing",
        "records management",
        "bin collections",
    ],
    "revenues-and-payments": [
        "council tax accounts",
        "business rates",
        "benefit claims",
        "parking fines",
    ],
    "adult-social-care": [
        "care needs assessments",
        "carers' support",
        "direct payments",
        "home care visits",
    ],
    "childrens-services": [
        "school admissions",
        "early help referrals",
        "free school meals",
        "SEND plans",
    ],
    "community-services": [
        "library memberships",
        "community directories",
        "volunteering",
        "leisure bookings",
    ],
    "communications": ["council websites", "resident newsletters", "contact centres", "complaints"],
}
TOOLS = [
    "an online form",
    "a case management system",
    "a resident account",
    "an open data API",
    "a mobile app",
    "a shared record",
    "a booking system",
    "a chat service",
    "a data dashboard",
    "a text message service",
]
PROBLEMS = [
    "Residents had to phone during office hours and wait",
    "Officers re-keyed the same details into three systems",
    "Requests were lost between teams and nobody could see their progress",
    "Paper forms took weeks to process",
    "The council could not tell which cases were urgent",
    "Each service kept its own list of the same people",
]
OUTCOMES = [
    "Calls fell by a third in the first year",
    "Most requests are now made online",
    "Cases are closed in days rather than weeks",
    "Staff time was freed for complex cases",
    "Three neighbouring councils reuse it",
]
PHASES = ["discovery", "alpha", "beta", "live"]
ADOPTION = ["mandated", "adopted", "endorsed", "recommended", "under-review"]
KINDS = [
    "website-or-app",
    "web-api",
    "service-directory",
    "care-record-system",
    "planning-and-land-data",
    "document-tools",
    "open-data-publishing",
]
PURPOSES = [
    "Direct care of the person",
    "Preventing homelessness",
    "Supporting families with multiple needs",
    "Collecting council tax fairly",
    "Safeguarding children and adults at risk",
]
STATUSES = ["statusStable"] * 8 + ["statusExperimental", "statusSubmitted"]
#: What share of records each register gets (organisations first: everything refers to them).
MIX = [
    ("organisations", 0.10),
    ("standards", 0.02),
    ("platforms", 0.05),
    ("exemplars", 0.55),
    ("agreements", 0.18),
    ("products", 0.10),
]
QUADS_PER_RECORD = 52  # about: three copies of ~11 triples, and ~19 of provenance


class Generator:
    def __init__(self, base: str, seed: int):
        self.model = load_model(base)
        self.base, self.ldr = base, str(self.model.base.ldr)
        self.random = random.Random(seed)
        self.refs: dict[str, list[str]] = {register: [] for register, _ in MIX}
        self.councils: list[str] = []
        self.suppliers: list[str] = []

    def iri(self, register: str, ref: str) -> URIRef:
        return URIRef(f"{self.base}/id/{register}/{ref}")

    def concept(self, scheme: str, notation: str) -> URIRef:
        return URIRef(self.model.base.scheme_graph(f"{scheme}/{notation}"))

    def common(
        self, g: Graph, s: URIRef, kind: str, title: str, description: str, register: str, n: int
    ) -> None:
        ldr = self.ldr
        g.add((s, RDF.type, URIRef(kind if kind.startswith("http") else ldr + kind)))
        g.add((s, DCTERMS.title, Literal(title, lang="en")))
        g.add((s, DCTERMS.description, Literal(description, lang="en")))
        g.add((s, DCTERMS.source, URIRef(f"https://example.org/bench/{register}/{n}")))
        g.add((s, REG.status, URIRef(str(REG) + self.random.choice(STATUSES))))

    def organisation(self, n: int) -> tuple[URIRef, Graph]:
        r, g = self.random, Graph()
        place = r.choice(PLACES) + r.choice(ENDINGS)
        if n % 5 == 4:  # every fifth organisation is a supplier
            s = self.iri("organisations", f"{place.lower()}-digital-{n}")
            self.common(
                g,
                s,
                "Supplier",
                f"{place} Digital {n}",
                f"Software supplier based in {place}, "
                f"building {r.choice(TOOLS)[2:]}s for councils.",
                "organisations",
                n,
            )
            self.suppliers.append(str(s))
            return s, g
        code, kind = r.choice(COUNCIL_KINDS)
        s = self.iri("organisations", f"{place.lower()}-council-{n}")
        region = r.choice(REGIONS)
        self.common(
            g,
            s,
            "LocalAuthority",
            f"{place} {kind} {n}",
            f"{place} {kind}: a {kind.lower()} in {region.replace('-', ' ').title()}.",
            "organisations",
            n,
        )
        gss = f"E{r.choice(['06', '07', '08', '09', '10'])}{n:06d}"[:9]
        g.add((s, URIRef(self.ldr + "gssCode"), Literal(gss)))
        g.add((s, URIRef(self.ldr + "councilType"), self.concept("council-type", code)))
        g.add((s, URIRef(self.ldr + "region"), self.concept("region", region)))
        g.add((s, FOAF.homepage, URIRef(f"https://www.{place.lower()}{n}.example.gov.uk/")))
        self.councils.append(str(s))
        return s, g

    def standard(self, n: int) -> tuple[URIRef, Graph]:
        r, g = self.random, Graph()
        area = r.choice(list(SERVICES))
        s = self.iri("standards", f"standard-{n}")
        thing = r.choice(SERVICES[area])
        self.common(
            g,
            s,
            str(DCTERMS.Standard),
            f"Data standard for {thing} {n}",
            f"How councils describe and exchange data about {thing}, so that systems from different "
            f"suppliers can share it without re-keying.",
            "standards",
            n,
        )
        g.add((s, DCTERMS.publisher, URIRef(r.choice(self.councils))))
        g.add((s, URIRef(DCAT + "version"), Literal(f"{r.randint(1, 4)}.{r.randint(0, 9)}")))
        g.add((s, URIRef(self.ldr + "serviceArea"), self.concept("service-area", area)))
        g.add(
            (
                s,
                URIRef(self.ldr + "appliesToProductKind"),
                self.concept("product-kind", r.choice(KINDS)),
            )
        )
        return s, g

    def platform(self, n: int) -> tuple[URIRef, Graph]:
        r, g = self.random, Graph()
        area = r.choice(list(SERVICES))
        s = self.iri("platforms", f"platform-{n}")
        tool = r.choice(TOOLS)
        self.common(
            g,
            s,
            "Platform",
            f"Shared {tool[2:] if tool.startswith('a ') else tool[3:]} {n}",
            f"{tool[0].upper()}{tool[1:]} that councils share for {r.choice(SERVICES[area])}.",
            "platforms",
            n,
        )
        g.add((s, DCTERMS.publisher, URIRef(r.choice(self.councils))))
        g.add((s, URIRef(self.ldr + "phase"), self.concept("phase", r.choice(PHASES))))
        g.add((s, URIRef(self.ldr + "serviceArea"), self.concept("service-area", area)))
        for user in r.sample(self.councils, 3):
            g.add((s, URIRef(self.ldr + "usedBy"), URIRef(user)))
        return s, g

    def exemplar(self, n: int) -> tuple[URIRef, Graph]:
        r, g = self.random, Graph()
        area = r.choice(list(SERVICES))
        thing, tool = r.choice(SERVICES[area]), r.choice(TOOLS)
        s = self.iri("exemplars", f"exemplar-{n}")
        lead = r.choice(self.councils)
        self.common(
            g,
            s,
            "Exemplar",
            f"{thing.capitalize()} with {tool[2:] if tool.startswith('a ') else tool[3:]} {n}",
            f"The council replaced its old process for {thing} with {tool}, designed with residents "
            f"and the officers who use it every day. {r.choice(OUTCOMES)}.",
            "exemplars",
            n,
        )
        g.add(
            (
                s,
                URIRef(self.ldr + "problem"),
                Literal(f"{r.choice(PROBLEMS)} for {thing}.", lang="en"),
            )
        )
        g.add((s, URIRef(self.ldr + "leadOrganisation"), URIRef(lead)))
        g.add((s, URIRef(self.ldr + "partnerOrganisation"), URIRef(r.choice(self.councils))))
        g.add((s, URIRef(self.ldr + "serviceArea"), self.concept("service-area", area)))
        g.add((s, URIRef(self.ldr + "phase"), self.concept("phase", r.choice(PHASES))))
        g.add((s, URIRef(self.ldr + "outcome"), Literal(r.choice(OUTCOMES) + ".", lang="en")))
        if self.refs["platforms"] and r.random() < 0.5:
            g.add(
                (
                    s,
                    URIRef(self.ldr + "usesPlatform"),
                    self.iri("platforms", r.choice(self.refs["platforms"])),
                )
            )
        if self.refs["standards"] and r.random() < 0.5:
            g.add((s, DCTERMS.conformsTo, self.iri("standards", r.choice(self.refs["standards"]))))
        return s, g

    def agreement(self, n: int) -> tuple[URIRef, Graph]:
        r, g = self.random, Graph()
        s = self.iri("agreements", f"agreement-{n}")
        parties = r.sample(self.councils, 2)
        purpose = r.choice(PURPOSES)
        self.common(
            g,
            s,
            "DataSharingAgreement",
            f"{purpose} information sharing {n}",
            f"The agreement under which the parties share personal data for {purpose.lower()}, "
            f"reviewed every year.",
            "agreements",
            n,
        )
        for party in parties:
            g.add((s, URIRef(self.ldr + "party"), URIRef(party)))
            g.add((s, URIRef(DPV + "hasDataController"), URIRef(party)))
        g.add(
            (
                s,
                URIRef(self.ldr + "controllerArrangement"),
                self.concept("controller-arrangement", "joint-controllers"),
            )
        )
        g.add((s, URIRef(DPV + "hasPurpose"), Literal(purpose + ".", lang="en")))
        g.add(
            (s, URIRef(DPV + "hasLegalBasis"), URIRef("https://w3id.org/dpv/legal/eu/gdpr#A6-1-e"))
        )
        g.add((s, URIRef(self.ldr + "sharesSpecialCategoryData"), Literal(False)))
        start = datetime.date(2018, 1, 1) + datetime.timedelta(days=r.randint(0, 2500))
        g.add(
            (
                s,
                URIRef("https://schema.org/startDate"),
                Literal(start.isoformat(), datatype=XSD.date),
            )
        )
        g.add(
            (
                s,
                URIRef(self.ldr + "reviewDate"),
                Literal((start + datetime.timedelta(days=365)).isoformat(), datatype=XSD.date),
            )
        )
        return s, g

    def product(self, n: int) -> tuple[URIRef, Graph]:
        r, g = self.random, Graph()
        s = self.iri("products", f"product-{n}")
        kind = r.choice(KINDS)
        self.common(
            g,
            s,
            "Product",
            f"{r.choice(PLACES)}{r.choice(ENDINGS).capitalize()} {kind.replace('-', ' ')} {n}",
            f"A {kind.replace('-', ' ')} product sold to councils, hosted in the UK.",
            "products",
            n,
        )
        g.add((s, URIRef(self.ldr + "supplier"), URIRef(r.choice(self.suppliers))))
        g.add((s, URIRef(self.ldr + "productKind"), self.concept("product-kind", kind)))
        if self.refs["standards"]:
            g.add((s, DCTERMS.conformsTo, self.iri("standards", r.choice(self.refs["standards"]))))
        return s, g

    def submission(self, n: int, lead: str, tag: str) -> tuple[str, bytes]:
        """A new exemplar as a council officer would submit it (status submitted, led by `lead`),
        with the same kind of text as the generated ones, so that the similar-record check meets
        records like it. Its IRI ends in `tag`-`n`; `n` also goes into the title, so give numbers
        the generated records do not use if the titles should be new."""
        if not self.councils:
            self.councils.append(lead)
        made, graph = self.exemplar(n)
        iri, out = self.iri("exemplars", f"{tag}-{n}"), Graph()
        replace = {
            URIRef(self.ldr + "leadOrganisation"): URIRef(lead),
            REG.status: REG.statusSubmitted,
        }
        for p, o in graph.predicate_objects(made):
            out.add((iri, p, replace.get(p, o)))
        return str(iri), out.serialize(format="turtle").encode("utf-8")

    def records(self, count: int):
        """(iri, graph) for `count` records, organisations first."""
        makers = {
            "organisations": self.organisation,
            "standards": self.standard,
            "platforms": self.platform,
            "exemplars": self.exemplar,
            "agreements": self.agreement,
            "products": self.product,
        }
        for register, share in MIX:
            for n in range(max(5, int(count * share))):
                iri, graph = makers[register](n)
                self.refs[register].append(str(iri).rsplit("/", 1)[1])
                yield iri, graph


def _nt(term) -> str:
    """A term as N-Quads writes it: literals on one line, with escapes (rdflib's n3() would use
    Turtle's long strings for text with line breaks)."""
    if not isinstance(term, Literal):
        return term.n3()
    text = (
        str(term)
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
    )
    if term.language:
        return f'"{text}"@{term.language}'
    if term.datatype:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


def write_dump(out, generator: Generator, count: int) -> int:
    """The vocabulary and `count` records, each as a first version, in the store's layout."""
    model = generator.model
    written = 0

    def emit(graph: Graph, name: str | None) -> None:
        nonlocal written
        suffix = f" <{name}> .\n" if name else " .\n"
        out.write("".join(f"{s.n3()} {p.n3()} {_nt(o)}{suffix}" for s, p, o in graph))
        written += len(graph)

    for name, graph in model.ontology_files().items():
        if name != model.base.shapes_graph:
            emit(graph, None)
        emit(graph, name)
    agent = Agent("bench", None, "admin")
    stamp = Literal("2026-01-01T00:00:00.000Z", datatype=XSD.dateTime)
    for position, (iri, graph) in enumerate(generator.records(count)):
        emit(graph, None)
        emit(graph, doc_iri(model, str(iri)))
        emit(graph, version_iri(model, str(iri), 1))
        provenance = version_provenance(
            model,
            str(iri),
            1,
            graph,
            agent,
            stamp,
            URIRef(f"urn:uuid:00000000-0000-4000-8000-{position:012d}"),
            "Submission",
            "Generated for the benchmarks",
        )
        emit(provenance, history_iri(model, str(iri)))
    state = Graph()
    state.add(
        (
            URIRef(f"{model.base.iri}/catalogue"),
            URIRef(generator.ldr + "lastChange"),
            URIRef("urn:uuid:00000000-0000-4000-8000-ffffffffffff"),
        )
    )
    state.add((URIRef(f"{model.base.iri}/catalogue"), DCTERMS.modified, stamp))
    emit(state, state_graph(model))
    return written


def sample(generator_seed: int, base: str, count: int = 300) -> Graph:
    """A small sample of the generated records as one graph, to validate against the shapes."""
    graph = Graph()
    for _, record in Generator(base, generator_seed).records(count):
        graph += record
    return graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--triples", type=int, default=100_000, help="about how many quads to write"
    )
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    records = max(50, args.triples // QUADS_PER_RECORD)
    with args.output.open("w", encoding="utf-8") as out:
        written = write_dump(out, Generator(args.base, args.seed), records)
    print(f"{written:,} quads ({records:,} records) in {args.output}")


if __name__ == "__main__":
    main()
