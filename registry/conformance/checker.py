"""Checking a supplier's data against a standard's own validation resources (W3C PROF:
prof:hasResource with role:Validation). JSON Schema resources are run with jsonschema, with
every $ref resolved to a local copy — nothing is fetched — and format checking on.

Where the schemas are: LDR_RESOURCE_DIRS lists directories holding copies of the published
schema files. A reference is found by the `$id` (or draft-04 `id`) the files declare, or else
by its file name, which also covers references to an older URL of the same file (360Giving's
package schema points at the 1.4.2 URL of its 1.4.3 grant schema).
"""

from __future__ import annotations

import datetime
import hashlib
import http.client
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jsonschema
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4, DRAFT202012

from registry import ROOT
from registry.rdf.identifiers import sparql_iri
from registry.rdf.namespaces import LDR
from registry.rdf.text import MAX_NESTING, line_and_column, nesting_depth
from registry.store import Store
from registry.vocab.model import Model

ROLE_VALIDATION = "http://www.w3.org/ns/dx/prof/role/validation"
JSON_SCHEMA_FORMAT = "https://www.iana.org/assignments/media-types/application/schema+json"


class ConformanceError(Exception):
    """The check cannot be run: the message says why (no resource, resource not held, bad input).
    `status` is the HTTP status it maps to: 422 unless the input itself is refused (400)."""

    def __init__(self, message: str, status: int = 422, link: str | None = None):
        super().__init__(message)
        self.status = status
        self.link = link  # where a person can read more (a standard's specification), if anywhere


@dataclass
class Problem:
    record: str  # which record in the file ("grants[3]", "releases[0]", or "the file")
    field: str  # where in the record ("awardDate", "amount/currency")
    message: str


@dataclass
class Outcome:
    standard: str
    resource: str
    conforms: bool
    problems: list[Problem] = field(default_factory=list)
    checked_at: str = ""
    data_sha256: str = ""
    chosen: bool = (
        False  # whether the kind of document was named, rather than worked out from the data
    )

    @property
    def kind(self) -> str:
        """The kind of document the data was checked as ("service", "release-package")."""
        return kind_name(self.resource)

    def grouped(self) -> dict[str, list[Problem]]:
        out: dict[str, list[Problem]] = {}
        for p in self.problems:
            out.setdefault(p.record, []).append(p)
        return out


@cache
def _local_schemas(directories: tuple[str, ...]) -> tuple[dict[str, Path], dict[str, list[Path]]]:
    """Every JSON file in the directories, by the identifier it declares and by file name."""
    by_id: dict[str, Path] = {}
    by_name: dict[str, list[Path]] = {}
    for directory in directories:
        for path in sorted(Path(directory).rglob("*.json")):
            by_name.setdefault(path.name, []).append(path)
            try:
                content = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, OSError):
                continue
            if isinstance(content, dict):
                ident = content.get("$id") or content.get("id")
                if isinstance(ident, str) and ("$schema" in content or "properties" in content):
                    by_id.setdefault(ident.rstrip("#"), path)
    return by_id, by_name


PINNED = ROOT / "data" / "standard-schemas.json"


@cache
def pinned_schemas() -> tuple[dict, ...]:
    """The published schema files the starter standards name (data/standard-schemas.json): the
    address they are known by, where a pinned copy is downloaded from, its path in a resource
    directory and its sha256."""
    return tuple(json.loads(PINNED.read_text(encoding="utf-8"))["files"])


def _find(uri: str, directories: tuple[str, ...]) -> Path | None:
    uri = uri.rstrip("#")
    for (
        entry
    ) in pinned_schemas():  # a known address: its copy, wherever a resource directory holds it
        if entry["address"] == uri:
            for directory in directories:
                if (Path(directory) / entry["path"]).is_file():
                    return Path(directory) / entry["path"]
    by_id, by_name = _local_schemas(directories)
    if uri in by_id:
        return by_id[uri]
    name = uri.rsplit("/", 1)[-1].split("#")[0]
    if not name.endswith(".json"):
        name += ".json"
    candidates = [
        p for p in by_name.get(name, []) if "schema" in p.parts or len(by_name[name]) == 1
    ]
    return candidates[0] if candidates else None


