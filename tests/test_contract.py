"""The contract: schemathesis drives every operation of /openapi.json against the app, anonymous
and with a publisher's token, with data that fits the document and data that does not; every
answer must be one the document states (status, content type, body schema, headers) and none
may be a server error. Bounded and derandomized so it fits in CI and fails the same way twice.

The failures are collected rather than raised one by one, so one run reports every cause (and
hypothesis does not spend minutes shrinking a case we would read anyway)."""
from __future__ import annotations

import collections
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (content_type_conformance, negative_data_rejection,
                                               response_headers_conformance, response_schema_conformance,
                                               status_code_conformance)

from tests.conftest import BASE, close_app, make_app

#: Examples per operation, per mode (data that fits, data that does not) and per caller (anonymous,
#: publisher): 2 x 2 x this many requests per operation.
EXAMPLES = 12
CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance,
               response_schema_conformance, response_headers_conformance]


@pytest.fixture(scope="module")
def app(tmp_path_factory, starter_store_dir):
    # The rate limit is a contract too (429 is documented), but here it would only hide the
    # answers behind it: it is lifted so every generated request reaches its route.
    app = make_app(tmp_path_factory, starter_store_dir, "contract", LDR_QUERY_TIMEOUT=5.0, LDR_RATE_LIMIT=1_000_000)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def publisher(app):
    return app.extensions["ldr.accounts"].create_token(
        "contract-publisher", f"{BASE}/id/organisations/leeds-city-council", "publisher")[1]


def run_operation(operation, mode: GenerationMode, headers: dict, found: list) -> int:
    """Send up to EXAMPLES generated requests; each failed check goes into `found`."""
    checks = CONFORMANCE + ([negative_data_rejection] if mode is GenerationMode.NEGATIVE else [])
    sent = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None,
              derandomize=True, phases=["generate"])
    def run(case):
        nonlocal sent
        sent += 1
        try:
            case.call_and_validate(headers=headers, checks=checks)
        except FailureGroup as group:
            for failure in group.exceptions:
                found.append((operation.label, mode.value, "publisher" if headers else "anonymous",
                              type(failure).__name__, failure.title, failure.message.splitlines()[0:2],
                              case.as_curl_command()))

    try:
        run()
    except Unsatisfiable:
        pass   # no request of this mode can be made for the operation (nothing in it to break)
    return sent


def test_every_operation_keeps_to_the_document_anonymous_and_as_a_publisher(app, publisher):
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    found: list = []
    sent = 0
    started = time.monotonic()
    labels = []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for headers in ({}, {"Authorization": f"Bearer {publisher}"}):
                sent += run_operation(operation, mode, headers, found)
    elapsed = time.monotonic() - started
    by_kind = collections.Counter((label, kind, title) for label, _, _, kind, title, _, _ in found)
    report = "\n".join(f"{n:4} {label}: {kind} ({title})" for (label, kind, title), n in by_kind.most_common())
    examples = "\n".join(f"{f[0]} [{f[1]}, {f[2]}] {f[4]}: {' / '.join(f[5])}\n    {f[6]}" for f in found[:40])
    print(f"\n{sent} requests to {len(labels)} operations in {elapsed:.1f} s; {len(found)} failed checks")
    print(report)
    assert not found, f"{len(found)} failed checks in {sent} requests:\n{report}\n\nFirst of them:\n{examples}"
    assert sent > 20 * len(labels)
