"""The rulebook (PRODUCT.md §2): the one place that decides every status change.

`decide` is pure. Given what is asked, what is stored and the account's settings it answers
*applied*, *no change*, *stale* or *refused with a reason*; the services write that answer to the
ledger, refusals included. The table `RULES` is the rulebook's table, cell for cell.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from consentry.domain.account_settings import AccountSettings
from consentry.domain.channels import Channel
from consentry.domain.legal_basis import LegalBasis
from consentry.domain.sources import Authority, Source
from consentry.domain.statuses import Status


class Outcome(StrEnum):
    APPLIED = "APPLIED"
    NO_CHANGE = "NO_CHANGE"
    STALE = "STALE"
    REFUSED = "REFUSED"


class SuccessReason(StrEnum):
    """HubSpot's `setStatusSuccessReason`."""

    NO_STATUS_CHANGE = "NO_STATUS_CHANGE"
    REQUESTED_CHANGE_OCCURRED = "REQUESTED_CHANGE_OCCURRED"
    RESUBSCRIBE_OCCURRED = "RESUBSCRIBE_OCCURRED"
    UNSUBSCRIBE_FROM_ALL_OCCURRED = "UNSUBSCRIBE_FROM_ALL_OCCURRED"


class Refusal(StrEnum):
    RESUBSCRIBE_FORBIDDEN = "RESUBSCRIBE_FORBIDDEN"
    OPT_OUT_PROTECTED = "OPT_OUT_PROTECTED"
    CLEAR_WIDE_FORBIDDEN = "CLEAR_WIDE_FORBIDDEN"
    LEGAL_BASIS_REQUIRED = "LEGAL_BASIS_REQUIRED"
    EXPLANATION_REQUIRED = "EXPLANATION_REQUIRED"
    BULK_WHATSAPP = "BULK_WHATSAPP"
    TYPE_ARCHIVED = "TYPE_ARCHIVED"
    CHANNEL_NOT_ENABLED = "CHANNEL_NOT_ENABLED"
    UNSUPPORTED = "UNSUPPORTED"
    # A confirm-button POST that looked like a link scanner: not applied until the contact
    # confirms a second time (domain.scanners).
    HELD_FOR_CONFIRMATION = "HELD_FOR_CONFIRMATION"


class Transition(StrEnum):
    """The rows of the rulebook's table."""

    UNSUBSCRIBE = "UNSUBSCRIBE"  # anything -> UNSUBSCRIBED
    OPT_IN = "OPT_IN"  # NOT_SPECIFIED -> SUBSCRIBED
    RESUBSCRIBE = "RESUBSCRIBE"  # UNSUBSCRIBED -> SUBSCRIBED
    WITHDRAW_OPT_OUT = "WITHDRAW_OPT_OUT"  # UNSUBSCRIBED -> NOT_SPECIFIED
    WITHDRAW_OPT_IN = "WITHDRAW_OPT_IN"  # SUBSCRIBED -> NOT_SPECIFIED
    SET_WIDE = "SET_WIDE"  # set "unsubscribe from all"
    CLEAR_WIDE = "CLEAR_WIDE"  # clear "unsubscribe from all"


class Rule(StrEnum):
    """What one cell of the table asks of a request."""

    YES = "YES"
    NEEDS_EXPLANATION = "NEEDS_EXPLANATION"
    NEEDS_BASIS = "NEEDS_BASIS"  # a legal basis and an explanation
    NO = "NO"
    UNSUPPORTED = "UNSUPPORTED"  # the source has no way to ask for this ("—" in the table)


_C, _U, _A, _V3, _B, _W, _I = (
    Authority.CONTACT,
    Authority.USER,
    Authority.API,
    Authority.API_V3,
    Authority.BULK,
    Authority.WORKFLOW,
    Authority.IMPORT,
)


def _row(c: Rule, u: Rule, a: Rule, v3: Rule, b: Rule, w: Rule, i: Rule) -> dict[Authority, Rule]:
    return {_C: c, _U: u, _A: a, _V3: v3, _B: b, _W: w, _I: i}


Y, E, LB, N, X = Rule.YES, Rule.NEEDS_EXPLANATION, Rule.NEEDS_BASIS, Rule.NO, Rule.UNSUPPORTED

# Columns: contact, user on a record, API v4/native, API v3, bulk edit, workflow, import.
RULES: dict[Transition, dict[Authority, Rule]] = {
    Transition.UNSUBSCRIBE: _row(Y, Y, Y, Y, Y, Y, Y),
    Transition.OPT_IN: _row(Y, Y, Y, Y, Y, Y, Y),  # footnote 1: data privacy mode, below
    Transition.RESUBSCRIBE: _row(Y, LB, LB, N, N, N, N),
    Transition.WITHDRAW_OPT_OUT: _row(Y, E, LB, N, N, N, N),
    Transition.WITHDRAW_OPT_IN: _row(Y, Y, Y, X, Y, Y, Y),
    Transition.SET_WIDE: _row(Y, Y, Y, X, Y, Y, Y),
    Transition.CLEAR_WIDE: _row(Y, LB, LB, N, N, N, N),
}

