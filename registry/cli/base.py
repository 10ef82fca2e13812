"""The `ldr` command. Each subcommand is a thin wrapper over one registry function."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

import click

from registry.assembly import Registry
from registry.runtime.allocator import start_again_with_allocator
from registry.runtime.settings import SettingsError, load_settings
from registry.store import StoreError

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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Local Digital Registry: councils' reusable digital assets as linked open data.

    Settings come from LDR_* environment variables or a TOML file named by LDR_CONFIG
    (see docs/settings.md).
    """
