"""The workflow builder's form: its fields, read into the definition JSON the domain parses, a
stored definition read back into the fields, and a domain refusal's field (`actions[0].
subscriptionId`) named as the form input it came from, so the message shows next to it.

The form works without JavaScript: a fixed number of filter rows and action slots, blank
ones ignored."""

import re
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from consentry.domain.filters import Operator
from consentry.domain.workflows import ActionKind

GROUPS = 2  # OR-ed groups of filters
ROWS = 4  # AND-ed filters in a group
SLOTS = 5  # actions
OPERATORS = {
    Operator.EQ: "is equal to",
    Operator.NEQ: "is not equal to",
    Operator.CONTAINS_TOKEN: "contains",
    Operator.NOT_CONTAINS_TOKEN: "doesn't contain",
    Operator.IN: "is any of (comma-separated)",
    Operator.NOT_IN: "is none of (comma-separated)",
    Operator.LT: "is less than",
    Operator.LTE: "is at most",
    Operator.GT: "is greater than",
    Operator.GTE: "is at least",
    Operator.BETWEEN: "is between (low, high)",
    Operator.HAS_PROPERTY: "is known",
    Operator.NOT_HAS_PROPERTY: "is unknown",
}
ACTION_LABELS = {
    ActionKind.MANAGE_SUBSCRIPTION: "Manage communication subscription status",
    ActionKind.SET_PROPERTY: "Set contact property",
    ActionKind.DELAY: "Delay",
}
STATUSES = (
    ("SUBSCRIBED", "Subscribed"),
    ("NOT_SPECIFIED", "Not specified"),
    ("UNSUBSCRIBED", "Unsubscribed"),
    ("UNSUBSCRIBED_FROM_ALL", "Unsubscribe from all"),
)
UNITS = (("MINUTES", "minutes"), ("HOURS", "hours"), ("DAYS", "days"))
_LISTS = (Operator.IN, Operator.NOT_IN)
_NO_VALUE = (Operator.HAS_PROPERTY, Operator.NOT_HAS_PROPERTY)
# The domain's name for a part of a filter or an action -> the form input's suffix.
_FILTER_PARTS = {"propertyName": "property", "operator": "operator"}
_ACTION_PARTS = {
    "type": "kind",
    "channel": "channel",
    "status": "status",
    "subscriptionId": "type_id",
    "businessUnitId": "type_id",
    "legalBasis": "legal_basis",
    "legalBasisExplanation": "explanation",
    "propertyName": "property",
    "value": "value",
    "delay": "delay",
    "unit": "unit",
}
_FILTER_FIELD = re.compile(r"enrollmentTrigger\.filterGroups\[(\d+)\]\.filters\[(\d+)\]\.(\w+)")
_ACTION_FIELD = re.compile(r"actions\[(\d+)\]\.(\w+)")


class Built:
    """The definition built from a form, and where each of its groups, filters and actions
    came from (blank rows and slots are skipped, so indexes differ)."""

    def __init__(self) -> None:
        self.raw: dict[str, Any] = {}
        self.groups: list[int] = []  # JSON group index -> form group
        self.rows: list[list[int]] = []  # JSON group index -> [form row per JSON filter]
        self.slots: list[int] = []  # JSON action index -> form slot

    def input_for(self, field: str | None) -> str:
        """The form input a domain field names ("" for the form as a whole)."""
        if not field:
            return ""
        if found := _FILTER_FIELD.fullmatch(field):
            group, row, part = int(found[1]), int(found[2]), found[3]
            if group < len(self.groups) and row < len(self.rows[group]):
                suffix = _FILTER_PARTS.get(part, "value")
                return f"g{self.groups[group]}_{self.rows[group][row]}_{suffix}"
        if field.startswith("enrollmentTrigger"):
            return "trigger"
        if found := _ACTION_FIELD.fullmatch(field):
            index, part = int(found[1]), found[2]
            if index < len(self.slots):
                return f"a{self.slots[index]}_{_ACTION_PARTS.get(part, 'kind')}"
        if field.startswith("actions"):
            return "actions"
        return field if field in ("name", "reenrollment") else ""


def as_stored(definition: Mapping[str, Any]) -> Built:
    """Where a stored definition's fields sit in the form `values_of` fills: in order."""
    built = Built()
    built.raw = dict(definition)
    groups = definition.get("enrollmentTrigger", {}).get("filterGroups", [])
    built.groups = list(range(len(groups)))
    built.rows = [list(range(len(group.get("filters", [])))) for group in groups]
    built.slots = list(range(len(definition.get("actions", []))))
    return built


