"""The account commands: `ldr user` and `ldr token` (they work while `ldr serve` runs)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, cast

import click

from registry.store import StoreError, StoreInUse, open_store

if TYPE_CHECKING:
    pass

from registry.cli.base import (
    STORE_HELP,
    CannotRun,
    _accounts,
    _model,
    _settings,
    main,
)


def _organisation(settings: dict, org: str) -> str:
    """The IRI of a registered organisation, looked up in the store or, while a server holds the
    embedded store open, in the search index that server keeps in step with every write."""
    from registry.accounts.users import AccountError, organisation_iri, organisation_titles
    from registry.search.index import SearchIndex, index_for

    model = _model(settings)
    try:
        st = open_store(settings)
    except StoreInUse:
        st = None
    except StoreError as exc:
        raise CannotRun(str(exc)) from exc
    index = index_for(settings) if st is None else None
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


#: The options that say whom an account acts for and as what, shared by `user create` and `token
#: create` (the roles are registry.accounts.users.ROLES, named here without importing it).
ORGANISATION = click.option(
    "--org",
    required=True,
    help="The organisation the user acts for: its title, its reference "
    "(e.g. leeds-city-council), its IRI or the address of its page.",
)
ROLE = click.option("--role", required=True, type=click.Choice(["publisher", "steward", "admin"]))


@main.group()
def user() -> None:
    """Users who sign in to the web pages with a password."""


@user.command("create")
@click.option("--user", "username", required=True, help="User name for signing in.")
@ORGANISATION
@ROLE
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
@ORGANISATION
@ROLE
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
