"""The registry's records in others' formats ("out as well as in", docs/exports.md): its reusable
assets as an ADMS-AP asset repository, a software record as publiccode.yml, and any record as
schema.org JSON-LD for search engines. Each is read from what the record holds: a fact the
record does not have is left out (and, in publiccode.yml, said), never made up."""

from __future__ import annotations

import re
from collections.abc import Iterable

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, RDF, RDFS, SKOS, XSD

from registry.rdf.identifiers import sparql_iris
from registry.rdf.namespaces import ADMS, REG, SCHEMA, VCARD
from registry.records.naming import names_and_types
from registry.store import Store
from registry.vocab.model import Model, preferred

from .presentation import title_of

# --- ADMS-AP ------------------------------------------------------------------------------------

#: The registers whose records are reusable assets (ldr:Exemplar, ldr:Platform, ldr:Product and
#: ldr:Software are adms:Asset subclasses in the ontology; a standard is the asset ADMS was
#: first made for). Agreements, guides, APIs, organisations and harvest sources are not assets.
ADMS_REGISTERS = ("exemplars", "platforms", "products", "software", "standards")
#: Only accepted records are exported: not one waiting for review, found invalid or withdrawn
#: from its harvest source.
EXPORTED_STATUSES = (
    REG.statusExperimental,
    REG.statusStable,
    REG.statusSuperseded,
    REG.statusRetired,
)
ADMS_STATUS = "http://purl.org/adms/status/"
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace predates it
#: ADMS's status list (purl.org/adms/status/1.0) and its labels, for the concepts the
#: registry's own statuses are mapped to (skos:closeMatch in ontology/schemes.ttl)
ADMS_STATUS_LABELS = {
    "Completed": "Completed",
    "Deprecated": "Deprecated",
    "UnderDevelopment": "Under development",
    "Withdrawn": "Withdrawn",
}
ADMS_PUBLISHER_TYPE = URIRef("http://purl.org/adms/publishertype/LocalAuthority")
ADMS_PUBLISHER_TYPES = URIRef("http://purl.org/adms/publishertype/1.0")

#: The ADMS-AP page's row headings for the terms the registry's vocabulary does not label
ADMS_TERM_LABELS = {
    DCAT.dataset: "Assets",
    DCAT.themeTaxonomy: "Themes from",
    DCTERMS.publisher: "Publisher",
    DCTERMS.description: "Description",
    FOAF.homepage: "Home page",
}


def adms_repository_iri(model: Model) -> URIRef:
    return URIRef(f"{model.base.iri}/catalogue/adms")


