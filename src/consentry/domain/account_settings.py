"""The account's settings that the rules depend on, and how they are written as text."""

from dataclasses import dataclass, fields, replace
from typing import Any

import phonenumbers

from consentry.domain.channels import Channel
from consentry.domain.errors import InvalidInput
from consentry.domain.languages import SUPPORTED, match


@dataclass(frozen=True)
class AccountSettings:
    data_privacy_mode: bool = False
    business_units_enabled: bool = False
    double_opt_in: bool = False
    sms_enabled: bool = False
    whatsapp_enabled: bool = False
    default_phone_region: str = "US"
    # The language of the contact's pages and mail when neither the link nor the browser names
    # one we have (domain.languages.SUPPORTED).
    default_language: str = "en"

    def channel_enabled(self, channel: Channel) -> bool:
        if channel is Channel.SMS:
            return self.sms_enabled
        if channel is Channel.WHATSAPP:
            return self.whatsapp_enabled
        return True

    def with_value(self, key: str, text: str) -> "AccountSettings":
        """A copy with one setting changed, parsed from text (as the CLI and forms give it)."""
        changes: dict[str, Any] = {key: parse_value(key, text)}
        return replace(self, **changes)

    def as_text(self) -> dict[str, str]:
        return {f.name: format_value(getattr(self, f.name)) for f in fields(self)}


SETTING_KEYS = tuple(f.name for f in fields(AccountSettings))
_TRUE = {"true", "on", "yes", "1"}
_FALSE = {"false", "off", "no", "0"}


def parse_value(key: str, text: str) -> bool | str:
    if key not in SETTING_KEYS:
        raise InvalidInput(
            f"Unknown setting {key!r}; known settings: {', '.join(SETTING_KEYS)}.", field=key
        )
    default = getattr(AccountSettings(), key)
    value = text.strip()
    if isinstance(default, bool):
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise InvalidInput(f"Setting {key!r} takes true or false, not {text!r}.", field=key)
    if key == "default_phone_region":
        region = value.upper()
        if region not in phonenumbers.SUPPORTED_REGIONS:
            raise InvalidInput(
                f"Unknown region {text!r}; use a two-letter country code such as US or GB.",
                field=key,
            )
        return region
    if key == "default_language":
        language = match(value)
        if language is None:
            raise InvalidInput(
                f"Unknown language {text!r}; use one of: {', '.join(SUPPORTED)}.", field=key
            )
        return language
    return value


def format_value(value: bool | str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value
