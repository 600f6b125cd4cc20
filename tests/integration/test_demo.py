"""`consentry demo`'s loader: units, translated types, contacts, and history from every source
(SQLite and PostgreSQL)."""

import pytest
from sqlalchemy import Engine, text

from consentry import services
from consentry.domain import InvalidInput, Source
from consentry.services.demo import load_demo


def test_the_demo_loads_contacts_and_history_from_every_source(engine: Engine) -> None:
    summary = load_demo(engine, contacts_count=300)
    assert summary.contacts == 300
    with engine.connect() as connection:
        contacts = connection.execute(text("SELECT COUNT(*) FROM contacts")).scalar_one()
        sources = {row[0] for row in connection.execute(text("SELECT DISTINCT source FROM ledger"))}
        refused = connection.execute(
            text("SELECT COUNT(*) FROM ledger WHERE outcome = 'REFUSED'")
        ).scalar_one()
    assert contacts == 300
    expected = set(Source) - {Source.SYSTEM}
    assert expected <= sources
    assert refused == summary.refused > 0  # a workflow's refused resubscribes, on the record
    assert services.get_settings(engine).business_units_enabled
    assert len(services.list_units(engine)) == 3
    translated = [t for t in services.list_types(engine, with_translations=True) if t.translations]
    assert {tr.language_code for t in translated for tr in t.translations} == {"de", "fr"}
    assert services.verify_ledger(engine).ok


def test_the_demo_needs_an_empty_database(engine: Engine) -> None:
    services.contacts.create(engine, {"email": "someone@x.com"})
    with pytest.raises(InvalidInput, match="already has contacts"):
        load_demo(engine, contacts_count=10)
