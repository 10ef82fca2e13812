"""The UK API catalogue's two formats as dcat:DataService records in the apis register.

- `read_catalogue`: the catalogue's CSV (co-cddo/api-catalogue, data/catalogue.csv), its columns
  checked against its CSV on the Web description (catalogue.csv-metadata.json) and its provider
  ids named through organisation.csv, both fetched beside the CSV when the run has a network.
- `read_list`: the "api.gov.uk/v1alpha" JSON list of APIs an organisation publishes at
  {base}/apis (the catalogue's federated sources).

docs/harvest-api-catalogue.md has both mappings field by field, and what is left out and why.
Neither reader writes, fetches on its own or raises on bad input: every problem is a Problem
saying what is wrong, where, and how to fix it at the source."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, XSD

from registry.harvest.kinds import Context, Mapped, Problem, Reader, reference_for
from registry.rdf.namespaces import LDR, VCARD
from registry.rdf.text import (
    BIDI,
    CONTROL,
    ZERO_WIDTH,
    control_problem,
    label_problem,
    line_and_column,
    nesting_depth,
    visible,
)

REGISTER = "apis"
#: the version the federated lists declare, at the top and in each entry
API_VERSION = "api.gov.uk/v1alpha"
#: the files read beside the CSV, relative to its address (the CSVW metadata names its foreign
#: key's file "organisations.csv", which the catalogue's repository does not have)
METADATA = "catalogue.csv-metadata.json"
ORGANISATIONS = "organisation.csv"
#: the CSV's columns this mapping reads, by the names its CSVW metadata gives them
COLUMNS = (
    "dateAdded",
    "dateUpdated",
    "url",
    "name",
    "description",
    "documentation",
    "license",
    "maintainer",
    "areaServed",
    "startDate",
    "endDate",
    "provider",
)
#: without these there is no API to record: a CSV without either column gives no records
ESSENTIAL = ("url", "name")
TITLE_MIN, TITLE_MAX = 3, 300  # the shapes' s:title
#: how much of a value a message repeats
SHOWN = 80
#: how many entries a grouped warning names
NAMED = 3

_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"{}|\\^`]+", re.IGNORECASE)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_EMAIL_CHARS = r"[^\s@<>()\[\],;:\"'‘’“”]"
_EMAIL = re.compile(
    rf"(?:mailto:)?({_EMAIL_CHARS}+@{_EMAIL_CHARS}+\.{_EMAIL_CHARS}*[^\s@<>()\[\],;:\"'‘’“”.])",
    re.IGNORECASE,
)


# --- what both formats become -------------------------------------------------------------------


@dataclass
class _Api:
    """One API as read from either format, before it becomes a record."""

    entry: str  # how problems name it: its address
    where: str  # where it is in the source, for messages: "line 12", "apis[3]"
    name: str
    url: str
    description: str | None = None
    documentation: str | None = None
    licence: str | None = None
    contact_name: str | None = None
    email: str | None = None
    issued: date | None = None
    modified: date | None = None
    publisher: str | None = None


def _record(api: _Api, iri: str, context: Context) -> Graph:
    # rdflib's plain store, not its default one (which keeps each statement's named graphs, which
    # one record's description has none of): a run over the whole catalogue with nothing changed,
    # which builds every record to compare it, took a sixth less time (bench/harvest.py).
    graph = Graph(store="SimpleMemory")
    s = URIRef(iri)
    graph.add((s, RDF.type, DCAT.DataService))
    graph.add((s, DCTERMS.title, Literal(api.name, lang="en")))
    if api.description:
        graph.add((s, DCTERMS.description, Literal(api.description, lang="en")))
    graph.add((s, DCAT.endpointURL, URIRef(api.url)))
    if api.documentation:
        graph.add((s, DCAT.endpointDescription, URIRef(api.documentation)))
    if api.licence:
        graph.add((s, DCTERMS.license, URIRef(api.licence)))
    if api.email:
        contact = BNode()
        graph.add((s, DCAT.contactPoint, contact))
        graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{api.email}")))
        if api.contact_name:
            graph.add((contact, VCARD.fn, Literal(api.contact_name)))
    if api.issued:
        graph.add((s, DCTERMS.issued, Literal(api.issued.isoformat(), datatype=XSD.date)))
    if api.modified:
        graph.add((s, DCTERMS.modified, Literal(api.modified.isoformat(), datatype=XSD.date)))
    if api.publisher:
        graph.add((s, DCTERMS.publisher, URIRef(api.publisher)))
    address = URIRef(context.address)
    graph.add((s, DCTERMS.source, address))
    graph.add((s, PROV.wasDerivedFrom, address))
    graph.add((s, LDR.harvestedFrom, context.source))
    return graph


class _Problems:
    """Problems in the order found. A warning with the same field and words for several APIs
    (93 APIs giving the same web page as their maintainer) is said once, naming how many."""

    def __init__(self) -> None:
        self._slots: list[Problem | tuple[str, str]] = []
        self._groups: dict[tuple[str, str], list[str]] = {}

    def error(self, entry: str, field: str, message: str) -> None:
        self._slots.append(Problem(entry, field, message, "error"))

    def warning(self, entry: str, field: str, message: str) -> None:
        key = (field, message)
        if key not in self._groups:
            self._groups[key] = []
            self._slots.append(key)
        self._groups[key].append(entry)

    def __iter__(self) -> Iterator[Problem]:
        for slot in self._slots:
            if isinstance(slot, Problem):
                yield slot
                continue
            field, message = slot
            entries = self._groups[slot]
            if len(entries) == 1:
                yield Problem(entries[0], field, message, "warning")
            else:
                named = ", ".join(entries[:NAMED]) + (" and others" if len(entries) > NAMED else "")
                yield Problem(
                    "", field, f"{message} This is so for {len(entries)} APIs: {named}.", "warning"
                )


class _Mapper:
    """What both readers share: the records so far, one API per address and name, and the
    publishers."""

    def __init__(self, context: Context, problems: _Problems) -> None:
        self.context = context
        self.problems = problems
        self.records: dict[str, Graph] = {}
        #: record IRI -> the API kept for it, and the entries left out because they share it
        self.kept: dict[str, _Api] = {}
        self.same: dict[str, list[_Api]] = {}
        #: a provider id or organisation name that matched nothing -> its message (which
        #: takes the number of its APIs) and that number
        self.unmatched: dict[str, tuple[Callable[[int], str], int]] = {}

    def claim(self, api: _Api) -> str | None:
        """The record's IRI for the API, made from its address and its name; None when an API
        before it has the same address and the same name (the same IRI).

        The address alone does not name an API: DWP lists 38 APIs under
        https://api.engineering.dwp.gov.uk and HMRC 30 under https://api.service.hmrc.gov.uk,
        each an API of its own. The name in the IRI does not lose a renamed API's history: the
        sync's rename rule (registry/harvest/sync.py, `_renamed`) gives a new IRI with the same
        dcat:endpointURL as a record the source no longer lists that record's IRI."""
        iri = self.context.model.base.item(REGISTER, reference_for(api.url, api.name))
        if iri in self.kept:
            self.same.setdefault(iri, []).append(api)
            return None
        self.kept[iri] = api
        return iri

    def organisation(self, names: Iterable[str]) -> str | None:
        for name in names:
            iri = self.context.organisations.get(_one_line(name).lower())
            if iri:
                return iri
        return None

    def not_registered(self, key: str, message: Callable[[int], str]) -> None:
        """Counts an API whose organisation is not registered: each organisation is reported
        once, with how many APIs it has (the catalogue has 31 of HMRC's)."""
        said, count = self.unmatched.get(key, (message, 0))
        self.unmatched[key] = (said, count + 1)

    def add(self, api: _Api, iri: str) -> None:
        self.records[iri] = _record(api, iri, self.context)

    def finish(self, field: str, what: str) -> Mapped:
        for iri, left_out in self.same.items():
            kept = self.kept[iri]
            given = sorted({(a.url, a.name) for a in (kept, *left_out)})
            spelled = (
                f"the address {kept.url} and the name ‘{kept.name}’"
                if len(given) == 1
                else "addresses and names that are the same record here ("
                + "; ".join(f"{url} ‘{name}’" for url, name in given)
                + ")"
            )
            wheres = ", ".join(a.where for a in left_out[:NAMED])
            if len(left_out) > NAMED:
                wheres += f" and {len(left_out) - NAMED} more"
            self.problems.warning(
                kept.url,
                field,
                f"{len(left_out) + 1} {what} give {spelled}. The registry keeps one API for each "
                f"address and name: the first ({kept.where}), and leaves out {wheres}. If they "
                "are one API, list it once; if they are different APIs, give each its own name.",
            )
        for message, count in self.unmatched.values():
            self.problems.warning("", "provider", message(count))
        return Mapped(records=self.records, problems=list(self.problems))


