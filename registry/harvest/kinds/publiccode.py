"""publiccode.yml: the metadata file public bodies keep at the root of a software repository,
read into one ldr:Software record (docs/harvest-publiccode.md has the table, key by key).

The file is checked against the standard of the version it declares (0.2 to 0.7, and "0" for the
newest): a file the standard calls invalid is left out, with every problem found said in words
its maintainer can act on; what the registry cannot use but the standard allows (an unknown key,
a user that is not registered here) is a warning, and the record is kept without it.

YAML is read with PyYAML's safe loader (libyaml's parser when PyYAML has it), after a first pass
over the parser's events that refuses, before any object is built, more than MAX_ALIASES aliases
(the "billion laughs") or collections nested deeper than MAX_DEPTH. The size of the file is the
fetcher's to limit."""

from __future__ import annotations

import datetime
import difflib
import functools
import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

import langcodes
import yaml
from license_expression import Licensing, get_spdx_licensing
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, XSD

from registry.harvest.kinds import Context, Mapped, Problem, reference_for
from registry.rdf.identifiers import shown
from registry.rdf.namespaces import ADMS, LDR, SCHEMA, VCARD, VOCABULARY
from registry.rdf.text import control_problem, label_problem

REGISTER = "software"
MAX_ALIASES = 20
MAX_DEPTH = 30
#: more than this many problems in one file are summed up in one last problem
MAX_PROBLEMS = 50

#: publiccodeYmlVersion as files write it -> the minor version whose rules apply. "0" is what
#: the reference parser accepts for "the newest 0.x": the rules of 0.7. 0.6 changed nothing in
#: the standard itself (its changelog), so it has 0.5's rules.
VERSIONS = {
    "0": 7,
    **{f"0.{minor}{patch}": minor for minor in (3, 4, 5, 6, 7) for patch in ("", ".0")},
    **{f"0.2{patch}": 2 for patch in ("", ".0", ".1", ".2")},
}
READ_VERSIONS = '"0", "0.2", "0.3", "0.4", "0.5", "0.6" and "0.7" (also written 0.2.0, 0.2.1 …)'

DEVELOPMENT_STATUSES = ("concept", "development", "beta", "stable", "obsolete")
SOFTWARE_TYPES = (
    "standalone/mobile",
    "standalone/iot",
    "standalone/desktop",
    "standalone/web",
    "standalone/backend",
    "standalone/other",
    "addon",
    "library",
    "configurationFiles",
)
MAINTENANCE_TYPES = ("internal", "contract", "community", "none")

#: The standard's list of software categories (categories-list.rst), as of 0.7. Categories are
#: only ever added to it, so the newest list is used for every version (docs/harvest-publiccode.md).
CATEGORIES = frozenset(
    """accounting agile-project-management applicant-tracking application-development
    appointment-scheduling backup billing-and-invoicing blog budgeting business-intelligence
    business-process-management cad call-center-management cloud-management collaboration
    communications compliance-management contact-management content-management crm
    customer-service-and-support data-analytics data-collection data-visualization design
    design-system digital-asset-management digital-citizenship document-management
    donor-management e-commerce e-signature educational-content email-management email-marketing
    employee-management enterprise-project-management enterprise-social-networking erp
    event-management facility-management feedback-and-reviews-management financial-reporting
    fleet-management fundraising gamification geographic-information-systems grant-management
    graphic-design help-desk hr ide identity-management instant-messaging
    integrated-library-system inventory-management it-asset-management it-development
    it-management it-security it-service-management knowledge-management
    learning-management-system marketing mind-mapping mobile-marketing mobile-payment
    network-management office online-booking online-community payment-gateway payroll
    predictive-analysis procurement productivity-suite project-collaboration project-management
    property-management real-estate-management regulations-and-directives remote-support
    resource-management sales-management seo service-desk social-media-management survey
    talent-management task-management taxes-management test-management time-management
    time-tracking translation video-conferencing video-editing visitor-management voip
    warehouse-management web-collaboration web-conferencing website-builder whistleblowing
    workflow-management other""".split()
)
#: intendedAudience/scope's list (scope-list.rst, the same in every version)
SCOPES = frozenset(
    """agriculture culture defence education emergency-services employment energy environment
    finance-and-economic-development foreign-affairs government healthcare infrastructures
    justice local-authorities manufacturing research science-and-technology security society
    sport tourism transportation welfare""".split()
)
#: supports' aliases (aliases-list.rst, 0.7)
ALIASES = frozenset("gdpr eidas nis2 cra spid cie anpr pagopa io".split())

TOP_KEYS = (
    "publiccodeYmlVersion name applicationSuite url landingURL isBasedOn softwareVersion "
    "releaseDate logo monochromeLogo inputTypes outputTypes platforms categories usedBy fundedBy "
    "roadmap developmentStatus softwareType supports organisation intendedAudience description "
    "legal maintenance localisation dependsOn it IT"
).split()
DESCRIPTION_KEYS = (
    "localisedName genericName shortDescription longDescription documentation apiDocumentation "
    "features screenshots videos awards"
).split()
#: where a key found in the wrong place belongs (a common slip: description's keys at the top)
BELONGS = {
    **{key: "description/[lang]/" + key for key in DESCRIPTION_KEYS},
    "license": "legal/license",
    "contacts": "maintenance/contacts",
    "contractors": "maintenance/contractors",
    "availableLanguages": "localisation/availableLanguages",
    "localisationReady": "localisation/localisationReady",
}
DEPENDENCY_KINDS = {"open": "", "proprietary": "proprietary", "hardware": "hardware"}

