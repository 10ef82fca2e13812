"""The benchmark data is registry data: valid against the shapes, and a dump `ldr restore` loads
into a store the registry serves."""

from __future__ import annotations

import datetime
import re
import subprocess
import sys

import pytest

from bench.generate import Generator, sample, write_dump
from registry.rdf.namespaces import VOCABULARY
from registry.records.validation import validate_graph
from registry.store import EmbeddedStore
from tests.conftest import BASE, ROOT, app_over, close_app
from tests.test_cli import run


def test_generated_records_conform_to_the_shapes(model):
    records, report = validate_graph(sample(7, BASE, 150), model)
    assert len(records) >= 150
    assert report.conforms, report.render()
    registers = {str(iri).split("/id/")[1].split("/")[0] for iri in records}
    assert registers == {
        "organisations",
        "standards",
        "platforms",
        "exemplars",
        "agreements",
        "products",
    }


def test_a_generated_dump_restores_into_a_store_the_registry_serves(tmp_path):
    dump = tmp_path / "bench.nq"
    made = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "generate.py"),
            "--triples",
            "20000",
            "-o",
            str(dump),
        ],
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    restored = run("restore", str(dump), store=tmp_path / "store")
    assert restored.returncode == 0, restored.stderr
    # the bench's submissions: new exemplars from the generator, by a publisher of a generated council
    st = EmbeddedStore(tmp_path / "store")
    try:
        councils = [
            str(r["s"])
            for r in st.select(
                f"SELECT ?s WHERE {{ ?s a <{VOCABULARY}ldr#LocalAuthority> }} LIMIT 5"
            )
        ]
    finally:
        st.close()
    created = run(
        "token",
        "create",
        "--org",
        councils[0].rsplit("/", 1)[1],
        "--role",
        "publisher",
        store=tmp_path / "store",
    )
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip().splitlines()[-1]
    generator = Generator(BASE, 1)
    generator.councils = councils
    generator.refs.update(platforms=["platform-0"], standards=["standard-0"])
    submitted = [
        generator.submission(100_000_000 + n, councils[0], "bench-submission") for n in range(3)
    ]
    app = app_over(tmp_path / "store")
    try:
        client = app.test_client()
        assert client.get("/doc/exemplars/exemplar-3.html").status_code == 200
        assert client.get("/doc/exemplars/exemplar-3/versions").json["versions"][0]["version"] == 1
        listing = client.get("/exemplars.json").json
        assert listing["total"] > 100
        titles = set()
        for iri, body in submitted:
            answer = client.post(
                "/exemplars",
                data=body,
                content_type="text/turtle",
                headers={"Authorization": f"Bearer {token}"},
            )
            assert answer.status_code == 201, answer.get_data(as_text=True)
            record = client.get(iri.replace("/id/", "/doc/") + ".jsonld").json
            assert record["leadOrganisation"]["id"] == councils[0]
            assert record["status"]["id"] == "reg:statusSubmitted"
            titles.add(record["title"])
        assert len(titles) == 3  # not copies of one text
    finally:
        close_app(app)


def test_the_same_seed_makes_the_same_data(tmp_path):
    import io

    first, second = io.StringIO(), io.StringIO()
    write_dump(first, Generator(BASE, 3), 60)
    write_dump(second, Generator(BASE, 3), 60)

    def lines(text: str) -> list[str]:  # blank node labels are fresh each run
        return sorted(re.sub(r"_:\w+", "_:b", line) for line in text.splitlines())

    assert lines(first.getvalue()) == lines(second.getvalue())


def test_the_bench_waits_for_a_server_still_busy_with_abandoned_work_and_not_for_an_idle_one():
    from bench.run import settle

    busy_child = "import time\nend = time.monotonic() + 2\nwhile time.monotonic() < end: pass\n"
    # the work runs in a child of the process handed over, as a query runs in a worker of the server
    server = subprocess.Popen(["sh", "-c", f'{sys.executable} -c "{busy_child}"; exec sleep 30'])
    idle = subprocess.Popen(["sleep", "30"])
    try:
        assert (
            settle([server.pid]) >= 1.0
        )  # not back before the child's two seconds of work are mostly done
        # an idle server is not waited for: back long before `longest` however loaded the machine
        assert settle([server.pid, idle.pid], longest=60) < 30
    finally:
        for process in (server, idle):
            process.kill()
            process.wait()


WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:8301/sparql?query=...
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    61.17ms   24.67ms 107.61ms   72.87%
    Req/Sec    64.55     21.60   151.00     95.00%
  Latency Distribution
     50%   64.67ms
     75%   79.03ms
     90%   89.75ms
     99%  100.65ms
  129 requests in 2.00s, 663.72KB read
  Non-2xx or 3xx responses: 12
Requests/sec:     64.44
Transfer/sec:    331.53KB
"""


def test_the_bench_counts_only_answered_queries_towards_requests_a_second():
    """A query refused at once ("busy", 503) costs the server almost nothing, so wrk's own
    Requests/sec (which counts it) would flatter the registry: 117 answers in 2 s is 58.5 a second."""
    from bench.run import wrk_figures

    figures = wrk_figures(WRK_OUTPUT)
    assert figures == {"errors": 12, "rps": 58.5, "p50_ms": 64.67, "p99_ms": 100.65}
    answered = WRK_OUTPUT.replace("  Non-2xx or 3xx responses: 12\n", "")
    assert wrk_figures(answered)["rps"] == 64.5


def _scale_result(
    label: str, records: int, *, lookups: float, heavy: float, restore_s: float
) -> dict:
    """One scale's figures as bench/run.py records them, with the registry at the given ratios."""

    def pair(ratio: float, engine: float = 1000.0) -> dict:
        return {
            "ldr": {"rps": engine * ratio, "p50_ms": 1.0},
            "oxigraph": {"rps": engine, "p50_ms": 0.5},
        }

    from bench.report import HEAVY

    sparql = {
        "item lookup": {**pair(lookups, 20_000), "rdflib-endpoint": {"rps": 1000.0, "p50_ms": 3.0}}
    }
    sparql.update({q: pair(heavy) for q in HEAVY})
    sparql["list page (ORDER BY, OFFSET)"] = {
        "ldr": {"rps": 0.0},
        "oxigraph": {"rps": 0.0},
    }  # neither answered
    pages = {
        name: {"p50_ms": 5.0}
        for name in ("item page, HTML", "list page with two facets, HTML", "search, HTML")
    }
    return {
        "label": label,
        "quads": records * 50,
        "records": records,
        "sparql": sparql,
        "pages": pages,
        "load": {"ldr_restore_s": restore_s, "oxigraph_load_s": 1.0},
        "submission": {"p50_ms": 20.0, "p99_ms": 40.0, "created": 200, "count": 200},
    }


def test_a_target_set_at_no_scale_is_reported_where_the_run_measured_it_worst():
    """Lookups, heavy queries and the bulk load have no scale in the issue: a miss at 100k is not
    hidden behind the 1M figure, and a query neither server answered counts for nothing."""
    from bench.report import targets

    results = [
        _scale_result("100k", 2_000, lookups=0.3, heavy=0.5, restore_s=1.5),
        _scale_result("1m", 20_000, lookups=0.6, heavy=0.95, restore_s=0.9),
    ]
    rows = {
        target.split(" ≥")[0]: (figure, verdict) for target, figure, verdict in targets(results)
    }
    assert rows["Item lookups through /sparql"] == (
        "lowest: 6000 vs 20000 req/s = 0.30× (100k)",
        "**not reached**",
    )
    assert rows["Heavy queries"][0].startswith("lowest: GROUP BY counts, 0.50× (100k); 4 of 8 ")
    assert (
        rows["Bulk load"][0].endswith("100k 0.67×, 1m 1.11×")
        and rows["Bulk load"][1] == "**not reached**"
    )
    fixed = [_scale_result("100k", 2_000, lookups=0.6, heavy=0.95, restore_s=1.2), results[1]]
    rows = {target.split(" ≥")[0]: verdict for target, figure, verdict in targets(fixed)}
    assert (
        rows["Item lookups through /sparql"]
        == rows["Heavy queries"]
        == rows["Bulk load"]
        == "**reached**"
    )


