"""Workflow rules as tables: when a contact enrolls, what a definition must hold, and what
enabling needs in data privacy mode and before a phone channel is set up."""

from typing import Any

import pytest

from consentry.domain import Channel, InvalidInput, LegalBasis, Status
from consentry.domain.workflows import (
    Catalog,
    Delay,
    DelayUnit,
    ManageSubscription,
    SetProperty,
    actor,
    check_actions,
    check_enable,
    definition_json,
    describe,
    enrolls,
    enrolls_existing,
    parse_definition,
)

# was matching, matches now, ever enrolled, running, re-enrollment -> enrolls
ENROLLMENT = [
    (False, True, False, False, False, True),  # starts to match: enrolls
    (False, True, True, False, False, False),  # again, without re-enrollment: no
    (False, True, True, False, True, True),  # again, with re-enrollment: yes
    (False, True, True, True, True, False),  # still running: never twice at once
    (True, True, False, False, False, False),  # kept matching: not an edge
    (True, True, True, False, True, False),
    (False, False, False, False, False, False),  # does not match
    (True, False, True, False, True, False),  # stops matching
]


@pytest.mark.parametrize("was, matches, ever, active, reenroll, expected", ENROLLMENT)
def test_a_contact_enrolls_on_the_edge_only(
    was: bool, matches: bool, ever: bool, active: bool, reenroll: bool, expected: bool
) -> None:
    got = enrolls(
        was_matching=was, matches=matches, ever_enrolled=ever, active=active, reenroll=reenroll
    )
    assert got is expected


# ever enrolled, running, re-enrollment -> "enroll existing contacts now" takes it
EXISTING = [
    (False, False, False, True),
    (True, False, False, False),
    (True, False, True, True),
    (False, True, True, False),
]


@pytest.mark.parametrize("ever, active, reenroll, expected", EXISTING)
def test_enroll_existing(ever: bool, active: bool, reenroll: bool, expected: bool) -> None:
    assert enrolls_existing(ever_enrolled=ever, active=active, reenroll=reenroll) is expected


TRIGGER = {
    "filterGroups": [
        {"filters": [{"propertyName": "country", "operator": "EQ", "value": "Canada"}]}
    ]
}


def definition(*actions: dict[str, Any], **rest: Any) -> dict[str, Any]:
    return {"name": "W", "enrollmentTrigger": TRIGGER, "actions": list(actions), **rest}


SUBSCRIBE = {
    "type": "MANAGE_SUBSCRIPTION",
    "channel": "EMAIL",
    "status": "SUBSCRIBED",
    "subscriptionId": "1",
}

# a definition -> the field its refusal names
BAD = [
    ({"name": "", "enrollmentTrigger": TRIGGER, "actions": [SUBSCRIBE]}, "name"),
    ({"name": "W", "actions": [SUBSCRIBE]}, "enrollmentTrigger"),
    (
        {"name": "W", "enrollmentTrigger": {"filterGroups": []}, "actions": [SUBSCRIBE]},
        "enrollmentTrigger.filterGroups",
    ),
    (definition(), "actions"),
    (definition({"type": "DELAY", "delay": 1, "unit": "DAYS"}), "actions"),
    (definition(SUBSCRIBE, reenrollment="yes"), "reenrollment"),
    (definition({"type": "SEND_EMAIL"}), "actions[0].type"),
    (definition({**SUBSCRIBE, "channel": "FAX"}), "actions[0].channel"),
    (definition({**SUBSCRIBE, "status": "MAYBE"}), "actions[0].status"),
    (definition({**SUBSCRIBE, "subscriptionId": None}), "actions[0].subscriptionId"),
    (definition({**SUBSCRIBE, "subscriptionId": "x"}), "actions[0].subscriptionId"),
    (definition({**SUBSCRIBE, "status": "UNSUBSCRIBED_FROM_ALL"}), "actions[0].subscriptionId"),
    (definition({**SUBSCRIBE, "legalBasis": "BECAUSE"}), "actions[0].legalBasis"),
    (definition(SUBSCRIBE, {"type": "DELAY", "delay": 0, "unit": "DAYS"}), "actions[1].delay"),
    (definition(SUBSCRIBE, {"type": "DELAY", "delay": 400, "unit": "DAYS"}), "actions[1].delay"),
    (definition(SUBSCRIBE, {"type": "DELAY", "delay": 2, "unit": "WEEKS"}), "actions[1].unit"),
    (
        definition({"type": "SET_PROPERTY", "propertyName": "bad name!", "value": "x"}),
        "actions[0].propertyName",
    ),
    (
        definition({"type": "SET_PROPERTY", "propertyName": "hs_object_id", "value": "x"}),
        "actions[0].propertyName",
    ),
    (definition({"type": "SET_PROPERTY", "propertyName": "note", "value": 3}), "actions[0].value"),
]