def build(form: FormData) -> Built:
    built = Built()
    groups: list[dict[str, Any]] = []
    for group in range(GROUPS):
        filters, rows = [], []
        for row in range(ROWS):
            found = _filter(form, f"g{group}_{row}")
            if found is not None:
                filters.append(found)
                rows.append(row)
        if filters:
            groups.append({"filters": filters})
            built.groups.append(group)
            built.rows.append(rows)
    actions = []
    for slot in range(SLOTS):
        action = _action(form, f"a{slot}")
        if action is not None:
            actions.append(action)
            built.slots.append(slot)
    built.raw = {
        "name": _text(form, "name"),
        "enrollmentTrigger": {"filterGroups": groups},
        "reenrollment": _text(form, "reenrollment") == "on",
        "actions": actions,
    }
    return built


def _text(form: FormData, name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _filter(form: FormData, prefix: str) -> dict[str, Any] | None:
    name = _text(form, f"{prefix}_property")
    value = _text(form, f"{prefix}_value")
    if not name and not value:
        return None
    operator = _text(form, f"{prefix}_operator") or Operator.EQ.value
    found: dict[str, Any] = {"propertyName": name or None, "operator": operator}
    if operator in _LISTS:
        found["values"] = [part.strip() for part in value.split(",") if part.strip()]
    elif operator == Operator.BETWEEN:
        low, _, high = value.partition(",")
        found.update({"value": low.strip() or None, "highValue": high.strip() or None})
    elif operator not in _NO_VALUE:
        found["value"] = value or None
    return found


def _action(form: FormData, prefix: str) -> dict[str, Any] | None:
    kind = _text(form, f"{prefix}_kind")
    if not kind:
        return None
    if kind == ActionKind.DELAY:
        amount = _text(form, f"{prefix}_delay")
        return {
            "type": kind,
            "delay": int(amount) if amount.isascii() and amount.isdigit() else amount,
            "unit": _text(form, f"{prefix}_unit"),
        }
    if kind == ActionKind.SET_PROPERTY:
        return {
            "type": kind,
            "propertyName": _text(form, f"{prefix}_property") or None,
            "value": _text(form, f"{prefix}_value") or None,
        }
    found: dict[str, Any] = {
        "type": kind,
        "channel": _text(form, f"{prefix}_channel"),
        "status": _text(form, f"{prefix}_status"),
    }
    optional = {
        "subscriptionId": _text(form, f"{prefix}_type_id"),
        "legalBasis": _text(form, f"{prefix}_legal_basis"),
        "legalBasisExplanation": _text(form, f"{prefix}_explanation"),
    }
    found.update({key: value for key, value in optional.items() if value})
    return found


def beyond_form(definition: Mapping[str, Any]) -> str | None:
    """Why the form cannot hold a stored definition (one made with the API or the CLI), or
    None. Editing it here would silently drop what the form has no room for, so it is not
    offered."""
    groups = definition.get("enrollmentTrigger", {}).get("filterGroups", [])
    actions = definition.get("actions", [])
    if len(groups) > GROUPS:
        return f"its trigger has {len(groups)} groups of filters; the form holds {GROUPS}"
    if any(len(group.get("filters", [])) > ROWS for group in groups):
        return f"a group of its trigger has more than {ROWS} filters, the form's room"
    if len(actions) > SLOTS:
        return f"it has {len(actions)} actions; the form holds {SLOTS}"
    if any(action.get("businessUnitId") is not None for action in actions):
        return "an action names a business unit, which the form does not offer"
    return None


def values_of(definition: Mapping[str, Any]) -> dict[str, str]:
    """A stored definition (its JSON) as the form's inputs, to edit it."""
    values = {
        "name": str(definition.get("name", "")),
        "reenrollment": "on" if definition.get("reenrollment") else "",
    }
    groups = definition.get("enrollmentTrigger", {}).get("filterGroups", [])
    for group, raw_group in enumerate(groups[:GROUPS]):
        for row, raw in enumerate(raw_group.get("filters", [])[:ROWS]):
            prefix = f"g{group}_{row}"
            values[f"{prefix}_property"] = str(raw.get("propertyName") or "")
            values[f"{prefix}_operator"] = str(raw.get("operator") or "")
            if raw.get("values"):
                value = ", ".join(str(v) for v in raw["values"])
            elif raw.get("highValue"):
                value = f"{raw.get('value') or ''}, {raw['highValue']}"
            else:
                value = str(raw.get("value") or "")
            values[f"{prefix}_value"] = value
    for slot, raw in enumerate(definition.get("actions", [])[:SLOTS]):
        parts = {
            "kind": raw.get("type"),
            "channel": raw.get("channel"),
            "status": raw.get("status"),
            "type_id": raw.get("subscriptionId"),
            "legal_basis": raw.get("legalBasis"),
            "explanation": raw.get("legalBasisExplanation"),
            "property": raw.get("propertyName"),
            "value": raw.get("value"),
            "delay": raw.get("delay"),
            "unit": raw.get("unit"),
        }
        values.update({f"a{slot}_{k}": str(v) for k, v in parts.items() if v is not None})
    return values


def form_values(form: FormData) -> dict[str, str]:
    """What the user typed, to show the form again as it was sent."""
    return {key: value for key, value in form.items() if isinstance(value, str)}