# --- reading values -----------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _shown(text: str) -> str:
    text = visible(_one_line(text))
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _web_address(text: str) -> str | None:
    """The value as a web address (http or https, a host, no spaces), else None."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1].strip()
    if not _WEB_ADDRESS.fullmatch(text):
        return None
    if CONTROL.search(text) or BIDI.search(text) or ZERO_WIDTH.search(text):
        return None
    try:
        if not urlsplit(text).hostname:
            return None
    except ValueError:  # such as an unclosed [ in the host
        return None
    return text


def _date(text: str) -> date | None:
    text = text.strip()
    if not _DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _description(text: str) -> str:
    """The catalogue writes line breaks in its descriptions (Markdown) as the two characters \\n:
    they are line breaks again here, as the catalogue's own site shows them."""
    return text.replace("\\r\\n", "\n").replace("\\n", "\n").replace("\r\n", "\n").strip()


def _read_name(
    api_name: str, entry: str, where: str, field: str, problems: _Problems
) -> str | None:
    name = _one_line(api_name)
    if not name:
        problems.error(
            entry,
            field,
            f"The API at {where} has no {field}, so it is left out. Give every API the name "
            "people know it by, of 3 to 300 characters, such as 'GOV.UK Notify'.",
        )
        return None
    if not TITLE_MIN <= len(name) <= TITLE_MAX:
        problems.error(
            entry,
            field,
            f"The {field} ‘{_shown(name)}’ at {where} is {len(name)} characters long, so the API "
            "is left out: a name must be 3 to 300 characters. Give the name people know it by.",
        )
        return None
    problem = control_problem(name) or label_problem(name)
    if problem:
        problems.error(
            entry,
            field,
            f"The {field} ‘{_shown(name)}’ at {where} {problem} The API is left out until then.",
        )
        return None
    return name


