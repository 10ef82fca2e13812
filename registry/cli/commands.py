"""The `ldr` command. Each subcommand is a thin wrapper over one registry function."""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
import time
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

import click

from registry.assembly import Registry
from registry.rdf.formats import FORMATS, InputError
from registry.runtime.allocator import start_again_with_allocator
from registry.runtime.settings import SettingsError, load_settings
from registry.store import StoreError, StoreInUse, open_store

if TYPE_CHECKING:
    from registry.bulk.loader import Outcome

STORE_HELP = "Directory of the embedded store (default: the LDR_STORE_DIR setting, var/store)."


class CannotRun(click.ClickException):
    """The command cannot do what was asked: it ends with the reason and exit status 2, as a
    usage error does. Status 1 means only "does not conform" (`validate`, `load`, `check`)."""

    exit_code = 2


class Progress:
    """Progress on stderr: one self-updating line on a terminal, plain lines otherwise."""

    def __init__(self, quiet: bool = False):
        self.tty = sys.stderr.isatty()
        self.quiet = quiet
        self.steps = 0

    def __call__(self, message: str) -> None:
        if self.quiet:
            return
        self.steps += 1
        if self.tty:
            bar = "█" * (self.steps % 20) + "░" * (19 - self.steps % 20)
            click.echo(f"\r\033[K{bar} {message}", err=True, nl=False)
        else:
            click.echo(f"ldr: {message}", err=True)

    def done(self) -> None:
        if self.tty and self.steps and not self.quiet:
            click.echo("\r\033[K", err=True, nl=False)


def _settings(store: str | None, *, heavy: bool = False) -> dict:
    """The settings; for a `heavy` command (bulk loading, indexing, serving), first this command
    started again with the allocator of LDR_ALLOCATOR (registry/runtime/allocator.py)."""
    try:
        settings = load_settings({"LDR_STORE_DIR": store})
    except SettingsError as exc:
        raise CannotRun(str(exc)) from exc
    if heavy:
        start_again_with_allocator(settings["LDR_ALLOCATOR"])
    return settings


def _model(settings: dict):
    """The registry's vocabulary and shapes, read when a command needs them (imported there:
    `ldr restore` never does, and starts a quarter of a second sooner without rdflib)."""
    return Registry(settings).model


def _open(settings: dict, create: bool = False, writes: bool = True):
    """The store, with the search index kept in step with whatever this command writes. A command
    that only reads (`writes=False`) leaves the index alone: it has nothing to bring up to date,
    and the index it would find beside the default store may be another registry's."""
    return _opened(Registry(settings, create=create), writes=writes)


def _opened(registry: Registry, writes: bool = True):
    """The registry's store (CannotRun if it cannot be opened), with its index when `writes`."""
    try:
        store = registry.store
    except StoreError as exc:
        raise CannotRun(str(exc)) from exc
    if writes:
        _ = registry.index  # opened: it follows what this command writes
    return store


