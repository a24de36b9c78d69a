"""Whatever JSON a client sends, the API answers 2xx or a 4xx error body: never a 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
comment = st.fixed_dictionaries({}, optional={
    "id": st.one_of(st.text(max_size=10), json_values), "text": st.one_of(st.text(max_size=40), json_values),
    "article": st.one_of(st.none(), json_values, st.fixed_dictionaries({}, optional={
        "id": st.text(max_size=5), "title": st.text(max_size=10), "body": json_values})),
    "author": json_values, "enqueue": json_values,
})
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