SPDX = "http://spdx.org/licenses/"
#: characters an IRI cannot hold, besides white space and controls (RFC 3987)
_NOT_IRI = re.compile(r'[\s<>"{}|\\^`\x00-\x1f\x7f]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_EMAIL = re.compile(r"^[\w.!#$%&'*+=?~-]+@[\w-]+(\.[\w-]+)+$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
#: the form rdflib and BCP 47 both accept: subtags of letters and digits joined by hyphens
_LANGUAGE_FORM = re.compile(r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_EXAMPLE_HOSTS = ("example.com", "example.org", "example.net")

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """PyYAML's safe loader, but dates are left as the text they are written as: the standard's
    dates are strings, and a date YAML cannot build (2019-02-30) must be a problem to report,
    not an exception."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}


def read(data: bytes, context: Context) -> Mapped:
    """One publiccode.yml file -> one ldr:Software record (or none, and the reasons)."""
    mapped = Mapped()
    document, problem = load(data)
    if problem is not None:
        mapped.problems.append(problem)
        return mapped
    reader = _Reader(context)
    graph = reader.software(document)
    mapped.problems.extend(reader.reported())
    if graph is not None and not reader.errors:
        mapped.records[reader.iri] = graph
    return mapped


def load(data: bytes) -> tuple[Any, Problem | None]:
    """The YAML document, or the problem that stops it being read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, Problem(
            "",
            "",
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read): publiccode.yml "
            "must be saved as UTF-8. Save it again with that encoding.",
        )
    try:
        refused = _limits(text)
        if refused is not None:
            return None, Problem("", "", refused)
        document = yaml.load(text, Loader=_Loader)  # a safe loader: no Python objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "maximum nesting depth" in str(exc.problem):  # libyaml's own limit, met first
            return None, Problem("", "", _too_deep(mark.line if mark else 0))
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "it is not valid YAML"
        return None, Problem(
            "",
            "",
            f"The file cannot be read as YAML{where}: {what}. Check the indentation, the "
            "colons and the quotes there (a YAML validator shows the exact place).",
        )
    except Exception as exc:  # the constructors raise more than YAMLError (ValueError …)
        return None, Problem(
            "",
            "",
            f"The file cannot be read as YAML: {str(exc)[:200]}. Check it with a YAML validator.",
        )
    if not isinstance(document, dict):
        return None, Problem(
            "",
            "",
            f"The file holds {_kind(document)}, not the keys of a publiccode.yml "
            "(publiccodeYmlVersion, name, url …): its top level must be a mapping of keys to "
            "values, one 'key: value' a line.",
        )
    return document, None