def _contents(path: Path, uri: str) -> dict:
    """A schema file's JSON, identified by the address it was found by when it declares none, so
    that its relative references ("phone.json") resolve beside it, as they do where it is published."""
    content = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(content, dict) and not (content.get("$id") or content.get("id")) and ":" in uri:
        key = "id" if "draft-04" in str(content.get("$schema", "")) else "$id"
        content = {key: uri.rstrip("#"), **content}
    return content


def _resource(path: Path, uri: str) -> Resource:
    content = _contents(path, uri)
    declared = str(content.get("$schema", ""))
    spec = DRAFT4 if "draft-04" in declared else DRAFT202012
    return Resource.from_contents(content, default_specification=spec)


def validator_for(artifact: str, directories: tuple[str, ...]):
    """A jsonschema validator for the schema published at `artifact`, resolving every $ref locally."""
    path = _find(artifact, directories)
    if path is None:
        raise ConformanceError(
            f"The registry holds no copy of {artifact}. A deployer downloads the published schema "
            "files with `ldr fetch-schemas`, or names a directory holding them in LDR_RESOURCE_DIRS "
            "(docs/deployment.md); the checker itself fetches nothing from the web."
        )
    schema = _contents(path, artifact)

    def retrieve(uri: str) -> Resource:
        found = _find(uri, directories)
        if found is None:
            # referencing's stubs declare its attrs classes in a way mypy does not read
            raise NoSuchResource(ref=uri)  # type: ignore[call-arg]
        return _resource(found, uri)

    registry = Registry(retrieve=retrieve)  # type: ignore[call-arg]  # (as for NoSuchResource)
    declared = str(schema.get("$schema", ""))
    cls = jsonschema.Draft4Validator if "draft-04" in declared else jsonschema.Draft202012Validator
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def _top_level(schema: dict) -> tuple[str | None, set[str], set[str]]:
    """The JSON type a schema describes at the top, its declared properties and its required ones
    (including those of its allOf parts)."""
    parts = [schema] + [p for p in schema.get("allOf", []) if isinstance(p, dict)]
    kind = next((p["type"] for p in parts if isinstance(p.get("type"), str)), None)
    declared = {k for p in parts for k in (p.get("properties") or {})}
    required = {k for p in parts for k in (p.get("required") or [])}
    return kind, declared, required


def kind_name(artifact: str) -> str:
    """The kind of document a schema describes, as people say it: the file name without .json."""
    return artifact.rstrip("/").rsplit("/", 1)[-1].removesuffix(".json").removesuffix("-schema")


def choose_schema(
    instance,
    artifacts: list[str],
    directories: tuple[str, ...],
    wanted: str = "",
    title: str = "This standard",
) -> str:
    """The one of a standard's schemas that describes this kind of document. `wanted` (a kind's
    name, or an address) picks it outright; otherwise, among the schemas of the document's JSON type,
    the one that declares most of its top-level fields (and fewest it does not declare) wins, then
    the one whose required fields it has most of — a document missing a required field is still
    checked with the schema for its kind, and told so."""
    if wanted:
        for artifact in artifacts:
            if wanted in (artifact, kind_name(artifact)):
                return artifact
        raise ConformanceError(
            f"{title} has no schema for {wanted!r}; it has "
            + ", ".join(kind_name(a) for a in artifacts)
            + "."
        )
    if len(artifacts) == 1:
        return artifacts[0]
    held = [(a, _find(a, directories)) for a in artifacts]
    if not any(path for _, path in held):
        validator_for(artifacts[0], directories)  # says which copy is missing and how to get it
    keys = set(instance) if isinstance(instance, dict) else set()
    best, best_score = None, None
    for artifact, path in held:
        if path is None:
            continue
        kind, declared, required = _top_level(_contents(path, artifact))
        if (
            kind == "object"
            and not isinstance(instance, dict)
            or kind == "array"
            and not isinstance(instance, list)
        ):
            continue
        score = (len(keys & declared) - len(keys - declared), len(required & keys))
        if (score[0] > 0 or isinstance(instance, list)) and (
            best_score is None or score > best_score
        ):
            best, best_score = artifact, score
    if best is None:
        if isinstance(instance, dict) and isinstance(instance.get("contents"), list):
            raise ConformanceError(_no_list_schema(instance, [a for a, p in held if p], title))
        raise ConformanceError(
            "The data does not have the fields of any kind of document this standard describes ("
            + "; ".join(
                f"{kind_name(a)}: {', '.join(sorted(_top_level(_contents(p, a))[2])) or 'no required fields'}"
                for a, p in held
                if p
            )
            + "). Send one of them, or choose the kind of document (schema=KIND in the API)."
        )
    return best


