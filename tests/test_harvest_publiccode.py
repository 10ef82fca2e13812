"""The publiccode.yml mapping (registry/harvest/kinds/publiccode.py) on the real files in
../shared/ext/publiccode: every file is read without an exception; each file its provenance note
calls invalid is refused for the reasons the note gives (checked against the standard); each
valid file gives one record the shapes accept; hostile YAML is refused before it is built."""

from __future__ import annotations

import copy
import csv
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, XSD

from registry.bulk import loader
from registry.harvest.kinds import Context, Mapped, publiccode, reference_for
from registry.harvest.kinds.publiccode import read
from registry.rdf.namespaces import ADMS, LDR, SCHEMA, VCARD, VOCABULARY
from registry.records.validation import validate_graph
from registry.store import EmbeddedStore
from registry.vocab.model import load_model
from tests.conftest import BASE, SHARED

PUBLICCODE = SHARED / "ext" / "publiccode"
SAMPLES = PUBLICCODE / "samples"
STANDARD = PUBLICCODE / "standard" / "publiccodeyml__publiccode.yml"
MODEL = load_model(BASE)
SOURCE = URIRef(f"{BASE}/id/sources/leeds-publiccode")
LEEDS = URIRef(f"{BASE}/id/organisations/leeds-city-council")
MANCHESTER = URIRef(f"{BASE}/id/organisations/manchester-city-council")
ORGANISATIONS = {"leeds city council": str(LEEDS), "manchester city council": str(MANCHESTER)}

if not SAMPLES.exists():
    pytest.skip(
        f"the publiccode.yml samples are not at {SAMPLES} (../shared is not beside the project)",
        allow_module_level=True,
    )


@dataclass(frozen=True)
class Sample:
    path: Path
    repository: str
    address: str
    note: str

    @property
    def invalid(self) -> bool:
        return "invalid" in self.note

    @property
    def name(self) -> str:
        return self.path.name


