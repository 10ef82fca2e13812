"""The records API: submitting (POST /{register}), revising (PUT) and changing the status of
records, for programs with an API token. Every route is a thin layer over
registry.records.registration."""

from __future__ import annotations

import re
from dataclasses import asdict

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.http import parse_etags

from registry.rdf.rdfio import MAX_SUBMISSION_STATEMENTS, InputError, format_for_media_type, parse
from registry.records import registration
from registry.records.registration import IfMatch, RegistrationError

from .current import registry
from .problems import problem

bp = Blueprint("records", __name__)


def _services():
    return registry().store, registry().model


def _agent():
    header = request.headers.get("Authorization", "")
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise RegistrationError(
            "unauthenticated", "Send the token as `Authorization: Bearer TOKEN`."
        )
    agent = registry().accounts.authenticate(token.strip())
    if agent is None:
        raise RegistrationError(
            "unauthenticated", "The token is not valid: it is unknown, mistyped or revoked."
        )
    return agent


def _writer():
    """The authenticated agent of a write, or RegistrationError: writing needs a token."""
    agent = _agent()
    if agent is None:
        raise RegistrationError(
            "unauthenticated", "Writing needs an API token: send `Authorization: Bearer TOKEN`."
        )
    return agent


def _refused(exc: RegistrationError) -> Response:
    extra: dict[str, object] = {}
    if exc.report is not None:
        extra["errors"] = [asdict(r) for r in exc.report.violations]
        extra["warnings"] = [asdict(r) for r in exc.report.warnings]
        extra["report"] = exc.report.render(detail=current_app.config["LDR"]["LDR_REPORT_DETAIL"])
    if exc.allowed is not None:
        extra["allowed"] = exc.allowed
    headers = {"WWW-Authenticate": 'Bearer realm="ldr"'} if exc.kind == "unauthenticated" else {}
    status = RegistrationError.STATUS[exc.kind]
    titles = {
        401: "Authentication needed",
        403: "Not allowed",
        404: "Not registered",
        409: "Conflict",
        412: "Changed since you read it",
        428: "If-Match needed",
        422: "Not valid",
        400: "Bad request",
    }
    return problem(status, titles[status], exc.message, headers=headers, **extra)


def _read_body():
    """The request body as a graph, parsed by its Content-Type, or a problem response."""
    fmt = format_for_media_type(request.content_type or "")
    if fmt is None or fmt.name in ("nquads", "trig"):
        return problem(
            415,
            "Unsupported media type",
            "Send the record as text/turtle, application/ld+json, "
            f"application/rdf+xml or application/n-triples, not {request.content_type or 'no Content-Type'}.",
        )
    settings = current_app.config["LDR"]
    data = request.get_data(cache=False)
    try:
        return parse(
            data,
            fmt,
            settings["LDR_BASE"] + "/",
            source="request body",
            max_bytes=settings["LDR_MAX_INPUT_BYTES"],
            max_statements=MAX_SUBMISSION_STATEMENTS,
        )
    except InputError as exc:
        return problem(400, "Cannot read the document", str(exc), **exc.as_dict())


def _note() -> str:
    return (request.args.get("note") or request.headers.get("LDR-Change-Note") or "").strip()[:2000]


def _flag(name: str) -> bool:
    return request.args.get(name, "").lower() in ("1", "true", "yes")


@bp.post("/<register>")
def post_records(register: str):
    store, model = _services()
    agent = _writer()
    graph = _read_body()
    if isinstance(graph, Response):
        return graph
    dry_run = _flag("dry-run")
    result = registration.submit(
        store,
        model,
        graph,
        agent,
        register=register,
        dry_run=dry_run,
        note=_note(),
        index=registry().index,
    )
    warnings = [asdict(r) for r in result.report.warnings]
    if dry_run:
        return jsonify(
            {
                "valid": True,
                "records": result.report.records,
                "warnings": warnings,
                "report": result.report.render(),
            }
        )
    records = [
        {"iri": iri, "location": _path(iri, model), "version": n, "status": "submitted"}
        for iri, n in sorted(result.versions.items())
    ]
    response = jsonify({"records": records, "warnings": warnings})
    response.status_code = 201
    response.headers["Location"] = records[0]["location"]
    if len(records) == 1:
        response.headers["ETag"] = f'"v{records[0]["version"]}"'
    return response


