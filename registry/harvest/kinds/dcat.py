"""DCAT and ADMS-AP catalogues: the APIs (dcat:DataService) and the reusable assets (adms:Asset,
or ADMS-AP's dcat:Dataset of a known asset type) a catalogue describes, as records of the apis,
software and standards registers. docs/harvest-dcat.md has the table, field by field, and says
what is dropped and why.

The bytes are parsed with the registry's own parser and limits (registry/rdf/rdfio.py's parse,
as submissions are): no remote JSON-LD @context is ever fetched, and size and statements are
bounded. The syntax is told from the bytes (Turtle or N-Triples, JSON-LD, RDF/XML) unless the
caller passes the media type the source was served with."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, SH, SKOS
from rdflib.term import Node

from registry.harvest.kinds import Context, Mapped, Problem, reference_for
from registry.rdf.namespaces import ADMS, DOAP, LDR, SCHEMA, VCARD, vocabulary_iri
from registry.rdf.rdfio import (
    FORMATS,
    MAX_SUBMISSION_STATEMENTS,
    Format,
    InputError,
    format_for_media_type,
    parse,
)
from registry.rdf.text import control_problem, label_problem
from registry.runtime.settings import SETTINGS
from registry.vocab.model import Model, preferred

#: The largest catalogue read: the same as LDR_MAX_INPUT_BYTES' default for a submission.
MAX_BYTES: int = next(s.default for s in SETTINGS if s.name == "LDR_MAX_INPUT_BYTES")
#: The most statements a catalogue may hold: the same cap as one submission over HTTP.
MAX_STATEMENTS = MAX_SUBMISSION_STATEMENTS

#: DCAT 3 (rdflib's DCAT lacks dcat:DatasetSeries and dcat:version)
DCAT = Namespace("http://www.w3.org/ns/dcat#")
ADMSSW = Namespace("http://purl.org/adms/sw/")
SCHEMA_HTTP = Namespace("http://schema.org/")  # schema.org as many publishers still write it
ASSET_TYPE = "http://purl.org/adms/assettype/"
#: ADMS's asset types (purl.org/adms/assettype, ADMS_SKOS_v2.00): all are specifications of
#: some kind (a schema, a code list, a domain model...), so each becomes a standard.
ADMS_ASSET_TYPES = frozenset(
    ASSET_TYPE + name
    for name in (
        "CodeList",
        "CoreComponent",
        "DomainModel",
        "InformationExchangePackageDescription",
        "Mapping",
        "NameAuthorityList",
        "Ontology",
        "Schema",
        "ServiceDescription",
        "SyntaxEncodingScheme",
        "Taxonomy",
        "Thesaurus",
    )
)
SOFTWARE_CLASSES = frozenset(
    {
        ADMSSW.SoftwareProject,
        ADMSSW.SoftwareRelease,
        ADMSSW.SoftwarePackage,
        DOAP.Project,
        SCHEMA.SoftwareSourceCode,
        SCHEMA.SoftwareApplication,
        SCHEMA_HTTP.SoftwareSourceCode,
        SCHEMA_HTTP.SoftwareApplication,
    }
)
CATALOGUE_CLASSES = (DCAT.Catalog, ADMS.AssetRepository)
#: What is an asset whatever its dcterms:type says (an adms:Asset without one is reported)
ADMS_ASSET_CLASSES = frozenset({ADMS.Asset, DCTERMS.Standard} | SOFTWARE_CLASSES)
#: What may be an asset: ADMS-AP 2 describes its assets ("solutions") as dcat:Dataset, told
#: apart from datasets by their dcterms:type; a dcat:Dataset without such a type is a dataset
ASSET_CLASSES = (*ADMS_ASSET_CLASSES, DCAT.Dataset, DCAT.DatasetSeries)

SOFTWARE, STANDARDS, APIS = "software", "standards", "apis"
REGISTER_CLASS = {SOFTWARE: LDR.Software, STANDARDS: DCTERMS.Standard, APIS: DCAT.DataService}
WHAT = {SOFTWARE: "software", STANDARDS: "a standard", APIS: "an API"}

_WEB_ADDRESS = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$", re.IGNORECASE)
_MAILTO = re.compile(r"^mailto:[^@\s]+@[^@\s]+$")
_XML_START = re.compile(rb"<\?xml|<!--|<!doctype|<[A-Za-z_][\w.:-]*\s+[^>]*xmlns", re.IGNORECASE)
TITLE_MIN, TITLE_MAX, DESCRIPTION_MIN = 3, 300, 20
LEFT_OUT = "The entry was left out: correct it at the source."
BOTH = (
    "This asset's types say it is both software and a standard (rdf:type and dcterms:type), so "
    "the registry cannot choose its register, and it was left out: describe the software and the "
    "standard it implements as two assets."
)


def read(data: bytes, context: Context, media_type: str | None = None) -> Mapped:
    """The records a DCAT or ADMS-AP catalogue describes, and what could not be used.

    `media_type`: the Content-Type the source was served with, if any; an RDF media type names
    the syntax, anything else (or None) leaves it to be told from the bytes."""
    mapped = Mapped()
    fmt = sniff_format(data, media_type)
    try:
        source = parse(
            data,
            fmt,
            context.address,
            source="input",  # the syntax is sniffed: no hint about a file's extension
            max_bytes=MAX_BYTES,
            max_statements=MAX_STATEMENTS,
        )
    except InputError as exc:
        mapped.problems.append(Problem("", "", _unreadable(exc)))
        return mapped
    _Reader(source, context, mapped).run()
    return mapped


def sniff_format(data: bytes, media_type: str | None = None) -> Format:
    """The syntax of the bytes: the media type's when it names an RDF syntax, else told from
    how the text starts: JSON-LD ({, or [ then {), RDF/XML (an XML declaration, comment, DOCTYPE
    or an element declaring namespaces), else Turtle (which reads N-Triples too)."""
    if media_type:
        fmt = format_for_media_type(media_type)
        if fmt is not None and media_type.split(";")[0].strip().lower() == fmt.media_type:
            return fmt
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{") or re.match(rb"\[\s*\{", head):
        return FORMATS["jsonld"]
    if _XML_START.match(head):
        return FORMATS["rdfxml"]
    return FORMATS["turtle"]


def _unreadable(exc: InputError) -> str:
    where = ""
    if exc.line is not None:
        where = f" at line {exc.line}" + (f", column {exc.column}" if exc.column else "")
    text = f"The catalogue cannot be read{where}: {exc.message}."
    return f"{text} {exc.hint}" if exc.hint else text


@dataclass
class _Texts:
    title: Literal | None = None
    description: Literal | None = None
    #: descriptions there were, but none in the title's language (so none was taken)
    other_languages: list[str] = field(default_factory=list)


class _Reader:
    """One reading of one catalogue: the parsed graph, what the mapping needs to know, and the
    records and problems found so far."""

    def __init__(self, graph: Graph, context: Context, mapped: Mapped):
        self.graph, self.context, self.mapped = graph, context, mapped
        self.model: Model = context.model
        self.minted: dict[str, str] = {}  # record IRI -> the entry it was minted for

    # --- the whole catalogue ------------------------------------------------------------------

    def run(self) -> None:
        g = self.graph
        services = set(g.subjects(RDF.type, DCAT.DataService))
        assets: list[tuple[Node, str | None]] = []
        datasets: set[Node] = set()
        candidates = {n for c in ASSET_CLASSES for n in g.subjects(RDF.type, c)} - services
        for node in candidates:
            types = set(g.objects(node, RDF.type))
            kinds = self._asset_kinds(node, types)
            if len(kinds) > 1:
                self.problem(node, "dcterms:type", BOTH)
            elif kinds or types & ADMS_ASSET_CLASSES:
                assets.append((node, next(iter(kinds), None)))
            else:
                datasets.add(node)
        for node in sorted(services, key=self._order):
            self._entry(node, APIS)
        for node, kind in sorted(assets, key=lambda a: self._order(a[0])):
            if kind is None:
                self.problem(
                    node,
                    "dcterms:type",
                    "This asset does not say what kind of asset it is, so the registry cannot "
                    "tell whether it is software or a standard: give it a dcterms:type from "
                    f"ADMS's asset types ({ASSET_TYPE}Schema, CodeList...) for a specification, "
                    "or the type admssw:SoftwareProject (http://purl.org/adms/sw/) for software.",
                )
            else:
                self._entry(node, kind)
        catalogues = {n for c in CATALOGUE_CLASSES for n in g.subjects(RDF.type, c)}
        self._skipped(datasets - catalogues, catalogues)
        if not services and not assets and not datasets and not catalogues:
            self.mapped.problems.append(
                Problem(
                    "",
                    "",
                    "The file holds RDF, but nothing of a kind the registry harvests from a DCAT "
                    "or ADMS-AP catalogue: no API (dcat:DataService), asset (adms:Asset), dataset "
                    "(dcat:Dataset) or catalogue (dcat:Catalog). Check the source's address, or "
                    "choose the kind of source that matches what it publishes.",
                )
            )

    def _asset_kinds(self, node: Node, types: set[Node]) -> set[str]:
        """Which registers the node's types say it belongs in: an rdf:type the registry knows
        as software or a standard, or a dcterms:type that is one of ADMS's asset types or whose
        name says software, specification or standard."""
        kinds: set[str] = set()
        if types & SOFTWARE_CLASSES:
            kinds.add(SOFTWARE)
        if DCTERMS.Standard in types:
            kinds.add(STANDARDS)
        for value in self.graph.objects(node, DCTERMS.type):
            if not isinstance(value, URIRef):
                continue
            name = re.split(r"[/#]", str(value).rstrip("/#"))[-1].lower()
            if str(value) in ADMS_ASSET_TYPES:
                kinds.add(STANDARDS)
            elif "software" in name:
                kinds.add(SOFTWARE)
            elif "specification" in name or "standard" in name:
                kinds.add(STANDARDS)
        return kinds

    def _skipped(self, datasets: set[Node], catalogues: set[Node]) -> None:
        """One note for everything the registry has no register for."""
        found = []
        if datasets:
            found.append(_count(len(datasets), "dataset", "datasets") + " (dcat:Dataset)")
        if catalogues:
            found.append(_count(len(catalogues), "catalogue", "catalogues") + " (dcat:Catalog)")
        if not found:
            return
        one = len(datasets) + len(catalogues) == 1
        self.mapped.problems.append(
            Problem(
                "",
                "",
                f"The catalogue describes {' and '.join(found)}, which {'was' if one else 'were'} "
                "skipped: the registry has no register of datasets or catalogues (it harvests "
                "APIs, software and standards). Nothing needs fixing for this; an ADMS-AP "
                "solution described as a dcat:Dataset is harvested when its dcterms:type says "
                "what kind of asset it is.",
                "warning",
            )
        )

    # --- one entry ----------------------------------------------------------------------------

    def _entry(self, node: Node, register: str) -> None:
        ctx = self.context
        texts = self._texts(node)
        missing = []
        if texts.title is None:
            missing.append(f"a title (dcterms:title) of {TITLE_MIN} to {TITLE_MAX} characters")
        if register != APIS and (
            texts.description is None or len(str(texts.description)) < DESCRIPTION_MIN
        ):
            missing.append(
                f"a description (dcterms:description) of at least {DESCRIPTION_MIN} characters"
                + (" in the title's language" if texts.other_languages else "")
            )
        endpoints = self._addresses(node, DCAT.endpointURL) if register == APIS else []
        if register == APIS and not endpoints:
            missing.append("the web address its requests go to (dcat:endpointURL)")
        repositories = self._repositories(node) if register == SOFTWARE else []
        if register == SOFTWARE and not repositories:
            missing.append("the web address of its code repository (schema:codeRepository)")
        licences = self._licences(node)
        if register == SOFTWARE and not licences:
            missing.append(
                "its licence as a web address (dcterms:license), such as "
                "http://spdx.org/licenses/EUPL-1.2"
            )
        if missing:
            self.problem(
                node,
                "",
                f"This is {WHAT[register]}, but it lacks what the {register} register requires, "
                f"so it was left out: {'; '.join(missing)}. Add {_them(missing)} at the source.",
            )
            return
        assert texts.title is not None  # missing says why not, above
        title_problem = label_problem(str(texts.title)) or control_problem(str(texts.title))
        if title_problem:
            self.problem(node, "dcterms:title", f"The title {title_problem} {LEFT_OUT}")
            return
        description_problem = control_problem(str(texts.description or ""))
        if description_problem:
            self.problem(
                node, "dcterms:description", f"The description {description_problem} {LEFT_OUT}"
            )
            return
        iri = self._mint(node, register, texts.title)
        if iri is None:
            return
        s = URIRef(iri)
        record = Graph()
        record.add((s, RDF.type, REGISTER_CLASS[register]))
        record.add((s, DCTERMS.title, texts.title))
        if texts.description is not None:
            record.add((s, DCTERMS.description, texts.description))
        elif texts.other_languages:
            self.problem(
                node,
                "dcterms:description",
                "The description is given only in other languages than the title's "
                f"({', '.join(texts.other_languages)}), so it was left out: give one in the "
                "title's language.",
                "warning",
            )
        record.add((s, DCTERMS.source, URIRef(ctx.address)))
        record.add((s, PROV.wasDerivedFrom, URIRef(ctx.address)))
        record.add((s, LDR.harvestedFrom, ctx.source))
        if isinstance(node, URIRef):
            record.add((s, PROV.wasDerivedFrom, node))
            record.add((s, DCTERMS.identifier, Literal(str(node))))
        else:
            for identifier in self._identifiers(node)[:1]:
                record.add((s, DCTERMS.identifier, identifier))
        for publisher in self._publishers(node, single=register == APIS):
            record.add((s, DCTERMS.publisher, publisher))
        for licence in licences:
            record.add((s, DCTERMS.license, licence))
        if not licences and list(self._objects(node, DCTERMS.license, DOAP.license)):
            self.problem(
                node,
                "dcterms:license",
                "The licence is not given as a web address, so it was left out: name the "
                "licence by its address (dcterms:license <https://...>), such as "
                "http://spdx.org/licenses/MIT or the Open Government Licence's.",
                "warning",
            )
        for page in self._addresses(node, DCAT.landingPage, FOAF.homepage, DOAP.homepage):
            record.add((s, DCAT.landingPage, page))
        if register == APIS:
            self._service_fields(node, s, record, endpoints)
        elif register == SOFTWARE:
            self._software_fields(node, s, record, repositories)
        else:
            self._standard_fields(node, s, record)
        for path in self._recommended(REGISTER_CLASS[register]):
            if (s, path, None) not in record and not (
                path == DCTERMS.description and texts.other_languages
            ):
                record.add((s, LDR.notPublished, path))
        self.mapped.records[iri] = record

    def _recommended(self, cls: URIRef) -> list[URIRef]:
        """The properties the shapes recommend for records of the class (those satisfied by a
        value or by ldr:notPublished, s:givenOrNotPublished): a record harvested without one
        says the catalogue, its source, was read and gives none (docs/vocabulary.md)."""
        memo = self.model.memo.setdefault("dcat_recommended", {})
        if cls not in memo:
            shapes = self.model.shapes
            check = URIRef(vocabulary_iri("shapes#givenOrNotPublished"))
            memo[cls] = sorted(
                {
                    path
                    for shape in shapes.subjects(SH.targetClass, cls)
                    for ps in shapes.objects(shape, SH.property)
                    if (ps, SH.sparql, check) in shapes
                    for path in shapes.objects(ps, SH.path)
                    if isinstance(path, URIRef)
                },
                key=str,
            )
        return memo[cls]

    def _service_fields(self, node: Node, s: URIRef, record: Graph, endpoints: list) -> None:
        if len(endpoints) > 1:
            self.problem(
                node,
                "dcat:endpointURL",
                f"An API has one address its requests go to; this one gives {len(endpoints)}, "
                f"so only {endpoints[0]} was kept. Describe each API as a dcat:DataService of "
                "its own.",
                "warning",
            )
        record.add((s, DCAT.endpointURL, endpoints[0]))
        for document in self._addresses(node, DCAT.endpointDescription):
            record.add((s, DCAT.endpointDescription, document))
        self._contacts(node, s, record)

    def _software_fields(self, node: Node, s: URIRef, record: Graph, repositories: list) -> None:
        for repository in repositories:
            record.add((s, SCHEMA.codeRepository, repository))
        version = self._version(node, SCHEMA.softwareVersion, SCHEMA_HTTP.softwareVersion)
        if version is not None:
            record.add((s, SCHEMA.softwareVersion, version))
        for status in self.graph.objects(node, ADMS.status):
            concept = self._software_status(status)
            if concept is not None:
                record.add((s, ADMS.status, concept))
                break
        self._contacts(node, s, record)

    def _standard_fields(self, node: Node, s: URIRef, record: Graph) -> None:
        version = self._version(node)
        if version is not None:
            record.add((s, DCAT.version, version))
        for specification in self._distribution_files(node):
            record.add((s, LDR.specification, specification))

    # --- fields -------------------------------------------------------------------------------

    def _texts(self, node: Node) -> _Texts:
        """The title in the language chosen for the record (the registry's languages, English
        unless LDR_LANGUAGES says otherwise; else untagged; else the first), and a description
        in the same language (or untagged)."""
        g = self.graph
        languages = self.model.languages
        titles = []
        for value in g.objects(node, DCTERMS.title):
            if isinstance(value, Literal) and _one_line(str(value)):
                titles.append(Literal(_one_line(str(value)), lang=value.language))
        title = preferred(titles, languages)
        if title is not None and not TITLE_MIN <= len(str(title)) <= TITLE_MAX:
            title = None
        if title is None:
            return _Texts()
        chosen = _primary(title.language)
        descriptions = [
            Literal(str(v).strip(), lang=v.language)
            for v in g.objects(node, DCTERMS.description)
            if isinstance(v, Literal) and str(v).strip()
        ]
        fitting = [
            d
            for d in descriptions
            if not chosen or not d.language or _primary(d.language) == chosen
        ]
        description = preferred(fitting, ((chosen,) if chosen else ()) + languages)
        others = sorted(
            {d.language or "" for d in descriptions} - {d.language or "" for d in fitting}
        )
        return _Texts(title, description, others if description is None else [])

    def _addresses(self, node: Node, *predicates: URIRef) -> list[URIRef]:
        """The web addresses the node gives for these properties: IRIs, or text that is an
        http(s) address; sorted, so the same every run."""
        found = set()
        for p in predicates:
            for value in self.graph.objects(node, p):
                address = _address(value)
                if address is not None:
                    found.add(address)
        return sorted(found, key=str)

    def _repositories(self, node: Node) -> list[URIRef]:
        found = set(self._addresses(node, SCHEMA.codeRepository, SCHEMA_HTTP.codeRepository))
        for repository in self.graph.objects(node, DOAP.repository):
            where = self._addresses(repository, DOAP.location, DOAP.browse)
            if where:
                found.update(where)
            elif isinstance(repository, URIRef):
                found.add(repository)
        return sorted(found, key=str)

    def _licences(self, node: Node) -> list[URIRef]:
        """The asset's own licence; without one, the licences its distributions give (ADMS
        puts the licence on each distribution). Only licences named by an IRI."""
        own = [
            v for v in self._objects(node, DCTERMS.license, DOAP.license) if isinstance(v, URIRef)
        ]
        if own:
            return sorted(set(own), key=str)
        found: set[URIRef] = set()
        for distribution in self.graph.objects(node, DCAT.distribution):
            found.update(
                v
                for v in self.graph.objects(distribution, DCTERMS.license)
                if isinstance(v, URIRef)
            )
        return sorted(found, key=str)

    def _distribution_files(self, node: Node) -> list[URIRef]:
        """The files of the asset's distributions: each one's download address, else its
        access address."""
        found = set()
        for distribution in self.graph.objects(node, DCAT.distribution):
            found.update(
                self._addresses(distribution, DCAT.downloadURL)
                or self._addresses(distribution, DCAT.accessURL)
            )
        return sorted(found, key=str)

    def _version(self, node: Node, *first: URIRef) -> Literal | None:
        """The one version the asset gives (None for none, or for several that disagree)."""
        values = {
            str(v).strip()
            for v in self._objects(node, *first, DCAT.version, OWL.versionInfo, ADMS.version)
            if isinstance(v, Literal) and str(v).strip()
        }
        if len(values) > 1:
            self.problem(
                node,
                "dcat:version",
                f"The asset gives {len(values)} versions ({', '.join(sorted(values))}), so none "
                "was kept: give only the version this description is of.",
                "warning",
            )
        return Literal(values.pop()) if len(values) == 1 else None

    def _software_status(self, status: Node) -> URIRef | None:
        """The registry's development status that the vocabulary says closely matches this ADMS
        status (skos:closeMatch in ontology/schemes.ttl); None where it names none, or more
        than one (ADMS's UnderDevelopment is both 'in development' and 'beta')."""
        memo = self.model.memo.setdefault("dcat_software_status", {})
        if status not in memo:
            scheme = URIRef(vocabulary_iri("software-status"))
            concepts = [
                c
                for c in self.model.ontology.subjects(SKOS.closeMatch, status)
                if (c, SKOS.inScheme, scheme) in self.model.ontology
            ]
            memo[status] = concepts[0] if len(concepts) == 1 else None
        return memo[status]

    def _publishers(self, node: Node, single: bool) -> list[URIRef]:
        """The registered organisations the node's publishers name (by foaf:name or
        skos:prefLabel, or text given as the publisher); else the owner of the source. A named
        publisher that matches none is reported and left out."""
        ctx = self.context
        registered = set(ctx.organisations.values())
        matched: list[URIRef] = []
        found: str | None
        for publisher in sorted(self.graph.objects(node, DCTERMS.publisher), key=str):
            if str(publisher) in registered:
                names = [str(publisher)]
                found = str(publisher)
            else:
                names = self._names(publisher)
                found = next(
                    (ctx.organisations[k] for k in map(_key, names) if k in ctx.organisations),
                    None,
                )
            if found is not None:
                if URIRef(found) not in matched:
                    matched.append(URIRef(found))
            elif names:
                self.problem(
                    node,
                    "dcterms:publisher",
                    f"The publisher {' / '.join(repr(n) for n in names)} is not an organisation "
                    "registered here, so it was left out and the record is published under the "
                    "source's owner. Name the publisher (foaf:name) as it is registered here, or "
                    "ask a steward to register it.",
                    "warning",
                )
            else:
                self.problem(
                    node,
                    "dcterms:publisher",
                    f"The publisher {_shown(publisher)} has no name (foaf:name) to match with the "
                    "organisations registered here, so it was left out and the record is "
                    "published under the source's owner. Give the publisher its foaf:name.",
                    "warning",
                )
        if single and len(matched) > 1:
            self.problem(
                node,
                "dcterms:publisher",
                f"An API has one provider; this one names {len(matched)} registered "
                f"organisations, so only {matched[0]} was kept.",
                "warning",
            )
            matched = matched[:1]
        return matched or [ctx.owner]

    def _names(self, agent: Node) -> list[str]:
        if isinstance(agent, Literal):
            return [_one_line(str(agent))] if _one_line(str(agent)) else []
        names = []
        for value in self._objects(agent, FOAF.name, SKOS.prefLabel):
            if isinstance(value, Literal) and _one_line(str(value)):
                names.append(_one_line(str(value)))
        return sorted(set(names))

    def _contacts(self, node: Node, s: URIRef, record: Graph) -> None:
        """Each contact point as a vCard of the record's own: its name (vcard:fn, else
        vcard:organization-name) and its email as a mailto: address."""
        for contact in sorted(self.graph.objects(node, DCAT.contactPoint), key=str):
            names = [
                Literal(_one_line(str(v)), lang=v.language)
                for v in self._objects(contact, VCARD.fn, VCARD["organization-name"])
                if isinstance(v, Literal) and _one_line(str(v))
            ]
            name = preferred(names, self.model.languages)
            if name is not None and label_problem(str(name)):
                name = None
            emails, bad = set(), []
            for raw in self._emails(contact):
                email = _mailto(raw)
                if email:
                    emails.add(email)
                else:
                    bad.append(raw)
            useless = name is None and not emails
            what = "the contact point, which has no name (vcard:fn), was" if useless else "it was"
            for raw in sorted(bad):
                self.problem(
                    node,
                    "dcat:contactPoint",
                    f"The contact point's email {raw!r} is not an email address, so {what} "
                    "left out: write it as mailto:team@example.gov.uk (vcard:hasEmail).",
                    "warning",
                )
            if useless:
                if not bad:
                    self.problem(
                        node,
                        "dcat:contactPoint",
                        "A contact point gives neither a name (vcard:fn) nor an email address "
                        "(vcard:hasEmail), so it was left out: give it at least one of them.",
                        "warning",
                    )
                continue
            card = BNode()
            record.add((s, DCAT.contactPoint, card))
            record.add((card, RDF.type, VCARD.Kind))
            if name is not None:
                record.add((card, VCARD.fn, name))
            for email in sorted(emails):
                record.add((card, VCARD.hasEmail, URIRef(email)))

    def _emails(self, contact: Node) -> list[str]:
        found = []
        for value in self.graph.objects(contact, VCARD.hasEmail):
            inner = list(self.graph.objects(value, VCARD.value))
            for v in inner or [value]:
                if isinstance(v, URIRef | Literal):
                    found.append(str(v).strip())
        return found

    def _identifiers(self, node: Node) -> list[Literal]:
        return sorted(
            (
                Literal(str(v).strip())
                for v in self.graph.objects(node, DCTERMS.identifier)
                if isinstance(v, Literal) and str(v).strip()
            ),
            key=str,
        )

    def _objects(self, node: Node, *predicates: URIRef) -> Iterable[Node]:
        for p in predicates:
            yield from self.graph.objects(node, p)

    # --- naming -------------------------------------------------------------------------------

    def _mint(self, node: Node, register: str, title: Literal) -> str | None:
        """The record's IRI: from the source's IRI for the entry, or (an entry without one)
        its dcterms:identifier, else its title. Two entries that would get the same IRI: the
        second is left out."""
        if isinstance(node, URIRef):
            reference = reference_for(str(node))
        else:
            reference = reference_for(str((self._identifiers(node) or [title])[0]))
        iri = self.context.model.base.item(register, reference)
        earlier = self.minted.get(iri)
        if earlier is not None:
            self.problem(
                node,
                "",
                f"This entry would be registered as {iri}, as {earlier} already is, so it was "
                "left out: give each entry an IRI of its own that differs in more than "
                "punctuation or letter case.",
            )
            return None
        self.minted[iri] = self._entry_name(node)
        return iri

    def _order(self, node: Node) -> tuple[int, str]:
        """Entries in the same order every run: by IRI; an entry without one by its title and
        identifier (a blank node's label changes from one reading to the next)."""
        if isinstance(node, URIRef):
            return (0, str(node))
        return (1, self._entry_name(node) + " " + " ".join(map(str, self._identifiers(node))))

    def _entry_name(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return str(node)
        titles = [v for v in self.graph.objects(node, DCTERMS.title) if isinstance(v, Literal)]
        title = preferred(titles, self.model.languages)
        return _one_line(str(title)) if title is not None else "(an entry without an IRI or title)"

    def problem(self, node: Node, field: str, message: str, severity: str = "error") -> None:
        self.mapped.problems.append(Problem(self._entry_name(node), field, message, severity))


def _them(missing: list[str]) -> str:
    return "it" if len(missing) == 1 else "them"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _key(name: str) -> str:
    return _one_line(name).lower()


def _primary(language: str | None) -> str:
    return (language or "").lower().split("-")[0]


def _shown(node: Node) -> str:
    return f"<{node}>" if isinstance(node, URIRef) else "(a blank node)"


def _address(value: Node) -> URIRef | None:
    if isinstance(value, URIRef):
        return value
    if isinstance(value, Literal) and _WEB_ADDRESS.match(str(value).strip()):
        return URIRef(str(value).strip())
    return None


def _mailto(text: str) -> str | None:
    address = text if text.lower().startswith("mailto:") else "mailto:" + text
    address = "mailto:" + address[7:]
    return address if _MAILTO.match(address) else None
