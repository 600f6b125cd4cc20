"""The account's settings: read them all, change some. Values are parsed by the domain's
`AccountSettings`, so the API, the CLI and the admin pages accept the same values."""

from fastapi import APIRouter
from pydantic import BaseModel, Field, StrictBool
from pydantic.alias_generators import to_camel, to_snake

from consentry import services
from consentry.api.dependencies import EngineDep
from consentry.api.native.shapes import RequestBody
from consentry.domain import AccountSettings, InvalidInput
from consentry.domain.account_settings import format_value

router = APIRouter(prefix="/settings", tags=["Settings"])

Region = Field(default=None, min_length=2, max_length=2, examples=["GB"])


class SettingsOut(BaseModel):
    dataPrivacyMode: bool
    businessUnitsEnabled: bool
    doubleOptIn: bool
    smsEnabled: bool
    whatsappEnabled: bool
    defaultPhoneRegion: str


class SettingsPatch(RequestBody):
    """The settings to change; those left out (or null) stay as they are. An unknown setting
    is a 400 naming it."""

    dataPrivacyMode: StrictBool | None = None
    businessUnitsEnabled: StrictBool | None = None
    doubleOptIn: StrictBool | None = None
    smsEnabled: StrictBool | None = None
    whatsappEnabled: StrictBool | None = None
    defaultPhoneRegion: str | None = Region


def settings_out(settings: AccountSettings) -> SettingsOut:
    return SettingsOut.model_validate(
        {to_camel(key): value for key, value in settings.__dict__.items()}
    )


@router.get("", response_model=SettingsOut, summary="Read the account's settings")
def get_settings(engine: EngineDep) -> SettingsOut:
    return settings_out(services.get_settings(engine))


@router.patch("", response_model=SettingsOut, summary="Change some of the account's settings")
def update_settings(body: SettingsPatch, engine: EngineDep) -> SettingsOut:
    """All named settings change together, or none does."""
    changes = {
        to_snake(name): format_value(value)
        for name, value in body.model_dump(exclude_none=True).items()
    }
    try:
        return settings_out(services.update_settings(engine, changes))
    except InvalidInput as error:
        # The domain names settings as the CLI writes them; name the field as it was sent.
        field = to_camel(error.field) if error.field else None
        raise InvalidInput(error.message, field=field) from error
