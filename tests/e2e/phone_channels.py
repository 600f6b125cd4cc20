"""Shared set-up of the phone webhook tests: a migrated database with both channels set up,
a server behind a public URL, and signed provider requests."""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Actor, ActorKind, Channel, Source, Status
from consentry.domain.channel_setup import Program
from consentry.domain.webhook_signatures import twilio_signature, whatsapp_signature
from consentry.services import channels
from consentry.storage import migrate
from consentry.storage.engine import make_engine
from tests.e2e.server import running_server, server_config

PUBLIC_URL = "https://consent.example.com"
TWILIO_TOKEN = "twilio-auth-token-0123456789abcdef"
APP_SECRET = "meta-app-secret-fedcba9876543210"
VERIFY_TOKEN = "verify-token-42-abc"
PHONE_NUMBER_ID = "106540352242922"
SENDER = "+14155550100"
PROGRAM = Program("Acme Alerts", "help@acme.example", "Up to 4 msgs/month")


@dataclass
class Phones:
    base_url: str
    engine: Engine
    types: dict[str, int]

    def twilio(
        self, fields: dict[str, str], *, secret: str = TWILIO_TOKEN, signature: str | None = None
    ) -> httpx.Response:
        path = "/webhooks/sms/twilio"
        signed = twilio_signature(secret, PUBLIC_URL + path, fields.items())
        return httpx.post(
            self.base_url + path,
            content=urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Twilio-Signature": signed if signature is None else signature,
            },
        )

    def whatsapp(self, payload: dict[str, Any], *, secret: str = APP_SECRET) -> httpx.Response:
        body = json.dumps(payload).encode()
        return httpx.post(
            self.base_url + "/webhooks/whatsapp",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": whatsapp_signature(secret, body),
            },
        )

    def status(self, number: str, channel: Channel, type_name: str) -> Status:
        view = services.read_statuses(self.engine, number, channel)
        return next(s.status for s in view.statuses if s.subscription_type.name == type_name)

    def sendable(self, number: str, type_name: str) -> bool:
        return services.check_eligibility(self.engine, number, self.types[type_name]).allowed

    def opt_in(self, number: str, channel: Channel, type_name: str) -> None:
        provenance = services.Provenance(Source.USER, Actor(ActorKind.USER, "test"))
        change = services.StatusChange(
            number, channel, self.types[type_name], Status.SUBSCRIBED, provenance
        )
        assert services.set_status(self.engine, change).decision.applied


def phones(database_url: str) -> Iterator[Phones]:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    channels.setup_sms(engine, SENDER, TWILIO_TOKEN, details=PROGRAM)
    channels.setup_whatsapp(engine, PHONE_NUMBER_ID, VERIFY_TOKEN, APP_SECRET, details=PROGRAM)
    types = {t.name: t.id for t in services.list_types(engine)}
    try:
        with running_server(server_config(database_url, public_url=PUBLIC_URL)) as base_url:
            yield Phones(base_url, engine, types)
    finally:
        engine.dispose()


def twilio_fields(sender: str, body: str, **extra: str) -> dict[str, str]:
    """An inbound SMS as Twilio posts it."""
    fields = {
        "ToCountry": "US",
        "ToState": "CA",
        "SmsMessageSid": "SM0123456789abcdef0123456789abcdef",
        "NumMedia": "0",
        "ToCity": "SAN FRANCISCO",
        "FromZip": "94105",
        "SmsSid": "SM0123456789abcdef0123456789abcdef",
        "FromState": "CA",
        "SmsStatus": "received",
        "FromCity": "SAN FRANCISCO",
        "Body": body,
        "FromCountry": "US",
        "To": SENDER,
        "MessagingServiceSid": "MG0123456789abcdef0123456789abcdef",
        "ToZip": "94105",
        "NumSegments": "1",
        "MessageSid": "SM0123456789abcdef0123456789abcdef",
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    fields.update(extra)
    return fields


def whatsapp_payload(sender: str, message: dict[str, Any]) -> dict[str, Any]:
    """An inbound WhatsApp message as the Cloud API posts it (`sender` is the wa_id, no +)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "102290129340398",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550783881",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": "Kerry"}, "wa_id": sender}],
                            "messages": [
                                {
                                    "from": sender,
                                    "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQ",
                                    "timestamp": "1733212800",
                                    **message,
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