def _show_outcome(outcome: Outcome, detail: int) -> int:
    """Print the report; return the exit code (0 conforms, 1 violations, 2 unreadable input)."""
    if outcome.input_errors:
        for error in outcome.input_errors:
            click.echo(f"error: {error}", err=True)
        return 2
    click.echo(outcome.report.render(detail))
    return 0 if outcome.report.conforms else 1


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Local Digital Registry: councils' reusable digital assets as linked open data.

    Settings come from LDR_* environment variables or a TOML file named by LDR_CONFIG
    (see docs/settings.md).
    """


@main.command()
@click.option("--store", metavar="DIR", help=STORE_HELP)
@click.option("--quiet", is_flag=True, help="Do not show progress.")
def init(store: str | None, quiet: bool) -> None:
    """Create the store and load the ontology, shapes and starter data from data/.

    Running it again on an existing store reloads the vocabulary and shapes and adds the
    starter records not registered yet; records already registered are left as they are
    (to change one, use `ldr load` or the API).
    """
    settings = _settings(store, heavy=True)
    model = _model(settings)
    final = Path(settings["LDR_STORE_DIR"])
    building = (
        _new_store_beside(final)
        if settings["LDR_STORE"] == "embedded" and not final.exists()
        else None
    )
    if building is not None:  # the real path is said, and used, once the store is whole
        settings = {**settings, "LDR_STORE_DIR": str(building)}
    try:
        outcome = _init_store(settings, model, quiet)
    except BaseException:
        if building is not None:
            _remove_new_store(building)
        raise
    code = _show_outcome(outcome, settings["LDR_REPORT_DETAIL"])
    if building is not None and outcome.written:
        _move_store_in(building, final)
    elif building is not None:
        _remove_new_store(building)
    if outcome.written:
        click.echo(
            f"Loaded {len(outcome.records) - len(outcome.kept)} starter records into {final}."
        )
        if outcome.kept:
            click.echo(
                f"{len(outcome.kept)} starter records were already registered and were left as they are "
                "(their statuses and revisions stand; change a record with `ldr load` or the API)."
            )
    else:
        click.echo("The starter data was not loaded: fix the problems above in data/.", err=True)
    sys.exit(code)


def _init_store(settings: dict, model, quiet: bool) -> Outcome:
    from registry.bulk import loader
    from registry.bulk.migrate import old_vocabulary_problem

    registry = Registry(settings, create=True)
    st = _opened(registry, writes=False)
    problem = old_vocabulary_problem(st, settings["LDR_BASE"], settings["LDR_STORE_DIR"])
    if problem:  # said before the search index is opened: it would be built from the old terms
        st.close()
        raise CannotRun(problem)
    index = registry.index
    progress = Progress(quiet)
    try:
        return loader.init_store(
            st, model, settings["LDR_MAX_INPUT_BYTES"], progress, operator=settings["LDR_OPERATOR"]
        )
    except (InputError, StoreError) as exc:
        raise CannotRun(str(exc)) from exc
    finally:
        progress.done()
        st.close()
        index.close()  # before the files are moved to their real names


def _new_store_beside(final: Path) -> Path:
    """Where `ldr init` builds a store not made yet: `{store}.new`, beside its place, with the files
    made beside it (its search index) named after it; what a failed attempt left there goes first.
    Moved in only when whole (`_move_store_in`), so a failed init leaves no half-made store."""
    building = final.with_name(final.name + ".new")
    _remove_new_store(building)
    return building


def _remove_new_store(building: Path) -> None:
    import shutil

    for path in [building, *building.parent.glob(glob_escape(building.name) + ".*")]:
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)


def _move_store_in(building: Path, final: Path) -> None:
    """The store built at `{store}.new` and the files beside it, renamed to their real names."""
    beside = list(building.parent.glob(glob_escape(building.name) + ".*"))
    building.rename(final)
    for path in beside:
        path.rename(final.with_name(final.name + path.name[len(building.name) :]))


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--store",
    metavar="DIR",
    help=STORE_HELP + " Used to resolve links to registered records; "
    "without a store, files are checked on their own.",
)
def validate(files: tuple[Path, ...], store: str | None) -> None:
    """Check FILES against the shapes without writing anything.

    Exit status: 0 when the files conform (warnings are shown but do not fail), 1 when there
    are violations, 2 when a file cannot be read (the error names the file, line and column).
    """
    from registry.bulk import loader

    settings = _settings(store)
    model = _model(settings)
    st = None
    if Path(settings["LDR_STORE_DIR"]).is_dir():
        st = _open(settings, writes=False)
    elif store:
        raise CannotRun(f"there is no store at {store}")
    try:
        outcome = loader.load_files(files, model, st, settings["LDR_MAX_INPUT_BYTES"], dry_run=True)
    finally:
        if st is not None:
            st.close()
    code = _show_outcome(outcome, settings["LDR_REPORT_DETAIL"])
    if st is None and not outcome.input_errors:
        click.echo(
            "Without a store, a link to a record that is not in these files was checked for its kind "
            "only, not that it is registered: give --store DIR to check that too."
        )
    sys.exit(code)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--store", metavar="DIR", help=STORE_HELP)
@click.option("--quiet", is_flag=True, help="Do not show progress.")
def load(files: tuple[Path, ...], store: str | None, quiet: bool) -> None:
    """Validate FILES and, only if all of them conform, load every record they hold.

    All or nothing: one unreadable file or one violation, and nothing is written.
    Exit status as for `ldr validate`.
    """
    from registry.bulk import loader

    settings = _settings(store, heavy=True)
    model = _model(settings)
    st = _open(settings)
    progress = Progress(quiet)
    try:
        outcome = loader.load_files(
            files, model, st, settings["LDR_MAX_INPUT_BYTES"], progress=progress
        )
    except StoreError as exc:
        raise CannotRun(str(exc)) from exc
    finally:
        progress.done()
        st.close()
    code = _show_outcome(outcome, settings["LDR_REPORT_DETAIL"])
    click.echo(
        f"Loaded {len(outcome.records)} record(s)." if outcome.written else "Nothing was loaded.",
        err=not outcome.written,
    )
    if outcome.unchanged:
        click.echo(
            f"{len(outcome.unchanged)} of them were already registered exactly as described: they kept "
            "their version (a version is made only when something changes)."
        )
    sys.exit(code)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="turtle",
    show_default=True,
    help="Syntax to write. nquads and trig keep each record in its own named graph.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default: standard output).",
)
@click.option("--store", metavar="DIR", help=STORE_HELP)
def export(fmt: str, output: Path | None, store: str | None) -> None:
    """Write the whole registry: vocabulary, shapes and every record."""
    from registry.bulk.dumps import export_registry

    settings = _settings(store, heavy=True)
    st = _open(settings, writes=False)
    try:
        data = export_registry(st, FORMATS[fmt])
    finally:
        st.close()
    if output:
        output.write_bytes(data)
        click.echo(f"Wrote {len(data):,} bytes to {output}.", err=True)
    else:
        sys.stdout.buffer.write(data)


@main.command()
@click.argument("dump", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--store", metavar="DIR", help=STORE_HELP)
def restore(dump: Path, store: str | None) -> None:
    """Load a dump (registry.nq.gz from /dumps, or `ldr export --format nquads`) into a new, empty
    store with the bulk loader, then build the search index."""
    from registry.bulk.dumps import check_restorable
    from registry.bulk.dumps import restore as restore_dump
    from registry.search.dump_index import Indexer
    from registry.search.files import index_path, remove_index_files

    settings = _settings(store, heavy=True)
    # The store is opened without the index kept in step (the index is built from the dump), and
    # the vocabulary is read only if the index has to be rebuilt from the store: at 100k quads,
    # starting took a third of a restore (docs/benchmarks-notes.md, ninth round).
    try:
        st = open_store(settings, create=True)
    except StoreError as exc:
        raise CannotRun(str(exc)) from exc
    started = time.monotonic()
    indexer = None
    try:
        check_restorable(st, dump)
        if settings["LDR_STORE"] == "embedded":  # index the dump on the other core meanwhile
            indexer = Indexer(dump, index_path(settings), settings["LDR_BASE"])
        restore_dump(st, dump)
        loaded = time.monotonic()
        records = indexer.finish() if indexer else None
        indexer = None
        if records is None:
            from registry.search.index import SearchIndex

            remove_index_files(index_path(settings))
            index = SearchIndex(index_path(settings))
            records = index.rebuild(st, _model(settings))
            index.close()
    except (InputError, StoreError) as exc:
        raise CannotRun(str(exc)) from exc
    finally:
        if indexer is not None:  # the load failed: no index of it
            indexer.abandon()
        st.close()
    click.echo(
        f"Restored {dump} in {loaded - started:.1f} s and indexed {records:,} records "
        f"(finished {time.monotonic() - loaded:.1f} s after the load)."
    )


@main.command("import-councils")
@click.argument("csv_file", metavar="CSV", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--store", metavar="DIR", help=STORE_HELP)
@click.option("--dry-run", is_flag=True, help="Check and report without writing.")
@click.option("--quiet", is_flag=True, help="Do not show progress.")
def import_councils(csv_file: Path, store: str | None, dry_run: bool, quiet: bool) -> None:
    """Import every current UK council from the mySociety local authorities CSV.

    The file is uk_local_authorities_current.csv from mysociety/uk_local_authority_names_and_codes.
    Councils already registered keep what other sources say about them; the importer replaces
    only the properties it sets. Regions it can tell are wrong are corrected and reported
    (docs/councils.md). All or nothing, like `ldr load`.
    """
    from registry.importers import councils

    settings = _settings(store)
    model = _model(settings)
    st = _open(settings)
    progress = Progress(quiet)
    try:
        result = councils.import_councils(
            csv_file, model, st, settings["LDR_MAX_INPUT_BYTES"], dry_run=dry_run, progress=progress
        )
    except InputError as exc:
        progress.done()
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        progress.done()
        st.close()
    for correction in result.corrections:
        click.echo(f"corrected: {correction}")
    code = _show_outcome(result.outcome, settings["LDR_REPORT_DETAIL"])
    if result.outcome.written:
        click.echo(f"Imported {result.councils} current councils from {result.rows} rows.")
    elif dry_run and not result.outcome.input_errors:
        click.echo(f"Dry run: {result.councils} councils checked, nothing written.")
    else:
        click.echo("Nothing was imported.", err=True)
    sys.exit(code)


def _organisation(settings: dict, org: str) -> str:
    """The IRI of a registered organisation, looked up in the store or, while a server holds the
    embedded store open, in the search index that server keeps in step with every write."""
    from registry.accounts.users import AccountError, organisation_iri, organisation_titles
    from registry.search.files import index_path
    from registry.search.index import SearchIndex

    model = _model(settings)
    try:
        st = open_store(settings)
    except StoreInUse:
        st = None
    except StoreError as exc:
        raise CannotRun(str(exc)) from exc
    index = SearchIndex(index_path(settings)) if st is None else None
    try:
        # without a store there is the index (above)
        named = (
            organisation_titles(st, model)
            if st is not None
            else cast(SearchIndex, index).titles("organisations")
        )
        return organisation_iri(model, org, named)
    except AccountError as exc:
        raise CannotRun(str(exc)) from exc
    finally:
        if st is not None:
            st.close()
        if index is not None:
            index.close()


@contextlib.contextmanager
def _accounts(settings: dict):
    """The accounts database, closed afterwards; its errors (an unknown user, a short password)
    end the command with their message."""
    from registry.accounts.users import AccountError, open_accounts

    accounts = open_accounts(settings)
    try:
        yield accounts
    except AccountError as exc:
        raise CannotRun(str(exc)) from exc
    finally:
        accounts.close()


def _password(from_stdin: bool, prompt: str) -> str:
    """A password from standard input's first line, or asked for twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    try:
        return click.prompt(prompt, hide_input=True, confirmation_prompt=True)
    except click.Abort:
        raise CannotRun(
            "no password was given: type it when asked, or send it on standard input "
            "with --password-stdin"
        ) from None


