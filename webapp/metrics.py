"""Prometheus metrics on a registry of the app's own (never the process-global one).

Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR (an empty directory, the
prometheus-client convention) and /metrics adds up every worker's samples.
"""

from __future__ import annotations

import os
import time
from typing import Any

from flask import Flask, current_app, g, request
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["Metrics", "init_app", "count_request", "record_result", "render"]

_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The service's metrics, all registered on `self.registry`."""

    def __init__(self) -> None:
        self._children: dict[tuple, Any] = {}
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("moderation_http_requests", "HTTP requests by endpoint, method and status",
                                ["endpoint", "method", "status"], registry=self.registry)
        self.latency = Histogram("moderation_http_request_duration_seconds", "Request latency by endpoint",
                                 ["endpoint"], buckets=_BUCKETS, registry=self.registry)
        self.decisions = Counter("moderation_decisions", "Model decisions returned by the API",
                                 ["decision"], registry=self.registry)
        self.flags = Counter("moderation_flags", "Labels flagged by the model", ["label"], registry=self.registry)
        self.degraded = Counter("moderation_scoring_failures", "Comments the model could not score",
                                registry=self.registry)
        self.reviews = Counter("moderation_review_decisions", "Moderators' decisions by action and reason",
                               ["action", "reason"], registry=self.registry)
        self.queue_depth = Gauge("moderation_queue_depth", "Pending comments in the review queue",
                                 registry=self.registry, multiprocess_mode="mostrecent")
        # A gauge rather than Info: Info does not work across gunicorn workers.
        self.model = Gauge("moderation_model_info", "The loaded model (value 1)", ["version"],
                           registry=self.registry, multiprocess_mode="max")

    def child(self, metric, *labels: str):
        """`metric.labels(*labels)`, kept: prometheus_client validates and locks on every `labels()` call."""
        key = (id(metric), labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child


def init_app(app: Flask, model_version: str) -> Metrics:
    metrics = Metrics()
    metrics.model.labels(model_version).set(1)
    app.extensions["moderation.metrics"] = metrics

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _count(response):
        started = g.get("request_started")
        req = request._get_current_object()  # one proxy lookup, not one per attribute
        # The rule, not the raw path, keeps the label set small whatever clients send.
        endpoint = req.url_rule.rule if req.url_rule is not None else "unmatched"
        count_request(metrics, endpoint, req.method, response.status_code, started)
        return response

    return metrics


def count_request(metrics: Metrics, endpoint: str, method: str, status: int, started: float | None) -> None:
    """One answered request: its count by endpoint, method and status, and its latency since `started`."""
    metrics.child(metrics.requests, endpoint, method, str(status)).inc()
    if started is not None:
        metrics.child(metrics.latency, endpoint).observe(time.perf_counter() - started)


def record_result(response: dict[str, Any], app: Flask | None = None) -> None:
    """Count one API answer's decision and flags (`app`: the current app, when the caller holds it)."""
    metrics: Metrics = (app or current_app).extensions["moderation.metrics"]
    metrics.child(metrics.decisions, response["decision"]).inc()
    for label in response["flags"]:
        metrics.child(metrics.flags, label).inc()
    if response.get("degraded"):
        metrics.degraded.inc()


def record_review(action: str, reason: str) -> None:
    current_app.extensions["moderation.metrics"].reviews.labels(action, reason).inc()


def render(queue_depth: int) -> bytes:
    metrics: Metrics = current_app.extensions["moderation.metrics"]
    metrics.queue_depth.set(queue_depth)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(metrics.registry)
