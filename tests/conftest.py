"""Fixtures: settings, the model read from ontology/ and shapes/, and real on-disk stores."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from registry.bulk import loader
from registry.runtime.settings import load_settings
from registry.store import EmbeddedStore
from registry.vocab.model import load_model

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
COUNCILS_CSV = SHARED / "data" / "councils" / "uk_local_authorities_current.csv"
BASE = "http://127.0.0.1:8000"
#: Which store the app-level tests run on: `embedded` (the default) or `sparql` — then each app is
#: put on a real oxigraph server over its private copy of the starter store (`make test` runs both).
TEST_STORE = os.environ.get("LDR_TEST_STORE", "embedded")

#: The developer's own registry (`make serve` keeps its store, index and accounts here): no test
#: may change anything in it. The browser tests' screenshots are the one thing written under it.
#: the folder the guard below watches: the checkout's var/, or (for the test of the guard itself,
#: which must not touch the real one while the other suite runs beside it) the folder this names
VAR = Path(os.environ.get("LDR_TESTS_GUARDED_VAR") or ROOT / "var")
ARTIFACTS = VAR / "test-artifacts"
#: Settings that say where a registry's data is: a developer's own values must not reach the
#: tests, and a command or app that falls back on the default store gets a scratch one instead.
WHERE_DATA_LIVES = (
    "LDR_CONFIG",
    "LDR_STORE",
    "LDR_SPARQL_QUERY_URL",
    "LDR_SPARQL_UPDATE_URL",
    "LDR_SPARQL_GSP_URL",
    "LDR_ACCOUNTS_DB",
    "LDR_INDEX_DB",
    "LDR_SECRET_KEY",
)
for _name in WHERE_DATA_LIVES:
    os.environ.pop(_name, None)
_SCRATCH = tempfile.mkdtemp(prefix="ldr-tests-")
atexit.register(shutil.rmtree, _SCRATCH, True)
os.environ["LDR_STORE_DIR"] = str(Path(_SCRATCH) / "default-store")


def var_state() -> dict[str, tuple[int, int]]:
    """Every file under var/ (but the screenshots and the store engine's log) with its size and
    modification time."""
    state = {}
    for folder, dirs, names in os.walk(VAR):
        if Path(folder) == VAR and ARTIFACTS.name in dirs:
            dirs.remove(ARTIFACTS.name)
        for name in names:
            if name == "LOG" or name.startswith("LOG.old"):
                continue  # the store engine's own diary, which a running server writes to unasked
            path = Path(folder, name)
            try:
                info = path.stat()
            except OSError:
                continue
            state[str(path.relative_to(VAR.parent))] = (info.st_size, info.st_mtime_ns)
    return state


@pytest.fixture(scope="session")
def var_before():
    return var_state()


@pytest.fixture(autouse=True)
def var_untouched(var_before):
    """A test fails if anything under var/ changed while it ran (a registry served from this
    checkout would then list what the test wrote, or lose what it had)."""
    yield
    after = var_state()
    changed = sorted(p for p in set(var_before) | set(after) if var_before.get(p) != after.get(p))
    if changed:
        var_before.clear()
        var_before.update(after)  # blame the next change on the test that makes it
        pytest.fail(
            "this test changed the developer's registry under var/ (a test must work in its own "
            f"temporary store: pass --store or a tmp_path): {', '.join(changed[:10])}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def settings():
    return load_settings({"LDR_BASE": BASE}, environ={})


@pytest.fixture(scope="session")
def model():
    return load_model(BASE)


@pytest.fixture(scope="session")
def starter_store_dir(tmp_path_factory, model, settings):
    """One store built by `init` with the starter data; tests copy it rather than rebuild it."""
    path = tmp_path_factory.mktemp("starter") / "store"
    store = EmbeddedStore(path, create=True)
    outcome = loader.init_store(store, model, settings["LDR_MAX_INPUT_BYTES"])
    assert outcome.written, outcome.report.render()
    store.close()
    return path


@pytest.fixture(scope="session")
def starter_store(starter_store_dir, tmp_path_factory):
    """Read-only use: a copy of the initialised starter store, shared by the session. The original
    is never opened again once built: an open store writes its files now and then (RocksDB's
    compactions), and a test copying it meanwhile got a store that would not open ("Sst file size
    mismatch")."""
    path = tmp_path_factory.mktemp("starter-open") / "store"
    shutil.copytree(starter_store_dir, path)
    store = EmbeddedStore(path)
    yield store
    store.close()


@pytest.fixture
def store_dir(tmp_path, starter_store_dir):
    """A private copy of the starter store for a test that writes."""
    path = tmp_path / "store"
    shutil.copytree(starter_store_dir, path)
    return path


@pytest.fixture
def store(store_dir):
    st = EmbeddedStore(store_dir)
    yield st
    st.close()


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser is downloaded)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        "the browser tests need Debian's chromium (`make browser` installs it)"
    )
    assert AXE.exists(), "axe-core is installed by `make install` (npm ci)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield WatchedBrowser(browser)
        browser.close()


