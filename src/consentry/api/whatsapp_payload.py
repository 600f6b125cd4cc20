"""The WhatsApp Cloud API's webhook payload, read into inbound messages.

`{"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value":
{"metadata": {"phone_number_id": …}, "messages": [{"from", "id", "type", "text": {"body"}} |
{"type": "button", "button": {"text", "payload"}} | {"type": "interactive", "interactive":
{"button_reply" | "list_reply": {"id", "title"}}}]}}]}]}`. Status callbacks and messages to
another phone number of the same app are ignored; anything malformed is skipped, not fatal.
"""

from collections.abc import Iterator
from typing import Any

from consentry.domain import Channel
from consentry.services.keywords import Inbound

PROVIDER = "whatsapp_cloud"


def inbound_messages(payload: Any, phone_number_id: str) -> Iterator[Inbound]:
    for value in _values(payload):
        metadata = value.get("metadata") or {}
        if str(metadata.get("phone_number_id", phone_number_id)) != phone_number_id:
            continue
        for message in _list(value.get("messages")):
            inbound = _message(message, phone_number_id)
            if inbound is not None:
                yield inbound


def _values(payload: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(payload, dict):
        return
    for entry in _list(payload.get("entry")):
        for change in _list(entry.get("changes")):
            value = change.get("value")
            if change.get("field", "messages") == "messages" and isinstance(value, dict):
                yield value


def _message(message: dict[str, Any], phone_number_id: str) -> Inbound | None:
    sender = str(message.get("from") or "").strip()
    body, extra = _text(message)
    if not sender or body is None:
        return None
    details = {"phone_number_id": phone_number_id, "type": str(message.get("type"))}
    details.update(extra)
    return Inbound(
        channel=Channel.WHATSAPP,
        address=sender if sender.startswith("+") else "+" + sender,  # wa_id has no "+"
        body=body,
        provider=PROVIDER,
        message_id=str(message.get("id") or "") or None,
        details=details,
    )


def _text(message: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    """The message's words, and what else identifies a button pressed."""
    kind = message.get("type")
    if kind == "text":
        return _str((message.get("text") or {}).get("body")), {}
    if kind == "button":
        button = message.get("button") or {}
        return _str(button.get("text")), {"payload": str(button.get("payload") or "")}
    if kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        return _str(reply.get("title")), {"reply_id": str(reply.get("id") or "")}
    return None, {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