def _read_url(value: str, name: str, where: str, field: str, problems: _Problems) -> str | None:
    url = _web_address(value)
    if url is not None:
        return url
    entry = _one_line(value) or name or where
    api = f"The API ‘{_shown(name)}’ at {where}" if name else f"The API at {where}"
    if not value.strip():
        problems.error(
            entry,
            field,
            f"{api} has no {field}, so it is left out. Give the base address its requests go "
            "to, starting https://, such as https://api.example.gov.uk/.",
        )
    elif not re.match(r"https?://", value.strip(), re.IGNORECASE):
        problems.error(
            entry,
            field,
            f"{api} has the {field} ‘{_shown(value)}’, which does not start https:// or "
            "http://, so the API is left out. Give the base address its requests go to, such "
            "as https://api.example.gov.uk/.",
        )
    else:
        problems.error(
            entry,
            field,
            f"{api} has the {field} ‘{_shown(value)}’, which is not a web address: it holds a "
            "space, or a character a web address cannot (such as { } < > or a quote; a "
            "template's {placeholder} is one), so the API is left out. Give the base address "
            "its requests go to, such as https://api.example.gov.uk/.",
        )
    return None


def _read_description(api: _Api, value: str, field: str, problems: _Problems) -> None:
    text = _description(value)
    if not text:
        problems.warning(
            api.entry,
            field,
            f"‘{api.name}’ has no {field}: the API is kept without one. Say in a sentence or two "
            "what the API does and who it is for.",
        )
        return
    problem = control_problem(text)
    if problem:
        problems.warning(
            api.entry,
            field,
            f"The {field} of ‘{api.name}’ {problem} The API is kept without its description.",
        )
        return
    api.description = text


