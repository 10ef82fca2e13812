"""Every setting in one documented table, read from ``LDR_*`` variables or a TOML file.

The table is the single place a setting is declared: docs/settings.md is checked
against it by a test, so a setting cannot exist without being documented.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


def _size(text: str) -> int:
    """Accept plain bytes or a suffix (10MB, 512KB, 1GB) so limits read naturally."""
    text = text.strip().upper()
    for suffix, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10), ("B", 1)):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)]) * factor)
    return int(text)


def _count(text: str) -> int:
    """A whole number, zero or more."""
    value = int(text)
    if value < 0:
        raise ValueError("it must be 0 or more")
    return value


def _languages(text: str) -> tuple[str, ...]:
    tags = tuple(t.strip().lower() for t in text.split(",") if t.strip())
    if not tags or not all(re.fullmatch(r"[a-z]{2,3}(-[a-z0-9]{1,8})*", t) for t in tags):
        raise ValueError("give language tags separated by commas, such as cy,en")
    return tags


def _allocator(text: str) -> str:
    text = text.strip()
    if text in ("auto", "system") or Path(text).is_file():
        return text
    raise ValueError("give auto, system, or the path of a shared library that exists")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "LDR_BASE",
        "http://127.0.0.1:8000",
        "Base of every IRI the registry mints ({base}/id/..., {base}/doc/...); the vocabulary's IRIs are the same "
        "in every deployment (docs/vocabulary.md). "
        "Set it once, before `ldr init`: IRIs never change afterwards, whatever host serves them.",
    ),
    Setting(
        "LDR_STORE",
        "embedded",
        "Which store implementation to use: `embedded` (pyoxigraph on disk) or `sparql` (a SPARQL 1.1 server).",
    ),
    Setting(
        "LDR_SPARQL_QUERY_URL", "", "With LDR_STORE=sparql: the server's SPARQL 1.1 Query endpoint."
    ),
    Setting(
        "LDR_SPARQL_UPDATE_URL",
        "",
        "With LDR_STORE=sparql: the server's SPARQL 1.1 Update endpoint.",
    ),
    Setting(
        "LDR_SPARQL_GSP_URL",
        "",
        "With LDR_STORE=sparql, optional: the server's Graph Store Protocol endpoint, used to export the whole "
        "dataset as N-Quads in one request (dumps, `ldr export`). Empty: exported with SPARQL queries.",
    ),
    Setting(
        "LDR_SPARQL_TIMEOUT",
        30.0,
        "With LDR_STORE=sparql: seconds to wait for the server on the registry's own reads and writes before "
        "answering 503 (the public endpoint uses LDR_QUERY_TIMEOUT).",
        float,
    ),
    Setting(
        "LDR_SPARQL_USER",
        "",
        "With LDR_STORE=sparql: user name for HTTP basic authentication, if the server needs it.",
    ),
    Setting(
        "LDR_SPARQL_PASSWORD", "", "With LDR_STORE=sparql: password for HTTP basic authentication."
    ),
    Setting(
        "LDR_OPERATOR",
        "",
        "Reference of the registered organisation that runs this registry (as in /id/organisations/{ref}). "
        "When set, `ldr init` registers the registry's own record shapes as a standard it publishes, with the "
        "shapes as the standard's validation resource.",
    ),
    Setting(
        "LDR_QUEUE",
        "",
        "Where harvest jobs wait to run: empty for an SQLite file beside the store ({store}.queue.sqlite), which "
        "the web process runs itself; or a Redis address (redis://host:6379/0) that several web machines share.",
    ),
    Setting(
        "LDR_HARVEST_ALLOW",
        "",
        "Hosts or networks (comma-separated: 127.0.0.1, 10.1.0.0/16, intranet.example) a harvest may fetch from "
        "although they are private, loopback or link-local. Empty: only public addresses.",
    ),
    Setting(
        "LDR_HARVEST_MAX_BYTES",
        20 * 1024 * 1024,
        "Largest file a harvest fetches, in bytes (suffixes KB, MB, GB allowed); a larger one fails its run.",
        _size,
    ),
    Setting(
        "LDR_HARVEST_TIMEOUT",
        60.0,
        "Seconds a harvest may spend fetching one source (every redirect and related file included).",
        float,
    ),
    Setting(
        "LDR_LANGUAGES",
        "en",
        "The languages labels are shown in, most wanted first, as language tags separated by commas (`cy,en` for "
        "Welsh, then English): a term of the vocabulary, a concept or a register with labels in several languages "
        "is shown by the first of these it has, else by its label without a language, else by any.",
        _languages,
    ),
    Setting(
        "LDR_DATA_LICENCE",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "IRI of the licence the registry's data is published under, stated in the catalogue (/catalogue) for the "
        "catalogue and every distribution (the dumps, the SPARQL endpoint).",
    ),
    Setting(
        "LDR_DATA_LICENCE_TITLE",
        "Open Government Licence v3.0",
        "Name of that licence, shown with it in the catalogue.",
    ),
    Setting(
        "LDR_STORE_DIR",
        "var/store",
        "Directory of the embedded on-disk store (created by `ldr init`).",
    ),
    Setting(
        "LDR_ACCOUNTS_DB",
        "",
        "SQLite file of users and API token hashes (default: beside the store, {store}.accounts.sqlite).",
    ),
    Setting(
        "LDR_INDEX_DB",
        "",
        "SQLite file of the search and listing index (default: beside the store, {store}.index.sqlite).",
    ),
    Setting(
        "LDR_SECRET_KEY",
        "",
        "Key from which CSRF tokens are made (sessions themselves are kept server-side). Empty: a random key kept in {store}.secret (created once).",
    ),
    Setting(
        "LDR_COOKIE_SECURE",
        True,
        "Send the session cookie only over HTTPS (browsers also allow it on localhost). Turn off only for tests.",
        lambda v: v.strip().lower() not in ("0", "false", "no", "off"),
    ),
    Setting(
        "LDR_SESSION_IDLE_TIMEOUT",
        1800,
        "Seconds a signed-in session may go without a request before it ends (sign in again).",
        _count,
    ),
    Setting(
        "LDR_SESSION_LIFETIME",
        43200,
        "Seconds after signing in when a session ends, however busy it is (sign in again).",
        _count,
    ),
    Setting(
        "LDR_SIGN_IN_WINDOW",
        900,
        "Seconds over which failed sign-ins are counted for LDR_SIGN_IN_ACCOUNT_LIMIT and "
        "LDR_SIGN_IN_ADDRESS_LIMIT; a lock ends when its failures are this old.",
        _count,
    ),
    Setting(
        "LDR_SIGN_IN_ACCOUNT_LIMIT",
        5,
        "Failed sign-ins for one user name within LDR_SIGN_IN_WINDOW after which it is locked (429) until they "
        "age out or `ldr user unlock` lifts it. 0: no limit.",
        _count,
    ),
    Setting(
        "LDR_SIGN_IN_ADDRESS_LIMIT",
        20,
        "Failed sign-ins from one client address within LDR_SIGN_IN_WINDOW after which that address gets 429 "
        "for every user name. 0: no limit.",
        _count,
    ),
    Setting(
        "LDR_MAX_INPUT_BYTES",
        10 * 1024 * 1024,
        "Largest RDF file or request body accepted, in bytes (suffixes KB, MB, GB allowed). "
        "Larger input is refused before it is parsed.",
        _size,
    ),
    Setting(
        "LDR_BODY_TIMEOUT",
        60.0,
        "Seconds a request body may take to arrive whole, once its headers have arrived; a body not whole by then "
        "gets 408 and nothing is done. Bodies are read before a request thread is given to them, so a slow "
        "body holds a connection, never a thread.",
        float,
    ),
    Setting(
        "LDR_BODY_MEMORY",
        256 * 1024 * 1024,
        "Most bytes of request bodies a web process holds at once, across every request (suffixes KB, MB, GB "
        "allowed). A body that would take it over gets 503 with Retry-After, and nothing is done: many slow "
        "clients cannot fill the memory.",
        _size,
    ),
    Setting(
        "LDR_REPORT_DETAIL",
        5,
        "How many problems per record a validation report shows in full before summarising the rest.",
        int,
    ),
    Setting(
        "LDR_QUERY_TIMEOUT",
        10.0,
        "Seconds a SPARQL query may run before it is stopped (its worker process is killed).",
        float,
    ),
    Setting(
        "LDR_RATE_LIMIT",
        600,
        "Queries a minute each client (by address) may send to /sparql and /queries before getting 429 with "
        "Retry-After; bursts up to that many are allowed. 0 turns the limit off.",
        int,
    ),
    Setting(
        "LDR_QUERY_WORKERS",
        3,
        "Worker processes that run SPARQL queries, per web process (on a SPARQL "
        "server: the queries a web process sends it at once).",
        int,
    ),
    Setting(
        "LDR_QUERY_WAITING",
        1,
        "SPARQL queries that may wait for a busy worker, per web process; the next gets 503 with Retry-After at "
        "once, so that heavy queries never hold every request thread (`ldr serve` keeps two more threads).",
        _count,
    ),
    Setting(
        "LDR_QUERY_MAX_ROWS",
        10000,
        "Most results (rows or triples) a SPARQL query returns; a response cut short says so in its headers.",
        int,
    ),
    Setting(
        "LDR_QUERY_MEMORY_MB",
        2048,
        "Memory a SPARQL query worker may use, in MiB (0: no limit).",
        int,
    ),
    Setting(
        "LDR_ALLOCATOR",
        "auto",
        "Memory allocator of the registry's processes (the server, its query workers, the bulk-loading "
        "commands): `auto` (Debian's mimalloc or jemalloc, if installed), `system` (the C library's), or the "
        "path of an allocator's shared library to preload.",
        _allocator,
    ),
    Setting(
        "LDR_CACHE_MAX_AGE",
        60,
        "Seconds clients and caches may keep a page or document (Cache-Control max-age).",
        int,
    ),
    Setting(
        "LDR_RESOURCE_DIRS",
        "",
        "Directories (separated by ':') holding copies of standards' published validation files (JSON Schemas); "
        "the conformance checker reads them from here and never fetches from the web.",
    ),
    Setting(
        "LDR_CHECK_URL_PREFIXES",
        "",
        "Address prefixes (separated by spaces) that stewards allow the conformance checker to read data "
        "from; empty: only uploads and request bodies.",
    ),
    Setting("LDR_HOST", "127.0.0.1", "Interface `ldr serve` listens on."),
    Setting("LDR_PORT", 8000, "Port `ldr serve` listens on.", int),
    Setting(
        "LDR_CONFIG",
        "",
        "Path of an optional TOML file of settings (keys are the names above); "
        "environment variables win over the file.",
    ),
)

BY_NAME = {s.name: s for s in SETTINGS}


def beside_store(settings: Mapping[str, Any], setting: str | None, suffix: str) -> Path:
    """A file of derived or private data: the setting if given, else `{store}{suffix}` beside the store."""
    if setting and settings.get(setting):
        return Path(settings[setting])
    store = Path(settings["LDR_STORE_DIR"])
    return store.with_name(store.name + suffix)


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message says which and why."""


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Defaults, then the TOML file, then the environment, then explicit overrides."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {s.name: s.default for s in SETTINGS}
    config_path = (overrides or {}).get("LDR_CONFIG") or environ.get("LDR_CONFIG")
    if config_path:
        path = Path(config_path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"cannot read settings file {path}: {exc}") from exc
        for key, value in data.items():
            name = key if key.startswith("LDR_") else "LDR_" + key.upper()
            if name not in BY_NAME:
                raise SettingsError(f"{path}: unknown setting {key!r}; see docs/settings.md")
            values[name] = value
    for setting in SETTINGS:
        if setting.name in environ:
            raw = environ[setting.name]
            try:
                values[setting.name] = setting.parse(raw)
            except ValueError as exc:
                raise SettingsError(f"{setting.name}={raw!r} is not valid: {exc}") from exc
    for name, value in (overrides or {}).items():
        if name not in BY_NAME:
            raise SettingsError(f"unknown setting {name!r}")
        if value is not None:
            values[name] = value
    base = str(values["LDR_BASE"]).rstrip("/")
    if not (base.startswith("http://") or base.startswith("https://")):
        raise SettingsError(f"LDR_BASE must be an http(s) IRI, not {base!r}")
    values["LDR_BASE"] = base
    languages = values["LDR_LANGUAGES"]
    if not isinstance(languages, tuple):  # from the TOML file: "cy,en" or ["cy", "en"]
        text = languages if isinstance(languages, str) else ",".join(map(str, languages))
        try:
            values["LDR_LANGUAGES"] = _languages(text)
        except ValueError as exc:
            raise SettingsError(f"LDR_LANGUAGES={languages!r} is not valid: {exc}") from exc
    licence = str(values["LDR_DATA_LICENCE"]).strip()
    if not (licence.startswith("http://") or licence.startswith("https://")) or any(
        c in licence for c in ' <>"{}|\\^`'
    ):
        raise SettingsError(
            f"LDR_DATA_LICENCE must be the http(s) IRI of a licence (for example the Open Government "
            f"Licence's, {BY_NAME['LDR_DATA_LICENCE'].default}), not {licence!r}"
        )
    values["LDR_DATA_LICENCE"] = licence
    return values
