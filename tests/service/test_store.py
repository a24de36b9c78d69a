"""Queue store on SQLite and PostgreSQL: migrations, enqueue, claims with leases, concurrent reviewers."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import sessionmaker

from webapp.store import repo
from webapp.store.db import make_engine, upgrade
from webapp.store.direct import DirectConnection
from webapp.store.models import APPROVE, REJECT, Base, Comment

from service_support import API_KEY

T0 = datetime(2026, 1, 1, 12, 0, 0)


def result(decision="review", flags=("profanity",), scores=None):
    scores = scores or {"profanity": 0.6, "sarcasm": 0.1, "off_topic": 0.1}
    return {"scores": scores, "flags": list(flags), "decision": decision, "spans": [], "model_version": "t1"}


def item(external_id, author=None, **kwargs):
    res = result(**kwargs)
    return {"external_id": external_id, "text": f"text {external_id}", "author": author, "article": None,
            "result": res, "response": {"id": external_id, **res}}


def enqueue(session, items, now=T0):
    """repo.enqueue on a DBAPI connection of the session's engine, as the API calls it."""
    with DirectConnection(session.get_bind()) as connection:
        return repo.enqueue(connection, items, now=now)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'store.sqlite3'}")
        upgrade(engine)
    else:
        engine = make_engine(request.getfixturevalue("postgres_schema"))
        with engine.begin() as connection:  # a clean slate per test, schema kept
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    engine.dispose()


@pytest.fixture
def Session(engine):
    return sessionmaker(engine, expire_on_commit=False)


@pytest.fixture
def reviewers(Session):
    with Session() as session:
        return [repo.create_reviewer(session, name, "password-123").id for name in ("alice", "bob")]


def test_migration_matches_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_downgrade_and_upgrade_again(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    upgrade(engine)
    from alembic import command

    from webapp.store.db import alembic_config

    command.downgrade(alembic_config(engine), "base")
    with engine.connect() as connection:
        names = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))}
    assert names <= {"alembic_version"}
    upgrade(engine)


def test_enqueue_is_idempotent(Session):
    with Session() as session:
        first = enqueue(session, [item("c1", scores={"profanity": 0.6})])
        again = enqueue(session, [item("c1", scores={"profanity": 0.9})])
        assert first["c1"].id == again["c1"].id and again["c1"].scores == {"profanity": 0.6}
        assert session.query(Comment).count() == 1


def test_rows_written_directly_read_back_through_the_orm(Session):
    """The scoring path writes on the DBAPI connection; the reviewer pages read through the ORM: same values."""
    with Session() as session:
        stored = enqueue(session, [item("c1", author="bob", scores={"profanity": 0.6, "sarcasm": 0.5},
                                        flags=("profanity", "sarcasm"))], now=T0 + timedelta(microseconds=7))
        comment = repo.find_comment(session, "c1")
        assert comment.id == stored["c1"].id and comment.created_at == T0 + timedelta(microseconds=7)
        assert comment.scores == {"profanity": 0.6, "sarcasm": 0.5} and comment.flags == ["profanity", "sarcasm"]
        assert comment.response == stored["c1"].response == {"id": "c1", **result(
            scores={"profanity": 0.6, "sarcasm": 0.5}, flags=("profanity", "sarcasm"))}
        assert sorted(flag.label for flag in comment.flag_rows) == ["profanity", "sarcasm"]
        assert comment.uncertainty == pytest.approx(1.0) and comment.author == "bob" and comment.status == "pending"
        assert repo.stored_answers(DirectConnection(session.get_bind()), ["c1", "nope"]) == {"c1": comment.response}


def test_enqueue_race_keeps_the_first(Session):
    """Two sessions storing the same id (two requests that both missed the lookup): the first row wins."""
    with Session() as one, Session() as two:
        enqueue(one, [item("c1", scores={"profanity": 0.6})])
        rows = enqueue(two, [item("c1", scores={"profanity": 0.9}), item("c2")])
        assert rows["c1"].scores == {"profanity": 0.6}
        assert rows["c2"].id is not None
        assert two.query(Comment).count() == 2


