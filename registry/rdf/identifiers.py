"""What a reference, a register name, a version number and an IRI may be, and the one way a
term is written into a SPARQL query.

Why one place: a value from a request that reaches a query as text can close the IRI it was
pasted into and add its own query (or thousands of nested groups, which overflow the query
parser's stack and kill the web process). So every value from a request is checked here before
any store access, and every internal query builder writes its IRIs with `sparql_iri()` and its
strings with `sparql_literal()`, which refuse or escape whatever could end the term. Nothing here knows about
HTTP: the web app turns `BadTerm` into a 404 or 400 problem document, the CLI into a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REFERENCE_MAX = 100
"""The longest reference: longer than any real short name, short enough that a query built
around one stays small."""

REFERENCE_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
"""A reference (the last part of {base}/id/{register}/{reference}): lowercase letters, digits
and hyphens, starting with a letter or digit. The OpenAPI document and the web form use it."""

REFERENCE_RULE = (
    f"A reference may contain only lowercase letters a-z, digits 0-9 and hyphens, starts with a "
    f"letter or digit and is at most {REFERENCE_MAX} characters long, for example uprn or "
    "govuk-notify."
)

VERSION_MAX_DIGITS = 9

IRI_MAX = 2000
"""The longest IRI accepted from a request (a successor, an organisation, a parameter)."""

_REFERENCE = re.compile(r"[a-z0-9][a-z0-9-]*")
# IRIREF in SPARQL 1.1 and Turtle: '<' ([^<>"{}|^`\]-[#x00-#x20])* '>'. The backslash is
# refused too, not escaped: \u escapes in an IRI are decoded before parsing.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\\x7f-\x9f]')
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_HTTP = re.compile(r"https?://[^/?#\s]+", re.I)


class BadTerm(ValueError):
    """A value from outside that is not what it must be. `status` is the HTTP status that fits
    (404 for a name that cannot name anything here, 400 for a malformed value); `title` and
    `detail` are for the person who sent it."""

    def __init__(self, title: str, detail: str, status: int = 400):
        super().__init__(detail)
        self.title, self.detail, self.status = title, detail, status


def shown(value: object, limit: int = 60) -> str:
    """A value as it may be quoted back in a message: repr (control characters visible), cut."""
    if not isinstance(value, str):
        return repr(value)[:limit]
    return repr(value if len(value) <= limit else value[:limit] + "…")


def is_reference(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= REFERENCE_MAX
        and _REFERENCE.fullmatch(value) is not None
    )


def check_reference(value: str) -> str:
    """The reference, or BadTerm (404: no record can have it)."""
    if not is_reference(value):
        raise BadTerm(
            "Not a reference",
            f"{shown(value)} cannot be a record's reference, so nothing is registered "
            f"at this address. {REFERENCE_RULE}",
            status=404,
        )
    return value


def check_register(value: str) -> str:
    """The register name, or BadTerm (404)."""
    from registry.rdf.namespaces import (
        REGISTERS,  # here: this module is imported where rdflib is not (`ldr restore`)
    )

    if value not in REGISTERS:
        raise BadTerm(
            "No such register",
            f"{shown(value)} is not a register. The registers are: {', '.join(REGISTERS)}.",
            status=404,
        )
    return value


def check_version(value: str) -> int:
    """A version number from a path or a parameter (1, 2, 3 …), or BadTerm (404)."""
    if not (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) <= VERSION_MAX_DIGITS
        and int(value) >= 1
    ):
        raise BadTerm(
            "No such version",
            f"Versions are numbered 1, 2, 3…; {shown(value)} is not one.",
            status=404,
        )
    return int(value)


def is_iri(value: object) -> bool:
    """Whether `value` can be written between < and > in a query: absolute, and none of the
    characters IRIREF forbids (so it cannot end the IRI or start anything after it)."""
    return (
        isinstance(value, str)
        and bool(value)
        and _NOT_IN_IRI.search(value) is None
        and _ABSOLUTE.match(value) is not None
    )


def is_web_iri(value: object) -> bool:
    """An http(s) IRI that can be written in a query, at most IRI_MAX characters."""
    return (
        isinstance(value, str)
        and len(value) <= IRI_MAX
        and is_iri(value)
        and _HTTP.match(value) is not None
    )


def check_iri(value: str, *, what: str = "The IRI", web: bool = True) -> str:
    """An IRI sent in a request (a successor, a parameter): absolute, http(s) when `web`, at
    most IRI_MAX characters, nothing IRIREF forbids; else BadTerm (400)."""
    if not (
        is_web_iri(value)
        if web
        else isinstance(value, str) and len(value) <= IRI_MAX and is_iri(value)
    ):
        raise BadTerm(
            "Not an IRI",
            f"{what} {shown(value)} is not a web address: it must start http:// or https://, "
            f"be at most {IRI_MAX} characters and contain no spaces, control characters or "
            '< > " { } | ^ ` \\.',
        )
    return value


def sparql_iri(value: object) -> str:
    """`value` written as a SPARQL IRI, <...>: the one way an IRI enters a query the registry
    builds. Refuses (ValueError) anything that could end the IRI, so a value that got past its
    first check still cannot change the query around it."""
    text = str(value)
    if not is_iri(text):
        raise BadTerm("Not an IRI", f"{shown(text)} cannot be written as an IRI in a query.")
    return f"<{text}>"


def sparql_iris(values: Iterable[object]) -> str:
    """Several IRIs, space-separated, for a VALUES block."""
    return " ".join(sparql_iri(v) for v in values)


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_TO_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')


def sparql_literal(value: str, datatype: str | None = None, lang: str | None = None) -> str:
    """`value` written as a SPARQL string literal: quotes, backslashes and control characters
    escaped, so the text cannot end the string. With a datatype IRI or a language tag."""
    body = _TO_ESCAPE.sub(lambda m: _ESCAPES.get(m.group(), f"\\u{ord(m.group()):04X}"), str(value))
    if lang is not None:
        if not re.fullmatch(r"[A-Za-z]+(-[A-Za-z0-9]+)*", lang):
            raise BadTerm("Not a language tag", f"{shown(lang)} is not a language tag.")
        return f'"{body}"@{lang}'
    return f'"{body}"' + (f"^^{sparql_iri(datatype)}" if datatype else "")
