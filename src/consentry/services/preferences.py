"""Use cases of the contact's own pages: open a personal link, show the preference page, save
it, unsubscribe (from one type, from all, by one-click), hold a suspected scanner's click, and
confirm a double opt-in.

The contact is the actor of every change made here; each change carries the visit's evidence
(IP, user agent, page, language) and, for a save, the exact notice text the page showed.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, Engine

from consentry.domain import (
    Action,
    Actor,
    ActorKind,
    BusinessUnit,
    Outcome,
    Refusal,
    Source,
    Status,
    SubscriberId,
    SubscriptionType,
)
from consentry.domain.business_units import ACCENT_COLOR, LOGO_URL, PRIMARY_COLOR
from consentry.domain.languages import translation_keys
from consentry.domain.links import InvalidLink, LinkClaims, Purpose, open_token
from consentry.domain.preferences import changes, ticked
from consentry.domain.statuses import covers, wide_scope
from consentry.services.changes import (
    ChangeResult,
    InputError,
    Provenance,
    StatusChange,
    WideChange,
    WideResult,
)
from consentry.services.entries import entry_fields
from consentry.services.recorder import Recorder
from consentry.services.subscriptions import set_statuses
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.wide_opt_outs import set_wide_statuses, unsubscribe_all
from consentry.services.writing import utcnow
from consentry.storage import account_settings, catalog, statuses, subscribers
from consentry.storage.statuses import StatusRow, WideRow

CONTACT = Actor(ActorKind.CONTACT)


@dataclass(frozen=True)
class Visit:
    """Who is at the page: the evidence a change from it carries."""

    ip: str | None
    user_agent: str | None
    language: str
    page: str
    extra: Mapping[str, Any] = field(default_factory=dict)

    def evidence(self) -> dict[str, Any]:
        return {
            "ip": self.ip,
            "user_agent": self.user_agent,
            "page": self.page,
            "language": self.language,
            **self.extra,
        }


@dataclass(frozen=True)
class Brand:
    id: int
    name: str
    logo_url: str | None = None
    primary_color: str | None = None
    accent_color: str | None = None

    @classmethod
    def of(cls, unit: BusinessUnit) -> "Brand":
        branding = unit.branding
        return cls(
            unit.id,
            unit.name,
            branding.get(LOGO_URL),
            branding.get(PRIMARY_COLOR),
            branding.get(ACCENT_COLOR),
        )


@dataclass(frozen=True)
class TypeChoice:
    id: int
    name: str
    description: str
    purpose: str
    communication_method: str
    status: Status
    ticked: bool
    awaiting_confirmation: bool = False


@dataclass(frozen=True)
class PreferencePage:
    claims: LinkClaims
    subscriber: SubscriberId
    brand: Brand
    types: tuple[TypeChoice, ...]
    opted_out_of_all: bool
    data_privacy_mode: bool
    language: str = "en"
    business_units_enabled: bool = False

    def shown(self) -> dict[int, bool]:
        return {choice.id: choice.ticked for choice in self.types}

    def choice(self, type_id: int | None) -> TypeChoice | None:
        return next((choice for choice in self.types if choice.id == type_id), None)


def open_link(secret: str, token: str, *, today: date | None = None) -> LinkClaims:
    """The claims of a genuine personal link; InvalidLink otherwise (bad, forged or expired)."""
    return open_token(token, secret, today or utcnow().date())


def localised(type_: SubscriptionType, language: str) -> tuple[str, str]:
    """A type's name and description in `language`, from its own translations (else as named)."""
    by_code = {t.language_code: t for t in type_.translations}
    for key in translation_keys(language):
        found = by_code.get(key)
        if found:
            return found.name, found.description or type_.description
    return type_.name, type_.description


def load_page(engine: Engine, claims: LinkClaims, language: str | None) -> PreferencePage:
    """Everything the preference page shows, in one read transaction; `language` is the one the
    link or browser asked for (None: the account's default)."""
    with UnitOfWork(engine) as uow:
        return page_in(uow.connection, claims, language)


