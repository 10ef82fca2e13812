"""Signing in to the web pages, to OWASP ASVS level 2.

- Sessions are kept on the server (registry.accounts.users, in the accounts file): the cookie holds
  only a random 256-bit id, so signing out or a new password ends a session wherever its cookie
  was copied to; a new id is issued on every sign-in (no fixation).
- `next` is followed only to a path on this site, decided by parsing it as a browser would.
- Failed sign-ins are counted per user name and per address in the accounts file, and over the
  limit answered at once with 429 (never by sleeping in a request thread).
- Every state-changing request that carries the session cookie is checked for CSRF: a form by
  its token, any other body by the browser's Sec-Fetch-Site or Origin header.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
import math
import re
import secrets
from functools import wraps
from typing import cast
from urllib.parse import quote, urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask.sessions import SessionInterface, SessionMixin

from registry.accounts.users import ROLE_LABELS, SignInLocked
from registry.records.versions import AUDIT
from registry.runtime.rate_limit import retry_after
from registry.runtime.settings import beside_store

from .current import registry
from .documents import error_page
from .problems import problem

bp = Blueprint("web_auth", __name__)
CSRF_EXEMPT = ("/sparql",)  # a read-only query endpoint: cross-site posts can change nothing there
STATE_CHANGING = ("POST", "PUT", "PATCH", "DELETE")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
SESSION_ID = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32): 256 bits
_UNSET = object()


def secret_key(settings) -> str:
    if settings.get("LDR_SECRET_KEY"):
        return settings["LDR_SECRET_KEY"]
    path = beside_store(settings, None, ".secret")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def cookie_name(secure: bool) -> str:
    """`__Host-` when the cookie is Secure: browsers then refuse it from any other host or path,
    so a sibling site cannot plant a session id (ASVS 3.4.4)."""
    return "__Host-ldr_session" if secure else "ldr_session"


def configure(app) -> None:
    settings = app.config["LDR"]
    app.secret_key = secret_key(settings)  # the key CSRF tokens are made from
    secure = bool(settings["LDR_COOKIE_SECURE"])
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME=cookie_name(secure),
        SESSION_COOKIE_PATH="/",
        SESSION_COOKIE_DOMAIN=None,
    )
    app.session_interface = ServerSessions()
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["web_user"] = lambda: web_user()
    app.jinja_env.globals["role_label"] = lambda role: ROLE_LABELS.get(
        role, role
    )  # Publisher, not publisher


class WebSession(dict, SessionMixin):
    """This request's session: the id from its cookie and, looked up on first use, who is signed
    in with it. It holds nothing else; use `begin` and `end` to change it."""

    def __init__(self, session_id: str | None):
        super().__init__()
        self.id = session_id
        self.send_cookie = False  # a new id for the browser
        self.ended = False  # the browser should forget its cookie
        self.consulted = False  # the answer depends on the cookie (Vary: Cookie)
        self.private = False  # the answer is someone's own: a token, a new cookie, a signed-in page
        self._agent = _UNSET

    def __setitem__(self, key, value):
        raise TypeError(
            "sessions are kept on the server and hold only who is signed in: use api.web_auth.begin()"
        )

    @property
    def agent(self):
        self.consulted = True
        if self._agent is _UNSET:
            self._agent = registry().accounts.session_user(self.id) if self.id else None
        self.private = self.private or self._agent is not None
        return self._agent


class ServerSessions(SessionInterface):
    """Flask's sessions, kept on the server: the cookie is only a key into registry.accounts.users."""

    def open_session(self, app, request) -> WebSession:
        value = request.cookies.get(self.get_cookie_name(app), "")
        return WebSession(value if SESSION_ID.fullmatch(value) else None)

    def save_session(self, app, session: SessionMixin, response) -> None:
        session = cast(WebSession, session)  # the one open_session gave
        name, secure = self.get_cookie_name(app), self.get_cookie_secure(app)
        if session.consulted:
            response.vary.add("Cookie")
        if session.private or session.send_cookie or session.ended:
            # never kept by a shared cache, nor stored by the browser (ASVS 8.2.1)
            response.headers["Cache-Control"] = "private, no-store"
        if session.ended:
            response.delete_cookie(name, path="/", secure=secure, httponly=True, samesite="Lax")
        elif session.send_cookie and session.id:
            # no Max-Age: the browser forgets it when it closes; the server ends it at the timeouts
            response.set_cookie(
                name, session.id, path="/", secure=secure, httponly=True, samesite="Lax"
            )


def _this_session() -> WebSession:
    """Flask's proxy for this request's session, typed as the WebSession open_session gives."""
    return cast(WebSession, session)


def begin(username: str) -> None:
    """Signed in: a new session with a new id (any earlier one ends), so an id fixed before
    sign-in is worth nothing after it."""
    accounts = registry().accounts
    web = _this_session()
    if web.id:
        accounts.end_session(web.id)
    web.id = accounts.start_session(username)
    web.send_cookie, web.ended, web._agent = True, False, _UNSET


