"""The process that runs one SPARQL query at a time on a read-only snapshot of the store.

It imports pyoxigraph, the standard library and registry.rdf.text (itself standard library only:
what XML 1.0 cannot hold), so it starts fast; then, on its query thread while it waits for
work, the SPARQL guard's parser (rdflib's), with which it checks a query that could hold SERVICE
before running it (registry/query/guard.py). The parent kills it when a query, or that check,
passes the time limit: killing a process is the only way to be sure a query in pyoxigraph
(which has no timeout) or a parse in pyparsing stops and gives its CPU and memory back.
"""

from __future__ import annotations

import io
import json
import os
import pickle
import resource
import signal
from json.encoder import encode_basestring as _json_string  # quoted and escaped, in C
from typing import Any, cast
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from registry.rdf.text import xml_safe, xml_safe_bytes

RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RESULT_FORMATS = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)


CLONE_NEWNET, CLONE_NEWUSER = 0x40000000, 0x10000000


def isolate_network() -> str | None:
    """Give this process a network namespace of its own, holding nothing but a loopback
    interface that is down: no connection can be opened from it, to any address, whatever a
    query asks (SERVICE) — the second wall behind the guard (registry/query/guard.py).
    pyoxigraph cannot be told not to make SERVICE requests, so the process is what is walled.
    Done before the store is opened, while the process has one thread (a namespace is a
    thread's, and threads started later inherit it). None when done; otherwise why not."""
    import ctypes

    try:
        unshare = ctypes.CDLL(None, use_errno=True).unshare
    except (OSError, AttributeError):
        return "this system has no unshare(2)"
    reasons = []
    # as root (CAP_SYS_ADMIN), a network namespace alone; otherwise inside a user namespace
    # of its own, where an unprivileged process may make one (if the kernel allows it)
    for flags, name in (
        (CLONE_NEWNET, "CLONE_NEWNET"),
        (CLONE_NEWUSER | CLONE_NEWNET, "CLONE_NEWUSER|CLONE_NEWNET"),
    ):
        if unshare(flags) == 0:
            return None
        reasons.append(f"unshare({name}): {os.strerror(ctypes.get_errno())}")
    return "; ".join(reasons)


#: The stack the engine parses and evaluates a query on. It recurses along a query's chains
#: (UNION, BIND, FILTER, operators): on the main thread's 8 MiB, 3,000 BINDs or 8,000 `-` ended
#: the worker with SIGSEGV. The guard refuses long chains (sparql_guard.MAX_CHAIN); this leaves
#: room well beyond them. Reserved before the address-space cap is set, so not counted against it.
QUERY_STACK_BYTES = 256 * 1024 * 1024


