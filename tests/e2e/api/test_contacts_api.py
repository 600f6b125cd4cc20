"""CRM contacts over HTTP (`/crm/v3/objects/contacts`): every endpoint with whole bodies, auth
and scopes, the 4xx answers, search on every operator and on the computed opt-out properties,
and HubSpot's own Python client; on SQLite and PostgreSQL."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hubspot import HubSpot
from hubspot.crm.contacts import (
    Filter,
    FilterGroup,
    PublicObjectSearchRequest,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.contacts.exceptions import ApiException
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Channel, Status
from tests.e2e.api.shapes import HUBSPOT_TIME, TIME, envelope, error, masked
from tests.integration.helpers import MARKETING, ONE_TO_ONE, change, provenance

CONTACTS = "/crm/v3/objects/contacts"
READ, WRITE = "crm.objects.contacts.read", "crm.objects.contacts.write"


def shown(body: Any) -> Any:
    """`masked`, and the times inside properties and `archivedAt` too (checked for form)."""
    return _property_times_masked(masked(body))


def _property_times_masked(body: Any) -> Any:
    if isinstance(body, list):
        return [_property_times_masked(item) for item in body]
    if not isinstance(body, dict):
        return body
    result = {key: _property_times_masked(value) for key, value in body.items()}
    for key in ("createdate", "lastmodifieddate", "archivedAt"):
        if isinstance(result.get(key), str):
            assert HUBSPOT_TIME.match(result[key]), f"{key}={result[key]!r}"
            result[key] = TIME
    return result


def contact(contact_id: str, archived: bool = False, **properties: str | None) -> dict[str, Any]:
    """A contact as HubSpot answers it, with the default properties unless given otherwise."""
    defaults = {"email": None, "firstname": None, "lastname": None}
    props = {
        **defaults,
        **properties,
        "createdate": TIME,
        "hs_object_id": contact_id,
        "lastmodifieddate": TIME,
    }
    body: dict[str, Any] = {
        "id": contact_id,
        "properties": dict(sorted(props.items())),
        "createdAt": TIME,
        "updatedAt": TIME,
        "archived": archived,
    }
    if archived:
        body["archivedAt"] = TIME
    return body


def create(client: httpx.Client, **properties: Any) -> str:
    response = client.post(CONTACTS, json={"properties": properties})
    assert response.status_code == 201, response.text
    contact_id: str = response.json()["id"]
    return contact_id


def search(client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    return client.post(f"{CONTACTS}/search", json=body)


# --- single contacts -----------------------------------------------------------------------


def test_create_read_update_archive(client: httpx.Client) -> None:
    created = client.post(
        CONTACTS,
        json={"properties": {"email": "Ann@X.com", "firstname": "Ann", "age": 42}, "x": 1},
    )
    assert created.status_code == 201
    ann = created.json()["id"]
    assert ann.isdigit()
    assert shown(created.json()) == contact(ann, email="Ann@X.com", firstname="Ann", age="42")

    read = client.get(f"{CONTACTS}/{ann}")
    assert read.status_code == 200
    assert shown(read.json()) == contact(ann, email="Ann@X.com", firstname="Ann")

    patched = client.patch(
        f"{CONTACTS}/{ann}", json={"properties": {"lastname": "Lee", "age": None}}
    )
    assert patched.status_code == 200
    assert shown(patched.json()) == contact(
        ann, email="Ann@X.com", firstname="Ann", lastname="Lee", age=None
    )

    deleted = client.delete(f"{CONTACTS}/{ann}")
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert client.delete(f"{CONTACTS}/{ann}").status_code == 204  # archiving twice is fine
    gone = client.get(f"{CONTACTS}/{ann}")
    assert gone.status_code == 404
    assert shown(gone.json()) == error(
        "OBJECT_NOT_FOUND",
        f"No contact with id '{ann}'.",
        errors=[{"message": f"No contact with id '{ann}'.", "code": "NOT_FOUND", "in": "id"}],
    )
    archived = client.get(f"{CONTACTS}/{ann}", params={"archived": "true"})
    assert shown(archived.json()) == contact(
        ann, archived=True, email="Ann@X.com", firstname="Ann", lastname="Lee"
    )


def test_read_by_email_with_chosen_properties(client: httpx.Client) -> None:
    ann = create(client, email="ann@x.com", firstname="Ann", city="Oslo")

    by_email = client.get(
        f"{CONTACTS}/ANN@x.com",
        params=[("idProperty", "email"), ("properties", "city,firstname"), ("properties", "zip")],
    )
    assert by_email.status_code == 200
    assert shown(by_email.json())["properties"] == {
        "city": "Oslo",
        "createdate": TIME,
        "firstname": "Ann",
        "hs_object_id": ann,
        "lastmodifieddate": TIME,
        "zip": None,
    }
    patched = client.patch(
        f"{CONTACTS}/ann@x.com", params={"idProperty": "email"}, json={"properties": {"zip": 1}}
    )
    assert patched.json()["id"] == ann and patched.json()["properties"]["zip"] == "1"
    assert client.get(f"{CONTACTS}/bob@x.com", params={"idProperty": "email"}).status_code == 404
    bad = client.get(f"{CONTACTS}/{ann}", params={"idProperty": "phone"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["in"] == "idProperty"


def test_list_pages_with_a_next_link(client: httpx.Client) -> None:
    made = [create(client, email=f"p{i}@x.com") for i in range(5)]

    first = client.get(CONTACTS, params={"limit": 2, "properties": "email"})
    assert first.status_code == 200
    body = shown(first.json())
    after = body["paging"]["next"]["after"]
    assert body == {
        "results": [
            {
                **contact(made[i]),
                "properties": {
                    "createdate": TIME,
                    "email": f"p{i}@x.com",
                    "hs_object_id": made[i],
                    "lastmodifieddate": TIME,
                },
            }
            for i in (0, 1)
        ],
        "paging": {"next": {"after": after, "link": body["paging"]["next"]["link"]}},
    }
    seen = [r["id"] for r in body["results"]]
    link = body["paging"]["next"]["link"]
    while link:
        assert link.startswith(str(client.base_url)) and "limit=2" in link
        page = client.get(link).json()
        seen += [r["id"] for r in page["results"]]
        link = page.get("paging", {}).get("next", {}).get("link")
    assert seen == made
    client.delete(f"{CONTACTS}/{made[0]}")
    archived = client.get(CONTACTS, params={"archived": "true"}).json()
    assert [r["id"] for r in archived["results"]] == [made[0]] and "paging" not in archived


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"after": "x"}, "after")],
)
def test_bad_paging_is_400_naming_it(
    client: httpx.Client, params: dict[str, Any], field: str
) -> None:
    response = client.get(CONTACTS, params=params)
    assert response.status_code == 400
    assert response.json()["errors"][0]["in"] == field


# --- batches -------------------------------------------------------------------------------


def test_batch_create_read_update_archive(client: httpx.Client) -> None:
    created = client.post(
        f"{CONTACTS}/batch/create",
        json={"inputs": [{"properties": {"email": f"b{i}@x.com"}} for i in range(3)]},
    )
    assert created.status_code == 201
    made = [r["id"] for r in created.json()["results"]]
    assert shown(created.json()) == envelope(
        [contact(i, email=f"b{n}@x.com") for n, i in enumerate(made)]
    )

    read = client.post(
        f"{CONTACTS}/batch/read",
        json={"properties": ["email"], "inputs": [{"id": made[2]}, {"id": made[0]}]},
    )
    assert read.status_code == 200
    assert [r["id"] for r in read.json()["results"]] == [made[2], made[0]]
    assert set(read.json()["results"][0]["properties"]) == {
        "createdate",
        "email",
        "hs_object_id",
        "lastmodifieddate",
    }
    by_email = client.post(
        f"{CONTACTS}/batch/read", json={"idProperty": "email", "inputs": [{"id": "B1@x.com"}]}
    )
    assert [r["id"] for r in by_email.json()["results"]] == [made[1]]

    updated = client.post(
        f"{CONTACTS}/batch/update",
        json={"inputs": [{"id": made[0], "properties": {"firstname": "Zed"}}]},
    )
    assert updated.status_code == 200
    assert shown(updated.json()) == envelope([contact(made[0], email="b0@x.com", firstname="Zed")])

    archived = client.post(
        f"{CONTACTS}/batch/archive", json={"inputs": [{"id": made[0]}, {"id": "999999"}]}
    )
    assert (archived.status_code, archived.content) == (204, b"")
    assert [r["id"] for r in client.get(CONTACTS).json()["results"]] == made[1:]


def test_batches_answer_207_with_the_inputs_that_failed(client: httpx.Client) -> None:
    taken = create(client, email="taken@x.com")

    created = client.post(
        f"{CONTACTS}/batch/create",
        json={
            "inputs": [
                {"properties": {"email": "new@x.com"}},
                {"properties": {"email": "TAKEN@x.com"}},
            ]
        },
    )
    assert created.status_code == 207
    body = shown(created.json())
    message = (
        f"Contact already exists: 'TAKEN@x.com' is the email of contact {taken}."
        f" Existing ID: {taken}"
    )
    assert body == envelope(
        [body["results"][0]],
        errors=[
            {
                "status": "error",
                "category": "CONFLICT",
                "message": message,
                "errors": [{"message": message, "code": "CONFLICT", "in": "email"}],
                "context": {"index": ["1"]},
                "links": {},
            }
        ],
        numErrors=1,
    )

    read = client.post(f"{CONTACTS}/batch/read", json={"inputs": [{"id": taken}, {"id": "404"}]})
    assert read.status_code == 207
    assert [r["id"] for r in read.json()["results"]] == [taken]
    assert read.json()["errors"] == [
        {
            "status": "error",
            "id": "404",
            "category": "OBJECT_NOT_FOUND",
            "message": "No contact with id '404'.",
            "errors": [{"message": "No contact with id '404'.", "code": "NOT_FOUND", "in": "id"}],
            "context": {"index": ["1"], "ids": ["404"]},
            "links": {},
        }
    ]
    updated = client.post(
        f"{CONTACTS}/batch/update",
        json={
            "inputs": [
                {"id": taken, "properties": {"hs_email_optout": "true"}},
                {"id": taken, "properties": {"city": "Oslo"}},
            ]
        },
    )
    assert updated.status_code == 207
    assert updated.json()["numErrors"] == 1
    assert updated.json()["errors"][0]["errors"][0]["in"] == "properties.hs_email_optout"
    assert updated.json()["results"][0]["properties"]["city"] == "Oslo"


@pytest.mark.parametrize("operation", ["create", "read", "update", "archive"])
def test_a_batch_over_100_inputs_is_400_naming_the_limit(
    client: httpx.Client, operation: str
) -> None:
    item = {"id": "1", "properties": {"firstname": "x"}}
    response = client.post(f"{CONTACTS}/batch/{operation}", json={"inputs": [item] * 101})
    assert response.status_code == 400
    assert (
        response.json()["message"] == "A contacts batch takes at most 100 inputs; this one has 101."
    )
    assert response.json()["errors"][0]["in"] == "inputs"


# --- errors, auth and scopes ---------------------------------------------------------------


def test_malformed_json_and_missing_fields_are_400(client: httpx.Client) -> None:
    malformed = client.post(
        CONTACTS, content=b'{"properties": {', headers={"Content-Type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["category"] == "VALIDATION_ERROR"
    assert malformed.json()["errors"][0]["code"] == "INVALID_JSON"

    missing = client.post(CONTACTS, json={"props": {}})
    assert missing.status_code == 400
    assert shown(missing.json()) == error(
        "VALIDATION_ERROR",
        "properties: Field required",
        errors=[{"message": "properties: Field required", "code": "MISSING", "in": "properties"}],
    )
    no_id = client.post(f"{CONTACTS}/batch/read", json={"inputs": [{}]})
    assert no_id.status_code == 400 and no_id.json()["errors"][0]["in"] == "inputs.0.id"


def test_bad_values_are_400_and_a_taken_email_is_409(client: httpx.Client) -> None:
    bad_email = client.post(CONTACTS, json={"properties": {"email": "no at sign"}})
    assert bad_email.status_code == 400 and bad_email.json()["errors"][0]["in"] == "email"
    read_only = client.post(CONTACTS, json={"properties": {"hs_object_id": "7"}})
    assert read_only.status_code == 400
    assert "read-only" in read_only.json()["message"]
    create(client, email="ann@x.com")
    taken = client.post(CONTACTS, json={"properties": {"email": "ANN@x.com"}})
    assert taken.status_code == 409
    assert taken.json()["category"] == "CONFLICT" and "'ANN@x.com'" in taken.json()["message"]


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
@pytest.mark.parametrize("contact_id", ["424242", "abc", "99999999999999999999999"])
def test_unknown_contacts_are_404(client: httpx.Client, method: str, contact_id: str) -> None:
    body = {"json": {"properties": {"a": "b"}}} if method == "patch" else {}
    response = client.request(method.upper(), f"{CONTACTS}/{contact_id}", **body)
    assert response.status_code == 404
    assert response.json()["category"] == "OBJECT_NOT_FOUND"


ROUTES = [
    ("GET", CONTACTS, None, READ),
    ("GET", f"{CONTACTS}/1", None, READ),
    ("POST", f"{CONTACTS}/batch/read", {"inputs": []}, READ),
    ("POST", f"{CONTACTS}/search", {}, READ),
    ("POST", CONTACTS, {"properties": {}}, WRITE),
    ("PATCH", f"{CONTACTS}/1", {"properties": {}}, WRITE),
    ("DELETE", f"{CONTACTS}/1", None, WRITE),
    ("POST", f"{CONTACTS}/batch/create", {"inputs": []}, WRITE),
    ("POST", f"{CONTACTS}/batch/update", {"inputs": []}, WRITE),
    ("POST", f"{CONTACTS}/batch/archive", {"inputs": []}, WRITE),
]


def test_every_route_needs_a_token_and_its_scope(
    base_url: str, make_token: Callable[..., str]
) -> None:
    other = make_token("communication_preferences.read_write", "consentry.admin")
    reader, writer = make_token(READ), make_token(WRITE)
    with httpx.Client(base_url=base_url) as http:
        for method, path, body, scope in ROUTES:
            anonymous = http.request(method, path, json=body)
            assert anonymous.status_code == 401, (method, path)
            assert anonymous.json()["category"] == "INVALID_AUTHENTICATION"
            bad = http.request(method, path, json=body, headers={"Authorization": "Bearer cst_x"})
            assert bad.status_code == 401, (method, path)

            for token in (other, writer if scope == READ else reader):
                refused = http.request(
                    method, path, json=body, headers={"Authorization": f"Bearer {token}"}
                )
                assert refused.status_code == 403, (method, path)
                assert shown(refused.json()) == error(
                    "MISSING_SCOPES",
                    "This token hasn't been granted all required scopes to make this call.",
                    context={"requiredScopes": [scope]},
                    errors=[
                        {
                            "message": "One or more of the following scopes are required.",
                            "context": {"requiredScopes": [scope]},
                        }
                    ],
                )
            allowed = http.request(
                method,
                path,
                json=body,
                headers={"Authorization": f"Bearer {reader if scope == READ else writer}"},
            )
            assert allowed.status_code in (200, 201, 204, 404), (method, path, allowed.text)


# --- search --------------------------------------------------------------------------------


@pytest.fixture
def people(client: httpx.Client, engine: Engine) -> dict[str, str]:
    made = {
        "ann": create(client, email="ann@example.com", firstname="Ann", age=42, city="Oslo"),
        "bob": create(client, email="bob@example.org", firstname="Bob", age=7),
        "cy": create(client, email="cy@test.io", firstname="Cy", age="100", city="Bergen"),
    }
    services.set_status(engine, change("ann@example.com", Status.UNSUBSCRIBED, type_id=MARKETING))
    services.unsubscribe_all(engine, "cy@test.io", Channel.EMAIL, None, provenance())
    return made


def f(name: str, operator: str, **operands: Any) -> dict[str, Any]:
    return {"propertyName": name, "operator": operator, **operands}


OPT_MARKETING = f"hs_email_optout_{MARKETING}"
OPT_ONE_TO_ONE = f"hs_email_optout_{ONE_TO_ONE}"

SEARCHES = [
    (f("firstname", "EQ", value="ann"), ["ann"]),
    (f("firstname", "NEQ", value="ann"), ["bob", "cy"]),
    (f("age", "LT", value="42"), ["bob"]),
    (f("age", "LTE", value="42"), ["ann", "bob"]),
    (f("age", "GT", value=42), ["cy"]),
    (f("age", "GTE", value="42.0"), ["ann", "cy"]),
    (f("age", "BETWEEN", value="7", highValue="42"), ["ann", "bob"]),
    (f("city", "IN", values=["oslo", "BERGEN"]), ["ann", "cy"]),
    (f("city", "NOT_IN", values=["oslo"]), ["bob", "cy"]),
    (f("city", "HAS_PROPERTY"), ["ann", "cy"]),
    (f("city", "NOT_HAS_PROPERTY"), ["bob"]),
    (f("email", "CONTAINS_TOKEN", value="*@example.*"), ["ann", "bob"]),
    (f("email", "NOT_CONTAINS_TOKEN", value="example"), ["cy"]),
    (f("hs_email_optout", "EQ", value="true"), ["cy"]),
    (f("hs_email_optout", "EQ", value="false"), ["ann", "bob"]),
    (f(OPT_MARKETING, "EQ", value="true"), ["ann", "cy"]),
    (f(OPT_MARKETING, "NEQ", value="true"), ["bob"]),
    (f(OPT_ONE_TO_ONE, "HAS_PROPERTY"), ["cy"]),
    (f("createdate", "GT", value="0"), ["ann", "bob", "cy"]),
    (f("hs_object_id", "GT", value="0"), ["ann", "bob", "cy"]),
]


def test_search_on_every_operator_and_the_computed_properties(
    client: httpx.Client, people: dict[str, str]
) -> None:
    names = {contact_id: name for name, contact_id in people.items()}
    for filter_, expected in SEARCHES:
        response = search(client, {"filterGroups": [{"filters": [filter_]}]})
        assert response.status_code == 200, response.text
        found = [names[r["id"]] for r in response.json()["results"]]
        assert found == expected, filter_
        assert response.json()["total"] == len(expected)


def test_search_answers_hubspots_shape_with_paging(
    client: httpx.Client, people: dict[str, str]
) -> None:
    first = search(
        client,
        {
            "filterGroups": [
                {"filters": [f("email", "CONTAINS_TOKEN", value="example")]},
                {"filters": [f("hs_email_optout", "EQ", value=True)]},
            ],
            "properties": ["hs_email_optout", OPT_MARKETING],
            "sorts": [{"propertyName": "firstname", "direction": "DESCENDING"}],
            "limit": 2,
        },
    )
    assert first.status_code == 200
    optouts = {"hs_email_optout": "true", OPT_MARKETING: "true"}
    assert shown(first.json()) == {
        "total": 3,
        "results": [
            {**contact(people["cy"]), "properties": {**_always(people["cy"]), **optouts}},
            {
                **contact(people["bob"]),
                "properties": {
                    **_always(people["bob"]),
                    "hs_email_optout": "false",
                    OPT_MARKETING: None,
                },
            },
        ],
        "paging": {"next": {"after": "2"}},
    }
    rest = search(client, {"sorts": ["-firstname"], "limit": 2, "after": "2"})
    assert [r["id"] for r in rest.json()["results"]] == [people["ann"]]
    assert "paging" not in rest.json()
    everyone = search(client, {})
    assert everyone.json()["total"] == 3 and "paging" not in everyone.json()
    assert [r["id"] for r in search(client, {"query": "test.io"}).json()["results"]] == [
        people["cy"]
    ]


def _always(contact_id: str) -> dict[str, str]:
    return {"createdate": TIME, "hs_object_id": contact_id, "lastmodifieddate": TIME}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"filterGroups": [{"filters": [f("email", "LIKE", value="a")]}]},
            "filterGroups[0].filters[0].operator",
            "unknown operator 'LIKE'",
        ),
        (
            {"filterGroups": [{"filters": [f("age", "BETWEEN", value="1")]}]},
            "filterGroups[0].filters[0].highValue",
            "highValue is required",
        ),
        (
            {"filterGroups": [{"filters": [f("email", "EQ")]}]},
            "filterGroups[0].filters[0].value",
            "value is required",
        ),
        (
            {"filterGroups": [{"filters": [f("a", "HAS_PROPERTY")]}] * 6},
            "filterGroups",
            "at most 5",
        ),
        (
            {"filterGroups": [{"filters": [f("a", "HAS_PROPERTY")] * 7}]},
            "filterGroups[0].filters",
            "at most 6",
        ),
        (
            {"filterGroups": [{"filters": [{"operator": "EQ", "value": "x"}]}]},
            "filterGroups.0.filters.0.propertyName",
            "Field required",
        ),
        ({"limit": 500}, "limit", "between 1 and 200"),
    ],
)
def test_bad_searches_are_400_naming_the_field(
    client: httpx.Client, body: dict[str, Any], field: str, message: str
) -> None:
    response = search(client, body)
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"
    assert response.json()["errors"][0]["in"] == field
    assert message in response.json()["message"]


# --- HubSpot's own client ------------------------------------------------------------------


def test_hubspot_python_client_creates_reads_and_searches_contacts(
    base_url: str, make_token: Callable[..., str]
) -> None:
    hubspot = HubSpot(access_token=make_token(READ, WRITE), host=base_url)
    api = hubspot.crm.contacts

    made = api.basic_api.create(
        simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
            properties={"email": "fan@x.com", "firstname": "Fan"}
        )
    )
    assert made.properties["email"] == "fan@x.com" and made.archived is False

    read = api.basic_api.get_by_id(made.id, properties=["firstname", "hs_email_optout"])
    assert read.properties["firstname"] == "Fan"
    assert read.properties["hs_email_optout"] == "false"
    assert read.created_at.tzinfo is not None

    found = api.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(
            filter_groups=[
                FilterGroup(
                    filters=[Filter(property_name="email", operator="EQ", value="FAN@x.com")]
                )
            ],
            properties=["email"],
            limit=10,
        )
    )
    assert found.total == 1 and found.results[0].id == made.id

    page = api.basic_api.get_page(limit=10)
    assert [c.id for c in page.results] == [made.id]

    with pytest.raises(ApiException) as refused:
        api.basic_api.get_by_id("424242")
    assert refused.value.status == 404
