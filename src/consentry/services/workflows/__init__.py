"""Workflows (reserved: filled by its issue)."""

from collections.abc import Callable

from sqlalchemy import Engine

from consentry.config import Config


def make_pump(engine: Engine, config: Config) -> Callable[[], int]:
    """The worker's pump for workflows: one bounded batch per call, 0 when idle."""
    return lambda: 0
