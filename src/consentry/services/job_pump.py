"""The worker's pump for jobs, with every kind of job registered.

Importing this module imports each kind's module, which adds its opener to `job_runner.KINDS`.
"""

from sqlalchemy import Engine

from consentry.config import Config
from consentry.services import bulk_edit, imports
from consentry.services.job_runner import JobRunner
from consentry.services.workflows import enrollment as workflow_enrollment

KNOWN = (bulk_edit.KIND, *imports.KINDS, workflow_enrollment.KIND)


def make_pump(engine: Engine, config: Config) -> JobRunner:
    """A runner whose `pump` the worker calls: one chunk of one job per call."""
    return JobRunner(engine, config)