def samples() -> list[Sample]:
    found = []
    for folder in (SAMPLES, SAMPLES / "extra-publiccode-yaml"):
        with open(folder / "PROVENANCE.tsv", encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                repository = row["repository"].removeprefix("https://github.com/")
                found.append(
                    Sample(
                        folder / row["file"],
                        repository,
                        # where a harvest would fetch it: the file at that commit
                        f"https://raw.githubusercontent.com/{repository}/{row['commit']}/"
                        f"{row['path']}",
                        row["note"],
                    )
                )
    return found


SAMPLE_LIST = samples()
VALID = [s for s in SAMPLE_LIST if not s.invalid]
INVALID = [s for s in SAMPLE_LIST if s.invalid]


def context(address: str = "https://raw.githubusercontent.com/example/app/main/publiccode.yml"):
    return Context(
        model=MODEL,
        source=SOURCE,
        address=address,
        owner=LEEDS,
        organisations=ORGANISATIONS,
    )


def read_sample(sample: Sample) -> Mapped:
    return read(sample.path.read_bytes(), context(sample.address))


def errors(mapped: Mapped) -> list:
    return [p for p in mapped.problems if p.severity == "error"]


def the_record(mapped: Mapped) -> tuple[URIRef, Graph]:
    assert not errors(mapped), errors(mapped)
    assert len(mapped.records) == 1, mapped.problems
    [(iri, graph)] = mapped.records.items()
    return URIRef(iri), graph


@pytest.fixture(scope="module")
def source_store(tmp_path_factory, starter_store_dir):
    """The starter store with the harvest source registered that the records name."""
    path = tmp_path_factory.mktemp("publiccode") / "store"
    shutil.copytree(starter_store_dir, path)
    store = EmbeddedStore(path)
    graph = Graph().parse(
        data=f"""
        @prefix dcterms: <http://purl.org/dc/terms/> .
        @prefix dcat: <http://www.w3.org/ns/dcat#> .
        @prefix ldr: <{LDR}> .
        <{SOURCE}> a ldr:HarvestSource ;
            dcterms:title "Leeds City Council's publiccode.yml files"@en ;
            dcterms:description "A harvest source made for these tests."@en ;
            ldr:harvestKind <{VOCABULARY}harvest-kind/publiccode> ;
            dcat:accessURL <https://example.org/publiccode.yml> ;
            ldr:schedule <{VOCABULARY}harvest-schedule/weekly> ;
            dcterms:license <https://creativecommons.org/publicdomain/zero/1.0/> ;
            dcterms:publisher <{LEEDS}> ;
            dcterms:source <https://example.org/publiccode.yml> .
        """,
        format="turtle",
    )
    loader.as_submitted(graph, MODEL, store)
    outcome = loader.submit_graph(graph, MODEL, store)
    assert outcome.written, outcome.report.render()
    yield store
    store.close()


def conforms(graph: Graph, store) -> None:
    """The record as the sync would submit it (a new record is checked as a submission)."""
    submitted = Graph()
    submitted += graph
    loader.as_submitted(submitted, MODEL, store)
    _, report = validate_graph(submitted, MODEL, store)
    assert report.conforms, report.render()


# --- the real files -----------------------------------------------------------------------------


def test_the_samples_are_all_here():
    assert len(SAMPLE_LIST) == 33
    assert len(INVALID) == 12  # 11 of the 32, and the publiccode.yaml


@pytest.mark.parametrize("sample", SAMPLE_LIST, ids=lambda s: s.name)
def test_every_real_file_is_read_without_an_exception(sample):
    mapped = read_sample(sample)
    assert len(mapped.records) == (0 if errors(mapped) else 1)
    for problem in mapped.problems:
        assert problem.severity in ("error", "warning")
        assert len(problem.message) > 30 and problem.message[-1] in ".?", problem


@pytest.mark.parametrize("sample", VALID, ids=lambda s: s.name)
def test_each_valid_file_gives_a_record_the_shapes_accept(sample, source_store):
    iri, graph = the_record(read_sample(sample))
    url = yaml.safe_load(sample.path.read_text(encoding="utf-8"))["url"]
    assert str(iri) == MODEL.base.item("software", reference_for(url))
    assert (iri, RDF.type, LDR.Software) in graph
    assert (iri, DCTERMS.publisher, LEEDS) in graph
    assert (iri, DCTERMS.source, URIRef(sample.address)) in graph
    assert (iri, PROV.wasDerivedFrom, URIRef(sample.address)) in graph
    assert (iri, LDR.harvestedFrom, SOURCE) in graph
    assert (iri, SCHEMA.codeRepository, URIRef(url)) in graph
    conforms(graph, source_store)


@pytest.mark.parametrize("sample", VALID, ids=lambda s: s.name)
def test_reading_the_same_bytes_again_gives_the_same_record(sample):
    first, again = read_sample(sample), read_sample(sample)
    assert list(first.records) == list(again.records)
    [iri] = first.records
    assert isomorphic(first.records[iri], again.records[iri])
    assert first.problems == again.problems


#: For each file its provenance note calls invalid: (field, words of the message[, severity]) for
#: each problem the note describes. An error unless it says "warning": what the standard does not
#: forbid outright (an unknown key is ignored; contractors with another maintenance type are
#: forbidden only from 0.5; an example address or another repository's url is odd, not invalid).
EXPECTED = {
    "Amsterdam__alletaal-lint.publiccode.yml": [
        ("maintenance/contractors", "maintenance/type is internal", "warning"),
        ("maintenance/contractors/until", "missing"),
        ("maintenance/contacts", "missing: when maintenance/type is internal"),
        ("categories", "'text-processing', which is not in the standard's list"),
        ("categories", "'natural-language-processing'"),
        ("categories", "'accessibility'"),
    ],
    "Catalogies__MyFirstComponent.publiccode.yml": [
        *(
            (key, f"{key} is missing")
            for key in (
                "platforms",
                "categories",
                "developmentStatus",
                "softwareType",
                "description",
                "legal",
                "maintenance",
                "localisation",
            )
        ),
        ("url", "an example address", "warning"),
    ],
    "ConductionNL__opencatalogi.publiccode.yml": [("softwareType", "softwareType is missing")],
    "Azienda-USL-di-Bologna__babel.publiccode.yml": [
        ("releaseDate", "must be a date written YYYY-MM-DD, such as 2024-03-20, but it is the "),
        ("it/countryExtensionVersion", "missing"),
    ],
    "CS78-open__CUPChain.publiccode.yml": [
        ("shortDescription", "belongs under description/[lang]/shortDescription", "warning"),
        ("longDescription", "belongs under description/[lang]/longDescription", "warning"),
        ("features", "belongs under description/[lang]/features", "warning"),
        ("description", "description is missing"),
        ("localization", "Did you mean localisation?", "warning"),
        ("localisation", "localisation is missing"),
        ("landingPage", "Did you mean landingURL?", "warning"),
        ("platforms", "platforms is missing"),
        ("softwareType", "'web', which is not one of the values the standard allows"),
        ("categories", "'sanita', which is not in the standard's list"),
        ("it/conformance", "Did you mean it/conforme?", "warning"),
    ],
    "Comune-Milano__Whistleblowing.publiccode.yml": [
        ("releaseDate", "version 0.3 of the standard, and 0.3 and earlier require it"),
    ],
    "Aitema-gmbh__terminvergabe.publiccode.yml": [
        (
            "publiccodeYmlVersion",
            'must be text: write it in quotes, publiccodeYmlVersion: "0.4"',
            "warning",
        ),
        ("maintenance/type", "'commercial', which is not one of the values the standard allows"),
        ("categories", "'government', which is not in the standard's list"),
    ],
    "berlinonline__ckanext-berlin_dataset_schema.publiccode.yml": [
        ("description/[lang]/features", "No language of description has features"),
        ("localisation/availableLanguages", "missing"),
    ],
    "AI-Riksarkivet__htrflow.publiccode.yml": [
        ("maintenance/contacts", "missing: when maintenance/type is internal"),
    ],
    "OpenRailAssociation__osrd.publiccode.yml": [
        ("maintenance", "maintenance is missing"),
        ("categories", "version 0.4 of the standard, and 0.4 and earlier require it"),
        ("description/[lang]/longDescription", "No language of description has a long"),
        ("description/[lang]/features", "No language of description has features"),
    ],
    "CARD-AI__BLKT-VMS-Validavimas.publiccode.yml": [
        ("legal/license", "'Apache License, Version 2.0', which is not a valid SPDX licence"),
        ("contacts", "belongs under maintenance/contacts", "warning"),
        ("maintenance/contacts", "missing: when maintenance/type is community"),
        ("categories", "categories is missing"),
        ("url", "begins or ends with a space: remove it"),
        ("url", "url names the repository github.com/vssa-atviraskodas-lt/lt_ai-ner", "warning"),
    ],
    "maykinmedia__open-inwoner.publiccode.yaml": [
        ("releaseDate", "but it is the text 't.b.d.'"),
        ("softwareType", "the standard replaced in 0.2"),
        ("categories", "categories is missing"),
        ("maintenance/contractors/until", "missing"),
    ],
}


def test_every_invalid_file_has_its_expectations():
    assert sorted(EXPECTED) == sorted(s.name for s in INVALID)


@pytest.mark.parametrize("sample", INVALID, ids=lambda s: s.name)
def test_each_invalid_file_is_refused_for_the_reasons_its_note_gives(sample):
    mapped = read_sample(sample)
    assert not mapped.records
    assert errors(mapped)
    for field, words, *severity in EXPECTED[sample.name]:
        found = [p for p in mapped.problems if p.field == field and words in p.message]
        assert found, f"no problem on {field} saying {words!r}: {mapped.problems}"
        assert found[0].severity == (severity or ["error"])[0], found[0]


def test_the_entry_named_in_each_problem_is_the_software():
    [sample] = [s for s in INVALID if s.name.startswith("Aitema")]
    assert {p.entry for p in read_sample(sample).problems} == {"aitema|Termin"}


# --- what each field becomes --------------------------------------------------------------------


def sample_named(prefix: str) -> Sample:
    [sample] = [s for s in SAMPLE_LIST if s.name.startswith(prefix)]
    return sample


def test_a_file_becomes_the_record_the_mapping_table_says():
    """Amsterdam's Signalen frontend, field by field (docs/harvest-publiccode.md)."""
    sample = sample_named("Amsterdam__signals-frontend")
    iri, g = the_record(read_sample(sample))
    assert str(iri) == f"{BASE}/id/software/github-com-amsterdam-signals-frontend"
    assert g.value(iri, DCTERMS.title) == Literal("Signalen frontend")
    description = g.value(iri, DCTERMS.description)
    assert description.language == "en" and str(description).startswith("Signalen is an ")
    assert (iri, DCAT.landingPage, URIRef("https://signalen.org/")) in g
    assert set(g.objects(iri, DCTERMS.license)) == {URIRef("http://spdx.org/licenses/MPL-2.0")}
    assert g.value(iri, ADMS.status) == URIRef(VOCABULARY + "software-status/stable")
    assert g.value(iri, LDR.maintenanceType) == URIRef(VOCABULARY + "maintenance-type/community")
    contacts = {
        (str(g.value(c, VCARD.fn)), str(g.value(c, VCARD.hasEmail)))
        for c in g.objects(iri, DCAT.contactPoint)
    }
    assert contacts == {
        ("Amy van Someren", "mailto:a.vansomeren@s-hertogenbosch.nl"),
        ("René van Sprang", "mailto:r.van.sprang@amsterdam.nl"),
    }
    assert g.value(iri, DCTERMS.modified) == Literal("2021-05-20", datatype=XSD.date)
    assert set(map(str, g.objects(iri, SCHEMA.softwareRequirements))) == {
        "nodeJS 16",
        "npm 7.10.0",
        "signalen/frontend",
        "signalen/classification",
        "signalen/backend",
    }
    assert {str(c) for c in g.objects(iri, SCHEMA.applicationCategory)} == {
        "workflow-management",
        "task-management",
        "communications",
    }
    assert g.value(iri, SCHEMA.softwareVersion) == Literal("v1.49.0")
    assert set(g.objects(iri, SCHEMA.featureList)) == {
        Literal(f, lang="en")
        for f in ("Notification classification", "Notification routing")
        + ("Notification handling", "Reports")
    }
    # no organisation called Gemeente Amsterdam is registered here: said, and left out
    assert not list(g.objects(iri, LDR.usedBy))
    assert [p.field for p in read_sample(sample).problems] == ["usedBy", "usedBy"]


def test_dependencies_name_their_versions_and_kind():
    sample = sample_named("AUSL-ReggioEmilia__DocSuitePA")
    iri, g = the_record(read_sample(sample))
    requirements = {str(r) for r in g.objects(iri, SCHEMA.softwareRequirements)}
    assert "Microsoft SQL Server >= 2014, <= 2022 (proprietary)" in requirements
    assert "Dynamic Web Twain >= 8, <= 17 (proprietary, optional)" in requirements
    assert "Smart Card Reader (hardware, optional)" in requirements
    assert "Scanner Twain (hardware, optional)" in requirements


@pytest.mark.parametrize(
    ("prefix", "language", "start"),
    [
        ("Arpapiemonte__openoise-map", "en", "OpeNoise Map is a QGIS plugin"),  # it, then en
        ("italia__bootstrap-italia", "it-IT", "Bootstrap Italia è"),  # it-IT only
        ("Cetriq__publiccode-tools", "sv", "Omfattande verktygskedja"),  # sv only
    ],
)
def test_the_description_is_english_else_the_first_language(prefix, language, start):
    iri, g = the_record(read_sample(sample_named(prefix)))
    description = g.value(iri, DCTERMS.description)
    assert description.language.lower() == language.lower()
    assert str(description).startswith(start), str(description)[:80]


def test_a_name_too_short_for_a_title_gets_what_the_file_says_it_is():
    mapped = read_sample(sample_named("pagopa__io-app"))
    iri, g = the_record(mapped)
    assert g.value(iri, DCTERMS.title) == Literal("IO (Mobile Application)")
    assert [p.field for p in mapped.problems] == ["name"]


def test_a_fork_kept_to_contribute_upstream_is_recorded_as_the_original():
    sample = sample_named("BranchTwist__branch-twist-ticketing")
    mapped = read_sample(sample)
    iri, _ = the_record(mapped)
    assert str(iri).endswith("/id/software/github-com-universitadellacalabria-uniticket")
    [warning] = [p for p in mapped.problems if p.field == "url"]
    assert "github.com/branchtwist/branch-twist-ticketing" in warning.message


# --- variations on a real file --------------------------------------------------------------------

BASE_FILE = sample_named("Cetriq__publiccode-tools")


def variant(change) -> bytes:
    """The Cetriq file (valid, 0.3), changed: `change` edits its parsed document."""
    doc = yaml.safe_load(BASE_FILE.path.read_text(encoding="utf-8"))
    change(doc)
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False).encode("utf-8")


