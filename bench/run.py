"""The whole benchmark suite in one command; writes docs/benchmarks.md.

    make bench                                  # = python bench/run.py
    python bench/run.py --scales 100k,1m --duration 5

For each scale it generates registry-like data (bench/generate.py), bulk-loads it with
`ldr restore` and with `oxigraph load`, serves it with `ldr serve` (granian), with
`oxigraph serve-read-only` (the engine's own server: the limit) and — where it fits in memory
— with rdflib-endpoint (the peer), and drives each with wrk on 127.0.0.1 for a fixed time.
Everything runs side by side in one run, so the ratios are what to read: this is a shared,
noisy 2-core machine. Before the scales it times harvesting the UK API catalogue from a server
on 127.0.0.1 against `ldr load` of the same records (bench/harvest.py).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from registry.rdf import namespaces  # noqa: E402 - the vocabulary's namespace, for the queries below

BIN = Path(sys.executable).parent
WORK = ROOT / "var" / "bench"
BASE = "http://127.0.0.1:8000"
#: triples per scale; 5m is sized to hold just over 100,000 records, the search target's scale
SCALES = {"100k": 100_000, "1m": 1_000_000, "5m": 5_200_000, "10m": 10_000_000}
PEER_LIMIT = 1_000_000  # rdflib-endpoint holds everything in Python objects: beyond this it takes minutes to start
LDR = f"<{namespaces.LDR}>"
QUERIES = {
    "item lookup": "SELECT ?p ?o WHERE { <%s/id/exemplars/exemplar-7> ?p ?o }" % BASE,
    "list page (ORDER BY, OFFSET)": "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX ldr: %s "
    "SELECT ?s ?title WHERE { ?s a ldr:Exemplar ; dcterms:title ?title } ORDER BY ?title LIMIT 20 OFFSET 100"
    % LDR,
    "GROUP BY counts": "PREFIX ldr: %s SELECT ?area (COUNT(?s) AS ?n) WHERE { ?s ldr:serviceArea ?area } "
    "GROUP BY ?area ORDER BY DESC(?n)" % LDR,
    "two-hop join": "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX ldr: %s SELECT ?title ?council WHERE { "
    "?s ldr:leadOrganisation ?o . ?o ldr:region <%s> ; dcterms:title ?council . "
    "?s dcterms:title ?title } LIMIT 100" % (LDR, namespaces.vocabulary_iri("region/london")),
    "text filter": "PREFIX dcterms: <http://purl.org/dc/terms/> SELECT ?s ?t WHERE { ?s dcterms:title ?t "
    'FILTER(CONTAINS(LCASE(STR(?t)), "housing repairs with mobile app")) } LIMIT 50',
    "OPTIONAL-heavy listing": "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX ldr: %s "
    "SELECT ?s ?title ?phase ?area ?lead ?outcome ?platform WHERE { ?s a ldr:Exemplar ; dcterms:title ?title "
    "OPTIONAL { ?s ldr:phase ?phase } OPTIONAL { ?s ldr:serviceArea ?area } "
    "OPTIONAL { ?s ldr:leadOrganisation ?lead } OPTIONAL { ?s ldr:outcome ?outcome } "
    "OPTIONAL { ?s ldr:usesPlatform ?platform } } LIMIT 200" % LDR,
}
PAGES = {
    "item page, HTML": ("/doc/exemplars/exemplar-7", "text/html"),
    "item page, Turtle": ("/doc/exemplars/exemplar-7.ttl", "text/turtle"),
    "list page, HTML": ("/exemplars", "text/html"),
    "list page, JSON": ("/exemplars.json", "application/json"),
    "list page with two facets, HTML": ("/exemplars?service_area=housing&phase=live", "text/html"),
    "search, HTML": ("/search?q=housing+repairs", "text/html"),
    "search, JSON": ("/search.json?q=housing+repairs", "application/json"),
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 600) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} stopped: exit {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def family(*pids: int) -> list[int]:
    """Processes and all their descendants (servers and their workers), from one walk of /proc."""
    children = _children()
    return [member for pid in pids for member in _descendants(children, pid)]


def _children() -> dict[int, list[int]]:
    """Every process's children, from one walk of /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    return children


