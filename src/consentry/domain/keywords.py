"""What an inbound SMS or WhatsApp message asks for (COMPLIANCE.md, "SMS").

The carriers' keywords (STOP, START, HELP...) count whatever the case, spacing and punctuation.
The FCC wants revocation "by any reasonable means" honoured, so plain-language requests to stop,
in English and Spanish, are opt-outs too; a reply that only might be one goes to review, and
anything else is an ordinary message. `classify` is pure and is tested as a table.
"""

import re
import unicodedata
from enum import StrEnum

from consentry.domain.channels import Channel
from consentry.domain.errors import InvalidInput
from consentry.domain.sources import Source
from consentry.domain.statuses import Status


class Intent(StrEnum):
    OPT_OUT = "OPT_OUT"
    OPT_IN = "OPT_IN"
    HELP = "HELP"
    POSSIBLE_STOP = "POSSIBLE_STOP"  # unclear, but perhaps a stop: a person decides
    OTHER = "OTHER"


OPT_OUT_WORDS = frozenset(
    {"stop", "stopall", "unsubscribe", "cancel", "end", "quit", "revoke", "optout"}
)
OPT_IN_WORDS = frozenset({"start", "yes", "unstop"})
HELP_WORDS = frozenset({"help", "info"})
# Spanish stop words carriers and people use on their own ("para" means "stop" only alone).
_SPANISH_OPT_OUT = frozenset({"para", "parar", "alto", "basta", "cancelar", "detener", "baja"})
_SPANISH_HELP = frozenset({"ayuda"})
# Words that may follow a keyword without changing what it says: "STOP please", "stop it now".
_FILLER = frozenset(
    {
        "please", "pls", "plz", "now", "it", "all", "thanks", "thank", "you", "me", "asap",
        "immediately", "already", "ok", "okay", "again", "por", "favor", "ya", "gracias",
        "msgs", "messages", "texts", "mensajes", "ahora",
    }
)  # fmt: skip

# A negated "stop" keeps things going: "don't stop the deals" is no opt-out.
_NEGATED_STOP = re.compile(r"\b(?:dont|do not|never|didnt|doesnt|please dont) stop\b")

_MESSAGES = (
    r"(?:texts?|txts?|messages?|msgs?|sms|whatsapps?|spam|notifications?|promos?|promotions?"
    r"|ads|offers|deals|marketing)"
)
_ES_MESSAGES = r"(?:mensajes|sms|textos|whatsapps?|promociones)"
_SENDING = r"(?:texting|txting|messaging|msging|sending|contacting|spamming|calling|writing)"
_OPT_OUT_PHRASES = tuple(
    re.compile(pattern)
    for pattern in (
        rf"\b(?:stop|quit|cease|end) {_SENDING}\b",
        rf"\b(?:stop|no more|quit|end|cancel) (?:the |these |your |all |those |my )?{_MESSAGES}\b",
        r"\bunsubscribe\b",
        r"\bopt (?:me )?out\b",
        r"\boptout\b",
        r"\b(?:remove|delete) (?:me|my number|this number)\b",
        r"\btake (?:me|my number|this number) off\b",
        r"\bleave me alone\b",
        r"\b(?:dont|do not|never) (?:text|message|msg|contact|send|sms|whatsapp|write|call)\w*"
        r" (?:me|us|to me|this number|again|anymore|any more)\b",
        rf"\b(?:dont|do not) want (?:any )?(?:more )?(?:of )?(?:your |these |the )?{_MESSAGES}\b",
        r"\b(?:revoke|withdraw)\w* (?:my )?consent\b",
        # Spanish, accents removed.
        r"\bno me (?:envi|mand|escrib|contact|llam)\w*\b",
        r"\b(?:deja|dejen|deje|dejar|dejad|paren|pare|para) de"
        r" (?:enviar|mandar|escribir|contactar)",
        rf"\bno (?:quiero|deseo) (?:recibir )?(?:mas )?{_ES_MESSAGES}",
        rf"\bno mas {_ES_MESSAGES}\b",
        r"\bde baja\b",
        r"\b(?:cancelar|anular) (?:mi |la )?(?:suscripcion|subscripcion)\b",
    )
)
# Signs of a possible stop that a person should look at.
_POSSIBLE_WORDS = frozenset({"stop", "stopall", "unsubscribe", "revoke", "spam"})
_POSSIBLE_PHRASES = tuple(
    re.compile(pattern)
    for pattern in (
        r"\bnot interested\b",
        r"\bwrong number\b",
        r"\btoo many (?:texts|messages|msgs)\b",
        r"\bwho is this\b",
        r"\bno me interesa\b",
        r"\bnumero equivocado\b",
        r"\bdemasiados mensajes\b",
    )
)