def read_variant(change) -> Mapped:
    return read(variant(change), context(BASE_FILE.address))


def test_users_registered_here_are_linked_and_others_are_said(source_store):
    mapped = read_variant(
        lambda d: d.update(usedBy=["Leeds City Council", "  MANCHESTER  city council", "Atlantis"])
    )
    iri, g = the_record(mapped)
    assert set(g.objects(iri, LDR.usedBy)) == {LEEDS, MANCHESTER}
    [warning] = mapped.problems
    assert warning.severity == "warning" and warning.field == "usedBy"
    assert "'Atlantis', which is not an organisation registered here" in warning.message
    conforms(g, source_store)


@pytest.mark.parametrize(
    ("expression", "ids"),
    [
        ("EUPL-1.2 OR AGPL-3.0-or-later", {"EUPL-1.2", "AGPL-3.0-or-later"}),
        ("(MIT AND BSD-3-Clause) OR GPL-3.0-only", {"MIT", "BSD-3-Clause", "GPL-3.0-only"}),
        ("GPL-2.0-or-later WITH Classpath-exception-2.0", {"GPL-2.0-or-later"}),
        ("eupl-1.2", {"EUPL-1.2"}),
    ],
)
def test_each_licence_of_an_spdx_expression_is_linked(expression, ids, source_store):
    iri, g = the_record(read_variant(lambda d: d["legal"].update(license=expression)))
    assert set(g.objects(iri, DCTERMS.license)) == {
        URIRef("http://spdx.org/licenses/" + i) for i in ids
    }
    conforms(g, source_store)


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("Apache 2.0", "Apache 2.0 is not an identifier on the SPDX licence list"),
        ("MIT AND", "which is not a valid SPDX licence expression"),
        ("MIT OR Foo-1.0", "Foo-1.0 is not an identifier on the SPDX licence list"),
        ("LicenseRef-scancode-proprietary-license", "a licence of its own"),
        ("", "legal/license is empty"),
    ],
)
def test_a_licence_that_is_not_spdx_is_refused(expression, words):
    mapped = read_variant(lambda d: d["legal"].update(license=expression))
    assert not mapped.records
    [problem] = errors(mapped)
    assert problem.field == "legal/license" and words in problem.message, problem


