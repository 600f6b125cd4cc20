"""Editing subscription types and business units after creation, on SQLite and PostgreSQL."""

import pytest
from sqlalchemy import Engine

from consentry import services
from consentry.domain import (
    Channel,
    Conflict,
    InvalidInput,
    NotFound,
    Outcome,
    Refusal,
    Source,
    Status,
    TypeKind,
)
from tests.integration.helpers import CUSTOMER_SERVICE, MARKETING, ONE_TO_ONE, change


def _new_type(engine: Engine, name: str = "Newsletter", **kwargs: object) -> int:
    return services.create_type(engine, services.NewType(name=name, **kwargs)).id  # type: ignore[arg-type]


def test_update_changes_only_what_is_named(engine: Engine) -> None:
    type_id = _new_type(engine, description="Weekly news", purpose="Marketing")
    before = services.get_type(engine, type_id)

    after = services.update_type(
        engine, type_id, services.TypeChanges(name="  The   Newsletter ", kind=TypeKind.ONE_TO_ONE)
    )

    assert (after.name, after.description, after.purpose) == (
        "The Newsletter",
        "Weekly news",
        "Marketing",
    )
    assert after.kind is TypeKind.ONE_TO_ONE
    assert after.created_at == before.created_at
    assert after.updated_at is not None and before.updated_at is not None
    assert after.updated_at > before.updated_at


def test_rename_to_a_taken_name_is_a_conflict_but_keeping_ones_own_is_not(engine: Engine) -> None:
    type_id = _new_type(engine)
    with pytest.raises(Conflict) as raised:
        services.update_type(engine, type_id, services.TypeChanges(name="marketing information"))
    assert raised.value.field == "name"
    assert services.update_type(engine, type_id, services.TypeChanges(name="NEWSLETTER")).name == (
        "NEWSLETTER"
    )


def test_editing_an_unknown_type_is_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound):
        services.update_type(engine, 999, services.TypeChanges(name="x"))
    with pytest.raises(NotFound):
        services.set_archived(engine, 999, archived=True)


def test_an_archived_type_takes_opt_outs_but_no_opt_ins(engine: Engine) -> None:
    assert services.set_archived(engine, MARKETING, archived=True).is_active is False

    refused = services.set_status(engine, change("a@x.com", Status.SUBSCRIBED, Source.API))
    opted_out = services.set_status(engine, change("b@x.com", Status.UNSUBSCRIBED, Source.API))

    assert refused.decision.refusal is Refusal.TYPE_ARCHIVED
    assert opted_out.decision.outcome is Outcome.APPLIED
    assert MARKETING not in [t.id for t in services.list_types(engine, active_only=True)]
    assert MARKETING in [t.id for t in services.list_types(engine)]

    services.set_archived(engine, MARKETING, archived=False)
    again = services.set_status(engine, change("a@x.com", Status.SUBSCRIBED, Source.API))
    assert again.decision.outcome is Outcome.APPLIED


def test_reorder_numbers_every_type(engine: Engine) -> None:
    extra = _new_type(engine)
    types = services.reorder_types(engine, [extra, CUSTOMER_SERVICE])

    assert [(t.id, t.display_order) for t in types] == [
        (extra, 1),
        (CUSTOMER_SERVICE, 2),
        (MARKETING, 3),
        (ONE_TO_ONE, 4),
    ]
    with pytest.raises(InvalidInput) as raised:
        services.reorder_types(engine, [MARKETING, 77])
    assert raised.value.field == "ids"
    assert [t.id for t in services.list_types(engine)][:2] == [extra, CUSTOMER_SERVICE]


def test_translations_are_added_replaced_and_removed(engine: Engine) -> None:
    services.set_translation(engine, MARKETING, "DE", "Marketing-Infos", "Angebote")
    services.set_translation(engine, MARKETING, "pt_BR", "Informações")
    replaced = services.set_translation(engine, MARKETING, "de", "Werbung")

    assert [(t.language_code, t.name, t.description) for t in replaced.translations] == [
        ("de", "Werbung", ""),
        ("pt-br", "Informações", ""),
    ]
    after = services.delete_translation(engine, MARKETING, "de")
    assert [t.language_code for t in after.translations] == ["pt-br"]
    with pytest.raises(NotFound) as raised:
        services.delete_translation(engine, MARKETING, "de")
    assert raised.value.field == "languageCode"


def test_translation_refusals_name_the_field(engine: Engine) -> None:
    with pytest.raises(InvalidInput) as bad_code:
        services.set_translation(engine, MARKETING, "klingon", "Qapla'")
    with pytest.raises(InvalidInput) as no_name:
        services.set_translation(engine, MARKETING, "de", "   ")
    with pytest.raises(NotFound):
        services.set_translation(engine, 999, "de", "x")
    assert (bad_code.value.field, no_name.value.field) == ("languageCode", "name")


def test_unit_rename_and_branding_merge(engine: Engine) -> None:
    services.set_setting(engine, "business_units_enabled", "true")
    unit = services.create_unit(engine, "Acme", {"primaryColor": "#ABC"})
    assert unit.branding == {"primaryColor": "#abc"}

    changed = services.update_unit(
        engine,
        unit.id,
        services.UnitChanges(
            name="Acme Shoes",
            branding={"logoUrl": "https://acme.example/logo.png", "primaryColor": None},
        ),
    )

    assert changed.name == "Acme Shoes"
    assert changed.branding == {"logoUrl": "https://acme.example/logo.png"}
    assert services.get_unit(engine, unit.id) == changed


def test_unit_refusals(engine: Engine) -> None:
    services.set_setting(engine, "business_units_enabled", "true")
    unit = services.create_unit(engine, "Acme")
    with pytest.raises(Conflict):
        services.update_unit(engine, unit.id, services.UnitChanges(name="account"))
    with pytest.raises(InvalidInput) as colour:
        services.update_unit(engine, unit.id, services.UnitChanges(branding={"accentColor": "red"}))
    with pytest.raises(NotFound):
        services.update_unit(engine, 99, services.UnitChanges(name="x"))
    with pytest.raises(NotFound):
        services.get_unit(engine, 99)
    assert colour.value.field == "branding.accentColor"
    assert services.get_unit(engine, unit.id).branding == {}


def test_settings_change_together_or_not_at_all(engine: Engine) -> None:
    changed = services.update_settings(
        engine, {"data_privacy_mode": "true", "default_phone_region": "gb"}
    )
    assert (changed.data_privacy_mode, changed.default_phone_region) == (True, "GB")

    with pytest.raises(InvalidInput) as raised:
        services.update_settings(engine, {"sms_enabled": "true", "default_phone_region": "XX"})
    assert raised.value.field == "default_phone_region"
    assert services.get_settings(engine).sms_enabled is False


def test_types_of_a_channel(engine: Engine) -> None:
    sms = _new_type(engine, "Alerts", channel=Channel.SMS)
    assert [t.id for t in services.list_types(engine, Channel.SMS)] == [sms]


@pytest.mark.parametrize("name", ["Ärger", "ÉTÉ", "Straße"])
def test_a_repeated_non_ascii_name_is_a_conflict_not_a_crash(engine: Engine, name: str) -> None:
    """SQLite's lower() folds ASCII only: both sides of the check fold in the database."""
    _new_type(engine, name)
    with pytest.raises(Conflict):
        _new_type(engine, name)
    services.set_setting(engine, "business_units_enabled", "true")
    services.create_unit(engine, name)
    with pytest.raises(Conflict):
        services.create_unit(engine, name)