def _read_documentation(api: _Api, value: str, field: str, problems: _Problems) -> None:
    if not value.strip():
        return
    api.documentation = _web_address(value)
    if api.documentation is None:
        problems.warning(
            api.entry,
            field,
            f"The {field} of ‘{api.name}’, ‘{_shown(value)}’, is not a web address, so the API is "
            "kept without a link to its documentation. Give the address of the page that "
            "documents it for developers, starting https://.",
        )


def _read_licence(api: _Api, value: str, field: str, problems: _Problems) -> None:
    if not value.strip():
        return
    api.licence = _web_address(value)
    if api.licence is None:
        problems.warning(
            api.entry,
            field,
            f"The {field} ‘{_shown(value)}’ is not the web address of a licence, so the APIs that "
            "give it are kept without one. Give the licence's web address, such as "
            "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/ for the "
            "Open Government Licence v3.0.",
        )


def _read_contact(api: _Api, value: str, field: str, problems: _Problems) -> None:
    """A team's email address, written as it is or as 'Team name <address>' (the catalogue's
    compact contact point) or 'Team name - address'."""
    text = value.strip()
    if not text:
        return
    fix = "Give one team mailbox, written as 'API team <api-team@example.gov.uk>'."
    found = list(_EMAIL.finditer(text))
    if not found:
        what = "a web page" if _web_address(text) else "text"
        problems.warning(
            api.entry,
            field,
            f"The {field} ‘{_shown(text)}’ is {what}, not an email address, so the APIs that give "
            f"it are kept without a contact point. {fix}",
        )
        return
    first = found[0]
    api.email = first.group(1)
    name = _one_line(text[: first.start()].rstrip(" <-–—:(\t\n"))
    if name and not (control_problem(name) or label_problem(name)):
        api.contact_name = name
    after = text[first.end() :].lstrip(" >)\t\n")
    if len(found) > 1:
        problems.warning(
            api.entry,
            field,
            f"The {field} of ‘{api.name}’ gives more than one email address: only the first, "
            f"{api.email}, is kept. {fix}",
        )
    elif after:
        problems.warning(
            api.entry,
            field,
            f"The {field} of ‘{api.name}’ has words after its email address (‘{_shown(after)}’), "
            f"which are not kept: only {api.email} is. {fix} Put instructions for writing to it "
            "in the API's documentation.",
        )


def _read_date(api: _Api, value: str, field: str, problems: _Problems) -> date | None:
    if not value.strip():
        return None
    when = _date(value)
    if when is None:
        problems.warning(
            api.entry,
            field,
            f"The {field} of ‘{api.name}’, ‘{_shown(value)}’, is not a date written YYYY-MM-DD, so "
            "it is not kept. Write it as a date, such as 2024-03-31.",
        )
    return when


# --- the catalogue's CSV ------------------------------------------------------------------------


