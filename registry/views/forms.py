"""Forms generated from the SHACL shapes alone: labels, hints, order, groups, input types,
choices, required and repeatable fields all come from shapes/, so a property added to a shape
appears in the form with no code change.

Kinds of field, read from each property shape:
- `ldr:scheme S`            a choice of the concepts of scheme S (radios, or checkboxes if repeatable)
- `sh:in (…)`                a choice of the listed values
- `ldr:registeredClass C` or `sh:class C`   a registered record of class C, typed with suggestions
- `sh:datatype xsd:date`    the GOV.UK date input (day, month, year)
- `sh:datatype xsd:boolean` yes or no
- `sh:node N`               a group of nested fields, from node shape N
- `sh:nodeKind sh:IRI`      a web address
- otherwise                 text; `dash:singleLine false` makes it a text area
`sh:minCount` ≥ 1 makes a field required; `sh:maxCount` absent or > 1 makes it repeatable.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import cast

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS, XSD

from registry.rdf.identifiers import is_web_iri
from registry.rdf.namespaces import REG
from registry.records.naming import UnknownRecord, record_iri, titles
from registry.views.presentation import plain_number
from registry.vocab.model import Model

DASH = "http://datashapes.org/dash#"
# set by the registry, not typed by people (ldr:harvestedFrom: by harvests)
SYSTEM_PATHS = {
    REG.status,
    DCTERMS.isReplacedBy,
    URIRef("https://w3id.org/local-digital-registry/def/ldr#harvestedFrom"),
}
#: The edit form's hidden field: the version of the record the person read, so that a change made
#: by someone else meanwhile is not overwritten.
RECORD_VERSION = "record-version"
#: Names the form itself uses, which no field made from a shape may take (a property shape named
#: `version`, dcat:version's, once had its box filled with the record's version number).
RESERVED_NAMES = frozenset({"csrf_token", "action", "reference", RECORD_VERSION})


@dataclass
class Field:
    id: str
    path: URIRef
    label: str
    hint: str
    order: float
    group: str
    kind: str  # text, textarea, url, date, boolean, decimal, choice, record, nested
    required: bool
    repeatable: bool
    shape: URIRef
    options: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    nested: list[Field] = field(default_factory=list)
    node_class: URIRef | None = None
    plain: bool = False  # text without a language (sh:datatype xsd:string): a version number


@dataclass
class Section:
    label: str
    fields: list[Field]


def _local(iri) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _field(model: Model, ps, prefix: str = "") -> Field | None:
    shapes, ldr = model.shapes, model.base.ldr
    path = shapes.value(ps, SH.path)
    if not isinstance(path, URIRef) or path in SYSTEM_PATHS:
        return None
    min_count = int(shapes.value(ps, SH.minCount) or 0)
    max_count = shapes.value(ps, SH.maxCount)
    severity = shapes.value(ps, SH.severity)
    group = shapes.value(ps, SH.group)
    f = Field(
        id=prefix + _local(ps),
        path=path,
        label=model.text(ps, SH.name, graph=shapes) or _local(path),
        hint=model.text(ps, SH.description, graph=shapes) or "",
        order=float(shapes.value(ps, SH.order) or 100),
        group=model.text(group, RDFS.label, graph=shapes) or "Details",
        kind="text",
        required=min_count >= 1 and severity == SH.Violation,
        repeatable=max_count is None or int(max_count) > 1,
        shape=ps,
    )
    scheme = shapes.value(ps, ldr.scheme)
    registered = shapes.value(ps, ldr.registeredClass) or shapes.value(ps, SH["class"])
    listed = shapes.value(ps, SH["in"])
    datatype = shapes.value(ps, SH.datatype)
    node = shapes.value(ps, SH.node)
    if listed is not None:
        from rdflib.collection import Collection

        f.kind = (
            "choice"
            if all(isinstance(v, URIRef) for v in Collection(shapes, listed))
            else "choice-literal"
        )
        f.options = [
            (str(v), model.text(v, SKOS.prefLabel) or str(v)) for v in Collection(shapes, listed)
        ]
    elif scheme is not None:
        f.kind = "choice"
        concepts = [
            (str(c), model.text(c, SKOS.prefLabel) or _local(c))
            for c in model.ontology.subjects(SKOS.inScheme, scheme)
        ]
        pattern = shapes.value(ps, SH.pattern)
        f.options = model.in_scheme_order(
            scheme,
            sorted(
                (c for c in concepts if pattern is None or re.search(str(pattern), c[0])),
                key=lambda c: c[1],
            ),
        )
    elif registered is not None:
        f.kind = "record"
        f.node_class = registered
    elif datatype == XSD.date:
        f.kind = "date"
    elif datatype == XSD.boolean:
        f.kind, f.options = "boolean", [("true", "Yes"), ("false", "No")]
    elif datatype == XSD.decimal:
        f.kind = "decimal"
    elif datatype == XSD.integer:
        f.kind = "integer"
    elif node is not None:
        f.kind = "nested"
        # the class each value made is given: the property shape's ldr:valueClass, else the node
        # shape's target
        f.node_class = shapes.value(ps, ldr.valueClass) or model.shapes.value(node, SH.targetClass)
        f.nested = sorted(
            filter(
                None,
                (_field(model, p, prefix=f.id + "-") for p in shapes.objects(node, SH.property)),
            ),
            key=lambda x: (x.order, x.label),
        )
    elif shapes.value(ps, SH.nodeKind) == SH.IRI and str(
        shapes.value(ps, SH.pattern) or ""
    ).startswith("^mailto:"):
        f.kind = "email"  # written as an address; stored as a mailto: IRI
    elif shapes.value(ps, SH.nodeKind) == SH.IRI:
        f.kind = "url"
    elif datatype == XSD.string:
        f.plain = True
    elif shapes.value(ps, URIRef(DASH + "singleLine")) == Literal(False):
        f.kind = "textarea"
    return f


def form_for(model: Model, register: str) -> list[Section]:
    """The sections of the form for a register, from every node shape that applies to its class."""
    cls = model.register_class[register]
    classes = {cls} | {
        c
        for c in model.ontology.transitive_objects(
            cls, URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf")
        )
    }
    fields: dict[str, Field] = {}
    for ns in model.shapes.subjects(RDF.type, SH.NodeShape):
        if not set(model.shapes.objects(ns, SH.targetClass)) & classes:
            continue
        for ps in model.shapes.objects(ns, SH.property):
            f = _field(model, ps)
            if f is None:
                continue
            # One field per property: where a shape says it is required, it is required.
            if str(f.path) in fields:
                fields[str(f.path)].required |= f.required
                continue
            fields[str(f.path)] = f
    for f in fields.values():
        for named in [f, *f.nested]:
            if named.id in RESERVED_NAMES:
                raise ValueError(
                    f"The property shape {named.shape} gives the {register} form a field named "
                    f"{named.id!r}, a name the form itself uses; rename the shape."
                )
    sections: dict[str, list[Field]] = {}
    for f in sorted(fields.values(), key=lambda x: (x.order, x.label)):
        sections.setdefault(f.group, []).append(f)
    order = {name: min(f.order for f in fs) for name, fs in sections.items()}
    return [
        Section(name, fs) for name, fs in sorted(sections.items(), key=lambda item: order[item[0]])
    ]


def all_fields(sections: list[Section]) -> list[Field]:
    return [f for s in sections for f in s.fields]


class FormProblem(Exception):
    def __init__(self, problems: dict[str, str]):
        self.problems = problems
        super().__init__("; ".join(problems.values()))


#: The most entries a repeatable field takes in one form: groups of nested fields (the hidden
#: `{id}-count`, and the "add another" button) and values of a repeatable field alike. A record
#: has a handful; without a cap one post asking for 100,000 groups took 2 GB and 40 s of CPU.
MAX_REPEATS = 50


def _too_many(f: Field) -> str:
    return (
        f"{f.label}: one form takes at most {MAX_REPEATS} entries. Give the most important ones here, "
        "or send the record as a file through the API."
    )


def repeat_count(f: Field, raw: str | None) -> int:
    """How many groups of a repeatable nested field the form holds (its `{id}-count`), or a
    FormProblem naming the field past MAX_REPEATS or if it is not a whole number."""
    text = (raw or "1").strip() or "1"
    if not (text.isascii() and text.isdigit()):
        raise FormProblem(
            {f.id: f"{f.label}: the number of entries must be a whole number, not “{text[:20]}”"}
        )
    if len(text) > 6 or int(text) > MAX_REPEATS:
        raise FormProblem({f.id: _too_many(f)})
    return int(text)


def check_repeats(sections: list[Section], values: dict[str, list[str]]) -> list[tuple[str, str]]:
    """Bring every group count in `values` within MAX_REPEATS (so a page re-shown with errors
    stays small), and say which fields were over it or held too many values."""
    problems: list[tuple[str, str]] = []
    for f in all_fields(sections):
        if f.kind == "nested":
            key = f"{f.id}-count"
            try:
                repeat_count(f, (values.get(key) or ["1"])[0])
            except FormProblem as problem:
                problems.extend(problem.problems.items())
                values[key] = [
                    str(MAX_REPEATS) if _too_many(f) in problem.problems.values() else "1"
                ]
    by_id = {f.id: f for f in all_fields(sections)}
    for key, given in values.items():
        which = by_id.get(key)
        if len(given) > (_most_values(which) if which else MAX_REPEATS):
            problems.append(
                (
                    key,
                    _too_many(which)
                    if which
                    else f"{key}: one form takes at most {MAX_REPEATS} entries",
                )
            )
            values[key] = given[:MAX_REPEATS]
    return problems


def _most_values(f: Field) -> int:
    """A choice may have every one of its options ticked, however many the scheme has."""
    return max(MAX_REPEATS, len(f.options))


def _values(form, f: Field) -> list[str]:
    """The values given for a field, trimmed, with a browser's line ends (CR LF) made plain LF, so
    text saved unchanged is the same text; FormProblem for too many values, or a line break in a
    one-line field (a title is one line)."""
    given = form.getlist(f.id)
    if len(given) > _most_values(f):
        raise FormProblem({f.id: _too_many(f)})
    values = [
        v.replace("\r\n", "\n").replace("\r", "\n").strip()
        for v in given
        if v is not None and v.strip()
    ]
    if f.kind != "textarea" and any("\n" in v for v in values):
        raise FormProblem({f.id: f"{f.label} must be on one line: take out the line breaks"})
    return values


def graph_from_form(
    model: Model,
    register: str,
    reference: str,
    form,
    records: dict[URIRef, dict[str, str]],
    positions: dict[str, int] | None = None,
) -> tuple[Graph, dict[str, str]]:
    """The record the form describes, and the problems with values that cannot be read (a date
    like 31/02), by field id. `records` maps, for each class a record field takes, the titles of
    its registered records to their IRIs: one map per class, as a title may name records of two
    kinds (Open Referral UK is a standard and an organisation). The graph holds every value that
    could be read, so the record can still be validated and every problem shown in one round.
    `positions`, when given, is filled with each nested group's node and its number on the form
    (funding 0, funding 1 …), for field_errors to put a problem beside the right group."""
    iri = URIRef(model.base.item(register, reference))
    graph = Graph()
    graph.add((iri, RDF.type, model.register_class[register]))
    problems: dict[str, str] = {}
    for f in all_fields(form_for(model, register)):
        _add(
            graph,
            iri,
            f,
            form,
            records,
            problems,
            model,
            positions if positions is not None else {},
        )
    return graph, problems


def keep_unshown(
    graph: Graph, current: Graph, iri: URIRef, sections: list[Section], model: Model
) -> Graph:
    """The edited record with what its form does not show kept from the current version: the
    properties that have no field (a council's GSS code and area, an agreement's applicable law,
    a successor named when the record was superseded), each with what its blank nodes say, and
    the record's "not published by its sources" findings, except for a property the form now
    gives a value for. An edit made with the form changes only what the form shows."""
    shown = {f.path for f in all_fields(sections)}
    not_published = model.base.ldr.notPublished
    kept = Graph() + graph
    if (
        iri,
        RDF.type,
        None,
    ) in current:  # its own classes (a council is an ldr:LocalAuthority), not the register's
        kept.remove((iri, RDF.type, None))

    def copy(node) -> None:
        for triple in current.triples((node, None, None)):
            if triple not in kept:
                kept.add(triple)
                if isinstance(triple[2], BNode):
                    copy(triple[2])

    for p, o in current.predicate_objects(iri):
        if p == not_published:
            if (iri, o, None) not in graph:
                kept.add((iri, p, o))
        elif (
            p not in shown and p != REG.status
        ):  # the status is the registry's own (registration.revise)
            kept.add((iri, p, o))
            if isinstance(o, BNode):
                copy(o)
    return _words_as_they_were(kept, current, iri)


def _is_text(term) -> bool:
    return isinstance(term, Literal) and (
        term.language is not None or term.datatype in (None, XSD.string)
    )


def _same_words(text: str) -> str:
    """Text as a form gives it back, for comparing: a browser's one-line box drops line breaks, a
    text box sends CR LF, and the form trims the ends."""
    return re.sub(r"[\r\n\u2028\u2029]", "", text).strip()


def _words_as_they_were(graph: Graph, current: Graph, iri: URIRef | None = None) -> Graph:
    """The graph with each text the form gives back unchanged written exactly as the record had
    it: the form writes what is typed in English (@en), so a Welsh title (@cy), a description with
    no language or one in en-GB came back as English on every save, changed or not, and a text
    sent through the API with line breaks or spaces at its ends was rewritten. A text whose words
    did change keeps the language of the one it replaces when the record (`iri`) had one text of
    that kind (a Welsh title edited is still Welsh); otherwise it is the form's, in English."""
    before: dict[tuple, Literal] = {}
    for _, p, o in current:
        if isinstance(o, Literal) and _is_text(o):
            before.setdefault((p, _same_words(str(o))), o)
    kept = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and _is_text(o):
            was = before.get((p, _same_words(str(o))))
            if was is None and iri is not None and s == iri:
                olds = [
                    t for t in current.objects(iri, p) if isinstance(t, Literal) and _is_text(t)
                ]
                news = [t for t in graph.objects(iri, p) if isinstance(t, Literal) and _is_text(t)]
                if len(olds) == len(news) == 1 and olds[0].language and o.language:
                    o = Literal(str(o), lang=olds[0].language)
            else:
                o = was if was is not None else o
        kept.add((s, p, o))
    return kept