_OPT_INS = frozenset({Transition.OPT_IN, Transition.RESUBSCRIBE})

_WHO = {
    _C: "The contact",
    _U: "A user",
    _A: "The API",
    _V3: "API v3",
    _B: "A bulk edit",
    _W: "A workflow",
    _I: "An import",
}


@dataclass(frozen=True)
class ChangeRequest:
    """One asked-for change: a type's status, or (with `wide`) the "unsubscribe from all" flag.

    For a wide change, `requested` UNSUBSCRIBED sets the flag and any other status clears it.
    """

    channel: Channel
    requested: Status
    source: Source
    wide: bool = False
    type_active: bool = True
    legal_basis: LegalBasis | None = None
    explanation: str | None = None
    occurred_at: datetime | None = None


@dataclass(frozen=True)
class CurrentState:
    """What is stored now for the target of a request.

    `status` is the type's own status, or for a wide change UNSUBSCRIBED while the flag is set.
    `wide_opt_out_at` is set, for a type change, when an "unsubscribe from all" covers the type.
    """

    status: Status = Status.NOT_SPECIFIED
    changed_at: datetime | None = None
    confirmed: bool = True
    wide_opt_out_at: datetime | None = None


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    message: str
    reason: SuccessReason | None = None
    refusal: Refusal | None = None
    transition: Transition | None = None
    clears_wide: bool = False
    legal_basis: LegalBasis | None = None
    awaiting_confirmation: bool = False

    @property
    def applied(self) -> bool:
        return self.outcome is Outcome.APPLIED


def decide(request: ChangeRequest, current: CurrentState, settings: AccountSettings) -> Decision:
    """Answer one change request. Pure: it reads nothing and writes nothing."""
    authority = request.source.authority
    if authority is Authority.BULK and request.channel is Channel.WHATSAPP:
        return _refuse(Refusal.BULK_WHATSAPP, "WhatsApp subscriptions cannot be changed in bulk.")

    transition, effective, since = _classify(request, current)
    if transition is None:
        return Decision(
            Outcome.NO_CHANGE,
            "No change: already in that state.",
            reason=SuccessReason.NO_STATUS_CHANGE,
        )
    if _is_stale(request, effective, since):
        return Decision(
            Outcome.STALE,
            "Not applied: a newer status is already recorded.",
            reason=SuccessReason.NO_STATUS_CHANGE,
            transition=transition,
        )
    if transition in _OPT_INS:
        refusal = _opt_in_blocker(request, settings)
        if refusal is not None:
            return refusal

    rule = RULES[transition][authority]
    if transition is Transition.OPT_IN and settings.data_privacy_mode and authority is not _C:
        rule = Rule.NEEDS_BASIS
    refusal = _check_rule(rule, transition, authority, request)
    if refusal is not None:
        return refusal
    return _apply(request, transition, current, settings)


def _classify(
    request: ChangeRequest, current: CurrentState
) -> tuple[Transition | None, Status, datetime | None]:
    """Which row of the table the request falls in, the status it replaces, and since when."""
    if request.wide:
        opted_out = current.status is Status.UNSUBSCRIBED
        setting = request.requested is Status.UNSUBSCRIBED
        if setting == opted_out:
            return None, current.status, current.changed_at
        return (
            (Transition.SET_WIDE if setting else Transition.CLEAR_WIDE),
            current.status,
            current.changed_at,
        )

    status, since = current.status, current.changed_at
    if request.requested is Status.SUBSCRIBED and current.wide_opt_out_at is not None:
        # A wide opt-out makes every type it covers opted out, whatever the type's own row says.
        status = Status.UNSUBSCRIBED
        since = max(filter(None, (since, current.wide_opt_out_at)))
    if request.requested is status:
        awaiting_double_opt_in = status is Status.SUBSCRIBED and not current.confirmed
        if awaiting_double_opt_in and request.source is Source.DOUBLE_OPT_IN:
            return Transition.OPT_IN, status, since
        return None, status, since
    if request.requested is Status.UNSUBSCRIBED:
        return Transition.UNSUBSCRIBE, status, since
    if request.requested is Status.SUBSCRIBED:
        opted_out = status is Status.UNSUBSCRIBED
        return (Transition.RESUBSCRIBE if opted_out else Transition.OPT_IN), status, since
    if status is Status.UNSUBSCRIBED:
        return Transition.WITHDRAW_OPT_OUT, status, since
    return Transition.WITHDRAW_OPT_IN, status, since


def _is_stale(request: ChangeRequest, replaced: Status, since: datetime | None) -> bool:
    """An older claim never overrides a newer status; on a tie, an opt-out wins."""
    if request.occurred_at is None or since is None:
        return False
    if request.occurred_at < since:
        return True
    if request.occurred_at == since:
        return replaced is Status.UNSUBSCRIBED and request.requested is not Status.UNSUBSCRIBED
    return False


