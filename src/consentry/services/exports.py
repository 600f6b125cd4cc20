"""Exports, streamed as CSV or NDJSON: contacts with their computed opt-out properties, current
statuses, the suppression list, the ledger between two times; and one subscriber's consent
receipt as JSON.

Each export reads in keyset pages inside one read transaction (one consistent snapshot) and
yields text as it goes, so memory stays flat. The suppression list says what it is on every
row (`list` = SUPPRESSION): it is the list of addresses NOT to send to (COMPLIANCE.md).
"""

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine

from consentry.domain import Channel, LedgerEntry
from consentry.domain.contact_properties import EMAIL_OPTOUT, format_instant
from consentry.domain.ledger import format_time
from consentry.services.subscribers import Receipt, subscriber_receipt
from consentry.services.unit_of_work import UnitOfWork
from consentry.storage import catalog, exports
from consentry.storage.contact_filters import computed_text


class ExportKind(StrEnum):
    CONTACTS = "contacts"
    STATUSES = "statuses"
    SUPPRESSION = "suppression"
    LEDGER = "ledger"


class ExportFormat(StrEnum):
    CSV = "csv"
    NDJSON = "ndjson"


SUPPRESSION_NOTICE = (
    "SUPPRESSION LIST: addresses that must NOT be sent to. Do not use it as a mailing list."
)
_LEDGER_FIELDS = tuple(f.name for f in fields(LedgerEntry))