def read_catalogue(data: bytes, context: Context, *, today: date | None = None) -> Mapped:
    """The catalogue's CSV as records. `today` (for tests) is the day an endDate has passed by."""
    problems = _Problems()
    mapper = _Mapper(context, problems)
    today = today or date.today()
    text = _decoded(data, "The CSV", problems)
    if text is None:
        return Mapped(problems=list(problems))
    declared = providers = None
    if context.related is None:
        problems.warning(
            "",
            "",
            f"The CSV was read without {METADATA} and {ORGANISATIONS}, which a run with no "
            "network (a file uploaded to the dry run) cannot fetch: its columns were taken by "
            "the names in its header, and no provider could be named, so no API has one. A "
            "scheduled run fetches both beside the CSV.",
        )
    else:
        declared = _declared_columns(context, problems)
        providers = _providers(context, problems)
    table = _rows(text, problems)
    if table is None:
        return Mapped(problems=list(problems))
    header, rows = table
    columns = _columns(header, declared, problems)
    if columns is None:
        return Mapped(problems=list(problems))
    for line, values in rows:
        where = f"line {line}"
        if len(values) != len(header):
            problems.error(
                where,
                "",
                f"The row at {where} has {len(values)} values where the header has "
                f"{len(header)} columns, so it is left out. Put double quotes around any value "
                "that holds a comma, a double quote or a line break, and double the quotes "
                'inside it ("").',
            )
            continue
        cell = {name: values[i] for name, i in columns.items()}
        api = _catalogue_api(cell, where, today, problems)
        if api is None:
            continue
        iri = mapper.claim(api)
        if iri is None:
            continue
        _read_description(api, cell.get("description", ""), "description", problems)
        _read_documentation(api, cell.get("documentation", ""), "documentation", problems)
        _read_licence(api, cell.get("license", ""), "license", problems)
        _read_contact(api, cell.get("maintainer", ""), "maintainer", problems)
        api.issued = _read_date(api, cell.get("dateAdded", ""), "dateAdded", problems)
        api.modified = _read_date(api, cell.get("dateUpdated", ""), "dateUpdated", problems)
        if providers is not None:
            api.publisher = _provider(mapper, providers, cell.get("provider", ""), api)
        mapper.add(api, iri)
    return mapper.finish("url", "rows")


def _catalogue_api(
    cell: dict[str, str], where: str, today: date, problems: _Problems
) -> _Api | None:
    """The API a row gives, with its name and address; None when it is left out."""
    url = _read_url(cell.get("url", ""), _one_line(cell.get("name", "")), where, "url", problems)
    if url is None:
        return None
    name = _read_name(cell.get("name", ""), url, where, "name", problems)
    if name is None:
        return None
    api = _Api(entry=url, where=where, name=name, url=url)
    end = cell.get("endDate", "").strip()
    if end:
        ended = _date(end)
        if ended is None:
            problems.warning(
                url,
                "endDate",
                f"The endDate of ‘{name}’, ‘{_shown(end)}’, is not a date written YYYY-MM-DD, so "
                "the API is kept as if it were still in service. Write the date it was retired, "
                "such as 2024-03-31, or leave it empty.",
            )
        elif ended <= today:
            problems.warning(
                url,
                "endDate",
                f"‘{name}’ was retired on {ended.isoformat()} (its endDate), so it is left out, "
                "and withdrawn here if it was registered. Remove it from the catalogue once "
                "nobody needs to know it existed.",
            )
            return None
    return api


def _decoded(data: bytes, what: str, problems: _Problems) -> str | None:
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = bom + exc.start
        line, column = line_and_column(data, at)
        problems.error(
            "",
            "",
            f"{what} is not UTF-8 text: the byte 0x{data[at]:02X} at line {line}, column "
            f"{column} is not UTF-8, so nothing was read. Save the file as UTF-8.",
        )
        return None