def _opt_in_blocker(request: ChangeRequest, settings: AccountSettings) -> Decision | None:
    if not request.wide and not request.type_active:
        return _refuse(
            Refusal.TYPE_ARCHIVED, "This subscription type is archived and takes no new opt-ins."
        )
    if not settings.channel_enabled(request.channel):
        what = "an SMS sender" if request.channel is Channel.SMS else "a WhatsApp Business number"
        return _refuse(
            Refusal.CHANNEL_NOT_ENABLED,
            f"The {request.channel.value} channel is not set up: its types take no opt-ins"
            f" until {what} is connected.",
        )
    return None


def _check_rule(
    rule: Rule, transition: Transition, authority: Authority, request: ChangeRequest
) -> Decision | None:
    has_basis = request.legal_basis is not None
    has_explanation = bool(request.explanation and request.explanation.strip())
    if rule is Rule.YES:
        return None
    if rule is Rule.UNSUPPORTED:
        return _refuse(Refusal.UNSUPPORTED, f"{_WHO[authority]} cannot make this change.")
    if rule is Rule.NO:
        return _forbidden(transition, authority)
    if rule is Rule.NEEDS_EXPLANATION and not has_explanation:
        return _refuse(
            Refusal.EXPLANATION_REQUIRED,
            "An explanation is required to remove an opt-out the contact made.",
        )
    if rule is Rule.NEEDS_BASIS and not (has_basis and has_explanation):
        missing = " and ".join(
            name
            for name, present in (("legal basis", has_basis), ("explanation", has_explanation))
            if not present
        )
        return _refuse(
            Refusal.LEGAL_BASIS_REQUIRED, f"{_NEEDS_BASIS[transition]} (missing: {missing})."
        )
    return None


_NEEDS_BASIS = {
    Transition.OPT_IN: "Data privacy mode requires a legal basis and an explanation for an opt-in",
    Transition.RESUBSCRIBE: "Resubscribing an address that opted out needs a legal basis and an"
    " explanation",
    Transition.WITHDRAW_OPT_OUT: "Removing an opt-out needs a legal basis and an explanation",
    Transition.CLEAR_WIDE: 'Clearing "unsubscribe from all" needs a legal basis and an explanation',
}


def _forbidden(transition: Transition, authority: Authority) -> Decision:
    who = _WHO[authority]
    if transition is Transition.RESUBSCRIBE:
        if authority is _V3:
            return _refuse(
                Refusal.RESUBSCRIBE_FORBIDDEN, "You cannot subscribe an unsubscribed address."
            )
        return _refuse(
            Refusal.RESUBSCRIBE_FORBIDDEN, f"{who} cannot resubscribe an address that opted out."
        )
    if transition is Transition.CLEAR_WIDE:
        return _refuse(
            Refusal.CLEAR_WIDE_FORBIDDEN, f'{who} cannot clear an "unsubscribe from all".'
        )
    return _refuse(Refusal.OPT_OUT_PROTECTED, f"{who} cannot remove an opt-out.")


def _apply(
    request: ChangeRequest,
    transition: Transition,
    current: CurrentState,
    settings: AccountSettings,
) -> Decision:
    legal_basis = request.legal_basis
    opt_in = transition in _OPT_INS
    if (
        opt_in
        and legal_basis is None
        and settings.data_privacy_mode
        and request.source.authority is _C
    ):
        # The contact acted on a notice they were shown; the service stores that notice's text.
        legal_basis = LegalBasis.CONSENT_WITH_NOTICE
    reason = SuccessReason.REQUESTED_CHANGE_OCCURRED
    if transition is Transition.SET_WIDE:
        reason = SuccessReason.UNSUBSCRIBE_FROM_ALL_OCCURRED
    elif transition is Transition.RESUBSCRIBE:
        reason = SuccessReason.RESUBSCRIBE_OCCURRED
    awaiting = (
        opt_in
        and settings.double_opt_in
        and request.channel is Channel.EMAIL
        and request.source is not Source.DOUBLE_OPT_IN
        and legal_basis in (None, LegalBasis.CONSENT_WITH_NOTICE)
    )
    message = _APPLIED[transition]
    if awaiting:
        message = "Subscribed; awaiting the contact's double opt-in confirmation."
    return Decision(
        Outcome.APPLIED,
        message,
        reason=reason,
        transition=transition,
        clears_wide=opt_in and not request.wide and current.wide_opt_out_at is not None,
        legal_basis=legal_basis,
        awaiting_confirmation=awaiting,
    )


_APPLIED = {
    Transition.UNSUBSCRIBE: "Unsubscribed.",
    Transition.OPT_IN: "Subscribed.",
    Transition.RESUBSCRIBE: "Resubscribed.",
    Transition.WITHDRAW_OPT_OUT: "Opt-out removed; no preference is recorded now.",
    Transition.WITHDRAW_OPT_IN: "Opt-in removed; no preference is recorded now.",
    Transition.SET_WIDE: "Unsubscribed from all.",
    Transition.CLEAR_WIDE: '"Unsubscribe from all" cleared.',
}


def _refuse(refusal: Refusal, message: str) -> Decision:
    return Decision(Outcome.REFUSED, message, refusal=refusal)