def export(
    engine: Engine,
    kind: ExportKind,
    fmt: ExportFormat = ExportFormat.CSV,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[str]:
    """The export as text chunks (a line or a page of lines at a time)."""
    with UnitOfWork(engine) as uow:
        if kind is ExportKind.CONTACTS:
            header, rows = _contacts(uow)
        elif kind is ExportKind.STATUSES:
            header, rows = STATUS_HEADER, _statuses(uow)
        elif kind is ExportKind.SUPPRESSION:
            header, rows = SUPPRESSION_HEADER, _suppression(uow)
        else:
            header, rows = ("id", *_LEDGER_FIELDS[1:]), _ledger(uow, since, until)
        yield from _encode(header, rows, fmt)


def _encode(
    header: tuple[str, ...], rows: Iterable[Mapping[str, Any]], fmt: ExportFormat
) -> Iterator[str]:
    if fmt is ExportFormat.NDJSON:
        for row in rows:
            yield json.dumps(row, ensure_ascii=False, default=_json_value) + "\n"
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    for count, row in enumerate(rows, start=1):
        writer.writerow({k: _cell(v) for k, v in row.items()})
        if count % 1_000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _json_value(value: object) -> object:
    return format_time(value) if isinstance(value, datetime) else str(value)


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "" if value is None else value


def _contacts(uow: UnitOfWork) -> tuple[tuple[str, ...], Iterator[dict[str, Any]]]:
    connection = uow.connection
    types = [t.id for t in catalog.list_types(connection) if t.channel is Channel.EMAIL]
    names = [EMAIL_OPTOUT, *(f"{EMAIL_OPTOUT}_{type_id}" for type_id in types)]
    computed = [computed_text(name) for name in names]
    columns = [
        expression.label(f"c{i}") for i, expression in enumerate(computed) if expression is not None
    ]
    # CSV needs every property name up front: one pass for the names, one for the rows.
    properties: set[str] = set()
    after = 0
    while page := exports.contact_page(connection, after, []):
        for row in page:
            properties.update(row.properties or {})
        after = page[-1].id
    header = ("hs_object_id", *sorted(properties), *names, "createdate", "lastmodifieddate")

    def rows() -> Iterator[dict[str, Any]]:
        after = 0
        while page := exports.contact_page(connection, after, columns):
            for row in page:
                values: dict[str, Any] = {"hs_object_id": str(row.id), **(row.properties or {})}
                mapping = row._mapping
                values.update({name: mapping[f"c{i}"] for i, name in enumerate(names)})
                values["createdate"] = format_instant(row.created_at)
                values["lastmodifieddate"] = format_instant(row.updated_at)
                yield values
            after = page[-1].id

    return header, rows()


STATUS_HEADER = (
    "channel",
    "address",
    "key",
    "subscription_type_id",
    "subscription_type",
    "business_unit_id",
    "status",
    "source",
    "legal_basis",
    "legal_basis_explanation",
    "occurred_at",
)


def _statuses(uow: UnitOfWork) -> Iterator[dict[str, Any]]:
    after = (0, 0)
    while page := exports.status_page(uow.connection, after):
        for row in page:
            yield {
                "channel": row.channel,
                "address": row.address,
                "key": row.key,
                "subscription_type_id": row.subscription_type_id,
                "subscription_type": row.type_name,
                "business_unit_id": row.business_unit_id,
                "status": row.status,
                "source": row.source,
                "legal_basis": row.legal_basis,
                "legal_basis_explanation": row.legal_basis_explanation,
                "occurred_at": row.occurred_at,
            }
        after = (page[-1].subscriber_id, page[-1].subscription_type_id)
    after_wide = 0
    while wide := exports.wide_page(uow.connection, after_wide, opted_out_only=False):
        for row in wide:
            yield {
                "channel": row.channel,
                "address": row.address,
                "key": row.key,
                "subscription_type": f"ALL ({row.wide_type})",
                "business_unit_id": row.business_unit_id,
                "status": "UNSUBSCRIBED" if row.opted_out else "NOT_SPECIFIED",
                "source": row.source,
                "occurred_at": row.occurred_at,
            }
        after_wide = wide[-1].subscriber_id


SUPPRESSION_HEADER = (
    "list",
    "channel",
    "address",
    "key",
    "reason",
    "scope",
    "since",
    "source",
)


def _suppression(uow: UnitOfWork) -> Iterator[dict[str, Any]]:
    """Every reason an address must not be sent to: unsubscribed from all (per scope), from one
    type, and deliverability suppressions."""
    connection = uow.connection
    after = 0
    while wide := exports.wide_page(connection, after, opted_out_only=True):
        for row in wide:
            scope = "account" if row.wide_type == "PORTAL_WIDE" else f"unit:{row.business_unit_id}"
            yield _listed(row, "UNSUBSCRIBED_FROM_ALL", scope, row.occurred_at, row.source)
        after = wide[-1].subscriber_id
    after_pair = (0, 0)
    while page := exports.unsubscribed_page(connection, after_pair):
        for row in page:
            scope = f"type:{row.subscription_type_id}"
            yield _listed(row, "UNSUBSCRIBED", scope, row.occurred_at, row.source)
        after_pair = (page[-1].subscriber_id, page[-1].subscription_type_id)
    after_entry = 0
    while facts := exports.suppression_page(connection, after_entry):
        for row in facts:
            yield _listed(row, row.kind, "all", row.created_at, "SUPPRESSION")
        after_entry = facts[-1].ledger_id


def _listed(row: Any, reason: str, scope: str, since: datetime, source: str) -> dict[str, Any]:
    return {
        "list": "SUPPRESSION",
        "channel": row.channel,
        "address": row.address,
        "key": row.key,
        "reason": reason,
        "scope": scope,
        "since": since,
        "source": source,
    }


def _ledger(
    uow: UnitOfWork, since: datetime | None, until: datetime | None
) -> Iterator[dict[str, Any]]:
    after = 0
    while page := exports.ledger_page(uow.connection, after, since, until):
        for row in page:
            mapping = row._mapping
            yield {name: mapping[name] for name in _LEDGER_FIELDS}
        after = page[-1].id


def receipt_document(engine: Engine, address: str, channel: Channel) -> dict[str, Any]:
    """One subscriber's consent receipt as a JSON-ready document: current statuses, wide
    opt-outs, suppressions, and every ledger entry with its hashes and notice text."""
    return _receipt(subscriber_receipt(engine, address, channel))


def _receipt(receipt: Receipt) -> dict[str, Any]:
    view = receipt.profile.statuses
    return {
        "receiptVersion": "1",
        "generatedAt": format_time(receipt.generated_at),
        "subscriber": {
            "channel": view.subscriber.channel.value,
            "key": view.subscriber.key,
            "address": view.subscriber.address,
        },
        "known": view.known,
        "unsubscribedFromAll": view.unsubscribed_from_all,
        "statuses": [
            {
                "subscriptionId": s.subscription_type.id,
                "name": s.subscription_type.name,
                "status": s.status.value,
                "source": s.source.value if s.source else None,
                "legalBasis": s.legal_basis.value if s.legal_basis else None,
                "legalBasisExplanation": s.legal_basis_explanation,
                "occurredAt": format_time(s.occurred_at) if s.occurred_at else None,
                "maySend": s.eligibility.allowed,
            }
            for s in view.statuses
        ],
        "wideOptOuts": [
            {
                "wideType": w.wide_type.value,
                "businessUnitId": w.business_unit_id,
                "source": w.source.value,
                "occurredAt": format_time(w.occurred_at),
            }
            for w in view.wide_opt_outs
        ],
        "suppressions": [
            {"kind": s.kind.value, "detail": s.detail, "since": format_time(s.created_at)}
            for s in receipt.profile.suppressions
        ],
        "entries": [
            {
                **{name: _cell_json(getattr(e.entry, name)) for name in _LEDGER_FIELDS},
                "notice_text": e.notice_text,
                "intact": e.intact,
            }
            for e in receipt.entries
        ],
    }


def _cell_json(value: object) -> object:
    return format_time(value) if isinstance(value, datetime) else value
