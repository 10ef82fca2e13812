"""A new register is three files: its entry in ontology/registers.ttl, its class in
ontology/ldr.ttl and its shape in shapes/registry-shapes.ttl. Everything else (menus, listings,
search, the API's routes, the catalogue) follows from them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

import registry
from registry.rdf.namespaces import REGISTERS, RegistersError, _read_registers

NEEDS = """
<id/needs> a reg:Register ;
    sh:order 2.5 ;
    rdfs:label "Needs"@en ;
    dcterms:description "Problems councils are about to solve, and who shares them."@en ;
    reg:containedItemClass ldr:Need .
"""
NEED_CLASS = """
ldr:Need a owl:Class ;
    rdfs:label "Need"@en ;
    skos:definition "A problem a council is about to solve."@en ;
    rdfs:isDefinedBy <https://w3id.org/local-digital-registry/def/ldr> .
"""
NEED_SHAPE = """
s:Need a sh:NodeShape ;
    rdfs:label "Need"@en ;
    sh:targetClass ldr:Need ;
    sh:property s:descriptionRecommended .
"""
A_NEED = """@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix ldr: <https://w3id.org/local-digital-registry/def/ldr#> .
<id/needs/bin-reminders> a ldr:Need ;
  dcterms:title "Bin collection reminders"@en ;
  dcterms:description "Residents want a reminder the night before their bins are collected."@en ;
  dcterms:source <https://www.example.org/needs/bins> .
"""


def test_the_registers_are_those_registers_ttl_declares_in_their_order(tmp_path, monkeypatch):
    assert REGISTERS[:2] == ("organisations", "exemplars") and "guides" in REGISTERS
    (tmp_path / "ontology").mkdir()
    text = (registry.ROOT / "ontology" / "registers.ttl").read_text(encoding="utf-8")
    (tmp_path / "ontology" / "registers.ttl").write_text(text + NEEDS, encoding="utf-8")
    monkeypatch.setattr(registry, "ROOT", tmp_path)
    assert _read_registers() == (*REGISTERS[:2], "needs", *REGISTERS[2:])
    (tmp_path / "ontology" / "registers.ttl").write_text(
        text + NEEDS.replace("sh:order 2.5 ;", ""), encoding="utf-8"
    )
    with pytest.raises(RegistersError, match=r"registers.ttl.*<id/needs>.*sh:order"):
        _read_registers()
    for broken, said in (
        (NEEDS.replace("<id/needs>", "<id/Needs_X>"), "lower-case letters"),
        (NEEDS.replace("<id/needs>", "<https://example.org/x>"), "<id/NAME>"),
        (NEEDS.replace("reg:containedItemClass ldr:Need .", "."), "reg:containedItemClass"),
        (NEEDS.replace("sh:order 2.5", 'sh:order "second"'), "sh:order"),
        (NEEDS + "<id/oops> a reg:Register ;", "not valid Turtle"),
    ):
        (tmp_path / "ontology" / "registers.ttl").write_text(text + broken, encoding="utf-8")
        with pytest.raises(RegistersError, match=said):
            _read_registers()


HTTP = """
import json, sys
from api import create_app
app = create_app()
client = app.test_client()
token = sys.argv[1]
answers = {
    "home": client.get("/").get_data(as_text=True),
    "posted": client.post("/needs", data=sys.stdin.read().encode(), headers={
        "Authorization": "Bearer " + token, "Content-Type": "text/turtle"}).get_data(as_text=True),
    "listing": client.get("/needs").get_data(as_text=True),
    "page": client.get("/doc/needs/bin-reminders", headers={"Accept": "text/html"}).status_code,
    "search": client.get("/search?q=bin+reminders").get_data(as_text=True),
    "catalogue": client.get("/catalogue", headers={"Accept": "text/turtle"}).get_data(as_text=True),
    "openapi": client.get("/openapi.json").get_data(as_text=True),
    "sparql": client.get("/sparql", query_string={"query":
        "SELECT ?r WHERE { ?r a <http://purl.org/linked-data/registry#Register> }"},
        headers={"Accept": "text/csv"}).get_data(as_text=True),
}
app.extensions["ldr.registry"].close()
print(json.dumps(answers))
"""


def test_a_register_added_in_three_files_is_served(tmp_path):
    """A register of needs added in the three files to a copy of the project whose store was
    made before: served at once, its vocabulary published again as the server starts."""
    copy = tmp_path / "project"
    for part in ("registry", "api", "ontology", "shapes", "data"):
        shutil.copytree(registry.ROOT / part, copy / part)
    env = {
        **os.environ,
        "PYTHONPATH": str(copy),
        "LDR_STORE_DIR": str(tmp_path / "store"),
        "LDR_CONFIG": "",
        "LDR_ALLOCATOR": "system",
    }
    ldr = [sys.executable, "-c", "from registry.cli.launch import main; main()"]

    def run(*args, stdin: str | None = None) -> str:
        done = subprocess.run(
            [*args], cwd=copy, env=env, input=stdin, capture_output=True, text=True, timeout=600
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    assert "Loaded" in run(*ldr, "init")
    for relative, addition in (
        ("ontology/registers.ttl", NEEDS),
        ("ontology/ldr.ttl", NEED_CLASS),
        ("shapes/registry-shapes.ttl", NEED_SHAPE),
    ):
        path = copy / relative
        text = path.read_text(encoding="utf-8")
        if relative.startswith("shapes"):  # every record meets the shapes of all records
            text = text.replace(
                "dcat:DataService, ldr:HarvestSource ;",
                "dcat:DataService, ldr:HarvestSource, ldr:Need ;",
            )
        path.write_text(text + addition, encoding="utf-8")
    token = run(*ldr, "token", "create", "--org", "leeds-city-council", "--role", "publisher")
    answers = json.loads(
        run(sys.executable, "-c", HTTP, token.strip().splitlines()[-1], stdin=A_NEED)
    )
    assert 'href="/needs">Needs<' in answers["home"]
    assert '"status":"submitted"' in answers["posted"].replace(" ", ""), answers["posted"]
    assert "Bin collection reminders" in answers["listing"]
    assert answers["page"] == 200
    assert "Bin collection reminders" in answers["search"]
    assert "/id/needs>" in answers["catalogue"]
    assert '"needs"' in answers["openapi"]
    assert "/id/needs" in answers["sparql"]