def _no_list_schema(instance: dict, artifacts: list[str], title: str) -> str:
    """Why a page of a list response (`contents` and paging fields around it) cannot be checked
    with a standard that has schemas for single documents only."""
    around = ", ".join(sorted(k for k in instance if k != "contents")[:8])
    return (
        f"This is a page of a list (its entries are in contents{', with ' + around if around else ''}). "
        f"{title} has schemas here for single documents only ({', '.join(kind_name(a) for a in artifacts)}), "
        "none for a list, so the page cannot be checked as a whole. Check its entries one at a time: "
        "save an entry of contents as a file of its own and check it as the kind of document it is."
    )


def validation_resources(store: Store, iri: str) -> list[tuple[str, str]]:
    """(artifact, format) of each validation resource the standard declares."""
    rows = store.select(f"""SELECT ?artifact ?format WHERE {{ {sparql_iri(iri)} <http://www.w3.org/ns/dx/prof/hasResource> ?r .
        ?r <http://www.w3.org/ns/dx/prof/hasRole> {sparql_iri(ROLE_VALIDATION)} ; <http://www.w3.org/ns/dx/prof/hasArtifact> ?artifact .
        OPTIONAL {{ ?r <http://purl.org/dc/terms/format> ?format }} }} ORDER BY ?artifact""")
    return [(str(r["artifact"]), str(r.get("format", ""))) for r in rows]


def checkable_standards(store: Store, directories: tuple[str, ...]) -> list[dict]:
    """Every registered standard that declares JSON Schema or SHACL validation resources, with the
    kinds of document it checks and whether this registry holds the files to check them."""
    rows = store.select(f"""SELECT ?standard ?title ?artifact ?format WHERE {{
        ?standard a <http://purl.org/dc/terms/Standard> ; <http://purl.org/dc/terms/title> ?title ;
            <http://www.w3.org/ns/dx/prof/hasResource> ?r .
        ?r <http://www.w3.org/ns/dx/prof/hasRole> {sparql_iri(ROLE_VALIDATION)} ; <http://www.w3.org/ns/dx/prof/hasArtifact> ?artifact .
        OPTIONAL {{ ?r <http://purl.org/dc/terms/format> ?format }} }} ORDER BY ?title ?artifact""")
    out: dict[str, dict] = {}
    for row in rows:
        entry = out.setdefault(
            str(row["standard"]),
            {
                "iri": str(row["standard"]),
                "title": str(row["title"]),
                "kinds": [],
                "schemas": [],
                "missing": [],
            },
        )
        artifact, fmt = str(row["artifact"]), str(row.get("format", ""))
        if artifact.endswith("/def/shapes") or fmt in SHACL_FORMATS:
            entry["kinds"].append("RDF records (SHACL shapes)")
            continue
        entry["kinds"].append(kind_name(artifact))
        entry["schemas"].append(
            kind_name(artifact)
        )  # the kinds of JSON document a person may choose
        if _find(artifact, directories) is None:
            entry["missing"].append(artifact)
    for entry in out.values():
        entry["held"] = not entry["missing"]
    return list(out.values())


def _where(error) -> tuple[str, str]:
    """Which record of the file, and which field within it, an error is about."""
    path = list(error.absolute_path)
    if len(path) >= 2 and isinstance(path[0], str) and isinstance(path[1], int):
        record, rest = f"{path[0]}[{path[1]}]", path[2:]
    else:
        record, rest = "the file", path
    return record, "/".join(str(p) for p in rest) or "(the whole record)"


def _plain(error) -> str:
    kind = error.validator
    if kind == "required":
        return f"is missing {error.message.split(' is a required property')[0]}, which is required"
    if kind == "type":
        return f"has {json.dumps(error.instance)[:80]}, which should be {error.validator_value}"
    if kind == "format":
        return (
            f"has {json.dumps(error.instance)[:80]}, which is not a valid {error.validator_value}"
        )
    if kind == "enum":
        return f"has {json.dumps(error.instance)[:80]}, which is not one of the allowed values"
    if kind == "uniqueItems":
        return "has items that repeat; each must be different"
    if kind in ("oneOf", "anyOf"):
        return (
            f"has {json.dumps(error.instance)[:80]}, which does not match any of the allowed forms"
        )
    return error.message[:300]


