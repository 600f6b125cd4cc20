"""Demo data for trying the product (`consentry demo`): business units with branding, types
with translations, thousands of contacts, and statuses and history from every source — all
through the use cases, so every status has its ledger entry and every refusal is recorded."""

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from consentry.domain import (
    Actor,
    ActorKind,
    Channel,
    InvalidInput,
    LegalBasis,
    Outcome,
    Source,
    Status,
    SubscriptionType,
    TypeKind,
)
from consentry.services import contacts
from consentry.services.account import update_settings
from consentry.services.catalog import NewType, create_type, create_unit, list_types
from consentry.services.changes import ChangeResult, Provenance, StatusChange, WideChange
from consentry.services.subscription_types import set_translation
from consentry.services.subscriptions import set_statuses
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.wide_opt_outs import set_wide_statuses
from consentry.storage import contacts as contact_rows

FIRST = (
    "Ada Ben Chloé Dev Elif Farah Gus Hana Ivo Jun Kai Lena Mo Nia Omar Pia Quinn Rosa Sami Tove"
)
LAST = "Adler Brandt Costa Dubois Eriksen Fischer García Horvat Ito Jensen Kowalski Lind Moreau"
LAST += " Novak Okafor Petrov Quist Rossi Santos Tanaka Ueda Varga Weber Xu Yilmaz Zhou"
COMPANIES = ("Northwind", "Lumen Health", "Acme", "Blue Fjord", "Kestrel Labs", "Orchard & Co")
STAGES = ("subscriber", "lead", "marketingqualifiedlead", "opportunity", "customer")
TLDS = ("com", "org", "net")
CITIES = ("Berlin", "Lisbon", "Lyon", "Oslo", "Austin", "Toronto", "Osaka", "Leeds")


@dataclass(frozen=True)
class DemoSummary:
    contacts: int
    types: int
    changes: int
    refused: int


def _types(engine: Engine) -> dict[str, SubscriptionType]:
    update_settings(
        engine,
        {"business_units_enabled": "true", "sms_enabled": "true", "whatsapp_enabled": "true"},
    )
    outdoors = create_unit(
        engine, "Northwind Outdoors", {"primaryColor": "#1f7a4d", "accentColor": "#f2a93b"}
    )
    health = create_unit(engine, "Lumen Health", {"primaryColor": "#3b5bdb"})
    made = {t.name: t for t in list_types(engine)}
    for new in (
        NewType("Product Updates", "New features and improvements, monthly."),
        NewType(
            "Weekly Newsletter", "Stories and tips, every Friday.", business_unit_id=outdoors.id
        ),
        NewType("Events & Webinars", "Invitations to live sessions.", business_unit_id=health.id),
        NewType(
            "Order Alerts", "Shipping and delivery texts.", Channel.SMS, kind=TypeKind.TRANSACTIONAL
        ),
        NewType("Delivery Updates", "WhatsApp messages about your order.", Channel.WHATSAPP),
    ):
        made[new.name] = create_type(engine, new)
    for name, language, text in (
        ("Marketing Information", "de", "Marketing-Informationen"),
        ("Marketing Information", "fr", "Informations marketing"),
        ("Product Updates", "de", "Produktneuigkeiten"),
        ("Product Updates", "fr", "Nouveautés produit"),
        ("Weekly Newsletter", "de", "Wöchentlicher Newsletter"),
    ):
        set_translation(engine, made[name].id, language, text)
    return made


