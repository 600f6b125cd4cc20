"""The channels a subscriber can be reached on."""

from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"
    WHATSAPP = "WHATSAPP"

    @property
    def is_phone(self) -> bool:
        return self is not Channel.EMAIL
