"""Signing in to the web pages: sessions in Secure, HttpOnly, SameSite cookies, CSRF protection
on every form, and repeated failed sign-ins slowed down."""
from __future__ import annotations

import hmac
import secrets
import time
from functools import wraps

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for

from registry.settings import beside_store

bp = Blueprint("web_auth", __name__)
CSRF_EXEMPT = ("/sparql",)   # a read-only query endpoint: cross-site posts can change nothing there


def secret_key(settings) -> str:
    if settings.get("LDR_SECRET_KEY"):
        return settings["LDR_SECRET_KEY"]
    path = beside_store(settings, None, ".secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def configure(app) -> None:
    settings = app.config["LDR"]
    app.secret_key = secret_key(settings)
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      SESSION_COOKIE_SECURE=bool(settings["LDR_COOKIE_SECURE"]), SESSION_COOKIE_NAME="ldr_session")
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["web_user"] = lambda: web_user()


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


@bp.before_app_request
def check_csrf():
    """Every form post must carry the session's CSRF token (API calls with a Bearer token and
    no cookie are not forms and are not at risk)."""
    if request.method != "POST" or request.path.startswith(CSRF_EXEMPT):
        return None
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return None
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="The form could not be checked (its security token is missing or out of date). "
                               "Go back, reload the page and try again.")
    return None


def web_user():
    """The signed-in user (an Agent), or None."""
    if "web_user" not in g:
        name = session.get("user")
        g.web_user = current_app.extensions["ldr.accounts"].user(name) if name else None
    return g.web_user


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if web_user() is None:
            return redirect(url_for("web_auth.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)
    return wrapper


def _safe_next(target: str | None) -> str:
    """Only paths on this site: no open redirects."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target \
            or any(ord(c) < 0x20 or ord(c) == 0x7f for c in target):   # a newline never reaches Location
        return "/"
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    error = None
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        accounts = current_app.extensions["ldr.accounts"]
        failures = accounts.failures(username)
        if failures:
            time.sleep(min(failures, 5) * 0.3)   # repeated failures are slowed down
        agent = accounts.sign_in(username, request.form.get("password", ""))
        if agent is not None:
            session.clear()
            session["user"] = agent.username
            csrf_token()
            return redirect(_safe_next(request.form.get("next")))
        error = "The user name or password is not right"
    return render_template("sign_in.html", error=error, next=_safe_next(request.values.get("next"))), \
        (401 if error else 200)


@bp.post("/sign-out")
def sign_out():
    session.clear()
    return redirect("/")
