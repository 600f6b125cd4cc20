"""Native API: subscription types over HTTP — whole bodies, 400s naming fields, 404s, 409s."""

from typing import Any

import httpx

from tests.e2e.api.shapes import TIME, error, masked

TYPES = "/api/v1/subscription-types"


def type_body(
    type_id: int,
    name: str,
    *,
    description: str = "",
    purpose: str = "Marketing",
    kind: str = "MARKETING",
    order: int,
    default: bool = False,
    archived: bool = False,
    channel: str = "EMAIL",
    method: str = "Email",
    translations: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return {
        "id": type_id,
        "name": name,
        "description": description,
        "purpose": purpose,
        "communicationMethod": method,
        "channel": channel,
        "businessUnitId": 0,
        "kind": kind,
        "archived": archived,
        "isDefault": default,
        "isInternal": False,
        "displayOrder": order,
        "translations": translations or [],
        "createdAt": TIME,
        "updatedAt": TIME,
    }


MARKETING = type_body(
    1,
    "Marketing Information",
    description="Marketing offers and updates.",
    order=1,
    default=True,
)
ONE_TO_ONE = type_body(
    2,
    "One to One",
    description="One to one emails.",
    purpose="Sales",
    kind="ONE_TO_ONE",
    order=2,
    default=True,
)
SERVICE = type_body(
    3,
    "Customer Service Communication",
    description="Feedback requests and service updates.",
    purpose="Customer Service",
    order=3,
    default=True,
)


def invalid(message: str, field: str, code: str = "INVALID_INPUT") -> dict[str, Any]:
    return error(
        "VALIDATION_ERROR", message, errors=[{"message": message, "code": code, "in": field}]
    )


def _create(client: httpx.Client, **body: Any) -> httpx.Response:
    return client.post(TYPES, json={"name": "Newsletter", **body})


def test_list_the_default_types(client: httpx.Client) -> None:
    response = client.get(TYPES)
    assert response.status_code == 200
    assert masked(response.json()) == {"results": [MARKETING, ONE_TO_ONE, SERVICE]}


def test_create_read_and_filter(client: httpx.Client) -> None:
    created = _create(client, description="Weekly", channel="SMS", kind="TRANSACTIONAL")
    expected = type_body(
        4,
        "Newsletter",
        description="Weekly",
        kind="TRANSACTIONAL",
        order=4,
        channel="SMS",
        method="SMS",
    )
    assert created.status_code == 201
    assert masked(created.json()) == expected
    assert masked(client.get(f"{TYPES}/4").json()) == expected
    sms = client.get(TYPES, params={"channel": "SMS", "businessUnitId": 0})
    assert masked(sms.json()) == {"results": [expected]}


def test_edit_only_what_is_sent(client: httpx.Client) -> None:
    edited = client.patch(f"{TYPES}/1", json={"description": "Offers", "kind": "ONE_TO_ONE"})
    assert edited.status_code == 200
    assert masked(edited.json()) == {**MARKETING, "description": "Offers", "kind": "ONE_TO_ONE"}


def test_archive_hides_it_unless_asked_and_unarchive_brings_it_back(client: httpx.Client) -> None:
    archived = client.post(f"{TYPES}/2/archive")
    assert masked(archived.json()) == {**ONE_TO_ONE, "archived": True}
    assert [t["id"] for t in client.get(TYPES).json()["results"]] == [1, 3]
    every = client.get(TYPES, params={"includeArchived": "true"}).json()["results"]
    assert [t["id"] for t in every] == [1, 2, 3]

    back = client.post(f"{TYPES}/2/unarchive")
    assert masked(back.json()) == ONE_TO_ONE


def test_archived_type_refuses_opt_ins_through_v4(client: httpx.Client) -> None:
    client.post(f"{TYPES}/1/archive")
    body = {"channel": "EMAIL", "statusState": "SUBSCRIBED", "subscriptionId": 1}
    refused = client.post("/communication-preferences/v4/statuses/a@x.com", json=body)
    assert refused.status_code == 400
    assert refused.json()["subCategory"] == "TYPE_ARCHIVED"


def test_reorder(client: httpx.Client) -> None:
    response = client.put(f"{TYPES}/order", json={"ids": [3, 1]})
    assert response.status_code == 200
    assert masked(response.json()) == {
        "results": [
            {**SERVICE, "displayOrder": 1},
            {**MARKETING, "displayOrder": 2},
            {**ONE_TO_ONE, "displayOrder": 3},
        ]
    }


def test_translations(client: httpx.Client) -> None:
    put = client.put(
        f"{TYPES}/1/translations/pt_BR", json={"name": "Informações", "description": "Ofertas"}
    )
    client.put(f"{TYPES}/1/translations/de", json={"name": "Werbung"})
    pt = {"languageCode": "pt-br", "name": "Informações", "description": "Ofertas"}
    de = {"languageCode": "de", "name": "Werbung", "description": ""}
    assert put.status_code == 200
    assert masked(put.json()) == {**MARKETING, "translations": [pt]}
    assert masked(client.get(f"{TYPES}/1").json())["translations"] == [de, pt]

    deleted = client.delete(f"{TYPES}/1/translations/DE")
    assert masked(deleted.json()) == {**MARKETING, "translations": [pt]}
    again = client.delete(f"{TYPES}/1/translations/de")
    assert again.status_code == 404
    assert masked(again.json()) == error(
        "OBJECT_NOT_FOUND",
        "Subscription type 1 has no 'de' translation.",
        errors=[
            {
                "message": "Subscription type 1 has no 'de' translation.",
                "code": "NOT_FOUND",
                "in": "languageCode",
            }
        ],
    )


def test_bad_language_code_is_400_naming_it(client: httpx.Client) -> None:
    response = client.put(f"{TYPES}/1/translations/klingon", json={"name": "x"})
    message = (
        "'klingon' is not a language code; use a language such as \"de\", optionally with a"
        ' region or script: "pt-br", "zh-tw", "es-419", "zh-hant".'
    )
    assert response.status_code == 400
    assert masked(response.json()) == invalid(message, "languageCode")


def test_unknown_type_is_404_on_every_route(client: httpx.Client) -> None:
    calls = [
        client.get(f"{TYPES}/99"),
        client.patch(f"{TYPES}/99", json={"name": "x"}),
        client.post(f"{TYPES}/99/archive"),
        client.post(f"{TYPES}/99/unarchive"),
        client.put(f"{TYPES}/99/translations/de", json={"name": "x"}),
        client.delete(f"{TYPES}/99/translations/de"),
    ]
    assert [c.status_code for c in calls] == [404] * 6
    assert {c.json()["message"] for c in calls} == {"Subscription type 99 does not exist."}


def test_400s_name_the_field(client: httpx.Client) -> None:
    misspelt = _create(client, descripton="Weekly")
    assert misspelt.status_code == 400
    assert masked(misspelt.json()) == invalid(
        "descripton: Extra inputs are not permitted", "descripton", code="INVALID"
    )
    cases = [
        ("name", _create(client, name="x" * 201)),
        ("name", _create(client, name="News\u0000letter")),
        (
            "description",  # a lone surrogate, as JSON can spell it
            client.post(
                TYPES,
                content=b'{"name": "x", "description": "\\ud800"}',
                headers={"Content-Type": "application/json"},
            ),
        ),
        ("kind", _create(client, kind="NEWSLETTER")),
        ("channel", client.patch(f"{TYPES}/1", json={"channel": "SMS"})),
        ("ids", client.put(f"{TYPES}/order", json={"ids": [1, 1]})),
        ("ids.1", client.put(f"{TYPES}/order", json={"ids": [1, "x"]})),
        ("subscriptionId", client.get(f"{TYPES}/{2**40}")),
    ]
    for field, response in cases:
        assert response.status_code == 400, field
        assert [e["in"] for e in response.json()["errors"]] == [field]
    assert [t["id"] for t in client.get(TYPES).json()["results"]] == [1, 2, 3]


def test_duplicate_name_is_409(client: httpx.Client) -> None:
    _create(client)
    response = _create(client, name="newsletter")
    message = "A subscription type named 'newsletter' already exists on EMAIL in business unit 0."
    assert response.status_code == 409
    assert masked(response.json()) == error(
        "CONFLICT", message, errors=[{"message": message, "code": "CONFLICT", "in": "name"}]
    )
    renamed = client.patch(f"{TYPES}/4", json={"name": "One to one"})
    assert renamed.status_code == 409
