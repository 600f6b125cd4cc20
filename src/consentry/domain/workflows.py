"""Workflows: a definition (trigger, re-enrollment, actions), its checks, and when a contact
enrolls.

A definition is stored as JSON (the API's shape, camelCase) and parsed here into frozen
values; every refusal names the field (`actions[1].subscriptionId`). What a workflow may *do*
to a status is not decided here: its actions go through the rulebook like any other change,
with source WORKFLOW, so "a workflow never adds a subscription the address opted out of" holds
in one place (`domain.rulebook`).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

from consentry.domain.actors import Actor, ActorKind
from consentry.domain.channels import Channel
from consentry.domain.contact_properties import check_text, check_writable
from consentry.domain.errors import InvalidInput
from consentry.domain.filters import FilterGroup, parse_groups
from consentry.domain.legal_basis import LegalBasis
from consentry.domain.statuses import Status

MAX_NAME = 200
MAX_ACTIONS = 20
MAX_EXPLANATION = 1_000
MAX_VALUE = 65_536
# The longest wait a Delay step may ask for: a year is already more than any campaign needs,
# and a bound keeps `due_at` arithmetic far from overflow.
MAX_DELAY_SECONDS = 366 * 86_400
UNSUBSCRIBE_ALL = "UNSUBSCRIBED_FROM_ALL"
E = TypeVar("E", bound=StrEnum)


class ActionKind(StrEnum):
    MANAGE_SUBSCRIPTION = "MANAGE_SUBSCRIPTION"
    SET_PROPERTY = "SET_PROPERTY"
    DELAY = "DELAY"


class DelayUnit(StrEnum):
    MINUTES = "MINUTES"
    HOURS = "HOURS"
    DAYS = "DAYS"


_UNIT_SECONDS = {DelayUnit.MINUTES: 60, DelayUnit.HOURS: 3_600, DelayUnit.DAYS: 86_400}


@dataclass(frozen=True)
class ManageSubscription:
    """Set one type's status on a channel, or (`status` None) unsubscribe from all."""

    channel: Channel
    status: Status | None
    subscription_type_id: int | None
    business_unit_id: int | None = None  # for unsubscribe from all, when business units are on
    legal_basis: LegalBasis | None = None
    explanation: str | None = None

    kind = ActionKind.MANAGE_SUBSCRIPTION

    @property
    def unsubscribes_all(self) -> bool:
        return self.status is None


@dataclass(frozen=True)
class SetProperty:
    name: str
    value: str | None  # None clears the property

    kind = ActionKind.SET_PROPERTY


@dataclass(frozen=True)
class Delay:
    amount: int
    unit: DelayUnit

    kind = ActionKind.DELAY

    @property
    def seconds(self) -> int:
        return self.amount * _UNIT_SECONDS[self.unit]


WorkflowAction = ManageSubscription | SetProperty | Delay


@dataclass(frozen=True)
class WorkflowDefinition:
    name: str
    trigger: tuple[FilterGroup, ...]
    reenroll: bool
    actions: tuple[WorkflowAction, ...]
    trigger_json: tuple[Mapping[str, Any], ...] = ()  # the groups as given, to store and show


def actor(workflow_id: int, version: int) -> Actor:
    """The ledger's actor for a workflow's change: its id and the version that ran."""
    return Actor(ActorKind.WORKFLOW, f"{workflow_id}:v{version}")


# --- parsing ------------------------------------------------------------------------------


def parse_definition(raw: Any) -> WorkflowDefinition:
    if not isinstance(raw, Mapping):
        raise InvalidInput("A workflow is a JSON object.", field="body")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        raise InvalidInput(f"name: give a name of 1 to {MAX_NAME} characters.", field="name")
    trigger_raw = raw.get("enrollmentTrigger")
    if not isinstance(trigger_raw, Mapping):
        raise InvalidInput(
            "enrollmentTrigger: give an object with filterGroups, as in contact search.",
            field="enrollmentTrigger",
        )
    groups = parse_groups(trigger_raw.get("filterGroups"), field="enrollmentTrigger.filterGroups")
    if not groups:
        raise InvalidInput(
            "enrollmentTrigger.filterGroups: give at least one group of filters.",
            field="enrollmentTrigger.filterGroups",
        )
    reenroll = raw.get("reenrollment", False)
    if not isinstance(reenroll, bool):
        raise InvalidInput("reenrollment: true or false.", field="reenrollment")
    actions_raw = raw.get("actions")
    if not isinstance(actions_raw, list) or not 1 <= len(actions_raw) <= MAX_ACTIONS:
        raise InvalidInput(f"actions: give 1 to {MAX_ACTIONS} actions.", field="actions")
    actions = tuple(_action(item, f"actions[{index}]") for index, item in enumerate(actions_raw))
    if all(isinstance(action, Delay) for action in actions):
        raise InvalidInput("actions: a workflow needs an action besides delays.", field="actions")
    return WorkflowDefinition(
        name.strip(), groups, reenroll, actions, tuple(trigger_raw["filterGroups"])
    )


