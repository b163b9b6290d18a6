"""Every operation of the OpenAPI document fuzzed against the in-process app on Azurite: schema-valid
and schema-violating requests from a fixed seed and a small budget, so a run is bounded and the same
each time. No answer is a 5xx, and every answer is one the document declares, in the media type and
shape it declares (so a client generated from the document handles it).

The free-form bodies a schema cannot describe (marks and roster records as Wonde sends them) have
their own cases in test_bad_input_api.py.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import function_app

pytestmark = pytest.mark.integration

# The document needs no storage: it is built from the routes alone.
schema = schemathesis.openapi.from_dict(function_app.api.openapi())
schema.app = function_app.api
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]
EXAMPLES = 12  # per operation and mode: ~80 operations × (valid + invalid) in well under a minute


@pytest.fixture
def district(client, mint, tenant):  # type: ignore[no-untyped-def]
    """A tenant with one school, and its DistrictAdmin's headers: ids the fuzzer draws at random
    mostly miss (404), `s1` hits."""
    headers = mint("DistrictAdmin", tenant)
    assert client.put("/api/schools/s1", json={"name": "Fuzz", "jurisdiction": "ENG"},
                      headers=headers).status_code == 201
    return headers


@schema.parametrize()
@hypothesis.settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                     suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.seed(20261203)
def test_no_operation_answers_5xx_or_outside_its_contract(case, district):  # type: ignore[no-untyped-def]
    # the generated Authorization (any string) gives way to a real token: past the 401, the
    # routes themselves are reached
    case.headers = {**(case.headers or {}), **district}
    case.call_and_validate(checks=CHECKS)