def _rows(text: str, problems: _Problems):
    """The header and the rows with the line each starts on; None when the CSV cannot be read
    to its end (then nothing in it is used: half a file would withdraw the rest)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        start = reader.line_num + 1
        for values in reader:
            if values:
                rows.append((start, values))
            start = reader.line_num + 1
    except csv.Error as exc:
        problems.error(
            "",
            "",
            f"The CSV cannot be read past line {reader.line_num} ({exc}), so none of it was used. "
            "Put double quotes around any value that holds a comma, a double quote or a line "
            'break, double the quotes inside it (""), and close every quoted value.',
        )
        return None
    if not header or not any(h.strip() for h in header):
        problems.error(
            "",
            "",
            "The CSV is empty: it has no header row. Its first line must name the columns "
            f"({', '.join(COLUMNS)}).",
        )
        return None
    return [h.strip() for h in header], rows


def _declared_columns(context: Context, problems: _Problems) -> dict[str, str] | None:
    """The columns catalogue.csv-metadata.json declares: header title -> column name."""
    data = _related(context, METADATA, problems)
    if data is None:
        return None
    unusable = (
        f"{METADATA} beside the CSV could not be used ({{}}), so the CSV's columns were taken "
        "by the names in its header. It must be the CSV on the Web description of the CSV, "
        "with its columns in tableSchema.columns."
    )
    try:
        metadata = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:
        problems.warning("", "", unusable.format(f"it is not JSON: {exc}"))
        return None
    schema = metadata.get("tableSchema") if isinstance(metadata, dict) else None
    declared = schema.get("columns") if isinstance(schema, dict) else None
    if not isinstance(declared, list) or not declared:
        problems.warning("", "", unusable.format("it declares no columns"))
        return None
    titles: dict[str, str] = {}
    for column in declared:
        if not isinstance(column, dict) or column.get("virtual") is True:
            continue
        given = column.get("titles")
        names = [given] if isinstance(given, str) else given
        if isinstance(given, dict):  # titles by language
            names = [t for v in given.values() for t in (v if isinstance(v, list) else [v])]
        names = [t.strip() for t in names or [] if isinstance(t, str)]
        name = column.get("name") if isinstance(column.get("name"), str) else None
        for title in names:
            titles[title] = name or title
        if name and not names:
            titles[name] = name
    if not titles:
        problems.warning("", "", unusable.format("its columns have no names"))
        return None
    return titles


def _columns(header: list[str], declared: dict[str, str] | None, problems: _Problems):
    """Column name -> its place in the row, checked against the metadata; None when the CSV
    lacks a column no API can do without."""
    places: dict[str, int] = {}
    undeclared = []
    for i, title in enumerate(header):
        name = declared.get(title) if declared is not None else None
        if name is None:
            name = title
            if declared is not None and title:
                undeclared.append(title)
        places.setdefault(name, i)
    expected = list(COLUMNS)
    if declared is not None:
        expected += [n for n in declared.values() if n not in expected]
    missing = [name for name in expected if name not in places]
    lacking = [name for name in ESSENTIAL if name not in places]
    if lacking:
        problems.error(
            "",
            "",
            f"The CSV has no {' or '.join(lacking)} column, so no API could be read from it. "
            f"Its first line must name the columns ({', '.join(COLUMNS)}).",
        )
        return None
    if missing:
        problems.warning(
            "",
            "",
            f"The CSV has no column {', '.join(missing)}"
            + (f", which {METADATA} declares" if declared is not None else "")
            + ", so every API is read without it. Put the column back, empty where there is "
            "nothing to say.",
        )
    if undeclared:
        problems.warning(
            "",
            "",
            f"The CSV has columns that {METADATA} does not declare: {', '.join(undeclared)}. "
            "They are read by their names here; declare them in the metadata's "
            "tableSchema.columns, so that everyone reading the CSV knows what they hold.",
        )
    return {name: i for name, i in places.items() if name in COLUMNS}


def _related(context: Context, name: str, problems: _Problems) -> bytes | None:
    assert context.related is not None
    try:
        return context.related(name)
    # The fetcher is another module's, with its own errors (refused addresses, limits, HTTP):
    # whatever stops it, the CSV is still read, without this file, and the reason is said.
    except Exception as exc:  # noqa: BLE001
        problems.warning(
            "",
            "",
            f"{name} could not be fetched beside the CSV ({exc}), so "
            + (
                "the CSV's columns were taken by the names in its header."
                if name == METADATA
                else "no provider could be named, and no API has one."
            )
            + f" Publish {name} in the same folder as the CSV.",
        )
        return None


def _providers(context: Context, problems: _Problems) -> dict[str, list[str]] | None:
    """organisation.csv: provider id -> its name and alternate name."""
    data = _related(context, ORGANISATIONS, problems)
    if data is None:
        return None
    unusable = (
        f"{ORGANISATIONS} beside the CSV could not be used ({{}}), so no provider could be "
        "named, and no API has one. It must be a CSV with the columns id, name and alternateName."
    )
    try:
        text = data.decode("utf-8-sig")
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        rows = list(reader)
    except UnicodeDecodeError:
        problems.warning("", "", unusable.format("it is not UTF-8 text"))
        return None
    except csv.Error as exc:
        problems.warning("", "", unusable.format(f"line {reader.line_num}: {exc}"))
        return None
    if not {"id", "name"} <= {(f or "").strip() for f in reader.fieldnames or []}:
        problems.warning("", "", unusable.format("it has no id or no name column"))
        return None
    providers: dict[str, list[str]] = {}
    for row in rows:
        row = {(k or "").strip(): v or "" for k, v in row.items() if isinstance(v, str)}
        names = [_one_line(row.get(c, "")) for c in ("name", "alternateName")]
        if row.get("id", "").strip():
            providers.setdefault(row["id"].strip(), [n for n in names if n])
    return providers


def _provider(mapper: _Mapper, providers: dict[str, list[str]], given: str, api: _Api):
    provider = given.strip()
    if not provider:
        mapper.problems.warning(
            api.entry,
            "provider",
            f"‘{api.name}’ names no provider, so it is kept without one. Give the id of the "
            f"organisation that operates it, from {ORGANISATIONS}.",
        )
        return None
    names = providers.get(provider)
    if names is None:
        mapper.not_registered(
            f"id:{provider}",
            lambda n: (
                f"The provider ‘{_shown(provider)}’ is not an id in {ORGANISATIONS}, so its "
                f"{_apis(n)} kept without a provider. Add the organisation to {ORGANISATIONS}, "
                "or give the id it has there."
            ),
        )
        return None
    iri = mapper.organisation(names)
    if iri is None:
        called = " or ".join(f"‘{n}’" for n in names) or "no name"
        mapper.not_registered(
            f"id:{provider}",
            lambda n: (
                f"The provider ‘{_shown(provider)}’ ({called} in {ORGANISATIONS}) is not an "
                f"organisation registered here, so its {_apis(n)} kept without a provider. "
                "Register the organisation under that name, or correct its name in "
                f"{ORGANISATIONS}."
            ),
        )
    return iri


def _apis(count: int) -> str:
    return "API is" if count == 1 else f"{count} APIs are"


# --- an organisation's v1alpha list -------------------------------------------------------------


def read_list(data: bytes, context: Context) -> Mapped:
    """An organisation's list of APIs (GET {base}/apis, api.gov.uk/v1alpha) as records."""
    problems = _Problems()
    mapper = _Mapper(context, problems)
    apis = _list_entries(data, problems)
    if apis is None:
        return Mapped(problems=list(problems))
    for number, item in enumerate(apis):
        where = f"apis[{number}]"
        if not isinstance(item, dict) or not isinstance(item.get("data"), dict):
            problems.error(
                where,
                "data",
                f"The entry {where} is not an object with the API's details in 'data', so it is "
                'left out. Write each entry as {"api-version": "api.gov.uk/v1alpha", "data": '
                '{"name": …, "description": …, "url": …}}.',
            )
            continue
        version = item.get("api-version", API_VERSION)
        if version != API_VERSION:
            problems.error(
                where,
                "api-version",
                f"The entry {where} is in version ‘{_shown(str(version))}’, not {API_VERSION}, "
                f"so it is left out. Write it in {API_VERSION}, the version this registry reads.",
            )
            continue
        details = item["data"]
        api = _list_api(details, where, problems)
        if api is None:
            continue
        iri = mapper.claim(api)
        if iri is None:
            continue
        texts = {k: v for k, v in details.items() if isinstance(v, str)}
        for key in ("description", "documentation-url", "contact", "organisation"):
            if details.get(key) is not None and key not in texts:
                problems.warning(
                    api.entry,
                    key,
                    f"The {key} of ‘{api.name}’ is not text, so it is not kept. Write it as a "
                    "string.",
                )
        if details.get("description") is None or "description" in texts:
            _read_description(api, texts.get("description", ""), "description", problems)
        _read_documentation(api, texts.get("documentation-url", ""), "documentation-url", problems)
        _read_contact(api, texts.get("contact", ""), "contact", problems)
        api.publisher = _list_publisher(mapper, texts.get("organisation", ""))
        mapper.add(api, iri)
    return mapper.finish("url", "entries")