def _outcome(standard: str, artifact: str, problems: list[Problem], data: bytes) -> Outcome:
    return Outcome(
        standard,
        artifact,
        not problems,
        problems,
        datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        hashlib.sha256(data).hexdigest(),
    )


class _NotJson(ValueError):
    """What Python's json module reads but JSON (RFC 8259) does not allow."""


def _not_json_constant(name: str):
    """NaN, Infinity and -Infinity, which Python's json reads and JSON does not have."""
    raise _NotJson(
        f"{name} is not a JSON value (RFC 8259 has no NaN or Infinity): write a number, or null"
    )


def _no_repeated_names(pairs: list[tuple[str, object]]) -> dict:
    """An object, or _NotJson when a name is given twice: programs read such an object
    differently (the first value, the last, or an error), so its meaning is not sure."""
    seen: dict = {}
    for name, value in pairs:
        if name in seen:
            raise _NotJson(
                f"the name {json.dumps(name)[:80]} is given twice in one object (RFC 8259 says its "
                "meaning is then unpredictable): keep one"
            )
        seen[name] = value
    return seen


def _finite_number(text: str) -> float:
    """A JSON number, or _NotJson for one too large for any program to read as a number (1e309)."""
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise _NotJson(
            f"the number {text[:40]} is too large to be read as a number by the programs that use "
            "the data: write it as it is meant, within about 1.8e308"
        )
    return value


def check_json(
    standard: str,
    artifact: str | list[str],
    data: bytes,
    directories: tuple[str, ...],
    limit: int = 1000,
    wanted: str = "",
    title: str = "This standard",
) -> Outcome:
    """Check JSON data with a schema; given a list of a standard's schemas, with the one for the
    kind of document the data is (choose_schema), which the outcome names."""
    depth, offset = nesting_depth(data, "json")
    if offset >= 0:  # before json.loads, which recurses, as jsonschema does over the instance
        line, column = line_and_column(data, offset)
        raise ConformanceError(
            f"The data nests objects or arrays more than {MAX_NESTING} levels deep (line {line}, "
            f"column {column}), deeper than the checker reads: no standard's records need that.",
            status=400,
        )
    try:
        instance = json.loads(
            data,
            parse_constant=_not_json_constant,
            parse_float=_finite_number,
            object_pairs_hook=_no_repeated_names,
        )
    except _NotJson as exc:
        raise ConformanceError(f"The data is not JSON: {exc}") from None
    except ValueError as exc:
        raise ConformanceError(f"The data is not JSON: {exc}") from exc
    except RecursionError:  # a second wall: the scan above refuses such input first
        raise ConformanceError(
            f"The data nests objects or arrays more than {MAX_NESTING} levels deep.", status=400
        ) from None
    if isinstance(artifact, list):
        artifact = choose_schema(instance, artifact, directories, wanted, title)
    validator = validator_for(artifact, directories)
    problems = []
    try:
        for error in sorted(
            validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))
        ):
            record, where = _where(error)
            problems.append(Problem(record, where, _plain(error)))
            if len(problems) >= limit:
                break
    except RecursionError:  # a schema whose $refs go round, on data that follows them
        raise ConformanceError(
            "The schema and the data together nest too deeply to check."
        ) from None
    outcome = _outcome(standard, artifact, problems, data)
    outcome.chosen = bool(wanted)
    return outcome


SHACL_FORMATS = {"https://www.iana.org/assignments/media-types/text/turtle", "text/turtle"}


