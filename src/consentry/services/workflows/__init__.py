"""Workflows (issue 7): definitions and versions (`definitions`), enrollment from the event log
and "enroll existing contacts now" (`enrollment`), the steps the worker runs (`steps`), and what
the admin page and the API show of each run (`history`)."""

from consentry.services.workflows.definitions import (
    Workflow,
    create,
    disable,
    enable,
    get,
    list_workflows,
    update,
)
from consentry.services.workflows.enrollment import KIND, submit_enroll_existing

__all__ = [
    "KIND",
    "Workflow",
    "create",
    "disable",
    "enable",
    "get",
    "list_workflows",
    "submit_enroll_existing",
    "update",
]
