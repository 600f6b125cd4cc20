"""Contacts on SQLite and PostgreSQL: CRUD, batches, paging, search, and the computed opt-out
properties, which follow the address's statuses (statuses belong to the address)."""

from typing import Any

import pytest
from sqlalchemy import Engine

from consentry import services
from consentry.domain import (
    Channel,
    Conflict,
    InvalidAddress,
    InvalidInput,
    LegalBasis,
    NotFound,
    Status,
)
from consentry.domain.filters import matches, parse_groups
from consentry.services import contacts
from consentry.services.contacts import ContactError, ContactUpdate, SearchRequest
from tests.integration.helpers import MARKETING, ONE_TO_ONE, change, provenance

OPTOUTS = ["hs_email_optout", f"hs_email_optout_{MARKETING}", f"hs_email_optout_{ONE_TO_ONE}"]


def optouts(engine: Engine, contact_id: int | str) -> dict[str, str | None]:
    props = contacts.get(engine, str(contact_id), properties=OPTOUTS).properties
    return {name: props[name] for name in OPTOUTS}


def ids(found: list[contacts.Contact]) -> list[int]:
    return [contact.id for contact in found]


def search_ids(engine: Engine, groups: Any, **kwargs: Any) -> list[int]:
    return ids(contacts.search(engine, SearchRequest(groups, limit=200, **kwargs)).contacts)


# --- create, read, update ------------------------------------------------------------------


def test_a_created_contact_reads_back_with_hubspots_default_properties(engine: Engine) -> None:
    created = contacts.create(
        engine, {"email": "Ann.Lee@Example.COM", "firstname": "Ann", "age": 42, "vip": True}
    )

    read = contacts.get(engine, str(created.id))
    assert read.properties == {
        "createdate": created.properties["createdate"],
        "email": "Ann.Lee@Example.COM",  # kept as given
        "firstname": "Ann",
        "hs_object_id": str(created.id),
        "lastmodifieddate": created.properties["lastmodifieddate"],
        "lastname": None,
    }
    assert created.properties["age"] == "42" and created.properties["vip"] == "true"
    assert read.created_at == read.updated_at and read.created_at.microsecond % 1000 == 0
    assert not read.archived and read.archived_at is None
    asked = contacts.get(engine, str(created.id), properties=["age", "nothing"]).properties
    assert set(asked) == {"age", "nothing", "createdate", "hs_object_id", "lastmodifieddate"}
    assert (asked["age"], asked["nothing"]) == ("42", None)


def test_a_contact_is_found_by_its_normalised_email(engine: Engine) -> None:
    created = contacts.create(engine, {"email": "Ann.Lee@Example.COM"})
    found = contacts.get(engine, " ann.lee@example.com", id_property="email")
    assert found.id == created.id
    with pytest.raises(NotFound, match=r"No contact with email 'bob@x\.com'"):
        contacts.get(engine, "bob@x.com", id_property="email")
    with pytest.raises(InvalidInput, match="idProperty must be hs_object_id or email"):
        contacts.get(engine, "x", id_property="phone")


@pytest.mark.parametrize("contact_id", ["999", "abc", "-1", "1.0", "99999999999999999999", ""])
def test_unknown_ids_are_not_found(engine: Engine, contact_id: str) -> None:
    with pytest.raises(NotFound):
        contacts.get(engine, contact_id)
    with pytest.raises(NotFound):
        contacts.update(engine, contact_id, {"firstname": "x"})
    with pytest.raises(NotFound):
        contacts.archive(engine, contact_id)


def test_a_live_email_belongs_to_one_contact(engine: Engine) -> None:
    first = contacts.create(engine, {"email": "ann@x.com"})
    with pytest.raises(Conflict, match=rf"'ANN@x\.com' is the email of contact {first.id}"):
        contacts.create(engine, {"email": "ANN@x.com"})
    other = contacts.create(engine, {"email": "bob@x.com"})
    with pytest.raises(Conflict, match=r"ann@X\.com"):
        contacts.update(engine, str(other.id), {"email": "ann@X.com"})
    assert contacts.get(engine, str(other.id)).properties["email"] == "bob@x.com"


