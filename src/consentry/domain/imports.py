"""The rules of reading an import file: which column is what, what a cell says, which rows are
bad. Pure: the services read the file and hand these functions its header and cells.

Two kinds of import:
- an opt-out list: one address column (Email, or a phone column for SMS and WhatsApp);
- contacts and statuses: contact properties, one status column per subscription type, and
  optionally the row's original time, legal basis and explanation.
Columns are recognised by header name; `--map "Header=target"` names any others.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from consentry.domain.channels import Channel
from consentry.domain.contact_properties import EMAIL, check_writable
from consentry.domain.errors import InvalidInput
from consentry.domain.legal_basis import LegalBasis
from consentry.domain.statuses import Status

EMAIL_HEADERS = frozenset({"email", "e-mail", "email address", "e-mail address", "emailaddress"})
PHONE_HEADERS = frozenset(
    {"phone", "phone number", "mobile", "mobilephone", "mobile phone", "sms", "whatsapp"}
)
OCCURRED_AT = "occurred_at"
LEGAL_BASIS = "legal_basis"
EXPLANATION = "explanation"
_SPECIAL_HEADERS = {
    "occurred_at": OCCURRED_AT,
    "occurred at": OCCURRED_AT,
    "timestamp": OCCURRED_AT,
    "legal_basis": LEGAL_BASIS,
    "legal basis": LEGAL_BASIS,
    "explanation": EXPLANATION,
    "legal basis explanation": EXPLANATION,
}
_STATUS_TARGET = re.compile(r"\Astatus:([0-9]{1,9})\Z")

# What a status cell may say (case and surrounding spaces ignored); empty means "leave it".
_STATUS_WORDS = {
    "subscribed": Status.SUBSCRIBED,
    "opted in": Status.SUBSCRIBED,
    "opt in": Status.SUBSCRIBED,
    "opt-in": Status.SUBSCRIBED,
    "unsubscribed": Status.UNSUBSCRIBED,
    "opted out": Status.UNSUBSCRIBED,
    "opt out": Status.UNSUBSCRIBED,
    "opt-out": Status.UNSUBSCRIBED,
    "not_specified": Status.NOT_SPECIFIED,
    "not specified": Status.NOT_SPECIFIED,
    "not selected": Status.NOT_SPECIFIED,
}


class BadRow(Exception):
    """One row that cannot be taken; the reason goes to the result file with its line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _folded(header: str) -> str:
    return " ".join(header.replace("\ufeff", "").strip().lower().split())


def address_column(headers: Sequence[str], channel: Channel) -> int:
    """The column holding the addresses of an opt-out list for the channel."""
    wanted = EMAIL_HEADERS if channel is Channel.EMAIL else PHONE_HEADERS
    for index, header in enumerate(headers):
        if _folded(header) in wanted:
            return index
    what = "an Email column" if channel is Channel.EMAIL else "a Phone column"
    found = ", ".join(repr(h) for h in headers) or "no columns"
    raise InvalidInput(
        f"The file has no address column: expected {what} for {channel.value}"
        f" (headers found: {found}).",
        field="file",
    )


def parse_map(options: Sequence[str]) -> dict[str, str]:
    """`--map` options "Header=target" as {folded header: target}."""
    mapping: dict[str, str] = {}
    for option in options:
        header, sep, target = option.partition("=")
        if not sep or not header.strip() or not target.strip():
            raise InvalidInput(
                f"--map {option!r}: write it as HEADER=TARGET, e.g. 'E-mail=email' or"
                " 'Newsletter=status:1'.",
                field="map",
            )
        mapping[_folded(header)] = target.strip()
    return mapping


@dataclass(frozen=True)
class ColumnPlan:
    """What each column of a contacts-and-statuses file holds."""

    email: int
    properties: Mapping[int, str] = field(default_factory=dict)  # column -> property name
    statuses: Mapping[int, int] = field(default_factory=dict)  # column -> subscription type id
    occurred_at: int | None = None
    legal_basis: int | None = None
    explanation: int | None = None


