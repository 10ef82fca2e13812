"""Publishing from the browser: forms generated from the shapes, "check your answers",
confirmation, editing, and the stewards' review queue. Writes go through the same
registry.records.registration functions as the API and the `ldr` commands."""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

from flask import Blueprint, abort, redirect, render_template, request
from markupsafe import Markup
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from registry.rdf.identifiers import REFERENCE_MAX, is_reference
from registry.rdf.namespaces import REGISTERS
from registry.records import registration, versions
from registry.records.naming import registered_titles, titles, titles_to_iris
from registry.records.registration import RegistrationError
from registry.records.validation import validate_graph
from registry.records.versions import current_record
from registry.views.forms import (
    RECORD_VERSION,
    all_fields,
    check_repeats,
    field_errors,
    form_for,
    form_values,
    graph_from_form,
    in_page_order,
    keep_unshown,
    names_in,
)
from registry.views.presentation import rows_for, title_of

from .current import registry
from .documents import _local_href, _not_found, error_page
from .web_auth import signed_in, web_user

bp = Blueprint("publishing", __name__)


def _services():
    return registry().store, registry().model


def _choices(sections) -> tuple[dict[str, list[str]], dict[URIRef, dict[str, str]]]:
    """For each record field, the titles to suggest; and for each class a record field takes,
    title -> IRI for reading answers back (graph_from_form)."""
    store, model = _services()
    choices: dict[str, list[str]] = {}
    by_title: dict[URIRef, dict[str, str]] = {}
    for f in all_fields(sections) + [n for g in all_fields(sections) for n in g.nested]:
        if f.kind != "record":
            continue
        assert f.node_class is not None  # a record field names the class it links to (forms)
        rows = registered_titles(store, model, f.node_class)
        choices[f.id] = [title for title, _ in rows if title]
        by_title[f.node_class] = titles_to_iris(rows)
    return choices, by_title


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]


def _render_form(
    register: str,
    mode: str,
    values: dict,
    errors: list,
    action: str,
    heading: str,
    adding: str = "",
):
    _, model = _services()
    sections = form_for(model, register)
    choices, _ = _choices(sections)
    errors = in_page_order(errors, sections)
    # a message with a link (Markup) shows its words in the summary, whose entries are links themselves
    error_list = [
        {
            "text": message.striptags() if isinstance(message, Markup) else message,
            "href": f"#{_anchor(fid, sections)}",
        }
        for fid, message in errors
    ]
    return render_template(
        "form.html",
        sections=sections,
        values=values,
        errors=errors,
        error_list=error_list,
        choices=choices,
        action=action,
        heading=heading,
        mode=mode,
        adding=adding,
    ), (422 if errors else 200)


def _anchor(field_id: str, sections) -> str:
    for f in all_fields(sections):
        if f.id == field_id and f.kind == "date":
            return f"{field_id}-day"
    return field_id


def _form_values() -> dict[str, list[str]]:
    """The answers as given, less empty boxes: a re-shown form has one box per answer (and
    one more only where the person chose "Add another")."""
    return {
        key: [v for v in request.form.getlist(key) if v.strip()]
        for key in request.form
        if key not in ("csrf_token", "action")
    }


def _not_whole_numbers():
    """A 400 naming the first of the form's number fields (the record's `record-version`, each
    repeatable group's `…-count`) that is not a whole number, else None. The page writes these
    fields itself, so another value was sent by hand; it used to be a 500."""
    for name in request.form:
        if name == RECORD_VERSION or name.endswith("-count"):
            for value in request.form.getlist(name):
                text = value.strip()
                if not (text.isascii() and text.isdigit() and len(text) <= 9):
                    # a page for a browser, with the way back to the form; a problem document otherwise
                    return error_page(
                        400,
                        "Not a whole number",
                        f"The form field `{name[:100]}` must be a whole "
                        f"number (such as 1); it was {text[:40]!r}. Reload the form and try again.",
                        back=request.path,
                    )
    return None


