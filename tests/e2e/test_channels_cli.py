"""Channel set-up through the real `consentry` command: the default phone types appear, opt-ins
go through afterwards (and not before), and secrets are never printed in full."""

from consentry.domain import Channel
from tests.e2e.helpers import Cli, ok, one_line, table, type_ids

PHONE = "+14155550123"
TWILIO_TOKEN = "twilio-auth-token-0123456789abcdef"
APP_SECRET = "meta-app-secret-fedcba9876543210"


def test_sms_setup_creates_sms_marketing_and_lets_opt_ins_through(consentry: Cli) -> None:
    early = ok(consentry("types", "create", "Alerts", "--channel", "SMS"))
    assert "Alerts" in early
    refused = consentry(
        "status", "set", PHONE, "--channel", "SMS", "--type", str(type_ids(consentry)["Alerts"]),
        "--status", "SUBSCRIBED",
    )  # fmt: skip
    assert refused.returncode == 1
    assert "not set up" in one_line(refused.stderr)

    done = ok(
        consentry("channels", "setup", "sms", "--sender", "+1 415 555 0100",
                  "--webhook-secret", TWILIO_TOKEN)
    )  # fmt: skip
    assert "SMS set up" in one_line(done)
    assert TWILIO_TOKEN not in done

    ids = type_ids(consentry)
    assert "SMS Marketing" in ids
    subscribed = ok(
        consentry("status", "set", PHONE, "--channel", "SMS", "--type", str(ids["SMS Marketing"]),
                  "--status", "SUBSCRIBED")
    )  # fmt: skip
    assert "SUBSCRIBED" in subscribed
    # The type created before set-up takes opt-ins now too.
    ok(
        consentry("status", "set", PHONE, "--channel", "SMS", "--type", str(ids["Alerts"]),
                  "--status", "SUBSCRIBED")
    )  # fmt: skip


def test_whatsapp_setup_creates_its_two_types_once_and_show_masks_secrets(consentry: Cli) -> None:
    args = ("channels", "setup", "whatsapp", "--phone-number-id", "106540352242922",
            "--verify-token", "verify-me-please", "--app-secret", APP_SECRET)  # fmt: skip
    ok(consentry(*args))
    ok(consentry(*args))  # again: the set-up is replaced, no second set of types

    rows = [row for row in table(ok(consentry("types", "list"))) if row["channel"] == "WHATSAPP"]
    assert sorted(row["name"] for row in rows) == ["WhatsApp Marketing", "WhatsApp Transactional"]
    shown = ok(consentry("channels", "show"))
    assert "106540352242922" in shown
    assert APP_SECRET not in shown and "verify-me-please" not in shown
    assert APP_SECRET[-4:] in shown
    assert ok(consentry("settings", "get", "whatsapp_enabled")).strip() == "true"
    assert ok(consentry("settings", "get", "sms_enabled")).strip() == "false"


def test_a_bad_sender_is_refused_naming_it_and_nothing_is_set_up(consentry: Cli) -> None:
    bad = consentry("channels", "setup", "sms", "--sender", "hello", "--webhook-secret",
                    TWILIO_TOKEN)  # fmt: skip
    assert bad.returncode == 2
    assert "E.164" in one_line(bad.stderr)
    assert "No phone channel is set up." in ok(consentry("channels", "show"))
    assert "SMS Marketing" not in type_ids(consentry)


def test_review_list_and_resolve_into_an_opt_out(consentry: Cli, database_url: str) -> None:
    from consentry.services.keywords import Inbound, handle_inbound
    from consentry.storage.engine import make_engine

    ok(consentry("channels", "setup", "sms", "--sender", "+14155550100",
                 "--webhook-secret", TWILIO_TOKEN))  # fmt: skip
    marketing = str(type_ids(consentry)["SMS Marketing"])
    ok(consentry("status", "set", PHONE, "--channel", "SMS", "--type", marketing,
                 "--status", "SUBSCRIBED"))  # fmt: skip
    engine = make_engine(database_url)
    try:
        handle_inbound(engine, Inbound(Channel.SMS, PHONE, "this is spam", "twilio", "SM9"))
    finally:
        engine.dispose()

    (row,) = table(ok(consentry("review", "list")))
    assert (row["number"], row["message"]) == (PHONE, "this is spam")
    neither = consentry("review", "resolve", row["id"])
    assert neither.returncode == 2
    ok(consentry("review", "resolve", row["id"], "--opt-out"))

    assert "Nothing to review." in ok(consentry("review", "list"))
    status = ok(consentry("status", "get", PHONE, "--channel", "SMS"))
    assert "UNSUBSCRIBED" in status
    again = consentry("review", "resolve", row["id"], "--dismiss")
    assert again.returncode == 2 and "already resolved" in one_line(again.stderr)