def _limits(text: str) -> str | None:
    """Why the YAML is refused before anything is built from it, or None: too many aliases, or
    collections nested too deep. Parser errors are raised as they come."""
    depth = aliases = 0
    for event in yaml.parse(text, Loader=_BaseLoader):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                return (
                    f"The file uses more than {MAX_ALIASES} YAML aliases (*name, at line "
                    f"{event.start_mark.line + 1}), so it is not read: repeated aliases can make "
                    "a small file expand without end. A publiccode.yml needs none: write the "
                    "values out."
                )
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return _too_deep(event.start_mark.line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


def _too_deep(line: int) -> str:
    return (
        f"The file nests lists and sections more than {MAX_DEPTH} deep (at line {line + 1}), so "
        "it is not read: a publiccode.yml goes at most five levels deep. Check the indentation "
        "and the brackets."
    )


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the true/false value {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the text {shown(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a section of keys"
    return "a value of another kind"


def _quote_hint(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (
            f' Put it in quotes ("{value}"): unquoted, YAML reads it as a number, and a number '
            "can lose what was written (1.10 becomes 1.1)."
        )
    return ""


def _listed(values: Iterable[str]) -> str:
    items = list(values)
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else "".join(items)


def _absent(section: dict, key: str) -> bool:
    return section.get(key) in (None, "", [], {})


@functools.cache
def _licensing() -> Licensing:
    return get_spdx_licensing()


def _url_problem(value: str, schemes: tuple[str, ...] | None = ("http", "https")) -> str | None:
    """Why the text is not an absolute web address (of one of the schemes), or None."""
    if value != value.strip():
        return "begins or ends with a space: remove it"
    if _NOT_IRI.search(value):
        return (
            "holds a space or a character a web address cannot hold: write it as a browser shows it"
        )
    try:
        parts = urlsplit(value)
        parts.hostname  # noqa: B018 (raises on a malformed host, such as an unclosed "[")
    except ValueError:
        return "is not a web address a browser could open: check its site's name"
    if not parts.scheme or not parts.netloc or not _SCHEME.match(value):
        return "is not a complete web address: it must start with https:// and the site's name"
    if schemes is not None and parts.scheme.lower() not in schemes:
        return f"must start with {_listed(s + '://' for s in schemes)}"
    return None


def forge_repository(address: str) -> str | None:
    """github.com/owner/repo (or gitlab.com/group/…/repo) for an address in a repository on
    GitHub or GitLab: its page, a file in it, its raw files or its clone address; else None."""
    try:
        parts = urlsplit(address.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    path = [p for p in parts.path.split("/") if p]
    if host in ("github.com", "www.github.com", "raw.githubusercontent.com") and len(path) >= 2:
        repository = ["github.com", path[0], path[1]]
    elif host in ("gitlab.com", "www.gitlab.com") and len(path) >= 2:
        repository = ["gitlab.com", *path[: path.index("-") if "-" in path else len(path)]]
    else:
        return None
    repository[-1] = re.sub(r"\.git$", "", repository[-1])
    return "/".join(repository).lower()


#: the description the record shows, its language tag, its features, and its language's section
Description = tuple[str, str, list[str], dict]


class _Reader:
    """Checks one document against the standard and gathers what the record is made of."""

    def __init__(self, context: Context):
        self.context = context
        self.entry = ""
        self.minor = 7
        self.problems: list[Problem] = []
        self.iri = ""
        #: which item of a list the problems found now are about ("In item 2 of …: "), if any
        self.where = ""

    # --- problems ---------------------------------------------------------------------------

    @property
    def errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    def error(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.entry, field, self.where + message, "error"))

    def warn(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.entry, field, self.where + message, "warning"))

    def each(self, items: list[dict], path: str) -> Iterator[dict]:
        """The items of a list of sections; the problems found in each say which it is."""
        try:
            for number, item in enumerate(items, 1):
                self.where = f"In item {number} of {path}: " if len(items) > 1 else ""
                yield item
        finally:
            self.where = ""

    def reported(self) -> list[Problem]:
        if len(self.problems) <= MAX_PROBLEMS:
            return self.problems
        rest = self.problems[MAX_PROBLEMS - 1 :]
        errors = sum(p.severity == "error" for p in rest)
        return [
            *self.problems[: MAX_PROBLEMS - 1],
            Problem(
                self.entry,
                "",
                f"… and {len(rest)} more problems ({errors} of them errors), not listed one by "
                "one: fix those above and harvest again to see the rest.",
                "error" if errors else "warning",
            ),
        ]

    # --- reading values of the types the standard names ----------------------------------------

    def value(self, section: dict, key: str, path: str, required: bool) -> Any:
        value = section.get(key)
        if value is None and required:
            if key in section:
                self.error(path, f"{path} is empty: it must be given a value.")
            else:
                self.error(path, f"{path} is missing: {self.why(path)}")
        return value

    def why(self, path: str) -> str:
        """Why a key is required, where it depends on the version."""
        changed = {
            "releaseDate": "0.3 and earlier require it (from 0.4 it may be left out)",
            "categories": "0.4 and earlier require it (from 0.5 it may be left out)",
        }
        if path in changed:
            return f"this file follows version 0.{self.minor} of the standard, and {changed[path]}."
        if path.endswith("contractors/until"):
            return (
                "the standard requires, for each contractor, the date its contract ends "
                "(YYYY-MM-DD)."
            )
        if path.endswith("/genericName"):
            return (
                "version 0.2 of the standard requires it in each language (later versions do not)."
            )
        return "the standard requires it."

    def text(
        self, section: dict, key: str, path: str, required: bool = False, most: int = 0
    ) -> str | None:
        value = self.value(section, key, path, required)
        if value is None:
            return None
        if not isinstance(value, str):
            self.error(path, f"{path} must be text, but it is {_kind(value)}.{_quote_hint(value)}")
            return None
        if not value.strip():
            if required:
                self.error(path, f"{path} is empty: it must be given a value.")
            return None
        if most and len(value.strip()) > most:
            self.error(
                path,
                f"{path} is {len(value.strip())} characters long; the standard allows at most "
                f"{most}. Shorten it.",
            )
            return None
        return value

    def texts(
        self, section: dict, key: str, path: str, required: bool = False, single: bool = False
    ) -> list[str] | None:
        """A list of text (or, with `single`, one text, which the standard also allows)."""
        value = self.value(section, key, path, required)
        if value is None:
            return None
        if single and isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(
                path,
                f"{path} must be a list of text, one item a line starting '- ', but it is "
                f"{_kind(value)}.",
            )
            return None
        if required and not value:
            self.error(path, f"{path} is an empty list: it must have at least one item.")
            return None
        out = []
        for number, item in enumerate(value, 1):
            if isinstance(item, str):
                out.append(item)
            else:
                self.error(
                    path,
                    f"Item {number} of {path} must be text, but it is "
                    f"{_kind(item)}.{_quote_hint(item)}",
                )
        return out

    def section(self, parent: dict, key: str, path: str, required: bool = False) -> dict | None:
        value = self.value(parent, key, path, required)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.error(
                path,
                f"{path} must be a section of keys (each on its own line, indented under "
                f"{key}:), but it is {_kind(value)}.",
            )
            return None
        return value

    def sections(self, parent: dict, key: str, path: str, what: str) -> list[dict]:
        """A list of sections (contacts, dependencies …); `what` names one in messages."""
        value = self.value(parent, key, path, False)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(
                path,
                f"{path} must be a list of {what}s, each starting with '- ', but it is "
                f"{_kind(value)}.",
            )
            return []
        out = []
        for number, item in enumerate(value, 1):
            if isinstance(item, dict):
                out.append(item)
            else:
                self.error(
                    path,
                    f"Item {number} of {path} must be a {what} (a section of "
                    f"keys such as name:), but it is {_kind(item)}.",
                )
        return out

    def boolean(self, section: dict, key: str, path: str, required: bool = False) -> None:
        value = self.value(section, key, path, required)
        if value is not None and not isinstance(value, bool):
            self.error(path, f"{path} must be true or false, but it is {_kind(value)}.")

    def choice(
        self, section: dict, key: str, path: str, allowed: Iterable[str], required: bool = False
    ) -> str | None:
        value = self.text(section, key, path, required)
        allowed = tuple(allowed)
        if value is not None and value not in allowed:
            self.error(
                path,
                f"{path} is {shown(value)}, which is not one of the values the standard allows: "
                f"{_listed(allowed)}.",
            )
            return None
        return value

    def date(self, section: dict, key: str, path: str, required: bool = False) -> str | None:
        value = self.value(section, key, path, required)
        if value is None:
            return None
        if isinstance(value, str) and _DATE.match(value.strip()):
            try:
                datetime.date.fromisoformat(value.strip())
                return value.strip()
            except ValueError:
                self.error(path, f"{path} is {shown(value)}, which is not a day of the calendar.")
                return None
        self.error(
            path,
            f"{path} must be a date written YYYY-MM-DD, such as 2024-03-20, but it is "
            f"{_kind(value)}.",
        )
        return None

    def url(
        self,
        section: dict,
        key: str,
        path: str,
        required: bool = False,
        schemes: tuple[str, ...] | None = ("http", "https"),
    ) -> str | None:
        value = self.text(section, key, path, required)
        if value is None:
            return None
        problem = _url_problem(value, schemes)
        if problem:
            self.error(path, f"{path} must be a web address, but {shown(value)} {problem}.")
            return None
        return value

    def email(self, section: dict, key: str, path: str) -> str | None:
        value = self.text(section, key, path)
        if value is not None and not _EMAIL.match(value.strip()):
            self.error(
                path,
                f"{path} is {shown(value)}, which is not an email address such as "
                "name@example.org.",
            )
            return None
        return value.strip() if value else None

    def language(self, tag: Any, path: str) -> bool:
        if isinstance(tag, str) and _LANGUAGE_FORM.match(tag) and langcodes.tag_is_valid(tag):
            return True
        if isinstance(tag, bool):
            self.error(
                path,
                f"{path} has a language that YAML reads as {str(tag).lower()} (such as no, "
                "Norwegian, unquoted): put the language tag in quotes.",
            )
            return False
        self.error(
            path,
            f"{path}: {shown(tag)} is not a BCP 47 language tag, such as en, it or nl-BE (a "
            "language subtag, then region or other subtags joined by hyphens).",
        )
        return False

    def known(self, section: dict, path: str, keys: Iterable[str]) -> None:
        """A warning for each key the standard does not have here, with the likely one."""
        keys = list(keys)
        for key in section:
            if key in keys:
                continue
            name = str(key)
            where = f"{path}/{name}" if path else name
            hint = ""
            close = difflib.get_close_matches(name, keys, n=1, cutoff=0.6)
            if name in BELONGS and not path:
                hint = f" It belongs under {BELONGS[name]}."
            elif close:
                hint = f" Did you mean {(path + '/') if path else ''}{close[0]}?"
            self.warn(
                where,
                f"{where} is not a key of the publiccode.yml standard here, so it is "
                f"ignored.{hint}",
            )

    # --- the document ---------------------------------------------------------------------------

    def software(self, doc: dict) -> Graph | None:
        name = doc.get("name")
        if isinstance(name, str):  # problems name the software; a name too long is cut
            name = " ".join(name.split())
            self.entry = name if len(name) <= 100 else name[:100] + "…"
        if not self.version(doc):
            return None
        self.known(doc, "", TOP_KEYS)
        name = self.title(doc)
        url = self.repository(doc)
        landing = self.url(doc, "landingURL", "landingURL")
        based_on = self.based_on(doc)
        suite = self.plain(doc, "applicationSuite")
        version = self.plain(doc, "softwareVersion")
        released = self.date(doc, "releaseDate", "releaseDate", required=self.minor <= 3)
        self.text(doc, "logo", "logo")
        self.text(doc, "monochromeLogo", "monochromeLogo")
        self.text(doc, "roadmap", "roadmap")
        self.texts(doc, "inputTypes", "inputTypes")
        self.texts(doc, "outputTypes", "outputTypes")
        self.texts(doc, "platforms", "platforms", required=True, single=True)
        categories = self.categories(doc)
        users = self.used_by(doc)
        status = self.choice(
            doc, "developmentStatus", "developmentStatus", DEVELOPMENT_STATUSES, required=True
        )
        self.software_type(doc)
        self.organisations(doc, "fundedBy")
        self.supports(doc)
        self.organisation(doc)
        self.audience(doc)
        description = self.description(doc)
        licences = self.legal(doc)
        maintenance, contacts = self.maintenance(doc)
        self.localisation(doc)
        requirements = self.depends_on(doc)
        self.italy(doc)
        if self.errors or name is None or url is None or description is None:
            return None

        self.iri = self.context.model.base.item(REGISTER, reference_for(url))
        s = URIRef(self.iri)
        g = Graph()
        address = URIRef(self.context.address)
        g.add((s, RDF.type, LDR.Software))
        text, language, features, entry = description
        if len(name) < 3:
            name = self.short_title(name, url, entry)
        g.add((s, DCTERMS.title, Literal(name)))
        g.add((s, DCTERMS.description, Literal(text, lang=language)))
        g.add((s, DCTERMS.source, address))
        g.add((s, PROV.wasDerivedFrom, address))
        g.add((s, LDR.harvestedFrom, self.context.source))
        g.add((s, DCTERMS.publisher, self.context.owner))
        g.add((s, SCHEMA.codeRepository, URIRef(url)))
        if landing:
            g.add((s, DCAT.landingPage, URIRef(landing)))
        for original in based_on:
            g.add((s, SCHEMA.isBasedOn, URIRef(original)))
        for licence in licences:
            g.add((s, DCTERMS.license, URIRef(SPDX + licence)))
        if status:
            g.add((s, ADMS.status, URIRef(f"{VOCABULARY}software-status/{status}")))
        if maintenance:
            g.add((s, LDR.maintenanceType, URIRef(f"{VOCABULARY}maintenance-type/{maintenance}")))
        for contact_name, email in contacts:
            node = BNode()
            g.add((s, DCAT.contactPoint, node))
            g.add((node, VCARD.fn, Literal(contact_name)))
            if email:
                g.add((node, VCARD.hasEmail, URIRef("mailto:" + email)))
        if version:
            g.add((s, SCHEMA.softwareVersion, Literal(version)))
        if released:
            g.add((s, DCTERMS.modified, Literal(released, datatype=XSD.date)))
        if suite:
            g.add((s, SCHEMA.applicationSuite, Literal(suite)))
        for user in users:
            g.add((s, LDR.usedBy, URIRef(user)))
        for requirement in requirements:
            g.add((s, SCHEMA.softwareRequirements, Literal(requirement)))
        for feature in features:
            g.add((s, SCHEMA.featureList, Literal(feature, lang=language)))
        for category in categories:
            g.add((s, SCHEMA.applicationCategory, Literal(category)))
        return g

    def version(self, doc: dict) -> bool:
        """Which version's rules apply; False (and an error) when the version is not one read."""
        key = "publiccodeYmlVersion"
        value = doc.get(key)
        if value is None:
            self.error(
                key,
                f"{key} is missing: it must say which version of the standard the file follows, "
                f'such as {key}: "0.4". The registry reads {READ_VERSIONS}.',
            )
            return False
        if isinstance(value, int | float) and not isinstance(value, bool):
            written = repr(value)
            if written in VERSIONS:
                self.warn(
                    key,
                    f'{key} must be text: write it in quotes, {key}: "{written}". Unquoted, '
                    f"YAML reads {written} as a number (it is read as version {written} here).",
                )
                value = written
        if not isinstance(value, str) or value.strip() not in VERSIONS:
            self.error(
                key,
                f"{key} is {_kind(value)}, which is not a version of the standard the registry "
                f"reads: it reads {READ_VERSIONS}.",
            )
            return False
        self.minor = VERSIONS[value.strip()]
        return True

    def title(self, doc: dict) -> str | None:
        name = self.text(doc, "name", "name", required=True)
        if name is None:
            return None
        name = name.strip()
        problem = control_problem(name) or label_problem(name)
        if problem:
            self.error("name", f"name {problem}")
            return None
        if len(name) > 300:
            self.error(
                "name",
                f"name is {len(name)} characters long: the registry takes names of at most 300 "
                "characters. Give the short name people know the software by.",
            )
            return None
        return name

    def short_title(self, name: str, url: str, entry: dict) -> str:
        """A name shorter than the 3 characters a title needs ("IO"), with what the file says
        the software is beside it: "IO (Mobile Application)"."""
        generic = entry.get("genericName") or entry.get("localisedName")
        if (
            not isinstance(generic, str)
            or len(generic.strip()) < 3
            or control_problem(generic)
            or label_problem(" ".join(generic.split()))
        ):
            generic = reference_for(url.rsplit("/", 1)[-1])
        title = f"{name} ({' '.join(generic.split())[:280]})"
        self.warn(
            "name",
            f"name is {shown(name)}, shorter than the 3 characters the registry needs for a "
            f"title, so the record is titled {shown(title)}.",
        )
        return title

    def plain(self, doc: dict, key: str) -> str | None:
        """Optional one-line text the record keeps: a warning, and left out, if unusable."""
        value = self.text(doc, key, key)
        if value is None:
            return None
        value = value.strip()
        problem = control_problem(value)
        if problem:
            self.warn(key, f"{key} {problem} It is left out.")
            return None
        return value

    def repository(self, doc: dict) -> str | None:
        url = self.url(doc, "url", "url", required=True, schemes=None)
        given = doc.get("url")
        if isinstance(given, str):
            self.same_repository(given.strip())
        if url is None:
            return None
        host = (urlsplit(url).hostname or "").lower()  # url is checked: this does not raise
        if host in _EXAMPLE_HOSTS or host.endswith(tuple("." + h for h in _EXAMPLE_HOSTS)):
            self.warn(
                "url",
                f"url is {shown(url)}, an example address (as in the standard's own example), "
                "not the software's repository: give the address of its source code.",
            )
        return url

    def same_repository(self, url: str) -> None:
        """A warning when url names a repository other than the one the file was read from."""
        here, there = forge_repository(self.context.address), forge_repository(url)
        if here and there and here != there:
            self.warn(
                "url",
                f"url names the repository {there}, but this file was read from {here}. If "
                "this repository is a fork kept to contribute to that one, that is as the "
                "standard asks, and the record is the original's; if it is a project of its "
                "own, set url to its own address.",
            )

    def based_on(self, doc: dict) -> list[str]:
        out = []
        for value in self.texts(doc, "isBasedOn", "isBasedOn", single=True) or []:
            if _url_problem(value) is None:
                out.append(value)
            else:
                self.warn(
                    "isBasedOn",
                    f"isBasedOn holds {shown(value)}, which is not the web address of a "
                    "repository, so it is left out: give the original project's url.",
                )
        return out

    def categories(self, doc: dict) -> list[str]:
        values = self.texts(doc, "categories", "categories", required=self.minor <= 4)
        out = []
        for value in values or []:
            if value in CATEGORIES:
                out.append(value)
            else:
                close = difflib.get_close_matches(value, sorted(CATEGORIES), n=1)
                hint = f" (perhaps {close[0]})" if close else ""
                self.error(
                    "categories",
                    f"categories has {shown(value)}, which is not in the standard's list of "
                    f"categories{hint}: use the names its list gives (such as "
                    "document-management), or other.",
                )
        return out

    def used_by(self, doc: dict) -> list[str]:
        out = []
        for name in self.texts(doc, "usedBy", "usedBy") or []:
            key = " ".join(name.split()).lower()
            iri = self.context.organisations.get(key)
            if iri:
                if iri not in out:
                    out.append(iri)
            else:
                self.warn(
                    "usedBy",
                    f"usedBy names {shown(name)}, which is not an organisation registered here, "
                    "so it is left out. If it is one, write its name as the registry has it.",
                )
        return out

    def software_type(self, doc: dict) -> None:
        key = "softwareType"
        value = doc.get(key)
        if value == "standalone":
            self.error(
                key,
                "softwareType is 'standalone', which the standard replaced in 0.2 with more "
                "precise values: use standalone/web, standalone/desktop, standalone/mobile, "
                "standalone/backend, standalone/iot or standalone/other.",
            )
            return
        self.choice(doc, key, key, SOFTWARE_TYPES, required=True)

    def organisations(self, doc: dict, key: str) -> None:
        for item in self.each(self.sections(doc, key, key, "organisation"), key):
            self.known(item, key, ("name", "uri"))
            self.text(item, "name", f"{key}/name", required=True)
            self.text(item, "uri", f"{key}/uri")

    def supports(self, doc: dict) -> None:
        supported = self.sections(doc, "supports", "supports", "supported standard")
        for item in self.each(supported, "supports"):
            self.known(item, "supports", ("id",))
            value = self.text(item, "id", "supports/id", required=True)
            if value is None:
                continue
            if value.startswith("alias:"):
                if value[len("alias:") :] not in ALIASES:
                    self.error(
                        "supports/id",
                        f"supports/id is {shown(value)}, which is not in the standard's list of "
                        f"aliases: use alias: with one of {_listed(sorted(ALIASES))}, or a URI.",
                    )
            elif not _SCHEME.match(value) or _NOT_IRI.search(value):
                self.error(
                    "supports/id",
                    f"supports/id is {shown(value)}, which is neither an alias (alias:gdpr) nor "
                    "a URI (https://… or urn:…).",
                )

    def organisation(self, doc: dict) -> None:
        section = self.section(doc, "organisation", "organisation")
        if section is None:
            return
        self.known(section, "organisation", ("uri", "name"))
        uri = self.text(section, "uri", "organisation/uri", required=True)
        if uri is not None and (not _SCHEME.match(uri) or _NOT_IRI.search(uri)):
            self.error(
                "organisation/uri",
                f"organisation/uri is {shown(uri)}, which is not a URI: give a web address "
                "(https://…) or a URN (urn:…) that identifies the organisation.",
            )
        self.text(section, "name", "organisation/name")

    def audience(self, doc: dict) -> None:
        section = self.section(doc, "intendedAudience", "intendedAudience")
        if section is None:
            return
        self.known(section, "intendedAudience", ("countries", "unsupportedCountries", "scope"))
        for key in ("countries", "unsupportedCountries"):
            path = f"intendedAudience/{key}"
            for code in self.texts(section, key, path) or []:
                if not _COUNTRY.match(code):
                    self.error(
                        path,
                        f"{path} has {shown(code)}, which is not a two-letter ISO 3166-1 "
                        "country code such as IT or NL.",
                    )
        for scope in self.texts(section, "scope", "intendedAudience/scope") or []:
            if scope not in SCOPES:
                self.error(
                    "intendedAudience/scope",
                    f"intendedAudience/scope has {shown(scope)}, which is not in the standard's "
                    f"scope list: use {_listed(sorted(SCOPES))}.",
                )

    def description(self, doc: dict) -> Description | None:
        """(the description, its language, its features) for the record."""
        section = self.section(doc, "description", "description", required=True)
        if section is None:
            return None
        if not section:
            self.error(
                "description",
                "description has no language: give at least one, such as description: en: "
                "shortDescription: …",
            )
            return None
        shortest = 500 if self.minor == 2 else 150
        languages: dict[str, dict] = {}
        has_long = has_features = False
        for tag, entry in section.items():
            path = f"description/{tag}"
            if not self.language(tag, path):
                continue
            if not isinstance(entry, dict):
                self.error(
                    path,
                    f"{path} must be a section of keys (shortDescription, longDescription, "
                    f"features …), but it is {_kind(entry)}.",
                )
                continue
            self.known(entry, path, DESCRIPTION_KEYS)
            self.text(entry, "localisedName", f"{path}/localisedName")
            self.text(entry, "genericName", f"{path}/genericName", self.minor == 2, most=35)
            self.text(entry, "shortDescription", f"{path}/shortDescription", True, most=150)
            long = self.text(entry, "longDescription", f"{path}/longDescription", most=10000)
            if long is not None:
                has_long = True
                if len(long.strip()) < shortest:
                    self.error(
                        f"{path}/longDescription",
                        f"{path}/longDescription is {len(long.strip())} characters long; the "
                        f"standard asks for at least {shortest}. Say more about what the "
                        "software does and for whom.",
                    )
            features = self.texts(entry, "features", f"{path}/features")
            if features is not None:
                has_features = True
                if self.minor == 2:
                    for feature in features:
                        if len(feature) > 100:
                            self.error(
                                f"{path}/features",
                                f"{path}/features has a feature of {len(feature)} characters "
                                f"({shown(feature, 40)}); version 0.2 allows at most 100.",
                            )
            self.url(entry, "documentation", f"{path}/documentation")
            self.url(entry, "apiDocumentation", f"{path}/apiDocumentation")
            self.texts(entry, "screenshots", f"{path}/screenshots")
            for video in self.texts(entry, "videos", f"{path}/videos") or []:
                if _url_problem(video):
                    self.error(
                        f"{path}/videos",
                        f"{path}/videos has {shown(video)}, which is not a web address.",
                    )
            self.texts(entry, "awards", f"{path}/awards")
            languages[str(tag)] = entry
        if languages and not has_long:
            self.error(
                "description/[lang]/longDescription",
                "No language of description has a longDescription: the standard requires one "
                "in at least one language.",
            )
        if languages and not has_features:
            self.error(
                "description/[lang]/features",
                "No language of description has features: the standard requires a list of "
                "features in at least one language.",
            )
        if not languages:
            return None
        return self.chosen_description(languages)

    def chosen_description(self, languages: dict[str, dict]) -> Description | None:
        """English if given (en, else en-GB and the like), else the first language; its
        longDescription, else its shortDescription."""
        tags = list(languages)
        english = [t for t in tags if t.lower() == "en"] or [
            t for t in tags if t.lower().startswith("en-")
        ]
        tag = (english or tags)[0]
        entry = languages[tag]
        key = "longDescription" if isinstance(entry.get("longDescription"), str) else None
        key = key or "shortDescription"
        path = f"description/{tag}/{key}"
        text = entry.get(key)
        if not isinstance(text, str):
            return None
        text = text.strip()
        problem = control_problem(text)
        if problem:
            self.error(path, f"{path} {problem}")
            return None
        if len(text) < 20:
            self.error(
                path,
                f"{path} is the description the registry shows, and it has {len(text)} "
                "characters: the registry needs at least 20 saying what the software is and who "
                "it is for. Give a longDescription.",
            )
            return None
        features = []
        given = entry.get("features")
        for feature in given if isinstance(given, list) else []:
            if isinstance(feature, str) and feature.strip():
                if control_problem(feature):
                    self.warn(
                        f"description/{tag}/features",
                        "A feature holds a control "
                        "character, so it is left out: type it again without it.",
                    )
                else:
                    features.append(" ".join(feature.split()))
        return text, tag, features, entry

    def legal(self, doc: dict) -> list[str]:
        section = self.section(doc, "legal", "legal", required=True)
        if section is None:
            return []
        self.known(section, "legal", ("license", "mainCopyrightOwner", "repoOwner", "authorsFile"))
        for key in ("mainCopyrightOwner", "repoOwner", "authorsFile"):
            self.text(section, key, f"legal/{key}")
        expression = self.text(section, "license", "legal/license", required=True)
        if expression is None:
            return []
        return self.licences(expression)

    def licences(self, expression: str) -> list[str]:
        """The SPDX identifiers of the licences in the expression (exceptions left aside)."""
        field = "legal/license"
        licensing = _licensing()
        try:
            parsed = licensing.parse(expression, validate=True, strict=True)
            symbols = [] if parsed is None else licensing.license_symbols(parsed, decompose=True)
        except Exception as exc:  # the library raises several kinds, and some of its own bugs
            reason = str(exc)
            unknown = re.match(r"Unknown license key\(s\): (.*)", reason)
            if unknown:
                reason = f": {unknown.group(1)} is not an identifier on the SPDX licence list"
            elif "Invalid license key" in reason:
                reason = " (a licence's name rather than its identifier?)"
            else:
                reason = f" ({reason.split(' for token')[0].rstrip('.')})"
            self.error(
                field,
                f"legal/license is {shown(expression)}, which is not a valid SPDX licence "
                f"expression{reason}. Write the licence's SPDX identifier "
                "(https://spdx.org/licenses/), such as EUPL-1.2 or AGPL-3.0-or-later; join "
                "several with AND or OR.",
            )
            return []
        out = []
        for symbol in symbols:
            key = str(symbol.key)
            if getattr(symbol, "is_exception", False):
                continue
            if key.startswith(("LicenseRef-", "DocumentRef-")):
                self.error(
                    field,
                    f"legal/license names {key}, a licence of its own rather than one on the "
                    "SPDX licence list: the registry records licences from that list.",
                )
                continue
            if key not in out:
                out.append(key)
        if not out and not self.errors:
            self.error(field, "legal/license names no licence: give an SPDX identifier.")
        return out

    def maintenance(self, doc: dict) -> tuple[str | None, list[tuple[str, str | None]]]:
        section = self.section(doc, "maintenance", "maintenance", required=True)
        if section is None:
            return None, []
        self.known(section, "maintenance", ("type", "contractors", "contacts"))
        kind = self.choice(section, "type", "maintenance/type", MAINTENANCE_TYPES, required=True)
        contractors = self.sections(section, "contractors", "maintenance/contractors", "contractor")
        for item in self.each(contractors, "maintenance/contractors"):
            path = "maintenance/contractors"
            self.known(item, path, ("name", "until", "email", "website"))
            self.text(item, "name", f"{path}/name", required=True)
            self.date(item, "until", f"{path}/until", required=True)
            self.email(item, "email", f"{path}/email")
            self.text(item, "website", f"{path}/website")
        contacts = []
        listed = self.sections(section, "contacts", "maintenance/contacts", "contact")
        for item in self.each(listed, "maintenance/contacts"):
            path = "maintenance/contacts"
            self.known(item, path, ("name", "email", "phone", "affiliation"))
            name = self.text(item, "name", f"{path}/name", required=True)
            email = self.email(item, "email", f"{path}/email")
            self.text(item, "phone", f"{path}/phone")
            self.text(item, "affiliation", f"{path}/affiliation")
            if name is not None:
                name = " ".join(name.split())
                problem = control_problem(name) or label_problem(name)
                if problem:
                    self.warn(f"{path}/name", f"{path}/name {problem} The contact is left out.")
                else:
                    contacts.append((name, email))
        if kind == "contract" and _absent(section, "contractors"):
            self.error(
                "maintenance/contractors",
                "maintenance/contractors is missing: when maintenance/type is contract, the "
                "standard requires the contractors, each with name and until (YYYY-MM-DD).",
            )
        if kind is not None and kind != "contract" and not _absent(section, "contractors"):
            message = (
                f"maintenance/contractors is given, but maintenance/type is {kind}: contractors "
                "go only with type contract. Set the type to contract, or remove them."
            )
            (self.error if self.minor >= 5 else self.warn)("maintenance/contractors", message)
        if kind in ("internal", "community") and _absent(section, "contacts"):
            self.error(
                "maintenance/contacts",
                f"maintenance/contacts is missing: when maintenance/type is {kind}, the standard "
                "requires at least one contact, with name (and email).",
            )
        return kind, contacts

    def localisation(self, doc: dict) -> None:
        section = self.section(doc, "localisation", "localisation", required=True)
        if section is None:
            return
        self.known(section, "localisation", ("localisationReady", "availableLanguages"))
        self.boolean(section, "localisationReady", "localisation/localisationReady", True)
        path = "localisation/availableLanguages"
        for tag in self.texts(section, "availableLanguages", path, required=True) or []:
            self.language(tag, path)

    def depends_on(self, doc: dict) -> list[str]:
        section = self.section(doc, "dependsOn", "dependsOn")
        if section is None:
            return []
        self.known(section, "dependsOn", DEPENDENCY_KINDS)
        out = []
        for kind, note in DEPENDENCY_KINDS.items():
            path = f"dependsOn/{kind}"
            for item in self.each(self.sections(section, kind, path, "dependency"), path):
                text = self.dependency(item, path, note)
                if text and text not in out:
                    out.append(text)
        return out

    def dependency(self, item: dict, path: str, note: str) -> str | None:
        """'PostgreSQL >= 11 (optional)' for a dependency."""
        self.known(item, path, ("name", "versionMin", "versionMax", "version", "optional"))
        name = self.text(item, "name", f"{path}/name", required=True)
        constraints = []
        for key, prefix in (("version", ""), ("versionMin", ">= "), ("versionMax", "<= ")):
            value = item.get(key)
            if value is None or value == "":
                continue
            if isinstance(value, float):
                self.warn(
                    f"{path}/{key}", f"{path}/{key} is the number {value!r}.{_quote_hint(value)}"
                )
            elif not isinstance(value, str | int) or isinstance(value, bool):
                self.error(f"{path}/{key}", f"{path}/{key} must be text, but it is {_kind(value)}.")
                continue
            constraints.append(prefix + " ".join(str(value).split()))
        self.boolean(item, "optional", f"{path}/optional")
        if name is None:
            return None
        notes = [n for n in (note, "optional" if item.get("optional") is True else "") if n]
        text = " ".join(name.split())
        if constraints:
            text += " " + ", ".join(constraints)
        if notes:
            text += f" ({', '.join(notes)})"
        if control_problem(text):
            self.warn(f"{path}/name", f"{path}/name holds a control character; it is left out.")
            return None
        return text

    def italy(self, doc: dict) -> None:
        """The Italian section (it or IT; deprecated in 0.7): checked, not kept."""
        for code in ("it", "IT"):
            section = self.section(doc, code, code)
            if section is None:
                continue
            self.known(
                section, code, ("countryExtensionVersion", "conforme", "piattaforme", "riuso")
            )
            self.text(section, "countryExtensionVersion", f"{code}/countryExtensionVersion", True)
            groups: dict[str, tuple[str, ...]] = {
                "conforme": (
                    "lineeGuidaDesign",
                    "modelloInteroperabilita",
                    "modelloInteroperatibilita",  # so spelled in core-0.2.1's text
                    "misureMinimeSicurezza",
                    "gdpr",
                ),
                "piattaforme": ("spid", "cie", "anpr", "pagopa", "io"),
            }
            for group, keys in groups.items():
                part = self.section(section, group, f"{code}/{group}")
                if part is None:
                    continue
                self.known(part, f"{code}/{group}", keys)
                for key in keys:
                    self.boolean(part, key, f"{code}/{group}/{key}")
            riuso = self.section(section, "riuso", f"{code}/riuso")
            if riuso is not None:
                self.known(riuso, f"{code}/riuso", ("codiceIPA",))
                self.text(riuso, "codiceIPA", f"{code}/riuso/codiceIPA")