def _add(
    graph: Graph,
    subject,
    f: Field,
    form,
    records,
    problems,
    model: Model,
    positions: dict[str, int],
) -> None:
    if f.kind == "nested":
        try:
            count = repeat_count(f, form.get(f"{f.id}-count"))
        except FormProblem as problem:
            problems.update(problem.problems)
            return
        for n in range(count):
            node = BNode()
            before = len(graph)
            for sub in f.nested:
                _add(
                    graph,
                    node,
                    Field(**{**sub.__dict__, "id": f"{sub.id}-{n}"}),
                    form,
                    records,
                    problems,
                    model,
                    positions,
                )
            if len(graph) > before:
                graph.add((subject, f.path, node))
                positions[str(node)] = n
                if f.node_class is not None:
                    graph.add((node, RDF.type, f.node_class))
        return
    if f.kind == "date":
        day, month, year = (
            form.get(f"{f.id}-{part}", "").strip() for part in ("day", "month", "year")
        )
        if not (day or month or year):
            return
        if not re.fullmatch(r"[0-9]{4}", year):  # "24" is not 2024 (it was saved as the year 24)
            problems[f.id] = f"{f.label} must include a year with 4 numbers, for example 31 3 2027"
            return
        try:
            value = datetime.date(int(year), int(month), int(day))
        except ValueError:
            problems[f.id] = f"{f.label} must be a real date, for example 31 3 2027"
            return
        graph.add((subject, f.path, Literal(value.isoformat(), datatype=XSD.date)))
        return
    try:
        given = _values(form, f)
    except FormProblem as problem:
        problems.update(problem.problems)
        return
    for raw in given:
        if f.kind == "choice-literal":
            graph.add((subject, f.path, Literal(raw)))
        elif f.kind in ("choice", "url"):
            if not is_web_iri(raw):
                problems[f.id] = f"{f.label} must be a web address starting https://"
                continue
            graph.add((subject, f.path, URIRef(raw)))
        elif f.kind == "record":
            try:
                target = record_iri(model, raw, f.node_class, records.get(f.node_class, {}))
            except UnknownRecord as unknown:
                problems[f.id] = f"{f.label}: {unknown}"
                continue
            graph.add((subject, f.path, URIRef(target)))
        elif f.kind == "boolean":
            graph.add((subject, f.path, Literal(raw == "true")))
        elif f.kind == "integer":
            if not re.fullmatch(r"\d{1,9}", raw.strip()):
                said = model.text(f.shape, SH.message, graph=model.shapes)
                problems[f.id] = for_people(said) if said else f"{f.label} must be a whole number"
                continue
            graph.add((subject, f.path, Literal(int(raw.strip()), datatype=XSD.integer)))
        elif f.kind == "email":
            address = raw.strip().removeprefix("mailto:")
            if not re.fullmatch(r"[\w.+'-]+@[\w-]+(\.[\w-]+)+", address):
                problems[f.id] = f"{f.label} must be an email address, such as team@example.gov.uk"
                continue
            graph.add((subject, f.path, URIRef("mailto:" + address)))
        elif f.kind == "decimal":
            number = raw.replace("£", "").strip()
            # commas only between thousands (98,500.50); "1,00,0" is a mistake, not 1000
            number = (
                number.replace(",", "")
                if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", number)
                else number
            )
            if not re.match(r"^\d+(\.\d+)?$", number):
                # the shape's own words where it has them (a funding amount: zero or more, in pounds)
                said = model.text(f.shape, SH.message, graph=model.shapes)
                problems[f.id] = (
                    for_people(said)
                    if said is not None
                    else f"{f.label} must be a number of zero or more, such as 98500 or 98,500.50"
                )
                continue
            graph.add((subject, f.path, Literal(number, datatype=XSD.decimal)))
        else:
            graph.add((subject, f.path, Literal(raw) if f.plain else Literal(raw, lang="en")))


