"""Users, their organisations and roles, and their API tokens.

Kept in a small SQLite database beside the store, not in the triple store: the public SPARQL
endpoint can reach every graph, and token hashes have no business there. Only a SHA-256 hash
of each token's secret is stored; tokens are compared in constant time.
"""
from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from .settings import beside_store
from .versions import Agent
from .identifiers import is_iri, sparql_iri

ROLES = ("publisher", "steward", "admin")
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


_DUMMY_HASH = "scrypt:32768:8:1$dummysalt$" + "0" * 128


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Accounts:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("""CREATE TABLE IF NOT EXISTS users (
            username TEXT PRIMARY KEY, organisation TEXT NOT NULL, role TEXT NOT NULL,
            password_hash TEXT NOT NULL, created TEXT NOT NULL, failures INTEGER NOT NULL DEFAULT 0)""")
        self._db.execute("""CREATE TABLE IF NOT EXISTS drafts (
            id TEXT PRIMARY KEY, username TEXT NOT NULL, register TEXT NOT NULL, reference TEXT NOT NULL,
            mode TEXT NOT NULL, expected_version INTEGER, turtle TEXT NOT NULL, form TEXT NOT NULL, created TEXT NOT NULL)""")
        self._db.execute("""CREATE TABLE IF NOT EXISTS tokens (
            id TEXT PRIMARY KEY, username TEXT NOT NULL, organisation TEXT NOT NULL,
            role TEXT NOT NULL, secret_hash TEXT NOT NULL, created TEXT NOT NULL, revoked TEXT)""")

    def create_token(self, username: str, organisation: str, role: str) -> tuple[TokenInfo, str]:
        """A new token for the user; the token itself is returned once and never stored."""
        if role not in ROLES:
            raise AccountError(f"role {role!r} is not one of: {', '.join(ROLES)}")
        if not username or not all(c.isalnum() or c in "-_." for c in username):
            raise AccountError(f"user name {username!r} may use only letters, digits, '-', '_' and '.'")
        token_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?, NULL)",
                             (token_id, username, organisation, role, _hash(secret), created))
        return TokenInfo(token_id, username, organisation, role, created, None), f"ldr_{token_id}_{secret}"

    def tokens(self) -> list[TokenInfo]:
        with self._lock:
            rows = self._db.execute("SELECT id, username, organisation, role, created, revoked FROM tokens "
                                    "ORDER BY created, id").fetchall()
        return [TokenInfo(*row) for row in rows]

    def revoke(self, token_id: str) -> TokenInfo:
        revoked = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            changed = self._db.execute("UPDATE tokens SET revoked = ? WHERE id = ? AND revoked IS NULL",
                                       (revoked, token_id)).rowcount
        if not changed:
            raise AccountError(f"there is no active token with the id {token_id!r}; `ldr token list` shows them")
        return next(t for t in self.tokens() if t.id == token_id)

    def create_user(self, username: str, organisation: str, role: str, password: str) -> None:
        """A user who signs in to the web pages with a password (hashed with Werkzeug's scrypt)."""
        from werkzeug.security import generate_password_hash
        if role not in ROLES:
            raise AccountError(f"role {role!r} is not one of: {', '.join(ROLES)}")
        if not username or not all(c.isalnum() or c in "-_." for c in username):
            raise AccountError(f"user name {username!r} may use only letters, digits, '-', '_' and '.'")
        if len(password) < 12:
            raise AccountError("a password needs at least 12 characters")
        created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            try:
                self._db.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, 0)",
                                 (username, organisation, role, generate_password_hash(password), created))
            except sqlite3.IntegrityError as exc:
                raise AccountError(f"there is already a user called {username!r}") from exc

    def sign_in(self, username: str, password: str) -> Agent | None:
        """The agent for a correct user name and password, else None (the same work either way)."""
        from werkzeug.security import check_password_hash
        with self._lock:
            row = self._db.execute("SELECT organisation, role, password_hash FROM users WHERE username = ?",
                                   (username,)).fetchone()
        stored = row[2] if row else _DUMMY_HASH
        ok = check_password_hash(stored, password)
        with self._lock:
            if row and ok:
                self._db.execute("UPDATE users SET failures = 0 WHERE username = ?", (username,))
            elif row:
                self._db.execute("UPDATE users SET failures = failures + 1 WHERE username = ?", (username,))
        return Agent(username, row[0], row[1]) if row and ok else None

    def user(self, username: str) -> Agent | None:
        with self._lock:
            row = self._db.execute("SELECT organisation, role FROM users WHERE username = ?", (username,)).fetchone()
        return Agent(username, row[0], row[1]) if row else None

    def save_draft(self, username: str, register: str, reference: str, mode: str, expected_version: int | None,
                   turtle: str, form: str) -> str:
        """A record being written in the web form, kept between the form and 'check your answers'."""
        draft_id = secrets.token_urlsafe(12)
        created = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        with self._lock:
            self._db.execute("INSERT INTO drafts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (draft_id, username, register, reference, mode, expected_version, turtle, form, created))
        return draft_id

    def draft(self, draft_id: str, username: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT register, reference, mode, expected_version, turtle, form FROM drafts "
                                   "WHERE id = ? AND username = ?", (draft_id, username)).fetchone()
        if not row:
            return None
        return dict(zip(("register", "reference", "mode", "expected_version", "turtle", "form"), row))

    def discard_draft(self, draft_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM drafts WHERE id = ?", (draft_id,))

    def failures(self, username: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT failures FROM users WHERE username = ?", (username,)).fetchone()
        return row[0] if row else 0

    def authenticate(self, token: str) -> Agent | None:
        """The agent a token stands for, or None for a token that is unknown, revoked or wrong."""
        parts = token.split("_", 2)
        if len(parts) != 3 or parts[0] != "ldr":
            hmac.compare_digest(_hash(token), _hash("x"))   # same work either way
            return None
        _, token_id, secret = parts
        with self._lock:
            row = self._db.execute("SELECT username, organisation, role, secret_hash, revoked FROM tokens WHERE id = ?",
                                   (token_id,)).fetchone()
        expected = row[3] if row else _hash("no such token")
        matches = hmac.compare_digest(_hash(secret), expected)
        if not row or not matches or row[4] is not None:
            return None
        return Agent(row[0], row[1], row[2])

    def close(self) -> None:
        self._db.close()


def accounts_path(settings) -> Path:
    return beside_store(settings, "LDR_ACCOUNTS_DB", ".accounts.sqlite")


def organisation_iri(store, model, organisation: str) -> str:
    """The IRI of a registered organisation given its reference or IRI; AccountError if it is not one."""
    iri = organisation if organisation.startswith(("http://", "https://")) else \
        model.base.item("organisations", organisation or "-")
    if not is_iri(iri):
        raise AccountError(f"{organisation!r} is neither an organisation's reference nor its IRI")
    if not store.ask(f"ASK {{ {sparql_iri(iri)} a ?t }}"):
        raise AccountError(f"{iri} is not a registered organisation; register it first "
                           "(or import councils with `ldr import-councils`)")
    return iri