class WatchedBrowser:
    """The browser, with each new page keeping its console messages (page.console_messages), so
    tests can see what the Content-Security-Policy refused."""

    def __init__(self, browser):
        self._browser = browser

    def new_page(self, **options):
        return watched(self._browser.new_page(**options))

    def new_context(self, **options):
        return WatchedBrowser(self._browser.new_context(**options))

    def __getattr__(self, name):
        return getattr(self._browser, name)


def watched(page):
    page.console_messages = []
    page.on("console", lambda message: page.console_messages.append(message.text))
    return page


def require_councils_csv() -> Path:
    if not COUNCILS_CSV.exists():
        pytest.skip(
            f"the mySociety councils file is not at {COUNCILS_CSV} (../shared is not beside the project)"
        )
    return COUNCILS_CSV


def make_app(tmp_path_factory, starter_store_dir, name: str, **settings):
    """A Flask app over a private copy of the starter store; close it with close_app."""
    path = tmp_path_factory.mktemp(name) / "store"
    shutil.copytree(starter_store_dir, path)
    return app_over(path, **settings)


def store_settings(path: Path, owner: dict, preexec=None) -> dict:
    """Settings that put the registry on the store at `path`: that directory itself, or — with
    LDR_TEST_STORE=sparql — an oxigraph server started over it (kept in `owner` to stop later)."""
    if TEST_STORE != "sparql":
        return {"LDR_STORE_DIR": str(path)}
    from tests.oxigraph_server import OxigraphServer

    server = OxigraphServer(path, preexec=preexec)
    owner["test.oxigraph"] = server
    return {"LDR_STORE_DIR": str(path), **server.settings()}


def app_over(path: Path, **settings):
    """A Flask app over the store at `path` (see store_settings); close it with close_app."""
    from api import create_app

    owner: dict = {}
    app = create_app({"LDR_BASE": BASE, **store_settings(path, owner), **settings})
    app.extensions.update(owner)
    return app


def close_app(app) -> None:
    app.extensions["ldr.registry"].close()
    if "test.oxigraph" in app.extensions:
        app.extensions["test.oxigraph"].stop()


def pytest_collection_modifyitems(config, items):
    """With LDR_TEST_STORE=sparql (the second run of `make test`), the journeys walked in a real
    browser are left out, and counted as deselected: the pages they visit ask the store what the
    HTTP tests of the same pages ask it, and those run on the SPARQL server. Walking them twice
    took minutes of `make test` and could find only what the embedded run finds. So are the tests
    of the installable package (marked `package`), which build and serve it on a store of its own."""
    if TEST_STORE != "sparql":
        return
    journeys = [
        item
        for item in items
        if "browser" in getattr(item, "fixturenames", ()) or item.get_closest_marker("package")
    ]
    if journeys:
        left_out = set(journeys)
        items[:] = [item for item in items if item not in left_out]
        config.hook.pytest_deselected(items=journeys)
