"""The account's settings as text (the CLI and the settings forms): parsing, formatting, errors."""

import pytest

from consentry.domain import SETTING_KEYS, AccountSettings, Channel, InvalidInput
from consentry.domain.account_settings import format_value, parse_value

BOOLEAN_KEYS = [
    key for key in SETTING_KEYS if key not in ("default_phone_region", "default_language")
]


def test_defaults_are_off_and_us() -> None:
    assert AccountSettings().as_text() == {
        "data_privacy_mode": "false",
        "business_units_enabled": "false",
        "double_opt_in": "false",
        "sms_enabled": "false",
        "whatsapp_enabled": "false",
        "default_phone_region": "US",
        "default_language": "en",
    }


@pytest.mark.parametrize("text", ["true", "TRUE", "on", "Yes", "1", "  true  "])
@pytest.mark.parametrize("key", BOOLEAN_KEYS)
def test_switching_a_setting_on(key: str, text: str) -> None:
    settings = AccountSettings().with_value(key, text)
    assert getattr(settings, key) is True
    assert settings.as_text()[key] == "true"
    others = {k for k in SETTING_KEYS if k != key}
    assert {k: getattr(settings, k) for k in others} == {
        k: getattr(AccountSettings(), k) for k in others
    }


@pytest.mark.parametrize("text", ["false", "Off", "NO", "0"])
@pytest.mark.parametrize("key", BOOLEAN_KEYS)
def test_switching_a_setting_off(key: str, text: str) -> None:
    settings = AccountSettings(**{key: True}).with_value(key, text)  # type: ignore[arg-type]
    assert getattr(settings, key) is False
    assert settings.as_text()[key] == "false"


@pytest.mark.parametrize(("text", "region"), [("GB", "GB"), ("gb", "GB"), (" de ", "DE")])
def test_default_phone_region(text: str, region: str) -> None:
    settings = AccountSettings().with_value("default_phone_region", text)
    assert settings.default_phone_region == region
    assert settings.as_text()["default_phone_region"] == region


def test_text_round_trips() -> None:
    original = AccountSettings(data_privacy_mode=True, sms_enabled=True, default_phone_region="FR")
    rebuilt = AccountSettings()
    for key, text in original.as_text().items():
        rebuilt = rebuilt.with_value(key, text)
    assert rebuilt == original
    assert {
        key: parse_value(key, format_value(getattr(original, key))) for key in SETTING_KEYS
    } == {key: getattr(original, key) for key in SETTING_KEYS}


@pytest.mark.parametrize("key", ["dark_mode", "", "Data_Privacy_Mode", "data-privacy-mode"])
def test_an_unknown_setting_is_rejected_naming_it(key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        AccountSettings().with_value(key, "true")
    assert caught.value.field == key
    assert repr(key) in caught.value.message
    assert "data_privacy_mode" in caught.value.message  # and says which settings exist


@pytest.mark.parametrize("text", ["maybe", "", "2", "enabled", "tru"])
@pytest.mark.parametrize("key", BOOLEAN_KEYS)
def test_a_bad_switch_value_is_rejected_naming_the_setting(key: str, text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        AccountSettings().with_value(key, text)
    assert caught.value.field == key
    assert key in caught.value.message
    assert repr(text) in caught.value.message
    assert "true or false" in caught.value.message


@pytest.mark.parametrize("text", ["XX", "", "USA", "United Kingdom", "1"])
def test_an_unknown_region_is_rejected(text: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        AccountSettings().with_value("default_phone_region", text)
    assert caught.value.field == "default_phone_region"
    assert repr(text) in caught.value.message
    assert "two-letter country code" in caught.value.message


def test_a_rejected_value_leaves_the_settings_unchanged() -> None:
    settings = AccountSettings(sms_enabled=True)
    with pytest.raises(InvalidInput):
        settings.with_value("sms_enabled", "perhaps")
    assert settings.sms_enabled is True


@pytest.mark.parametrize(
    ("settings", "enabled"),
    [
        (AccountSettings(), {Channel.EMAIL}),
        (AccountSettings(sms_enabled=True), {Channel.EMAIL, Channel.SMS}),
        (AccountSettings(whatsapp_enabled=True), {Channel.EMAIL, Channel.WHATSAPP}),
    ],
    ids=["email-only", "sms-set-up", "whatsapp-connected"],
)
def test_which_channels_are_enabled(settings: AccountSettings, enabled: set[Channel]) -> None:
    assert {channel for channel in Channel if settings.channel_enabled(channel)} == enabled


@pytest.mark.parametrize(("text", "stored"), [("ja", "ja"), ("zh-tw", "zh-TW"), ("de-AT", "de")])
def test_the_default_language_is_one_we_have(text: str, stored: str) -> None:
    assert AccountSettings().with_value("default_language", text).default_language == stored


def test_an_unknown_default_language_is_refused() -> None:
    with pytest.raises(InvalidInput, match="Unknown language"):
        AccountSettings().with_value("default_language", "pt-BR")
