"""The rules of reading import files, as tables: columns, status cells, times, legal bases."""

from datetime import UTC, datetime

import pytest

from consentry.domain import Channel, InvalidInput, LegalBasis, Status
from consentry.domain.imports import (
    BadRow,
    ColumnPlan,
    address_column,
    check_legal_basis_columns,
    is_blank,
    parse_legal_basis,
    parse_map,
    parse_occurred_at,
    parse_status,
    plan_columns,
)

TYPES = {"Marketing Information": 1, "One to One": 2}


@pytest.mark.parametrize(
    ("headers", "channel", "column"),
    [
        (["Email"], Channel.EMAIL, 0),
        (["\ufeffE-Mail Address"], Channel.EMAIL, 0),
        (["Name", "email"], Channel.EMAIL, 1),
        (["Name", "Mobile Phone"], Channel.SMS, 1),
        (["WhatsApp", "Email"], Channel.WHATSAPP, 0),
    ],
)
def test_the_address_column(headers: list[str], channel: Channel, column: int) -> None:
    assert address_column(headers, channel) == column


def test_no_address_column_names_what_was_found() -> None:
    with pytest.raises(
        InvalidInput, match=r"expected a Phone column for SMS \(headers found: 'Email'\)"
    ):
        address_column(["Email"], Channel.SMS)


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("SUBSCRIBED", Status.SUBSCRIBED),
        (" opted in ", Status.SUBSCRIBED),
        ("Opt-Out", Status.UNSUBSCRIBED),
        ("unsubscribed", Status.UNSUBSCRIBED),
        ("Not selected", Status.NOT_SPECIFIED),
        ("NOT_SPECIFIED", Status.NOT_SPECIFIED),
        ("", None),
        ("   ", None),
    ],
)
def test_status_cells(cell: str, status: Status | None) -> None:
    assert parse_status(cell) is status


@pytest.mark.parametrize("cell", ["maybe", "yes", "1"])
def test_unknown_status_cells_are_bad_rows(cell: str) -> None:
    with pytest.raises(BadRow, match="Unknown status"):
        parse_status(cell)


@pytest.mark.parametrize(
    ("cell", "moment"),
    [
        ("2024-01-01T10:00:00Z", datetime(2024, 1, 1, 10, tzinfo=UTC)),
        ("2024-01-01 10:00:00", datetime(2024, 1, 1, 10, tzinfo=UTC)),
        ("2024-01-01T12:00:00+02:00", datetime(2024, 1, 1, 10, tzinfo=UTC)),
        ("1704103200000", datetime(2024, 1, 1, 10, tzinfo=UTC)),
        ("", None),
    ],
)
def test_original_times(cell: str, moment: datetime | None) -> None:
    assert parse_occurred_at(cell) == moment


def test_a_bad_time_is_a_bad_row() -> None:
    with pytest.raises(BadRow, match="Invalid time 'yesterday'"):
        parse_occurred_at("yesterday")


@pytest.mark.parametrize(
    ("cell", "basis"),
    [
        ("LEGITIMATE_INTEREST_CLIENT", LegalBasis.LEGITIMATE_INTEREST_CLIENT),
        ("Performance of a contract", LegalBasis.PERFORMANCE_OF_CONTRACT),
        ("", None),
    ],
)
def test_legal_basis_cells(cell: str, basis: LegalBasis | None) -> None:
    assert parse_legal_basis(cell) is basis


def test_columns_by_header_and_by_map() -> None:
    headers = ["E-mail", "First Name", "Marketing Information", "status:2", "When", "Notes"]
    mapping = parse_map(["first name=firstname", "When=occurred_at", "Notes=ignore"])

    plan = plan_columns(headers, mapping, TYPES)

    assert plan == ColumnPlan(
        email=0, properties={1: "firstname"}, statuses={2: 1, 3: 2}, occurred_at=4
    )


@pytest.mark.parametrize(
    ("headers", "options", "message"),
    [
        (["Name"], [], "no email column"),
        (["email", "hs_object_id"], [], "read-only"),
        (["email", "x"], ["x=hs_email_optout"], "computed"),
        (["email"], ["email"], "HEADER=TARGET"),
    ],
)
def test_columns_that_cannot_be_imported(
    headers: list[str], options: list[str], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        plan_columns(headers, parse_map(options), TYPES)


@pytest.mark.parametrize(
    ("privacy", "plan", "refused"),
    [
        (False, ColumnPlan(email=0, statuses={1: 1}), False),
        (True, ColumnPlan(email=0), False),
        (True, ColumnPlan(email=0, statuses={1: 1}), True),
        (True, ColumnPlan(email=0, statuses={1: 1}, legal_basis=2), True),
        (True, ColumnPlan(email=0, statuses={1: 1}, legal_basis=2, explanation=3), False),
    ],
)
def test_data_privacy_mode_needs_legal_basis_columns(
    privacy: bool, plan: ColumnPlan, refused: bool
) -> None:
    if refused:
        with pytest.raises(InvalidInput, match="legal_basis and explanation"):
            check_legal_basis_columns(plan, privacy)
    else:
        check_legal_basis_columns(plan, privacy)


@pytest.mark.parametrize(("cells", "blank"), [([], True), (["", " "], True), (["", "x"], False)])
def test_blank_rows(cells: list[str], blank: bool) -> None:
    assert is_blank(cells) is blank