def form_values(
    graph: Graph,
    iri: URIRef,
    sections: list[Section],
    titles: dict[str, str],
    records: dict[URIRef, dict[str, str]],
) -> dict[str, list[str]]:
    """What an edit form starts with: the record's current values, by field id. `titles` maps
    IRIs to titles, `records` what answers are read back with (as for graph_from_form). A linked
    record is shown by its title when that title reads back as the same record, and by its
    address otherwise (another record of the kind has the same title): saving the form unchanged
    must link the same records again."""
    values: dict[str, list[str]] = {}

    def named(o, f: Field) -> str:
        title = titles.get(str(o))
        known = records.get(f.node_class, {}) if f.node_class is not None else {}
        return title if title is not None and known.get(title.lower()) == str(o) else str(o)

    def fill(subject, f: Field, suffix: str = ""):
        objects = list(graph.objects(subject, f.path))
        if f.kind == "nested":
            values[f"{f.id}-count"] = [str(max(1, len(objects)))]
            for n, node in enumerate(objects):
                for sub in f.nested:
                    fill(node, sub, f"-{n}")
            return
        key = f.id + suffix
        if f.kind == "date" and objects:
            year, month, day = str(objects[0]).split("-")
            values[f"{key}-day"], values[f"{key}-month"], values[f"{key}-year"] = (
                [day.lstrip("0")],
                [month.lstrip("0")],
                [year],
            )
            return
        values[key] = [
            named(o, f)
            if f.kind == "record"
            # a boolean field's values are literals
            else ("true" if cast(Literal, o).toPython() is True else "false")
            if f.kind == "boolean"
            else plain_number(o)
            if f.kind == "decimal"
            else str(o).removeprefix("mailto:")
            if f.kind == "email"
            else str(o)
            for o in objects
        ]

    for f in all_fields(sections):
        fill(iri, f)
    return values


