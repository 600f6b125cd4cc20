"""Each business unit's page is its own brand: its name, logo and colours, and only its own
types; text on a brand colour stays readable. Plain HTTP (the pages need no JavaScript)."""

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Channel
from consentry.services.catalog import NewType
from tests.e2e.public_site import Site, public_site

LOGO = "https://cdn.northwind.example/logo.png"


@pytest.fixture
def site(engine: Engine, database_url: str) -> Iterator[Site]:
    services.set_setting(engine, "business_units_enabled", "true")
    with public_site(engine, database_url) as running:
        yield running


def test_a_units_page_shows_its_brand_and_only_its_types(site: Site) -> None:
    unit = services.create_unit(
        site.engine,
        "Northwind",
        {"logoUrl": LOGO, "primaryColor": "#ffd500", "accentColor": "#004488"},
    )
    services.create_type(
        site.engine,
        NewType(name="Northwind Deals", channel=Channel.EMAIL, business_unit_id=unit.id),
    )

    page = httpx.get(site.links("sam@example.com", unit=unit.id).manage_preferences_url)

    assert page.status_code == 200
    assert f'<img class="logo" src="{LOGO}" alt="Northwind">' in page.text
    assert "--brand:#ffd500" in page.text
    assert "--on-brand:#000000" in page.text  # yellow takes black text, not white
    assert "Northwind Deals" in page.text
    assert "Marketing Information" not in page.text  # the Account unit's type
    assert page.headers["referrer-policy"] == "no-referrer"  # the logo host never sees the link
    assert page.headers["cache-control"] == "no-store"
    assert "set-cookie" not in page.headers
