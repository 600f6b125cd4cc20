"""The contacts index's filters, read from the query string and turned into the shared filter
language (`domain.filters`): one property filter, "Opted out of email: ‹type›", "Unsubscribed
from all email", and "opted out of a type of business unit ‹unit›"."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from consentry.domain import SubscriptionType
from consentry.domain.filters import FilterGroup, parse_groups

OPERATORS = {
    "CONTAINS_TOKEN": "contains",
    "EQ": "is",
    "NEQ": "is not",
    "HAS_PROPERTY": "is known",
    "NOT_HAS_PROPERTY": "is unknown",
}
PROPERTIES = {
    "email": "Email",
    "firstname": "First name",
    "lastname": "Last name",
    "company": "Company",
    "phone": "Phone",
    "lifecyclestage": "Lifecycle stage",
    "city": "City",
}
FILTER_KEYS = ("q", "prop", "op", "value", "optout", "unsub_all", "unit")


@dataclass(frozen=True)
class Selection:
    q: str = ""
    prop: str = ""
    op: str = "CONTAINS_TOKEN"
    value: str = ""
    optout: str = ""  # a type id
    unsub_all: str = ""  # "true" / "false" / ""
    unit: str = ""  # a business unit id

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> "Selection":
        values = {key: (params.get(key) or "").strip() for key in FILTER_KEYS}
        if values["op"] not in OPERATORS:
            values["op"] = "CONTAINS_TOKEN"
        return cls(**values)

    def params(self) -> list[tuple[str, str]]:
        """The filters as query parameters (only those set)."""
        pairs = [(key, getattr(self, key)) for key in FILTER_KEYS]
        return [(k, v) for k, v in pairs if v and not (k == "op" and not self.prop)]

    @property
    def active(self) -> bool:
        return bool(self.prop or self.optout or self.unsub_all or self.unit)

    def _base(self) -> list[dict[str, Any]]:
        """The filters every group shares (they AND)."""
        base: list[dict[str, Any]] = []
        if self.prop:
            item: dict[str, Any] = {"propertyName": self.prop, "operator": self.op}
            if self.op not in ("HAS_PROPERTY", "NOT_HAS_PROPERTY"):
                item["value"] = self.value
            base.append(item)
        if self.optout:
            base.append(_is_true(f"hs_email_optout_{self.optout}"))
        if self.unsub_all in ("true", "false"):
            base.append(
                {"propertyName": "hs_email_optout", "operator": "EQ", "value": self.unsub_all}
            )
        return base

    def groups_json(self, types: Sequence[SubscriptionType]) -> list[dict[str, Any]]:
        """The filters as HubSpot's `filterGroups` JSON."""
        base = self._base()
        if not self.unit:
            return [{"filters": base}] if base else []
        # Opted out of any type of the unit: one group per type (groups OR), at most five.
        unit_types = [t for t in types if str(t.business_unit_id) == self.unit][:5]
        if not unit_types:
            return [
                {
                    "filters": [
                        *base,
                        {"propertyName": "hs_object_id", "operator": "EQ", "value": "0"},
                    ]
                }
            ]
        return [{"filters": [*base, _is_true(f"hs_email_optout_{t.id}")]} for t in unit_types]

    def groups(self, types: Sequence[SubscriptionType]) -> tuple[FilterGroup, ...]:
        return parse_groups(self.groups_json(types))


def _is_true(name: str) -> dict[str, Any]:
    return {"propertyName": name, "operator": "EQ", "value": "true"}
