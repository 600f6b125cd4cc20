"""The providers' signatures: Twilio's published example, and WhatsApp's HMAC of the raw body."""

import hashlib
import hmac

from consentry.domain.webhook_signatures import (
    twilio_signature,
    twilio_valid,
    whatsapp_signature,
    whatsapp_valid,
)

# Twilio's documentation example ("Validating requests are coming from Twilio").
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = [
    ("CallSid", "CA1234567890ABCDE"),
    ("Caller", "+12349013030"),
    ("Digits", "1234"),
    ("From", "+12349013030"),
    ("To", "+18005551212"),
]


def test_twilio_signature_matches_the_documented_example() -> None:
    assert twilio_signature("12345", URL, PARAMS) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_twilio_params_are_sorted_by_name_whatever_order_they_came_in() -> None:
    assert twilio_valid("12345", URL, list(reversed(PARAMS)), "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")


def test_twilio_rejects_a_changed_param_url_secret_or_missing_signature() -> None:
    good = twilio_signature("12345", URL, PARAMS)
    assert not twilio_valid("12345", URL, [*PARAMS[:-1], ("To", "+18005551213")], good)
    assert not twilio_valid("12345", URL.replace("foo=1", "foo=2"), PARAMS, good)
    assert not twilio_valid("54321", URL, PARAMS, good)
    assert not twilio_valid("12345", URL, PARAMS, None)
    assert not twilio_valid("", URL, PARAMS, twilio_signature("", URL, PARAMS))


def test_whatsapp_signature_is_sha256_hmac_of_the_raw_body() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    expected = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    assert whatsapp_signature("app-secret", body) == expected
    assert whatsapp_valid("app-secret", body, expected)
    assert whatsapp_valid("app-secret", body, expected.upper().replace("SHA256=", "sha256="))
    assert not whatsapp_valid("app-secret", body + b" ", expected)
    assert not whatsapp_valid("other", body, expected)
    assert not whatsapp_valid("app-secret", body, None)
    assert not whatsapp_valid("app-secret", body, expected.removeprefix("sha256="))
