"""Subscriber identity (COMPLIANCE.md "Identifiers"): the key statuses are matched on, the address
kept for sending, and clear rejections of what cannot be a subscriber."""

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.domain import (
    Channel,
    InvalidAddress,
    InvalidInput,
    identifiers,
    normalise,
    normalise_email,
    normalise_phone,
)

# ---- Email --------------------------------------------------------------------------------------

EMAIL_KEYS = [
    pytest.param("jane@example.com", "jane@example.com", id="already-normal"),
    pytest.param("Jane.Doe@Example.COM", "jane.doe@example.com", id="lowercased"),
    pytest.param("  jane@example.com\t", "jane@example.com", id="surrounding-space-trimmed"),
    pytest.param("jane@Bücher.Example", "jane@xn--bcher-kva.example", id="idna-a-label"),
    pytest.param("jane@BÜCHER.example", "jane@xn--bcher-kva.example", id="idna-upper-u-label"),
    pytest.param("jane@xn--bcher-kva.example", "jane@xn--bcher-kva.example", id="a-label-kept"),
    pytest.param("Ünïcode@münchen.DE", "ünïcode@xn--mnchen-3ya.de", id="unicode-local-part"),
    pytest.param("ÅSA@example.com", "åsa@example.com", id="non-ascii-local-lowercased"),
]


@pytest.mark.parametrize(("raw", "key"), EMAIL_KEYS)
def test_email_key(raw: str, key: str) -> None:
    subscriber = normalise_email(raw)
    assert subscriber.channel is Channel.EMAIL
    assert subscriber.key == key


def test_the_local_part_is_matched_in_nfc() -> None:
    decomposed = "A\u030asa@example.com"  # "A" + combining ring above
    composed = "\u00c5sa@example.com"  # "Å"
    assert decomposed != composed
    key = normalise_email(decomposed).key
    assert key == normalise_email(composed).key
    assert unicodedata.is_normalized("NFC", key)
    assert key == "\u00e5sa@example.com"


def test_the_address_is_kept_as_given_for_sending() -> None:
    subscriber = normalise_email("  Jane.Doe@Bücher.Example ")
    assert subscriber.address == "Jane.Doe@Bücher.Example"
    assert subscriber.key == "jane.doe@xn--bcher-kva.example"


def test_addresses_differing_only_in_case_are_one_subscriber() -> None:
    keys = {
        normalise_email(raw).key
        for raw in ("JANE@EXAMPLE.COM", "jane@example.com", " Jane@Example.Com ")
    }
    assert keys == {"jane@example.com"}


def test_different_local_parts_stay_different_subscribers() -> None:
    # No provider-specific folding (dots, +tags): those are different addresses in general.
    assert normalise_email("jane.doe@example.com").key != normalise_email("janedoe@example.com").key
    assert normalise_email("jane+news@example.com").key != normalise_email("jane@example.com").key


INVALID_EMAILS = [
    pytest.param("", "empty", id="empty"),
    pytest.param("   ", "empty", id="blank"),
    pytest.param("jane.example.com", "@-sign", id="no-at-sign"),
    pytest.param("@example.com", "before the @-sign", id="no-local-part"),
    pytest.param("jane@", "after the @-sign", id="no-domain"),
    pytest.param("jane@@example.com", "invalid characters", id="two-at-signs"),
    pytest.param("jane doe@example.com", "invalid characters", id="space-in-local-part"),
    pytest.param("jane@exa_mple.com", "invalid characters", id="underscore-in-domain"),
    pytest.param("jane@localhost", "period", id="domain-without-dot"),
    pytest.param("jane@" + "b" * 250 + ".com", "too long", id="domain-too-long"),
    pytest.param(
        "j" * 64 + "@" + ("b" * 60 + ".") * 3 + "com" * 4, "too long", id="address-too-long"
    ),
    pytest.param("j" * 310 + "@example.com", "longer than 320", id="over-320-characters"),
]


@pytest.mark.parametrize(("raw", "problem"), INVALID_EMAILS)
def test_invalid_emails_are_rejected_naming_the_problem(raw: str, problem: str) -> None:
    with pytest.raises(InvalidAddress) as caught:
        normalise_email(raw)
    error = caught.value
    assert isinstance(error, InvalidInput)  # the API answers 400 for it
    assert error.field == "email"
    assert problem.lower() in error.message.lower(), error.message
    assert str(error) == error.message


def test_the_rejection_quotes_the_address_given() -> None:
    with pytest.raises(InvalidAddress, match=re.escape("'jane@@example.com'")):
        normalise_email("jane@@example.com")


# ---- Phone --------------------------------------------------------------------------------------

