"""Prometheus metrics (prometheus_client): requests, latency, evaluations, errors.

With ``--workers N`` every worker is its own process; prometheus_client's
multiprocess mode (PROMETHEUS_MULTIPROC_DIR, set by `hunch serve`) sums them, so a
scrape that reaches any worker reports the whole server.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("hunch_http_requests_total", "HTTP requests answered",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("hunch_http_request_duration_seconds",
                                 "Time to answer a request", ["route"], buckets=BUCKETS,
                                 registry=self.registry)
        self.evaluations = Counter("hunch_evaluations_total", "Situations evaluated",
                                   ["pack"], registry=self.registry)
        self.errors = Counter("hunch_errors_total", "Error responses, by kind", ["code"],
                              registry=self.registry)
        self.reloads = Counter("hunch_pack_reloads_total", "Pack reloads under --watch",
                               ["pack", "outcome"], registry=self.registry)

    def render(self) -> bytes:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            combined = CollectorRegistry()
            MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
            return generate_latest(combined)
        return generate_latest(self.registry)


__all__ = ["CONTENT_TYPE", "Metrics"]
