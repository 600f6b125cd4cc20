"""A phone channel's set-up: who sends (an SMS number or messaging service, a WhatsApp Business
number), through which provider, and the secret its webhooks are signed with.

Until a channel is set up its types take no opt-ins (domain.rulebook); setting it up creates
the channel's default types (`DEFAULT_TYPES`) the first time.
"""

import re
from dataclasses import dataclass, field

import phonenumbers

from consentry.domain.channels import Channel
from consentry.domain.errors import InvalidInput
from consentry.domain.subscription_types import TypeKind

SMS_PROVIDERS = ("twilio",)
WHATSAPP_PROVIDER = "whatsapp_cloud"
MIN_SECRET_LENGTH = 8
# Twilio messaging services are "MG" and 32 hex digits.
_MESSAGING_SERVICE = re.compile(r"MG[0-9a-fA-F]{32}")
_PHONE_NUMBER_ID = re.compile(r"[0-9]{5,30}")

DEFAULT_TYPES: dict[Channel, tuple[tuple[str, TypeKind, str], ...]] = {
    Channel.SMS: (("SMS Marketing", TypeKind.MARKETING, "Marketing text messages."),),
    Channel.WHATSAPP: (
        ("WhatsApp Marketing", TypeKind.MARKETING, "Marketing messages on WhatsApp."),
        (
            "WhatsApp Transactional",
            TypeKind.TRANSACTIONAL,
            "Order, account and service messages on WhatsApp.",
        ),
    ),
}


@dataclass(frozen=True)
class Program:
    """What the HELP reply names (CTIA): the program, where to get support, how often we text.
    None takes a plain default when the reply is written (domain.sms_replies)."""

    name: str | None = None
    support: str | None = None
    frequency: str | None = None


@dataclass(frozen=True)
class ChannelSetup:
    channel: Channel
    provider: str
    sender: str  # SMS: E.164 number or messaging-service id; WhatsApp: the phone-number id
    secret: str  # Twilio auth token / WhatsApp app secret
    verify_token: str | None = None
    program: Program = field(default_factory=Program)

    def masked(self) -> dict[str, str]:
        """The set-up as it may be shown: secrets cut to their last four characters."""
        shown = {"channel": self.channel.value, "provider": self.provider, "sender": self.sender}
        shown["secret"] = mask(self.secret)
        if self.verify_token is not None:
            shown["verify_token"] = mask(self.verify_token)
        return shown


def mask(secret: str) -> str:
    return "…" + secret[-4:] if len(secret) >= 12 else "…"


def program(name: str | None, support: str | None, frequency: str | None) -> Program:
    """The program's HELP details, each trimmed and at most its column's length."""
    limits = (("program_name", name, 100), ("support", support, 200), ("frequency", frequency, 100))
    for where, value, limit in limits:
        if value is not None and len(value.strip()) > limit:
            raise InvalidInput(f"The {where} is at most {limit} characters.", field=where)
    return Program(*((value or "").strip() or None for _, value, _ in limits))


def sms_setup(
    sender: str, secret: str, provider: str = "twilio", details: Program | None = None
) -> ChannelSetup:
    provider = provider.strip().lower()
    if provider not in SMS_PROVIDERS:
        raise InvalidInput(
            f"Unknown SMS provider {provider!r}; supported: {', '.join(SMS_PROVIDERS)}.",
            field="provider",
        )
    return ChannelSetup(
        Channel.SMS,
        provider,
        _sms_sender(sender),
        _secret(secret, "secret"),
        program=details or Program(),
    )


def whatsapp_setup(
    phone_number_id: str, verify_token: str, app_secret: str, details: Program | None = None
) -> ChannelSetup:
    number_id = phone_number_id.strip()
    if not _PHONE_NUMBER_ID.fullmatch(number_id):
        raise InvalidInput(
            f"{phone_number_id!r} is not a WhatsApp phone-number id (the digits Meta shows"
            " under API Setup).",
            field="phone_number_id",
        )
    return ChannelSetup(
        Channel.WHATSAPP,
        WHATSAPP_PROVIDER,
        number_id,
        _secret(app_secret, "app_secret"),
        _secret(verify_token, "verify_token"),
        details or Program(),
    )


def _sms_sender(sender: str) -> str:
    value = sender.strip()
    if _MESSAGING_SERVICE.fullmatch(value):
        return value
    try:
        parsed = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_possible_number(parsed):
        raise InvalidInput(
            f"{sender!r} is neither an E.164 number (+ and country code) nor a messaging"
            " service id (MG…).",
            field="sender",
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _secret(value: str, field: str) -> str:
    secret = value.strip()
    if len(secret) < MIN_SECRET_LENGTH or any(ch.isspace() for ch in secret):
        raise InvalidInput(
            f"The {field.replace('_', ' ')} must be at least {MIN_SECRET_LENGTH} characters"
            " without spaces.",
            field=field,
        )
    return secret