def _descendants(children: dict[int, list[int]], pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants, in MiB."""
    return resident_mb({"": pid})[""]


def resident_mb(pids: dict[str, int]) -> dict[str, float]:
    """Resident memory of each named process with all its descendants, in MiB, from one walk of
    /proc."""
    children = _children()
    total = {}
    for name, pid in pids.items():
        kib = 0
        for member in _descendants(children, pid):
            try:
                for line in Path(f"/proc/{member}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        kib += int(line.split()[1])
            except OSError:
                pass
        total[name] = kib / 1024
    return total


class PeakMemory:
    """The most resident memory each server (with its workers) held under the SPARQL queries,
    sampled every `every` seconds in a thread: where one reading after the queries gives a
    moment (the registry's query processes grow and shrink with each query). Only while wrk
    measures: each walk of /proc holds this process's interpreter lock for a few milliseconds,
    which the bench's own timing of pages and submissions would count."""

    def __init__(self, pids: dict[str, int], every: float = 1.0):
        self.pids, self.every = pids, every
        self.peak = {name: 0.0 for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            stopping = (
                self._stop.is_set()
            )  # a last sample once told to stop: the peak includes the end
            for name, mb in resident_mb(self.pids).items():
                self.peak[name] = max(self.peak[name], mb)
            if stopping:
                return
            self._stop.wait(self.every)

    def start(self) -> PeakMemory:
        self._thread.start()
        return self

    def stop(self) -> dict[str, int]:
        """The peaks, in MiB."""
        self._stop.set()
        self._thread.join()
        return {name: round(mb) for name, mb in self.peak.items()}


def cpu_seconds(pids: list[int]) -> float:
    """CPU time used so far by the processes and their descendants."""
    total = 0
    for member in family(*pids):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def settle(pids: list[int], longest: float = 60.0) -> float:
    """Wait until the servers are idle (under a twentieth of a core for half a second), at most
    `longest` seconds: a query wrk gave up on goes on running in its server, and the next
    measurement would share the machine with it. The seconds waited."""
    started = time.monotonic()
    used = cpu_seconds(pids)
    while time.monotonic() - started < longest:
        time.sleep(0.5)
        before, used = used, cpu_seconds(pids)
        if used - before < 0.025:
            break
    return time.monotonic() - started


class Service:
    def __init__(
        self, name: str, command: list[str], url: str, probe: str, env: dict | None = None
    ):
        self.name, self.url = name, url
        self.log = open(WORK / f"{name}.log", "ab")
        self.process = subprocess.Popen(
            command, env={**os.environ, **(env or {})}, stdout=self.log, stderr=subprocess.STDOUT
        )
        wait_for(url + probe, self.process)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def wrk(url: str, accept: str, duration: int, connections: int = 4, settled=None) -> dict:
    """Successful (2xx) responses a second and latency percentiles from wrk (one thread: the
    machine has two cores), after a second of the same load unmeasured, so every service is
    measured warm (caches filled) rather than straight after the previous, heavier measurement.
    `settled` is called between the two: the queries wrk gave up on at the end of the first
    second still hold the registry's query slots, and a measurement started at once had its
    first queries refused ("busy", 503), which wrk counts as requests."""
    subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            "-d1s",
            "--timeout",
            "30s",
            "-H",
            f"Accept: {accept}",
            url,
        ],
        capture_output=True,
        check=True,
    )
    if settled:
        settled()
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--latency",
            "--timeout",
            "30s",
            "-H",
            f"Accept: {accept}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return wrk_figures(out)


def wrk_figures(out: str) -> dict:
    """What wrk printed, as figures: only answers (2xx) count towards the requests a second."""
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result = {"errors": int(errors.group(1)) if errors else 0}
    done, taken, unit = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out).groups()
    seconds = float(taken) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[unit]
    result["rps"] = round((int(done) - result["errors"]) / seconds, 2)
    for pct in ("50", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out).groups()
        result[f"p{pct}_ms"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return result


def median_of(runs: list[dict]) -> dict:
    """wrk's figures over several rounds: the median of each, every round's requests per second,
    and every error."""
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "rounds_rps": [r["rps"] for r in runs],
    }


def timed(command: list[str], env: dict | None = None) -> float:
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True, env={**os.environ, **(env or {})})
    return time.monotonic() - started


def count_rows(url: str) -> int:
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return len(json.loads(response.read())["results"]["bindings"])


def peer_python() -> Path | None:
    """rdflib-endpoint in its own virtual environment (it brings FastAPI and uvicorn)."""
    venv = WORK / "peer-venv"
    if not (venv / "bin" / "rdflib-endpoint").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        done = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "rdflib-endpoint[cli]"])
        if done.returncode:
            return None
    return venv / "bin" / "rdflib-endpoint"