def describe_asset_repository(model: Model, store: Store) -> Graph:
    """The registry's accepted exemplars, platforms, products, software and standards as ADMS-AP
    2.01 assets (adms:Asset, and dcat:Dataset as ADMS-AP 2 types them) in one adms:AssetRepository
    (and dcat:Catalog), with what ADMS-AP asks of each: title, description, publisher (a
    foaf:Agent with a name), contact points (vcard:Kind) where the record gives them, and each
    page, theme, status and type typed as ADMS-AP and DCAT-AP 3 range them."""
    base = model.base.iri
    ldr = model.base.ldr
    classes = [model.register_class[r] for r in ADMS_REGISTERS if r in model.register_class]
    records = store.construct(
        "CONSTRUCT { ?s ?p ?o . ?o ?q ?v } WHERE { "
        f"VALUES ?class {{ {sparql_iris(classes)} }} "
        f"VALUES ?status {{ {sparql_iris(EXPORTED_STATUSES)} }} "
        f"?s a ?class ; <{REG.status}> ?status ; ?p ?o . "
        f'FILTER(STRSTARTS(STR(?s), "{base}/id/")) '
        "OPTIONAL { ?o ?q ?v FILTER(isBlank(?o)) } }"
    )
    assets = sorted(
        {s for c in classes for s in records.subjects(RDF.type, c) if isinstance(s, URIRef)},
        key=str,
    )
    g = Graph()
    repository = adms_repository_iri(model)
    publisher = URIRef(f"{base}/catalogue#publisher")
    g.add((repository, RDF.type, ADMS.AssetRepository))
    g.add((repository, RDF.type, DCAT.Catalog))
    g.add(
        (repository, DCTERMS.title, Literal("Local Digital Registry: reusable assets", lang="en"))
    )
    g.add(
        (
            repository,
            DCTERMS.description,
            Literal(
                "The exemplar projects, shared platforms, suppliers' products, open-source "
                "software and open standards registered in the Local Digital Registry, as "
                "ADMS-AP assets.",
                lang="en",
            ),
        )
    )
    g.add((repository, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Agent))
    g.add((publisher, FOAF.name, Literal("Local Digital Registry", lang="en")))
    g.add((repository, FOAF.homepage, URIRef(f"{base}/")))
    g.add((URIRef(f"{base}/"), RDF.type, FOAF.Document))

    organisations: set[URIRef] = set()
    concepts: set[URIRef] = set()
    close = _adms_statuses(model)
    for asset in assets:
        g.add((repository, DCAT.dataset, asset))
        g.add((asset, RDF.type, ADMS.Asset))
        g.add((asset, RDF.type, DCAT.Dataset))
        for kind in records.objects(asset, RDF.type):
            g.add((asset, RDF.type, kind))
        for p in (DCTERMS.title, DCTERMS.description):
            for value in records.objects(asset, p):
                g.add((asset, p, value))
        for p in (DCTERMS.publisher, ldr.supplier, ldr.leadOrganisation):
            for org in records.objects(asset, p):
                if isinstance(org, URIRef):
                    g.add((asset, DCTERMS.publisher, org))
                    organisations.add(org)
        for contact in records.objects(asset, DCAT.contactPoint):
            g.add((asset, DCAT.contactPoint, contact))
            g.add((contact, RDF.type, VCARD.Kind))
            for p in (VCARD.fn, VCARD.hasEmail):
                for value in records.objects(contact, p):
                    g.add((contact, p, value))
        # one landing page (ADMS-AP's 0..1), the rest and the record's sources as its pages
        landing = sorted(records.objects(asset, DCAT.landingPage), key=str)
        pages = landing[1:] + sorted(
            set(records.objects(asset, DCTERMS.source))
            | set(records.objects(asset, ldr.specification)),
            key=str,
        )
        for link, values in ((DCAT.landingPage, landing[:1]), (FOAF.page, pages)):
            for page in values:
                if isinstance(page, URIRef):
                    g.add((asset, link, page))
                    g.add((page, RDF.type, FOAF.Document))
        for p, target in ((ldr.serviceArea, DCAT.theme), (ldr.productKind, DCTERMS.type)):
            for concept in records.objects(asset, p):
                if isinstance(concept, URIRef):
                    g.add((asset, target, concept))
                    concepts.add(concept)
        statuses = sorted(
            {
                close[s]
                for s in records.objects(asset, ADMS.status)
                if isinstance(s, URIRef) and s in close
            },
            key=str,
        )
        if len(statuses) == 1:  # ADMS-AP allows one status
            g.add((asset, ADMS.status, statuses[0]))
        for p in (SCHEMA.softwareVersion, DCAT_VERSION):
            for value in records.objects(asset, p):
                g.add((asset, OWL.versionInfo, Literal(str(value))))
        for value in records.objects(asset, SCHEMA.applicationCategory):
            g.add((asset, DCAT.keyword, Literal(str(value))))
        for standard in records.objects(asset, DCTERMS.conformsTo):
            g.add((asset, DCTERMS.conformsTo, standard))
            g.add((standard, RDF.type, DCTERMS.Standard))
        for p in (DCTERMS.license, SCHEMA.codeRepository, DCTERMS.isReplacedBy):
            for value in records.objects(asset, p):
                g.add((asset, p, value))

    known = names_and_types(store, organisations)
    for org in organisations:
        g.add((org, RDF.type, FOAF.Agent))
        name = preferred(known.objects(org, DCTERMS.title), model.languages)
        if name is not None:
            g.add((org, FOAF.name, name))
        if (org, RDF.type, ldr.LocalAuthority) in known:
            g.add((org, DCTERMS.type, ADMS_PUBLISHER_TYPE))
            g.add((ADMS_PUBLISHER_TYPE, RDF.type, SKOS.Concept))
            g.add((ADMS_PUBLISHER_TYPE, SKOS.prefLabel, Literal("Local Authority", lang="en")))
            g.add((ADMS_PUBLISHER_TYPE, SKOS.inScheme, ADMS_PUBLISHER_TYPES))
            _scheme(g, ADMS_PUBLISHER_TYPES, [Literal("Publisher Type", lang="en")])
    for status in set(g.objects(None, ADMS.status)):
        name = str(status)[len(ADMS_STATUS) :]
        g.add((status, RDF.type, SKOS.Concept))
        g.add((status, SKOS.prefLabel, Literal(ADMS_STATUS_LABELS[name], lang="en")))
        g.add((status, SKOS.inScheme, URIRef(ADMS_STATUS + "1.0")))
        _scheme(g, URIRef(ADMS_STATUS + "1.0"), [Literal("Status", lang="en")])
    for concept in concepts:
        g.add((concept, RDF.type, SKOS.Concept))
        for label in model.ontology.objects(concept, SKOS.prefLabel):
            g.add((concept, SKOS.prefLabel, label))
        for scheme in model.ontology.objects(concept, SKOS.inScheme):
            g.add((concept, SKOS.inScheme, scheme))
            _scheme(g, scheme, model.ontology.objects(scheme, SKOS.prefLabel))
            if (None, DCAT.theme, concept) in g:
                g.add((repository, DCAT.themeTaxonomy, scheme))
    return g


