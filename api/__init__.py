"""The Flask application: a thin HTTP layer over the registry package."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, request
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from registry.assembly import Registry, open_registry
from registry.store.base import StoreError


def create_app(
    config: Mapping[str, Any] | None = None, *, registry: Registry | None = None
) -> Flask:
    """Build the app over a registry (the composition root, registry.assembly), made here from
    settings (LDR_* variables, the LDR_CONFIG file, then `config`) when none is given."""
    registry = registry or open_registry(config)
    settings = registry.settings
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    from .bodies import FormLimitedRequest

    app.request_class = FormLimitedRequest
    # GOV.UK Frontend's macros, from the govuk-frontend-jinja package
    assert app.jinja_loader is not None  # the package's templates folder
    app.jinja_loader = ChoiceLoader(
        [
            app.jinja_loader,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.config["LDR"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings["LDR_MAX_INPUT_BYTES"]
    app.extensions["ldr.registry"] = registry
    # every part is made now, as the server starts, not by the first request that needs it
    registry.open_all()
    _navigation(app, registry)

    # one blueprint per family of URLs
    from .admin import bp as admin
    from .bodies import WholeBodies
    from .catalogue import bp as catalogue
    from .conformance import bp as conformance
    from .exports import bp as exports
    from .harvesting import bp as harvesting
    from .history import bp as history
    from .linked_data import bp as linked_data
    from .listings import bp as listings
    from .publishing import bp as publishing
    from .queries import bp as queries
    from .records import bp as records
    from .reports import bp as reports
    from .security import configure as configure_security
    from .sparql import SparqlEndpoint
    from .system import bp as system
    from .web_auth import bp as web_auth
    from .web_auth import configure as configure_web_auth

    for blueprint in (
        system,
        linked_data,
        history,
        records,
        queries,
        catalogue,
        exports,
        conformance,
        web_auth,
        publishing,
        harvesting,
        listings,
        reports,
        admin,
    ):
        app.register_blueprint(blueprint)
    # a refused write, wherever it is raised, is one problem document (registry.records.registration)
    from registry.records.registration import RegistrationError

    from .records import _refused

    app.register_error_handler(RegistrationError, _refused)
    configure_web_auth(app)
    configure_security(app)
    _checked_path_values(app)
    _error_pages(app)
    # outermost: every body is read whole or refused before a route or /sparql sees it (replacing
    # wsgi_app is how Flask's documentation adds WSGI middleware, though it is typed as a method)
    app.wsgi_app = WholeBodies(  # type: ignore[method-assign]
        _with_sparql(app.wsgi_app, SparqlEndpoint(app)), settings["LDR_MAX_INPUT_BYTES"], pages=app
    )
    from .request_log import RequestLog

    # around everything: every request gets its line
    app.wsgi_app = RequestLog(app.wsgi_app)  # type: ignore[method-assign]
    return app


def _with_sparql(flask_app, endpoint):
    """/sparql goes to its own small WSGI app, everything else to Flask."""

    def route(environ, start_response):
        if environ.get("PATH_INFO") in ("/sparql", "/sparql/"):
            return endpoint(environ, start_response)
        return flask_app(environ, start_response)

    return route


def _checked_path_values(app: Flask) -> None:
    """Every register name, reference and version number in a URL path is checked here, for
    every route (a new route is covered by naming its parts so), before any view runs and so
    before any store access: a value that is not one cannot reach a query (registry.rdf.identifiers)."""
    from flask import abort

    from registry.rdf.identifiers import BadTerm, check_reference, check_register, check_version

    from .documents import _not_found, _split_suffix
    from .problems import problem

    suffixed = {"linked_data.item_doc"}  # /doc/{register}/{reference}.ttl and the like
    register_suffixed = {"catalogue.register_doc"}  # /doc/{register}.ttl and the like

    @app.url_value_preprocessor
    def check(endpoint, values):
        if not values:
            return
        try:
            if "register" in values:
                register = values["register"]
                check_register(
                    _split_suffix(register)[0] if endpoint in register_suffixed else register
                )
            if "reference" in values:
                reference = values["reference"]
                check_reference(_split_suffix(reference)[0] if endpoint in suffixed else reference)
            if "number" in values:
                check_version(_split_suffix(values["number"])[0])
        except BadTerm as exc:
            abort(
                _not_found(exc.title, exc.detail)
                if exc.status == 404
                else problem(exc.status, exc.title, exc.detail)
            )

    @app.errorhandler(BadTerm)
    def bad_term(exc: BadTerm):
        """A value checked deeper down (a successor, an organisation, a parameter)."""
        if exc.status == 404:
            return _not_found(exc.title, exc.detail)
        return problem(exc.status, exc.title, exc.detail)


def _error_pages(app: Flask) -> None:
    """Every error is a problem document (or a plain page for a browser), never Flask's
    default page or a stack trace."""
    from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

    from .documents import _not_found, error_page
    from .problems import problem, too_large

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 404:
            return _not_found(
                "Page not found", "There is nothing at this address. Start from the home page, /."
            )
        if exc.code == 413:
            if exc.description and exc.description != RequestEntityTooLarge.description:
                # which limit, if not the body's; a page for a browser (a form with a very long answer)
                return error_page(413, "The form is too large", exc.description, back=request.path)
            return too_large(app.config["MAX_CONTENT_LENGTH"])
        detail = exc.description or exc.name
        if (
            exc.code == 405
            and request.method == "DELETE"
            and request.path.startswith(("/doc/", "/id/"))
        ):
            detail = (
                "Records are never deleted. Withdrawal is a status: a steward POSTs "
                f"{request.path.rstrip('/')}/status with status retired (or invalid). Every version is kept."
            )
        response = error_page(exc.code or 500, exc.name, detail, back=getattr(exc, "back", None))
        methods = getattr(exc, "valid_methods", None)  # MethodNotAllowed's
        if exc.code == 405 and methods:
            # the methods of every route at this address, as the router knows them: no route is
            # kept only to refuse a method (DELETE on a record was, and Allow then listed DELETE)
            response.headers["Allow"] = ", ".join(sorted(methods))
        return response

    @app.errorhandler(StoreError)
    def store_error(exc: StoreError):
        if exc.status == 507:
            app.logger.error("store cannot write: %s", exc)
            return problem(
                507,
                "Store cannot write",
                "The registry's store could not write to disk (it may be full), so nothing was changed. "
                "What is already registered can still be read. Try again later; the operator has been "
                "told in the log.",
                headers={"Retry-After": "60"},
            )
        if not exc.unavailable:
            app.logger.error("store error: %s", exc)
            return problem(
                500,
                "Internal server error",
                "The store refused a request; it has been logged. "
                "Nothing you sent was written unless you received a success response.",
            )
        app.logger.warning("store unavailable: %s", exc)
        return problem(
            503,
            "Store unavailable",
            "The registry's store is not answering (it may be restarting or overloaded). Nothing was "
            "changed. Try again in a few seconds.",
            headers={"Retry-After": "5"},
        )

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("unexpected error")
        return problem(
            500,
            "Internal server error",
            "Something went wrong on the server; it has been logged. "
            "Nothing you sent was written unless you received a success response.",
        )


def _navigation(app: Flask, registry: Registry) -> None:
    """The header's links: search, every register (from the vocabulary, so a new register is
    in the menu without a template change), the reports and the query page."""
    from registry.rdf.namespaces import REGISTERS

    model = registry.model
    links = [{"href": "/search", "text": "Search"}]
    links += [{"href": f"/{name}", "text": model.register_label(name)} for name in REGISTERS]
    links += [{"href": "/reports", "text": "Reports"}, {"href": "/query", "text": "SPARQL"}]

    # a global, not a context variable: the listing's macros are imported without the context
    app.jinja_env.globals["register_label"] = model.register_label

    @app.context_processor
    def navigation() -> dict:
        return {"navigation": links}