def check_shacl(
    standard: str,
    artifact: str,
    data: bytes,
    media_type: str,
    model: Model,
    store: Store,
    directories: tuple[str, ...],
) -> Outcome:
    """Run SHACL shapes on RDF data. The registry's own shapes (namespaces.vocabulary_iri('shapes')) run as every
    submission is validated; other shapes are read from a local copy, like JSON Schemas."""
    from registry.rdf import rdfio

    fmt = rdfio.format_for_media_type(media_type or "") or rdfio.FORMATS["turtle"]
    try:  # anyone may send data to check: the same cap on statements as a submission has
        graph = rdfio.parse(
            data,
            fmt,
            model.base.parse_base,
            source="the data",
            max_statements=rdfio.MAX_SUBMISSION_STATEMENTS,
        )
    except rdfio.InputError as exc:
        raise ConformanceError(str(exc)) from exc
    problems: list[Problem] = []
    if artifact.rstrip("/") == model.base.shapes_graph:
        from registry.records.validation import validate_graph

        _, report = validate_graph(graph, model, store)
        results = [
            (r.record or r.focus, r.field or r.path or "(the record)", r.message, r.severity)
            for r in report.results
        ]
    else:
        import pyshacl
        from rdflib import Graph
        from rdflib.namespace import SH

        path = _find(artifact, directories)
        if path is None:
            raise ConformanceError(
                f"The registry holds no copy of {artifact}; add it to a directory in LDR_RESOURCE_DIRS."
            )
        shapes = Graph().parse(path)
        _, report_graph, _ = pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=True)
        results = []
        for node in report_graph.subjects(SH.resultSeverity, None):
            results.append(
                (
                    str(report_graph.value(node, SH.focusNode)),
                    str(report_graph.value(node, SH.resultPath) or ""),
                    str(report_graph.value(node, SH.resultMessage) or "does not meet a rule"),
                    str(report_graph.value(node, SH.resultSeverity)).rsplit("#", 1)[-1],
                )
            )
    for record, where, message, severity in sorted(results):
        if severity == "Violation":
            problems.append(Problem(record, where, message))
    return _outcome(standard, artifact, problems, data)


def check(
    store: Store,
    model: Model,
    standard: str,
    data: bytes,
    directories: tuple[str, ...],
    media_type: str = "application/json",
    wanted: str = "",
) -> Outcome:
    """Run the standard's validation resource on the data: a JSON Schema, or SHACL shapes."""
    resources = validation_resources(store, standard)
    if not resources:
        raise no_schema(store, model, standard)
    shacl = [
        a
        for a, f in resources
        if f in SHACL_FORMATS or a.endswith(".ttl") or a.endswith("/def/shapes")
    ]
    json_schemas = [
        a
        for a, f in resources
        if f == JSON_SCHEMA_FORMAT or a.endswith(".json") or a.startswith("urn:")
    ]
    if shacl and (
        not json_schemas or not media_type.endswith("json") or media_type == "application/ld+json"
    ):
        return check_shacl(standard, shacl[0], data, media_type, model, store, directories)
    if not json_schemas:
        raise ConformanceError(
            f"{standard}'s validation resources are neither JSON Schemas nor SHACL shapes."
        )
    return check_json(
        standard, json_schemas, data, directories, wanted=wanted, title=_title(store, standard)
    )


def _title(store: Store, iri: str) -> str:
    return next(
        (
            str(r["t"])
            for r in store.select(
                f"SELECT ?t WHERE {{ {sparql_iri(iri)} <http://purl.org/dc/terms/title> ?t }} LIMIT 1"
            )
        ),
        "This standard",
    )


def no_schema(store: Store, model: Model, standard: str) -> ConformanceError:
    """What a person is told about a standard that declares no schema to check against: in words,
    with where to read the standard instead (its specification, else its landing page)."""
    link = next(
        (
            str(r["page"])
            for r in store.select(f"""SELECT ?page WHERE {{
        {{ {sparql_iri(standard)} {sparql_iri(model.base.ldr.specification)} ?page BIND(0 AS ?rank) }} UNION
        {{ {sparql_iri(standard)} <http://www.w3.org/ns/dcat#landingPage> ?page BIND(1 AS ?rank) }} }}
        ORDER BY ?rank ?page LIMIT 1""")
        ),
        None,
    )
    return ConformanceError(
        f"{_title(store, standard)} publishes no schema that this registry can check data against, so a file "
        "cannot be checked here. Check your data against the standard's specification"
        + (f" instead: {link}" if link else " instead")
        + ", and ask its publisher whether they offer a validator.",
        link=link,
    )