def test_bad_emails_and_read_only_properties_are_refused(engine: Engine) -> None:
    with pytest.raises(InvalidAddress):
        contacts.create(engine, {"email": "not an address"})
    with pytest.raises(InvalidInput, match="computed"):
        contacts.create(engine, {"email": "a@x.com", "hs_email_optout": "true"})
    created = contacts.create(engine, {"firstname": "No email"})
    with pytest.raises(InvalidInput, match="read-only"):
        contacts.update(engine, str(created.id), {"hs_object_id": "1"})
    assert contacts.list_page(engine).contacts == [contacts.get(engine, str(created.id))]


def test_an_update_merges_and_null_clears(engine: Engine) -> None:
    created = contacts.create(engine, {"email": "a@x.com", "firstname": "Ann", "city": "Oslo"})
    updated = contacts.update(engine, str(created.id), {"firstname": None, "lastname": "Lee"})

    assert updated.properties["firstname"] is None and updated.properties["lastname"] == "Lee"
    assert updated.updated_at >= created.updated_at
    assert contacts.get(engine, str(created.id), properties=["city"]).properties["city"] == "Oslo"
    by_email = contacts.update(engine, "A@X.COM", {"city": ""}, id_property="email")
    assert by_email.id == created.id
    assert contacts.get(engine, str(created.id), properties=["city"]).properties["city"] is None


# --- statuses belong to the address -------------------------------------------------------


def test_computed_properties_follow_the_addresss_statuses(engine: Engine) -> None:
    contact = contacts.create(engine, {"email": "Ann@X.com"})
    assert optouts(engine, contact.id) == {
        "hs_email_optout": "false",
        f"hs_email_optout_{MARKETING}": None,
        f"hs_email_optout_{ONE_TO_ONE}": None,
    }

    services.set_status(engine, change("ann@x.com", Status.UNSUBSCRIBED, type_id=MARKETING))
    assert optouts(engine, contact.id) == {
        "hs_email_optout": "false",
        f"hs_email_optout_{MARKETING}": "true",
        f"hs_email_optout_{ONE_TO_ONE}": None,
    }

    services.unsubscribe_all(engine, "ann@x.com", Channel.EMAIL, None, provenance())
    assert set(optouts(engine, contact.id).values()) == {"true"}
    (listed,) = contacts.list_page(engine, properties=OPTOUTS).contacts
    assert {name: listed.properties[name] for name in OPTOUTS} == optouts(engine, contact.id)

    services.set_status(
        engine,
        change(
            "ann@x.com",
            Status.SUBSCRIBED,
            type_id=ONE_TO_ONE,
            basis=LegalBasis.CONSENT_WITH_NOTICE,
            explanation="Asked us by phone",
        ),
    )
    assert optouts(engine, contact.id) == {
        "hs_email_optout": "false",  # resubscribing lifted the wide opt-out ...
        f"hs_email_optout_{MARKETING}": "true",  # ... and revived no other type
        f"hs_email_optout_{ONE_TO_ONE}": None,
    }


def test_an_opt_out_of_all_in_any_business_unit_reads_as_opted_out(engine: Engine) -> None:
    services.set_setting(engine, "business_units_enabled", "true")
    brand = services.create_unit(engine, "Brand Two")
    contact = contacts.create(engine, {"email": "b@x.com"})
    services.unsubscribe_all(engine, "b@x.com", Channel.EMAIL, brand.id, provenance())
    assert optouts(engine, contact.id)["hs_email_optout"] == "true"


def test_an_sms_opt_out_is_not_an_email_opt_out(engine: Engine) -> None:
    contact = contacts.create(engine, {"email": "c@x.com", "phone": "+14155550100"})
    services.unsubscribe_all(engine, "+14155550100", Channel.SMS, None, provenance())
    assert optouts(engine, contact.id)["hs_email_optout"] == "false"


def test_archiving_keeps_the_statuses_and_a_new_contact_sees_them(engine: Engine) -> None:
    old = contacts.create(engine, {"email": "a@x.com", "firstname": "Old"})
    services.unsubscribe_all(engine, "a@x.com", Channel.EMAIL, None, provenance())

    contacts.archive(engine, str(old.id))
    contacts.archive(engine, str(old.id))  # again: nothing changes

    with pytest.raises(NotFound):
        contacts.get(engine, str(old.id))
    archived = contacts.get(engine, str(old.id), archived=True)
    assert archived.archived and archived.archived_at is not None
    assert services.read_statuses(engine, "a@x.com", Channel.EMAIL).unsubscribed_from_all
    new = contacts.create(engine, {"email": "A@x.com", "firstname": "New"})
    assert new.id != old.id
    assert set(optouts(engine, new.id).values()) == {"true"}
    assert contacts.get(engine, "a@x.com", id_property="email").id == new.id
    found = contacts.get(engine, "a@x.com", id_property="email", archived=True)
    assert found.id == old.id