def _deep_stack_executor():
    """A one-thread executor whose thread has QUERY_STACK_BYTES of stack (None if the system
    will not make one: queries then run on the main thread, as before)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    try:
        previous = threading.stack_size(QUERY_STACK_BYTES)
        try:
            executor = ThreadPoolExecutor(max_workers=1)
            executor.submit(lambda: None).result()  # the thread is made now, with this stack
        finally:
            threading.stack_size(previous)
    except (ValueError, RuntimeError, MemoryError):
        return None
    return executor


def _address_space() -> int:
    """Bytes of address space this process holds now (VmSize), 0 if the system does not say."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def main() -> None:
    """Read pickled jobs from stdin, write pickled answers to stdout, until stdin closes. The
    first message, sent once the worker is ready, says whether it could be cut off from the network."""
    # stopped by its parent (stdin closed, or killed at a limit), never by a Ctrl-C meant for the server
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    isolation = isolate_network()
    channel_in = os.fdopen(os.dup(0), "rb")
    channel_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed by accident goes to stderr, not into the channel
    memory_mb = int(os.environ.get("LDR_QUERY_MEMORY_MB", "0") or 0)
    deep = _deep_stack_executor()
    from registry.query.guard import warm_parser

    # the guard's parser is built before any job (a job waits for it either way: one thread)
    deep.submit(warm_parser).result() if deep else warm_parser()
    if memory_mb:
        # the cap is what a query may add to the worker as started: its libraries, the parser
        # and the query stack are not counted against it (with them inside a fixed cap, glibc's
        # malloc left RocksDB no room for a thread, and the worker aborted on a small query)
        limit = _address_space() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # ready: the web process counts a query's time limit from here, not from the worker's start
    pickle.dump(("hello", isolation), channel_out)
    channel_out.flush()
    stores: dict[str, ox.Store] = {}
    while True:
        try:
            job = pickle.load(channel_in)
        except EOFError:
            return
        if job is None:
            return
        if job.get("check"):
            # a query that could hold SERVICE is parsed here, under the time limit, not in the web process
            verdict = (
                deep.submit(_verdict, job["query"]).result() if deep else _verdict(job["query"])
            )
            if verdict[0] != "ok" or job.get("snapshot") is None:
                pickle.dump(("verdict", verdict), channel_out)
                channel_out.flush()
                continue
        path = job["snapshot"]
        try:
            if path not in stores:
                stores.clear()  # an older snapshot is no longer needed
                stores[path] = ox.Store.read_only(path)
        except Exception as exc:  # noqa: BLE001 - told to the client as text
            answer = ("error", f"{type(exc).__name__}: {exc}")
        else:
            store = stores[path]
            answer = (
                deep.submit(answer_job, store, job).result() if deep else answer_job(store, job)
            )
        pickle.dump(answer, channel_out)
        channel_out.flush()


def _verdict(query: str) -> tuple[str, str]:
    """The guard's verdict on the parsed query (sparql_guard.service_verdict); a failure of the
    parser itself is a query the guard could not check, and is refused as such."""
    from registry.query import guard as sparql_guard

    try:
        return sparql_guard.service_verdict(query)
    except Exception as exc:  # noqa: BLE001 - the query is refused, with the reason
        return "unchecked", f"the guard's SPARQL parser failed on it ({type(exc).__name__})"


def answer_job(store: ox.Store, job: dict[str, Any]) -> tuple[str, Any]:
    """("ok", the answer) or (the kind of failure, its message): what a worker sends back, and
    what the web process works out itself for a lookup it answers without a worker."""
    return _answered(lambda: answer_for(execute(store, job), job))


def answer_in_json(store: ox.Store, query: str, base_iri: str | None) -> tuple[str, Any]:
    """A SELECT on the default graph answered as SPARQL JSON written by the engine in one call,
    as answer_job gives it: for the lookups the web process answers itself, whose rows it
    capped in the query (profiled: building and reading the general job was about 5 µs of such a
    lookup's 100)."""

    def answer() -> dict[str, Any]:
        # a SELECT: its result is solutions, though pyoxigraph types it as any query's result
        solutions = cast(ox.QuerySolutions, store.query(query, base_iri=base_iri))
        body = solutions.serialize(format=ox.QueryResultsFormat.JSON)
        return {"body": body, "media_type": RESULT_FORMATS[0], "truncated": False}

    return _answered(answer)


def _answered(work) -> tuple[str, Any]:
    try:
        return "ok", work()
    except SyntaxError as exc:
        return "syntax", str(exc)
    except MemoryError:
        return "memory", "the query needed more memory than the endpoint allows"
    except Unwritable as exc:
        return "unwritable", str(exc)
    except (
        RuntimeError
    ) as exc:  # the engine's evaluation errors (an unsupported function, wrong arguments);
        return "evaluation", str(exc)  # the store's own failures are OSError
    except Exception as exc:  # noqa: BLE001 - every failure goes back to the client as text
        return "error", f"{type(exc).__name__}: {exc}"