def test_every_version_real_files_use_is_read():
    for written in ("0", "0.2", "0.2.1", "0.3", "0.4", "0.4.0", "0.5", "0.5.0", "0.6", "0.7"):
        mapped = read_variant(lambda d, w=written: d.update(publiccodeYmlVersion=w))
        # 0.2 asks for a genericName and a longer longDescription than Cetriq's: said so
        fields = {p.field for p in errors(mapped)}
        if written.startswith("0.2"):
            assert fields == {"description/sv/genericName", "description/sv/longDescription"}
        else:
            assert not fields, (written, mapped.problems)


@pytest.mark.parametrize("version", [0.8, "0.8", "0.1", "1.0", None, ["0.4"]])
def test_an_unknown_version_says_which_are_read(version):
    mapped = read_variant(lambda d: d.update(publiccodeYmlVersion=version))
    [problem] = mapped.problems
    assert problem.field == "publiccodeYmlVersion" and problem.severity == "error"
    assert '"0", "0.2", "0.3", "0.4", "0.5", "0.6" and "0.7"' in problem.message


def test_an_unquoted_version_is_read_with_a_warning():
    quoted = b'publiccodeYmlVersion: "0.3"'
    assert quoted in BASE_FILE.path.read_bytes()
    data = BASE_FILE.path.read_bytes().replace(quoted, b"publiccodeYmlVersion: 0.3")
    mapped = read(data, context(BASE_FILE.address))
    the_record(mapped)
    [problem] = mapped.problems
    assert problem.severity == "warning" and 'publiccodeYmlVersion: "0.3"' in problem.message


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (lambda d: d.update(name=["a", "b"]), "name", "name must be text, but it is a list"),
        (lambda d: d.update(softwareVersion=1.10), "softwareVersion", "Put it in quotes"),
        (lambda d: d.update(description=["sv"]), "description", "must be a section of keys"),
        (
            lambda d: d["description"]["sv"].update(features="one"),
            "description/sv/features",
            "must be a list of text",
        ),
        (lambda d: d.update(developmentStatus="released"), "developmentStatus", "'released'"),
        (lambda d: d.update(releaseDate="2019-02-30"), "releaseDate", "not a day of the calendar"),
        (lambda d: d.update(releaseDate="30/01/2019"), "releaseDate", "written YYYY-MM-DD"),
        (lambda d: d.update(landingURL="www.example.org"), "landingURL", "not a complete web"),
        (
            lambda d: d["maintenance"].update(contacts=[{"email": "a@example.org"}]),
            "maintenance/contacts/name",
            "missing",
        ),
        (
            lambda d: d["maintenance"]["contacts"][0].update(email="clas at example.org"),
            "maintenance/contacts/email",
            "not an email address",
        ),
        (
            lambda d: d["maintenance"].update(type="contract"),
            "maintenance/contractors",
            "when maintenance/type is contract",
        ),
        (
            lambda d: d["localisation"].update(localisationReady="yes please"),
            "localisation/localisationReady",
            "must be true or false",
        ),
        (
            lambda d: d["localisation"].update(availableLanguages=["sv", "swedish_"]),
            "localisation/availableLanguages",
            "not a BCP 47 language tag",
        ),
        (
            lambda d: d.update(intendedAudience={"scope": ["councils"]}),
            "intendedAudience/scope",
            "not in the standard's scope list",
        ),
        (
            lambda d: d.update(description={"en_GB": d["description"]["sv"]}),
            "description/en_GB",
            "not a BCP 47 language tag",
        ),
        (
            lambda d: d["description"]["sv"].update(shortDescription="x" * 151),
            "description/sv/shortDescription",
            "151 characters long; the standard allows at most 150",
        ),
        (
            lambda d: d.update(dependsOn={"open": [{"version": "11"}]}),
            "dependsOn/open/name",
            "missing",
        ),
        (
            lambda d: d.update(supports=[{"id": "alias:nhs"}]),
            "supports/id",
            "not in the standard's list of aliases",
        ),
    ],
)
def test_each_problem_names_the_key_as_the_standard_writes_it(change, field, words):
    mapped = read_variant(change)
    assert not mapped.records
    found = [p for p in errors(mapped) if p.field == field]
    assert found and words in found[0].message, mapped.problems