def _ascii(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()


def _people(count: int, rng: random.Random) -> list[dict[str, object]]:
    first, last = FIRST.split(), LAST.split()
    people = []
    for i in range(count):
        given, family = rng.choice(first), rng.choice(last)
        person: dict[str, object] = {
            "email": f"{_ascii(given)}.{_ascii(family)}.{i}@example.{rng.choice(TLDS)}",
            "firstname": given,
            "lastname": family,
            "company": rng.choice(COMPANIES),
            "lifecyclestage": rng.choice(STAGES),
            "city": rng.choice(CITIES),
        }
        if i % 5 < 2:  # two in five have a (fictional) phone number
            person["phone"] = f"+1202555{1000 + i % 9000:04d}"
        people.append(person)
    return people


def _changes(
    people: Sequence[dict[str, object]], types: dict[str, SubscriptionType], rng: random.Random
) -> list[tuple[str, list[StatusChange]]]:
    """Batches of changes in the order they are applied: each from one source."""
    emails = [str(p["email"]) for p in people]
    phones = [str(p["phone"]) for p in people if "phone" in p]
    api = Actor(ActorKind.API_TOKEN, "crm-sync")
    user = Actor(ActorKind.USER, "demo")
    contact = Actor(ActorKind.CONTACT)
    flow = Actor(ActorKind.WORKFLOW, "welcome-series")

    def batch(
        pool: Sequence[str], share: float, type_name: str, status: Status, provenance: Provenance
    ) -> list[StatusChange]:
        type_ = types[type_name]
        picked = rng.sample(list(pool), int(len(pool) * share))
        return [StatusChange(a, type_.channel, type_.id, status, provenance) for a in picked]

    sub, unsub = Status.SUBSCRIBED, Status.UNSUBSCRIBED
    clicked = batch(
        emails, 0.06, "Marketing Information", unsub, Provenance(Source.ONE_CLICK, contact)
    )
    flow_type = types["Marketing Information"]
    # A workflow may not resubscribe those who opted out: refused, and on the record.
    refused = [
        StatusChange(c.address, Channel.EMAIL, flow_type.id, sub, Provenance(Source.WORKFLOW, flow))
        for c in clicked[: len(clicked) // 2]
    ]
    return [
        (
            "import",
            batch(
                emails,
                0.5,
                "Marketing Information",
                sub,
                Provenance(Source.IMPORT, Actor(ActorKind.SYSTEM)),
            ),
        ),
        ("API", batch(emails, 0.3, "Product Updates", sub, Provenance(Source.API, api))),
        ("API v3", batch(emails, 0.05, "One to One", sub, Provenance(Source.API_V3, api))),
        (
            "double opt-in",
            batch(emails, 0.1, "Weekly Newsletter", sub, Provenance(Source.DOUBLE_OPT_IN, contact)),
        ),
        (
            "preference page",
            batch(
                emails,
                0.12,
                "Weekly Newsletter",
                unsub,
                Provenance(Source.PREFERENCE_CENTER, contact),
            ),
        ),
        (
            "preference page",
            batch(
                emails,
                0.08,
                "Events & Webinars",
                sub,
                Provenance(Source.PREFERENCE_CENTER, contact),
            ),
        ),
        ("one-click", clicked),
        (
            "record",
            batch(
                emails,
                0.03,
                "Product Updates",
                unsub,
                Provenance(Source.USER, user, explanation="Asked on a support call"),
            ),
        ),
        (
            "bulk edit",
            batch(
                emails,
                0.04,
                "Events & Webinars",
                unsub,
                Provenance(Source.BULK, user, explanation="Bounced event list"),
            ),
        ),
        ("workflow", refused),
        (
            "workflow",
            batch(emails, 0.1, "Marketing Information", sub, Provenance(Source.WORKFLOW, flow)),
        ),
        (
            "record",
            batch(
                emails,
                0.01,
                "Marketing Information",
                sub,
                Provenance(
                    Source.USER,
                    user,
                    LegalBasis.LEGITIMATE_INTEREST_CLIENT,
                    "Renewed their contract",
                ),
            ),
        ),
        ("API", batch(phones, 0.5, "Order Alerts", sub, Provenance(Source.API, api))),
        (
            "SMS keyword",
            batch(phones, 0.05, "Order Alerts", unsub, Provenance(Source.SMS_KEYWORD, contact)),
        ),
        ("API", batch(phones, 0.2, "Delivery Updates", sub, Provenance(Source.API, api))),
        (
            "WhatsApp keyword",
            batch(
                phones,
                0.03,
                "Delivery Updates",
                unsub,
                Provenance(Source.WHATSAPP_KEYWORD, contact),
            ),
        ),
    ]


def load_demo(
    engine: Engine,
    *,
    contacts_count: int = 5_000,
    seed: int = 7,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Load the demo into an empty database (one that has no contacts yet)."""
    say = progress or (lambda _: None)
    with UnitOfWork(engine) as uow:
        if contact_rows.page(uow.connection, after=None, limit=1, archived=False, computed=[]):
            raise InvalidInput(
                "This database already has contacts: load the demo into an empty one.",
                field="database",
            )
    rng = random.Random(seed)
    say("business units and subscription types")
    types = _types(engine)
    people = _people(contacts_count, rng)
    say(f"{len(people):,} contacts")
    for start in range(0, len(people), contacts.MAX_BATCH):
        contacts.create_batch(engine, people[start : start + contacts.MAX_BATCH])
    changes = refused = 0
    for label, batch in _changes(people, types, rng):
        say(f"{len(batch):,} changes from the {label}")
        for start in range(0, len(batch), 1_000):
            for result in set_statuses(engine, batch[start : start + 1_000]):
                changes += 1
                refused += (
                    isinstance(result, ChangeResult) and result.decision.outcome is Outcome.REFUSED
                )
    wide = [
        WideChange(
            str(p["email"]),
            Channel.EMAIL,
            None,
            True,
            Provenance(Source.PREFERENCE_CENTER, Actor(ActorKind.CONTACT)),
        )
        for p in rng.sample(people, len(people) // 50)
    ]
    say(f"{len(wide):,} unsubscribes from all")
    set_wide_statuses(engine, wide)
    return DemoSummary(len(people), len(types), changes + len(wide), refused)
