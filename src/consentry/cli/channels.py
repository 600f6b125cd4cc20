"""`consentry channels`: set up the SMS sender and the WhatsApp Business number."""

import typer

from consentry.cli.context import console, migrated_engine, record_table, reporting
from consentry.domain.channel_setup import ChannelSetup, program
from consentry.services import channels

app = typer.Typer(
    help="Phone channels: SMS sender, WhatsApp Business number.", no_args_is_help=True
)
setup_app = typer.Typer(help="Set up (or change) a phone channel.", no_args_is_help=True)
app.add_typer(setup_app, name="setup")

ProgramName = typer.Option(None, help="The program named in the HELP reply.")
Support = typer.Option(None, help="Support contact named in the HELP reply (mail, phone, URL).")
Frequency = typer.Option(None, help='How often you text, e.g. "Up to 4 msgs/month".')


@setup_app.command("sms")
def setup_sms(
    sender: str = typer.Option(..., help="E.164 sender number, or a messaging-service id (MG…)."),
    webhook_secret: str = typer.Option(..., help="The key of X-Twilio-Signature (auth token)."),
    provider: str = typer.Option("twilio", help="The SMS provider."),
    program_name: str | None = ProgramName,
    support: str | None = Support,
    frequency: str | None = Frequency,
) -> None:
    """Connect an SMS sender: SMS types take opt-ins from now on."""
    with reporting():
        details = program(program_name, support, frequency)
        setup = channels.setup_sms(migrated_engine(), sender, webhook_secret, provider, details)
    _report(setup)


@setup_app.command("whatsapp")
def setup_whatsapp(
    phone_number_id: str = typer.Option(..., help="The WhatsApp Cloud API phone-number id."),
    verify_token: str = typer.Option(..., help="The token of the webhook handshake."),
    app_secret: str = typer.Option(..., help="The app secret of X-Hub-Signature-256."),
    program_name: str | None = ProgramName,
    support: str | None = Support,
    frequency: str | None = Frequency,
) -> None:
    """Connect a WhatsApp Business number: WhatsApp types take opt-ins from now on."""
    with reporting():
        details = program(program_name, support, frequency)
        setup = channels.setup_whatsapp(
            migrated_engine(), phone_number_id, verify_token, app_secret, details
        )
    _report(setup)


@app.command("show")
def show() -> None:
    """The phone channels that are set up (secrets masked)."""
    found = channels.list_setups(migrated_engine())
    if not found:
        console.print("No phone channel is set up.")
        return
    table = record_table("channel", "provider", "sender", "secret", "verify token")
    for setup in found:
        shown = setup.masked()
        table.add_row(
            shown["channel"],
            shown["provider"],
            shown["sender"],
            shown["secret"],
            shown.get("verify_token", ""),
        )
    console.print(table)


def _report(setup: ChannelSetup) -> None:
    shown = setup.masked()
    console.print(
        f"{shown['channel']} set up: {shown['provider']} sender {shown['sender']}"
        f" (secret {shown['secret']}); its types take opt-ins now."
    )
