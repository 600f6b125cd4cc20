"""`consentry status`, `consentry unsubscribe-all`, `consentry history`: one address at a time."""

from datetime import datetime

import typer

from consentry import services
from consentry.cli.context import (
    EXIT_REFUSED,
    console,
    errors,
    evidence,
    migrated_engine,
    operator,
    record_table,
    reporting,
)
from consentry.domain import Channel, LedgerEntry, LegalBasis, Outcome, Source, Status

app = typer.Typer(help="Read and change one address's statuses.", no_args_is_help=True)

ChannelOption = typer.Option(Channel.EMAIL, "--channel", case_sensitive=False)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else ""


@app.command("get")
def get(address: str, channel: Channel = ChannelOption) -> None:
    """Show an address's status for every type, and whether each may be sent now."""
    with reporting():
        view = services.read_statuses(migrated_engine(), address, channel)
    console.print(
        f"[bold]{view.subscriber.key}[/bold] ({channel.value})"
        + ("" if view.known else " — never seen: every status is NOT_SPECIFIED")
    )
    for wide in view.wide_opt_outs:
        scope = (
            "account-wide"
            if wide.business_unit_id == 0 and wide.wide_type == "PORTAL_WIDE"
            else f"business unit {wide.business_unit_id}"
        )
        console.print(
            f"Unsubscribed from all ({scope}) since {_when(wide.occurred_at)}"
            f" via {wide.source.display_text}"
        )
    if view.suppressions:
        console.print("Suppressed: " + ", ".join(sorted(view.suppressions)))
    table = record_table(
        "type", "name", "unit", "status", "since", "source", "legal basis", "may send"
    )
    for item in view.statuses:
        send = item.eligibility
        table.add_row(
            str(item.subscription_type.id),
            item.subscription_type.name,
            str(item.subscription_type.business_unit_id),
            item.status.value,
            _when(item.occurred_at),
            item.source.display_text if item.source else "",
            item.legal_basis.value if item.legal_basis else "",
            ("[green]yes[/green]" if send.allowed else "[red]no[/red]") + f" ({send.reason})",
        )
    console.print(table)
    console.print(
        f"Unsubscribed from all {channel.value.lower()}: "
        f"{'true' if view.unsubscribed_from_all else 'false'}"
    )


@app.command("set")
def set_(
    address: str,
    type_id: int = typer.Option(
        ..., "--type", help="Subscription type id (`consentry types list`)."
    ),
    status: Status = typer.Option(..., case_sensitive=False),
    channel: Channel = ChannelOption,
    source: Source = typer.Option(
        Source.USER,
        case_sensitive=False,
        help="How the change arrived; decides what the rulebook allows.",
    ),
    legal_basis: LegalBasis | None = typer.Option(None, case_sensitive=False),
    explanation: str | None = typer.Option(None, help="Explanation of consent / legal basis."),
) -> None:
    """Set one type's status. A refusal prints the rule's reason and exits 1."""
    provenance = services.Provenance(
        source, operator(), legal_basis, explanation, evidence=evidence()
    )
    with reporting():
        result = services.set_status(
            migrated_engine(), services.StatusChange(address, channel, type_id, status, provenance)
        )
    decision = result.decision
    name = f"{result.subscription_type.name} ({result.subscription_type.id})"
    if decision.outcome is Outcome.REFUSED:
        errors.print(f"[red]Refused:[/red] {decision.message}")
        errors.print(f"{result.subscriber.key} stays {result.status.value} for {name}.")
        raise typer.Exit(EXIT_REFUSED)
    if decision.outcome is Outcome.STALE:
        console.print(f"Not applied (stale): {decision.message}")
    console.print(f"{result.subscriber.key}: {name} is {result.status.value} [{decision.reason}]")


def unsubscribe_all(
    address: str,
    channel: Channel = ChannelOption,
    business_unit: int | None = typer.Option(
        None, help="Only this business unit's types; account-wide when omitted."
    ),
    source: Source = typer.Option(Source.USER, case_sensitive=False),
) -> None:
    """Unsubscribe an address from all types (account-wide, or in one business unit)."""
    provenance = services.Provenance(source, operator(), evidence=evidence())
    with reporting():
        result = services.unsubscribe_all(
            migrated_engine(), address, channel, business_unit, provenance
        )
    if result.decision.outcome is Outcome.REFUSED:
        errors.print(f"[red]Refused:[/red] {result.decision.message}")
        raise typer.Exit(EXIT_REFUSED)
    scope = (
        "account-wide"
        if result.wide_type == "PORTAL_WIDE"
        else f"in business unit {result.business_unit_id}"
    )
    console.print(
        f"{result.subscriber.key} is unsubscribed from all {channel.value.lower()}"
        f" {scope} [{result.decision.reason}];"
        f" {len(result.type_results)} type(s) recorded as UNSUBSCRIBED."
    )


def history(address: str, channel: Channel = ChannelOption) -> None:
    """Every change and refused attempt for an address, oldest first."""
    with reporting():
        found = services.history(migrated_engine(), address, channel)
    if not found.entries:
        console.print(f"No history for {found.address} ({channel.value}).")
        return
    names = {t.id: t.name for t in services.list_types(migrated_engine())}
    table = record_table(
        "#", "recorded", "what", "change", "outcome", "source", "actor", "legal basis", "message"
    )
    for entry in found.entries:
        table.add_row(
            str(entry.id),
            _when(entry.recorded_at),
            _target(entry, names),
            f"{entry.old_status} → {entry.requested_status}"
            if entry.requested_status
            else entry.suppression or "",
            _outcome(entry),
            Source(entry.source).display_text,
            entry.actor_kind.lower() + (f":{entry.actor_id}" if entry.actor_id else ""),
            " ".join(filter(None, (entry.legal_basis, entry.legal_basis_explanation))),
            entry.message,
        )
    console.print(table)


def _target(entry: LedgerEntry, names: dict[int, str]) -> str:
    if entry.subscription_type_id is not None:
        name = names.get(entry.subscription_type_id, "?")
        return f"{name} ({entry.subscription_type_id})"
    if entry.wide_type:
        return f"all ({entry.wide_type.lower()}, unit {entry.business_unit_id})"
    return entry.action.lower()


def _outcome(entry: LedgerEntry) -> str:
    colour = {"APPLIED": "green", "REFUSED": "red"}.get(entry.outcome, "yellow")
    detail = entry.refusal or entry.success_reason or ""
    return f"[{colour}]{entry.outcome}[/{colour}] {detail}".strip()