def _action(raw: Any, where: str) -> WorkflowAction:
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where}: an action is an object with a type.", field=where)
    kind = _enum(ActionKind, raw.get("type"), f"{where}.type")
    if kind is ActionKind.DELAY:
        return _delay(raw, where)
    if kind is ActionKind.SET_PROPERTY:
        name = raw.get("propertyName")
        if not isinstance(name, str):
            raise InvalidInput(
                f"{where}.propertyName: name a property.", field=f"{where}.propertyName"
            )
        check_writable(name, f"{where}.propertyName")
        value = raw.get("value")
        if value is not None and (not isinstance(value, str) or len(value) > MAX_VALUE):
            raise InvalidInput(
                f"{where}.value: a text of at most {MAX_VALUE} characters, or null to clear.",
                field=f"{where}.value",
            )
        return SetProperty(name, check_text(value, f"{where}.value") if value else None)
    return _manage(raw, where)


def _delay(raw: Mapping[str, Any], where: str) -> Delay:
    amount = raw.get("delay")
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
        raise InvalidInput(f"{where}.delay: a whole number of at least 1.", field=f"{where}.delay")
    delay = Delay(amount, _enum(DelayUnit, raw.get("unit"), f"{where}.unit"))
    if delay.seconds > MAX_DELAY_SECONDS:
        raise InvalidInput(f"{where}.delay: at most 366 days.", field=f"{where}.delay")
    return delay


def _manage(raw: Mapping[str, Any], where: str) -> ManageSubscription:
    channel = _enum(Channel, raw.get("channel"), f"{where}.channel")
    status_raw = raw.get("status")
    status = (
        None
        if status_raw == UNSUBSCRIBE_ALL
        else _enum(Status, status_raw, f"{where}.status", also=(UNSUBSCRIBE_ALL,))
    )
    type_id = _optional_id(raw.get("subscriptionId"), f"{where}.subscriptionId")
    unit_id = _optional_id(raw.get("businessUnitId"), f"{where}.businessUnitId", minimum=0)
    if status is not None and type_id is None:
        raise InvalidInput(
            f"{where}.subscriptionId: choose the subscription type to set.",
            field=f"{where}.subscriptionId",
        )
    if status is None and type_id is not None:
        raise InvalidInput(
            f"{where}.subscriptionId: unsubscribe from all covers every type; leave it out.",
            field=f"{where}.subscriptionId",
        )
    basis_raw = raw.get("legalBasis")
    basis = None if basis_raw is None else _enum(LegalBasis, basis_raw, f"{where}.legalBasis")
    explanation = raw.get("legalBasisExplanation")
    if explanation is not None:
        if not isinstance(explanation, str) or len(explanation) > MAX_EXPLANATION:
            raise InvalidInput(
                f"{where}.legalBasisExplanation: a text of at most {MAX_EXPLANATION} characters.",
                field=f"{where}.legalBasisExplanation",
            )
        explanation = check_text(explanation.strip(), f"{where}.legalBasisExplanation") or None
    return ManageSubscription(channel, status, type_id, unit_id, basis, explanation)


def _optional_id(raw: Any, field: str, minimum: int = 1) -> int | None:
    if raw is None:
        return None
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < minimum:
        raise InvalidInput(f"{field}: a whole number id.", field=field)
    return raw


def _enum(kind: type[E], raw: Any, field: str, also: Sequence[str] = ()) -> E:
    try:
        return kind(raw)
    except ValueError:
        names = ", ".join([*(member.value for member in kind), *also])
        raise InvalidInput(f"{field}: {raw!r} is not one of {names}.", field=field) from None


def definition_json(definition: WorkflowDefinition) -> dict[str, Any]:
    """The stored and answered form; `parse_definition` reads it back unchanged."""
    return {
        "name": definition.name,
        "enrollmentTrigger": {"filterGroups": [dict(group) for group in definition.trigger_json]},
        "reenrollment": definition.reenroll,
        "actions": [action_json(action) for action in definition.actions],
    }


def action_json(action: WorkflowAction) -> dict[str, Any]:
    if isinstance(action, Delay):
        return {"type": action.kind.value, "delay": action.amount, "unit": action.unit.value}
    if isinstance(action, SetProperty):
        return {"type": action.kind.value, "propertyName": action.name, "value": action.value}
    raw: dict[str, Any] = {
        "type": action.kind.value,
        "channel": action.channel.value,
        "status": action.status.value if action.status else UNSUBSCRIBE_ALL,
    }
    optional = {
        "subscriptionId": action.subscription_type_id,
        "businessUnitId": action.business_unit_id,
        "legalBasis": action.legal_basis.value if action.legal_basis else None,
        "legalBasisExplanation": action.explanation,
    }
    raw.update({key: value for key, value in optional.items() if value is not None})
    return raw