def _path(iri: str, model) -> str:
    return iri[len(model.base.iri) :]


#: the registry's record ETags: the version, then (on documents) a hash of the variant
VERSION_TAG = re.compile(r"v([0-9]{1,9})(?:-.*)?", re.DOTALL)


def if_match(header: str | None) -> IfMatch | None:
    """If-Match as RFC 9110 §13.1.1 has it, or None when it is absent: `*`; or a list of entity
    tags, each compared strongly, so a weak tag (W/"v3-…") never matches. A record's ETags, of
    any of its formats, start with its version ("v3-…"), so a strong tag names the version the
    writer read; a tag of another shape names none."""
    if not header or not header.strip():
        return None
    tags = parse_etags(header)
    if tags.star_tag:
        return IfMatch(any=True)
    return IfMatch(
        versions=frozenset(
            int(m.group(1))
            for tag in tags.as_set(include_weak=False)
            if (m := VERSION_TAG.fullmatch(tag))
        )
    )


@bp.put("/doc/<register>/<reference>")
@bp.put("/id/<register>/<reference>")
def put_record(register: str, reference: str):
    store, model = _services()
    iri = model.base.item(register, reference)
    agent = _writer()
    graph = _read_body()
    if isinstance(graph, Response):
        return graph
    result = registration.revise(
        store,
        model,
        iri,
        graph,
        agent,
        expected_version=if_match(request.headers.get("If-Match")),
        note=_note(),
        dry_run=_flag("dry-run"),
    )
    if not result.written:
        return jsonify({"valid": True, "warnings": [asdict(r) for r in result.report.warnings]})
    number = result.versions[iri]
    response = jsonify(
        {"iri": iri, "version": number, "warnings": [asdict(r) for r in result.report.warnings]}
    )
    response.headers["ETag"] = f'"v{number}"'
    response.headers["Location"] = _path(iri, model)
    return response


@bp.post("/doc/<register>/<reference>/status")
@bp.post("/id/<register>/<reference>/status")
def post_status(register: str, reference: str):
    store, model = _services()
    iri = model.base.item(register, reference)
    body = _status_body()
    if isinstance(body, Response):
        return body
    agent = _agent()
    result = registration.change_status(
        store,
        model,
        iri,
        str(body.get("status", "")),
        agent,
        successor=body.get("successor") or None,
        note=str(body.get("note") or _note()),
    )
    number = result.versions[iri]
    response = jsonify({"iri": iri, "version": number, "status": str(body.get("status")).lower()})
    response.headers["ETag"] = f'"v{number}"'
    return response


def _json_object(members: str) -> dict | Response:
    """The request body as a JSON object, or a 400 that says what it must be instead. Read with
    the standard library (bounded by the body limit) so a list, a number or `null` is told apart
    from text that is not JSON at all."""
    import json

    data = request.get_data(cache=True)
    if not data.strip():
        return problem(400, "No body", f"Send a JSON object with {members}.")
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        return problem(
            400,
            "Cannot read the JSON",
            f"The body is not valid JSON. Send a JSON object with {members}.",
        )
    if not isinstance(body, dict):
        kind = {list: "a list", str: "a string", bool: "true or false", type(None): "null"}.get(
            type(body), "a number"
        )
        return problem(
            400,
            "Not a JSON object",
            f"The body must be a JSON object with {members}; it was {kind}.",
        )
    return body


def _status_body() -> dict | Response:
    """The status change asked for: a JSON object (or a form) whose members are strings, else a
    400 saying so (a JSON list or number here was a 500, before authentication)."""
    if not request.is_json:
        return request.form
    body = _json_object('a `status` member, such as {"status": "stable"}')
    if isinstance(body, Response):
        return body
    for name in ("status", "successor", "note"):
        if name in body and body[name] is not None and not isinstance(body[name], str):
            return problem(
                400,
                f"`{name}` must be a string",
                f"The `{name}` member of the body must be a string "
                f"(text in double quotes), not {type(body[name]).__name__}.",
            )
    return body


# --- users and tokens (admins) ------------------------------------------------------------------
