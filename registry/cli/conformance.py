"""The conformance checker's commands: check and fetch-schemas."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    pass

from registry.cli.base import (
    STORE_HELP,
    _model,
    _open,
    _settings,
    main,
)


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
