"""`ldr harvest`: register a harvest source, run one, read its log, check an address without
writing, and run the job queue's worker. Each is a thin wrapper over registry.harvest.service."""

from __future__ import annotations

import json
import sys

import click

from registry.cli.base import STORE_HELP, CannotRun, _model, _open, _settings, main
from registry.store import StoreError, StoreInUse

KIND_HELP = "publiccode, dcat, api-catalogue or api-list (docs/harvesting.md)."


@main.group()
def harvest() -> None:
    """Harvest records from metadata organisations already publish (docs/harvesting.md)."""


def _show(report, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
        return
    if report.error:
        click.echo(f"error: {report.error}", err=True)
        return
    counts = ", ".join(f"{n} {name}" for name, n in report.counts.items() if n)
    click.echo(f"{'Would make' if report.dry_run else 'Done'}: {counts or 'nothing to do'}.")
    for outcome in report.outcomes:
        if outcome.outcome in ("failed", "skipped"):
            where = f" ({outcome.field})" if outcome.field else ""
            click.echo(
                f"  {outcome.outcome}: {outcome.title or outcome.record}{where}: {outcome.message}"
            )
    for problem in report.problems:
        where = " / ".join(p for p in (problem.entry, problem.field) if p)
        click.echo(f"  {problem.severity}: {where + ': ' if where else ''}{problem.message}")


@harvest.command("add")
@click.option("--reference", required=True, help="The source's reference, as in /id/sources/REF.")
@click.option("--title", required=True, help="Its name, such as 'Leeds software on GitHub'.")
@click.option("--kind", required=True, help=KIND_HELP)
@click.option("--address", required=True, help="The http(s) address of the file or repository.")
@click.option("--schedule", default="weekly", show_default=True, help="manual, daily or weekly.")
@click.option("--licence", required=True, help="The licence of the metadata, as its address.")
@click.option("--org", required=True, help="The organisation that keeps it (reference or IRI).")
@click.option("--withdraw-after", type=int, help="Runs a record may be missing before withdrawal.")
@click.option("--token", "token_value", envvar="LDR_TOKEN", help="API token (or LDR_TOKEN).")
@click.option("--store", metavar="DIR", help=STORE_HELP)
def add(
    reference: str,
    title: str,
    kind: str,
    address: str,
    schedule: str,
    licence: str,
    org: str,
    withdraw_after: int | None,
    token_value: str | None,
    store: str | None,
) -> None:
    """Register a harvest source (submitted: a steward approves it before its first run)."""
    from registry.cli.records import _agent_for, _registration_failure
    from registry.harvest.service import add_source, source_graph
    from registry.rdf.identifiers import BadTerm, check_reference
    from registry.records.registration import RegistrationError

    settings = _settings(store)
    model = _model(settings)
    agent = _agent_for(settings, token_value)
    try:
        check_reference(reference)
    except BadTerm as exc:
        raise CannotRun(exc.detail) from exc
    owner = org if org.startswith("http") else model.base.item("organisations", org)
    graph = source_graph(
        model,
        reference,
        title=title,
        kind=kind,
        address=address,
        schedule=schedule,
        licence=licence,
        owner=owner,
        withdraw_after=withdraw_after,
    )
    st = _open(settings)
    try:
        result = add_source(st, model, agent, graph)
    except RegistrationError as exc:
        _registration_failure(exc)
    finally:
        st.close()
    click.echo(result.report.render())
    click.echo(
        f"Registered {model.base.item('sources', reference)} (submitted): a steward approves it "
        "with `ldr status ITEM stable` before its first run."
    )


@harvest.command("run")
@click.argument("source", required=False)
@click.option("--json", "as_json", is_flag=True, help="The run's whole report as JSON.")
@click.option("--store", metavar="DIR", help=STORE_HELP)
def run(source: str | None, as_json: bool, store: str | None) -> None:
    """Harvest SOURCE now (a reference or IRI), or every source that is due. While `ldr serve`
    has the store, the run is queued for the server to do instead."""
    from registry.assembly import Registry
    from registry.harvest.service import due, harvest

    settings = _settings(store)
    registry = Registry(settings)
    model = registry.model
    iri = None
    if source:
        iri = source if source.startswith("http") else model.base.item("sources", source)
    try:
        st = registry.store
    except StoreInUse:
        if iri is None:
            raise CannotRun("the server has the store: give the SOURCE to queue") from None
        job = registry.harvests.enqueue(iri)
        click.echo(f"The server has the store open: queued a run of {iri} (job {job}).")
        return
    except StoreError as exc:
        raise CannotRun(str(exc)) from exc
    _ = registry.index  # kept in step with what the run writes
    failed = False
    try:
        for each in [iri] if iri else due(st, model):
            report = harvest(st, model, settings, each)
            if not as_json:
                click.echo(f"{each}:")
            _show(report, as_json)
            failed = failed or bool(report.error)
    finally:
        registry.close()
    sys.exit(1 if failed else 0)


@harvest.command("log")
@click.argument("source")
@click.option("--limit", default=10, show_default=True, help="How many runs, newest first.")
@click.option("--json", "as_json", is_flag=True, help="The reports as JSON.")
@click.option("--store", metavar="DIR", help=STORE_HELP)
def log(source: str, limit: int, as_json: bool, store: str | None) -> None:
    """Show SOURCE's latest runs."""
    from registry.harvest.log import runs

    settings = _settings(store)
    model = _model(settings)
    iri = source if source.startswith("http") else model.base.item("sources", source)
    st = _open(settings, writes=False)
    try:
        found = runs(st, model, iri, limit)
    finally:
        st.close()
    if as_json:
        click.echo(json.dumps(found, indent=2))
        return
    if not found:
        click.echo(f"{iri} has not been run.")
    for report in found:
        counts = ", ".join(f"{n} {k}" for k, n in report["counts"].items() if n)
        outcome = f"failed: {report['error']}" if report["error"] else counts or "nothing to do"
        click.echo(f"{report['started']} to {report['finished']}: {outcome}")


@harvest.command("check")
@click.option("--kind", required=True, help=KIND_HELP)
@click.option("--org", required=True, help="The organisation that would own the records.")
@click.option("--json", "as_json", is_flag=True, help="The whole report as JSON.")
@click.option("--store", metavar="DIR", help=STORE_HELP)
@click.argument("address")
def check(kind: str, org: str, as_json: bool, store: str | None, address: str) -> None:
    """What harvesting ADDRESS (an http(s) address, or a file here) would create, update and
    withdraw, and every problem, without writing anything."""
    from pathlib import Path

    from rdflib import URIRef

    from registry.harvest.sources import Source
    from registry.harvest.sync import run_harvest

    settings = _settings(store)
    model = _model(settings)
    data = None
    if not address.startswith(("http://", "https://")):
        path = Path(address)
        if not path.is_file():
            raise CannotRun(f"{address} is neither an http(s) address nor a file")
        data = path.read_bytes()
    owner = org if org.startswith("http") else model.base.item("organisations", org)
    source = Source(
        iri=URIRef(model.base.item("sources", "check")),
        title="check",
        kind=kind,
        address=address if data is None else Path(address).resolve().as_uri(),
        schedule="manual",
        owner=URIRef(owner),
        licence="",
        withdraw_after=2,
        status=None,
    )
    st = _open(settings, writes=False)
    try:
        report = run_harvest(st, model, settings, source, dry_run=True, data=data)
    finally:
        st.close()
    _show(report, as_json)
    sys.exit(1 if report.error or report.count("failed") else 0)


@harvest.command("worker")
@click.option("--store", metavar="DIR", help=STORE_HELP)
def worker(store: str | None) -> None:
    """Run queued harvests and the schedule in the foreground, until stopped (Ctrl-C). `ldr
    serve` runs them itself; this is for a machine that serves nothing, or a store no server
    holds."""
    from registry.assembly import Registry

    registry = Registry(_settings(store))
    try:
        _ = registry.store, registry.index
    except StoreError as exc:
        raise CannotRun(str(exc)) from exc
    click.echo("Running harvest jobs; stop with Ctrl-C.")
    try:
        registry.harvests.run_worker()
    finally:
        registry.close()