def test_a_problem_in_a_list_of_sections_says_which_item():
    def two_contacts(d):
        d["maintenance"]["contacts"].append({"name": "Second", "email": "second@"})

    mapped = read_variant(two_contacts)
    [problem] = errors(mapped)
    assert problem.field == "maintenance/contacts/email"
    assert problem.message.startswith("In item 2 of maintenance/contacts: ")


def test_a_description_too_short_for_the_registry_is_said():
    def short(d):
        d["publiccodeYmlVersion"] = "0.7"
        d["description"] = {
            "en": {"shortDescription": "Tools.", "features": ["one"]},
            "sv": d["description"]["sv"],
        }

    mapped = read_variant(short)
    assert not mapped.records
    [problem] = errors(mapped)
    assert problem.field == "description/en/shortDescription"
    assert "at least 20" in problem.message


def test_an_unknown_key_is_said_and_the_record_kept(source_store):
    mapped = read_variant(lambda d: d.update(landingPage="https://example.org/tools"))
    iri, g = the_record(mapped)
    [problem] = mapped.problems
    assert problem.severity == "warning" and "Did you mean landingURL?" in problem.message
    conforms(g, source_store)


def test_many_problems_are_summed_up():
    mapped = read_variant(lambda d: d.update(categories=[f"thing-{n}" for n in range(300)]))
    assert len(mapped.problems) == publiccode.MAX_PROBLEMS
    assert "and 251 more problems (251 of them errors)" in mapped.problems[-1].message


