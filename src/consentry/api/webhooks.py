"""Provider webhooks (issue 8): Twilio's inbound SMS and the WhatsApp Cloud API.

No bearer token: each request is authenticated by the provider's signature over what it sent,
keyed with the secret stored at channel set-up. A missing or wrong signature answers 403 and
changes nothing. Parsing and the signature check live here; what a message means and what it
changes is `services.keywords`.
"""

import hmac
import json
from typing import Any
from xml.sax.saxutils import escape

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from consentry.api.dependencies import ConfigDep, EngineDep
from consentry.api.whatsapp_payload import inbound_messages
from consentry.domain import Channel
from consentry.domain.channel_setup import ChannelSetup
from consentry.domain.keywords import PROVIDER_INTENTS
from consentry.domain.sms_replies import reply_text
from consentry.domain.webhook_signatures import twilio_valid, whatsapp_valid
from consentry.services import channels
from consentry.services.keywords import Handled, Inbound, handle_inbound

router = APIRouter(prefix="/webhooks", tags=["Webhooks"])

TWIML = "application/xml"
_TWILIO_FIELDS = ("From", "To", "Body", "MessageSid", "AccountSid", "OptOutType", "NumMedia")
# Twilio's own fields kept as evidence besides the body and message id.
_TWILIO_EVIDENCE = ("To", "AccountSid", "MessagingServiceSid", "OptOutType", "FromCountry")

_TWILIO_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {name: {"type": "string"} for name in _TWILIO_FIELDS},
                "required": ["From", "Body"],
            }
        }
    },
}
_WHATSAPP_BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"type": "object"}}},
}
_403: dict[int | str, dict[str, Any]] = {
    403: {"description": "Bad or missing signature; nothing was changed."}
}
_413: dict[int | str, dict[str, Any]] = {413: {"description": "Body over 1 MB; nothing read."}}
# Far above what either provider sends; the body is read before its signature can be checked.
MAX_BODY = 1_000_000


def _too_large(request: Request) -> bool:
    length = request.headers.get("content-length", "")
    return length.isdigit() and int(length) > MAX_BODY


def _too_large_answer() -> Response:
    return Response("Body too large.\n", 413, media_type="text/plain")


def _forbidden() -> Response:
    return Response("Forbidden: bad or missing signature.\n", 403, media_type="text/plain")


def twiml(message: str | None) -> Response:
    if message is None:
        return Response('<?xml version="1.0" encoding="UTF-8"?><Response/>', media_type=TWIML)
    return Response(
        '<?xml version="1.0" encoding="UTF-8"?>'
        f"<Response><Message>{escape(message)}</Message></Response>",
        media_type=TWIML,
    )


def _signed_url(public_url: str, request: Request) -> str:
    """The URL the provider called, as it sees it: our public URL, not the socket's."""
    url = public_url.rstrip("/") + request.url.path
    return f"{url}?{request.url.query}" if request.url.query else url


@router.post(
    "/sms/twilio",
    summary="Inbound SMS (Twilio)",
    response_class=Response,
    openapi_extra={"requestBody": _TWILIO_BODY},
    responses={
        200: {"content": {TWIML: {}}, "description": "TwiML: the reply, if any."},
        **_403,
        **_413,
    },
)
async def twilio_sms(request: Request, engine: EngineDep, config: ConfigDep) -> Response:
    """Twilio's form fields (`From`, `To`, `Body`, `MessageSid`, `OptOutType`…), signed with
    `X-Twilio-Signature`. Answers TwiML: the opt-out confirmation, the HELP text or the opt-in
    confirmation; an empty `<Response/>` when Twilio has answered already (`OptOutType`)."""
    if _too_large(request):
        return _too_large_answer()
    form = await request.form()
    params = [(name, value) for name, value in form.multi_items() if isinstance(value, str)]
    setup = await run_in_threadpool(channels.get_setup, engine, Channel.SMS)
    signature = request.headers.get("X-Twilio-Signature")
    url = _signed_url(config.public_url, request)
    if setup is None or not twilio_valid(setup.secret, url, params, signature):
        return _forbidden()
    fields = dict(params)
    sender = fields.get("From", "")
    channel = Channel.SMS
    if sender.startswith("whatsapp:"):  # Twilio's WhatsApp senders: never SMS consent
        channel, sender = Channel.WHATSAPP, sender.removeprefix("whatsapp:")
    inbound = Inbound(
        channel=channel,
        address=sender,
        body=fields.get("Body", ""),
        provider="twilio",
        message_id=fields.get("MessageSid") or fields.get("SmsSid"),
        provider_intent=PROVIDER_INTENTS.get(fields.get("OptOutType", "").strip().upper()),
        details={name: fields[name] for name in _TWILIO_EVIDENCE if fields.get(name)},
    )
    handled = await run_in_threadpool(handle_inbound, engine, inbound)
    return twiml(_reply(handled, setup, config.public_url))


@router.get(
    "/whatsapp",
    summary="WhatsApp webhook verification",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "The challenge."}, **_403},
)
def whatsapp_verify(
    engine: EngineDep,
    mode: str = Query("", alias="hub.mode"),
    verify_token: str = Query("", alias="hub.verify_token"),
    challenge: str = Query("", alias="hub.challenge", max_length=200),
) -> Response:
    """Meta's subscription handshake: echo `hub.challenge` when `hub.mode` is "subscribe" and
    `hub.verify_token` is the one set up."""
    setup = channels.get_setup(engine, Channel.WHATSAPP)
    token = setup.verify_token if setup is not None else None
    if mode != "subscribe" or not token or not _same(token, verify_token):
        return _forbidden()
    return Response(challenge, media_type="text/plain")


@router.post(
    "/whatsapp",
    summary="Inbound WhatsApp messages (Cloud API)",
    openapi_extra={"requestBody": _WHATSAPP_BODY},
    responses={**_403, **_413},
)
async def whatsapp_messages(request: Request, engine: EngineDep, config: ConfigDep) -> Any:
    """The Cloud API's payload (`entry[].changes[].value.messages[]`: text, button and
    interactive replies), signed with `X-Hub-Signature-256`. Answers each message's intent and
    the reply to send, if any."""
    if _too_large(request):
        return _too_large_answer()
    body = await request.body()
    setup = await run_in_threadpool(channels.get_setup, engine, Channel.WHATSAPP)
    signature = request.headers.get("X-Hub-Signature-256")
    if setup is None or not whatsapp_valid(setup.secret, body, signature):
        return _forbidden()
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    results = []
    for inbound in inbound_messages(payload, setup.sender):
        handled = await run_in_threadpool(handle_inbound, engine, inbound)
        results.append(
            {
                "messageId": inbound.message_id,
                "intent": handled.intent.value,
                "reply": _reply(handled, setup, config.public_url),
            }
        )
    return {"handled": results}


def _reply(handled: Handled, setup: ChannelSetup, public_url: str) -> str | None:
    return reply_text(handled.reply, setup.program, public_url)


def _same(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode())