def words(body: str) -> list[str]:
    """The body's words: compatibility-normalised, lower case, accents and punctuation gone."""
    text = unicodedata.normalize("NFKD", body).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"['’`´]", "", text)  # "don't" -> "dont"
    return re.sub(r"[^\w]+|_", " ", text).split()


def classify(body: str) -> Intent:
    """What an inbound message asks for."""
    tokens = words(body)
    if not tokens:
        return Intent.OTHER
    compact = "".join(tokens)  # "S.T.O.P", "opt-out", "Stop All" -> one keyword
    keyword = _keyword(compact) or _keyword_with_filler(tokens)
    if keyword is not None:
        return keyword
    text = _NEGATED_STOP.sub("keep", " ".join(tokens))
    if any(phrase.search(text) for phrase in _OPT_OUT_PHRASES):
        return Intent.OPT_OUT
    if _POSSIBLE_WORDS.intersection(text.split()) or any(
        phrase.search(text) for phrase in _POSSIBLE_PHRASES
    ):
        return Intent.POSSIBLE_STOP
    return Intent.OTHER


def _keyword(word: str) -> Intent | None:
    if word in OPT_OUT_WORDS or word in _SPANISH_OPT_OUT or word == "nomas":
        return Intent.OPT_OUT
    if word in OPT_IN_WORDS:
        return Intent.OPT_IN
    if word in HELP_WORDS or word in _SPANISH_HELP:
        return Intent.HELP
    return None


def _keyword_with_filler(tokens: list[str]) -> Intent | None:
    """A keyword followed only by politeness: "STOP please", "Stop it now", "para ya"."""
    first, rest = tokens[0], tokens[1:]
    if not rest or not all(token in _FILLER for token in rest):
        return None
    return _keyword(first)


# What a provider's own keyword matching reports (Twilio's `OptOutType`): it has answered already.
PROVIDER_INTENTS = {"STOP": Intent.OPT_OUT, "START": Intent.OPT_IN, "HELP": Intent.HELP}

KEYWORD_SOURCES = {Channel.SMS: Source.SMS_KEYWORD, Channel.WHATSAPP: Source.WHATSAPP_KEYWORD}


def keyword_source(channel: Channel) -> Source:
    if channel not in KEYWORD_SOURCES:
        raise InvalidInput("Keywords come on SMS or WhatsApp only.", field="channel")
    return KEYWORD_SOURCES[channel]


def liftable(
    channel: Channel, wide_opt_out_source: Source | None, type_source: Source | None
) -> bool:
    """May START lift this type's opt-out? Only one a keyword on this channel made, and only
    while no "unsubscribe from all" made some other way stands over it."""
    source = KEYWORD_SOURCES.get(channel)
    if wide_opt_out_source is not None and wide_opt_out_source is not source:
        return False
    return type_source is source


def restored_status(before_opt_out: Status | None) -> Status:
    """What START lifts a keyword opt-out to: the opt-in the contact had given comes back;
    anything else becomes NOT_SPECIFIED. START never creates an opt-in that was not there."""
    return Status.SUBSCRIBED if before_opt_out is Status.SUBSCRIBED else Status.NOT_SPECIFIED
