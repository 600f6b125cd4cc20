"""`consentry types` and `consentry units`: subscription types and business units."""

import json

import typer

from consentry import services
from consentry.cli.context import console, migrated_engine, record_table, reporting
from consentry.domain import Channel, TypeKind

types_app = typer.Typer(help="Subscription types.", no_args_is_help=True)
units_app = typer.Typer(help="Business units (brands).", no_args_is_help=True)


@types_app.command("list")
def list_types(
    channel: Channel | None = typer.Option(None, case_sensitive=False, help="Only this channel."),
    business_unit: int | None = typer.Option(None, help="Only this business unit."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List subscription types."""
    types = services.list_types(migrated_engine(), channel, business_unit)
    if as_json:
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "channel": t.channel.value,
                "businessUnitId": t.business_unit_id,
                "kind": t.kind.value,
                "isActive": t.is_active,
            }
            for t in types
        ]
        console.print_json(json.dumps(rows))
        return
    table = record_table("id", "name", "channel", "unit", "kind", "active", "description")
    for t in types:
        table.add_row(
            str(t.id),
            t.name,
            t.channel.value,
            str(t.business_unit_id),
            t.kind.value,
            "yes" if t.is_active else "archived",
            t.description,
        )
    console.print(table)


@types_app.command("create")
def create_type(
    name: str = typer.Argument(..., help="Name shown to contacts, e.g. 'Product Updates'."),
    description: str = typer.Option("", help="One sentence shown on the preference page."),
    channel: Channel = typer.Option(Channel.EMAIL, case_sensitive=False),
    business_unit: int = typer.Option(0, help="Business unit id (0 = Account)."),
    kind: TypeKind = typer.Option(
        TypeKind.MARKETING, case_sensitive=False, help="MARKETING, ONE_TO_ONE or TRANSACTIONAL."
    ),
    purpose: str = typer.Option("Marketing", help="Purpose shown in data privacy mode."),
) -> None:
    """Create a subscription type."""
    with reporting():
        created = services.create_type(
            migrated_engine(),
            services.NewType(name, description, channel, business_unit, kind, purpose),
        )
    console.print(
        f"Created subscription type {created.id}: {created.name}"
        f" ({created.channel.value}, business unit {created.business_unit_id})."
    )


@units_app.command("list")
def list_units() -> None:
    """List business units."""
    table = record_table("id", "name")
    for unit in services.list_units(migrated_engine()):
        table.add_row(str(unit.id), unit.name)
    console.print(table)


@units_app.command("create")
def create_unit(name: str = typer.Argument(..., help="The brand's name.")) -> None:
    """Create a business unit (business units must be turned on in settings)."""
    with reporting():
        unit = services.create_unit(migrated_engine(), name)
    console.print(f"Created business unit {unit.id}: {unit.name}.")
