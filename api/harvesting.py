"""Harvest sources on the web: each source's runs (page and JSON, for its organisation and the
stewards), asking for a run now, and the dry run a publisher uses before registering a source
(paste an address or upload a file: what would be created, updated and withdrawn, and every
problem, with nothing written). Sources themselves are records: registered, edited and approved
like any other (the sources register's form, POST /sources, /review). Thin over
registry.harvest.service."""

from __future__ import annotations

import datetime
import threading
from urllib.parse import urlencode

from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from rdflib import URIRef
from rdflib.namespace import SKOS

from registry.harvest.log import runs
from registry.harvest.service import KINDS
from registry.harvest.sources import Source, SourceError, read_source
from registry.rdf.namespaces import VOCABULARY

from .conneg import choose
from .current import registry
from .documents import error_page
from .problems import problem
from .records import _agent
from .web_auth import web_user

bp = Blueprint("harvesting", __name__)

#: One dry run at a time in a web process: each fetches, maps and validates a whole file in the
#: request's thread, and a second one waiting would hold another of the server's few threads.
_CHECKING = threading.BoundedSemaphore(1)
#: A dry run fetches for at most this many seconds (LDR_HARVEST_TIMEOUT if that is shorter).
CHECK_TIMEOUT = 20.0


def _refused(status: int, title: str, detail: str):
    """A refusal: a page for a browser, a problem document for anyone else."""
    return error_page(status, title, detail) if _wants_page() else problem(status, title, detail)


def _who():
    """The token's agent, else the signed-in user, else None."""
    return _agent() or web_user()


def _may_see(agent, source: Source) -> bool:
    return agent is not None and (
        agent.role in ("steward", "admin") or agent.organisation == str(source.owner)
    )


def _wants_page() -> bool:
    return choose(request.headers.get("Accept"), ["application/json", "text/html"]) == "text/html"


def _refusal(agent, source: Source | None):
    if agent is None and _wants_page():
        return redirect(url_for("web_auth.sign_in", next=request.full_path.rstrip("?")))
    if agent is None:
        return problem(
            401,
            "Sign in",
            "A harvest source's runs are shown to its organisation "
            "and the stewards: send `Authorization: Bearer TOKEN`.",
        )
    owner = f" ({source.owner})" if source is not None else ""
    return _refused(
        403,
        "Not your organisation's source",
        f"{agent.username} may not see or run this source: its organisation{owner} "
        "and the stewards may.",
    )


def _source(reference: str) -> Source | None:
    store, model = registry().store, registry().model
    try:
        return read_source(store, model, model.base.item("sources", reference))
    except SourceError:
        return None


def _source_for_agent(reference: str):
    """(the source, None) when the caller may see and run it; else (None, the refusal)."""
    source = _source(reference)
    if source is None:
        return None, _refused(
            404, "No such harvest source", f"Nothing is registered at /id/sources/{reference}."
        )
    agent = _who()
    if not _may_see(agent, source):
        return None, _refusal(agent, source)
    return source, None


@bp.get("/doc/sources/<reference>/runs")
def source_runs(reference: str):
    source, refused = _source_for_agent(reference)
    if source is None:
        return refused
    found = runs(registry().store, registry().model, str(source.iri), 50)
    if _wants_page():
        model = registry().model
        return render_template(
            "harvest_runs.html",
            kind=model.text(URIRef(f"{VOCABULARY}harvest-kind/{source.kind}"), SKOS.prefLabel),
            schedule=model.text(
                URIRef(f"{VOCABULARY}harvest-schedule/{source.schedule}"), SKOS.prefLabel
            ),
            source=source,
            runs=found,
            path=f"/doc/sources/{reference}",
            queued=request.args.get("queued", "")[:40],
            base=model.base.iri,
        )
    return jsonify({"source": str(source.iri), "runs": found})


@bp.post("/doc/sources/<reference>/runs")
def run_source(reference: str):
    """Queue a run now; the web process's worker runs it (docs/harvesting.md)."""
    source, refused = _source_for_agent(reference)
    if source is None:
        return refused
    if not source.approved:
        return _refused(
            409,
            "Not approved yet",
            f"{source.title} runs once a steward has approved it (status experimental "
            "or stable); it is waiting for review.",
        )
    job = registry().harvests.enqueue(str(source.iri))
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        at = datetime.datetime.now(datetime.UTC).isoformat()
        return redirect(f"/doc/sources/{reference}/runs?{urlencode({'queued': at})}", code=303)
    response = jsonify(
        {"source": str(source.iri), "job": job, "runs": f"/doc/sources/{reference}/runs"}
    )
    response.status_code = 202
    return response


@bp.route("/harvest/check", methods=["GET", "POST"])
def check_source():
    """The dry run: an address or a file, read as a kind of source for the user's organisation."""
    agent = _who()
    if agent is None:
        return _refusal(None, None)
    if request.method == "GET":
        return render_template("harvest_check.html", kinds=KINDS, report=None, values={})
    from registry.harvest.sync import run_harvest

    store, model = registry().store, registry().model
    kind = request.form.get("kind", "")
    address = request.form.get("address", "").strip()
    upload = request.files.get("file")
    data = upload.read() if upload is not None and upload.filename else None
    errors = {}
    if kind not in KINDS:
        errors["kind"] = f"Choose the kind of source: {', '.join(KINDS)}."
    if data is None and not address.startswith(("http://", "https://")):
        errors["address"] = "Give the source's https:// address, or choose a file to upload."
    if not agent.organisation:
        errors["address"] = "Your account acts for no organisation, so no records would be owned."
    values = {"kind": kind, "address": address}
    if errors and not _wants_page():
        return problem(400, "Cannot check", " ".join(errors.values()))
    if errors:
        return render_template(
            "harvest_check.html", kinds=KINDS, report=None, values=values, errors=errors
        ), 400
    source = Source(
        iri=URIRef(model.base.item("sources", "check")),
        title="check",
        kind=kind,
        address=address or "https://upload.invalid/" + (upload.filename if upload else "file"),
        schedule="manual",
        owner=URIRef(agent.organisation),
        licence="",
        withdraw_after=2,
        status=None,
    )
    settings = dict(registry().settings)
    settings["LDR_HARVEST_TIMEOUT"] = min(float(settings["LDR_HARVEST_TIMEOUT"]), CHECK_TIMEOUT)
    if not _CHECKING.acquire(blocking=False):
        response = _refused(
            503,
            "Another check is running",
            "This server checks one source at a time. Try again in a minute, or use "
            "`ldr harvest check`.",
        )
        response.headers["Retry-After"] = "30"
        return response
    try:
        report = run_harvest(store, model, settings, source, dry_run=True, data=data)
    finally:
        _CHECKING.release()
    if not _wants_page():
        return jsonify(report.as_json())
    return render_template("harvest_check.html", kinds=KINDS, report=report, values=values)
