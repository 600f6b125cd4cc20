"""The background worker: moves queued work forward (jobs, the mail outbox, workflows,
webhooks, …).

Each *pump* does one bounded piece of work and answers how much it did; the loop sleeps only
when no pump found anything. `consentry worker` runs the loop in its own process (several may
share a PostgreSQL queue); `consentry serve` runs one in a thread on SQLite, so the embedded
default needs no second process.
"""

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Engine

from consentry.config import Config
from consentry.services import job_pump, mail, webhooks
from consentry.services.workflows import enrollment as workflow_enrollment
from consentry.services.workflows import steps as workflow_steps

log = logging.getLogger("consentry.worker")

Pump = Callable[[], int]
"""Does at most one bounded batch of work; returns how many items it handled (0: idle)."""


def make_pumps(engine: Engine, config: Config) -> list[tuple[str, Pump]]:
    """Every pump the worker runs, by name. Each feature that queues work adds its own here."""
    pumps: list[tuple[str, Pump]] = []
    pumps.append(("jobs", job_pump.make_pump(engine, config).pump))
    pumps.append(("mail", mail.make_pump(engine, config)))
    pumps.append(("workflow enrollment", lambda: workflow_enrollment.pump(engine)))
    pumps.append(("workflow steps", lambda: workflow_steps.pump(engine)))
    pumps.append(("webhook fan-out", lambda: webhooks.fan_out(engine)))
    sender = webhooks.make_sender(
        engine,
        timeout=config.webhook_timeout_seconds,
        retry_base_seconds=config.webhook_retry_base_seconds,
    )
    pumps.append(("webhook delivery", webhooks.make_pump(sender)))
    return pumps


def run(
    engine: Engine, config: Config, stop: threading.Event, *, idle_seconds: float = 0.5
) -> None:
    """Run every pump until `stop` is set. A failing pump is logged and retried next round;
    it never stops the others."""
    pumps = make_pumps(engine, config)
    while not stop.is_set():
        handled = 0
        for name, pump in pumps:
            try:
                handled += pump()
            except Exception:  # one broken item must not stop the worker
                log.exception("worker pump %s failed", name)
        if handled == 0:
            stop.wait(idle_seconds)


def start_in_thread(engine: Engine, config: Config) -> tuple[threading.Thread, threading.Event]:
    """A worker loop in a daemon thread (for `consentry serve` on SQLite)."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run, args=(engine, config, stop), name="consentry-worker", daemon=True
    )
    thread.start()
    return thread, stop