def _list_entries(data: bytes, problems: _Problems) -> list | None:
    text = _decoded(data, "The list of APIs", problems)
    if text is None:
        return None
    depth, offset = nesting_depth(data, "json")
    if offset >= 0:
        line, column = line_and_column(data, offset)
        problems.error(
            "",
            "",
            f"The list of APIs nests deeper than {depth - 1} levels at line {line}, column "
            f"{column}, so it was not read. A v1alpha list nests three levels.",
        )
        return None
    try:
        document = json.loads(text)
    except ValueError as exc:
        where = (
            f" at line {exc.lineno}, column {exc.colno}"
            if isinstance(exc, json.JSONDecodeError)
            else ""
        )
        problems.error(
            "",
            "",
            f"The list of APIs is not JSON{where} ({getattr(exc, 'msg', exc)}), so it was not "
            "read. Check the file with a JSON validator.",
        )
        return None
    shape = (
        'It must be an object: {"api-version": "api.gov.uk/v1alpha", "apis": [ … ]}, as the '
        "federated API model's GET /apis gives it."
    )
    if not isinstance(document, dict):
        problems.error(
            "", "", f"The list of APIs is not a JSON object, so it was not read. {shape}"
        )
        return None
    version = document.get("api-version")
    if version != API_VERSION:
        said = f"‘{_shown(str(version))}’" if version is not None else "no api-version"
        problems.error(
            "",
            "api-version",
            f"The list of APIs has {said} where {API_VERSION} was expected, so it was not read: "
            f"this registry reads the {API_VERSION} list. {shape}",
        )
        return None
    apis = document.get("apis")
    if not isinstance(apis, list):
        problems.error(
            "",
            "apis",
            f"The list of APIs has no list of entries in 'apis', so it was not read. {shape}",
        )
        return None
    return apis


