"""Native API: business units and the account's settings over HTTP."""

from typing import Any

import httpx

from tests.e2e.api.shapes import error, masked

UNITS = "/api/v1/business-units"
SETTINGS = "/api/v1/settings"
NO_BRANDING = {"logoUrl": None, "primaryColor": None, "accentColor": None}
DEFAULTS = {
    "dataPrivacyMode": False,
    "businessUnitsEnabled": False,
    "doubleOptIn": False,
    "smsEnabled": False,
    "whatsappEnabled": False,
    "defaultPhoneRegion": "US",
}


def invalid(message: str, field: str, code: str = "INVALID_INPUT") -> dict[str, Any]:
    return error(
        "VALIDATION_ERROR", message, errors=[{"message": message, "code": code, "in": field}]
    )


def test_settings_read_and_change_some(client: httpx.Client) -> None:
    assert client.get(SETTINGS).json() == DEFAULTS
    changed = client.patch(SETTINGS, json={"dataPrivacyMode": True, "defaultPhoneRegion": "gb"})
    assert changed.status_code == 200
    assert changed.json() == {**DEFAULTS, "dataPrivacyMode": True, "defaultPhoneRegion": "GB"}
    assert client.get(SETTINGS).json() == changed.json()
    assert client.patch(SETTINGS, json={}).json() == changed.json()


def test_unknown_setting_is_400_naming_it_and_changes_nothing(client: httpx.Client) -> None:
    response = client.patch(SETTINGS, json={"smsEnabled": True, "darkMode": True})
    assert response.status_code == 400
    assert masked(response.json()) == invalid(
        "darkMode: Extra inputs are not permitted", "darkMode", code="INVALID"
    )
    assert client.get(SETTINGS).json() == DEFAULTS


def test_bad_setting_values_are_400_naming_them(client: httpx.Client) -> None:
    region = client.patch(SETTINGS, json={"defaultPhoneRegion": "XX", "smsEnabled": True})
    assert masked(region.json()) == invalid(
        "Unknown region 'XX'; use a two-letter country code such as US or GB.",
        "defaultPhoneRegion",
    )
    flag = client.patch(SETTINGS, json={"doubleOptIn": "maybe"})
    assert flag.status_code == 400
    assert [e["in"] for e in flag.json()["errors"]] == ["doubleOptIn"]
    assert client.get(SETTINGS).json() == DEFAULTS


def test_units_are_refused_while_business_units_are_off(client: httpx.Client) -> None:
    assert client.get(UNITS).json() == {
        "results": [{"id": 0, "name": "Account", "branding": NO_BRANDING}]
    }
    refused = client.post(UNITS, json={"name": "Acme"})
    assert refused.status_code == 400
    assert masked(refused.json()) == invalid(
        "Business units are off; turn them on first: PATCH /api/v1/settings with"
        ' {"businessUnitsEnabled": true}.',
        "businessUnitsEnabled",
    )


def test_create_read_and_rebrand_a_unit(client: httpx.Client) -> None:
    client.patch(SETTINGS, json={"businessUnitsEnabled": True})
    created = client.post(UNITS, json={"name": "Acme", "branding": {"primaryColor": "#1A73E8"}})
    acme = {"id": 1, "name": "Acme", "branding": {**NO_BRANDING, "primaryColor": "#1a73e8"}}
    assert created.status_code == 201
    assert created.json() == acme
    assert client.get(f"{UNITS}/1").json() == acme

    logo = "https://acme.example/logo.svg"
    edited = client.patch(
        f"{UNITS}/1",
        json={"name": "Acme Shoes", "branding": {"logoUrl": logo, "accentColor": "#fff"}},
    )
    assert edited.json() == {
        "id": 1,
        "name": "Acme Shoes",
        "branding": {"logoUrl": logo, "primaryColor": "#1a73e8", "accentColor": "#fff"},
    }
    removed = client.patch(f"{UNITS}/1", json={"branding": {"primaryColor": None}})
    assert removed.json()["branding"] == {
        "logoUrl": logo,
        "primaryColor": None,
        "accentColor": "#fff",
    }
    assert [u["name"] for u in client.get(UNITS).json()["results"]] == ["Account", "Acme Shoes"]


def test_branding_is_checked_naming_the_field(client: httpx.Client) -> None:
    http = client.patch(f"{UNITS}/0", json={"branding": {"logoUrl": "http://acme.example/a.png"}})
    colour = client.patch(f"{UNITS}/0", json={"branding": {"accentColor": "blue"}})
    unknown = client.patch(f"{UNITS}/0", json={"branding": {"font": "Arial"}})
    assert masked(http.json()) == invalid(
        "branding.logoUrl: 'http://acme.example/a.png' is not an https URL (https://host/path).",
        "branding.logoUrl",
    )
    assert masked(colour.json()) == invalid(
        "branding.accentColor: 'blue' is not a hex colour; use #rrggbb or #rgb (e.g. #1a73e8).",
        "branding.accentColor",
    )
    assert unknown.status_code == 400
    assert [e["in"] for e in unknown.json()["errors"]] == ["branding.font"]
    assert client.get(f"{UNITS}/0").json()["branding"] == NO_BRANDING


def test_unknown_unit_is_404_and_duplicate_name_409(client: httpx.Client) -> None:
    client.patch(SETTINGS, json={"businessUnitsEnabled": True})
    client.post(UNITS, json={"name": "Acme"})
    assert client.get(f"{UNITS}/7").status_code == 404
    assert client.patch(f"{UNITS}/7", json={"name": "x"}).status_code == 404
    assert client.post(UNITS, json={"name": "ACME"}).status_code == 409
    assert client.patch(f"{UNITS}/1", json={"name": "account"}).status_code == 409
