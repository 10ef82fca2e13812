"""Headers every response carries, the nonce that lets GOV.UK Frontend's one inline script run
under a Content-Security-Policy without 'unsafe-inline', and per-client rate limiting of the
query endpoints."""

from __future__ import annotations

import secrets

from flask import g, request

from registry.runtime.rate_limit import RateLimiter, retry_after

from .problems import problem

#: What the rate limit applies to here: the stored queries, which run in the shared worker
#: processes. /sparql does too, and takes its turn in api/sparql.py (it runs outside Flask).
LIMITED = ("/queries/",)
#: The one inline style YASGUI 4.6.2 applies on the query page, allowed by its hash alone (seen by
#: the browser test; a new YASGUI version that adds another makes that test fail).
YASGUI_STYLES = ("'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",)


def policy(nonce: str | None, extra_styles: tuple[str, ...] = ()) -> str:
    """The Content-Security-Policy: everything from the registry itself, scripts also by this
    response's nonce (if it has one), never 'unsafe-inline'."""
    styles = " ".join(("'self'",) + (("'unsafe-hashes'",) + extra_styles if extra_styles else ()))
    scripts = f"script-src 'self' 'nonce-{nonce}'" if nonce else "script-src 'self'"
    return "; ".join(
        [
            "default-src 'self'",
            scripts,
            f"style-src {styles}",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def add_headers(headers, path: str, nonce: str | None, secure: bool) -> None:
    """The headers every response carries (those it has not set itself)."""
    extra = YASGUI_STYLES if path == "/query" else ()
    headers.setdefault("Content-Security-Policy", policy(nonce, extra))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def limit_rate(limiter: RateLimiter, client: str | None):
    """A 429 problem if the client has used up its queries for now, else None."""
    wait = limiter.take(client or "unknown")
    if not wait:
        return None
    return problem(
        429,
        "Too many requests",
        f"This client has sent more than {limiter.capacity:.0f} queries a minute (LDR_RATE_LIMIT). "
        "Wait and try again, or download the dump at /dumps/registry.nq.gz to work on everything locally.",
        headers={"Retry-After": retry_after(wait)},
    )


def configure(app) -> None:
    limiter = RateLimiter(app.config["LDR"]["LDR_RATE_LIMIT"])
    app.extensions["ldr.rate_limiter"] = limiter  # shared with the SPARQL endpoint

    @app.before_request
    def rate_limit():
        if request.path.startswith(LIMITED):
            return limit_rate(limiter, request.remote_addr)
        return None

    @app.context_processor
    def nonce():
        # made only for responses that render a page: the rest allow no inline script at all
        if "csp_nonce" not in g:
            g.csp_nonce = secrets.token_urlsafe(16)
        return {"cspNonce": g.csp_nonce}

    @app.after_request
    def security_headers(response):
        add_headers(response.headers, request.path, g.get("csp_nonce"), request.is_secure)
        return response