@main.command()
@click.option("--store", metavar="DIR", help=STORE_HELP)
def reindex(store: str | None) -> None:
    """Rebuild the search and listing index from the store (it is kept in step with every write;
    rebuild it after restoring a backup or if it was lost)."""
    from registry.search.files import index_path, remove_index_files
    from registry.search.index import SearchIndex

    settings = _settings(store, heavy=True)
    model = _model(settings)
    try:
        st = open_store(settings)
    except StoreError as exc:
        raise CannotRun(str(exc)) from exc
    remove_index_files(
        index_path(settings)
    )  # only once the store is ours: a server may be using it
    index = SearchIndex(index_path(settings))
    try:
        count = index.rebuild(st, model)
    finally:
        index.close()
        st.close()
    click.echo(f"Indexed {count} records into {index_path(settings)}.")


@main.command("migrate-vocabulary")
@click.option("--store", metavar="DIR", help=STORE_HELP)
def migrate_vocabulary_command(store: str | None) -> None:
    """Move a store made before the vocabulary had one namespace: rewrite every IRI under
    {LDR_BASE}/def/ to the vocabulary's own namespace (docs/vocabulary.md), in one transaction,
    and rebuild the search index. On a store that has nothing to move it changes nothing."""
    from registry.bulk.migrate import migrate_vocabulary
    from registry.rdf.namespaces import VOCABULARY

    settings = _settings(store, heavy=True)
    model = _model(settings)
    st = _open(settings, writes=False)  # the index is rebuilt once the store is moved
    try:
        done = migrate_vocabulary(st, model, settings)
    except StoreError as exc:
        raise CannotRun(str(exc)) from exc
    finally:
        st.close()
    if done.moved:
        click.echo(
            f"Moved {done.moved} statements from {model.base.old_vocabulary} to {VOCABULARY} and indexed "
            f"{done.indexed} records."
        )
    else:
        click.echo(f"Nothing to move: the store names no term under {model.base.old_vocabulary}.")