def _without_record_version():
    """A 400 when an edit is posted without the version of the record its form was filled in
    from (the page always sends it), else None: without it, a change made meanwhile by someone
    else would be overwritten unseen (the records API asks for If-Match the same way)."""
    if request.form.get(RECORD_VERSION, "").strip():
        return None
    return error_page(
        400,
        "The form is incomplete",
        f"The form was sent without the field `{RECORD_VERSION}`, the "
        "version of the record it was filled in from, so it cannot tell whether the record changed "
        "meanwhile. Open the edit form again and make the change there.",
        back=request.path,
    )


def _handle_form(
    register: str,
    reference: str | None,
    mode: str,
    expected: int | None,
    action: str,
    heading: str,
    draft_id: str | None = None,
):
    """Read the posted form; re-show it with every error at once, or keep it as a draft (replacing
    `draft_id`, when changing one) and go to check answers. "Add another" (`action=add:FIELD`)
    re-shows it with one more box or group for that field only."""
    store, model = _services()
    values = _form_values()
    sections = form_for(model, register)
    too_many = check_repeats(sections, values)  # before anything is built from the counts
    if too_many:
        return _render_form(register, mode, values, too_many, action, heading)
    chosen = request.form.get("action") or "continue"
    if chosen.startswith("add:"):
        return _render_form(
            register,
            mode,
            values,
            check_repeats(sections, values),
            action,
            heading,
            adding=chosen[4:],
        )
    errors: list[tuple[str, str]] = []
    if mode == "new":
        given = (request.form.get("reference") or "").strip()
        title = (request.form.get("title") or "").strip()
        reference = given or _slug(title)
        if not reference:
            # The short name is optional: made from the title. With no title there is nothing to
            # say about it yet (the title's own error says what to do); a title with no letters
            # or digits cannot make one.
            if title:
                errors.append(
                    (
                        "reference",
                        "Give a short name: the title has no letters or digits to make one from",
                    )
                )
            reference = "unnamed"  # so the rest of the record can still be checked in this round
        elif not is_reference(reference):
            errors.append(
                (
                    "reference",
                    "The short name may use only lower-case letters, digits and hyphens, at "
                    f"most {REFERENCE_MAX} characters",
                )
            )
            reference = "unnamed"  # so the rest of the record can still be checked in this round
    assert reference is not None  # made above for a new record; an edited one's is given
    _, by_title = _choices(sections)
    positions: dict[str, int] = {}
    graph, unreadable = graph_from_form(
        model, register, reference, request.form, by_title, positions
    )
    errors.extend(unreadable.items())
    agent = web_user()
    iri = model.base.item(register, reference)
    if mode == "edit":
        graph = keep_unshown(graph, current_record(store, model, iri), URIRef(iri), sections, model)
    try:
        if mode == "new":
            registration.submit(
                store,
                model,
                Graph() + graph,
                agent,
                register=register,
                dry_run=True,
                index=registry().index,
            )
        else:
            registration.revise(
                store, model, iri, Graph() + graph, agent, expected_version=expected, dry_run=True
            )
    except RegistrationError as exc:
        if exc.report is not None:
            errors.extend(
                (fid, message)
                for fid, message in _field_errors(exc.report, sections, positions)
                if fid not in unreadable
            )
        elif exc.kind == "conflict" and mode == "new":
            if not any(fid == "reference" for fid, _ in errors):
                errors.append(("reference", _taken(register, reference)))
            # the rest of the record, checked as the submission would have been
            report = validate_graph(Graph() + graph, model, store)[1]
            errors.extend(
                (fid, message)
                for fid, message in _field_errors(report, sections, positions)
                if fid not in unreadable
            )
        else:
            errors.append(("reference" if mode == "new" else "title", exc.message))
    if errors:
        return _render_form(register, mode, values, errors, action, heading)
    draft = registry().accounts.save_draft(
        agent.username,
        register,
        reference,
        mode,
        expected,
        graph.serialize(format="turtle"),
        json.dumps(values),
        draft_id=draft_id,
    )
    return redirect(f"/drafts/{draft}", code=303)