def execute(store: ox.Store, job: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if job["default_graphs"]:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
    # Otherwise the store's own default graph: the current description of every record and
    # the vocabulary. Old versions and provenance are named graphs, reachable with GRAPH.
    if job["named_graphs"]:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    elif job["default_graphs"]:
        kwargs["named_graphs"] = []
    substitutions = {
        ox.Variable(name): _from_spec(spec)
        for name, spec in (job.get("substitutions") or {}).items()
    }
    if substitutions:
        kwargs["substitutions"] = substitutions
    result = store.query(job["query"], base_iri=job.get("base_iri"), **kwargs)
    limit = job["max_rows"]
    if isinstance(result, ox.QueryBoolean):
        return {"kind": "boolean", "value": bool(result)}
    if isinstance(result, ox.QuerySolutions):
        if job.get("whole") and job["result_type"] == "application/sparql-results+json":
            # the query's own LIMIT keeps it within the endpoint's: the engine writes it all
            return {"kind": "body", "body": result.serialize(format=ox.QueryResultsFormat.JSON)}
        variables = [v.value for v in result.variables]
        rows: list[tuple[Any, ...]] = []
        truncated = False
        for solution in result:
            if len(rows) == limit:
                truncated = True
                break
            rows.append(tuple(solution))  # the solution's terms, in the variables' order
        return {"kind": "solutions", "variables": variables, "rows": rows, "truncated": truncated}
    triples: list[ox.Triple] = []
    truncated = False
    for triple in result:
        if len(triples) == limit:
            truncated = True
            break
        triples.append(triple)
    return {
        "kind": "graph",
        "body": serialize_graph(triples, job["rdf_format"]),
        "truncated": truncated,
    }


class Unwritable(ValueError):
    """The answer cannot be written in the format asked for (JSON-LD has no RDF 1.2 triple
    terms): the client's choice of format, so 406, not a fault of the server."""


def serialize_graph(triples: list, media_type: str) -> bytes:
    """A CONSTRUCT or DESCRIBE answer; RDF/XML without the characters XML 1.0 cannot hold,
    which pyoxigraph writes as they are (data stored before registry/rdf/text.py refused them)."""
    try:
        # without an output to write to, pyoxigraph returns the bytes
        body = cast(bytes, ox.serialize(triples, format=RDF_FORMATS[media_type]))
    except (OSError, ValueError) as exc:  # the writer's refusal, e.g. a triple term in JSON-LD
        raise Unwritable(
            f"the answer cannot be written as {media_type}: {exc}. Ask for text/turtle or "
            "application/n-triples, which can write every answer"
        ) from None
    return xml_safe_bytes(body) if media_type == "application/rdf+xml" else body


def answer_for(result: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """The body as the client asked for it, written here so the web process only passes bytes on."""
    if result["kind"] == "graph":
        return {
            "body": result["body"],
            "media_type": job["rdf_format"],
            "truncated": result["truncated"],
        }
    media_type = job["result_type"]
    if result["kind"] == "body":
        return {"body": result["body"], "media_type": media_type, "truncated": False}
    if result["kind"] == "boolean":
        body = serialize_results(result, media_type)
    elif media_type == "application/sparql-results+json":
        body = _json_results(result["variables"], result["rows"])
    else:
        body = serialize_results(
            {**result, "rows": [[_term(t) for t in row] for row in result["rows"]]}, media_type
        )
    return {"body": body, "media_type": media_type, "truncated": result.get("truncated", False)}


def _json_results(variables: list[str], rows: list[tuple]) -> bytes:
    """SPARQL JSON results written straight from pyoxigraph's terms (profiled: building a dict
    per term and then dumping them was a quarter of a 200-row query's time)."""
    names = [_json_string(v) + ":" for v in variables]
    bindings = ",".join(
        "{" + ",".join(name + _json_term(t) for name, t in zip(names, row) if t is not None) + "}"
        for row in rows
    )
    head = ",".join(_json_string(v) for v in variables)
    return f'{{"head":{{"vars":[{head}]}},"results":{{"bindings":[{bindings}]}}}}'.encode()


def _json_term(term) -> str:
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _json_string(term.value) + "}"
    if kind is ox.Literal:
        value = _json_string(term.value)
        language = term.language
        if language:
            return f'{{"type":"literal","value":{value},"xml:lang":{_json_string(language)}}}'
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return '{"type":"literal","value":' + value + "}"
        return f'{{"type":"literal","value":{value},"datatype":{_json_string(datatype)}}}'
    if kind is ox.BlankNode:
        return '{"type":"bnode","value":' + _json_string(term.value) + "}"
    return '{"type":"triple","value":' + _json_string(str(term)) + "}"


def _from_spec(spec: list):
    """["iri", value] or ["literal", value, datatype] -> a pyoxigraph term."""
    if spec[0] == "iri":
        return ox.NamedNode(spec[1])
    return ox.Literal(spec[1], datatype=ox.NamedNode(spec[2]))


def _term(term) -> dict | None:
    """A term as a SPARQL JSON results binding (picklable, format-neutral)."""
    if term is None:
        return None
    kind = type(term)
    if kind is ox.NamedNode:
        return {"type": "uri", "value": term.value}
    if kind is ox.Literal:
        language = term.language
        if language:
            return {"type": "literal", "value": term.value, "xml:lang": language}
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return {"type": "literal", "value": term.value}
        return {"type": "literal", "value": term.value, "datatype": datatype}
    if kind is ox.BlankNode:
        return {"type": "bnode", "value": term.value}
    return {"type": "triple", "value": str(term)}


# --- results serialisations (SPARQL 1.1 Query Results JSON, XML, CSV and TSV) ----------------


def serialize_results(result: dict[str, Any], media_type: str) -> bytes:
    if result["kind"] == "boolean":
        value = result["value"]
        if media_type == "application/sparql-results+xml":
            return (
                f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
            ).encode()
        if media_type in ("text/csv", "text/tab-separated-values"):
            return ("true\n" if value else "false\n").encode()
        return json.dumps({"head": {}, "boolean": value}).encode()
    variables, rows = result["variables"], result["rows"]
    if media_type == "application/sparql-results+xml":
        return _xml(variables, rows)
    if media_type == "text/csv":
        return _csv(variables, rows)
    if media_type == "text/tab-separated-values":
        return _tsv(variables, rows)
    bindings = [{v: t for v, t in zip(variables, row) if t is not None} for row in rows]
    return json.dumps(
        {"head": {"vars": variables}, "results": {"bindings": bindings}}, ensure_ascii=False
    ).encode("utf-8")


def _xml(variables, rows) -> bytes:
    out = io.StringIO()
    out.write(
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'
    )
    for v in variables:
        out.write(f"<variable name={quoteattr(v)}/>")
    out.write("</head>\n<results>\n")
    for row in rows:
        out.write("<result>")
        for v, t in zip(variables, row):
            if t is None:
                continue
            out.write(f"<binding name={quoteattr(v)}>")
            if t["type"] == "uri":
                out.write(f"<uri>{escape(t['value'])}</uri>")
            elif t["type"] == "bnode":
                out.write(f"<bnode>{escape(t['value'])}</bnode>")
            else:
                attrs = ""
                if "xml:lang" in t:
                    attrs = f" xml:lang={quoteattr(t['xml:lang'])}"
                elif "datatype" in t:
                    attrs = f" datatype={quoteattr(t['datatype'])}"
                out.write(f"<literal{attrs}>{escape(t['value'])}</literal>")
            out.write("</binding>")
        out.write("</result>\n")
    out.write("</results>\n</sparql>\n")
    return xml_safe(out.getvalue()).encode("utf-8")


def _csv(variables, rows) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(variables)
    for row in rows:
        writer.writerow(
            [
                "" if t is None else ("_:" + t["value"] if t["type"] == "bnode" else t["value"])
                for t in row
            ]
        )
    return out.getvalue().encode("utf-8")


def _tsv_term(t) -> str:
    if t is None:
        return ""
    if t["type"] == "uri":
        return f"<{t['value']}>"
    if t["type"] == "bnode":
        return f"_:{t['value']}"
    value = (
        t["value"]
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    if "xml:lang" in t:
        return f'"{value}"@{t["xml:lang"]}'
    if "datatype" in t:
        return f'"{value}"^^<{t["datatype"]}>'
    return f'"{value}"'


def _tsv(variables, rows) -> bytes:
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


if __name__ == "__main__":
    main()