@main.command("check")
@click.argument("standard")
@click.argument("data_file", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--store", metavar="DIR", help=STORE_HELP)
@click.option(
    "--schema",
    "wanted",
    default="",
    metavar="KIND",
    help="Which of the standard's schemas to apply (e.g. organization); by default the one for the kind of document FILE is.",
)
def check_command(standard: str, data_file: Path, store: str | None, wanted: str) -> None:
    """Check a JSON FILE against STANDARD's validation resource (a reference such as ocds, or an IRI).
    Exit status 0 when it conforms, 1 when it does not, 2 when it cannot be checked."""
    from registry.conformance.checker import ConformanceError, check, resource_directories

    settings = _settings(store)
    model = _model(settings)
    iri = standard if standard.startswith("http") else model.base.item("standards", standard)
    st = _open(settings, writes=False)
    try:
        outcome = check(
            st, model, iri, data_file.read_bytes(), resource_directories(settings), wanted=wanted
        )
    except (ConformanceError, OSError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        st.close()
    if outcome.conforms:
        click.echo(f"{data_file} conforms to {outcome.resource}.")
        sys.exit(0)
    click.echo(f"{data_file}: {len(outcome.problems)} problem(s) against {outcome.resource}")
    for record, problems in outcome.grouped().items():
        click.echo(f"\n{record}: {len(problems)}")
        for p in problems[:10]:
            click.echo(f"  {p.field}: {p.message}")
        if len(problems) > 10:
            click.echo(f"  … and {len(problems) - 10} more")
    sys.exit(1)


@main.command("fetch-schemas")
@click.option("--store", metavar="DIR", help=STORE_HELP)
@click.option(
    "--list",
    "listing",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A list of files to fetch in the form of data/standard-schemas.json (default: that file).",
)
def fetch_schemas_command(store: str | None, listing: Path | None) -> None:
    """Download the published schema files of the starter standards, at pinned versions, checking
    each one's sha256, into {store}.schemas, where the conformance checker reads them."""
    import json

    from registry.conformance.checker import ConformanceError, fetch_schemas
    from registry.runtime.settings import beside_store

    settings = _settings(store)
    target = beside_store(settings, None, ".schemas")
    try:
        files = json.loads(listing.read_text(encoding="utf-8"))["files"] if listing else None
        count = fetch_schemas(target, files, say=click.echo)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        click.echo(f"error: cannot read the list {listing}: {exc}", err=True)
        sys.exit(2)
    except ConformanceError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"{count} file(s) downloaded; the schemas are in {target}.")


@main.group()
def user() -> None:
    """Users who sign in to the web pages with a password."""


@user.command("create")
@click.option("--user", "username", required=True, help="User name for signing in.")
@click.option(
    "--org",
    required=True,
    help="The organisation the user acts for: its title, its reference "
    "(e.g. leeds-city-council), its IRI or the address of its page.",
)
@click.option("--role", required=True, type=click.Choice(["publisher", "steward", "admin"]))
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of asking.",
)
@click.option("--store", metavar="DIR", help=STORE_HELP)
def user_create(
    username: str, org: str, role: str, password_stdin: bool, store: str | None
) -> None:
    """Create a user (the password is asked for twice, or read from standard input; at least 12
    characters; only a hash is kept)."""
    settings = _settings(store)
    iri = _organisation(settings, org)
    password = _password(password_stdin, "Password")
    with _accounts(settings) as accounts:
        accounts.create_user(username, iri, role, password)
    click.echo(f"Created {role} {username} for {iri}.")


