"""The commands about records: validate, load, submit, status, history and import-councils."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from registry.rdf.formats import InputError
from registry.store import StoreError

if TYPE_CHECKING:
    pass

from registry.cli.base import (
    STORE_HELP,
    CannotRun,
    Progress,
    _accounts,
    _model,
    _open,
    _settings,
    _show_outcome,
    main,
)


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
