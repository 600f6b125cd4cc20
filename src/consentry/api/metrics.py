"""`GET /metrics`: what the service is doing, in Prometheus' text format.

Two kinds of numbers:
- per request, counted by the process that served it (`HttpMetrics`): requests by route
  template and status, and their latency. With several `serve` workers each process writes its
  counts to files under PROMETHEUS_MULTIPROC_DIR and a scrape adds them all up (`consentry
  serve --workers N` sets that up);
- from the database at scrape time (`services.metrics`): ledger entries by source and outcome,
  job and outbox queue depths, webhook failures — right whichever process answers, including
  the work of the separate `consentry worker` processes.

Access: the one rule is a bearer token. `Authorization: Bearer <CONSENTRY_METRICS_TOKEN>`
answers; a missing token 401, a wrong one 403; with no token configured, no one (403).
"""

import hmac
import os
from collections.abc import Iterator

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine

from consentry.api.errors import ApiError
from consentry.config import Config
from consentry.services import metrics

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

router = APIRouter(include_in_schema=False)


class HttpMetrics:
    """Requests served by this process, by method, route template (never the raw path: one
    series per route, not per contact) and status code."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.requests = Counter(
            "consentry_http_requests",
            "HTTP requests answered, by route template and status code.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "consentry_http_request_duration_seconds",
            "Time from the request arriving to the answer's last byte, by route template.",
            ["method", "route"],
            registry=self.registry,
        )

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(seconds)


class _DatabaseCollector(Collector):
    """Reads `services.metrics.gauges` on every scrape."""

    def __init__(self, engine: Engine, tally: metrics.LedgerTally) -> None:
        self._engine = engine
        self._tally = tally

    def describe(self) -> list[Metric]:
        return []  # registering must not query a database that may not be migrated yet

    def collect(self) -> Iterator[Metric]:
        now = metrics.gauges(self._engine, self._tally)
        entries = CounterMetricFamily(
            "consentry_ledger_entries",
            "Ledger entries ever recorded, by source and outcome.",
            labels=["source", "outcome"],
        )
        for (source, outcome), count in sorted(now.ledger.items()):
            entries.add_metric([source, outcome], count)
        yield entries
        job_depth = GaugeMetricFamily(
            "consentry_jobs", "Background jobs waiting or running.", labels=["state"]
        )
        for state, count in now.jobs.items():
            job_depth.add_metric([state], count)
        yield job_depth
        mail_depth = GaugeMetricFamily(
            "consentry_mail_outbox",
            "Mails in the outbox: PENDING to send (or retry), FAILED for good.",
            labels=["state"],
        )
        for state, count in now.mail.items():
            mail_depth.add_metric([state], count)
        yield mail_depth
        yield GaugeMetricFamily(
            "consentry_webhook_outbox_pending",
            "Webhook deliveries waiting to be made (first tries and retries).",
            value=now.webhooks.pending,
        )
        yield CounterMetricFamily(
            "consentry_webhook_failed_attempts",
            "Webhook delivery attempts that failed (no answer, or not 2xx).",
            value=now.webhooks.failed_attempts,
        )


def _allowed(request: Request) -> None:
    config: Config = request.app.state.config
    scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise ApiError(
            401,
            "INVALID_AUTHENTICATION",
            "/metrics needs Authorization: Bearer <CONSENTRY_METRICS_TOKEN>.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if config.metrics_token is None:
        raise ApiError(
            403, "FORBIDDEN", "Metrics are off: set CONSENTRY_METRICS_TOKEN to turn them on."
        )
    expected = config.metrics_token.get_secret_value().encode()
    if not hmac.compare_digest(credentials.strip().encode(), expected):
        raise ApiError(403, "FORBIDDEN", "This token does not open /metrics.")


@router.get("/metrics")
def read_metrics(request: Request) -> Response:
    _allowed(request)
    return Response(generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE)


def install(app: FastAPI, engine: Engine) -> HttpMetrics:
    """Give the app its request counters and what `/metrics` exposes; returns the counters for
    the request log to feed."""
    http = HttpMetrics()
    if MULTIPROCESS_DIR in os.environ:
        exposed = CollectorRegistry(auto_describe=False)
        MultiProcessCollector(exposed)  # type: ignore[no-untyped-call]  # all processes, added up
    else:
        exposed = http.registry
    exposed.register(_DatabaseCollector(engine, metrics.LedgerTally()))
    app.state.metrics_registry = exposed
    app.include_router(router)
    return http
