"""Mailers: SMTP (`CONSENTRY_SMTP_URL`) or, unset, `.eml` files under the outbox directory.

The URL is `smtp://[user:password@]host[:port]` (plain, STARTTLS when the server offers it and
`?starttls=required` to insist) or `smtps://…` (TLS from the start, port 465 by default).
"""

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from consentry.config import Config
from consentry.domain import InvalidInput


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class EmlMailer:
    """Writes each message as `<Message-ID>.eml`, so development loses nothing."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = (message["Message-ID"] or "message").strip("<>").replace("/", "_")
        target = self.directory / f"{name}.eml"
        partial = target.with_suffix(".eml.part")
        partial.write_bytes(message.as_bytes())
        partial.replace(target)  # a reader never sees half a message


class SmtpMailer:
    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise InvalidInput(
                "CONSENTRY_SMTP_URL must be smtp://host[:port] or smtps://host[:port].",
                field="smtp_url",
            )
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.require_starttls = parse_qs(parts.query).get("starttls") == ["required"]
        self.timeout = timeout

    def _connect(self) -> smtplib.SMTP:
        if self.tls:
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)

    def send(self, message: EmailMessage) -> None:
        with self._connect() as smtp:
            smtp.ehlo()
            if not self.tls and (smtp.has_extn("starttls") or self.require_starttls):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.user:
                smtp.login(self.user, self.password or "")
            smtp.send_message(message)


def make_mailer(config: Config) -> Mailer:
    if config.smtp_url is None:
        return EmlMailer(config.outbox_dir)
    return SmtpMailer(config.smtp_url.get_secret_value())