def in_page_order(errors: list[tuple[str, str]], sections: list[Section]) -> list[tuple[str, str]]:
    """(field id, message) pairs in the order their fields come on the page, as the GOV.UK error
    summary lists them: the short name first, then each field (each entry of a group of nested
    fields, by its number) in the order of the form. Those of one field keep their own order."""
    place: dict[str, tuple] = {"reference": (0,)}
    nested: list[tuple[str, int, int]] = []
    for i, f in enumerate(all_fields(sections)):
        place[f.id] = (1, i)
        nested += [(sub.id + "-", i, j) for j, sub in enumerate(f.nested)]

    def where(field_id: str) -> tuple:
        if field_id in place:
            return place[field_id]
        for prefix, i, j in nested:
            number = field_id[len(prefix) :]
            if field_id.startswith(prefix) and number.isdigit():
                return (1, i, int(number), j)
        return (2,)  # not a field of the page: after those that are

    return sorted(errors, key=lambda error: where(error[0]))


def field_errors(
    report,
    sections: list[Section],
    names: dict[str, str] | None = None,
    positions: dict[str, int] | None = None,
) -> list[tuple[str, str]]:
    """(field id, message) for every violation, linked to the field it is about (by path; in a
    group of nested fields, the group's number from `positions`, by the node the problem is
    about), each IRI in it said by its name where `names` has one (`names_in`)."""
    by_path: dict[str, str] = {}
    in_group: dict[str, str] = {}
    group_of: dict[str, str] = {}
    for f in all_fields(sections):
        by_path.setdefault(str(f.path), f.id)
        for sub in f.nested:
            in_group.setdefault(str(sub.path), sub.id)
            group_of.setdefault(str(sub.path), str(f.path))
    # the groups (funding …) with a problem in one of their entries, said beside that entry
    told = {
        group_of[r.path]
        for r in report.violations
        if r.focus in (positions or {}) and r.path in group_of
    }
    out = []
    for result in report.violations:
        if result.path in SYSTEM_PATH_NAMES:
            continue  # set by the registry on submission, not by the person filling the form
        if result.path in told and result.focus not in (positions or {}):
            continue  # "each funding entry must …" for the record, when the entry's own problem is shown
        path = result.path or ""
        number = (positions or {}).get(result.focus)
        if path in in_group and (number is not None or path not in by_path):
            field_id = f"{in_group[path]}-{number or 0}"
        else:
            field_id = by_path.get(path, "reference")
        out.append((field_id, for_people(result.message, names)))
    return out


