"""The replies to inbound keywords (COMPLIANCE.md, "SMS"; CTIA).

One opt-out confirmation with no marketing in it; the HELP text with the program's name, a
support contact, how to opt out, the frequency and "Msg & data rates may apply"; the opt-in
confirmation; and a plain answer when START finds nothing to restart (no consent is created).
"""

from enum import StrEnum

from consentry.domain.channel_setup import Program


class Reply(StrEnum):
    NONE = "NONE"
    OPT_OUT = "OPT_OUT"
    OPT_IN = "OPT_IN"
    NOTHING_TO_RESTART = "NOTHING_TO_RESTART"
    HELP = "HELP"


DEFAULT_PROGRAM = "Our messages"
DEFAULT_FREQUENCY = "Msg frequency varies"
RATES = "Msg & data rates may apply."


def reply_text(reply: Reply, program: Program, fallback_support: str) -> str | None:
    """The text to send back, or None for no reply."""
    name = program.name or DEFAULT_PROGRAM
    if reply is Reply.OPT_OUT:
        return f"{name}: You are unsubscribed and will get no more messages. Reply START to rejoin."
    if reply is Reply.OPT_IN:
        return (
            f"{name}: You are resubscribed. {program.frequency or DEFAULT_FREQUENCY}. {RATES}"
            " Reply HELP for help, STOP to opt out."
        )
    if reply is Reply.NOTHING_TO_RESTART:
        return f"{name}: There is no subscription to restart for this number. Reply HELP for help."
    if reply is Reply.HELP:
        support = program.support or fallback_support
        return (
            f"{name}: Help at {support}. {program.frequency or DEFAULT_FREQUENCY}. {RATES}"
            " Reply STOP to opt out."
        )
    return None
