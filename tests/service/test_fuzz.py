"""Whatever JSON a client sends, the API answers 2xx or a 4xx error body: never a 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service_support import comment_bodies as comment, json_values

FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def check(response):
    assert response.status_code < 500, response.get_data(as_text=True)
    if response.status_code >= 400:
        body = response.get_json()
        assert body is not None and "error" in body


@FUZZ
@given(body=st.one_of(comment, json_values))
def test_score_never_500(api, body):
    check(api.post("/v1/score", body))


@FUZZ
@given(body=st.one_of(st.fixed_dictionaries({"comments": st.lists(comment, max_size=4)}), json_values))
def test_batch_never_500(api, body):
    check(api.post("/v1/score:batch", body))


@FUZZ
@given(body=st.one_of(json_values, st.fixed_dictionaries({"comment": json_values, "requestedAttributes": json_values},
                                                          optional={"languages": json_values, "context": json_values,
                                                                    "spanAnnotations": json_values})))
def test_perspective_never_500(api, body):
    check(api.post("/v1alpha1/comments:analyze", body))


@FUZZ
@given(raw=st.binary(max_size=60))
def test_raw_bytes_never_500(api, raw):
    check(api.raw("POST", "/v1/score", raw))
