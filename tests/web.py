"""Helpers for tests that use the web forms as a person does: the password every test user
has, the CSRF token read from a page, and signing in through the sign-in form."""
from __future__ import annotations

import re

from tests.conftest import BASE

PASSWORD = "a long enough password"


def csrf(page: bytes) -> str:
    """The CSRF token in a page's form."""
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


def sign_in(client, user: str, password: str = PASSWORD, next: str = "/"):
    """Post the sign-in form with a Flask test client, as a person would; the response."""
    token = csrf(client.get("/sign-in").data)
    return client.post("/sign-in", data={"username": user, "password": password, "csrf_token": token, "next": next})


LEEDS = f"{BASE}/id/organisations/leeds-city-council"
MHCLG = f"{BASE}/id/organisations/ministry-of-housing-communities-and-local-government"


def add_users(app) -> None:
    """Two users with PASSWORD: amy, a publisher for Leeds City Council, and sam, a steward."""
    accounts = app.extensions["ldr.accounts"]
    accounts.create_user("amy", LEEDS, "publisher", PASSWORD)
    accounts.create_user("sam", MHCLG, "steward", PASSWORD)