def _list_api(details: dict, where: str, problems: _Problems) -> _Api | None:
    raw_name = details.get("name")
    raw_url = details.get("url")
    name = _one_line(raw_name) if isinstance(raw_name, str) else ""
    url = _read_url(raw_url if isinstance(raw_url, str) else "", name, where, "url", problems)
    if url is None:
        return None
    checked = _read_name(
        raw_name if isinstance(raw_name, str) else "", url, where, "name", problems
    )
    if checked is None:
        return None
    return _Api(entry=url, where=where, name=checked, url=url)


def _list_publisher(mapper: _Mapper, given: str) -> str | None:
    """The organisation the entry names, when it is registered here; without one, the
    organisation that keeps the list (the source's owner)."""
    name = _one_line(given)
    if not name:
        return str(mapper.context.owner)
    iri = mapper.organisation([name])
    if iri is None:
        mapper.not_registered(
            f"name:{name.lower()}",
            lambda n: (
                f"The organisation ‘{_shown(name)}’ is not registered here, so its {_apis(n)} "
                "kept without a provider. Register it under that name, or write its name as "
                "it is registered here."
            ),
        )
    return iri


#: The readers, by the notation of their kind in the kinds of harvest source scheme.
READERS: dict[str, Reader] = {"api-catalogue": read_catalogue, "api-list": read_list}
