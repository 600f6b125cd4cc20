"""The phone channels' rules as tables: what START may lift and to what, the set-up's checks
and masking, and what the replies say."""

import pytest

from consentry.domain import Channel, Source, Status
from consentry.domain.channel_setup import Program, mask, sms_setup, whatsapp_setup
from consentry.domain.errors import InvalidInput
from consentry.domain.keywords import liftable, restored_status
from consentry.domain.sms_replies import Reply, reply_text

SMS, WA = Channel.SMS, Channel.WHATSAPP
KW, WKW, USER, PAGE = (
    Source.SMS_KEYWORD,
    Source.WHATSAPP_KEYWORD,
    Source.USER,
    Source.PREFERENCE_CENTER,
)


@pytest.mark.parametrize(
    ("channel", "wide_source", "type_source", "expected"),
    [
        (SMS, KW, KW, True),  # STOP made both: START lifts
        (SMS, None, KW, True),
        (SMS, None, USER, False),  # an agent's opt-out stays
        (SMS, KW, PAGE, False),
        (SMS, USER, KW, False),  # an "unsubscribe from all" made another way covers it
        (SMS, None, WKW, False),  # a WhatsApp keyword is not an SMS one
        (WA, WKW, WKW, True),
        (WA, None, KW, False),
        (SMS, None, None, False),
    ],
)
def test_start_lifts_only_a_keyword_opt_out_of_its_own_channel(
    channel: Channel, wide_source: Source | None, type_source: Source | None, expected: bool
) -> None:
    assert liftable(channel, wide_source, type_source) is expected


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Status.SUBSCRIBED, Status.SUBSCRIBED),
        (Status.NOT_SPECIFIED, Status.NOT_SPECIFIED),
        (Status.UNSUBSCRIBED, Status.NOT_SPECIFIED),
        (None, Status.NOT_SPECIFIED),  # never opted in: START creates nothing
    ],
)
def test_start_restores_what_stood_and_never_creates_an_opt_in(
    before: Status | None, after: Status
) -> None:
    assert restored_status(before) is after


@pytest.mark.parametrize(
    ("sender", "expected"),
    [
        ("+1 415 555 0100", "+14155550100"),
        ("+14155550100", "+14155550100"),
        ("MG0123456789abcdef0123456789abcdef", "MG0123456789abcdef0123456789abcdef"),
    ],
)
def test_an_sms_sender_is_a_number_or_a_messaging_service(sender: str, expected: str) -> None:
    assert sms_setup(sender, "a-long-secret").sender == expected


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: sms_setup("hello", "a-long-secret"), "sender"),
        (lambda: sms_setup("+14155550100", "short"), "secret"),
        (lambda: sms_setup("+14155550100", "a-long-secret", "nexmo"), "provider"),
        (lambda: whatsapp_setup("abc", "verify-token", "app-secret-1"), "phone_number_id"),
        (lambda: whatsapp_setup("106540352242922", "tiny", "app-secret-1"), "verify_token"),
        (lambda: whatsapp_setup("106540352242922", "verify-token", "has space s"), "app_secret"),
    ],
)
def test_a_bad_set_up_names_its_field(make: object, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        make()  # type: ignore[operator]
    assert error.value.field == field


def test_secrets_are_shown_masked() -> None:
    setup = whatsapp_setup("106540352242922", "verify-token-secret", "app-secret-abcdef123")
    shown = setup.masked()
    assert shown["secret"] == "…f123" and shown["verify_token"] == "…cret"
    assert "app-secret" not in str(shown)
    assert mask("short-one") == "…"  # too short to show any of it


def test_the_replies_say_what_ctia_asks() -> None:
    program = Program("Acme Alerts", "help@acme.example", "Up to 4 msgs/month")
    help_text = reply_text(Reply.HELP, program, "https://x") or ""
    for part in ("Acme Alerts", "help@acme.example", "STOP", "Up to 4 msgs/month"):
        assert part in help_text
    assert "Msg & data rates may apply" in help_text
    assert "https://x" in (reply_text(Reply.HELP, Program(), "https://x") or "")
    opt_out = reply_text(Reply.OPT_OUT, program, "https://x") or ""
    assert "unsubscribed" in opt_out and "%" not in opt_out and "offer" not in opt_out.lower()
    assert reply_text(Reply.NONE, program, "https://x") is None