def test_a_new_email_does_not_carry_the_old_addresss_opt_outs(engine: Engine) -> None:
    contact = contacts.create(engine, {"email": "old@x.com"})
    services.unsubscribe_all(engine, "old@x.com", Channel.EMAIL, None, provenance())
    assert optouts(engine, contact.id)["hs_email_optout"] == "true"

    contacts.update(engine, str(contact.id), {"email": "new@x.com"})

    assert set(optouts(engine, contact.id).values()) == {"false", None}
    assert services.read_statuses(engine, "old@x.com", Channel.EMAIL).unsubscribed_from_all
    assert not services.read_statuses(engine, "new@x.com", Channel.EMAIL).known
    opted_out = [
        {"filters": [{"propertyName": "hs_email_optout", "operator": "EQ", "value": "true"}]}
    ]
    assert search_ids(engine, opted_out) == []
    assert contacts.create(engine, {"email": "old@x.com"}).id != contact.id


# --- listing, batches ----------------------------------------------------------------------


def test_pages_follow_the_cursor_to_the_end(engine: Engine) -> None:
    created = contacts.create_batch(engine, [{"email": f"p{i}@x.com"} for i in range(7)])
    made = [c.id for c in created if isinstance(c, contacts.Contact)]
    contacts.archive(engine, str(made[3]))

    seen: list[int] = []
    after = None
    for _ in range(5):
        page = contacts.list_page(engine, limit=2, after=after)
        seen += ids(page.contacts)
        after = page.next_after
        if after is None:
            break
    assert seen == made[:3] + made[4:]
    assert ids(contacts.list_page(engine, archived=True).contacts) == [made[3]]
    with pytest.raises(InvalidInput, match="limit must be between 1 and 100"):
        contacts.list_page(engine, limit=101)
    with pytest.raises(InvalidInput, match="not a paging cursor"):
        contacts.list_page(engine, after="abc")


def test_a_batch_creates_what_it_can_and_reports_the_rest(engine: Engine) -> None:
    contacts.create(engine, {"email": "taken@x.com"})
    results = contacts.create_batch(
        engine,
        [
            {"email": "a@x.com", "firstname": "A"},
            {"email": "bad address"},
            {"email": "TAKEN@x.com"},
            {"email": "A@x.com"},
            {"hs_object_id": "5"},
            {"firstname": "No email"},
        ],
    )

    assert [type(r).__name__ for r in results] == [
        "Contact",
        "ContactError",
        "ContactError",
        "ContactError",
        "ContactError",
        "Contact",
    ]
    errors = [r for r in results if isinstance(r, ContactError)]
    assert [e.index for e in errors] == [1, 2, 3, 4]
    assert isinstance(errors[0].error, InvalidAddress)
    assert isinstance(errors[1].error, Conflict) and "Existing ID" in errors[1].error.message
    assert isinstance(errors[2].error, Conflict) and "more than one" in errors[2].error.message
    assert isinstance(errors[3].error, InvalidInput)
    assert len(contacts.list_page(engine).contacts) == 3
    with pytest.raises(InvalidInput, match="at most 100 inputs; this one has 101"):
        contacts.create_batch(engine, [{"firstname": "x"}] * 101)


def test_a_batch_reads_by_id_or_email_with_computed_properties(engine: Engine) -> None:
    a = contacts.create(engine, {"email": "a@x.com"})
    services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED))

    results = contacts.read_batch(
        engine, [str(a.id), "12345", str(a.id)], properties=[f"hs_email_optout_{MARKETING}"]
    )
    assert isinstance(results[0], contacts.Contact) and isinstance(results[2], contacts.Contact)
    assert results[0].properties[f"hs_email_optout_{MARKETING}"] == "true"
    assert isinstance(results[1], ContactError) and results[1].id == "12345"
    by_email = contacts.read_batch(engine, ["A@X.com", "no@x.com"], id_property="email")
    assert isinstance(by_email[0], contacts.Contact) and by_email[0].id == a.id
    assert isinstance(by_email[1], ContactError) and isinstance(by_email[1].error, NotFound)


