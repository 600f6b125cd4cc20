"""Tables of workflows (issue 7): definitions and their versions, who matches each trigger,
enrollments moving through the steps, and the per-contact log of what each step did.

- `workflow_members` is each workflow's *matched set*: a contact enrolls on the edge from "not
  matching" to "matching", so the trigger is evaluated only for contacts an event names and
  compared with this row, never over every contact.
- `workflow_enrollments.active_contact` holds the contact id while the enrollment runs and NULL
  afterwards; its unique index with the workflow id is what makes a second concurrent
  enrollment of the same contact impossible, on both databases.

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from consentry.storage.tables import metadata, one_of
from consentry.storage.types import UTCDateTime

_ID = BigInteger().with_variant(Integer, "sqlite")


class EnrollmentStateValue(StrEnum):
    ACTIVE = "ACTIVE"  # its next step is due at `due_at`
    COMPLETED = "COMPLETED"  # every step ran
    ENDED = "ENDED"  # stopped early: the workflow was disabled, or the contact archived


class StepOutcomeValue(StrEnum):
    APPLIED = "APPLIED"
    NO_CHANGE = "NO_CHANGE"
    REFUSED = "REFUSED"
    STALE = "STALE"
    NO_ADDRESS = "NO_ADDRESS"  # the contact has no address on the action's channel
    WAITING = "WAITING"  # a delay started
    ENROLLED = "ENROLLED"
    ENDED = "ENDED"


workflows = Table(
    "workflows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("version", Integer, nullable=False),  # the current version
    Column("enabled", Boolean, nullable=False, default=False),
    # Where in the event log the workflow started listening when it was last enabled.
    Column("listen_row", BigInteger, nullable=False, default=0),
    Column("listen_entry", BigInteger, nullable=False, default=0),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

workflow_versions = Table(
    "workflow_versions",
    metadata,
    Column("workflow_id", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("definition", JSON, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    PrimaryKeyConstraint("workflow_id", "version"),
)

workflow_members = Table(
    "workflow_members",
    metadata,
    Column("workflow_id", Integer, nullable=False),
    Column("contact_id", BigInteger, nullable=False),
    Column("matching", Boolean, nullable=False),
    Column("enrollments", Integer, nullable=False, default=0),
    PrimaryKeyConstraint("workflow_id", "contact_id"),
)

workflow_enrollments = Table(
    "workflow_enrollments",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("workflow_id", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("contact_id", BigInteger, nullable=False),
    Column("active_contact", BigInteger),
    Column("state", String(16), nullable=False),
    Column("step", Integer, nullable=False, default=0),  # the next action's index
    Column("due_at", UTCDateTime, nullable=False),
    Column("enrolled_at", UTCDateTime, nullable=False),
    Column("finished_at", UTCDateTime),
    Column("via", String(16), nullable=False),  # TRIGGER or EXISTING
    one_of("state", EnrollmentStateValue),
    UniqueConstraint("workflow_id", "active_contact"),
    # The step pump looks for the due enrollments.
    Index(None, "state", "due_at"),
    Index(None, "workflow_id", "contact_id"),
)

workflow_log = Table(
    "workflow_log",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("workflow_id", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("enrollment_id", BigInteger, nullable=False),
    Column("contact_id", BigInteger, nullable=False),
    Column("step", Integer),  # None for enrollment and ending
    Column("outcome", String(16), nullable=False),
    Column("address", String(320)),
    Column("message", Text, nullable=False),
    Column("ledger_id", BigInteger),
    Column("at", UTCDateTime, nullable=False),
    one_of("outcome", StepOutcomeValue),
    Index(None, "workflow_id", "id"),
    Index(None, "workflow_id", "contact_id"),
)

__all__ = [
    "EnrollmentStateValue",
    "StepOutcomeValue",
    "workflow_enrollments",
    "workflow_log",
    "workflow_members",
    "workflow_versions",
    "workflows",
]