# --- YAML the mapping refuses -------------------------------------------------------------------


def only_problem(data: bytes):
    mapped = read(data, context())
    assert not mapped.records
    [problem] = mapped.problems
    assert problem.severity == "error" and problem.entry == "" and problem.field == ""
    return problem


def test_yaml_that_cannot_be_parsed_names_the_line_and_column():
    data = BASE_FILE.path.read_bytes().replace(b"name: ", b"name: [", 1)
    problem = only_problem(data)
    assert re.search(r"cannot be read as YAML at line \d+, column \d+:", problem.message)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "holds nothing"),
        (b"- name: a\n- name: b\n", "holds a list"),
        (b"just some words", "holds the text 'just some words'"),
        (b"name: caf\xe9\n", "not UTF-8 text (byte 10"),
        (b"a: !!timestamp 2019-02-30\n", "cannot be read as YAML"),
        (b"a: 1\n---\nb: 2\n", "cannot be read as YAML at line 2"),
    ],
)
def test_a_file_that_is_not_a_publiccode_mapping_is_refused(data, words):
    assert words in only_problem(data).message


def quickly(data: bytes, seconds: float = 1.0):
    started = time.perf_counter()
    problem = only_problem(data)
    assert time.perf_counter() - started < seconds
    return problem


def test_a_billion_laughs_is_refused_before_it_is_built():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, 10):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 9) + "]")
    problem = quickly("\n".join(lines).encode())
    assert "more than 20 YAML aliases" in problem.message