def plan_columns(
    headers: Sequence[str], mapping: Mapping[str, str], type_names: Mapping[str, int]
) -> ColumnPlan:
    """Name every column: by `--map`, by header (email, a special column, a subscription type's
    name or "status:ID"), else a contact property of the header's name."""
    email: int | None = None
    plan: dict[str, dict[int, object]] = {"properties": {}, "statuses": {}}
    special: dict[str, int] = {}
    names = {_folded(name): type_id for name, type_id in type_names.items()}
    for index, header in enumerate(headers):
        folded = _folded(header)
        target = mapping.get(folded, folded)
        kind, value = _target(target, names, header)
        if kind == "email":
            email = index
        elif kind == "special":
            special[str(value)] = index
        elif kind == "status":
            plan["statuses"][index] = value
        elif kind == "property":
            plan["properties"][index] = value
    if email is None:
        raise InvalidInput(
            "The file has no email column (a header named Email, or --map 'HEADER=email').",
            field="file",
        )
    return ColumnPlan(
        email=email,
        properties={i: str(v) for i, v in plan["properties"].items()},
        statuses={i: int(str(v)) for i, v in plan["statuses"].items()},
        occurred_at=special.get(OCCURRED_AT),
        legal_basis=special.get(LEGAL_BASIS),
        explanation=special.get(EXPLANATION),
    )


def _target(target: str, type_names: Mapping[str, int], header: str) -> tuple[str, object]:
    folded = _folded(target)
    if folded in EMAIL_HEADERS or folded == EMAIL:
        return "email", None
    if folded in _SPECIAL_HEADERS:
        return "special", _SPECIAL_HEADERS[folded]
    status = _STATUS_TARGET.match(folded)
    if status:
        return "status", int(status.group(1))
    if folded in type_names:
        return "status", type_names[folded]
    if folded in ("", "ignore", "-"):
        return "ignore", None
    name = target.strip() if target.strip() != folded else folded.replace(" ", "_")
    try:
        check_writable(name, f"column {header!r}")
    except InvalidInput as error:
        raise InvalidInput(
            f"{error.message} Name the column with --map 'HEADER=property',"
            " 'HEADER=status:TYPE_ID' or 'HEADER=ignore'.",
            field="map",
        ) from None
    return "property", name


def check_legal_basis_columns(plan: ColumnPlan, data_privacy_mode: bool) -> None:
    """With data privacy mode on, a file that sets statuses must say on what legal basis."""
    if (
        data_privacy_mode
        and plan.statuses
        and (plan.legal_basis is None or plan.explanation is None)
    ):
        raise InvalidInput(
            "Data privacy mode is on: a file with status columns needs legal_basis and"
            " explanation columns (the legal basis and explanation of each row's consent).",
            field="file",
        )


def parse_status(cell: str) -> Status | None:
    """A status cell: None when empty (the row leaves that type alone)."""
    text = _folded(cell)
    if not text:
        return None
    status = _STATUS_WORDS.get(text)
    if status is None:
        raise BadRow(
            f"Unknown status {cell.strip()!r}: use SUBSCRIBED, NOT_SPECIFIED or UNSUBSCRIBED."
        )
    return status


def parse_occurred_at(cell: str) -> datetime | None:
    """The row's original time: ISO 8601 (UTC unless it says otherwise) or Unix milliseconds."""
    text = cell.strip()
    if not text:
        return None
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadRow(
            f"Invalid time {text!r}: use ISO 8601 (2024-05-01T10:00:00Z) or Unix milliseconds."
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def parse_legal_basis(cell: str) -> LegalBasis | None:
    text = cell.strip()
    if not text:
        return None
    for basis in LegalBasis:
        if text.upper() == basis.value or text.lower() == basis.label.lower():
            return basis
    raise BadRow(
        f"Unknown legal basis {text!r}: use one of " + ", ".join(b.value for b in LegalBasis) + "."
    )


def is_blank(cells: Sequence[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def cell(cells: Sequence[str], index: int | None) -> str:
    """The cell at `index`; a short row reads as empty cells."""
    if index is None or index >= len(cells):
        return ""
    return cells[index]