def test_claim_lease_and_decide(Session, reviewers):
    alice, bob = reviewers
    with Session() as session:
        comment_id = enqueue(session, [item("c1")])["c1"].id
        claimed = repo.claim(session, comment_id, alice, now=T0, lease_seconds=300)
        assert claimed.claimed_by_id == alice and claimed.claim_expires_at == T0 + timedelta(seconds=300)
        with pytest.raises(repo.ClaimRefused, match="claimed by alice"):
            repo.claim(session, comment_id, bob, now=T0 + timedelta(seconds=299), lease_seconds=300)
        with pytest.raises(repo.DecisionRefused, match="claimed by alice"):
            repo.decide(session, comment_id, bob, APPROVE, "ok", now=T0 + timedelta(seconds=10))
        repo.claim(session, comment_id, alice, now=T0 + timedelta(seconds=200), lease_seconds=300)  # renew
        with pytest.raises(repo.ClaimRefused):
            repo.claim(session, comment_id, bob, now=T0 + timedelta(seconds=400), lease_seconds=300)
        later = T0 + timedelta(seconds=501)  # alice's renewed lease has run out
        assert repo.claim(session, comment_id, bob, now=later, lease_seconds=300).claimed_by_id == bob
        decision = repo.decide(session, comment_id, bob, REJECT, "profanity", now=later)
        assert decision.id is not None
        with pytest.raises(repo.DecisionRefused, match="already rejected"):
            repo.decide(session, comment_id, alice, APPROVE, "ok", now=later + timedelta(hours=1))
        with pytest.raises(repo.ClaimRefused, match="already rejected"):
            repo.claim(session, comment_id, alice, now=later)


def test_decide_unclaimed_is_allowed(Session, reviewers):
    with Session() as session:
        comment_id = enqueue(session, [item("c1")])["c1"].id
        repo.decide(session, comment_id, reviewers[0], APPROVE, "sarcasm_fine", now=T0)
        assert session.get(Comment, comment_id).status == "approved"


def test_queue_order_filters_and_depth(Session):
    with Session() as session:
        enqueue(session, [item("sure", scores={"profanity": 0.99}, flags=("profanity",))])
        enqueue(session, [item("unsure", scores={"sarcasm": 0.5}, flags=("sarcasm",))], now=T0 + timedelta(seconds=1))
        rows, total = repo.queue(session)
        assert [r.external_id for r in rows] == ["unsure", "sure"] and total == 2
        rows, _ = repo.queue(session, sort="oldest")
        assert [r.external_id for r in rows] == ["sure", "unsure"]
        rows, total = repo.queue(session, label="profanity")
        assert [r.external_id for r in rows] == ["sure"] and total == 1
        assert repo.queue_depth(session) == 2


def test_decisions_since(Session, reviewers):
    with Session() as session:
        ids = [enqueue(session, [item(f"c{i}")])[f"c{i}"].id for i in range(3)]
        for offset, comment_id in enumerate(ids):
            repo.decide(session, comment_id, reviewers[0], APPROVE, "ok", now=T0 + timedelta(minutes=offset))
        everything = repo.decisions_since(session)
        assert [d.comment.external_id for d in everything] == ["c0", "c1", "c2"]
        assert [d.comment.external_id for d in repo.decisions_since(session, after_id=everything[0].id)] == ["c1", "c2"]
        assert [d.comment.external_id for d in repo.decisions_since(session, after_time=T0 + timedelta(seconds=30))] == [
            "c1", "c2"]


def test_two_reviewers_claiming_concurrently_get_disjoint_comments(Session, reviewers):
    with Session() as session:
        for i in range(20):
            enqueue(session, [item(f"c{i}")])
    barrier = threading.Barrier(2)
    claimed: dict[int, list[int]] = {r: [] for r in reviewers}
    errors = []

    def work(reviewer_id):
        try:
            with Session() as session:
                barrier.wait()
                while True:
                    comment = repo.claim_next(session, reviewer_id, now=T0, lease_seconds=300)
                    if comment is None:
                        break
                    claimed[reviewer_id].append(comment.id)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(r,)) for r in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    first, second = (set(v) for v in claimed.values())
    assert not first & second
    assert len(first | second) == 20