def _field_errors(
    report, sections, positions: dict[str, int] | None = None
) -> list[tuple[str, str]]:
    """The report's violations by field, the records and terms they name said by their names."""
    store, model = _services()
    return field_errors(
        report, sections, names_in([r.message for r in report.violations], model, store), positions
    )


def _taken(register: str, reference: str) -> Markup:
    """What a person is told when the short name (given, or made from the title) is taken: the
    record that has it, by its title and linked (the error summary shows the words only)."""
    store, model = _services()
    iri = model.base.item(register, reference)
    title = titles(store, [iri]).get(iri) or reference
    return Markup(
        'There is already a record with this short name: <a class="govuk-link" href="{}">{}</a>. If it is '
        "the same thing, edit that record instead; if not, give this one a different short name or "
        "title."
    ).format(f"/doc/{register}/{reference}", title)


@bp.route("/<register>/new", methods=["GET", "POST"])
@signed_in
def new_record(register: str):
    heading = _new_heading(register)
    if request.method == "POST":
        return _not_whole_numbers() or _handle_form(
            register, None, "new", None, f"/{register}/new", heading
        )
    return _render_form(register, "new", {}, [], f"/{register}/new", heading)


def _new_heading(register: str) -> str:
    _, model = _services()
    return f"Add a record to {model.register_label(register).lower()}"


@bp.route("/doc/<register>/<reference>/edit", methods=["GET", "POST"])
@signed_in
def edit_record(register: str, reference: str):
    store, model = _services()
    iri = model.base.item(register, reference)
    current = versions.current_versions(store, model, [iri]).get(iri)
    if current is None:
        return _not_found("Not registered", f"There is no {register} record {reference!r}.")
    graph = current_record(store, model, iri)
    heading = f"Edit {title_of(graph, URIRef(iri)) or reference}"
    action = f"/doc/{register}/{reference}/edit"
    if (refused := registration.edit_refusal(store, model, iri, web_user())) is not None:
        # refused before the form is shown, not after it is filled in; a POST the same way
        return error_page(
            403,
            "You cannot edit this record",
            refused,
            "text/html",
            back=f"/doc/{register}/{reference}",
        )
    if request.method == "POST":
        if (refused := _not_whole_numbers() or _without_record_version()) is not None:
            return refused
        expected = int(request.form[RECORD_VERSION])
        return _handle_form(register, reference, "edit", expected, action, heading)
    sections = form_for(model, register)
    titles = {
        str(s): str(t)
        for s, t in store.construct(
            "CONSTRUCT { ?s <http://purl.org/dc/terms/title> ?t } WHERE { ?s <http://purl.org/dc/terms/title> ?t }"
        ).subject_objects(DCTERMS.title)
    }
    values = form_values(graph, URIRef(iri), sections, titles, _choices(sections)[1])
    values[RECORD_VERSION] = [str(current)]
    return _render_form(register, "edit", values, [], action, heading)


@bp.route("/drafts/<draft_id>", methods=["GET", "POST"])
@signed_in
def check_answers(draft_id: str):
    store, model = _services()
    accounts = registry().accounts
    draft = accounts.draft(draft_id, web_user().username)
    if draft is None:
        return _no_draft(draft_id)
    graph = Graph().parse(data=draft["turtle"], format="turtle")
    iri = URIRef(model.base.item(draft["register"], draft["reference"]))
    back = f"/drafts/{draft_id}/change"
    anchors = _row_anchors(draft["register"])

    def page(problem: str | None) -> str:
        """Check your answers: the draft as rows with a Change link each, and what went wrong."""
        return render_template(
            "check.html",
            rows=rows_for(_with_titles(graph), iri, model, _local_href),
            title=title_of(graph, iri),
            back=back,
            anchors=anchors,
            draft_id=draft_id,
            problem=problem,
            similar=_similar(draft["register"], iri, graph),
        )

    if request.method == "POST":
        note = (request.form.get("note") or "").strip()[:2000]
        try:
            if draft["mode"] == "new":
                result = registration.submit(
                    store,
                    model,
                    graph,
                    web_user(),
                    register=draft["register"],
                    note=note or "Submitted from the web form",
                    index=registry().index,
                )
            else:
                result = registration.revise(
                    store,
                    model,
                    str(iri),
                    graph,
                    web_user(),
                    expected_version=draft["expected_version"],
                    note=note or "Edited with the web form",
                )
        except RegistrationError as exc:
            message = (
                _taken(draft["register"], draft["reference"])
                if exc.kind == "conflict" and draft["mode"] == "new"
                else exc.message
            )
            return page(message), 409
        accounts.discard_draft(draft_id, submitted=True)
        version = result.versions.get(str(iri))
        return render_template(
            "done.html",
            title=title_of(graph, iri),
            href=_local_href(str(iri)),
            mode=draft["mode"],
            version=version,
            unchanged=draft["mode"] == "edit" and version == draft["expected_version"],
        )
    return page(None)