def end() -> None:
    """Signed out: the session ends on the server, whoever holds a copy of its cookie."""
    web = _this_session()
    if web.id:
        registry().accounts.end_session(web.id)
    web.id, web.ended, web._agent = None, True, None


def csrf_token() -> str:
    """The CSRF token of this session: an HMAC of its id, so it needs no storage and changes
    with every sign-in. A visitor who is not signed in gets an id (stored nowhere) for it."""
    web = _this_session()
    if not web.id:
        web.id, web.send_cookie, web.ended = secrets.token_urlsafe(32), True, False
    web.private = True
    key = cast(str, current_app.secret_key)  # configure sets it as text
    return hmac.new(key.encode(), b"csrf:" + web.id.encode(), hashlib.sha256).hexdigest()


def _same_origin(origin: str) -> bool:
    """Whether an Origin header names this site: as the request reached it, over HTTPS at the
    same host (behind a proxy that ends TLS), or at LDR_BASE."""
    if not origin or origin == "null":
        return False
    parts = urlsplit(origin)
    base = urlsplit(current_app.config["LDR"]["LDR_BASE"])
    host = request.host.lower()
    return (parts.scheme, parts.netloc.lower()) in {
        (request.scheme, host),
        ("https", host),
        (base.scheme, base.netloc.lower()),
    }


def _cross_site(detail: str):
    return problem(
        403,
        "Cross-site request refused",
        detail + " A page on another site may not act for someone "
        "signed in here. Use the registry's own pages; programs send `Authorization: Bearer TOKEN` "
        "and no cookie.",
    )


@bp.before_app_request
def check_csrf():
    """Every state-changing request that carries the session cookie, whatever its content type,
    must show that it came from this site: a form by its token (every form post needs one, so
    that nobody can be signed in to someone else's account from another site), any other body
    by the browser's Sec-Fetch-Site (same-origin), or failing that its Origin header. Requests
    without the cookie carry no one's authority and are not checked, except a form without a
    Bearer token (signing in). A browser never adds a Bearer token by itself, nor sends one
    cross-site without a CORS preflight, which the registry never grants."""
    if request.method not in STATE_CHANGING or request.path.startswith(CSRF_EXEMPT):
        return None
    if (
        request.routing_exception is not None
    ):  # no route takes it (404, 405): nothing can change; the router answers
        return None
    has_cookie = current_app.session_interface.get_cookie_name(current_app) in request.cookies
    form = request.mimetype in FORMS
    bearer = request.headers.get("Authorization", "")[:7].lower() == "bearer "
    if not has_cookie and (bearer or not form):
        return None
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None and fetch_site != "same-origin":
        return _cross_site(
            f"This request came from another site (Sec-Fetch-Site: {fetch_site[:40]})."
        )
    if form:
        sent = request.form.get("csrf_token", "")
        if not session.id or not hmac.compare_digest(sent.encode(), csrf_token().encode()):
            if not has_cookie and _cookie_dropped_over_http():
                return error_page(
                    400,
                    "Signing in needs HTTPS",
                    f"This registry was opened over plain HTTP at {request.host[:100]}, and browsers keep "
                    "its sign-in cookie only over HTTPS (or at localhost or 127.0.0.1), so the form "
                    "could not be checked. Open it at an https:// address; to try it on one machine, "
                    "open it at http://127.0.0.1. An operator who serves it only inside a private "
                    "network can set LDR_COOKIE_SECURE=false (docs/settings.md).",
                    back=request.path,
                )
            return error_page(
                400,
                "The form has expired",
                "The form could not be checked (its security token is missing or out of date). "
                "Go back, reload the page and try again.",
                back=request.path,
            )
        return None
    if fetch_site == "same-origin" or _same_origin(request.headers.get("Origin", "")):
        return None
    return _cross_site(
        "This request carries the session cookie but not a browser's word that it came from "
        "this site (a Sec-Fetch-Site or Origin header)."
    )


def _cookie_dropped_over_http() -> bool:
    """Whether this request came over plain HTTP to a name other than the local machine while
    the session cookie is marked Secure: a browser then never sends it back."""
    local = urlsplit("//" + request.host).hostname in ("localhost", "127.0.0.1", "::1")
    return current_app.config["SESSION_COOKIE_SECURE"] and request.scheme == "http" and not local


