"""Users, their organisations and roles, their API tokens, their web sessions and failed sign-ins.

Kept in a small SQLite database beside the store, not in the triple store: the public SPARQL
endpoint can reach every graph, and token hashes have no business there. Only a SHA-256 hash
of each token's secret and of each session's id is stored; both are compared in constant time
or looked up by hash. Sessions and failed sign-ins live here, not in a web process's memory,
so that signing out, a password change and a lockout hold across every process and restart.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from registry.records.versions import Agent
from registry.runtime.settings import beside_store

ROLES = ("publisher", "steward", "admin")
#: Each role as pages name it to people (ROLES are the codes the API, the CLI and the store use).
ROLE_LABELS = {"publisher": "Publisher", "steward": "Steward", "admin": "Administrator"}
ROLE_HELP = {
    "publisher": "creates records, and edits its own organisation's records",
    "steward": "changes the status of, and edits, any record",
    "admin": "manages users and tokens, and may do what a steward does",
}


class AccountError(ValueError):
    """A request about users or tokens that cannot be met; the message says why."""


@dataclass(frozen=True)
class TokenInfo:
    id: str
    username: str
    organisation: str
    role: str
    created: str
    revoked: str | None


@dataclass(frozen=True)
class SignInRules:
    """How long sessions last and how many failed sign-ins are allowed (docs/settings.md)."""

    session_idle: float = 1800.0  # seconds without a request before a session ends
    session_lifetime: float = 43200.0  # seconds after sign-in when a session ends whatever happens
    window: float = 900.0  # seconds over which failed sign-ins are counted
    account_failures: int = 5  # failures for one user name in the window before it is locked
    address_failures: int = 20  # failures from one address in the window before it is refused

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SignInRules:
        return cls(
            session_idle=float(settings["LDR_SESSION_IDLE_TIMEOUT"]),
            session_lifetime=float(settings["LDR_SESSION_LIFETIME"]),
            window=float(settings["LDR_SIGN_IN_WINDOW"]),
            account_failures=int(settings["LDR_SIGN_IN_ACCOUNT_LIMIT"]),
            address_failures=int(settings["LDR_SIGN_IN_ADDRESS_LIMIT"]),
        )


class SignInLocked(Exception):
    """Too many failed sign-ins: for this user name (`kind` "account") or from this address
    ("address"). Nothing was checked; `until` is when the next try will be (seconds since the epoch)."""

    def __init__(self, kind: str, until: float, wait: float):
        super().__init__(f"too many failed sign-ins for this {kind}; try again in {wait:.0f} s")
        self.kind, self.until, self.wait = kind, until, wait


#: How long an invitation to choose a password lasts.
INVITATION_DAYS = 7

#: How often (seconds) a session's last-seen time is written: an idle timeout of minutes does not
#: need a write on every request.
SEEN_PRECISION = 60.0


def _hasher():
    """Argon2id with argon2-cffi's defaults (RFC 9106's second recommended choice: 64 MiB, three
    passes), the first choice of OWASP's password storage guidance; imported when first needed,
    so that commands that never see a password do not load it."""
    global _HASHER
    if _HASHER is None:
        from argon2 import PasswordHasher

        _HASHER = PasswordHasher()
    return _HASHER


_HASHER = None


def _check_password(stored: str, password: str) -> bool:
    """The one place a password is compared with its hash, for known and unknown users alike:
    the same work whatever the user name. Hashes made before the registry used Argon2 (Werkzeug's
    `scrypt:N:r:p$salt$hex`) are still checked, and replaced at the next sign-in (needs_rehash)."""
    if stored.startswith("scrypt:"):
        return _check_older_scrypt(stored, password)
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_older_scrypt(stored: str, password: str) -> bool:
    """A password against a hash an earlier version stored: scrypt with the cost and salt given in
    the hash itself, hex digest compared in constant time."""
    try:
        method, salt, digest = stored.split("$", 2)
        n, r, p = (int(part) for part in method.split(":")[1:])
        made = hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt.encode("utf-8"),
            n=n,
            r=r,
            p=p,
            maxmem=132 * n * r * p,
        ).hex()
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(made, digest)


def needs_rehash(stored: str) -> bool:
    """Whether a stored hash was made otherwise than _new_password_hash would make it now."""
    return stored.startswith("scrypt:") or _hasher().check_needs_rehash(stored)


def _new_password_hash(password: str) -> str:
    return _hasher().hash(password)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Accounts:
    def __init__(
        self,
        path: str | Path,
        rules: SignInRules | None = None,
        clock: Callable[[], float] = time.time,
    ):
        self.path = Path(path)
        self.rules = rules or SignInRules()
        self.clock = clock  # injectable, so tests move time on rather than sleep
        self._dummy_hash: str | None = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("""CREATE TABLE IF NOT EXISTS users (
            username TEXT PRIMARY KEY, organisation TEXT NOT NULL, role TEXT NOT NULL,
            password_hash TEXT NOT NULL, created TEXT NOT NULL)""")
        self._db.execute("""CREATE TABLE IF NOT EXISTS drafts (
            id TEXT PRIMARY KEY, username TEXT NOT NULL, register TEXT NOT NULL, reference TEXT NOT NULL,
            mode TEXT NOT NULL, expected_version INTEGER, turtle TEXT NOT NULL, form TEXT NOT NULL, created TEXT NOT NULL)""")
        # drafts that were submitted: what the browser's Back to one of them says it became
        self._db.execute("""CREATE TABLE IF NOT EXISTS submitted_drafts (
            id TEXT PRIMARY KEY, username TEXT NOT NULL, register TEXT NOT NULL, reference TEXT NOT NULL)""")
        self._db.execute("""CREATE TABLE IF NOT EXISTS tokens (
            id TEXT PRIMARY KEY, username TEXT NOT NULL, organisation TEXT NOT NULL,
            role TEXT NOT NULL, secret_hash TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT)""")
        self._db.execute("""CREATE TABLE IF NOT EXISTS sessions (
            id_hash TEXT PRIMARY KEY, username TEXT NOT NULL, created REAL NOT NULL, seen REAL NOT NULL)""")
        self._db.execute("CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions (username)")
        self._db.execute("""CREATE TABLE IF NOT EXISTS invitations (
            id_hash TEXT PRIMARY KEY, username TEXT NOT NULL, organisation TEXT NOT NULL, role TEXT NOT NULL,
            invited_by TEXT NOT NULL, expires REAL NOT NULL)""")
        self._db.execute("""CREATE TABLE IF NOT EXISTS sign_in_failures (
            kind TEXT NOT NULL, key TEXT NOT NULL, at REAL NOT NULL)""")
        self._db.execute(
            "CREATE INDEX IF NOT EXISTS sign_in_failures_by_key ON sign_in_failures (kind, key, at)"
        )
        self._db.execute(
            "CREATE INDEX IF NOT EXISTS sign_in_failures_by_time ON sign_in_failures (at)"
        )

    def create_token(self, username: str, organisation: str, role: str) -> tuple[TokenInfo, str]:
        """A new token for the user; the token itself is returned once and never stored."""
        check_new_account(username, role)
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        created = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute(
                "INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, NULL)",
                (token_id, username, organisation, role, _hash(secret), created),
            )
        return TokenInfo(
            token_id, username, organisation, role, created, None
        ), f"ldr_{token_id}_{secret}"

    def tokens(self) -> list[TokenInfo]:
        with self._lock:
            rows = self._db.execute(
                "SELECT id, username, organisation, role, created, revoked FROM tokens "
                "ORDER BY created, id"
            ).fetchall()
        return [TokenInfo(*row) for row in rows]

    def revoke(self, token_id: str) -> TokenInfo:
        revoked = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        with self._lock:
            changed = self._db.execute(
                "UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                (revoked, token_id),
            ).rowcount
        if not changed:
            raise AccountError(
                f"there is no active token with the id {token_id!r}; `ldr token list` shows them"
            )
        return next(t for t in self.tokens() if t.id == token_id)

    def create_user(self, username: str, organisation: str, role: str, password: str) -> None:
        """A user who signs in to the web pages with a password (hashed with Argon2id)."""
        check_new_account(username, role)
        check_new_password(password)
        self.check_name_is_free(username)
        created = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        with self._lock:
            try:
                self._db.execute(
                    "INSERT INTO users (username, organisation, role, password_hash, created) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (username, organisation, role, _new_password_hash(password), created),
                )
            except sqlite3.IntegrityError as exc:
                raise AccountError(f"there is already a user called {username!r}") from exc

    def check_name_is_free(self, username: str) -> None:
        """AccountError if a user has this name already, in any case ('Amy' beside 'amy' would be
        two people no one can tell apart in a list or an audit line)."""
        with self._lock:
            row = self._db.execute(
                "SELECT username FROM users WHERE lower(username) = lower(?)", (username,)
            ).fetchone()
        if row is not None:
            same = (
                ""
                if row[0] == username
                else f" ({row[0]!r}: names differing only in capitals are one name)"
            )
            raise AccountError(f"there is already a user called {username!r}{same}")

    def users(self) -> list[Agent]:
        with self._lock:
            rows = self._db.execute(
                "SELECT username, organisation, role FROM users ORDER BY username"
            ).fetchall()
        return [Agent(*row) for row in rows]

    def invite(self, username: str, organisation: str, role: str, invited_by: str) -> str:
        """An invitation for a new user, who chooses their own password with it: the secret for
        the link, given once (only its hash is kept). It lasts INVITATION_DAYS and is used once."""
        check_new_account(username, role)
        self.check_name_is_free(username)
        secret = secrets.token_urlsafe(32)
        with self._lock:
            self._db.execute(
                "DELETE FROM invitations WHERE username = ? OR expires <= ?",
                (username, self.clock()),
            )
            self._db.execute(
                "INSERT INTO invitations VALUES (?, ?, ?, ?, ?, ?)",
                (
                    _hash(secret),
                    username,
                    organisation,
                    role,
                    invited_by,
                    self.clock() + INVITATION_DAYS * 86400,
                ),
            )
        return secret

    def invitation(self, secret: str) -> Agent | None:
        """Who an unused, unexpired invitation is for, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT username, organisation, role FROM invitations WHERE id_hash = ? "
                "AND expires > ?",
                (_hash(secret), self.clock()),
            ).fetchone()
        return Agent(*row) if row else None

    def accept(self, secret: str, password: str) -> Agent:
        """The invited user, created with the password they chose; the invitation is used up."""
        agent = self.invitation(secret)
        if agent is None:
            raise AccountError(
                "this invitation is not valid: it has been used, has expired (after "
                f"{INVITATION_DAYS} days) or was mistyped; ask your administrator for a new one"
            )
        assert agent.organisation is not None  # an invitation always names one (NOT NULL)
        self.create_user(agent.username, agent.organisation, agent.role, password)
        with self._lock:
            self._db.execute("DELETE FROM invitations WHERE id_hash = ?", (_hash(secret),))
        return agent

    def sign_in(self, username: str, password: str, address: str | None = None) -> Agent | None:
        """The agent for a correct user name and password, else None; SignInLocked, without
        checking anything, once this user name or this address has failed too often lately.

        The same work and the same answer whether or not the user exists: an unknown name is
        checked against a dummy hash, and its failures are counted and locked like a real one's.
        Never waits: a lockout is an answer given at once, not a delay in a request thread."""
        now = self.clock()
        key = username[:256]  # what failures are counted under: a huge name is not stored whole
        self._refuse_if_locked(key, address, now)
        dummy = (
            self._dummy()
        )  # made (once) before the look-up, so the first unknown name costs no more
        with self._lock:
            row = self._db.execute(
                "SELECT organisation, role, password_hash FROM users WHERE username = ?",
                (username,),
            ).fetchone()
        ok = _check_password(row[2] if row else dummy, password)
        if row and ok:
            fresh = _new_password_hash(password) if needs_rehash(row[2]) else None
            with self._lock:
                self._db.execute(
                    "DELETE FROM sign_in_failures WHERE kind = 'account' AND key = ?", (key,)
                )
                if (
                    fresh is not None
                ):  # an older kind of hash, replaced now that the password is known
                    self._db.execute(
                        "UPDATE users SET password_hash = ? WHERE username = ? AND password_hash = ?",
                        (fresh, username, row[2]),
                    )
            return Agent(username, row[0], row[1])
        with self._lock:
            self._db.execute(
                "DELETE FROM sign_in_failures WHERE at <= ?", (now - self.rules.window,)
            )
            self._db.executemany(
                "INSERT INTO sign_in_failures VALUES (?, ?, ?)",
                [("account", key, now)] + ([("address", address, now)] if address else []),
            )
        return None

    def _dummy(self) -> str:
        """A hash of a random password, made like a real one, for user names that do not exist."""
        if self._dummy_hash is None:
            self._dummy_hash = _new_password_hash(secrets.token_urlsafe(16))
        return self._dummy_hash

    def _refuse_if_locked(self, username: str, address: str | None, now: float) -> None:
        rules = self.rules
        for kind, key, limit in (
            ("account", username, rules.account_failures),
            ("address", address, rules.address_failures),
        ):
            if key is None or limit <= 0:
                continue
            with self._lock:
                recent = [
                    at
                    for (at,) in self._db.execute(
                        "SELECT at FROM sign_in_failures WHERE kind = ? AND key = ? AND at > ? ORDER BY at DESC LIMIT ?",
                        (kind, key, now - rules.window, limit),
                    )
                ]
            if len(recent) >= limit:
                until = (
                    recent[-1] + rules.window
                )  # when the oldest of the last `limit` failures leaves the window
                raise SignInLocked(kind, until, max(until - now, 1.0))

    def unlock(self, username: str | None = None, address: str | None = None) -> int:
        """Forget the failed sign-ins of a user name and/or an address (`ldr user unlock`); how many."""
        removed = 0
        with self._lock:
            if username is not None:
                removed += self._db.execute(
                    "DELETE FROM sign_in_failures WHERE kind = 'account' AND key = ?", (username,)
                ).rowcount
            if address is not None:
                removed += self._db.execute(
                    "DELETE FROM sign_in_failures WHERE kind = 'address' AND key = ?", (address,)
                ).rowcount
        return removed

    def set_password(self, username: str, password: str) -> int:
        """Give a user a new password and end every session they have (on every device); the
        number of sessions ended."""
        check_new_password(password)
        new_hash = _new_password_hash(password)
        with self._lock:
            changed = self._db.execute(
                "UPDATE users SET password_hash = ? WHERE username = ?", (new_hash, username)
            ).rowcount
        if not changed:
            raise AccountError(f"there is no user called {username!r}")
        return self.end_sessions(username)

    # Sessions: the cookie holds a random 256-bit id; only its SHA-256 is stored.

    def start_session(self, username: str) -> str:
        """A new session for a user who has just signed in; its id, to put in the cookie."""
        session_id = secrets.token_urlsafe(32)
        now = self.clock()
        with self._lock:
            self._db.execute(
                "DELETE FROM sessions WHERE seen <= ? OR created <= ?",
                (now - self.rules.session_idle, now - self.rules.session_lifetime),
            )
            self._db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?)", (_hash(session_id), username, now, now)
            )
        return session_id

    def session_user(self, session_id: str) -> Agent | None:
        """The user of a live session, or None if the id is unknown, ended, idle too long or too
        old (and then it is removed). Each use keeps the session alive."""
        now = self.clock()
        key = _hash(session_id)
        with self._lock:
            row = self._db.execute(
                "SELECT s.username, s.created, s.seen, u.organisation, u.role FROM sessions s "
                "JOIN users u ON u.username = s.username WHERE s.id_hash = ?",
                (key,),
            ).fetchone()
            if row is None:
                return None
            username, created, seen, organisation, role = row
            if (
                now - seen >= self.rules.session_idle
                or now - created >= self.rules.session_lifetime
            ):
                self._db.execute("DELETE FROM sessions WHERE id_hash = ?", (key,))
                return None
            if now - seen >= SEEN_PRECISION:
                try:
                    self._db.execute("UPDATE sessions SET seen = ? WHERE id_hash = ?", (now, key))
                except sqlite3.OperationalError:
                    # a full disk: reading goes on; the session is only not kept alive by this request
                    logging.getLogger(__name__).warning(
                        "could not note a session's use", exc_info=True
                    )
        return Agent(username, organisation, role)

    def end_session(self, session_id: str) -> None:
        """Sign out: the id is worthless from now on, wherever it was copied to."""
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE id_hash = ?", (_hash(session_id),))

    def sessions_of(self, username: str, current: str | None = None) -> list[dict]:
        """The user's live sessions, newest first: when each began and was last used (Unix times),
        and whether it is `current` (a session id). Ids are never shown: only their hashes are kept."""
        now, mine = self.clock(), _hash(current) if current else None
        with self._lock:
            rows = self._db.execute(
                "SELECT id_hash, created, seen FROM sessions WHERE username = ? AND seen > ? "
                "AND created > ? ORDER BY created DESC",
                (username, now - self.rules.session_idle, now - self.rules.session_lifetime),
            ).fetchall()
        return [
            {
                "began": created,
                "used": seen,
                "current": mine is not None and hmac.compare_digest(key, mine),
            }
            for key, created, seen in rows
        ]

    def end_other_sessions(self, username: str, keep: str) -> int:
        """End every session of the user but `keep` (a session id): "sign out everywhere else"
        (OWASP ASVS 3.3.4). How many were ended."""
        with self._lock:
            return self._db.execute(
                "DELETE FROM sessions WHERE username = ? AND id_hash != ?", (username, _hash(keep))
            ).rowcount

    def end_sessions(self, username: str) -> int:
        """End every session of a user; how many there were."""
        with self._lock:
            return self._db.execute("DELETE FROM sessions WHERE username = ?", (username,)).rowcount

    def user(self, username: str) -> Agent | None:
        with self._lock:
            row = self._db.execute(
                "SELECT organisation, role FROM users WHERE username = ?", (username,)
            ).fetchone()
        return Agent(username, row[0], row[1]) if row else None

    def save_draft(
        self,
        username: str,
        register: str,
        reference: str,
        mode: str,
        expected_version: int | None,
        turtle: str,
        form: str,
        draft_id: str | None = None,
    ) -> str:
        """A record being written in the web form, kept between the form and 'check your answers'.
        With `draft_id` (the person's own draft, changed from 'check your answers'), that draft is
        replaced rather than a second one made."""
        created = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        if draft_id is not None:
            with self._lock:
                changed = self._db.execute(
                    "UPDATE drafts SET register = ?, reference = ?, mode = ?, expected_version = ?, turtle = ?, "
                    "form = ?, created = ? WHERE id = ? AND username = ?",
                    (
                        register,
                        reference,
                        mode,
                        expected_version,
                        turtle,
                        form,
                        created,
                        draft_id,
                        username,
                    ),
                ).rowcount
            if changed:
                return draft_id
        draft_id = secrets.token_urlsafe(12)
        with self._lock:
            self._db.execute(
                "INSERT INTO drafts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    draft_id,
                    username,
                    register,
                    reference,
                    mode,
                    expected_version,
                    turtle,
                    form,
                    created,
                ),
            )
        return draft_id

    def draft(self, draft_id: str, username: str) -> dict | None:
        with self._lock:
            row = self._db.execute(
                "SELECT register, reference, mode, expected_version, turtle, form FROM drafts "
                "WHERE id = ? AND username = ?",
                (draft_id, username),
            ).fetchone()
        if not row:
            return None
        return dict(
            zip(("register", "reference", "mode", "expected_version", "turtle", "form"), row)
        )

    def discard_draft(self, draft_id: str, submitted: bool = False) -> None:
        """Forget a draft; one `submitted` is remembered as such (see `submitted_draft`)."""
        with self._lock:
            if submitted:
                self._db.execute(
                    "INSERT OR REPLACE INTO submitted_drafts "
                    "SELECT id, username, register, reference FROM drafts WHERE id = ?",
                    (draft_id,),
                )
            self._db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))

    def submitted_draft(self, draft_id: str, username: str) -> dict | None:
        """The register and reference of the record this user's draft was submitted as, or None."""
        with self._lock:
            row = self._db.execute(
                "SELECT register, reference FROM submitted_drafts WHERE id = ? AND username = ?",
                (draft_id, username),
            ).fetchone()
        return dict(zip(("register", "reference"), row)) if row else None

    def authenticate(self, token: str) -> Agent | None:
        """The agent a token stands for, or None for a token that is unknown, revoked or wrong."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "ldr":
            hmac.compare_digest(_hash(token), _hash("x"))  # same work either way
            return None
        _, token_id, secret = parts
        with self._lock:
            row = self._db.execute(
                "SELECT username, organisation, role, secret_hash, revoked FROM tokens WHERE id = ?",
                (token_id,),
            ).fetchone()
        expected = row[3] if row else _hash("no such token")
        matches = hmac.compare_digest(_hash(secret), expected)
        if not row or not matches or row[4] is not None:
            return None
        return Agent(row[0], row[1], row[2])

    def close(self) -> None:
        self._db.close()


def check_new_password(password: str) -> None:
    if len(password) < 12:
        raise AccountError("a password needs at least 12 characters")


def accounts_path(settings) -> Path:
    return beside_store(settings, "LDR_ACCOUNTS_DB", ".accounts.sqlite")


def open_accounts(settings) -> Accounts:
    """The accounts file of these settings, with their session and sign-in rules."""
    return Accounts(accounts_path(settings), SignInRules.from_settings(settings))


#: the longest user name: one that fits on a page and in a log line
MAX_USERNAME = 64


def check_new_account(username: str, role: str) -> None:
    """AccountError unless `username` is a user name one may give (`check_username`) and `role`
    one of ROLES (`check_role`)."""
    check_username(username)
    check_role(role)


def check_username(username: str) -> None:
    """AccountError unless `username` is a user name one may give (the letters a to z in either
    case, digits, '-', '_' and '.', at most MAX_USERNAME). Letters from other scripts are
    refused: 'аmy' with a Cyrillic 'а' looks like 'amy' in every audit line."""
    if not username:
        raise AccountError(
            "give a user name: letters a to z, digits, '-', '_' and '.', such as amy.jones"
        )
    if len(username) > MAX_USERNAME or not all(
        (c.isascii() and c.isalnum()) or c in "-_." for c in username
    ):
        raise AccountError(
            f"user name {username[:MAX_USERNAME]!r}{'…' if len(username) > MAX_USERNAME else ''} "
            f"may use only the letters a to z (no accents or other alphabets), digits, '-', '_' "
            f"and '.', at most {MAX_USERNAME} of them"
        )


def check_role(role: str) -> None:
    """AccountError unless `role` is one of ROLES."""
    if not role:
        raise AccountError(f"choose a role: one of {', '.join(ROLES)}")
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of: {', '.join(ROLES)}")


def organisation_iri(model, organisation: str, organisations: Mapping[str, str]) -> str:
    """The IRI of the registered organisation a person named, read as every record field reads
    it (forms.record_iri: title, reference in any case, IRI or page address); AccountError,
    with the same words, if it names none. `organisations` maps the organisations' titles in
    lower case to their IRIs: `organisation_titles`, or, while another process holds the
    embedded store open, its search index's (`SearchIndex.titles`)."""
    from registry.records.naming import UnknownRecord, record_iri

    try:
        return record_iri(model, organisation, model.register_class["organisations"], organisations)
    except UnknownRecord as exc:
        raise AccountError(str(exc)) from exc


def organisation_titles(store, model) -> dict[str, str]:
    """Title in lower case -> IRI of every organisation in the store, for `organisation_iri`."""
    from registry.records.naming import registered_titles, titles_to_iris

    return titles_to_iris(registered_titles(store, model, model.register_class["organisations"]))
