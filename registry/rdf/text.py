"""Text hygiene: the one place that decides which characters a submission may hold, how text is
made safe for XML 1.0 and for spreadsheets, and how deeply a document may nest.

Standard library only: the SPARQL query worker imports it (registry/query/worker.py starts
with nothing but pyoxigraph), and so do the parser's checks (registry/rdf/rdfio.py) and the
validation of every submission (registry/records/validation.py) — the API, the web forms,
`ldr validate` and `ldr load` all pass through those two.
"""

from __future__ import annotations

import re
import unicodedata

# --- characters a literal may not hold ----------------------------------------------------------

#: Control characters other than tab, newline and carriage return: C0, DEL and C1, plus the two
#: non-characters XML cannot hold either. They are invisible, mean nothing in a title or a
#: description, and XML 1.0 cannot carry most of them at all (not even as &#1;).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")

#: Bidirectional overrides and isolates (which can make text read differently from what it
#: holds, "Trojan Source") and zero-width characters (which make two titles that look the
#: same differ, or hide a word from search); with them the soft hyphen, the combining grapheme
#: joiner, the Mongolian vowel separator and the invisible operators, as invisible in a title.
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
ZERO_WIDTH = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad\u034f\u180e\u2061-\u2064]")

#: What XML 1.0 cannot hold: every C0 control but tab, newline and carriage return, lone
#: surrogates and U+FFFE/U+FFFF. (DEL and C1 are allowed in XML 1.0, if discouraged.)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_XML_UTF8 = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]|\xed[\xa0-\xbf]")


def _name(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" ({name})" if name else "")


def control_problem(text: str) -> str | None:
    """Why a literal cannot be accepted because of a control character, or None."""
    found = CONTROL.search(text)
    if found is None:
        return None
    return (
        f"holds the control character {_name(found.group())} at character {found.start() + 1}, which the "
        "registry does not accept in text (only tab and new lines are). Type or paste the text again "
        "without it: it usually comes from copying out of another program."
    )


def invisible_problem(text: str) -> str | None:
    """Why a title or label cannot be accepted because of a bidi control or a zero-width
    character, or None."""
    for pattern, what in (
        (BIDI, "a bidirectional-text control"),
        (ZERO_WIDTH, "a zero-width character"),
    ):
        found = pattern.search(text)
        if found is not None:
            return (
                f"holds {what}, {_name(found.group())}, at character {found.start() + 1}: it is invisible "
                "and can make the text look different from what it is. Type the text again without it."
            )
    return None


#: Scripts whose letters look alike (Latin "a", Cyrillic "а", Greek "α"): a word that mixes two
#: of them is a look-alike, not a spelling. Other scripts mix legitimately (Japanese mixes three).
_CONFUSABLE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def _script(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    for script in _CONFUSABLE_SCRIPTS:
        if name.startswith(script + " "):
            return script
    # a styled or full-width form of a Latin letter (mathematical 𝖺, full-width ａ) looks like it
    if not ch.isascii() and unicodedata.normalize("NFKC", ch).isascii():
        return "STYLED LATIN"
    return None


def _words(text: str):
    """Runs of letters, with the marks and format characters inside them (an invisible combining
    grapheme joiner or soft hyphen does not split a word into parts that each look innocent)."""
    word: list[str] = []
    for ch in text + " ":
        if unicodedata.category(ch)[0] in "LM" or unicodedata.category(ch) == "Cf":
            word.append(ch)
        elif word:
            yield "".join(word)
            word = []


def mixed_script_problem(text: str) -> str | None:
    """Why a title or label looks like a spoof: a word mixing Latin, Cyrillic and Greek letters
    (or styled forms of Latin ones). Latin with diacritics (Welsh ŵ, ŷ; Irish á) is Latin; a
    word wholly in Greek is fine."""
    if text.isascii():
        return None
    for word in _words(text):
        if word.isascii():
            continue
        scripts: dict[str, str] = {}
        for ch in word:
            script = _script(ch)
            if script is not None:
                scripts.setdefault(script, ch)
        if len(scripts) > 1:
            odd = [_name(ch) for script, ch in scripts.items() if script != "LATIN"]
            return (
                f"mixes letters from different scripts in the word “{visible(word)}” "
                f"({', '.join(sorted(scripts)).lower()}: {', '.join(odd)}), so it only looks like the word it "
                "seems to be. Type the word again with a UK keyboard layout."
            )
    return None


def visible(text: str) -> str:
    """The text with every control, bidi and zero-width character written out (⟨U+0007⟩), so a
    report that repeats a value shows what is wrong with it and carries nothing invisible."""
    return _INVISIBLE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)


