"""Hostile addresses and text (issue 11): whatever a caller sends, the normalisers either give a
key that can be stored and matched, or refuse with InvalidAddress naming the field. Look-alike
(homoglyph) domains never share a key with the domain they imitate; IDN domains are accepted
and keyed in their ASCII (punycode) form, so every path that keys an address agrees.
"""

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from consentry.domain import Channel, InvalidAddress, InvalidInput, normalise_email, normalise_phone
from consentry.domain.contact_properties import check_text
from consentry.domain.identifiers import email_key

HIDDEN = ["\x00", "\u202e", "\u202d", "\u200b", "\u200d", "\ufeff", "\ud800", "\udfff", "\x07"]
# Latin letters and the Cyrillic letters drawn the same.
HOMOGLYPHS = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441"}
SETTINGS = settings(max_examples=300, derandomize=True, deadline=None, database=None)

any_text = st.text(
    alphabet=st.characters(codec=None, exclude_categories=()), min_size=0, max_size=80
)


def _storable(key: str) -> bool:
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in key


@SETTINGS
@given(raw=any_text)
@example(raw="jane@p\u0430ypal.com")
@example(raw="\ud800@example.com")
def test_any_text_is_keyed_or_refused_as_an_address(raw: str) -> None:
    try:
        subscriber = normalise_email(raw)
    except InvalidAddress as error:
        assert error.field == "email"
        return
    assert _storable(subscriber.key) and _storable(subscriber.address)
    assert normalise_email(subscriber.key).key == subscriber.key  # a key keys to itself
    assert email_key(raw) == subscriber.key  # the list fast path agrees with the full check


@SETTINGS
@given(raw=any_text)
@example(raw="+1 202 555 0143\x00")
def test_any_text_is_keyed_or_refused_as_a_phone_number(raw: str) -> None:
    try:
        subscriber = normalise_phone(raw, Channel.SMS, "US")
    except InvalidAddress as error:
        assert error.field == "phone"
        return
    assert subscriber.key.startswith("+") and subscriber.key[1:].isdigit()
    assert _storable(subscriber.address)


@SETTINGS
@given(
    local=st.from_regex(r"[a-z][a-z0-9.]{0,10}[a-z0-9]", fullmatch=True).filter(
        lambda s: ".." not in s
    ),
    hidden=st.sampled_from(HIDDEN),
    where=st.integers(min_value=0),
)
def test_a_hidden_character_anywhere_in_an_address_is_refused(
    local: str, hidden: str, where: int
) -> None:
    address = f"{local}@example.com"
    at = where % (len(address) + 1)
    with pytest.raises(InvalidAddress) as caught:
        normalise_email(address[:at] + hidden + address[at:])
    assert caught.value.field == "email"
    with pytest.raises(InvalidAddress) as caught:
        phone = "+1 202 555 0143"
        at = where % (len(phone) + 1)
        normalise_phone(phone[:at] + hidden + phone[at:], Channel.WHATSAPP)
    assert caught.value.field == "phone"


@SETTINGS
@given(
    label=st.from_regex(r"[a-z]{2,12}", fullmatch=True).filter(
        lambda s: any(ch in HOMOGLYPHS for ch in s)
    ),
    which=st.integers(min_value=0),
)
@example(label="paypal", which=1)
def test_a_homoglyph_domain_is_another_subscriber_keyed_in_punycode(label: str, which: int) -> None:
    swappable = [i for i, ch in enumerate(label) if ch in HOMOGLYPHS]
    i = swappable[which % len(swappable)]
    lookalike = label[:i] + HOMOGLYPHS[label[i]] + label[i + 1 :]
    try:
        imitation = normalise_email(f"jane@{lookalike}.com").key
    except InvalidAddress:
        return  # refusing a look-alike is safe too
    genuine = normalise_email(f"jane@{label}.com").key
    assert imitation != genuine
    assert imitation.isascii() and "@xn--" in imitation  # stored and compared as an A-label
    assert email_key(f"jane@{lookalike}.com") == imitation


IDN_FORMS = [
    # IDNA's own mapping: full-width letters are the same domain in DNS, so the same key.
    pytest.param("jane@\uff50aypal.com", "jane@paypal.com", id="full-width-letter-is-the-domain"),
    pytest.param("jane@P\u0430YPAL.com", "jane@xn--pypal-4ve.com", id="cyrillic-a-uppercase-rest"),
    pytest.param("jane@xn--pypal-4ve.com", "jane@xn--pypal-4ve.com", id="punycode-given"),
    pytest.param("j\u0430ne@example.com", "j\u0430ne@example.com", id="cyrillic-in-local-part"),
]


@pytest.mark.parametrize(("raw", "key"), IDN_FORMS)
def test_idn_and_look_alike_forms(raw: str, key: str) -> None:
    assert normalise_email(raw).key == key
    assert normalise_email(raw).key != "jane@paypal.com" or "\uff50" in raw


@SETTINGS
@given(value=any_text)
@example(value="a\x00b")
@example(value="a\udc00b")
@example(value="\u202egnp.exe")
def test_free_text_is_stored_exactly_or_refused_naming_the_field(value: str) -> None:
    try:
        kept = check_text(value, "properties.firstname")
    except InvalidInput as error:
        assert error.field == "properties.firstname"
        assert "\x00" in value or not _storable(value)
        return
    assert kept == value  # direction overrides and zero-width characters are kept as given
    assert _storable(kept)
