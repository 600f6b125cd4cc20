"""`consentry worker`: run the background worker (jobs, …) in this process until stopped.

Several may run against one PostgreSQL database: they share the queue. `--until-idle` stops
once nothing is left to do (for scripts and tests).
"""

import signal
import threading
from types import FrameType

import typer

from consentry import worker as worker_loop
from consentry.cli.context import config, console, migrated_engine


def worker(
    until_idle: bool = typer.Option(False, "--until-idle", help="Exit when no work is left."),
) -> None:
    """Run queued jobs (and resume ones whose worker died) until stopped (Ctrl-C, SIGTERM)."""
    engine = migrated_engine()
    stop = threading.Event()

    def on_signal(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    pumps = worker_loop.make_pumps(engine, config())
    console.print("Worker started" + (" (until idle)" if until_idle else ""))
    while not stop.is_set():
        handled = 0
        for name, pump in pumps:
            try:
                handled += pump()
            except Exception:  # as in the worker loop: one broken item must not stop it
                worker_loop.log.exception("worker pump %s failed", name)
        if handled == 0:
            if until_idle:
                break
            stop.wait(0.5)
    console.print("Worker stopped")