_INVISIBLE = re.compile(f"{CONTROL.pattern}|{BIDI.pattern}|{ZERO_WIDTH.pattern}")


#: line breaks: a title is one line (a web form's one-line box would drop them, and run words
#: together)
LINE_BREAK = re.compile("[\n\r\u0085\u2028\u2029]")


def label_problem(text: str) -> str | None:
    """What a title or label must not hold, beyond what no literal may hold."""
    if LINE_BREAK.search(text):
        return "holds a line break: a title or label is one line. Write it on one line."
    return invisible_problem(text) or mixed_script_problem(text)


# --- XML ----------------------------------------------------------------------------------------


def xml_safe(text: str) -> str:
    """The text with every character XML 1.0 cannot hold replaced by U+FFFD: data stored before
    the rule (or loaded around it) still gives well-formed XML, and shows that something was there."""
    return NOT_XML.sub("\ufffd", text)


def xml_safe_bytes(body: bytes) -> bytes:
    """xml_safe on a UTF-8 document; the common case (nothing to replace) costs one scan."""
    if _NOT_XML_UTF8.search(body) is None:
        return body
    return xml_safe(body.decode("utf-8", errors="surrogatepass")).encode("utf-8")


# --- spreadsheets -------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?")


def spreadsheet_safe(cell):
    """A CSV or TSV cell a spreadsheet will show, not run: text starting with = + - @ tab or
    carriage return gets a leading single quote (OWASP's rule against CSV injection). Numbers
    (a negative one, "-3.5", too) are left as they are: they cannot run anything."""
    if not isinstance(cell, str) or not cell.startswith(_FORMULA_START) or _NUMBER.fullmatch(cell):
        return cell
    return "'" + cell


# --- nesting ------------------------------------------------------------------------------------

#: How deeply a document may nest, in any syntax: blank nodes and collections in Turtle and
#: TriG (`[ [ [`, `( ( (`, quoted triples), elements in RDF/XML, objects and arrays in JSON and
#: JSON-LD. Records nest two or three levels (an RDF/XML blank node costs two elements).
#: RDF/XML parsing is quadratic in depth (30,000 levels took 13 s), and pyshacl and the JSON
#: readers recurse.
MAX_NESTING = 64

#: Brackets or elements nested up to this many levels are read as a whole by one step of the
#: scan (so ordinary data costs one regular-expression match, not one per bracket); only deeper
#: ones are counted one by one.
_SHALLOW = 8


def _scanner(text: bytes, opening: bytes, closing: bytes) -> re.Pattern:
    """A match is a run of text that opens nothing (possessive, so it never backtracks), holding
    whole groups up to _SHALLOW levels deep; or one opening mark (group 1); or one closing mark
    (group 2)."""
    level = rb"(?>" + text + rb")"
    for _ in range(_SHALLOW):
        level = rb"(?>" + text + rb"|(?:" + opening + rb")" + level + rb"*+(?:" + closing + rb"))"
    return re.compile(rb"(?:" + level + rb")++|(" + opening + rb")|(" + closing + rb")", re.DOTALL)