def page_in(connection: Connection, claims: LinkClaims, asked: str | None) -> PreferencePage:
    subscriber = subscribers.by_id(connection, claims.subscriber_id)
    unit = catalog.get_unit(connection, claims.business_unit_id)
    if subscriber is None or unit is None or subscriber.channel is not claims.channel:
        # The link was genuine, but what it names is gone: the contact sees a stale link.
        raise InvalidLink("This link is no longer valid.")
    settings = account_settings.load(connection)
    language = asked or settings.default_language
    types = [
        type_
        for type_ in catalog.list_types(
            connection,
            channel=claims.channel,
            business_unit_id=claims.business_unit_id,
            with_translations=True,
            active_only=True,
        )
        if not type_.is_internal
    ]
    rows = statuses.load(connection, [(claims.subscriber_id, t.id) for t in types])
    opted_out = _opted_out_of_all(statuses.load_wide(connection, [claims.subscriber_id]), unit.id)
    choices = []
    for type_ in types:
        row = rows.get((claims.subscriber_id, type_.id))
        status = row.status if row else Status.NOT_SPECIFIED
        name, description = localised(type_, language)
        choices.append(
            TypeChoice(
                type_.id,
                name,
                description,
                type_.purpose,
                type_.communication_method,
                status,
                ticked(status, opted_out, settings.data_privacy_mode),
                awaiting_confirmation=bool(
                    row and status is Status.SUBSCRIBED and not row.confirmed
                ),
            )
        )
    return PreferencePage(
        claims,
        subscriber,
        Brand.of(unit),
        tuple(choices),
        opted_out,
        settings.data_privacy_mode,
        language,
        settings.business_units_enabled,
    )


def _opted_out_of_all(rows: Iterable[WideRow], unit_id: int) -> bool:
    return any(
        row.opted_out and covers(row.wide_type, row.business_unit_id, unit_id) for row in rows
    )


def _provenance(source: Source, visit: Visit, notice_text: str | None = None) -> Provenance:
    return Provenance(source, CONTACT, evidence=visit.evidence(), notice_text=notice_text)


def save_preferences(
    engine: Engine,
    page: PreferencePage,
    now_ticked: Iterable[int],
    visit: Visit,
    notice_text: str,
) -> list[ChangeResult]:
    """Apply what the contact changed on the page (boxes compared with how they were shown),
    in one transaction; an unchanged page records nothing."""
    wanted = changes(page.shown(), now_ticked)
    provenance = _provenance(Source.PREFERENCE_CENTER, visit, notice_text)
    batch = [
        StatusChange(page.subscriber.address, page.claims.channel, type_id, status, provenance)
        for type_id, status in wanted.items()
    ]
    if not batch:
        return []
    return [r for r in set_statuses(engine, batch) if not isinstance(r, InputError)]


def unsubscribe_from_all(engine: Engine, page: PreferencePage, visit: Visit) -> WideResult:
    """The page's "Unsubscribe from all": of the link's unit with business units on, else of
    the account (a unit link made while business units were on still unsubscribes from all)."""
    wide_unit = page.claims.business_unit_id if page.business_units_enabled else None
    return unsubscribe_all(
        engine,
        page.subscriber.address,
        page.claims.channel,
        wide_unit,
        _provenance(Source.PREFERENCE_CENTER, visit),
    )


def unsubscribe_by_link(
    engine: Engine, claims: LinkClaims, visit: Visit, source: Source
) -> ChangeResult | WideResult | None:
    """What an unsubscribe link asks: one type (single-type link) or all. None when it is
    already in effect: a retried one-click records nothing new. Needs no page: the one-click
    POST reads only the subscriber and what already stands."""
    with UnitOfWork(engine) as uow:
        subscriber, wide_unit, in_effect = _link_state(uow.connection, claims)
    if in_effect:
        return None
    provenance = _provenance(source, visit)
    type_id = claims.subscription_type_id
    try:
        if claims.purpose is Purpose.UNSUBSCRIBE_ONE and type_id is not None:
            change = StatusChange(
                subscriber.address, claims.channel, type_id, Status.UNSUBSCRIBED, provenance
            )
            (result,) = set_statuses(engine, [change], before_commit=_unless_in_effect)
            if isinstance(result, InputError):
                raise result.error
            return result
        wide = WideChange(subscriber.address, claims.channel, wide_unit, True, provenance)
        (answer,) = set_wide_statuses(engine, [wide], before_commit=_unless_in_effect)
        if isinstance(answer, InputError):
            raise answer.error
        return answer
    except _InEffect:
        return None


class _InEffect(Exception):
    """A retry that overlapped the first POST found its unsubscribe already applied."""


def _unless_in_effect(_: Connection, answers: Sequence[object]) -> None:
    """The read above is outside the writing transaction, so a retry overlapping the first
    POST (another server process, or a second request in flight) passes it too. Under the
    ledger lock the rulebook then answers NO_CHANGE: roll that back, recording nothing."""
    for answer in answers:
        if isinstance(answer, ChangeResult | WideResult) and answer.decision.outcome is (
            Outcome.NO_CHANGE
        ):
            raise _InEffect()