@bp.route("/drafts/<draft_id>/change", methods=["GET", "POST"])
@signed_in
def change_draft(draft_id: str):
    """The form again, filled in with the draft's answers ("Change" on check your answers);
    Continue replaces the same draft."""
    store, model = _services()
    draft = registry().accounts.draft(draft_id, web_user().username)
    if draft is None:
        return _no_draft(draft_id)
    register, reference, mode = draft["register"], draft["reference"], draft["mode"]
    action = f"/drafts/{draft_id}/change"
    if mode == "new":
        heading = _new_heading(register)
    else:
        iri = URIRef(model.base.item(register, reference))
        heading = f"Edit {title_of(current_record(store, model, str(iri)), iri) or reference}"
    if request.method == "POST":
        if (refused := _not_whole_numbers()) is not None:
            return refused
        expected = draft["expected_version"]
        if mode == "edit":
            if (refused := _without_record_version()) is not None:
                return refused
            expected = int(request.form[RECORD_VERSION])
        return _handle_form(
            register,
            reference if mode == "edit" else None,
            mode,
            expected,
            action,
            heading,
            draft_id=draft_id,
        )
    values = json.loads(draft["form"])
    if mode == "edit" and draft["expected_version"] is not None:
        values.setdefault(RECORD_VERSION, [str(draft["expected_version"])])
    return _render_form(register, mode, values, [], action, heading)


def _no_draft(draft_id: str):
    """A draft that is gone: one this user submitted says so and links to the record (the
    browser's Back after submitting comes here); any other is not found."""
    done = registry().accounts.submitted_draft(draft_id, web_user().username)
    if done is None:
        return _not_found(
            "No such draft",
            "This draft does not exist or is not yours. Start again from the register.",
        )
    store, model = _services()
    iri = model.base.item(done["register"], done["reference"])
    return render_template(
        "submitted_draft.html",
        title=titles(store, [iri]).get(iri) or done["reference"],
        href=_local_href(iri),
    )


def _row_anchors(register: str) -> dict[str, str]:
    """Row label on check your answers -> the id of its field on the form, for each "Change" link
    to lead to the field."""
    _, model = _services()
    sections = form_for(model, register)
    anchors: dict[str, str] = {}
    for f in all_fields(sections):
        anchors.setdefault(re.sub(r"\s*\(£\)", "", f.label), _anchor(f.id, sections))
    return anchors


def _similar(register: str, iri: URIRef, graph: Graph) -> list[dict]:
    """The registered records this one may duplicate, those with the very same title first, for
    "Check your answers" to warn about before the record is submitted."""
    from .listings import _index

    store, model = _services()
    mine = " ".join((title_of(graph, iri) or "").lower().split())
    found = [
        {
            "title": title,
            "href": _local_href(other),
            "same": " ".join(title.lower().split()) == mine,
        }
        for other, title in registration.similar_to(
            store, model, register, str(iri), graph, _index()
        )
    ]
    return sorted(found, key=lambda record: not record["same"])


