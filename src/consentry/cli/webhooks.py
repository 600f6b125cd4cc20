"""`consentry webhooks`: add, list, pause, resume and remove outbound webhooks, rotate a
secret, read a webhook's deliveries, send one again, and send a signed test request."""

import typer

from consentry.cli.context import (
    EXIT_REFUSED,
    config,
    console,
    errors,
    migrated_engine,
    operator,
    record_table,
    reporting,
)
from consentry.domain.events import EventType
from consentry.domain.webhooks import DeliveryState, Subscription, masked, succeeded
from consentry.services import webhooks
from consentry.services.webhooks import log, ping, rotation

app = typer.Typer(help="Outbound webhooks: signed event notifications.", no_args_is_help=True)

IdArg = typer.Argument(..., help="The webhook's id (`consentry webhooks list`).")
_KNOWN = ", ".join(member.value for member in EventType)


def _events(value: str) -> list[str]:
    return [name for name in value.split(",") if name.strip()]


def _describe(subscription: Subscription) -> str:
    state = "active" if subscription.active else "paused"
    events = ", ".join(member.value for member in subscription.event_types)
    return f"Webhook {subscription.id} ({state}): {subscription.url} — {events}"


def _show_secret(subscription: Subscription) -> None:
    errors.print("Its signing secret; copy it now, it is not shown again:")
    console.print(subscription.secret)


@app.command("add")
def add(
    url: str = typer.Option(..., "--url", help="Where to POST events (http:// or https://)."),
    events: str = typer.Option(..., "--events", help=f"Comma-separated: {_KNOWN}."),
    secret: str | None = typer.Option(
        None, "--secret", help="16 to 128 characters; generated when left out."
    ),
    description: str = typer.Option("", "--description", help="What it is for."),
    paused: bool = typer.Option(False, "--paused", help="Add it paused (resume it later)."),
) -> None:
    """Add a webhook: it gets the events that happen from now on, signed with its secret."""
    with reporting():
        made = webhooks.create_subscription(
            migrated_engine(),
            url=url,
            event_types=_events(events),
            created_by=str(operator()),
            secret=secret,
            active=not paused,
            description=description,
        )
    errors.print(_describe(made))
    _show_secret(made)


@app.command("list")
def list_() -> None:
    """Every webhook, with its deliveries by state (never the secrets)."""
    engine = migrated_engine()
    found = webhooks.list_subscriptions(engine)
    if not found:
        console.print("No webhooks yet: `consentry webhooks add --url URL --events TYPES`.")
        return
    counts = log.counts(engine)
    table = record_table("id", "url", "events", "state", "pending", "failed", "delivered")
    for subscription in found:
        count = counts.get(subscription.id, log.DeliveryCounts())
        table.add_row(
            str(subscription.id),
            subscription.url,
            ", ".join(member.value for member in subscription.event_types),
            "active" if subscription.active else "paused",
            f"{count.pending:,}",
            f"{count.failed:,}",
            f"{count.delivered:,}",
        )
    console.print(table)


@app.command("pause")
def pause(webhook_id: int = IdArg) -> None:
    """Stop sending: queued deliveries wait, and events until it is resumed are not queued."""
    with reporting():
        console.print(
            _describe(webhooks.update_subscription(migrated_engine(), webhook_id, active=False))
        )


@app.command("resume")
def resume(webhook_id: int = IdArg) -> None:
    """Send again: the queued deliveries first, then the events from now on."""
    with reporting():
        console.print(
            _describe(webhooks.update_subscription(migrated_engine(), webhook_id, active=True))
        )


@app.command("rotate-secret")
def rotate_secret(webhook_id: int = IdArg) -> None:
    """Sign every request from now on with a new secret (printed once)."""
    with reporting():
        rotated = rotation.rotate_secret(migrated_engine(), webhook_id)
    errors.print(_describe(rotated))
    _show_secret(rotated)


@app.command("remove")
def remove(
    webhook_id: int = IdArg,
    yes: bool = typer.Option(False, "--yes", "-y", help="Don't ask for confirmation."),
) -> None:
    """Remove a webhook with its queued deliveries and their log."""
    engine = migrated_engine()
    with reporting():
        subscription = webhooks.get_subscription(engine, webhook_id)
        pending = log.counts_of(engine, webhook_id).pending
        if not yes:
            waiting = f" and its {pending:,} pending deliveries" if pending else ""
            typer.confirm(f"Remove webhook {webhook_id} ({subscription.url}){waiting}?", abort=True)
        webhooks.delete_subscription(engine, webhook_id)
    console.print(f"Removed webhook {webhook_id}.")


@app.command("deliveries")
def deliveries(
    webhook_id: int = IdArg,
    state: DeliveryState | None = typer.Option(None, "--state", case_sensitive=False),
    limit: int = typer.Option(50, "--limit", min=1, max=200),
) -> None:
    """A webhook's deliveries, newest first: state, attempts, last answer and its latency."""
    with reporting():
        page = log.page(migrated_engine(), webhook_id, state=state, limit=limit)
    table = record_table(
        "id", "event", "type", "state", "attempts", "status", "latency", "last attempt", "error"
    )
    for delivery in page.deliveries:
        table.add_row(
            str(delivery.id),
            delivery.event_id,
            delivery.event_type,
            delivery.state.value,
            str(delivery.attempts),
            "" if delivery.last_status_code is None else str(delivery.last_status_code),
            "" if delivery.last_latency_ms is None else f"{delivery.last_latency_ms} ms",
            ""
            if delivery.last_attempt_at is None
            else f"{delivery.last_attempt_at:%Y-%m-%d %H:%M:%S}",
            delivery.last_error or "",
        )
    console.print(table)
    if page.next_before is not None:
        console.print(f"Older ones follow; showing the newest {limit:,}.")


@app.command("redeliver")
def redeliver(
    webhook_id: int = IdArg,
    delivery_id: int = typer.Argument(..., help="The delivery's id (`webhooks deliveries`)."),
) -> None:
    """Queue a delivery to be sent again now (same event id), before newer pending ones."""
    with reporting():
        queued = webhooks.redeliver(migrated_engine(), webhook_id, delivery_id)
    console.print(
        f"Delivery {queued.id} ({queued.event_id}) is queued; the worker sends it"
        " (`consentry worker`, or `consentry serve` on SQLite)."
    )


@app.command("test")
def test(webhook_id: int = IdArg) -> None:
    """Send a signed `webhook.ping` now and show the answer (not queued, not retried)."""
    engine = migrated_engine()
    with reporting():
        subscription = webhooks.get_subscription(engine, webhook_id)
        result = ping.ping(engine, webhook_id, timeout=config().webhook_timeout_seconds)
    where = f"{subscription.url} (secret {masked(subscription.secret)})"
    if succeeded(result.status_code):
        console.print(f"{where} answered {result.status_code} in {result.latency_ms} ms.")
        return
    errors.print(f"[red]{where} failed after {result.latency_ms} ms:[/red] {result.error}")
    raise typer.Exit(EXIT_REFUSED)