def _made_by() -> str:
    """A digest of what a generated dump is made from: the generator, and the vocabulary and
    shapes it writes into the dump (a dump kept from before a vocabulary change lacked its terms)."""
    digest = hashlib.sha256()
    for path in [
        ROOT / "bench" / "generate.py",
        *sorted((ROOT / "ontology").glob("*.ttl")),
        *sorted((ROOT / "shapes").glob("*.ttl")),
    ]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:8]


def bench_scale(label: str, triples: int, duration: int, repeats: int, rounds: int) -> dict:
    # No rate limit: wrk is one client sending thousands of queries a second on purpose.
    env = {"LDR_BASE": BASE, "LDR_RATE_LIMIT": "0"}  # otherwise the defaults
    scale_dir = WORK / label
    dump = (
        WORK / f"registry-{label}-{_made_by()}.nq"
    )  # remade when the generator or the vocabulary changes
    if not dump.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "bench" / "generate.py"),
                "--triples",
                str(triples),
                "-o",
                str(dump),
            ],
            check=True,
        )
    quads = sum(1 for _ in dump.open("rb"))
    result: dict = {"label": label, "quads": quads, "records": None}

    # a. bulk load: `ldr restore` (bulk load + index) against `oxigraph load`, same file
    ours, theirs, ours_load_only = [], [], []
    for _ in range(repeats):
        shutil.rmtree(scale_dir, ignore_errors=True)
        scale_dir.mkdir(parents=True)
        started = time.monotonic()
        out = subprocess.run(
            [str(BIN / "ldr"), "restore", str(dump), "--store", str(scale_dir / "ldr")],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **env},
        ).stdout
        ours.append(time.monotonic() - started)
        ours_load_only.append(float(re.search(r"in ([\d.]+) s and indexed", out).group(1)))
        result["records"] = int(
            re.search(r"indexed ([\d,]+) records", out).group(1).replace(",", "")
        )
        theirs.append(
            timed(
                [
                    str(BIN / "oxigraph"),
                    "load",
                    "--location",
                    str(scale_dir / "oxigraph"),
                    "--file",
                    str(dump),
                ]
            )
        )
    result["load"] = {
        "ldr_restore_s": statistics.median(ours),
        "ldr_bulk_load_only_s": statistics.median(ours_load_only),
        "oxigraph_load_s": statistics.median(theirs),
        "runs": repeats,
    }

    # Both stores compacted before they are queried (untimed). A store fresh from a bulk load is many
    # small files: `oxigraph serve-read-only` never compacts it (its own help says to optimize a
    # read-only endpoint under load), while `ldr serve` opens its store read-write and RocksDB
    # compacts it in the background during the first measurements. Measured at 5M: the two-hop
    # join 3.2 ms on the loaded store, 0.9 ms compacted; the text filter 163 and 63 ms.
    for store in ("oxigraph", "ldr"):
        subprocess.run(
            [str(BIN / "oxigraph"), "optimize", "--location", str(scale_dir / store)],
            check=True,
            capture_output=True,
        )
    councils, token = _publisher(scale_dir / "ldr", env)
    services = {}
    try:
        port = free_port()
        services["ldr"] = Service(
            "ldr",
            [str(BIN / "ldr"), "serve", "--port", str(port), "--store", str(scale_dir / "ldr")],
            f"http://127.0.0.1:{port}",
            "/health",
            env,
        )
        port = free_port()
        # Not given the registry's time limit: with --timeout-s it starts a thread per query that lives
        # as long as the limit, and under wrk's lookups it ran out of threads and crashed (tried at 5M).
        services["oxigraph"] = Service(
            "oxigraph",
            [
                str(BIN / "oxigraph"),
                "serve-read-only",
                "--location",
                str(scale_dir / "oxigraph"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            f"http://127.0.0.1:{port}",
            "/query?query=ASK%7B%7D",
        )
        peer = peer_python() if quads <= PEER_LIMIT * 1.2 else None
        if peer:
            port = free_port()
            services["rdflib-endpoint"] = Service(
                "rdflib-endpoint",
                [str(peer), "serve", str(dump), "--host", "127.0.0.1", "--port", str(port)],
                f"http://127.0.0.1:{port}",
                "/?query=ASK%7B%7D",
            )
        endpoints = {"ldr": "/sparql", "oxigraph": "/query", "rdflib-endpoint": "/"}
        # b. the SPARQL endpoint under load, six query types, side by side
        result["sparql"] = {}
        pids = [service.process.pid for service in services.values()]
        peak = PeakMemory({name: service.process.pid for name, service in services.items()}).start()
        for name, query in QUERIES.items():
            urls = {
                service_name: service.url
                + endpoints[service_name]
                + "?query="
                + urllib.parse.quote(query)
                for service_name, service in services.items()
            }
            settle(pids)
            rows = {service_name: count_rows(url) for service_name, url in urls.items()}
            runs: dict[str, list[dict]] = {service_name: [] for service_name in services}
            # alternating rounds, so that a slow minute of the shared host falls on every server
            for _ in range(rounds):
                for service_name, url in urls.items():
                    settle(pids)
                    runs[service_name].append(
                        wrk(
                            url,
                            "application/sparql-results+json",
                            duration,
                            settled=lambda: settle(pids),
                        )
                    )
            result["sparql"][name] = {
                service_name: {**median_of(runs[service_name]), "rows": rows[service_name]}
                for service_name in services
            }
        # The other servers stop first: a query wrk gave up on is not abandoned by the engine's
        # server (at 10M an ORDER BY over every title runs on for many seconds), and pages measured
        # beside it measured that instead (found at 10M: item pages 4 ms alone, 20 ms beside it).
        # f. memory of each server: the most it held under the queries, and after them (the
        # registry's again at the end)
        result["memory_peak_mb"] = peak.stop()
        result["memory_mb"] = {
            name: round(rss_mb(service.process.pid)) for name, service in services.items()
        }
        for name in [n for n in services if n != "ldr"]:
            services.pop(name).stop()
        # c, e. pages, search and faceted listing
        # latency as one person sees it: one connection, no queue behind other requests
        settle([services["ldr"].process.pid])
        result["pages"] = {
            name: wrk(
                services["ldr"].url + path,
                accept,
                duration,
                connections=1,
                settled=lambda: settle([services["ldr"].process.pid]),
            )
            for name, (path, accept) in PAGES.items()
        }
        # d. submissions (validate and write), one at a time
        result["submission"] = submissions(services["ldr"], councils, token)
        # f. memory after all of that
        result["memory_mb"]["ldr"] = round(rss_mb(services["ldr"].process.pid))
    finally:
        for service in services.values():
            service.stop()
        # a measured scale's stores go (the dump stays): at 10M the page cache is needed for the
        # scale being measured, not for the ones before it
        shutil.rmtree(scale_dir, ignore_errors=True)
    return result


def _publisher(store: Path, env: dict) -> tuple[list[str], str]:
    """Councils from the generated data, and a publisher's token for the first (made before
    serving: an embedded store is opened by one process at a time)."""
    sys.path.insert(0, str(ROOT))
    from registry.store import EmbeddedStore

    st = EmbeddedStore(store)
    try:
        councils = [
            str(row["s"])
            for row in st.select(
                f"SELECT ?s WHERE {{ ?s a <{namespaces.LDR.LocalAuthority}> }} LIMIT 50"
            )
        ]
    finally:
        st.close()
    created = subprocess.run(
        [
            str(BIN / "ldr"),
            "token",
            "create",
            "--org",
            councils[0].rsplit("/", 1)[1],
            "--role",
            "publisher",
            "--store",
            str(store),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        check=True,
    )
    return councils, created.stdout.strip().splitlines()[-1]


def submissions(service: Service, councils: list[str], token: str, count: int = 200) -> dict:
    """Submissions through POST /exemplars with a publisher's token for councils[0]: validate and
    write, one at a time. 200 of them, so that the p99 is not simply the slowest one (it was,
    with 60). Each is a new exemplar written by the data generator (its own service, tool,
    problem and outcome; numbered past the generated records), so the similar-record check meets
    text like the store's, as it would an officer's."""
    from bench.generate import Generator

    generator = Generator(BASE, seed=1)
    generator.councils = list(councils)
    generator.refs.update(
        platforms=[f"platform-{n}" for n in range(5)], standards=[f"standard-{n}" for n in range(5)]
    )
    bodies = [
        generator.submission(100_000_000 + n, councils[0], f"bench-submission-{os.getpid()}")[1]
        for n in range(count)
    ]
    times, statuses = [], []
    for body in bodies:
        request = urllib.request.Request(
            service.url + "/exemplars",
            data=body,
            method="POST",
            headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {token}"},
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                statuses.append(response.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)
        times.append((time.monotonic() - started) * 1000)
    times.sort()
    return {
        "count": count,
        "p50_ms": statistics.median(times),
        "p99_ms": times[min(len(times) - 1, int(len(times) * 0.99))],
        "max_ms": times[-1],
        "created": statuses.count(201),
        "statuses": sorted(set(statuses)),
    }


def versions() -> dict:
    def first_line(command):
        try:
            done = subprocess.run(command, capture_output=True, text=True)
            return (done.stdout or done.stderr).strip().splitlines()[0]
        except (OSError, IndexError):
            return "not installed"

    import pyoxigraph

    peer = WORK / "peer-venv" / "bin" / "python"
    return {
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "oxigraph server": first_line([str(BIN / "oxigraph"), "--version"]),
        "rdflib-endpoint": first_line(
            [
                str(peer),
                "-c",
                "from importlib.metadata import version; "
                "print(version('rdflib-endpoint'), 'with rdflib', version('rdflib'))",
            ]
        ),
        "wrk": first_line(["wrk", "--version"]),
        "kernel": platform.release(),
        "allocator (ldr)": _allocator(),
    }


def _allocator() -> str:
    """The library LDR_ALLOCATOR picks for the registry here, and its Debian package's version."""
    from registry.runtime.allocator import allocator_library

    library = allocator_library(os.environ.get("LDR_ALLOCATOR", "auto"))
    if not library:
        return "the C library's malloc"
    found = subprocess.run(
        ["dpkg-query", "-S", library], capture_output=True, text=True
    ).stdout.split(":")[0]
    package = (
        subprocess.run(
            ["dpkg-query", "-W", "-f", "${Package} ${Version}", found],
            capture_output=True,
            text=True,
        ).stdout
        if found
        else ""
    )
    return f"{Path(library).name}" + (f" (Debian {package})" if package else "")


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gib": round(memory / 1024 / 1024, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scales", default="100k,1m,5m,10m", help="comma-separated: " + ", ".join(SCALES)
    )
    parser.add_argument("--duration", type=int, default=3, help="seconds of load per measurement")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="alternating rounds of each SPARQL measurement, of which the median is reported",
    )
    parser.add_argument(
        "--repeats", type=int, default=3, help="bulk loads per scale (one at 5m and 10m)"
    )
    parser.add_argument(
        "--harvest-rounds",
        type=int,
        default=5,
        help="rounds of harvesting the UK API catalogue against `ldr load` (bench/harvest.py); "
        "0 reports the figures of the last run that measured it (docs/benchmarks-harvest.json)",
    )
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--with-results",
        type=Path,
        metavar="JSON",
        help="results of an earlier run (benchmarks-results.json) to report beside this run's, "
        "for the scales this run does not measure again",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: sudo apt-get install wrk (make bench does this)")
    WORK.mkdir(parents=True, exist_ok=True)
    started = datetime.datetime.now(datetime.UTC)
    harvest_json = args.output.with_name("benchmarks-harvest.json")
    harvest = None
    if args.harvest_rounds:  # first: a few minutes, and any fault shows before the scales
        from bench.harvest import measure

        print("== harvesting the UK API catalogue", flush=True)
        try:
            harvest = measure(args.harvest_rounds)
        except FileNotFoundError as exc:  # the catalogue is kept in ../shared, not in the project
            print(f"the harvest is not measured: {exc}", flush=True)
        else:
            (WORK / "harvest.json").write_text(json.dumps(harvest, indent=2))
    if harvest is None and harvest_json.exists():
        harvest = json.loads(harvest_json.read_text())
    results = []
    for label in args.scales.split(","):
        print(f"== {label}", flush=True)
        results.append(
            bench_scale(
                label,
                SCALES[label],
                args.duration,
                1 if label in ("5m", "10m") else args.repeats,
                args.rounds,
            )
        )
        (WORK / "results.json").write_text(json.dumps(results, indent=2))
    if args.with_results:
        measured = {r["label"] for r in results}
        earlier = [
            r for r in json.loads(args.with_results.read_text()) if r["label"] not in measured
        ]
        results = sorted(earlier + results, key=lambda r: list(SCALES).index(r["label"]))
    from bench.report import write_report

    write_report(
        args.output,
        results,
        machine(),
        versions(),
        started,
        " ".join(sys.argv[1:]),
        args.duration,
        args.rounds,
        harvest,
    )
    args.output.with_name("benchmarks-results.json").write_text(
        json.dumps(results, indent=2) + "\n"
    )
    if harvest:
        harvest_json.write_text(json.dumps(harvest, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
