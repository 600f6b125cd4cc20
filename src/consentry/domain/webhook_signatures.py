"""The providers' webhook signatures, checked in constant time.

- Twilio (`X-Twilio-Signature`): base64 of HMAC-SHA1, keyed with the auth token, over the full
  URL Twilio called followed by every POST parameter sorted by name, each name then its value.
- WhatsApp Cloud API (`X-Hub-Signature-256`): "sha256=" and the hex HMAC-SHA256 of the raw body,
  keyed with the app secret.
"""

import base64
import hashlib
import hmac
from collections.abc import Iterable


def twilio_signature(secret: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    payload = url + "".join(name + value for name, value in sorted(params))
    digest = hmac.new(secret.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def twilio_valid(
    secret: str, url: str, params: Iterable[tuple[str, str]], signature: str | None
) -> bool:
    if not secret or not signature:
        return False
    expected = twilio_signature(secret, url, params)
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


def whatsapp_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def whatsapp_valid(secret: str, body: bytes, signature: str | None) -> bool:
    if not secret or not signature:
        return False
    expected = whatsapp_signature(secret, body)
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())