def _with_titles(graph: Graph) -> Graph:
    """The draft and the titles of the registered records it links to, so that "Check your
    answers" names the lead organisation rather than showing its web address."""
    store, _ = _services()
    shown = Graph() + graph
    for iri, title in titles(store, (o for o in graph.objects() if isinstance(o, URIRef))).items():
        shown.add((URIRef(iri), DCTERMS.title, Literal(title)))
    return shown


@bp.get("/my-submissions")
@signed_in
def my_submissions():
    """The records the signed-in user or their organisation submitted, with their status and
    what stewards said about them."""
    store, model = _services()
    user = web_user()
    records = versions.submissions(store, model, user.username, user.organisation)
    for record in records:
        record["href"] = _local_href(record["item"])
    return render_template("my_submissions.html", records=records, user=user)


# --- stewards' review queue -----------------------------------------------------------------------


def _steward():
    user = web_user()
    if user is None or user.role not in ("steward", "admin"):
        abort(403, description="Only stewards review records.")
    return user


@bp.get("/review")
@signed_in
def review_queue():
    _steward()
    store, model = _services()
    from .listings import _index

    hits, _ = _index().listing(None, {"status": ["submitted"]}, sort="modified", per_page=200)
    items = []
    for hit in hits:
        entries = versions.history(store, model, hit.iri)
        latest = entries[-1]["version"] if entries else 1
        added, removed = (
            versions.compare(store, model, hit.iri, latest - 1, latest)
            if latest > 1
            else (None, None)
        )
        lines = lambda g: (
            sorted(" ".join(t.n3() for t in triple) for triple in g) if g is not None else []
        )
        items.append(
            {
                "hit": hit,
                "href": _local_href(hit.iri),
                "version": latest,
                "entries": entries,
                "added": lines(added),
                "removed": lines(removed),
            }
        )
    return render_template("review.html", items=items, decided=_decided())


#: What the steward is told on landing back on /review, by the decision they made.
DECIDED = {
    "stable": "Accepted as stable",
    "experimental": "Accepted as experimental",
    "changes": "Changes asked for",
    "invalid": "Rejected",
}


def _decided() -> dict | None:
    """The decision just recorded (named in the address /review was sent to), to confirm it with
    the record's title and a link to it; None when there is none, or it names no record."""
    decision, record = request.args.get("decision", ""), request.args.get("record", "")
    register, _, reference = record.partition("/")
    if decision not in DECIDED or register not in REGISTERS or not is_reference(reference):
        return None
    store, model = _services()
    iri = model.base.item(register, reference)
    title = titles(store, [iri]).get(iri)
    if title is None or not _last_decision_was(store, model, iri, decision):
        return None  # an address made up to confirm a decision nobody recorded confirms nothing
    return {"text": DECIDED[decision], "title": title, "href": _local_href(iri)}


def _last_decision_was(store, model, iri: str, decision: str) -> bool:
    """Whether the record's history ends with this decision by the signed-in steward: its last
    version a status change of theirs to that status, or, for "changes", the record still waiting
    for review (asking for changes makes no version)."""
    entries = versions.history(store, model, iri)
    if not entries:
        return False
    last = entries[-1]
    if decision == "changes":
        return (last["status"] or "").endswith("#statusSubmitted")
    return (
        last["activity"] == "StatusChange"
        and last["user"] == web_user().username
        and (last["status"] or "").lower().endswith(f"#status{decision}")
    )


@bp.post("/review/<register>/<reference>")
@signed_in
def review_decision(register: str, reference: str):
    steward = _steward()
    store, model = _services()
    iri = model.base.item(register, reference)
    decision = request.form.get("decision", "")
    comment = (request.form.get("comment") or "").strip()[:2000]
    try:
        registration.review(store, model, iri, decision, steward, comment)
    except RegistrationError as exc:
        return error_page(
            RegistrationError.STATUS[exc.kind],
            "The decision was not recorded",
            exc.message,
            back="/review",
        )
    return redirect(
        f"/review?{urlencode({'decision': decision, 'record': f'{register}/{reference}'})}",
        code=303,
    )