def test_a_batch_update_applies_inputs_in_order(engine: Engine) -> None:
    a = contacts.create(engine, {"email": "a@x.com", "n": "0"})
    b = contacts.create(engine, {"email": "b@x.com"})

    results = contacts.update_batch(
        engine,
        [
            ContactUpdate(str(a.id), {"email": "c@x.com", "n": "1"}),
            ContactUpdate("b@x.com", {"email": "a@x.com"}, id_property="email"),  # a@ is free now
            ContactUpdate(str(a.id), {"n": "2"}),
            ContactUpdate(str(b.id), {"email": "c@x.com"}),  # taken by a, earlier in the batch
            ContactUpdate("404", {"n": "x"}),
        ],
    )

    outcome = [type(r).__name__ for r in results]
    assert outcome == ["Contact", "Contact", "Contact", "ContactError", "ContactError"]
    props = contacts.get(engine, str(a.id), properties=["email", "n"]).properties
    assert (props["email"], props["n"]) == ("c@x.com", "2")
    assert contacts.get(engine, "a@x.com", id_property="email").id == b.id


def test_a_batch_archive_ignores_unknown_ids(engine: Engine) -> None:
    a = contacts.create(engine, {"email": "a@x.com"})
    b = contacts.create(engine, {"email": "b@x.com"})
    contacts.archive_batch(engine, [str(a.id), "999", "junk"])
    assert ids(contacts.list_page(engine).contacts) == [b.id]


# --- search ------------------------------------------------------------------------------

PEOPLE: list[dict[str, Any]] = [
    {"email": "ann@example.com", "firstname": "Ann", "age": "42", "city": "Oslo"},
    {"email": "bob@example.org", "firstname": "bob", "age": "7", "city": "oslo", "note": "50%"},
    {"email": "cy@test.io", "firstname": "Cy", "age": "42.0", "score": "-3.5"},
    {"email": "dee@test.io", "firstname": "Dee", "age": "old", "city": "Bergen"},
    {"firstname": "Eve", "age": "100", "note": "a_b"},
]

FILTERS: list[tuple[str, dict[str, Any]]] = [
    *[("firstname", {"operator": op, "value": "BOB"}) for op in ("EQ", "NEQ", "LT", "GTE")],
    *[("age", {"operator": op, "value": "42"}) for op in ("EQ", "NEQ", "LT", "LTE", "GT", "GTE")],
    ("age", {"operator": "BETWEEN", "value": "7", "highValue": "42"}),
    ("age", {"operator": "BETWEEN", "value": "a", "highValue": "z"}),
    ("age", {"operator": "GT", "value": "10x"}),
    ("score", {"operator": "LT", "value": "0"}),
    ("city", {"operator": "IN", "values": ["OSLO", "bergen"]}),
    ("city", {"operator": "NOT_IN", "values": ["oslo"]}),
    ("age", {"operator": "IN", "values": ["42", "100.00"]}),
    ("city", {"operator": "HAS_PROPERTY"}),
    ("city", {"operator": "NOT_HAS_PROPERTY"}),
    ("email", {"operator": "CONTAINS_TOKEN", "value": "*@TEST.io"}),
    ("email", {"operator": "CONTAINS_TOKEN", "value": "example"}),
    ("email", {"operator": "NOT_CONTAINS_TOKEN", "value": "example"}),
    ("note", {"operator": "CONTAINS_TOKEN", "value": "50%"}),
    ("note", {"operator": "CONTAINS_TOKEN", "value": "a_"}),
    ("note", {"operator": "CONTAINS_TOKEN", "value": "0_"}),
    ("hs_object_id", {"operator": "GT", "value": "0"}),
    ("hs_object_id", {"operator": "IN", "values": ["1", "3"]}),
    ("hs_email_optout", {"operator": "EQ", "value": "true"}),
    ("hs_email_optout", {"operator": "NEQ", "value": "true"}),
    ("hs_email_optout", {"operator": "EQ", "value": False}),
    (f"hs_email_optout_{MARKETING}", {"operator": "EQ", "value": "true"}),
    (f"hs_email_optout_{MARKETING}", {"operator": "NEQ", "value": "true"}),
    (f"hs_email_optout_{MARKETING}", {"operator": "HAS_PROPERTY"}),
    (f"hs_email_optout_{ONE_TO_ONE}", {"operator": "NOT_HAS_PROPERTY"}),
    ("createdate", {"operator": "GT", "value": "2000-01-01"}),
    ("lastmodifieddate", {"operator": "LT", "value": "0"}),
]