SYSTEM_PATH_NAMES = {str(p) for p in SYSTEM_PATHS}

#: A property's compact name in brackets, as the shapes' messages give it for people who write
#: RDF ("… solves (ldr:problem), in …", "… public task (eu-gdpr:A6-1-e)"); the form's reader sees
#: the field's own label, or the example in words, instead.
COMPACT_NAME = re.compile(r"\s*\((?:[a-z][a-zA-Z-]*:[A-Za-z][\w-]*(?:,\s*|\s+(?:and|or)\s+)?)+\)")


#: An IRI as a SHACL-SPARQL message gives the value it is about ("{?value} is a controller but not
#: a party"), up to the space, quote or bracket after it, less a full stop ending the sentence.
IRI_IN_TEXT = re.compile(r"https?://[^\s\"'<>()]+?(?=[.,;:]?(?:[\s\"'<>()]|$))")


def names_in(messages: list[str], model: Model, store) -> dict[str, str]:
    """The name of each IRI the messages give: a record's title in the store, else the
    vocabulary's label for a term (a property's field name, a concept's label)."""
    names = {}
    iris = {
        found for message in messages for found in IRI_IN_TEXT.findall(message) if is_web_iri(found)
    }
    known = titles(store, sorted(iris)) if iris else {}
    for iri in iris:
        if known.get(iri):
            names[iri] = known[iri]
        elif model.base.split_item(iri) is None:
            label = model.label(URIRef(iri))
            if label != _local(iri):  # the vocabulary names it
                names[iri] = label
    return names


def for_people(message: str, names: dict[str, str] | None = None) -> str:
    """A shape's message for a web form: without the vocabulary's internal names, and each IRI
    in it said by its name in quotes where `names` has one."""
    if names:
        message = IRI_IN_TEXT.sub(
            lambda found: f"“{names[found.group()]}”" if found.group() in names else found.group(),
            message,
        )
    return COMPACT_NAME.sub("", message)
