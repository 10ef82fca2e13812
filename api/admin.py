"""Administration while the registry runs: the administrator's accounts page (invite a user, who
then chooses their own password; make API tokens) and the token API (/tokens). The same
registry.accounts.users functions as `ldr user` and `ldr token`, and the same organisation check."""

from __future__ import annotations

from dataclasses import asdict
from functools import wraps

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request

from registry.accounts.users import (
    ROLE_HELP,
    ROLE_LABELS,
    ROLES,
    AccountError,
    check_new_password,
    check_role,
    check_username,
    organisation_iri,
    organisation_titles,
)
from registry.records.naming import titles
from registry.records.registration import RegistrationError
from registry.records.versions import AUDIT

from .current import registry
from .documents import _local_href, _not_found
from .problems import problem
from .records import _json_object, _writer
from .web_auth import begin, signed_in, web_user

bp = Blueprint("admin", __name__)


def _accounts():
    return registry().accounts


def admin_only(view):
    """Signed in, as an administrator; anyone else gets a 403 that says why."""

    @signed_in
    @wraps(view)
    def wrapper(*args, **kwargs):
        if web_user().role != "admin":
            abort(
                403,
                description="Only administrators manage accounts: your role may not invite users or "
                "make tokens. Ask your registry's administrator.",
            )
        return view(*args, **kwargs)

    return wrapper


def _page(status: int = 200, **shown):
    accounts = _accounts()
    users, tokens = accounts.users(), accounts.tokens()
    return render_template(
        "accounts.html",
        users=users,
        tokens=tokens,
        roles=ROLES,
        role_labels=ROLE_LABELS,
        role_help=ROLE_HELP,
        form=request.form,
        organisations=_organisations({a.organisation for a in [*users, *tokens]}),
        **shown,
    ), status


def _organisations(iris) -> dict[str, dict]:
    """Each organisation's name (its title in the store) and the page to link it to, by IRI."""
    iris = [i for i in iris if i]
    names = titles(registry().store, iris)
    return {iri: {"title": names.get(iri), "href": _local_href(iri)} for iri in iris}


@bp.get("/admin/accounts")
@admin_only
def accounts_page():
    return _page()


def _organisation(field: str) -> str:
    store, model = registry().store, registry().model
    return organisation_iri(
        model, request.form.get(field, "").strip(), organisation_titles(store, model)
    )


def _problems(checks, typed: tuple[str, ...] = ()) -> dict[str, str]:
    """Each field's error, as a sentence, from running every (field, check) pair: a form reports
    all its errors at once, not one per round. A field with an error is not checked again. A
    message that starts with what was `typed` keeps it as typed (nowhere-council, not Nowhere-…)."""
    problems: dict[str, str] = {}
    for field, check in checks:
        if field in problems:
            continue
        try:
            check()
        except AccountError as exc:
            message = str(exc)
            problems[field] = (
                message if any(t and message.startswith(t) for t in typed) else _sentence(message)
            )
    return problems


@bp.post("/admin/invitations")
@admin_only
def invite():
    username = request.form.get("username", "").strip()
    role = request.form.get("role", "")
    found = {}
    problems = _problems(
        [
            ("username", lambda: check_username(username)),
            ("username", lambda: _accounts().check_name_is_free(username)),
            (
                "organisation",
                lambda: found.setdefault("organisation", _organisation("organisation")),
            ),
            ("role", lambda: check_role(role)),
        ],
        typed=(request.form.get("organisation", "").strip(),),
    )
    if problems:
        return _page(422, invite_errors=problems)
    organisation = found["organisation"]
    try:
        secret = _accounts().invite(username, organisation, role, web_user().username)
    except AccountError as exc:
        return _page(422, invite_errors={"username": _sentence(str(exc))})
    AUDIT.info(
        "invitation for %s (%s for %s) by %s", username, role, organisation, web_user().username
    )
    # the registry's own address (LDR_BASE), not the request's Host header, which a client chooses
    link = registry().model.base.iri + "/invitation/" + secret
    return _page(invited=username, invitation_link=link)


def _sentence(message: str) -> str:
    return message[:1].upper() + message[1:]


@bp.post("/admin/tokens")
@admin_only
def make_token():
    username = request.form.get("token_user", "").strip()
    if not username:
        return _page(
            422,
            token_error="Choose the user the token is for: type their user name, as in the list of "
            "users below",
        )
    owner = _accounts().user(username)
    if owner is None:
        return _page(
            422,
            token_error=f"There is no user called {username!r}: invite them first, or choose "
            "one from the list of users",
        )
    info, secret = _accounts().create_token(owner.username, owner.organisation, owner.role)
    AUDIT.info(
        "token %s for %s (%s) by %s", info.id, owner.username, owner.role, web_user().username
    )
    return _page(token_info=info, token_secret=secret)


@bp.route("/invitation/<secret>", methods=["GET", "POST"])
def accept_invitation(secret: str):
    accounts = _accounts()
    invited = accounts.invitation(secret)
    if invited is None:
        return _not_found(
            "Invitation not valid",
            "This invitation has been used, has expired or was mistyped. "
            "Ask your registry's administrator for a new one.",
        )
    errors: dict[str, str] = {}
    if request.method == "POST":
        password, confirm = request.form.get("password", ""), request.form.get("confirm", "")
        errors = _problems([("password", lambda: check_new_password(password))])
        if password != confirm:
            errors["confirm"] = (
                "The two passwords are not the same: type the same password in both boxes"
            )
        if not errors:
            try:
                accounts.accept(secret, password)
            except AccountError as exc:
                errors["password"] = _sentence(str(exc))
            else:
                AUDIT.info(
                    "invitation accepted by %s (%s for %s)",
                    invited.username,
                    invited.role,
                    invited.organisation,
                )
                begin(invited.username)
                return redirect("/")
    response = render_template(
        "invitation.html",
        invited=invited,
        errors=errors,
        organisations=_organisations([invited.organisation]),
    )
    return response, (422 if errors else 200), {"Referrer-Policy": "no-referrer"}


def _admin():
    agent = _writer()
    if agent.role != "admin":
        raise RegistrationError(
            "forbidden", f"Only admins manage users and tokens; {agent.username} is a {agent.role}."
        )
    return agent


@bp.get("/tokens")
def list_tokens():
    _admin()
    return jsonify({"tokens": [asdict(t) for t in registry().accounts.tokens()]})


@bp.post("/tokens")
def create_token():
    from registry.accounts.users import AccountError, organisation_iri, organisation_titles

    _admin()
    body = _json_object("`username`, `organisation` and `role` members")
    if isinstance(body, Response):
        return body
    store, model = registry().store, registry().model
    try:
        iri = organisation_iri(
            model, str(body.get("organisation", "")), organisation_titles(store, model)
        )
        info, secret = registry().accounts.create_token(
            str(body.get("username", "")), iri, str(body.get("role", ""))
        )
    except AccountError as exc:
        return problem(422, "Cannot create the token", str(exc))
    response = jsonify({**asdict(info), "token": secret})
    response.status_code = 201
    return response


@bp.delete("/tokens/<token_id>")
def revoke_token(token_id: str):
    from registry.accounts.users import AccountError

    _admin()
    try:
        info = registry().accounts.revoke(token_id)
    except AccountError as exc:
        return problem(404, "No such token", str(exc))
    return jsonify(asdict(info))