def _adms_statuses(model: Model) -> dict[URIRef, URIRef]:
    """Each of the registry's statuses whose skos:closeMatch (ontology/schemes.ttl) is one ADMS
    status -> that status. One that matches none (software's "concept") is left out."""
    found: dict[URIRef, URIRef] = {}
    for concept, match in model.ontology.subject_objects(SKOS.closeMatch):
        name = str(match)[len(ADMS_STATUS) :]
        if isinstance(concept, URIRef) and str(match).startswith(ADMS_STATUS):
            if name in ADMS_STATUS_LABELS:
                found[concept] = URIRef(str(match))
    return found


def _scheme(g: Graph, scheme, labels: Iterable) -> None:
    """A concept scheme, titled as DCAT-AP asks (dct:title) and labelled as ADMS-AP does."""
    g.add((scheme, RDF.type, SKOS.ConceptScheme))
    for label in labels:
        g.add((scheme, DCTERMS.title, label))
        g.add((scheme, RDFS.label, label))


# --- publiccode.yml -----------------------------------------------------------------------------

PUBLICCODE_VERSION = "0.4"
SPDX_LICENCE = re.compile(r"^https?://spdx\.org/licenses/([A-Za-z0-9.+-]+?)(?:\.html)?$")
#: The keys publiccode.yml 0.4 requires that the registry does not keep (docs/harvest-publiccode.md
#: says why each is dropped when harvested): always missing from an export
NEVER_KEPT = {
    "platforms": "the registry keeps no platforms (how users reach the software)",
    "softwareType": "the registry keeps no software type",
    "localisation/localisationReady": "the registry keeps no localisation",
    "localisation/availableLanguages": "the registry keeps no localisation",
}
#: the notes registry/harvest/kinds/publiccode.py adds after a dependency, and its constraints
_DEPENDENCY_NOTES = ("proprietary", "hardware", "optional")
_CONSTRAINT = re.compile(r"^(>=|<=) (\S.*)$")
_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s+(?=[A-Z0-9\"'(])|$)", re.S)


def publiccode_yml(graph: Graph, iri: URIRef, model: Model) -> str:
    """The software record as a publiccode.yml file (version 0.4 of the standard): every key
    its facts fill, the reverse of registry/harvest/kinds/publiccode.py's mapping. A key the
    standard requires that the record cannot fill is not invented: a comment at the top says
    which, and why."""
    missing: dict[str, str] = {}
    doc: dict = {"publiccodeYmlVersion": PUBLICCODE_VERSION}
    title = title_of(graph, iri, model.languages)
    if title:
        doc["name"] = title
    else:
        missing["name"] = "the record has no title"
    _first_text(graph, iri, SCHEMA.applicationSuite, doc, "applicationSuite")
    repository = sorted(str(r) for r in graph.objects(iri, SCHEMA.codeRepository))
    if repository:
        doc["url"] = repository[0]
    else:
        missing["url"] = "the record gives no code repository"
    landing = sorted(str(p) for p in graph.objects(iri, DCAT.landingPage))
    if landing:
        doc["landingURL"] = landing[0]
    based_on = sorted(str(b) for b in graph.objects(iri, SCHEMA.isBasedOn))
    if based_on:
        doc["isBasedOn"] = based_on[0] if len(based_on) == 1 else based_on
    _first_text(graph, iri, SCHEMA.softwareVersion, doc, "softwareVersion")
    released = [d for d in graph.objects(iri, DCTERMS.modified) if _is_date(d)]
    if released:
        doc["releaseDate"] = str(max(released, key=str))
    categories = sorted(str(c) for c in graph.objects(iri, SCHEMA.applicationCategory))
    if categories:
        doc["categories"] = categories
    else:
        missing["categories"] = "the record gives no category"
    users = sorted(
        name
        for user in graph.objects(iri, model.base.ldr.usedBy)
        if (name := title_of(graph, user, model.languages))
    )
    if users:
        doc["usedBy"] = users
    status = _notation(graph, iri, ADMS.status, model, "software-status")
    if status:
        doc["developmentStatus"] = status
    else:
        missing["developmentStatus"] = "the record gives no development status"
    doc["description"] = _descriptions(graph, iri, missing)
    if not doc["description"]:
        del doc["description"]
    licence = _licence(graph, iri, missing)
    if licence:
        doc["legal"] = {"license": licence}
    doc["maintenance"] = _maintenance(graph, iri, model, missing)
    if not doc["maintenance"]:
        del doc["maintenance"]
    depends = _depends_on(graph, iri)
    if depends:
        doc["dependsOn"] = depends
    missing.update(NEVER_KEPT)
    return _header(iri, missing) + yaml.safe_dump(
        doc, sort_keys=False, allow_unicode=True, width=100
    )


def _header(iri: URIRef, missing: dict[str, str]) -> str:
    lines = [
        f"# publiccode.yml (version {PUBLICCODE_VERSION} of the standard) written by the Local "
        "Digital Registry from its",
        f"# record {iri}",
        "# with only what the record holds.",
    ]
    if missing:
        lines.append(
            "# Keys the standard requires that the record cannot fill, left out rather than made up"
        )
        lines.append("# (add them before publishing this file):")
        lines += [f"#   - {key}: {_one_line(why)}" for key, why in missing.items()]
    return "\n".join(lines) + "\n"


def _one_line(text: str) -> str:
    return " ".join(re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", text).split())


def _first_text(graph: Graph, iri, predicate, doc: dict, key: str) -> None:
    values = sorted(str(v) for v in graph.objects(iri, predicate) if isinstance(v, Literal))
    if values:
        doc[key] = values[0]


def _is_date(value) -> bool:
    return isinstance(value, Literal) and value.datatype == XSD.date


def _notation(graph: Graph, iri, predicate, model: Model, scheme: str) -> str | None:
    """The code (skos:notation) of the record's concept from one of the registry's schemes."""
    wanted = URIRef(model.base.scheme_graph(scheme))
    for concept in sorted(graph.objects(iri, predicate), key=str):
        if (concept, SKOS.inScheme, wanted) in model.ontology:
            notation = model.ontology.value(concept, SKOS.notation)
            if notation is not None:
                return str(notation)
    return None


def _descriptions(graph: Graph, iri, missing: dict[str, str]) -> dict:
    """description/[lang]: the record keeps one description per language (the file's
    longDescription, else its shortDescription) and the features in the language it chose."""
    sections: dict[str, dict] = {}
    for text in sorted(graph.objects(iri, DCTERMS.description), key=str):
        if not isinstance(text, Literal):
            continue
        tag = text.language or "en"
        value = str(text).strip()
        entry: dict = {}
        first = _SENTENCE.match(value)
        short = value if len(value) <= 150 else first.group(1) if first else None
        if short is not None and len(short) <= 150 and "\n" not in short:
            entry["shortDescription"] = short
        else:
            missing[f"description/{tag}/shortDescription"] = (
                "the record's description is longer than 150 characters and its first "
                "sentence is too"
            )
        if len(value) >= 150:
            entry["longDescription"] = value
        features = sorted(
            str(f)
            for f in graph.objects(iri, SCHEMA.featureList)
            if isinstance(f, Literal) and (f.language or "en") == tag
        )
        if features:
            entry["features"] = features
        sections[tag] = entry
    if not sections:
        missing["description"] = "the record has no description"
    elif not any("longDescription" in e for e in sections.values()):
        tag = next(iter(sections))
        missing[f"description/{tag}/longDescription"] = (
            "the record's description is shorter than the 150 characters the standard asks for"
        )
    if sections and not any("features" in e for e in sections.values()):
        missing[f"description/{next(iter(sections))}/features"] = "the record lists no features"
    return sections


def _licence(graph: Graph, iri, missing: dict[str, str]) -> str | None:
    """The SPDX identifier of the record's one licence. Several are not joined: the record does
    not say whether they apply together (AND) or as alternatives (OR)."""
    licences = sorted(str(lic) for lic in graph.objects(iri, DCTERMS.license))
    ids = [m.group(1) for lic in licences if (m := SPDX_LICENCE.match(lic))]
    if len(licences) == 1 and len(ids) == 1:
        return ids[0]
    if not licences:
        missing["legal/license"] = "the record gives no licence"
    elif len(ids) < len(licences):
        missing["legal/license"] = "the record's licence is not on the SPDX list: " + ", ".join(
            licences
        )
    else:
        missing["legal/license"] = (
            f"the record has several licences ({', '.join(ids)}) but not whether they apply "
            "together (AND) or as alternatives (OR): write the SPDX expression"
        )
    return None


def _maintenance(graph: Graph, iri, model: Model, missing: dict[str, str]) -> dict:
    section: dict = {}
    kind = _notation(graph, iri, model.base.ldr.maintenanceType, model, "maintenance-type")
    if kind is None:
        missing["maintenance/type"] = "the record does not say how the software is maintained"
    else:
        section["type"] = kind
    contacts = []
    for contact in graph.objects(iri, DCAT.contactPoint):
        name = preferred(graph.objects(contact, VCARD.fn))
        if name is None:  # publiccode.yml's contacts need a name; the registry's need not
            continue
        item = {"name": str(name)}
        email = next(
            (str(e) for e in sorted(graph.objects(contact, VCARD.hasEmail), key=str)), None
        )
        if email and email.startswith("mailto:"):
            item["email"] = email[len("mailto:") :]
        contacts.append(item)
    if contacts:
        section["contacts"] = sorted(contacts, key=lambda c: (c["name"], c.get("email", "")))
    elif kind in ("internal", "community"):
        missing["maintenance/contacts"] = "the record names no contact"
    if kind == "contract":
        missing["maintenance/contractors"] = "the registry keeps no contractors"
    return section


def _depends_on(graph: Graph, iri) -> dict:
    """dependsOn/open, /proprietary and /hardware from the record's requirements, as the harvest
    wrote them ("PostgreSQL >= 11 (optional)"): each split back into name, versionMin,
    versionMax and optional where that gives the same text again, else kept whole as the name."""
    out: dict[str, list] = {}
    for text in sorted(str(t) for t in graph.objects(iri, SCHEMA.softwareRequirements)):
        kind, item = _dependency(text)
        out.setdefault(kind, []).append(item)
    return out


def _dependency(text: str) -> tuple[str, dict]:
    kind, head = "open", text
    notes: list[str] = []
    found = re.match(r"^(.*\S) \(([a-z, ]+)\)$", text)
    if found and all(n in _DEPENDENCY_NOTES for n in found.group(2).split(", ")):
        head, notes = found.group(1), found.group(2).split(", ")
        if notes[0] in ("proprietary", "hardware"):
            kind = notes[0]
    item: dict = {"name": head}
    for at in (m.start() for m in re.finditer(r" (?=[<>]= )", head)):
        constraints = [_CONSTRAINT.match(part) for part in head[at + 1 :].split(", ")]
        if all(constraints):
            keys = ["versionMin" if c.group(1) == ">=" else "versionMax" for c in constraints if c]
            values = [c.group(2) for c in constraints if c]
            name, version = head[:at], None
            if name.endswith(",") and " " in name:  # "GEO.works 4.4, >= 4.4": an exact version too
                name, version = name[:-1].rsplit(" ", 1)
            item = {"name": name, **({"version": version} if version else {})}
            item.update(zip(keys, values, strict=True))
            break
    if "optional" in notes:
        item["optional"] = True
    if _as_harvested(kind, item) != text:
        return "open", {"name": text}
    return kind, item


def _as_harvested(kind: str, item: dict) -> str:
    """The text registry/harvest/kinds/publiccode.py makes of a dependency."""
    constraints = [
        prefix + item[key]
        for key, prefix in (("version", ""), ("versionMin", ">= "), ("versionMax", "<= "))
        if key in item
    ]
    notes = [
        n for n in ("" if kind == "open" else kind, "optional" if item.get("optional") else "") if n
    ]
    text = item["name"]
    if constraints:
        text += " " + ", ".join(constraints)
    if notes:
        text += f" ({', '.join(notes)})"
    return text


# --- schema.org ---------------------------------------------------------------------------------


def schema_org(graph: Graph, iri: URIRef, model: Model) -> dict:
    """The record in schema.org's terms, for search engines: SoftwareApplication (and
    SoftwareSourceCode) for software, WebAPI for an API, GovernmentOrganization for a council
    (Organization for another organisation: suppliers, standards bodies, NHS trusts and
    departments share one class here), CreativeWork for everything else."""
    ldr = model.base.ldr
    languages = model.languages
    types = set(graph.objects(iri, RDF.type))
    organisation = bool(types & model.subclasses(ORG.Organization))
    if ldr.Software in types:
        kind: str | list[str] = ["SoftwareApplication", "SoftwareSourceCode"]
    elif DCAT.DataService in types:
        kind = "WebAPI"
    elif ldr.LocalAuthority in types:
        kind = "GovernmentOrganization"
    elif organisation:
        kind = "Organization"
    else:
        kind = "CreativeWork"
    doc: dict = {"@context": "https://schema.org", "@type": kind, "@id": str(iri)}
    split = model.base.split_item(str(iri))
    page = model.base.document(*split) if split else None
    if page:
        doc["mainEntityOfPage"] = page
    name = title_of(graph, iri, languages)
    if name:
        doc["name"] = name
    description = preferred(graph.objects(iri, DCTERMS.description), languages)
    if description is not None:
        doc["description"] = str(description)
    urls = _iris(graph, iri, DCAT.landingPage, FOAF.homepage)
    if DCAT.DataService in types and not urls:
        urls = _iris(graph, iri, DCAT.endpointURL)
    if urls:
        doc["url"] = urls[0]
    _put(doc, "license", _iris(graph, iri, DCTERMS.license))
    publishers = [
        _agent(graph, org, model)
        for org in _iris(graph, iri, DCTERMS.publisher, ldr.supplier, ldr.leadOrganisation)
    ]
    if organisation:
        _put(doc, "memberOf", [_agent(graph, o, model) for o in _iris(graph, iri, ORG.memberOf)])
    elif DCAT.DataService in types:
        _put(doc, "provider", publishers)
        _put(doc, "documentation", _iris(graph, iri, DCAT.endpointDescription))
    else:
        _put(doc, "publisher", publishers)
    keywords = sorted(
        label
        for area in graph.objects(iri, ldr.serviceArea)
        if (label := model.text(area, SKOS.prefLabel))
    )
    _put(doc, "keywords", keywords)
    if ldr.Software in types:
        _put(doc, "codeRepository", _iris(graph, iri, SCHEMA.codeRepository))
        _put(doc, "isBasedOn", _iris(graph, iri, SCHEMA.isBasedOn))
        for key, predicate in (
            ("softwareVersion", SCHEMA.softwareVersion),
            ("applicationSuite", SCHEMA.applicationSuite),
            ("applicationCategory", SCHEMA.applicationCategory),
            ("featureList", SCHEMA.featureList),
            ("softwareRequirements", SCHEMA.softwareRequirements),
        ):
            _put(doc, key, sorted(str(v) for v in graph.objects(iri, predicate)))
        released = [d for d in graph.objects(iri, DCTERMS.modified) if _is_date(d)]
        if released:
            doc["dateModified"] = str(max(released, key=str))
    else:
        _put(doc, "version", sorted(str(v) for v in graph.objects(iri, DCAT_VERSION)))
    return doc


def _iris(graph: Graph, iri, *predicates) -> list[str]:
    found: list[str] = []
    for p in predicates:
        for value in sorted(graph.objects(iri, p), key=str):
            if isinstance(value, URIRef) and str(value) not in found:
                found.append(str(value))
    return found


def _put(doc: dict, key: str, values: list) -> None:
    """A value, or a list of them when there are several; nothing when there are none."""
    if values:
        doc[key] = values[0] if len(values) == 1 else values


def _agent(graph: Graph, org: str, model: Model) -> dict:
    kind = (
        "GovernmentOrganization"
        if (URIRef(org), RDF.type, model.base.ldr.LocalAuthority) in graph
        else "Organization"
    )
    agent = {"@type": kind, "@id": org}
    name = title_of(graph, URIRef(org), model.languages)
    if name:
        agent["name"] = name
    return agent
