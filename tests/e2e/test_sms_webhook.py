"""Twilio's inbound SMS webhook through a real server, on SQLite and PostgreSQL: real-format
form bodies, valid and invalid signatures, TwiML replies, and what each keyword records."""

from collections.abc import Iterator

import httpx
import pytest

from consentry import services
from consentry.domain import Actor, ActorKind, Channel, Source, Status
from consentry.domain.webhook_signatures import twilio_signature
from tests.e2e.helpers import count, query
from tests.e2e.phone_channels import PUBLIC_URL, TWILIO_TOKEN, Phones, phones, twilio_fields

NUMBER = "+14155550123"
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@pytest.fixture
def sms(database_url: str) -> Iterator[Phones]:
    yield from phones(database_url)


def test_stop_opts_the_number_out_of_sms_only_and_replies_once(
    sms: Phones, database_url: str
) -> None:
    sms.opt_in(NUMBER, Channel.SMS, "SMS Marketing")
    sms.opt_in(NUMBER, Channel.WHATSAPP, "WhatsApp Marketing")
    assert sms.sendable(NUMBER, "SMS Marketing")

    answer = sms.twilio(twilio_fields(NUMBER, "Stop."))

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/xml")
    assert answer.text.startswith('<?xml version="1.0" encoding="UTF-8"?><Response><Message>')
    assert answer.text.count("<Message>") == 1
    assert "unsubscribed" in answer.text and "Acme Alerts" in answer.text
    assert sms.status(NUMBER, Channel.SMS, "SMS Marketing") is Status.UNSUBSCRIBED
    assert not sms.sendable(NUMBER, "SMS Marketing")
    # SMS consent is never WhatsApp consent, nor is an SMS opt-out a WhatsApp one.
    assert sms.sendable(NUMBER, "WhatsApp Marketing")
    entries = query(
        database_url,
        "SELECT source, actor_kind, actor_id, evidence FROM ledger WHERE channel = 'SMS'"
        " AND outcome = 'APPLIED' AND new_status = 'UNSUBSCRIBED'",
    )
    assert entries
    source, actor_kind, actor_id, evidence = entries[0]
    assert (source, actor_kind, actor_id) == ("SMS_KEYWORD", "PROVIDER", "twilio")
    assert '"Stop."' in str(evidence) or "Stop." in str(evidence)
    assert "SM0123456789abcdef0123456789abcdef" in str(evidence)


@pytest.mark.parametrize(
    "signature", ["", "bm90IGEgc2lnbmF0dXJl", "wrong-secret"], ids=["missing", "garbage", "key"]
)
def test_a_bad_signature_answers_403_and_changes_nothing(
    sms: Phones, database_url: str, signature: str
) -> None:
    sms.opt_in(NUMBER, Channel.SMS, "SMS Marketing")
    before = count(database_url, "ledger")
    fields = twilio_fields(NUMBER, "STOP")
    if signature == "wrong-secret":
        answer = sms.twilio(fields, secret="not-the-auth-token")
    else:
        answer = sms.twilio(fields, signature=signature)

    assert answer.status_code == 403
    assert count(database_url, "ledger") == before
    assert sms.status(NUMBER, Channel.SMS, "SMS Marketing") is Status.SUBSCRIBED


def test_a_signature_over_other_fields_is_refused(sms: Phones, database_url: str) -> None:
    before = count(database_url, "ledger")
    signed_for = twilio_fields(NUMBER, "hello")

    signature = twilio_signature(
        TWILIO_TOKEN, PUBLIC_URL + "/webhooks/sms/twilio", signed_for.items()
    )
    answer = sms.twilio(twilio_fields(NUMBER, "STOP"), signature=signature)

    assert answer.status_code == 403
    assert count(database_url, "ledger") == before


def test_when_twilio_answered_already_the_reply_is_empty_but_the_opt_out_is_recorded(
    sms: Phones,
) -> None:
    sms.opt_in(NUMBER, Channel.SMS, "SMS Marketing")

    answer = sms.twilio(twilio_fields(NUMBER, "STOP", OptOutType="STOP"))

    assert answer.status_code == 200
    assert answer.text == EMPTY
    assert not sms.sendable(NUMBER, "SMS Marketing")


def test_help_names_program_support_opt_out_frequency_and_rates(sms: Phones) -> None:
    answer = sms.twilio(twilio_fields(NUMBER, " help "))

    assert answer.status_code == 200
    for part in ("Acme Alerts", "help@acme.example", "STOP", "Up to 4 msgs/month"):
        assert part in answer.text
    assert "Msg &amp; data rates may apply" in answer.text


