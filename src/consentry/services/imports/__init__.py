"""Imports: opt-out lists, and contacts with their statuses, each run as a job."""

from consentry.services.imports import contacts, optouts
from consentry.services.imports.contacts import (
    ContactImport,
    DryRun,
    dry_run_contact_import,
    submit_contact_import,
)
from consentry.services.imports.optouts import OptOutImport, submit_optout_import

KINDS = (optouts.KIND, contacts.KIND)

__all__ = [
    "KINDS",
    "ContactImport",
    "DryRun",
    "OptOutImport",
    "dry_run_contact_import",
    "submit_contact_import",
    "submit_optout_import",
]