PHONES = [
    pytest.param("(202) 555-0143", "US", "+12025550143", id="us-national"),
    pytest.param("2025550143", "US", "+12025550143", id="us-digits"),
    pytest.param("+1 202-555-0143", "GB", "+12025550143", id="international-ignores-region"),
    pytest.param("020 7946 0018", "GB", "+442079460018", id="gb-national"),
    pytest.param("+44 20 7946 0018", "US", "+442079460018", id="gb-international"),
    pytest.param("  +44 (0)20 7946 0018 ", "GB", "+442079460018", id="trunk-zero-and-spaces"),
    pytest.param("030 1234567", "DE", "+49301234567", id="de-national"),
]


@pytest.mark.parametrize(("raw", "region", "e164"), PHONES)
@pytest.mark.parametrize("channel", [Channel.SMS, Channel.WHATSAPP], ids=lambda c: c.value)
def test_phone_key_is_e164_in_the_default_region(
    raw: str, region: str, e164: str, channel: Channel
) -> None:
    subscriber = normalise_phone(raw, channel, region)
    assert subscriber.key == e164
    assert subscriber.channel is channel
    assert subscriber.address == raw.strip()
    digits = e164.removeprefix("+")
    assert digits.isdigit() and len(digits) <= 15


def test_the_same_national_number_means_different_subscribers_in_different_regions() -> None:
    us = normalise_phone("202 555 0143", Channel.SMS, "US").key
    with pytest.raises(InvalidAddress):
        normalise_phone("202 555 0143", Channel.SMS, "GB")
    assert us == "+12025550143"


INVALID_PHONES = [
    pytest.param("", "empty", id="empty"),
    pytest.param("   ", "empty", id="blank"),
    pytest.param("call me", "not seem to be a phone number", id="words"),
    pytest.param("123", "not a valid number", id="too-short"),
    pytest.param("555-0143", "not a valid number", id="missing-area-code"),
    pytest.param("+1 202 555 01433", "not a valid number", id="one-digit-too-many"),
    pytest.param("+1234567890123456", "not a valid number", id="sixteen-digits"),
    pytest.param("+99 1234567", "plus-sign", id="unknown-country-code"),
    pytest.param("1" * 300, "too long", id="too-long-input"),
]


@pytest.mark.parametrize(("raw", "problem"), INVALID_PHONES)
def test_invalid_phones_are_rejected_naming_the_problem(raw: str, problem: str) -> None:
    with pytest.raises(InvalidAddress) as caught:
        normalise_phone(raw, Channel.SMS)
    assert caught.value.field == "phone"
    assert problem.lower() in caught.value.message.lower(), caught.value.message


def test_an_invalid_national_number_names_the_default_region() -> None:
    with pytest.raises(InvalidAddress, match="default region GB"):
        normalise_phone("07700 90012", Channel.SMS, "GB")


# ---- Per channel --------------------------------------------------------------------------------


def test_normalise_picks_the_rules_of_the_channel() -> None:
    assert normalise(" Jane@Example.com ", Channel.EMAIL).key == "jane@example.com"
    assert normalise("(202) 555-0143", Channel.SMS).key == "+12025550143"
    assert normalise("020 7946 0018", Channel.WHATSAPP, "GB").key == "+442079460018"
    with pytest.raises(InvalidAddress):
        normalise("jane@example.com", Channel.SMS)
    with pytest.raises(InvalidAddress):
        normalise("+12025550143", Channel.EMAIL)


def test_sms_and_whatsapp_are_different_subscribers_for_one_number() -> None:
    sms = normalise("+12025550143", Channel.SMS)
    whatsapp = normalise("+12025550143", Channel.WHATSAPP)
    assert sms.key == whatsapp.key
    assert sms != whatsapp


# The plain-ASCII fast path must give exactly the full check's answer: the same key, or a
# refusal wherever the full check refuses.
_ASCII_PARTS = st.text(alphabet="abcXYZ09._+-!#%'@", min_size=0, max_size=12)
_DOMAINS = st.sampled_from(
    [
        "x.com",
        "Example.ORG",
        "b\u00fccher.de",
        "localhost",
        "a..b.com",
        "-a.com",
        "x.invalid",
        "xn--bcher-kva.de",
        "a.b",
        "mail.test",
        "1.2.3.4",
        "co",
        "x" * 64 + ".com",
    ]
)


@settings(max_examples=400, deadline=None)
@given(local=_ASCII_PARTS, domain=_DOMAINS)
def test_the_fast_path_answers_as_the_full_check(local: str, domain: str) -> None:
    raw = f"{local}@{domain}"
    try:
        expected = identifiers._fully_checked(raw)
    except InvalidAddress:
        expected = None
    try:
        actual = identifiers.normalise_email(raw)
    except InvalidAddress:
        actual = None
    assert actual == expected


@settings(max_examples=400, deadline=None)
@given(local=_ASCII_PARTS, domain=_DOMAINS)
def test_the_list_key_is_the_subscriber_key(local: str, domain: str) -> None:
    raw = f" {local}@{domain}"
    try:
        expected: str | None = normalise_email(raw).key
    except InvalidAddress:
        expected = None
    try:
        actual: str | None = identifiers.email_key(raw)
    except InvalidAddress:
        actual = None
    assert actual == expected