@pytest.mark.parametrize("raw, field", BAD)
def test_a_bad_definition_is_refused_naming_the_field(raw: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_definition(raw)
    assert refused.value.field == field


def test_a_definition_reads_back_unchanged_from_its_json() -> None:
    parsed = parse_definition(
        definition(
            {
                **SUBSCRIBE,
                "legalBasis": "LEGITIMATE_INTEREST_CLIENT",
                "legalBasisExplanation": " Customer ",
            },
            {"type": "DELAY", "delay": 3, "unit": "HOURS"},
            {"type": "SET_PROPERTY", "propertyName": "note", "value": None},
            {
                "type": "MANAGE_SUBSCRIPTION",
                "channel": "EMAIL",
                "status": "UNSUBSCRIBED_FROM_ALL",
                "businessUnitId": 0,
            },
            reenrollment=True,
        )
    )
    assert parsed.actions == (
        ManageSubscription(
            Channel.EMAIL,
            Status.SUBSCRIBED,
            1,
            None,
            LegalBasis.LEGITIMATE_INTEREST_CLIENT,
            "Customer",
        ),
        Delay(3, DelayUnit.HOURS),
        SetProperty("note", None),
        ManageSubscription(Channel.EMAIL, None, None, 0),
    )
    assert parse_definition(definition_json(parsed)) == parsed
    assert parsed.reenroll and Delay(3, DelayUnit.HOURS).seconds == 10_800


CATALOG = Catalog(
    type_channels={1: Channel.EMAIL, 7: Channel.SMS},
    unit_ids=frozenset({0, 4}),
    channels_set_up=frozenset({Channel.EMAIL}),
    data_privacy_mode=False,
    business_units_enabled=True,
)
SMS = {
    "type": "MANAGE_SUBSCRIPTION",
    "channel": "SMS",
    "status": "UNSUBSCRIBED",
    "subscriptionId": "7",
}

# action, catalog changes -> the field refused (None: accepted)
ACTIONS = [
    (SUBSCRIBE, {}, None),
    ({**SUBSCRIBE, "subscriptionId": "9"}, {}, "actions[0].subscriptionId"),  # no such type
    ({**SUBSCRIBE, "subscriptionId": "7"}, {}, "actions[0].subscriptionId"),  # an SMS type
    (SMS, {}, "actions[0].channel"),  # SMS not set up
    (SMS, {"channels_set_up": frozenset({Channel.EMAIL, Channel.SMS})}, None),
    ({**SMS, "channel": "WHATSAPP"}, {}, "actions[0].channel"),
    (
        {
            "type": "MANAGE_SUBSCRIPTION",
            "channel": "EMAIL",
            "status": "UNSUBSCRIBED_FROM_ALL",
            "businessUnitId": 5,
        },
        {},
        "actions[0].businessUnitId",
    ),
    (
        {
            "type": "MANAGE_SUBSCRIPTION",
            "channel": "EMAIL",
            "status": "UNSUBSCRIBED_FROM_ALL",
            "businessUnitId": 4,
        },
        {},
        None,
    ),
]


@pytest.mark.parametrize("action, changes, field", ACTIONS)
def test_actions_are_checked_against_the_account(
    action: dict[str, Any], changes: dict[str, Any], field: str | None
) -> None:
    catalog = Catalog(**{**CATALOG.__dict__, **changes})
    parsed = parse_definition(definition(action))
    if field is None:
        check_actions(parsed, catalog)
        return
    with pytest.raises(InvalidInput) as refused:
        check_actions(parsed, catalog)
    assert refused.value.field == field


PRIVATE = Catalog(**{**CATALOG.__dict__, "data_privacy_mode": True})
BASIS = {"legalBasis": "LEGITIMATE_INTEREST_CLIENT", "legalBasisExplanation": "Customer"}

# action, data privacy mode -> the field enabling refuses (None: it may be enabled)
ENABLING = [
    (SUBSCRIBE, False, None),
    (SUBSCRIBE, True, "actions[0].legalBasis"),
    ({**SUBSCRIBE, "legalBasis": "CONSENT_WITH_NOTICE"}, True, "actions[0].legalBasisExplanation"),
    ({**SUBSCRIBE, **BASIS}, True, None),
    ({**SUBSCRIBE, "status": "UNSUBSCRIBED"}, True, None),  # opting out needs no basis
]


@pytest.mark.parametrize("action, private, field", ENABLING)
def test_data_privacy_mode_needs_a_basis_for_opt_ins(
    action: dict[str, Any], private: bool, field: str | None
) -> None:
    parsed = parse_definition(definition(action))
    catalog = PRIVATE if private else CATALOG
    if field is None:
        check_enable(parsed, catalog)
        return
    with pytest.raises(InvalidInput) as refused:
        check_enable(parsed, catalog)
    assert refused.value.field == field


@pytest.mark.parametrize(
    "action, text",
    [
        (Delay(1, DelayUnit.DAYS), "Delay 1 day"),
        (Delay(5, DelayUnit.MINUTES), "Delay 5 minutes"),
        (SetProperty("note", "x"), "Set property note to 'x'"),
        (SetProperty("note", None), "Clear property note"),
        (ManageSubscription(Channel.EMAIL, Status.SUBSCRIBED, 1), "Subscribe to News (email)"),
        (ManageSubscription(Channel.SMS, Status.UNSUBSCRIBED, 7), "Unsubscribe from type 7 (SMS)"),
        (ManageSubscription(Channel.WHATSAPP, None, None), "Unsubscribe from all WhatsApp"),
    ],
)
def test_each_action_reads_as_a_sentence(action: Any, text: str) -> None:
    assert describe(action, {1: "News"}) == text


def test_the_ledger_actor_names_workflow_and_version() -> None:
    assert str(actor(12, 3)) == "workflow:12:v3"
