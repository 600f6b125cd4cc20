"""Composing a queued mail: its words in the contact's language, the brand's name and colour,
and freshly signed personal links (made at sending time, so the secret is never stored)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import Connection

from consentry.config import Config
from consentry.domain import NotFound
from consentry.domain.languages import match
from consentry.domain.links import LinkClaims, Purpose, seal
from consentry.domain.mail import MailKind
from consentry.locale import translations
from consentry.services.links import link_url
from consentry.services.preferences import Brand, localised
from consentry.storage import account_settings, catalog, subscribers
from consentry.storage.outbox import QueuedMail

UrlMaker = Callable[[str, Purpose, int | None], str]
TEMPLATES = Path(__file__).parent / "templates"
_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class Letter:
    """What a mail says, before it is laid out as text and HTML."""

    language: str
    subject: str
    paragraphs: tuple[str, ...]
    actions: tuple[tuple[str, str], ...]  # (label, URL)
    notes: tuple[str, ...]
    brand: Brand


def compose(
    connection: Connection, config: Config, mail: QueuedMail, now: datetime
) -> EmailMessage:
    letter = write_letter(connection, config, mail, now)
    return _message(config, mail.recipient, letter, now)


def write_letter(connection: Connection, config: Config, mail: QueuedMail, now: datetime) -> Letter:
    language = match(mail.language) or account_settings.load(connection).default_language
    _ = translations(language).gettext
    unit = catalog.get_unit(connection, mail.business_unit_id)
    subscriber = subscribers.by_id(connection, mail.subscriber_id)
    if unit is None or subscriber is None:
        raise NotFound("The business unit or subscriber of this mail no longer exists.")
    brand = Brand.of(unit)

    def url(path: str, purpose: Purpose, type_id: int | None) -> str:
        claims = LinkClaims(
            purpose, subscriber.channel, mail.subscriber_id, unit.id, type_id, now.date(), now
        )
        token = seal(claims, config.secret())
        return link_url(config.public_url, path, token, language if mail.language else None)

    manage = (_("Manage your preferences"), url("preferences", Purpose.MANAGE_PREFERENCES, None))
    unsubscribe = (_("Unsubscribe from all"), url("unsubscribe", Purpose.UNSUBSCRIBE_ALL, None))
    names = {"brand": brand.name}
    if mail.kind is MailKind.DOUBLE_OPT_IN:
        return _confirmation(connection, mail, language, brand, url, manage)
    if mail.kind is MailKind.RESUBSCRIBE:
        return Letter(
            language,
            _("Come back to %(brand)s: choose your subscriptions") % names,
            (
                _("Hello,"),
                _("You asked to hear from %(brand)s again. At the moment you are unsubscribed.")
                % names,
                _("Choose the mail you want to receive on your preference page:"),
            ),
            (manage,),
            (_("If you did not ask for this, ignore this message: you stay unsubscribed."),),
            brand,
        )
    return Letter(
        language,
        _("Your subscription preferences for %(brand)s") % names,
        (
            _("Hello,"),
            _("Here are your personal links for the mail you receive from %(brand)s.") % names,
        ),
        (manage, unsubscribe),
        (
            _("These links are personal: please do not forward this message."),
            _("If you did not ask for this, you can ignore this message."),
        ),
        brand,
    )


def _confirmation(
    connection: Connection,
    mail: QueuedMail,
    language: str,
    brand: Brand,
    url: UrlMaker,
    manage: tuple[str, str],
) -> Letter:
    _ = translations(language).gettext
    found = catalog.list_types(
        connection, ids=[mail.subscription_type_id or 0], with_translations=True
    )
    if not found:
        raise NotFound("The subscription type of this confirmation no longer exists.")
    type_name, _description = localised(found[0], language)
    names = {"brand": brand.name, "type": type_name}
    confirm = (_("Confirm my subscription"), url("confirm", Purpose.CONFIRM_OPT_IN, found[0].id))
    return Letter(
        language,
        _("Please confirm your subscription to %(brand)s") % names,
        (
            _("Hello,"),
            _("Please confirm that you want to receive “%(type)s” from %(brand)s.") % names,
        ),
        (confirm, manage),
        (
            _("Until you confirm, you will not receive this mail."),
            _("If you did not ask for this, you can ignore this message."),
        ),
        brand,
    )


def _message(config: Config, recipient: str, letter: Letter, now: datetime) -> EmailMessage:
    message = EmailMessage()
    # The brand's name, at the configured address: the contact sees who writes to them.
    _name, address = parseaddr(config.mail_from)
    message["From"] = formataddr((letter.brand.name, address)) if address else config.mail_from
    message["To"] = recipient
    message["Subject"] = letter.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=_sender_domain(config.mail_from))
    message["Content-Language"] = letter.language
    # Transactional: no List-Unsubscribe (RFC 8058 is for bulk mail), and no auto-replies.
    message["Auto-Submitted"] = "auto-generated"
    context = {"letter": letter, "lang": letter.language}
    message.set_content(_ENV.get_template("mail.txt").render(context))
    message.add_alternative(_ENV.get_template("mail.html").render(context), subtype="html")
    return message


def _sender_domain(mail_from: str) -> str:
    address = mail_from.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] or "localhost"
