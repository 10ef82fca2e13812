"""What the public SPARQL endpoint refuses before any query runs: nesting deeper than the
parsers can safely follow, updates, and SERVICE — decided on the parsed query, not on a scan
of its text.

A scan of the text was walked past: an escape that is legal in a prefixed name (`ex:a\\#b`)
made the scanner take the rest of the line for a comment, so a SERVICE clause after it was
not seen and the engine made the request. Here:

- A query in which the letters "service" (any case, before or after codepoint escapes such as
  `\\u0053`) occur nowhere a token could start cannot hold a SERVICE clause: the engine's
  keywords are ASCII, matched without regard to case, and the letters right after `:`, `?`,
  `$`, `_` or `-` can only continue a name (`ldr:serviceArea`, `?service_area`). Such a query
  needs no parse: a few µs, as the scan it replaces (every query of the benchmarks).
- Any other query is parsed with rdflib's SPARQL parser (3-190 ms, remembered for the next
  time the same text comes), and refused if its syntax tree holds a SERVICE pattern anywhere
  (in OPTIONAL, MINUS, UNION, GRAPH, EXISTS, subqueries ...). With codepoint escapes in it, it
  is parsed both as written (as pyoxigraph 0.5 reads it) and with the escapes read first (as
  the specification says): `"\\u0022"` ends a string in one reading and not in the other.
- A query rdflib cannot parse, or too long to parse here, is refused with a 400 that says why:
  the guard cannot prove it makes no request (pyoxigraph accepts some syntax rdflib does not,
  such as LATERAL).

The query workers that run what passes also cannot open network connections at all
(registry/query/worker.py, `isolate_network`): a second wall, for the day this one is wrong.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

#: brackets, braces and parentheses open at once, at most; deeper is refused before parsing
#: (the parsers recurse once or more per level: thousands of levels overflowed the stack)
MAX_NESTING = 64
UPDATE_KEYWORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
)


class QueryError(Exception):
    """A query the service will not or cannot answer. `kind` says which, for the HTTP status."""

    def __init__(self, kind: str, message: str):
        self.kind, self.message = kind, message
        super().__init__(message)


_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def _codepoint(found: re.Match) -> str:
    value = int(found.group(1) or found.group(2), 16)
    return chr(value) if value < 0x110000 else found.group(0)


def unescape(text: str) -> str:
    """The text with SPARQL codepoint escapes read (one pass), as the specification says they
    are before parsing. pyoxigraph 0.5 does not (`\\u0053ELECT` is an error to it) but a
    SPARQL server may, so the checks look at both readings."""
    return _CODEPOINT.sub(_codepoint, text) if "\\" in text else text


#: String literals of the four kinds, as unrolled loops: a run of ordinary characters is one
#: C-speed step (a 10 MB literal matched character by character held the GIL for seconds).
_STRINGS = (
    r'''"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""|'\'\'[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'\'\''''
    r"""|"[^"\\\n\r]*(?:\\.[^"\\\n\r]*)*"|'[^'\\\n\r]*(?:\\.[^'\\\n\r]*)*\'"""
)


# --- nesting ---------------------------------------------------------------------------------

# Strings and comments are skipped (a bracket in them is text). A backslash pair outside a
# string is skipped whole, so the `#` of a prefixed name's `\#` does not start a comment. An
# IRI's brackets are counted as code, but its closing ones are never subtracted: `<` is also
# the less-than operator, so what looks like an IRI may be code to the engine, and an IRI
# must not hide nesting either way.
_NESTING_TOKENS = re.compile(_STRINGS + r"""|\#[^\n\r]*|\\.|<[^<>"{}|^`\\\x00-\x20]*>|[\[\](){}]""")
_OPENERS, _CLOSERS = frozenset("([{"), frozenset(")]}")


def nesting_depth(query: str, stop_at: int = MAX_NESTING) -> int:
    """The deepest nesting of brackets, braces and parentheses in the query's code (an upper
    bound where the reading is ambiguous); counting stops once past `stop_at`."""
    return max(_nesting_depth(text, stop_at) for text in readings(query))


def _nesting_depth(text: str, stop_at: int) -> int:
    if text.count("(") + text.count("[") + text.count("{") <= stop_at:
        # an upper bound (only an opener deepens it): most queries stop here (~1 µs)
        return min(stop_at, text.count("(") + text.count("[") + text.count("{"))
    depth = deepest = 0
    for found in _NESTING_TOKENS.finditer(text):
        token = found.group()
        if token in _OPENERS:
            depth += 1
        elif token in _CLOSERS:
            depth = max(0, depth - 1)
        elif token[0] == "<":
            inside = peak = 0
            for char in token:
                if char in _OPENERS:
                    inside += 1
                    peak = max(peak, inside)
                elif char in _CLOSERS:
                    inside -= 1
            deepest = max(deepest, depth + peak)
            depth += max(0, inside)
        else:
            continue
        if depth > deepest:
            deepest = depth
            if deepest > stop_at:
                break
    return deepest


#: How many joins one query may hold: UNION, OPTIONAL, MINUS, BIND, FILTER, VALUES, the
#: operators `|| && + - * / | !`, and the `, ; .` between terms and patterns. The engine's parser
#: and evaluator recurse along such chains: on an 8 MiB stack, 10,000 UNIONs, 20,000 `+`, 8,000
#: `-` or 3,000 BINDs ended a query worker with SIGSEGV. MAX_NESTING bounds the depth; this bounds
#: the flat chains (and the workers run queries on a deeper stack: query_worker.QUERY_STACK_BYTES).
MAX_CHAIN = 2_000
#: The longest query text the endpoint takes (the scans above hold the web process's GIL while
#: they run: a 9.9 MB string literal kept /health waiting 17 s).
MAX_QUERY_CHARS = 1_000_000
#: Strings, comments, escape pairs, and only those IRIs with `scheme://`: `<` is also
#: less-than, and `0<1+1+…+1>0` looks like an IRI; a `//` can never be read as an expression,
#: so only such IRIs can be skipped safely.
_SKIPPED = _STRINGS + r"""|\#[^\n\r]*|\\.|<[A-Za-z][A-Za-z0-9+.-]*://[^<>"{}|^`\\\x00-\x20]*>"""
_CHAIN_TOKENS = re.compile(
    _SKIPPED
    + r"""|(?P<op>\|\||&&|[-+*/|!,;]|\.(?!\d)|\b(?:UNION|OPTIONAL|MINUS|BIND|FILTER|VALUES)\b)""",
    re.I,
)


def chain_length(query: str) -> int:
    """How many operators join terms and patterns in the query's code (strings, comments and
    IRIs skipped; an upper bound where the reading is ambiguous)."""
    if (
        len(query) < 2 * MAX_CHAIN
    ):  # each operator needs an operand: a short query cannot be a long chain
        return 0
    # both readings: the engine's (escapes as written: "\u0022" is a one-character string) and
    # the specification's (escapes read first), which can disagree on where strings end
    return max(
        sum(1 for found in _CHAIN_TOKENS.finditer(text) if found.group("op"))
        for text in readings(query)
    )


def readings(query: str) -> tuple[str, ...]:
    """The query as the engine reads it, and with its codepoint escapes read, if that differs."""
    expanded = unescape(query)
    return (query,) if expanded == query else (query, expanded)


def check_nesting(query: str) -> None:
    if nesting_depth(query) > MAX_NESTING:
        raise QueryError(
            "nesting",
            f"The query is nested more than {MAX_NESTING} levels deep (brackets, braces and "
            "parentheses, counted together); the endpoint refuses it before parsing. "
            "Flatten the query.",
        )


# --- the parsed query --------------------------------------------------------------------------

_parser_lock = threading.Lock()
_parser = None
#: one parse at a time: pyparsing's packrat cache is shared by every parse and cleared as each
#: one starts, so two at once in one process fail each other (seen: a query parsed while the
#: worker warmed the parser up was reported as unreadable)
_parsing = threading.Lock()


def _rdflib_parser():
    """rdflib's SPARQL parser, imported on first use (the import takes a few hundred ms)."""
    global _parser
    with _parser_lock:
        if _parser is None:
            from rdflib.plugins.sparql import parser

            _parser = parser
    return _parser


def warm_parser() -> None:
    """Import the parser and parse once (the first parse builds pyparsing's caches)."""
    service_verdict("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")


def _holds_service(tree) -> bool:
    """Whether rdflib's syntax tree of a query or update has a SERVICE pattern anywhere."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                return True
            stack.extend(node.values())
        elif isinstance(node, (list, tuple, ParseResults)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return False


_ESCAPE_OR_PAIR = re.compile(r"\\\\|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")


def parsed(query: str, *, expand: bool = True):
    """("query", tree), ("update", tree) or ("unparsed", rdflib's message). `expand`: read
    codepoint escapes first, as the specification says and SPARQL servers do (rdflib's own
    parseQuery); otherwise read the text as it is, as pyoxigraph 0.5 does (it takes
    `\\u0053ELECT` for an error, and `"a\\u0022"` for one string)."""
    parser = _rdflib_parser()
    # a comment ends at a carriage return for the engine, at a line feed only for rdflib: a
    # SERVICE after `# ...\r` was code to one and comment to the other
    query = query.replace("\r", "\n")
    if expand:
        readings = (parser.parseQuery, parser.parseUpdate)
    else:
        # each escape as one plain letter: where the engine allows one (in a string, an IRI)
        # it is one character that ends nothing, as there; in code it is an error to the engine
        query = _ESCAPE_OR_PAIR.sub(
            lambda found: found.group() if found.group() == "\\\\" else "Z", query
        )
        readings = (
            lambda text: parser.Query.parse_string(text, parse_all=True),
            lambda text: parser.UpdateUnit.parse_string(text, parse_all=True)[0],
        )
    with _parsing:
        try:
            return "query", readings[0](query)
        except RecursionError:
            return "unparsed", "the query is too deeply nested for the guard's parser"
        except Exception as exc:  # noqa: BLE001 - pyparsing's ParseException and the like
            message = str(exc)
        try:
            return "update", readings[1](query)
        except Exception:  # noqa: BLE001 - neither a query nor an update: the query's message stands
            return "unparsed", message


#: where the letters of the keyword can only continue a name: right after `:` (a prefixed
#: name or blank node label, `ldr:serviceArea`), `?` or `$` (a variable, `?service_area`), `_`
#: or `-` (inside a name). The engine reads names greedily, and nothing in the grammar puts a
#: graph pattern after a `-`. Not after a letter or digit: `?s ?p 1SERVICE <...> {}` and
#: `trueSERVICE` are a number or a boolean and then the keyword, to the engine (tested).
_NAME_BYTES = frozenset(b":?$_-")


def _service_letters(text: str) -> bool:
    # bytes, lowered: only ASCII letters change case (as in the engine's keywords), and every
    # other character (its bytes >= 0x80) counts as one that may come before a keyword
    data = text.encode("utf-8", "surrogatepass").lower()
    at = data.find(b"service")
    while at != -1:
        if at == 0 or data[at - 1] not in _NAME_BYTES:
            return True
        at = data.find(b"service", at + 1)
    return False


def might_use_service(query: str) -> bool:
    """False only when the query provably holds no SERVICE keyword: the letters occur nowhere
    a token could start, in any case, before or after codepoint escapes (cheap: no parse)."""
    return _service_letters(query) or ("\\" in query and _service_letters(unescape(query)))


_TOKENS = re.compile(_STRINGS + r"""|<[^<>"{}|^`\\\s]*>|\\.|\#[^\n]*""")


def keywords(query: str) -> str:
    """The query with strings, IRIs and comments blanked out: what remains are keywords,
    names and punctuation. A reading for conveniences (the outer LIMIT, the query form), never
    for deciding what is safe."""
    return _TOKENS.sub(" ", unescape(query))


_PROLOGUE = re.compile(r"(?is)^\s*((BASE|PREFIX\s+[\w.-]*:)\s*)*")
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")


def is_update(query: str, *, body: str | None = None) -> bool:
    """Whether the query's first keyword is an update's: for a clear answer to an update sent
    as a query. (Safety does not rest on it: the engine and the SPARQL server are given the
    text as a query, and a query parser accepts no update.)"""
    first = _FIRST_WORD.match(_PROLOGUE.sub("", keywords(query) if body is None else body))
    return bool(first and first.group(1).upper() in UPDATE_KEYWORDS)


READ_ONLY = (
    "This endpoint is read-only: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP and the rest) is refused. "
    "Use the registry's write API to change records."
)
NO_SERVICE = (
    "SERVICE is refused: this endpoint never sends requests to other servers. Query each endpoint yourself "
    "and combine the results."
)


#: the longest query the guard parses (rdflib takes ~10 ms a kilobyte, in the web process);
#: a longer one that could hold SERVICE is refused as unchecked
MAX_CHECKED_CHARS = 8_000


@lru_cache(maxsize=256)
def service_verdict(query: str) -> tuple[str, str]:
    """("ok", ""), ("service", ""), ("update", "") or ("unchecked", why), from the parsed query;
    remembered, since a stored query or a client's repeated query is the same text each time
    (profiled: 4-190 ms a parse)."""
    if len(query) > MAX_CHECKED_CHARS:
        return (
            "unchecked",
            f"the query is longer than the {MAX_CHECKED_CHARS:,} characters the guard parses",
        )
    # With codepoint escapes in it, the query is read both ways, and each must be safe: the
    # engine reads it as it is, a SPARQL server may read the escapes first; a `\\u0022` can
    # end a string in one reading and not in the other.
    verdicts: dict[str, object] = {}  # verdict -> the parsed tree, or rdflib's message
    for expand in (True, False) if _CODEPOINT.search(query) else (True,):
        kind, tree = parsed(query, expand=expand)
        verdicts.setdefault(
            "unchecked"
            if kind == "unparsed"
            else "update"
            if kind == "update"
            else "service"
            if _holds_service(tree)
            else "ok",
            tree,
        )
    for verdict in ("update", "service"):
        if verdict in verdicts:
            return verdict, ""
    if "unchecked" in verdicts:
        return (
            "unchecked",
            f"the guard's SPARQL parser (rdflib) could not read it: {verdicts['unchecked']}",
        )
    return "ok", ""


def screen(query: str) -> tuple[str, bool]:
    """The guard's checks that need no parse, cheap enough for the web process: length, nesting,
    chains and updates. Returns the query's keywords (for the checks that follow: profiled,
    working them out again for each check was 17 µs of the web process's ~300 µs of CPU per
    two-hop join request) and whether the query must still be parsed for SERVICE
    (service_verdict) before it may run."""
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(
            "length",
            f"The query is {len(query):,} characters long; the endpoint takes at most "
            f"{MAX_QUERY_CHARS:,}. Split it, or download the dump (/dumps) and query a copy.",
        )
    check_nesting(query)
    if chain_length(query) > MAX_CHAIN:
        raise QueryError(
            "chain",
            f"The query joins more than {MAX_CHAIN:,} terms or patterns in one chain (UNION, "
            "OPTIONAL, operators, patterns); the endpoint refuses it before parsing. Split it "
            "into several queries, or use VALUES for long lists of values.",
        )
    body = keywords(query)
    if is_update(query, body=body):
        raise QueryError("update", READ_ONLY)
    return body, might_use_service(query)


def refuse(verdict: str, why: str) -> None:
    """Raise the QueryError for a service_verdict other than "ok"."""
    if verdict == "update":
        raise QueryError("update", READ_ONLY)
    if verdict == "service":
        raise QueryError("service", NO_SERVICE)
    if verdict == "unchecked":
        raise QueryError(
            "unchecked",
            'The endpoint could not check this query: it has the word "service" '
            f"where a keyword could start, and {why}; so the endpoint cannot prove "
            "it sends no request to another server. If it is valid SPARQL 1.1 and "
            'holds no SERVICE, reword or remove the "service" in comments and '
            "strings, or write escaped prefixed names (such as ex:a\\#b) as full "
            "IRIs, and try again.",
        )


def guard(query: str) -> str:
    """Refuse what a public read-only endpoint must never do, before anything runs, parsing the
    query in this process if it could hold SERVICE. For queries the registry itself wrote; the
    public endpoint screens in the web process and parses in a query worker, under the time
    limit (a pathological 8,000-character query took rdflib's parser 3 s)."""
    body, must_parse = screen(query)
    if must_parse:
        refuse(*service_verdict(query))
    return body


def uses_service(query: str) -> bool:
    """Whether the guard refuses the query for SERVICE (or could not prove it holds none)."""
    try:
        guard(query)
    except QueryError as exc:
        return exc.kind in ("service", "unchecked")
    return False


def check_graph_names(*names: str) -> None:
    """default-graph-uri and named-graph-uri values must be absolute IRIs (a space or `>` in one
    reached the engine's IRI constructor and was a 500)."""
    from pyoxigraph import NamedNode

    from registry.rdf.identifiers import is_iri, shown

    for name in names:
        try:  # the engine's own IRI parser: it refuses more than IRIREF does (bad escapes, ports, hosts)
            NamedNode(name)
            parsed = True
        except ValueError:
            parsed = False
        if not parsed or not is_iri(name):
            raise QueryError(
                "param",
                f"{shown(name)} is not an IRI: default-graph-uri and named-graph-uri take "
                "absolute IRIs, such as http://example.org/graph.",
            )
