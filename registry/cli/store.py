"""The commands that make, fill, move and rebuild a store: init, export, restore, reindex, migrate-vocabulary."""

from __future__ import annotations

import sys
import time
from glob import escape as glob_escape
from pathlib import Path
from typing import TYPE_CHECKING

import click

from registry.assembly import Registry
from registry.rdf.formats import FORMATS, InputError
from registry.store import StoreError, open_store

if TYPE_CHECKING:
    from registry.bulk.loader import Outcome

from registry.cli.base import (
    STORE_HELP,
    CannotRun,
    Progress,
    _model,
    _open,
    _opened,
    _settings,
    _show_outcome,
    main,
)


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
    from registry.search.files import index_path

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
            from registry.search.index import index_for

            index = index_for(settings, fresh=True)
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


@main.command()
@click.option("--store", metavar="DIR", help=STORE_HELP)
def reindex(store: str | None) -> None:
    """Rebuild the search and listing index from the store (it is kept in step with every write;
    rebuild it after restoring a backup or if it was lost)."""
    from registry.search.files import index_path
    from registry.search.index import index_for

    settings = _settings(store, heavy=True)
    model = _model(settings)
    try:
        st = open_store(settings)
    except StoreError as exc:
        raise CannotRun(str(exc)) from exc
    index = index_for(settings, fresh=True)  # only once the store is ours: a server may use it
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
