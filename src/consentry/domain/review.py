"""The review queue's outcomes (an unclear inbound reply is an opt-out or nothing), and the
ways a stop request can reach us besides a keyword."""

from enum import StrEnum


class Resolution(StrEnum):
    OPT_OUT = "OPT_OUT"
    DISMISSED = "DISMISSED"


class StopRequestVia(StrEnum):
    """How a stop request that did not come as a keyword reached us."""

    PHONE_CALL = "PHONE_CALL"
    EMAIL = "EMAIL"
    TICKET = "TICKET"
    WEB_FORM = "WEB_FORM"
    OTHER = "OTHER"
