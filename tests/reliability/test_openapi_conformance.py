"""schemathesis against the served /openapi.json, in process on the WSGI app: no 5xx, answers match the document.

Driven through schemathesis' Python API (operation strategies with hypothesis) rather than its pytest
plugin, which does not run under pytest 9. Each documented operation is fuzzed with positive and negative
cases; every default check runs (no server error, status code, content type and body schema conformance,
positive data accepted, auth not ignored, unsupported methods refused) but "negative data rejected".
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from service_support import API_KEY, KeywordModerator
from webapp import create_app

OPERATIONS = ["POST /v1/score", "POST /v1/score:batch", "PUT /v1/articles/{article_id}",
              "GET /v1/articles/{article_id}", "GET /v1/decisions", "POST /v1alpha1/comments:analyze",
              "GET /healthz", "GET /metrics"]  # schemathesis leaves out the document itself


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("openapi")
    app = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "API_KEYS": API_KEY,
                      "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}", "RATE_LIMIT_API": "100000 per minute"},
                     moderator=KeywordModerator(), instance_path=str(tmp / "instance"))
    yield schemathesis.openapi.from_wsgi("/openapi.json", app)
    app.extensions["moderation.engine"].dispose()


def test_every_operation_is_fuzzed(api_schema):
    documented = sorted(result.ok().label for result in api_schema.get_all_operations())
    assert documented == sorted(OPERATIONS)


# Schema-valid cases for every operation, schema-invalid ones for those that take input.
CASES = [(label, GenerationMode.POSITIVE) for label in OPERATIONS] + [
    (label, GenerationMode.NEGATIVE) for label in OPERATIONS if label not in ("GET /healthz", "GET /metrics")]


@pytest.mark.parametrize("label, mode", CASES, ids=[f"{label}-{mode.value}" for label, mode in CASES])
def test_operation_conforms_to_the_document(api_schema, label, mode):
    method, path = label.split(" ", 1)
    operation = api_schema[path][method]

    @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        # Unknown fields and query parameters are ignored and null counts as absent, as documented, so a
        # schema-invalid case may be served: that check is left out; every other check runs.
        case.call_and_validate(headers={"Authorization": f"Bearer {API_KEY}"},
                               excluded_checks=[schemathesis.checks.negative_data_rejection])

    check()