def _link_state(
    connection: Connection, claims: LinkClaims
) -> tuple[SubscriberId, int | None, bool]:
    """The link's subscriber, the unit of its "unsubscribe from all" (None: the account) and
    whether what the link asks is already in effect."""
    subscriber = subscribers.by_id(connection, claims.subscriber_id)
    if subscriber is None or subscriber.channel is not claims.channel:
        raise InvalidLink("This link is no longer valid.")
    settings = account_settings.load(connection)
    wide_unit = claims.business_unit_id if settings.business_units_enabled else None
    type_id = claims.subscription_type_id
    if claims.purpose is Purpose.UNSUBSCRIBE_ONE and type_id is not None:
        key = (claims.subscriber_id, type_id)
        row = statuses.load(connection, [key]).get(key)
        return subscriber, wide_unit, row is not None and row.status is Status.UNSUBSCRIBED
    wide_type, unit_id = wide_scope(wide_unit, settings.business_units_enabled)
    in_effect = any(
        row.opted_out and row.wide_type is wide_type and row.business_unit_id == unit_id
        for row in statuses.load_wide(connection, [claims.subscriber_id])
    )
    return subscriber, wide_unit, in_effect


def hold_suspected_scanner(engine: Engine, page: PreferencePage, visit: Visit) -> int:
    """Record a held confirm-button POST (suspected automation): refused, nothing changed,
    awaiting the contact's second confirmation. Returns the ledger entry id."""
    claims = page.claims
    confirming = claims.purpose is Purpose.CONFIRM_OPT_IN
    source = Source.DOUBLE_OPT_IN if confirming else Source.PREFERENCE_CENTER
    requested = Status.SUBSCRIBED if confirming else Status.UNSUBSCRIBED
    provenance = Provenance(
        source, CONTACT, evidence={**visit.evidence(), "suspected_automation": True}
    )
    single = claims.subscription_type_id is not None and claims.purpose in _SINGLE_TYPE
    with UnitOfWork(engine, write=True) as uow:
        now = utcnow()
        old = _held_old_status(uow.connection, claims) if single else None
        settings = account_settings.load(uow.connection)
        wide_type, unit_id = wide_scope(
            claims.business_unit_id if settings.business_units_enabled else None,
            settings.business_units_enabled,
        )
        recorder = Recorder(uow.connection, uow.head, now)
        entry = recorder.record(
            **entry_fields(page.subscriber, claims.subscriber_id, provenance, now),
            action=(Action.SET_STATUS if single else Action.SET_WIDE).value,
            subscription_type_id=claims.subscription_type_id if single else None,
            wide_type=None if single else wide_type.value,
            business_unit_id=claims.business_unit_id if single else unit_id,
            old_status=(old or Status.NOT_SPECIFIED).value if single else None,
            requested_status=requested.value,
            new_status=(old or Status.NOT_SPECIFIED).value if single else None,
            outcome=Outcome.REFUSED.value,
            refusal=Refusal.HELD_FOR_CONFIRMATION.value,
            message="Held: the click looked like a link scanner (suspected automation);"
            " awaiting the contact's second confirmation.",
        )
        recorder.flush()
        uow.commit()
    return entry.id


_SINGLE_TYPE = frozenset({Purpose.UNSUBSCRIBE_ONE, Purpose.CONFIRM_OPT_IN})


def _held_old_status(connection: Connection, claims: LinkClaims) -> Status | None:
    assert claims.subscription_type_id is not None
    key = (claims.subscriber_id, claims.subscription_type_id)
    row: StatusRow | None = statuses.load(connection, [key]).get(key)
    return row.status if row else None


def confirm_opt_in(engine: Engine, page: PreferencePage, visit: Visit) -> ChangeResult:
    """The contact confirmed a double opt-in: recorded with source DOUBLE_OPT_IN (a repeat is
    answered NO_CHANGE by the rulebook)."""
    type_id = page.claims.subscription_type_id
    if type_id is None:
        raise InvalidLink("This link is not valid.")
    evidence = {**visit.extra, "confirmed_at": utcnow().isoformat()}
    visit = Visit(visit.ip, visit.user_agent, visit.language, visit.page, evidence)
    change = StatusChange(
        page.subscriber.address,
        page.claims.channel,
        type_id,
        Status.SUBSCRIBED,
        _provenance(Source.DOUBLE_OPT_IN, visit),
    )
    (result,) = set_statuses(engine, [change])
    if isinstance(result, InputError):
        raise result.error
    return result