def dqv(outcome: Outcome, base: str) -> dict:
    """The same result as a W3C DQV quality measurement of the data (JSON-LD)."""
    return {
        "@context": {
            "dqv": "http://www.w3.org/ns/dqv#",
            "prov": "http://www.w3.org/ns/prov#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@type": "dqv:QualityMeasurement",
        "dqv:computedOn": {"@id": f"urn:sha256:{outcome.data_sha256}"},
        "dqv:isMeasurementOf": {"@id": str(LDR.conformsToStandard)},
        "dqv:value": {"@value": "true" if outcome.conforms else "false", "@type": "xsd:boolean"},
        "prov:generatedAtTime": {"@value": outcome.checked_at, "@type": "xsd:dateTime"},
        "prov:wasDerivedFrom": {"@id": outcome.resource},
    }


def fetch_allowed(
    url: str, allowed_prefixes: list[str], max_bytes: int, timeout: float = 10.0
) -> bytes:
    """Data at a URL, only if a steward has allowed its prefix (LDR_CHECK_URL_PREFIXES); refused
    otherwise, and refused past the size limit. Redirects are not followed."""
    import urllib.error
    import urllib.request

    if not url.startswith(("https://", "http://")) or not any(
        url.startswith(p) for p in allowed_prefixes if p
    ):
        raise ConformanceError(
            f"{url} is not at an address a steward has allowed for checking "
            f"(LDR_CHECK_URL_PREFIXES). Upload the file instead."
        )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
    except (urllib.error.URLError, OSError) as exc:
        raise ConformanceError(f"Could not read {url}: {exc}") from exc
    except (
        ValueError,
        http.client.HTTPException,
    ) as exc:  # a newline or a bad port in the address; a cut answer
        raise ConformanceError(f"Could not read {url!r}: {exc}") from exc
    if len(data) > max_bytes:
        raise ConformanceError(
            f"The data at {url} is larger than the limit of {max_bytes:,} bytes."
        )
    return data


def earl(outcome: Outcome, base: str) -> dict:
    """A W3C EARL assertion a supplier can attach to a product record (JSON-LD)."""
    return {
        "@context": {
            "earl": "http://www.w3.org/ns/earl#",
            "dcterms": "http://purl.org/dc/terms/",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@type": "earl:Assertion",
        "earl:assertedBy": {"@id": f"{base}/"},
        "earl:subject": {"@id": f"urn:sha256:{outcome.data_sha256}"},
        "earl:test": {"@id": outcome.standard},
        "earl:mode": {"@id": "earl:automatic"},
        "earl:result": {
            "@type": "earl:TestResult",
            "earl:outcome": {"@id": "earl:passed" if outcome.conforms else "earl:failed"},
            "dcterms:date": {"@value": outcome.checked_at, "@type": "xsd:dateTime"},
            "dcterms:description": f"{len(outcome.problems)} problem(s) against {outcome.resource}",
        },
    }


def resource_directories(settings) -> tuple[str, ...]:
    """Where the checker looks for schema files: the directories in LDR_RESOURCE_DIRS, then
    `{store}.schemas`, where `ldr fetch-schemas` puts the pinned published files."""
    from registry.runtime.settings import beside_store

    configured = [d for d in str(settings["LDR_RESOURCE_DIRS"]).split(":") if d]
    return tuple(configured + [str(beside_store(settings, None, ".schemas"))])


def fetch_schemas(
    target: Path,
    files: tuple[dict, ...] | list[dict] | None = None,
    timeout: float = 30.0,
    say=lambda line: None,
) -> int:
    """Download each pinned schema file into `target` (at its `path`), refusing any whose sha256 is
    not the pinned one; files already there with the right sha256 are kept. Returns how many were
    downloaded. Raises ConformanceError naming the file and the address when one cannot be had."""
    import os
    import tempfile
    import urllib.error
    import urllib.request

    files = pinned_schemas() if files is None else files
    fetched = 0
    for entry in files:
        dest = target / entry["path"]
        if dest.is_file() and hashlib.sha256(dest.read_bytes()).hexdigest() == entry["sha256"]:
            continue
        try:
            with urllib.request.urlopen(entry["fetch"], timeout=timeout) as response:
                data = response.read(int(entry.get("bytes", 10_000_000)) + 1)
        except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
            raise ConformanceError(
                f"Could not download {entry['path']} from {entry['fetch']}: {exc}. "
                "Nothing else was changed; run the command again when the address answers."
            ) from exc
        digest = hashlib.sha256(data).hexdigest()
        if digest != entry["sha256"]:
            raise ConformanceError(
                f"{entry['fetch']} did not give the pinned file {entry['path']}: its sha256 is "
                f"{digest}, not {entry['sha256']}. It was not saved."
            )
        dest.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=dest.parent, prefix=".part-")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, dest)
        fetched += 1
        say(f"{entry['path']}  <- {entry['fetch']}")
    _local_schemas.cache_clear()
    return fetched