@user.command("password")
@click.option("--user", "username", required=True, help="The user whose password to set.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input instead of asking.",
)
@click.option("--store", metavar="DIR", help=STORE_HELP)
def user_password(username: str, password_stdin: bool, store: str | None) -> None:
    """Set a new password for a user (asked for twice, or read from standard input; at least 12
    characters). Every session the user has is ended: they sign in again everywhere."""
    settings = _settings(store)
    password = _password(password_stdin, "New password")
    with _accounts(settings) as accounts:
        ended = accounts.set_password(username, password)
    click.echo(
        f"Set a new password for {username}; ended {ended} session{'' if ended == 1 else 's'}."
    )


@user.command("unlock")
@click.argument("username", required=False)
@click.option("--address", help="Also, or instead, lift the lock on this client address.")
@click.option("--store", metavar="DIR", help=STORE_HELP)
def user_unlock(username: str | None, address: str | None, store: str | None) -> None:
    """Lift the lock that failed sign-ins put on a user name (and/or on a client --address), so
    they may try again at once."""
    if username is None and address is None:
        raise click.UsageError("give a user name, an --address, or both")
    with _accounts(_settings(store)) as accounts:
        removed = accounts.unlock(username, address)
    what = " and ".join(
        filter(None, [username and f"user name {username}", address and f"address {address}"])
    )
    click.echo(
        f"Unlocked {what} ({removed} failed sign-in{'' if removed == 1 else 's'} forgotten)."
    )


