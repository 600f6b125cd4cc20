"""`consentry links`: a subscriber's personal links, and the RFC 8058 headers for a sender."""

import typer

from consentry.cli.context import config, console, migrated_engine, reporting
from consentry.domain import ACCOUNT_UNIT_ID, Channel
from consentry.services.links import generate_links, unsubscribe_headers

app = typer.Typer(help="Personal links (preferences, unsubscribe) and List-Unsubscribe headers.")


@app.command()
def generate(
    address: str = typer.Argument(..., help="The subscriber: an email address or phone number."),
    channel: Channel = typer.Option(Channel.EMAIL, help="The subscriber's channel."),
    unit: int = typer.Option(ACCOUNT_UNIT_ID, "--unit", help="Business unit id (0: Account)."),
    type_id: int | None = typer.Option(
        None, "--type", help="Also the unsubscribe link of this one subscription type."
    ),
    language: str | None = typer.Option(None, "--lang", help="Language of the pages, e.g. ja."),
) -> None:
    """Print the manage-preferences and unsubscribe links (valid 180 days)."""
    with reporting():
        links = generate_links(
            migrated_engine(),
            address,
            channel,
            secret=config().secret(),
            public_url=config().public_url,
            business_unit_id=unit,
            subscription_type_id=type_id,
            language=language,
        )
    console.print(f"manage preferences:   {links.manage_preferences_url}", soft_wrap=True)
    console.print(f"unsubscribe from all: {links.unsubscribe_all_url}", soft_wrap=True)
    if links.unsubscribe_single_url:
        console.print(f"unsubscribe from type: {links.unsubscribe_single_url}", soft_wrap=True)


@app.command()
def headers(
    address: str = typer.Argument(..., help="The subscriber's email address."),
    type_id: int = typer.Option(..., "--type", help="The subscription type the mail is sent as."),
    mailto: str | None = typer.Option(None, help="Also a mailto: unsubscribe address."),
) -> None:
    """Print the List-Unsubscribe and List-Unsubscribe-Post headers for one mail."""
    with reporting():
        values = unsubscribe_headers(
            migrated_engine(),
            address,
            type_id,
            secret=config().secret(),
            public_url=config().public_url,
            mailto=mailto,
        )
    for name, value in values.items():
        console.print(f"{name}: {value}", soft_wrap=True)


__all__ = ["app"]