@pytest.fixture
def people(engine: Engine) -> list[int]:
    made = [contacts.create(engine, person).id for person in PEOPLE]
    services.set_status(engine, change("ann@example.com", Status.UNSUBSCRIBED, type_id=MARKETING))
    services.unsubscribe_all(engine, "cy@test.io", Channel.EMAIL, None, provenance())
    return made


def test_search_answers_as_the_reference_evaluator_on_every_operator(
    engine: Engine, people: list[int]
) -> None:
    names = sorted({name for name, _ in FILTERS})
    every = {
        c.id: c.properties
        for c in contacts.read_batch(engine, list(map(str, people)), properties=names)
        if isinstance(c, contacts.Contact)
    }
    for name, operands in FILTERS:
        groups = [{"filters": [{"propertyName": name, **operands}]}]
        expected = [i for i in people if matches(every[i], parse_groups(groups))]
        assert search_ids(engine, groups) == expected, (name, operands)


def test_search_ors_groups_and_ands_filters(engine: Engine, people: list[int]) -> None:
    ann, *_, eve = people
    oslo = {"propertyName": "city", "operator": "EQ", "value": "oslo"}
    old = {"propertyName": "age", "operator": "GTE", "value": "42"}
    eve_ = {"propertyName": "firstname", "operator": "EQ", "value": "eve"}

    assert search_ids(engine, [{"filters": [oslo, old]}]) == [ann]
    assert search_ids(engine, [{"filters": [oslo, old]}, {"filters": [eve_]}]) == [ann, eve]
    assert search_ids(engine, []) == people


def test_search_sorts_pages_and_counts(engine: Engine, people: list[int]) -> None:
    ann, bob, cy, dee, eve = people
    first = contacts.search(engine, SearchRequest(sorts=["-firstname"], limit=2))
    assert (first.total, ids(first.contacts), first.next_after) == (5, [bob, eve], "2")
    rest = contacts.search(engine, SearchRequest(sorts=["-firstname"], limit=2, after="4"))
    assert (ids(rest.contacts), rest.next_after) == ([ann], None)
    by_city = contacts.search(
        engine, SearchRequest(sorts=[{"propertyName": "city", "direction": "ASCENDING"}])
    )
    assert ids(by_city.contacts) == [dee, ann, bob, cy, eve]  # by code point; none last
    newest = contacts.search(engine, SearchRequest(sorts=["-createdate", "-hs_object_id"]))
    assert ids(newest.contacts) == [eve, dee, cy, bob, ann]
    assert search_ids(engine, None, query="TEST.IO") == [cy, dee]
    assert search_ids(engine, None, query="eve") == [eve]


def test_the_dates_shown_are_the_dates_filtered(engine: Engine, people: list[int]) -> None:
    shown = contacts.get(engine, str(people[2])).properties
    for name in ("createdate", "lastmodifieddate"):
        exact = [{"filters": [{"propertyName": name, "operator": "EQ", "value": shown[name]}]}]
        assert people[2] in search_ids(engine, exact)
    later = contacts.update(engine, str(people[2]), {"city": "Rome"}).properties
    after = [
        {
            "filters": [
                {
                    "propertyName": "lastmodifieddate",
                    "operator": "GTE",
                    "value": later["lastmodifieddate"],
                }
            ]
        }
    ]
    assert search_ids(engine, after) == [people[2]]


def test_archived_contacts_are_not_searched(engine: Engine, people: list[int]) -> None:
    contacts.archive(engine, str(people[0]))
    assert search_ids(engine, None) == people[1:]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (SearchRequest(limit=0), "limit must be between 1 and 200"),
        (SearchRequest(limit=201), "limit must be between 1 and 200"),
        (SearchRequest(after="x"), "not a paging cursor"),
        (SearchRequest(filter_groups=[{"filters": [{"propertyName": "a"}]}]), "operator"),
        (SearchRequest(sorts=[{"propertyName": "a", "direction": "SIDEWAYS"}]), "direction"),
    ],
)
def test_bad_searches_are_refused(engine: Engine, request_: SearchRequest, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        contacts.search(engine, request_)