@main.group()
def token() -> None:
    """Create, list and revoke API tokens. Roles: publisher (creates records and edits its own
    organisation's), steward (changes status and edits any record), admin (manages users)."""


@token.command("create")
@click.option(
    "--org",
    required=True,
    help="The organisation the user acts for: its title, its reference "
    "(e.g. leeds-city-council), its IRI or the address of its page.",
)
@click.option("--role", required=True, type=click.Choice(["publisher", "steward", "admin"]))
@click.option(
    "--user", "username", help="User name (default: made from the organisation and role)."
)
@click.option("--store", metavar="DIR", help=STORE_HELP)
def token_create(org: str, role: str, username: str | None, store: str | None) -> None:
    """Create a token; it is printed once, as the last line, and only its hash is kept."""
    settings = _settings(store)
    iri = _organisation(settings, org)
    with _accounts(settings) as accounts:
        info, secret = accounts.create_token(
            username or f"{iri.rsplit('/', 1)[-1]}-{role}", iri, role
        )
    click.echo(
        f"Token {info.id} for user {info.username} ({info.role}, {info.organisation}). Keep it secret:"
    )
    click.echo(secret)


@token.command("list")
@click.option("--store", metavar="DIR", help=STORE_HELP)
def token_list(store: str | None) -> None:
    """List tokens (never the tokens themselves)."""
    with _accounts(_settings(store)) as accounts:
        for t in accounts.tokens():
            state = f"revoked {t.revoked}" if t.revoked else "active"
            click.echo(
                f"{t.id}  {t.username}  {t.role}  {t.organisation}  created {t.created}  {state}"
            )


@token.command("revoke")
@click.argument("token_id")
@click.option("--store", metavar="DIR", help=STORE_HELP)
def token_revoke(token_id: str, store: str | None) -> None:
    """Revoke a token by its id (from `ldr token list`)."""
    with _accounts(_settings(store)) as accounts:
        info = accounts.revoke(token_id)
    click.echo(f"Revoked token {info.id} of {info.username}.")


def _agent_for(settings: dict, token_value: str | None):
    if not token_value:
        raise CannotRun("give an API token with --token or the LDR_TOKEN environment variable")
    with _accounts(settings) as accounts:
        agent = accounts.authenticate(token_value)
    if agent is None:
        raise CannotRun("the token is not valid: unknown, mistyped or revoked")
    return agent


def _registration_failure(exc) -> None:
    click.echo(f"error: {exc.message}", err=True)
    if exc.report is not None:
        click.echo(exc.report.render())
    sys.exit(1 if exc.kind == "invalid" else 2)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--token", "token_value", envvar="LDR_TOKEN", help="API token (or the LDR_TOKEN variable)."
)
@click.option("--note", default="", help="Why: a change note kept with the new versions.")
@click.option("--dry-run", is_flag=True, help="Validate and report without registering.")
@click.option("--store", metavar="DIR", help=STORE_HELP)
def submit(
    files: tuple[Path, ...], token_value: str | None, note: str, dry_run: bool, store: str | None
) -> None:
    """Submit new records (status: submitted), as the token's user — like POST /{register}."""
    from registry.bulk import loader
    from registry.records.registration import RegistrationError
    from registry.records.registration import submit as submit_records

    settings = _settings(store)
    model = _model(settings)
    agent = _agent_for(settings, token_value)
    graph, errors = loader.read_files(files, model, settings["LDR_MAX_INPUT_BYTES"])
    if errors:
        for error in errors:
            click.echo(f"error: {error}", err=True)
        sys.exit(2)
    st = _open(settings)
    try:
        result = submit_records(st, model, graph, agent, dry_run=dry_run, note=note)
    except RegistrationError as exc:
        _registration_failure(exc)
    finally:
        st.close()
    click.echo(result.report.render())
    for iri, number in sorted(result.versions.items()):
        click.echo(f"Registered {iri} (version {number}, status submitted).")
    if dry_run:
        click.echo("Dry run: nothing was registered.")