def test_twenty_aliases_are_allowed():
    data = variant(lambda d: None) + b"x: &x y\n" + b"".join(b"x%d: *x\n" % n for n in range(20))
    mapped = read(data, context(BASE_FILE.address))
    assert {p.severity for p in mapped.problems} == {"warning"}  # 21 unknown keys, no more


@pytest.mark.parametrize(
    "data",
    [
        b"name: " + b"[" * 1000 + b"]" * 1000,
        b"".join(b"  " * n + b"k%d:\n" % n for n in range(1000)),
        b"name: " + b"{a: " * 1000 + b"b" + b"}" * 1000,
    ],
    ids=["flow-lists", "block-mappings", "flow-mappings"],
)
def test_deep_nesting_is_refused_before_it_is_built(data):
    problem = quickly(data)
    assert "nests lists and sections more than 30 deep (at line" in problem.message


def test_a_five_megabyte_scalar_is_read_quickly_and_refused_by_the_rules():
    """The fetcher's size limit keeps such files away; were one to come, it costs little."""
    name = b"name: publiccode-tools\n"
    assert name in BASE_FILE.path.read_bytes()
    data = BASE_FILE.path.read_bytes().replace(name, b"name: " + b"x" * 5_000_000 + b"\n")
    started = time.perf_counter()
    mapped = read(data, context(BASE_FILE.address))
    assert time.perf_counter() - started < 5
    [problem] = mapped.problems
    assert problem.field == "name" and "5000000 characters long" in problem.message
    assert len(problem.entry) < 200 and len(problem.message) < 300