def describe(action: WorkflowAction, type_names: Mapping[int, str] | None = None) -> str:
    """One line for the admin page and the run log."""
    if isinstance(action, Delay):
        unit = action.unit.value.lower()
        return f"Delay {action.amount} {unit[:-1] if action.amount == 1 else unit}"
    if isinstance(action, SetProperty):
        if action.value is None:
            return f"Clear property {action.name}"
        return f"Set property {action.name} to {action.value!r}"
    channel = action.channel.value.lower() if action.channel.is_phone else "email"
    channel = {"sms": "SMS", "whatsapp": "WhatsApp"}.get(channel, channel)
    if action.status is None:
        return f"Unsubscribe from all {channel}"
    names = type_names or {}
    type_name = names.get(action.subscription_type_id or 0, f"type {action.subscription_type_id}")
    verb = {
        Status.SUBSCRIBED: "Subscribe to",
        Status.NOT_SPECIFIED: "Set not specified for",
        Status.UNSUBSCRIBED: "Unsubscribe from",
    }[action.status]
    return f"{verb} {type_name} ({channel})"


# --- what must hold before a workflow runs --------------------------------------------------


@dataclass(frozen=True)
class Catalog:
    """What the checks need to know of the account: types by id (their channel), the business
    units, which phone channels are set up, and whether data privacy mode is on."""

    type_channels: Mapping[int, Channel]
    unit_ids: frozenset[int]
    channels_set_up: frozenset[Channel]
    data_privacy_mode: bool
    business_units_enabled: bool


def check_actions(definition: WorkflowDefinition, catalog: Catalog) -> None:
    """Refuse what could never run: an unknown type, a type of another channel, an SMS or
    WhatsApp action before that channel is set up, an unknown business unit."""
    for index, action in enumerate(definition.actions):
        if not isinstance(action, ManageSubscription):
            continue
        where = f"actions[{index}]"
        if action.channel.is_phone and action.channel not in catalog.channels_set_up:
            raise InvalidInput(
                f"{where}.channel: the {action.channel.value} channel is not set up yet;"
                " set it up under Settings → Channels first.",
                field=f"{where}.channel",
            )
        type_id = action.subscription_type_id
        if type_id is not None:
            channel = catalog.type_channels.get(type_id)
            if channel is None:
                raise InvalidInput(
                    f"{where}.subscriptionId: no subscription type has id {type_id}.",
                    field=f"{where}.subscriptionId",
                )
            if channel is not action.channel:
                raise InvalidInput(
                    f"{where}.subscriptionId: type {type_id} is a {channel.value} type, not"
                    f" {action.channel.value}.",
                    field=f"{where}.subscriptionId",
                )
        unit = action.business_unit_id
        if unit is not None and unit != 0 and unit not in catalog.unit_ids:
            raise InvalidInput(
                f"{where}.businessUnitId: no business unit has id {unit}.",
                field=f"{where}.businessUnitId",
            )


def check_enable(definition: WorkflowDefinition, catalog: Catalog) -> None:
    """What enabling needs on top of `check_actions`: in data privacy mode every opt-in action
    names a legal basis and explains it (the rulebook would refuse each run otherwise)."""
    check_actions(definition, catalog)
    if not catalog.data_privacy_mode:
        return
    for index, action in enumerate(definition.actions):
        if isinstance(action, ManageSubscription) and action.status is Status.SUBSCRIBED:
            if action.legal_basis is None:
                raise InvalidInput(
                    f"actions[{index}].legalBasis: data privacy mode is on, so a workflow that"
                    " subscribes contacts must give the legal basis for processing.",
                    field=f"actions[{index}].legalBasis",
                )
            if not action.explanation:
                raise InvalidInput(
                    f"actions[{index}].legalBasisExplanation: data privacy mode is on, so"
                    " explain the legal basis.",
                    field=f"actions[{index}].legalBasisExplanation",
                )


# --- enrollment -------------------------------------------------------------------------------


def enrolls(
    *,
    was_matching: bool,
    matches: bool,
    ever_enrolled: bool,
    active: bool,
    reenroll: bool,
) -> bool:
    """Whether a contact whose trigger was just evaluated enrolls now.

    A contact enrolls when it *starts* to match (not on every change while it keeps matching),
    never while an enrollment of the same workflow is still running for it, and a second time
    only when the workflow allows re-enrollment.
    """
    if not matches or was_matching or active:
        return False
    return reenroll or not ever_enrolled


def enrolls_existing(*, ever_enrolled: bool, active: bool, reenroll: bool) -> bool:
    """ "Enroll existing contacts now": every matching contact not running, and (without
    re-enrollment) never enrolled before."""
    if active:
        return False
    return reenroll or not ever_enrolled
