"""Helpers for tests that use the web forms as a person does: the password every test user
has, the CSRF token read from a page, and signing in through the sign-in form."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.conftest import BASE

PASSWORD = "a long enough password"


def csrf(page: bytes) -> str:
    """The CSRF token in a page's form."""
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


class _FormReader(HTMLParser):
    """The fields a browser would send from the page's form that posts to `action`, in order."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self._action = action
        self.fields: list[tuple[str, str]] = []
        self._in_form = self._done = False
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if (
            tag == "form"
            and not self._done
            and (a.get("method") or "").lower() == "post"
            and a.get("action") == self._action
        ):
            self._in_form = True
        if not self._in_form or "disabled" in a:
            return
        kind = (a.get("type") or "text").lower()
        if (
            tag == "input"
            and a.get("name")
            and kind not in ("submit", "button", "image", "file", "reset")
        ):
            if kind not in ("radio", "checkbox") or "checked" in a:
                self.fields.append(
                    (a["name"], a.get("value") or ("on" if kind in ("radio", "checkbox") else ""))
                )
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # a browser drops the one newline that follows <textarea>
            self.fields.append(
                (self._textarea, self._text[1:] if self._text.startswith("\n") else self._text)
            )
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_fields(page: bytes | str, action: str) -> dict[str, list[str]]:
    """What a browser sends, unchanged, from the page's form that posts to `action`, by name."""
    reader = _FormReader(action)
    reader.feed(page.decode() if isinstance(page, bytes) else page)
    values: dict[str, list[str]] = {}
    for name, value in reader.fields:
        values.setdefault(name, []).append(value)
    return values


def sign_in(client, user: str, password: str = PASSWORD, next: str = "/"):
    """Post the sign-in form with a Flask test client, as a person would; the response."""
    token = csrf(client.get("/sign-in").data)
    return client.post(
        "/sign-in", data={"username": user, "password": password, "csrf_token": token, "next": next}
    )


LEEDS = f"{BASE}/id/organisations/leeds-city-council"
MHCLG = f"{BASE}/id/organisations/ministry-of-housing-communities-and-local-government"


def add_users(app) -> None:
    """Two users with PASSWORD: amy, a publisher for Leeds City Council, and sam, a steward."""
    accounts = app.extensions["ldr.registry"].accounts
    accounts.create_user("amy", LEEDS, "publisher", PASSWORD)
    accounts.create_user("sam", MHCLG, "steward", PASSWORD)
