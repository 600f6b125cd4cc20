"""The preference-page use cases on SQLite and PostgreSQL: what a save records, what an
unsubscribe link does on a retry, a held scanner click, and the double opt-in confirmation."""

from dataclasses import replace

import pytest
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Channel, Source, Status
from consentry.domain.links import InvalidLink, Purpose, seal
from consentry.services import preferences as prefs
from consentry.services.links import generate_links
from tests.integration.helpers import CUSTOMER_SERVICE, MARKETING, ONE_TO_ONE

SECRET = "p" * 48
ADDRESS = "lee@example.com"
VISIT = prefs.Visit("203.0.113.9", "Mozilla/5.0 Firefox/128.0", "de", "preferences")
NOTICE = "Mit dem Speichern stimmen Sie zu …"


def _page(engine: Engine, **link: object) -> prefs.PreferencePage:
    links = generate_links(engine, ADDRESS, Channel.EMAIL, secret=SECRET, public_url="https://x")
    token = links.manage_preferences_url.rsplit("/", 1)[1]
    claims = prefs.open_link(SECRET, token)
    if link:
        claims = replace(claims, **link)  # type: ignore[arg-type]
    return prefs.load_page(engine, claims, "de")


def _entries(engine: Engine) -> tuple[object, ...]:
    return services.history(engine, ADDRESS, Channel.EMAIL).entries


def test_an_unchanged_save_records_nothing(engine: Engine) -> None:
    page = _page(engine)
    ticked_now = [c.id for c in page.types if c.ticked]

    assert prefs.save_preferences(engine, page, ticked_now, VISIT, NOTICE) == []
    assert _entries(engine) == ()


def test_a_save_records_the_changed_boxes_with_the_visit(engine: Engine) -> None:
    page = _page(engine)  # data privacy mode off: types without a preference show ticked

    results = prefs.save_preferences(engine, page, [MARKETING, CUSTOMER_SERVICE], VISIT, NOTICE)

    ((result,),) = [results]
    assert result.subscription_type.id == ONE_TO_ONE
    assert result.status is Status.UNSUBSCRIBED
    (entry,) = services.history(engine, ADDRESS, Channel.EMAIL).entries
    assert entry.source == "PREFERENCE_CENTER"
    assert entry.evidence == {
        "ip": "203.0.113.9",
        "user_agent": "Mozilla/5.0 Firefox/128.0",
        "page": "preferences",
        "language": "de",
    }
    assert entry.notice_hash is not None


def test_a_type_translation_is_shown_in_the_contacts_language(engine: Engine) -> None:
    services.set_translation(engine, MARKETING, "de", "Werbung", "Angebote und Neuigkeiten.")

    choice = _page(engine).choice(MARKETING)

    assert choice is not None
    assert (choice.name, choice.description) == ("Werbung", "Angebote und Neuigkeiten.")


def test_archived_types_are_not_shown(engine: Engine) -> None:
    services.set_archived(engine, ONE_TO_ONE, True)

    assert [c.id for c in _page(engine).types] == [MARKETING, CUSTOMER_SERVICE]


def test_an_unsubscribe_link_retried_records_nothing_new(engine: Engine) -> None:
    page = _page(engine, purpose=Purpose.UNSUBSCRIBE_ALL)

    first = prefs.unsubscribe_by_link(engine, page.claims, VISIT, Source.ONE_CLICK)
    count = len(_entries(engine))
    again = prefs.unsubscribe_by_link(engine, page.claims, VISIT, Source.ONE_CLICK)

    assert first is not None and again is None
    assert len(_entries(engine)) == count


def test_a_held_click_changes_nothing_and_keeps_the_chain(engine: Engine) -> None:
    page = _page(engine, purpose=Purpose.UNSUBSCRIBE_ONE, subscription_type_id=MARKETING)

    prefs.hold_suspected_scanner(engine, page, VISIT)

    (entry,) = services.history(engine, ADDRESS, Channel.EMAIL).entries
    assert (entry.outcome, entry.refusal, entry.subscription_type_id) == (
        "REFUSED",
        "HELD_FOR_CONFIRMATION",
        MARKETING,
    )
    assert entry.evidence["suspected_automation"] is True
    assert services.verify_ledger(engine).ok
    assert prefs.load_page(engine, page.claims, "en").choice(MARKETING).status is (  # type: ignore[union-attr]
        Status.NOT_SPECIFIED
    )


def test_a_link_to_a_subscriber_that_is_gone_is_invalid(engine: Engine) -> None:
    page = _page(engine)
    claims = replace(page.claims, subscriber_id=page.claims.subscriber_id + 1000)

    with pytest.raises(InvalidLink):
        prefs.load_page(engine, claims, "en")


def test_a_forged_token_never_opens(engine: Engine) -> None:
    page = _page(engine)
    with pytest.raises(InvalidLink):
        prefs.open_link(SECRET, seal(page.claims, "another key" * 4))


def test_the_account_default_language_applies_when_nothing_is_asked(engine: Engine) -> None:
    services.set_setting(engine, "default_language", "ja")
    page = _page(engine)

    assert prefs.load_page(engine, page.claims, None).language == "ja"
    assert prefs.load_page(engine, page.claims, "fr").language == "fr"
