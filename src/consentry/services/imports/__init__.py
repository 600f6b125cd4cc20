"""Imports: opt-out lists, and contacts with their statuses, each run as a job."""

from consentry.services.imports import optouts
from consentry.services.imports.optouts import OptOutImport, submit_optout_import

KINDS = (optouts.KIND,)

__all__ = ["KINDS", "OptOutImport", "submit_optout_import"]
