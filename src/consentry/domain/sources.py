"""How a change arrived, and which column of the rulebook each source falls under.

The rulebook (PRODUCT.md §2) gives rights per *authority*, not per source: a preference-page
save, a one-click POST, a double opt-in confirmation and a keyword are all the contact acting.
"""

from enum import StrEnum


class Authority(StrEnum):
    """The rulebook's columns."""

    CONTACT = "CONTACT"
    USER = "USER"
    API = "API"
    API_V3 = "API_V3"
    BULK = "BULK"
    WORKFLOW = "WORKFLOW"
    IMPORT = "IMPORT"


class Source(StrEnum):
    PREFERENCE_CENTER = "PREFERENCE_CENTER"
    ONE_CLICK = "ONE_CLICK"
    DOUBLE_OPT_IN = "DOUBLE_OPT_IN"
    SMS_KEYWORD = "SMS_KEYWORD"
    WHATSAPP_KEYWORD = "WHATSAPP_KEYWORD"
    USER = "USER"
    BULK = "BULK"
    WORKFLOW = "WORKFLOW"
    IMPORT = "IMPORT"
    API = "API"
    API_V3 = "API_V3"
    SYSTEM = "SYSTEM"

    @property
    def authority(self) -> Authority:
        return _AUTHORITY[self]

    @property
    def display_text(self) -> str:
        """The text HubSpot shows for a source (v4 `PublicStatus.source`)."""
        return _DISPLAY_TEXT[self]


_AUTHORITY = {
    Source.PREFERENCE_CENTER: Authority.CONTACT,
    Source.ONE_CLICK: Authority.CONTACT,
    Source.DOUBLE_OPT_IN: Authority.CONTACT,
    Source.SMS_KEYWORD: Authority.CONTACT,
    Source.WHATSAPP_KEYWORD: Authority.CONTACT,
    Source.USER: Authority.USER,
    Source.BULK: Authority.BULK,
    Source.WORKFLOW: Authority.WORKFLOW,
    Source.IMPORT: Authority.IMPORT,
    Source.API: Authority.API,
    Source.API_V3: Authority.API_V3,
    # System changes are admin actions ("remove opt-outs added by users", erasure): they carry
    # a user's authority and must meet the same conditions a user on a record would.
    Source.SYSTEM: Authority.USER,
}

_DISPLAY_TEXT = {
    Source.PREFERENCE_CENTER: "Subscription preferences page",
    Source.ONE_CLICK: "List-unsubscribe header",
    Source.DOUBLE_OPT_IN: "Double opt-in confirmation",
    Source.SMS_KEYWORD: "SMS keyword",
    Source.WHATSAPP_KEYWORD: "WhatsApp keyword",
    Source.USER: "Contact record",
    Source.BULK: "Bulk edit",
    Source.WORKFLOW: "Workflow",
    Source.IMPORT: "Import",
    Source.API: "Public status API",
    Source.API_V3: "Public status API (v3)",
    Source.SYSTEM: "System",
}
