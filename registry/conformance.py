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
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jsonschema
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4, DRAFT202012

from .model import Model
from .store import Store
from .identifiers import sparql_iri
from .text import MAX_NESTING, line_and_column, nesting_depth

ROLE_VALIDATION = "http://www.w3.org/ns/dx/prof/role/validation"
JSON_SCHEMA_FORMAT = "https://www.iana.org/assignments/media-types/application/schema+json"


class ConformanceError(Exception):
    """The check cannot be run: the message says why (no resource, resource not held, bad input).
    `status` is the HTTP status it maps to: 422 unless the input itself is refused (400)."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass
class Problem:
    record: str        # which record in the file ("grants[3]", "releases[0]", or "the file")
    field: str         # where in the record ("awardDate", "amount/currency")
    message: str


@dataclass
class Outcome:
    standard: str
    resource: str
    conforms: bool
    problems: list[Problem] = field(default_factory=list)
    checked_at: str = ""
    data_sha256: str = ""

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


def _find(uri: str, directories: tuple[str, ...]) -> Path | None:
    by_id, by_name = _local_schemas(directories)
    uri = uri.rstrip("#")
    if uri in by_id:
        return by_id[uri]
    name = uri.rsplit("/", 1)[-1].split("#")[0]
    if not name.endswith(".json"):
        name += ".json"
    candidates = [p for p in by_name.get(name, []) if "schema" in p.parts or len(by_name[name]) == 1]
    return candidates[0] if candidates else None


def _resource(path: Path) -> Resource:
    content = json.loads(path.read_text(encoding="utf-8"))
    declared = str(content.get("$schema", ""))
    spec = DRAFT4 if "draft-04" in declared else DRAFT202012
    return Resource.from_contents(content, default_specification=spec)


def validator_for(artifact: str, directories: tuple[str, ...]):
    """A jsonschema validator for the schema published at `artifact`, resolving every $ref locally."""
    path = _find(artifact, directories)
    if path is None:
        raise ConformanceError(f"The registry holds no copy of {artifact}. A deployer adds the published schema "
                               "files to a directory named in LDR_RESOURCE_DIRS; nothing is fetched from the web.")
    schema = json.loads(path.read_text(encoding="utf-8"))

    def retrieve(uri: str) -> Resource:
        found = _find(uri, directories)
        if found is None:
            raise NoSuchResource(ref=uri)
        return _resource(found)

    registry = Registry(retrieve=retrieve)
    declared = str(schema.get("$schema", ""))
    cls = jsonschema.Draft4Validator if "draft-04" in declared else jsonschema.Draft202012Validator
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


def validation_resources(store: Store, iri: str) -> list[tuple[str, str]]:
    """(artifact, format) of each validation resource the standard declares."""
    rows = store.select(f"""SELECT ?artifact ?format WHERE {{ {sparql_iri(iri)} <http://www.w3.org/ns/dx/prof/hasResource> ?r .
        ?r <http://www.w3.org/ns/dx/prof/hasRole> {sparql_iri(ROLE_VALIDATION)} ; <http://www.w3.org/ns/dx/prof/hasArtifact> ?artifact .
        OPTIONAL {{ ?r <http://purl.org/dc/terms/format> ?format }} }} ORDER BY ?artifact""")
    return [(str(r["artifact"]), str(r.get("format", ""))) for r in rows]


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
        return f"has {json.dumps(error.instance)[:80]}, which is not a valid {error.validator_value}"
    if kind == "enum":
        return f"has {json.dumps(error.instance)[:80]}, which is not one of the allowed values"
    if kind == "uniqueItems":
        return "has items that repeat; each must be different"
    if kind in ("oneOf", "anyOf"):
        return f"has {json.dumps(error.instance)[:80]}, which does not match any of the allowed forms"
    return error.message[:300]


def _outcome(standard: str, artifact: str, problems: list[Problem], data: bytes) -> Outcome:
    return Outcome(standard, artifact, not problems, problems,
                   datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                   hashlib.sha256(data).hexdigest())


def check_json(standard: str, artifact: str, data: bytes, directories: tuple[str, ...],
               limit: int = 1000) -> Outcome:
    depth, offset = nesting_depth(data, "json")
    if offset >= 0:   # before json.loads, which recurses, as jsonschema does over the instance
        line, column = line_and_column(data, offset)
        raise ConformanceError(f"The data nests objects or arrays more than {MAX_NESTING} levels deep (line {line}, "
                               f"column {column}), deeper than the checker reads: no standard's records need that.", status=400)
    try:
        instance = json.loads(data)
    except ValueError as exc:
        raise ConformanceError(f"The data is not JSON: {exc}") from exc
    except RecursionError:   # a second wall: the scan above refuses such input first
        raise ConformanceError(f"The data nests objects or arrays more than {MAX_NESTING} levels deep.",
                               status=400) from None
    validator = validator_for(artifact, directories)
    problems = []
    try:
        for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
            record, where = _where(error)
            problems.append(Problem(record, where, _plain(error)))
            if len(problems) >= limit:
                break
    except RecursionError:   # a schema whose $refs go round, on data that follows them
        raise ConformanceError("The schema and the data together nest too deeply to check.") from None
    return _outcome(standard, artifact, problems, data)


SHACL_FORMATS = {"https://www.iana.org/assignments/media-types/text/turtle", "text/turtle"}


def check_shacl(standard: str, artifact: str, data: bytes, media_type: str, model: Model, store: Store,
                directories: tuple[str, ...]) -> Outcome:
    """Run SHACL shapes on RDF data. The registry's own shapes ({base}/def/shapes) run as every
    submission is validated; other shapes are read from a local copy, like JSON Schemas."""
    from . import rdfio
    fmt = rdfio.format_for_media_type(media_type or "") or rdfio.FORMATS["turtle"]
    try:   # anyone may send data to check: the same cap on statements as a submission has
        graph = rdfio.parse(data, fmt, model.base.parse_base, source="the data",
                            max_statements=rdfio.MAX_SUBMISSION_STATEMENTS)
    except rdfio.InputError as exc:
        raise ConformanceError(str(exc)) from exc
    problems: list[Problem] = []
    if artifact.rstrip("/") == model.base.shapes_graph:
        from .validation import validate_graph
        _, report = validate_graph(graph, model, store)
        results = [(r.record or r.focus, r.field or r.path or "(the record)", r.message, r.severity)
                   for r in report.results]
    else:
        import pyshacl
        from rdflib import Graph
        from rdflib.namespace import SH
        path = _find(artifact, directories)
        if path is None:
            raise ConformanceError(f"The registry holds no copy of {artifact}; add it to a directory in LDR_RESOURCE_DIRS.")
        shapes = Graph().parse(path)
        _, report_graph, _ = pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=True)
        results = []
        for node in report_graph.subjects(SH.resultSeverity, None):
            results.append((str(report_graph.value(node, SH.focusNode)), str(report_graph.value(node, SH.resultPath) or ""),
                            str(report_graph.value(node, SH.resultMessage) or "does not meet a rule"),
                            str(report_graph.value(node, SH.resultSeverity)).rsplit("#", 1)[-1]))
    for record, where, message, severity in sorted(results):
        if severity == "Violation":
            problems.append(Problem(record, where, message))
    return _outcome(standard, artifact, problems, data)


def check(store: Store, model: Model, standard: str, data: bytes, directories: tuple[str, ...],
          media_type: str = "application/json") -> Outcome:
    """Run the standard's validation resource on the data: a JSON Schema, or SHACL shapes."""
    resources = validation_resources(store, standard)
    if not resources:
        raise ConformanceError(f"{standard} declares no validation resource (prof:hasResource with role:Validation).")
    shacl = [a for a, f in resources if f in SHACL_FORMATS or a.endswith(".ttl") or a.endswith("/def/shapes")]
    json_schemas = [a for a, f in resources if f == JSON_SCHEMA_FORMAT or a.endswith(".json") or a.startswith("urn:")]
    if shacl and (not json_schemas or not media_type.endswith("json") or media_type == "application/ld+json"):
        return check_shacl(standard, shacl[0], data, media_type, model, store, directories)
    if not json_schemas:
        raise ConformanceError(f"{standard}'s validation resources are neither JSON Schemas nor SHACL shapes.")
    return check_json(standard, json_schemas[0], data, directories)


def dqv(outcome: Outcome, base: str) -> dict:
    """The same result as a W3C DQV quality measurement of the data (JSON-LD)."""
    return {
        "@context": {"dqv": "http://www.w3.org/ns/dqv#", "prov": "http://www.w3.org/ns/prov#",
                     "xsd": "http://www.w3.org/2001/XMLSchema#"},
        "@type": "dqv:QualityMeasurement",
        "dqv:computedOn": {"@id": f"urn:sha256:{outcome.data_sha256}"},
        "dqv:isMeasurementOf": {"@id": f"{base}/def/ldr#conformsToStandard"},
        "dqv:value": {"@value": "true" if outcome.conforms else "false", "@type": "xsd:boolean"},
        "prov:generatedAtTime": {"@value": outcome.checked_at, "@type": "xsd:dateTime"},
        "prov:wasDerivedFrom": {"@id": outcome.resource},
    }


def fetch_allowed(url: str, allowed_prefixes: list[str], max_bytes: int, timeout: float = 10.0) -> bytes:
    """Data at a URL, only if a steward has allowed its prefix (LDR_CHECK_URL_PREFIXES); refused
    otherwise, and refused past the size limit. Redirects are not followed."""
    import urllib.error
    import urllib.request
    if not url.startswith(("https://", "http://")) or not any(url.startswith(p) for p in allowed_prefixes if p):
        raise ConformanceError(f"{url} is not at an address a steward has allowed for checking "
                               f"(LDR_CHECK_URL_PREFIXES). Upload the file instead.")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
    except (urllib.error.URLError, OSError) as exc:
        raise ConformanceError(f"Could not read {url}: {exc}") from exc
    except (ValueError, http.client.HTTPException) as exc:   # a newline or a bad port in the address; a cut answer
        raise ConformanceError(f"Could not read {url!r}: {exc}") from exc
    if len(data) > max_bytes:
        raise ConformanceError(f"The data at {url} is larger than the limit of {max_bytes:,} bytes.")
    return data


def earl(outcome: Outcome, base: str) -> dict:
    """A W3C EARL assertion a supplier can attach to a product record (JSON-LD)."""
    return {
        "@context": {"earl": "http://www.w3.org/ns/earl#", "dcterms": "http://purl.org/dc/terms/",
                     "xsd": "http://www.w3.org/2001/XMLSchema#"},
        "@type": "earl:Assertion",
        "earl:assertedBy": {"@id": f"{base}/"},
        "earl:subject": {"@id": f"urn:sha256:{outcome.data_sha256}"},
        "earl:test": {"@id": outcome.standard},
        "earl:mode": {"@id": "earl:automatic"},
        "earl:result": {"@type": "earl:TestResult",
                        "earl:outcome": {"@id": "earl:passed" if outcome.conforms else "earl:failed"},
                        "dcterms:date": {"@value": outcome.checked_at, "@type": "xsd:dateTime"},
                        "dcterms:description": f"{len(outcome.problems)} problem(s) against {outcome.resource}"},
    }
