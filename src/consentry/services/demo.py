"""Demo data for trying the product (`consentry demo`): business units with branding, types
with translations, thousands of contacts, and statuses and history from every source — all
through the use cases, so every status has its ledger entry and every refusal is recorded."""

import random
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy import Engine

from consentry.domain import (
    SYSTEM_ACTOR,
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


API = Actor(ActorKind.API_TOKEN, "crm-sync")
USER = Actor(ActorKind.USER, "demo")
CONTACT = Actor(ActorKind.CONTACT)
SUB, UNSUB = Status.SUBSCRIBED, Status.UNSUBSCRIBED
# In the order applied: (who, share of the pool, type, status, how). "email" and "phone" pools.
PLAN: tuple[tuple[str, float, str, Status, Provenance], ...] = (
    ("email", 0.5, "Marketing Information", SUB, Provenance(Source.IMPORT, SYSTEM_ACTOR)),
    ("email", 0.3, "Product Updates", SUB, Provenance(Source.API, API)),
    ("email", 0.05, "One to One", SUB, Provenance(Source.API_V3, API)),
    ("email", 0.1, "Weekly Newsletter", SUB, Provenance(Source.DOUBLE_OPT_IN, CONTACT)),
    ("email", 0.12, "Weekly Newsletter", UNSUB, Provenance(Source.PREFERENCE_CENTER, CONTACT)),
    ("email", 0.08, "Events & Webinars", SUB, Provenance(Source.PREFERENCE_CENTER, CONTACT)),
    ("email", 0.06, "Marketing Information", UNSUB, Provenance(Source.ONE_CLICK, CONTACT)),
    (
        "email",
        0.03,
        "Product Updates",
        UNSUB,
        Provenance(Source.USER, USER, explanation="On a call"),
    ),
    (
        "email",
        0.04,
        "Events & Webinars",
        UNSUB,
        Provenance(Source.BULK, USER, explanation="Bounced"),
    ),
    (
        "email",
        0.01,
        "Marketing Information",
        SUB,
        Provenance(Source.USER, USER, LegalBasis.LEGITIMATE_INTEREST_CLIENT, "Renewed contract"),
    ),
    ("phone", 0.5, "Order Alerts", SUB, Provenance(Source.API, API)),
    ("phone", 0.05, "Order Alerts", UNSUB, Provenance(Source.SMS_KEYWORD, CONTACT)),
    ("phone", 0.2, "Delivery Updates", SUB, Provenance(Source.API, API)),
    ("phone", 0.03, "Delivery Updates", UNSUB, Provenance(Source.WHATSAPP_KEYWORD, CONTACT)),
)
WORKFLOW = Provenance(Source.WORKFLOW, Actor(ActorKind.WORKFLOW, "welcome-series"))


def _changes(
    people: Sequence[dict[str, object]], types: dict[str, SubscriptionType], rng: random.Random
) -> list[list[StatusChange]]:
    """Batches of changes in the order they are applied: each from one source."""
    pools = {
        "email": [str(p["email"]) for p in people],
        "phone": [str(p["phone"]) for p in people if "phone" in p],
    }
    batches = []
    for pool, share, type_name, status, provenance in PLAN:
        type_ = types[type_name]
        picked = rng.sample(pools[pool], int(len(pools[pool]) * share))
        batches.append(
            [StatusChange(a, type_.channel, type_.id, status, provenance) for a in picked]
        )
    # A workflow may not resubscribe those who clicked one-click unsubscribe: refused, and on
    # the record.
    clicked = next(
        b for b, plan in zip(batches, PLAN, strict=True) if plan[4].source is Source.ONE_CLICK
    )
    batches.append([replace(c, provenance=WORKFLOW, status=SUB) for c in clicked[::2]])
    return batches


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
    for batch in _changes(people, types, rng):
        say(f"{len(batch):,} changes from {batch[0].provenance.source.display_text}")
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