@main.command()
@click.argument("item")
@click.argument("new_status", metavar="STATUS")
@click.option("--successor", help="For superseded: the IRI of the record that replaces it.")
@click.option("--note", default="", help="Why the status changes.")
@click.option(
    "--token", "token_value", envvar="LDR_TOKEN", help="A steward's API token (or LDR_TOKEN)."
)
@click.option("--store", metavar="DIR", help=STORE_HELP)
def status(
    item: str,
    new_status: str,
    successor: str | None,
    note: str,
    token_value: str | None,
    store: str | None,
) -> None:
    """Change ITEM's registration status (stewards): experimental, stable, superseded, retired, invalid.
    ITEM is an IRI or register/reference, e.g. standards/uprn."""
    from registry.records.registration import RegistrationError, change_status

    settings = _settings(store)
    model = _model(settings)
    agent = _agent_for(settings, token_value)
    iri = item if item.startswith("http") else model.base.item(*item.split("/", 1))
    st = _open(settings)
    try:
        result = change_status(st, model, iri, new_status, agent, successor=successor, note=note)
    except RegistrationError as exc:
        _registration_failure(exc)
    finally:
        st.close()
    click.echo(f"{iri} is now {new_status.lower()} (version {result.versions[iri]}).")


@main.command()
@click.argument("item")
@click.option("--store", metavar="DIR", help=STORE_HELP)
def history(item: str, store: str | None) -> None:
    """Show every version of ITEM (an IRI or register/reference): when, who, what and why."""
    from registry.records.versions import history as item_history

    settings = _settings(store)
    model = _model(settings)
    iri = item if item.startswith("http") else model.base.item(*item.split("/", 1))
    st = _open(settings, writes=False)
    try:
        entries = item_history(st, model, iri)
    finally:
        st.close()
    if not entries:
        raise CannotRun(f"{iri} is not registered")
    for e in entries:
        who = e["user"] + (f" for {e['organisation']}" if e["organisation"] else "")
        click.echo(f"v{e['version']}  {e['at']}  {e['activity']}  {who}  {e['note']}")


@main.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    help="Port to listen on (default: the LDR_PORT setting, 8000).",
)
@click.option("--host", help="Interface to listen on (default: the LDR_HOST setting, 127.0.0.1).")
@click.option("--store", metavar="DIR", help=STORE_HELP)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    help="Worker processes (default 1). More than one needs LDR_STORE=sparql: an embedded store is "
    "opened by one process only.",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    help="Threads per worker process that run requests (default: LDR_QUERY_WORKERS + LDR_QUERY_WAITING "
    "+ 2, so that two are free for pages while SPARQL queries run and wait: 6 with the defaults).",
)
def serve(
    port: int | None, host: str | None, store: str | None, workers: int, threads: int | None
) -> None:
    """Serve the registry over HTTP: the Flask app from api.create_app, under the granian server."""
    settings = _settings(store, heavy=True)
    threads = threads or settings["LDR_QUERY_WORKERS"] + settings["LDR_QUERY_WAITING"] + 2
    bind_host, bind_port = host or settings["LDR_HOST"], port or settings["LDR_PORT"]
    if workers > 1 and settings["LDR_STORE"] == "embedded":
        raise click.UsageError(
            "--workers above 1 needs LDR_STORE=sparql: an embedded store can be opened by one "
            "process only. Use one worker, or put the registry on a SPARQL server (docs/deployment.md)."
        )
    problem = _address_problem(bind_host, bind_port)
    if problem:
        raise CannotRun(problem)
    problem = _store_problem(settings)  # said here, once, not by each worker as it dies
    if problem:
        raise CannotRun(problem)
    elsewhere = _base_elsewhere(settings["LDR_BASE"], bind_host, bind_port)
    if elsewhere:
        click.echo(f"ldr: {elsewhere}", err=True)
    _serve_with_granian(settings["LDR_STORE_DIR"], bind_host, bind_port, workers, threads)