def test_start_from_a_number_that_never_opted_in_creates_no_consent(
    sms: Phones, database_url: str
) -> None:
    before = count(database_url, "ledger")

    for body in ("START", "Yes", "UNSTOP"):
        answer = sms.twilio(twilio_fields(NUMBER, body))
        assert answer.status_code == 200
        assert "no subscription to restart" in answer.text

    assert sms.status(NUMBER, Channel.SMS, "SMS Marketing") is Status.NOT_SPECIFIED
    assert not sms.sendable(NUMBER, "SMS Marketing")
    assert count(database_url, "ledger") == before
    subscribed = query(database_url, "SELECT COUNT(*) FROM ledger WHERE new_status = 'SUBSCRIBED'")
    assert subscribed[0][0] == 0


def test_start_after_stop_restores_only_the_opt_in_there_was(
    sms: Phones, database_url: str
) -> None:
    other = "+14155550199"
    sms.opt_in(NUMBER, Channel.SMS, "SMS Marketing")
    sms.twilio(twilio_fields(NUMBER, "STOP"))
    sms.twilio(twilio_fields(other, "STOP"))  # never opted in

    back = sms.twilio(twilio_fields(NUMBER, "start"))
    other_back = sms.twilio(twilio_fields(other, "START"))

    assert "resubscribed" in back.text
    assert sms.sendable(NUMBER, "SMS Marketing")
    # Its keyword opt-out is lifted, but no consent is created and none is claimed.
    assert "no subscription to restart" in other_back.text
    assert sms.status(other, Channel.SMS, "SMS Marketing") is Status.NOT_SPECIFIED
    assert not sms.sendable(other, "SMS Marketing")


def test_start_does_not_lift_an_opt_out_made_another_way(sms: Phones) -> None:

    sms.opt_in(NUMBER, Channel.SMS, "SMS Marketing")
    provenance = services.Provenance(Source.USER, Actor(ActorKind.USER, "agent"))
    services.unsubscribe_all(sms.engine, NUMBER, Channel.SMS, None, provenance)

    answer = sms.twilio(twilio_fields(NUMBER, "START"))

    assert "no subscription to restart" in answer.text
    assert not sms.sendable(NUMBER, "SMS Marketing")


def test_a_plain_language_stop_opts_out_and_an_unclear_one_waits_for_review(
    sms: Phones, database_url: str
) -> None:
    sms.opt_in(NUMBER, Channel.SMS, "SMS Marketing")
    before = count(database_url, "ledger")

    unclear = sms.twilio(twilio_fields(NUMBER, "how do I stop these"))

    assert unclear.text == EMPTY
    assert count(database_url, "ledger") == before
    assert query(database_url, "SELECT address, body, resolution FROM review_items") == [
        (NUMBER, "how do I stop these", None)
    ]
    assert sms.sendable(NUMBER, "SMS Marketing")
    sms.twilio(twilio_fields(NUMBER, "how do I stop these"))  # Twilio retried: same MessageSid
    assert count(database_url, "review_items") == 1

    plain = sms.twilio(twilio_fields(NUMBER, "please stop texting me"))
    assert "<Message>" in plain.text
    assert not sms.sendable(NUMBER, "SMS Marketing")


def test_an_ordinary_message_changes_nothing_and_gets_no_reply(
    sms: Phones, database_url: str
) -> None:
    before = count(database_url, "ledger")
    answer = sms.twilio(twilio_fields(NUMBER, "don't stop the deals"))
    assert answer.text == EMPTY
    assert count(database_url, "ledger") == before
    assert count(database_url, "review_items") == 0


def test_the_webhooks_are_documented_without_a_bearer_token(sms: Phones) -> None:
    paths = httpx.get(sms.base_url + "/openapi.json").json()["paths"]
    for path, method in (
        ("/webhooks/sms/twilio", "post"),
        ("/webhooks/whatsapp", "get"),
        ("/webhooks/whatsapp", "post"),
    ):
        operation = paths[path][method]
        assert operation["tags"] == ["Webhooks"]
        assert "security" not in operation
        assert "403" in operation["responses"]


def test_a_twilio_whatsapp_sender_is_a_whatsapp_subscriber_not_an_sms_one(sms: Phones) -> None:
    sms.opt_in(NUMBER, Channel.SMS, "SMS Marketing")
    sms.opt_in(NUMBER, Channel.WHATSAPP, "WhatsApp Marketing")

    answer = sms.twilio(twilio_fields(f"whatsapp:{NUMBER}", "STOP", To=f"whatsapp:{NUMBER}"))

    assert answer.status_code == 200
    assert not sms.sendable(NUMBER, "WhatsApp Marketing")
    assert sms.sendable(NUMBER, "SMS Marketing")
