"""The rulebook's table (PRODUCT.md §2), cell by cell, plus footnote ¹ and the bulk WhatsApp rule.

The expected table below is copied from the spec, not from the code: each cell is checked by
asking `decide` for that transition from every source of that column.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from consentry.domain import (
    AccountSettings,
    ChangeRequest,
    Channel,
    CurrentState,
    Decision,
    LegalBasis,
    Outcome,
    Refusal,
    Source,
    Status,
    SuccessReason,
    Transition,
    decide,
)

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
SETTINGS = AccountSettings(sms_enabled=True, whatsapp_enabled=True)
DPM = AccountSettings(data_privacy_mode=True, sms_enabled=True, whatsapp_enabled=True)
BASIS = LegalBasis.LEGITIMATE_INTEREST_CLIENT
WHY = "Customer asked by phone on 3 May to get the newsletter again."

# PRODUCT.md §2, verbatim in meaning: yes / E (only with explanation) / LB (only with legal basis
# + explanation) / no / - (the source has no way to ask).
SPEC_TABLE = """
row               contact  user  api  v3   bulk  workflow  import
unsubscribe       yes      yes   yes  yes  yes   yes       yes
opt_in            yes      yes   yes  yes  yes   yes       yes
resubscribe       yes      LB    LB   no   no    no        no
withdraw_opt_out  yes      E     LB   no   no    no        no
withdraw_opt_in   yes      yes   yes  -    yes   yes       yes
set_wide          yes      yes   yes  -    yes   yes       yes
clear_wide        yes      LB    LB   no   no    no        no
"""

CONTACT_SOURCES = {
    Source.PREFERENCE_CENTER: Channel.EMAIL,
    Source.ONE_CLICK: Channel.EMAIL,
    Source.DOUBLE_OPT_IN: Channel.EMAIL,
    Source.SMS_KEYWORD: Channel.SMS,
    Source.WHATSAPP_KEYWORD: Channel.WHATSAPP,
}
COLUMNS: dict[str, tuple[Source, ...]] = {
    "contact": tuple(CONTACT_SOURCES),
    "user": (Source.USER,),
    "api": (Source.API,),
    "v3": (Source.API_V3,),
    "bulk": (Source.BULK,),
    "workflow": (Source.WORKFLOW,),
    "import": (Source.IMPORT,),
}
NON_CONTACT = (Source.USER, Source.API, Source.API_V3, Source.BULK, Source.WORKFLOW, Source.IMPORT)


@dataclass(frozen=True)
class Row:
    current: CurrentState
    requested: Status
    wide: bool
    transition: Transition
    reason: SuccessReason
    forbidden: Refusal | None  # the refusal of a "no" cell


SUB, NS, UNSUB = Status.SUBSCRIBED, Status.NOT_SPECIFIED, Status.UNSUBSCRIBED
CHANGED = SuccessReason.REQUESTED_CHANGE_OCCURRED
TR = Transition

# fmt: off
ROWS = {
    #                        current                 requested wide   transition
    #                        success reason                     refusal of a "no" cell
    "unsubscribe":      Row(CurrentState(SUB, T0),   UNSUB,    False, TR.UNSUBSCRIBE,
                            CHANGED,                            None),
    "opt_in":           Row(CurrentState(NS),        SUB,      False, TR.OPT_IN,
                            CHANGED,                            None),
    "resubscribe":      Row(CurrentState(UNSUB, T0), SUB,      False, TR.RESUBSCRIBE,
                            SuccessReason.RESUBSCRIBE_OCCURRED, Refusal.RESUBSCRIBE_FORBIDDEN),
    "withdraw_opt_out": Row(CurrentState(UNSUB, T0), NS,       False, TR.WITHDRAW_OPT_OUT,
                            CHANGED,                            Refusal.OPT_OUT_PROTECTED),
    "withdraw_opt_in":  Row(CurrentState(SUB, T0),   NS,       False, TR.WITHDRAW_OPT_IN,
                            CHANGED,                            None),
    "set_wide":         Row(CurrentState(NS),        UNSUB,    True,  TR.SET_WIDE,
                            SuccessReason.UNSUBSCRIBE_FROM_ALL_OCCURRED, None),
    "clear_wide":       Row(CurrentState(UNSUB, T0), SUB,      True,  TR.CLEAR_WIDE,
                            CHANGED,                            Refusal.CLEAR_WIDE_FORBIDDEN),
}
# fmt: on

# What a refusal's message must talk about, so a user reading it knows why.
MENTIONS = {
    Refusal.RESUBSCRIBE_FORBIDDEN: "subscribe",  # v3 says "cannot subscribe an unsubscribed"
    Refusal.OPT_OUT_PROTECTED: "opt-out",
    Refusal.CLEAR_WIDE_FORBIDDEN: "unsubscribe from all",
    Refusal.LEGAL_BASIS_REQUIRED: "legal basis",
    Refusal.EXPLANATION_REQUIRED: "explanation",
    Refusal.BULK_WHATSAPP: "whatsapp",
    Refusal.UNSUPPORTED: "cannot",
}
V3_RESUBSCRIBE_MESSAGE = "You cannot subscribe an unsubscribed address."


def channel_for(source: Source) -> Channel:
    return CONTACT_SOURCES.get(source, Channel.EMAIL)


def ask(
    row: Row,
    source: Source,
    *,
    basis: LegalBasis | None = None,
    why: str | None = None,
    settings: AccountSettings = SETTINGS,
    channel: Channel | None = None,
) -> Decision:
    request = ChangeRequest(
        channel=channel or channel_for(source),
        requested=row.requested,
        source=source,
        wide=row.wide,
        legal_basis=basis,
        explanation=why,
    )
    return decide(request, row.current, settings)


def assert_refused(decision: Decision, refusal: Refusal) -> None:
    assert decision.outcome is Outcome.REFUSED, decision
    assert decision.refusal is refusal
    assert not decision.applied
    assert decision.message.strip()
    assert MENTIONS.get(refusal, "").lower() in decision.message.lower(), decision.message


def assert_applied(decision: Decision, row: Row) -> None:
    assert decision.outcome is Outcome.APPLIED, decision
    assert decision.applied
    assert decision.refusal is None
    assert decision.message.strip()
    assert decision.transition is row.transition
    assert decision.reason is row.reason


def _cells() -> list[tuple[str, str, str]]:
    lines = [line.split() for line in SPEC_TABLE.strip().splitlines()]
    header, body = lines[0][1:], lines[1:]
    return [
        (cells[0], column, rule)
        for cells in body
        for column, rule in zip(header, cells[1:], strict=True)
    ]


CELLS = [
    pytest.param(row, source, rule, id=f"{row}-{source.value}-{rule}")
    for row, column, rule in _cells()
    for source in COLUMNS[column]
]


def test_the_table_covers_seven_rows_and_seven_columns() -> None:
    cells = _cells()
    assert len(cells) == 49
    assert {row for row, _, _ in cells} == set(ROWS)
    assert {column for _, column, _ in cells} == set(COLUMNS)


@pytest.mark.parametrize(("row_name", "source", "rule"), CELLS)
def test_cell_without_legal_basis_or_explanation(row_name: str, source: Source, rule: str) -> None:
    row = ROWS[row_name]
    decision = ask(row, source)
    if rule == "yes":
        assert_applied(decision, row)
        assert decision.legal_basis is None
    elif rule == "E":
        assert_refused(decision, Refusal.EXPLANATION_REQUIRED)
    elif rule == "LB":
        assert_refused(decision, Refusal.LEGAL_BASIS_REQUIRED)
        missing = decision.message.lower().rsplit(":", 1)[-1]
        assert "legal basis" in missing and "explanation" in missing, decision.message
    elif rule == "no":
        assert row.forbidden is not None
        assert_refused(decision, row.forbidden)
    else:
        assert_refused(decision, Refusal.UNSUPPORTED)


@pytest.mark.parametrize(("row_name", "source", "rule"), CELLS)
def test_cell_with_legal_basis_and_explanation(row_name: str, source: Source, rule: str) -> None:
    row = ROWS[row_name]
    decision = ask(row, source, basis=BASIS, why=WHY)
    if rule in ("yes", "E", "LB"):
        assert_applied(decision, row)
        assert decision.legal_basis is BASIS
    elif rule == "no":
        assert row.forbidden is not None
        assert_refused(decision, row.forbidden)
    else:
        assert_refused(decision, Refusal.UNSUPPORTED)


ONLY_WITH = [
    pytest.param(row, source, rule, id=f"{row}-{source.value}-{rule}")
    for row, column, rule in _cells()
    if rule in ("E", "LB")
    for source in COLUMNS[column]
]


@pytest.mark.parametrize(("row_name", "source", "rule"), ONLY_WITH)
def test_only_with_cells_name_what_is_missing(row_name: str, source: Source, rule: str) -> None:
    row = ROWS[row_name]
    basis_only = ask(row, source, basis=BASIS)
    explanation_only = ask(row, source, why=WHY)
    blank_explanation = ask(row, source, basis=BASIS, why="   ")
    if rule == "E":
        # "only with explanation": the explanation is what counts, a legal basis is not needed.
        assert_applied(explanation_only, row)
        assert_refused(basis_only, Refusal.EXPLANATION_REQUIRED)
        assert_refused(blank_explanation, Refusal.EXPLANATION_REQUIRED)
        return
    assert_refused(basis_only, Refusal.LEGAL_BASIS_REQUIRED)
    assert "explanation" in basis_only.message.rsplit(":", 1)[-1]
    assert "legal basis" not in basis_only.message.rsplit(":", 1)[-1]
    assert_refused(explanation_only, Refusal.LEGAL_BASIS_REQUIRED)
    assert "legal basis" in explanation_only.message.rsplit(":", 1)[-1]
    assert "explanation" not in explanation_only.message.rsplit(":", 1)[-1]
    assert_refused(blank_explanation, Refusal.LEGAL_BASIS_REQUIRED)


FORBIDDEN_WHO = {Source.BULK: "bulk", Source.WORKFLOW: "workflow", Source.IMPORT: "import"}


@pytest.mark.parametrize("source", list(FORBIDDEN_WHO), ids=lambda s: s.value)
@pytest.mark.parametrize("row_name", ["resubscribe", "withdraw_opt_out", "clear_wide"])
def test_refusals_name_who_was_refused(row_name: str, source: Source) -> None:
    decision = ask(ROWS[row_name], source, basis=BASIS, why=WHY)
    assert FORBIDDEN_WHO[source] in decision.message.lower(), decision.message


@pytest.mark.parametrize("basis", [None, BASIS], ids=["plain", "with-basis"])
def test_v3_resubscribe_answers_hubspots_exact_message(basis: LegalBasis | None) -> None:
    decision = ask(ROWS["resubscribe"], Source.API_V3, basis=basis, why=WHY if basis else None)
    assert_refused(decision, Refusal.RESUBSCRIBE_FORBIDDEN)
    assert decision.message == V3_RESUBSCRIBE_MESSAGE


@pytest.mark.parametrize(
    "current",
    [
        CurrentState(Status.NOT_SPECIFIED),
        CurrentState(Status.SUBSCRIBED, T0),
        CurrentState(Status.SUBSCRIBED, T0, confirmed=False),
    ],
    ids=["from-not-specified", "from-subscribed", "from-unconfirmed"],
)
@pytest.mark.parametrize("source", [*CONTACT_SOURCES, *NON_CONTACT], ids=lambda s: s.value)
def test_anything_can_be_unsubscribed_by_every_source(
    current: CurrentState, source: Source
) -> None:
    request = ChangeRequest(channel_for(source), Status.UNSUBSCRIBED, source)
    decision = decide(request, current, SETTINGS)
    assert decision.outcome is Outcome.APPLIED
    assert decision.transition is Transition.UNSUBSCRIBE
    assert decision.reason is SuccessReason.REQUESTED_CHANGE_OCCURRED


def test_clearing_unsubscribe_from_all_with_not_specified_also_counts_as_clearing() -> None:
    request = ChangeRequest(Channel.EMAIL, Status.NOT_SPECIFIED, Source.WORKFLOW, wide=True)
    decision = decide(request, ROWS["clear_wide"].current, SETTINGS)
    assert_refused(decision, Refusal.CLEAR_WIDE_FORBIDDEN)
    contact = ChangeRequest(
        Channel.EMAIL, Status.NOT_SPECIFIED, Source.PREFERENCE_CENTER, wide=True
    )
    assert decide(contact, ROWS["clear_wide"].current, SETTINGS).transition is Transition.CLEAR_WIDE


def test_system_changes_carry_a_users_authority() -> None:
    # "Remove opt-outs added by users" is an admin action: it meets the user column's conditions.
    row = ROWS["withdraw_opt_out"]
    assert_refused(ask(row, Source.SYSTEM), Refusal.EXPLANATION_REQUIRED)
    assert_applied(ask(row, Source.SYSTEM, why="Reverting opt-outs a user added by mistake."), row)


# ---- Footnote ¹: data privacy mode -------------------------------------------------------------

OPT_IN_ROWS = ("opt_in", "resubscribe")


@pytest.mark.parametrize("source", NON_CONTACT, ids=lambda s: s.value)
def test_data_privacy_mode_requires_basis_and_explanation_for_opt_ins_by_others(
    source: Source,
) -> None:
    row = ROWS["opt_in"]
    for basis, why in ((None, None), (BASIS, None), (None, WHY), (BASIS, "  ")):
        decision = ask(row, source, basis=basis, why=why, settings=DPM)
        assert_refused(decision, Refusal.LEGAL_BASIS_REQUIRED)
        assert "data privacy mode" in decision.message.lower()
    decision = ask(row, source, basis=BASIS, why=WHY, settings=DPM)
    assert_applied(decision, row)
    assert decision.legal_basis is BASIS


@pytest.mark.parametrize("source", NON_CONTACT, ids=lambda s: s.value)
def test_without_data_privacy_mode_opt_ins_by_others_need_no_basis(source: Source) -> None:
    decision = ask(ROWS["opt_in"], source)
    assert_applied(decision, ROWS["opt_in"])
    assert decision.legal_basis is None


@pytest.mark.parametrize("row_name", OPT_IN_ROWS)
@pytest.mark.parametrize("source", list(CONTACT_SOURCES), ids=lambda s: s.value)
def test_contact_opt_ins_in_data_privacy_mode_record_consent_with_notice(
    source: Source, row_name: str
) -> None:
    row = ROWS[row_name]
    decision = ask(row, source, settings=DPM)
    assert_applied(decision, row)
    assert decision.legal_basis is LegalBasis.CONSENT_WITH_NOTICE
    assert ask(row, source).legal_basis is None  # outside data privacy mode nothing is invented


@pytest.mark.parametrize("row_name", ["unsubscribe", "withdraw_opt_in", "set_wide"])
@pytest.mark.parametrize(
    "source", [Source.USER, Source.BULK, Source.WORKFLOW, Source.IMPORT], ids=lambda s: s.value
)
def test_data_privacy_mode_asks_nothing_of_opt_outs(source: Source, row_name: str) -> None:
    row = ROWS[row_name]
    decision = ask(row, source, settings=DPM)
    assert_applied(decision, row)
    assert decision.legal_basis is None


# ---- WhatsApp cannot be changed in bulk ---------------------------------------------------------


@pytest.mark.parametrize("row_name", list(ROWS))
def test_bulk_edits_cannot_change_whatsapp(row_name: str) -> None:
    decision = ask(ROWS[row_name], Source.BULK, basis=BASIS, why=WHY, channel=Channel.WHATSAPP)
    assert_refused(decision, Refusal.BULK_WHATSAPP)
    assert "bulk" in decision.message.lower()


@pytest.mark.parametrize("row_name", ["unsubscribe", "opt_in", "set_wide"])
@pytest.mark.parametrize(
    "source",
    [Source.USER, Source.WORKFLOW, Source.API, Source.WHATSAPP_KEYWORD],
    ids=lambda s: s.value,
)
def test_whatsapp_can_be_changed_individually_by_workflow_api_and_keyword(
    source: Source, row_name: str
) -> None:
    row = ROWS[row_name]
    assert_applied(ask(row, source, channel=Channel.WHATSAPP), row)


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS], ids=lambda c: c.value)
def test_bulk_edits_can_change_email_and_sms(channel: Channel) -> None:
    for row_name in ("unsubscribe", "opt_in", "withdraw_opt_in", "set_wide"):
        row = ROWS[row_name]
        assert_applied(ask(row, Source.BULK, channel=channel), row)