def web_user():
    """The signed-in user (an Agent), or None."""
    return session.agent


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if web_user() is None:
            return redirect(url_for("web_auth.sign_in", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return wrapper


#: What a browser ignores in a URL: leading and trailing C0 controls and spaces are stripped,
#: tabs and newlines anywhere are removed (WHATWG URL standard, basic URL parser).
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_TAB_AND_NEWLINES = str.maketrans("", "", "\t\n\r")
#: Characters kept as they are in a redirect path; the rest are percent-encoded.
_PATH_SAFE = "/?#[]@!$&'()*+,;=:%~-._"


def same_site_path(target: str | None) -> str:
    """`target` if it is a path on this site, else "/": no open redirects. Decided on what a
    browser would make of it (stripped as a browser strips, backslashes read as slashes, as a
    browser reads them in http(s) URLs), then parsed: anything with a scheme or a host, or not
    starting with exactly one slash, is refused. What is kept is percent-encoded to plain ASCII."""
    if not target:
        return "/"
    text = target.strip(_C0_AND_SPACE).translate(_TAB_AND_NEWLINES).replace("\\", "/")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in text):
        return "/"
    if not text.startswith("/") or text.startswith("//"):
        return "/"
    parts = urlsplit(text)
    if parts.scheme or parts.netloc:
        return "/"
    return quote(text, safe=_PATH_SAFE)


def client_address() -> str | None:
    """What failed sign-ins from this client are counted under: its IPv4 address, or its IPv6
    /64 (a household or a server usually holds a whole /64, so single IPv6 addresses would let
    one client try as often as it has addresses)."""
    address = request.remote_addr
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(getattr(ip, "ipv4_mapped", None) or ip)


def _locked_message(exc: SignInLocked, username: str) -> str:
    minutes = max(1, math.ceil(exc.wait / 60))
    until = datetime.datetime.fromtimestamp(exc.until, datetime.UTC).strftime("%H:%M UTC")
    wait = f"Wait {minutes} minute{'s' if minutes != 1 else ''} (until {until}) and try again"
    if exc.kind == "account":
        return (
            f"There have been too many failed sign-ins for this user name. {wait}, or ask your registry's "
            f"operator to unlock it with `ldr user unlock {username}`. If you have forgotten your password, "
            "the operator can set a new one with `ldr user password`."
        )
    return (
        f"There have been too many failed sign-ins from your network address. {wait}, or ask your "
        f"registry's operator to run `ldr user unlock --address {client_address()}`."
    )


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    error, status, headers, error_field = None, 200, {}, "username"
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        accounts = registry().accounts
        # an empty box is said as such, and is no attempt: it counts for no lock
        if not username:
            error, status = "Enter your user name", 422
        elif not request.form.get("password"):
            error, status, error_field = (
                "Enter your password: the password box is empty",
                422,
                "password",
            )
    if request.method == "POST" and error is None:
        try:
            agent = accounts.sign_in(username, request.form.get("password", ""), client_address())
        except SignInLocked as exc:
            AUDIT.info("sign-in refused for %r from %s: locked", username, client_address())
            error, status = _locked_message(exc, username), 429
            headers["Retry-After"] = retry_after(exc.wait)
        else:
            if agent is not None:
                AUDIT.info("sign-in by %s from %s", agent.username, client_address())
                begin(agent.username)
                return redirect(same_site_path(request.form.get("next")))
            AUDIT.info("sign-in failed for %r from %s", username, client_address())
            error, status = "The user name or password is not right", 401
    return (
        render_template(
            "sign_in.html",
            error=error,
            error_field=error_field,
            next=same_site_path(request.values.get("next")),
            plain_http=_cookie_dropped_over_http(),
        ),
        status,
        headers,
    )


@bp.post("/sign-out")
def sign_out():
    end()
    return redirect("/")


def _when(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%d %B %Y at %H:%M UTC")


@bp.route("/account/sessions", methods=["GET", "POST"])
@signed_in
def account_sessions():
    """The user's sessions (where they are signed in), and signing out of all the others once
    they have given their password again (OWASP ASVS 3.3.4)."""
    accounts, user = registry().accounts, web_user()
    error, status, headers, ended = None, 200, {}, None
    if request.method == "POST" and not request.form.get("password"):
        error, status = "Enter your password: the password box is empty", 422
    elif request.method == "POST":
        try:
            agent = accounts.sign_in(
                user.username, request.form.get("password", ""), client_address()
            )
        except SignInLocked as exc:
            error, status = _locked_message(exc, user.username), 429
            headers["Retry-After"] = retry_after(exc.wait)
        else:
            if agent is None:
                AUDIT.info(
                    "sign-out elsewhere refused for %s from %s: wrong password",
                    user.username,
                    client_address(),
                )
                error, status = (
                    "The password is not right: enter the password you sign in with",
                    401,
                )
            else:
                ended = accounts.end_other_sessions(user.username, session.id)
                AUDIT.info(
                    "sign-out elsewhere by %s from %s: %d session(s) ended",
                    user.username,
                    client_address(),
                    ended,
                )
    sessions = [
        {"began": _when(s["began"]), "used": _when(s["used"]), "current": s["current"]}
        for s in accounts.sessions_of(user.username, session.id)
    ]
    rules = accounts.rules
    return (
        render_template(
            "account_sessions.html",
            sessions=sessions,
            error=error,
            ended=ended,
            idle_minutes=round(rules.session_idle / 60),
            lifetime_hours=round(rules.session_lifetime / 3600),
        ),
        status,
        headers,
    )