def test_two_reviewers_claiming_the_same_comment_one_wins(Session, reviewers):
    with Session() as session:
        comment_id = enqueue(session, [item("c1")])["c1"].id
    for _round in range(5):
        with Session() as session:
            repo.release(session, comment_id, reviewers[0])
            repo.release(session, comment_id, reviewers[1])
        barrier = threading.Barrier(2)
        outcomes = {}

        def work(reviewer_id):
            with Session() as session:
                barrier.wait()
                try:
                    repo.claim(session, comment_id, reviewer_id, now=T0, lease_seconds=300)
                    outcomes[reviewer_id] = "won"
                except repo.ClaimRefused:
                    outcomes[reviewer_id] = "refused"

        threads = [threading.Thread(target=work, args=(r,)) for r in reviewers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(outcomes.values()) == ["refused", "won"]


def test_api_keys_and_reviewers(Session):
    with Session() as session:
        key = repo.create_api_key(session, "site")
        assert repo.find_api_key(session, key).name == "site"
        assert repo.find_api_key(session, key + "x") is None
        repo.create_reviewer(session, "carol", "password-123")
        assert repo.authenticate(session, "carol", "password-123").name == "carol"
        assert repo.authenticate(session, "carol", "wrong") is None
        assert repo.authenticate(session, "nobody", "password-123") is None


def test_training_labels_table():
    assert repo.training_labels(APPROVE, "ok") == {"profanity": 0, "sarcasm": 0, "off_topic": 0}
    assert repo.training_labels(APPROVE, "sarcasm_fine") == {"profanity": 0, "sarcasm": 1, "off_topic": 0}
    assert repo.training_labels(APPROVE, "other") == {"profanity": 0, "sarcasm": 0, "off_topic": 0}
    assert repo.training_labels(REJECT, "profanity") == {"profanity": 1}
    assert repo.training_labels(REJECT, "sarcasm_not_fine") == {"sarcasm": 1}
    assert repo.training_labels(REJECT, "off_topic") == {"off_topic": 1}
    assert repo.training_labels(REJECT, "spam") == {"off_topic": 1}
    assert repo.training_labels(REJECT, "other") is None


def test_the_service_on_postgresql(pg_app):
    """The whole app on PostgreSQL: a queued comment, the same answer again, health."""
    client = pg_app.test_client()
    headers = {"Authorization": f"Bearer {API_KEY}"}
    body = client.post("/v1/score", json={"id": "pg1", "text": "darn"}, headers=headers).get_json()
    assert body["queued"] is True
    assert client.post("/v1/score", json={"id": "pg1", "text": "darn"}, headers=headers).get_json() == body
    assert client.get("/healthz").status_code == 200


def _hold_write_lock(url, held, seconds):
    from webapp.store.direct import write_lock

    engine = make_engine(url)
    with write_lock(engine):
        held.set()
        time.sleep(seconds)


def test_sqlite_writers_queue_on_one_lock_across_processes(tmp_path):
    """A writer waits for another process's write transaction in flock, and gets in as soon as it ends."""
    import multiprocessing

    from webapp.store.direct import write_lock

    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    context = multiprocessing.get_context("spawn")
    held = context.Event()
    other = context.Process(target=_hold_write_lock, args=(url, held, 0.5))
    other.start()
    try:
        assert held.wait(30)
        started = time.monotonic()
        with write_lock(make_engine(url)):
            waited = time.monotonic() - started
        assert 0.2 < waited < 5
    finally:
        other.join(30)
    with write_lock(make_engine(url)), write_lock(make_engine("postgresql+psycopg://u@127.0.0.1:1/x")):
        pass  # free again; on PostgreSQL it is nothing


def _scoring_connection(app, client, body):
    """The DirectConnection the request used (captured at teardown) and the response."""
    from flask import g
    seen = []
    app.teardown_appcontext_funcs.append(lambda exc: seen.append(g.get("db_direct")))  # they run last first
    response = client.post("/v1/score", json=body, headers={"Authorization": f"Bearer {API_KEY}"})
    app.teardown_appcontext_funcs.pop()
    return seen[0], response


def test_sqlite_keeps_the_scoring_connection_between_requests_but_not_a_failed_one(app, monkeypatch):
    client = app.test_client()
    first, _ = _scoring_connection(app, client, {"id": "a", "text": "darn"})
    second, _ = _scoring_connection(app, client, {"id": "b", "text": "fine"})
    assert first is second and not second.in_transaction
    monkeypatch.setattr(repo, "stored_answers", lambda connection, ids: {})  # the duplicate now fails its insert
    failed, response = _scoring_connection(app, client, {"id": "a", "text": "darn"})
    assert response.status_code == 200 and failed is first and failed.failed
    fresh, _ = _scoring_connection(app, client, {"id": "c", "text": "fine"})
    assert fresh is not failed


def test_postgresql_hands_the_scoring_connection_back_every_request(pg_app):
    client = pg_app.test_client()
    first, _ = _scoring_connection(pg_app, client, {"id": "a", "text": "darn"})
    second, _ = _scoring_connection(pg_app, client, {"id": "b", "text": "fine"})
    assert first is not second


def test_driver_errors_come_out_as_sqlalchemy_errors(engine):
    """The 503 handler catches SQLAlchemy's OperationalError and enqueue's duplicate path its IntegrityError."""
    from sqlalchemy import exc, select as select_

    with DirectConnection(engine) as connection:
        with pytest.raises(exc.ProgrammingError if engine.dialect.name == "postgresql" else exc.OperationalError):
            connection.rows(select_(text("1")).where(text("no_such_column = 1")), {})
        assert connection.failed
    with DirectConnection(engine) as connection:
        stored = repo.enqueue(connection, [item("c1")], now=T0)
        connection.dbapi.close()  # the connection dies under us
        with pytest.raises(exc.DBAPIError):
            connection.rows(repo._statements()["stored"], {"eid": "c1"})
    with DirectConnection(engine) as connection:
        assert repo.stored_answers(connection, ["c1"]) == {"c1": stored["c1"].response}