# Turtle and TriG: text is strings, IRIs, comments, escaped characters in prefixed names (ex:a\#b,
# ex:a\() and whatever else is not a bracket. A lone "<" or ">" outside an IRI counts as a
# mark: the input is malformed there, and counting it errs towards refusing.
_TURTLE = _scanner(
    rb'''"""(?:[^"\\]|\\.|"(?!""))*+(?:"""|\\?)|\'\'\'(?:[^'\\]|\\.|'(?!''))*+(?:\'\'\'|\\?)'''
    rb"""|"(?:[^"\\\n\r]|\\.)*+(?:"|\\?)|'(?:[^'\\\n\r]|\\.)*+(?:'|\\?)"""
    rb"""|<(?:[^\x00-\x20<>"{}|^`\\]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>"""
    rb"""|#[^\n\r]*+|\\.|[^"'<>#\\\[\](){}]++""",
    rb"<<\(?|\[|\(|\{|<(?!<)",
    rb"\)?>>|\]|\)|\}|>",
)
# JSON: text is strings and whatever else is not a bracket.
_JSON = _scanner(rb""""(?:[^"\\]|\\.)*+(?:"|\\?)|[^"\[\]{}]++""", rb"[\[{]", rb"[\]}]")
# XML: text is comments, CDATA, processing instructions (which may hold "<" and ">"),
# declarations, self-closing tags and character data; a start tag opens and an end tag closes. Attribute values cannot hold "<", so
# no match runs past the next tag.
_XML = _scanner(
    rb"""<!--.*?(?:-->|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)|<\?.*?(?:\?>|\Z)|<![^<>]*+>?"""
    rb"""|<(?:[^<>"'/]|/(?!>)|"[^"<]*+"|'[^'<]*+')*+/>|[^<]++""",
    rb"""<(?![/!?])(?:[^<>"']|"[^"<]*+"|'[^'<]*+')*+>?""",
    rb"</[^<>]*+>?",
)
# Every string, comment and IRI pattern above matches even when it is not closed (it runs to the
# end of the line or of the input), and every repetition is possessive: the scan never goes back.
_SCANNERS = {"turtle": _TURTLE, "trig": _TURTLE, "jsonld": _JSON, "json": _JSON, "rdfxml": _XML}


def nesting_depth(data: bytes, syntax: str, limit: int = MAX_NESTING) -> tuple[int, int]:
    """(depth, offset): how deeply the document nests, found by scanning its text without
    parsing it, and where it first goes deeper than `limit` (-1 if it never does). Syntaxes that
    cannot nest (N-Triples, N-Quads) are depth 0. The depth is exact up to `limit - _SHALLOW`
    and errs towards more above it (a run of text may hold shallow groups: counted as full).
    Linear in the size of the input."""
    scanner = _SCANNERS.get(syntax)
    if scanner is None:
        return 0, -1
    # The common case: fewer opening marks in the whole text than the limit allows.
    if syntax != "rdfxml" and sum(data.count(c) for c in (b"[", b"(", b"{", b"<<")) <= limit:
        return 0, -1
    depth = deepest = 0
    for match in scanner.finditer(data):
        group = match.lastindex
        if group == 1:
            depth += 1
            if depth + _SHALLOW > limit:
                return depth + _SHALLOW, match.start()
        elif group == 2:
            # never below zero: a closing mark the parser would not see as one (it is malformed
            # there, or the scan and the parser disagree) cannot hide nesting that follows it
            depth = max(depth - 1, 0)
        else:
            deepest = max(deepest, depth + _SHALLOW)
    return deepest, -1


def line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    return line, offset - (data.rfind(b"\n", 0, offset) + 1) + 1


# --- CSV and TSV for people ---------------------------------------------------------------------


def csv_for_people(rows) -> str:
    """CSV (RFC 4180, CRLF) of the rows with every cell spreadsheet_safe: for the listings,
    reports and stored queries people download and open in a spreadsheet."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


def sparql_csv_for_people(body: bytes) -> bytes:
    """SPARQL CSV results made spreadsheet_safe, for stored queries (/queries/{name}.csv).
    The public endpoint (/sparql) answers the W3C format unchanged: it is read by programs, and
    a quote before "-1" or "=x" would change the data they read."""
    import csv
    import io

    rows = csv.reader(io.StringIO(body.decode("utf-8"), newline=""))
    return csv_for_people(rows).encode("utf-8")


def sparql_tsv_for_people(body: bytes) -> bytes:
    """SPARQL TSV results made spreadsheet_safe: a quoted literal's text gets the quote inside
    its quotation marks ("'=1+1"), other cells in front."""

    def cell(text: str) -> str:
        if (
            text.startswith('"')
            and len(text) > 1
            and spreadsheet_safe(_tsv_unquoted(text)) != _tsv_unquoted(text)
        ):
            return "\"'" + text[1:]
        return spreadsheet_safe(text)

    lines = body.decode("utf-8").split("\n")
    return "\n".join("\t".join(cell(c) for c in line.split("\t")) for line in lines).encode("utf-8")


def _tsv_unquoted(text: str) -> str:
    end = text.rfind('"')
    return text[1:end] if end > 0 else text[1:]
