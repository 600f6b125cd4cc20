"""Each workflow's matched set: which contacts matched its trigger when last evaluated.

A contact enrolls on the edge from "not matching" to "matching" (`domain.workflows.enrolls`),
so only the contacts an event names are evaluated and compared with their row here.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, false, literal, select, true, update
from sqlalchemy.dialects import postgresql, sqlite

from consentry.domain.filters import FilterGroup
from consentry.storage.contact_filters import where
from consentry.storage.tables import contacts, subscribers
from consentry.storage.upsert import upsert
from consentry.storage.workflow_tables import workflow_enrollments, workflow_members
from consentry.storage.workflows import chunks


@dataclass(frozen=True)
class Member:
    matching: bool
    enrollments: int


def take(connection: Connection, workflow_id: int, groups: tuple[FilterGroup, ...]) -> None:
    """Mark exactly the live contacts matching `groups` as matching (one statement over the
    contacts, run when a workflow is enabled or its trigger changes)."""
    connection.execute(
        update(workflow_members)
        .where(workflow_members.c.workflow_id == workflow_id)
        .values(matching=False)
    )
    matching = select(literal(workflow_id), contacts.c.id, true(), literal(0)).where(
        contacts.c.archived == false(), where(groups, connection.dialect.name)
    )
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(workflow_members).from_select(
        ["workflow_id", "contact_id", "matching", "enrollments"], matching
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["workflow_id", "contact_id"], set_={"matching": True}
        )
    )


def members(
    connection: Connection, workflow_id: int, contact_ids: Iterable[int]
) -> dict[int, Member]:
    found: dict[int, Member] = {}
    for chunk in chunks(contact_ids):
        rows = connection.execute(
            select(workflow_members).where(
                workflow_members.c.workflow_id == workflow_id,
                workflow_members.c.contact_id.in_(chunk),
            )
        )
        found.update({row.contact_id: Member(bool(row.matching), row.enrollments) for row in rows})
    return found


def save_members(connection: Connection, workflow_id: int, rows: Mapping[int, Member]) -> None:
    upsert(
        connection,
        workflow_members,
        [
            {
                "workflow_id": workflow_id,
                "contact_id": contact_id,
                "matching": member.matching,
                "enrollments": member.enrollments,
            }
            for contact_id, member in sorted(rows.items())
        ],
        keys=("workflow_id", "contact_id"),
    )


def active_contacts(
    connection: Connection, workflow_id: int, contact_ids: Iterable[int]
) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(contact_ids):
        found.update(
            connection.execute(
                select(workflow_enrollments.c.active_contact).where(
                    workflow_enrollments.c.workflow_id == workflow_id,
                    workflow_enrollments.c.active_contact.in_(chunk),
                )
            ).scalars()
        )
    return found


def contacts_of_subscribers(connection: Connection, subscriber_ids: Iterable[int]) -> set[int]:
    """The live contacts whose email is one of these (email) subscribers' address."""
    found: set[int] = set()
    for chunk in chunks(subscriber_ids):
        found.update(
            connection.execute(
                select(contacts.c.id)
                .join(subscribers, contacts.c.email_key == subscribers.c.key)
                .where(
                    subscribers.c.id.in_(chunk),
                    subscribers.c.channel == "EMAIL",
                    contacts.c.archived == false(),
                )
            ).scalars()
        )
    return found