def _address_problem(host: str, port: int) -> str:
    """Why nothing can listen on host:port, or "". granian's workers bind with SO_REUSEPORT, so a
    second server on a port in use would start and share its connections; this probe binds
    without it (over TIME_WAIT connections, but never over a listening socket) and lets go."""
    if not 0 < port < 65536:
        return f"cannot serve on port {port}: a port is a number from 1 to 65535. Set --port (or LDR_PORT) to one."
    fix = (
        f"Stop the program that listens there, or choose another port: ldr serve --port {port + 1} "
        f"(make serve PORT={port + 1})."
    )
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        return (
            f"cannot serve on {host!r}: it is not a host name or address this machine knows ({exc}). "
            "Give --host (or LDR_HOST) an address such as 127.0.0.1, or 0.0.0.0 for every interface."
        )
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return f"cannot serve on {host}:{port}: the port is already in use (another server listens there). {fix}"
            if exc.errno == errno.EACCES:
                return (
                    f"cannot serve on {host}:{port}: this user may not listen on ports below 1024. "
                    f"Choose a port of 1024 or more: ldr serve --port 8000."
                )
            if exc.errno == errno.EADDRNOTAVAIL:
                return (
                    f"cannot serve on {host}:{port}: {host} is not an address of this machine. "
                    "Give --host (or LDR_HOST) one of its addresses, such as 127.0.0.1, or 0.0.0.0."
                )
            return f"cannot serve on {host}:{port}: {exc.strerror}. {fix}"
    return ""


def _base_elsewhere(base: str, host: str, port: int) -> str:
    """Why the IRIs minted under LDR_BASE would not answer on this server, or "". Only a base on
    this machine (a loopback address) is judged: a public base is served through a proxy."""
    address = urlsplit(base)
    base_host = address.hostname or ""
    base_port = address.port or (443 if address.scheme == "https" else 80)
    loopback = base_host == "localhost" or base_host == "::1" or base_host.startswith("127.")
    if not loopback:
        return ""
    if base_port == port and (
        host in ("0.0.0.0", "::", "localhost", base_host) or host.startswith("127.")
    ):
        return ""
    return (
        f"LDR_BASE is {base}, but this server listens on {host}:{port}: the IRIs its documents mint and "
        f"link ({base}/id/...) do not answer here. Serve on port {base_port} (ldr serve --port {base_port}, "
        f"make serve PORT={base_port}), or make a store whose IRIs are on this port: "
        f"LDR_BASE=http://127.0.0.1:{port} ldr init --store DIR, then serve it with the same LDR_BASE "
        "(IRIs never change once minted; docs/settings.md)."
    )


def _store_problem(settings) -> str:
    """Why the store cannot be opened or served (one made before the vocabulary had one
    namespace, say), or "". Tried in a child process: this one forks the
    server's workers, and RocksDB's background threads do not survive a fork (a store opened
    here first made every worker's checkpoint wait for ever)."""
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(reader)
        message = b""
        try:
            from registry.bulk.migrate import old_vocabulary_problem

            opened = open_store(settings)
            try:
                message = old_vocabulary_problem(
                    opened, settings["LDR_BASE"], settings["LDR_STORE_DIR"]
                ).encode("utf-8")
            finally:
                opened.close()
        except StoreError as exc:
            message = str(exc).encode("utf-8")
        except BaseException as exc:  # noqa: BLE001 - reported by the parent, never raised in a fork
            message = f"{type(exc).__name__}: {exc}".encode()
        os.write(writer, message)
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as answer:
        problem = answer.read().decode("utf-8")
    os.waitpid(child, 0)
    return problem


def _serve_with_granian(store_dir: str, host: str, port: int, workers: int, threads: int) -> None:
    """granian with `workers` processes, each building its own app with api.create_app (nothing
    shared but the store and the files beside it). Settings reach them through the environment."""
    from granian import Granian
    from granian.constants import Interfaces

    os.environ["LDR_STORE_DIR"] = str(Path(store_dir).resolve())
    os.environ["LDR_SERVE_THREADS"] = str(threads)
    # ASGI without lifespan events: api/front.py reads bodies on granian's event loop and runs the
    # Flask app on `threads` threads of its own (granian's WSGI interface gave a thread to a
    # request before its body had come, with no time limit: docs/security.md)
    server = Granian(
        "api.serving:asgi",
        factory=True,
        interface=Interfaces.ASGINL,
        address=host,
        port=port,
        workers=workers,
        websockets=False,
        log_access=False,
    )
    server.serve()


if __name__ == "__main__":
    main()
