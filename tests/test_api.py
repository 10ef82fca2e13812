"""The web app: /health, /id → /doc redirects and Turtle documents — through Flask's client
and through a real `ldr serve` process fetched with curl."""

from __future__ import annotations

import subprocess

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS

from tests.conftest import BASE, app_over, close_app
from tests.server import free_port, wait_until_answering
from tests.test_cli import LDR


@pytest.fixture
def client(store_dir):
    app = app_over(store_dir)
    yield app.test_client()
    close_app(app)


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_id_redirects_303_to_doc(client):
    response = client.get("/id/standards/uprn")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/doc/standards/uprn")


def test_doc_is_turtle_with_labels_of_linked_things(client):
    response = client.get("/doc/exemplars/bops")
    assert response.status_code == 200
    assert response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.data, format="turtle")
    bops = URIRef(f"{BASE}/id/exemplars/bops")
    assert str(graph.value(bops, DCTERMS.title)) == "Back-office Planning System (BOPS)"
    southwark = URIRef(f"{BASE}/id/organisations/london-borough-of-southwark")
    assert str(graph.value(southwark, DCTERMS.title)) == "London Borough of Southwark"


def test_unknown_item_and_register_get_problem_json(client):
    missing = client.get("/doc/standards/no-such-standard")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
    assert "no-such-standard" in missing.json["detail"]
    register = client.get("/doc/widgets/x")
    assert register.status_code == 404 and "organisations" in register.json["detail"]


def test_ldr_serve_answers_curl(store_dir):
    port = free_port()
    server = subprocess.Popen(
        [LDR, "serve", "--port", str(port), "--store", str(store_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_answering(port)  # not ten tries: a loaded machine starts it slowly
        health = subprocess.run(
            ["curl", "-sf", f"http://127.0.0.1:{port}/health"], capture_output=True, text=True
        )
        assert health.returncode == 0 and '"ok"' in health.stdout
        doc = subprocess.run(
            ["curl", "-sfL", f"http://127.0.0.1:{port}/id/platforms/govuk-notify"],
            capture_output=True,
            text=True,
        )
        assert doc.returncode == 0
        graph = Graph().parse(data=doc.stdout, format="turtle")
        assert (
            str(graph.value(URIRef(f"{BASE}/id/platforms/govuk-notify"), DCTERMS.title))
            == "GOV.UK Notify"
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
