"""The review queue's outcomes: an unclear inbound reply is either an opt-out or nothing."""

from enum import StrEnum


class Resolution(StrEnum):
    OPT_OUT = "OPT_OUT"
    DISMISSED = "DISMISSED"