def test_the_bench_reports_the_most_memory_a_server_held_though_it_gave_it_back():
    """A query process that needs 200 MiB for a moment and then frees it: one reading afterwards
    would miss it; the machine still had to have it. Each step waits for the event it is about
    (held, seen, freed, given back), not for the clock: under load the process starts late."""
    import subprocess
    import sys

    from bench.run import PeakMemory, rss_mb
    from tests.waiting import wait_for

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\nheld = bytearray(200 << 20)\nprint('held', flush=True)\n"
            "sys.stdin.readline()\ndel held\nprint('freed', flush=True)\nsys.stdin.readline()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        sampler = PeakMemory({"server": holder.pid}, every=0.2).start()
        assert holder.stdout.readline() == "held\n"
        wait_for(
            lambda: sampler.peak["server"] >= 200,
            within=60,
            what="the sampler seeing the 200 MiB held",
        )
        holder.stdin.write("free\n")
        holder.stdin.flush()
        assert holder.stdout.readline() == "freed\n"
        wait_for(
            lambda: rss_mb(holder.pid) < 100, within=60, what="the process giving the memory back"
        )
        peaks = sampler.stop()  # its last sample is taken now, after the memory was given back
        assert rss_mb(holder.pid) < 100
        assert peaks["server"] >= 200
    finally:
        holder.kill()
        holder.wait()


def _harvest_result(first: float, again: float, load: float) -> dict:
    """Figures as bench/harvest.py's `measure` gives them; the commands a second slower."""
    medians = {
        "command first": first + 1,
        "command again": again + 1,
        "command load": load + 1,
        "in-process first": first,
        "in-process again": again,
        "in-process load": load,
    }
    return {
        "measured": "2026-12-08 00:00",
        "machine": {"cpus": 2, "cpu": "a test", "memory_gib": 1.0},
        "rounds": 3,
        "records": 218,
        "medians_s": medians,
        "runs_s": {name: [seconds] * 3 for name, seconds in medians.items()},
        **{
            mode: {
                "load_over_harvest": medians[f"{mode} load"] / medians[f"{mode} first"],
                "first_over_again": medians[f"{mode} first"] / medians[f"{mode} again"],
            }
            for mode in ("command", "in-process")
        },
    }


def test_the_harvest_targets_are_judged_in_process_and_reported_with_both_figures(
    tmp_path, monkeypatch
):
    from bench import report
    from bench.harvest import targets

    met = [ok for _, _, ok in targets(_harvest_result(first=1.5, again=0.14, load=1.2))]
    assert met == [True, True, True]
    missed = targets(_harvest_result(first=1.5, again=0.3, load=0.6))
    assert [ok for _, _, ok in missed] == [False, True, False]
    assert missed[2][1] == "5.0× in-process (1.50 s ÷ 0.30 s); 1.9× as commands (2.50 s ÷ 1.30 s)"
    out = tmp_path / "benchmarks.md"
    result = _harvest_result(first=1.5, again=0.14, load=1.2)
    monkeypatch.setattr(report, "targets", lambda results: [])  # no scale measured here
    now = datetime.datetime.now(datetime.UTC)
    report.write_report(out, [], {"cpus": 2}, {}, now, "", 3, 3, result)
    text = out.read_text()
    assert "| A harvest re-run with nothing changed ≥ 10× faster than the first | 10.7×" in text
    assert "## Harvesting the UK API catalogue" in text and "on 2 cores (a test, 1.0 GiB)" in text
    assert "| in-process: `service.harvest`, `loader.load_files` | 1.50 s | 0.14 s |" in text


def test_the_harvest_bench_serves_the_three_files_on_127_0_0_1_only(tmp_path):
    import urllib.error
    import urllib.request

    from bench.harvest import FILES, CatalogueServer

    for name in (*FILES, "README.md"):
        (tmp_path / name).write_text(name)
    server = CatalogueServer(tmp_path)
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy in between
    try:
        assert server.httpd.server_address[0] == "127.0.0.1"
        with direct.open(server.url("organisation.csv")) as response:
            assert response.read() == b"organisation.csv"
        with pytest.raises(urllib.error.HTTPError) as refused:
            direct.open(server.url("README.md"))
        assert refused.value.code == 404
        assert server.requests == ["/organisation.csv", "/README.md"]
    finally:
        server.close()