# --- the lists in the code are the standard's -----------------------------------------------------


def listed(path: Path) -> set[str]:
    return {
        line[2:].strip()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("- ")
    }


def test_the_lists_are_the_standards():
    docs = STANDARD / "current" / "docs" / "standard"
    assert publiccode.CATEGORIES == listed(docs / "categories-list.rst")
    assert publiccode.SCOPES == listed(docs / "scope-list.rst")
    aliases = docs / "aliases-list.rst"
    assert publiccode.ALIASES == set(
        re.findall(r"^(\w+) +https?://", aliases.read_text(encoding="utf-8"), re.M)
    )
    core = (docs / "schema.core.rst").read_text(encoding="utf-8")

    def values(key: str) -> set[str]:
        section = core.split(f"Key ``{key}``", 1)[1].split("\nKey ", 1)[0]
        allowed = re.search(r"(?:Allowed values|Values): (.*?)\n\n", section, re.S)
        assert allowed, key
        return set(re.findall(r'``"?([\w/]+)"?``', allowed.group(1)))

    assert set(publiccode.DEVELOPMENT_STATUSES) == values("developmentStatus")
    assert set(publiccode.SOFTWARE_TYPES) == values("softwareType")
    assert set(publiccode.MAINTENANCE_TYPES) == values("maintenance/type")
    for release in (STANDARD / "releases").iterdir():  # categories are only ever added
        assert listed(release / "categories-list.rst") <= publiccode.CATEGORIES


# --- bad input never raises ---------------------------------------------------------------------

DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
ODD_VALUES = [None, "", " x ", 0, 1.5, True, [], ["x"], [None], {}, {"a": 1}, [{}], [[]]]


def key_paths(node, path=()):
    """Every path to a value in a parsed document: keys of sections, and the first item of
    each list (the others are of the same kind)."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*path, key)
            yield from key_paths(value, (*path, key))
    elif isinstance(node, list) and node:
        yield (*path, 0)
        yield from key_paths(node[0], (*path, 0))


@pytest.mark.parametrize(
    "prefix",
    ["Amsterdam__signals-frontend", "AUSL-ReggioEmilia__DocSuitePA", "italia__bootstrap-italia"],
)
def test_any_value_of_the_wrong_kind_anywhere_is_a_problem_not_an_exception(prefix):
    sample = sample_named(prefix)
    original = yaml.safe_load(sample.path.read_text(encoding="utf-8"))
    for path in key_paths(original):
        for odd in ODD_VALUES:
            doc = copy.deepcopy(original)
            parent = doc
            for step in path[:-1]:
                parent = parent[step]
            parent[path[-1]] = odd
            data = yaml.dump(doc, Dumper=DUMPER, allow_unicode=True).encode("utf-8")
            mapped = read(data, context(sample.address))
            assert len(mapped.records) + bool(errors(mapped)) == 1, (path, odd)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_bytes_give_problems_not_an_exception(data):
    mapped = read(data, context())
    assert mapped.records or mapped.problems
