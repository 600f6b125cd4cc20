"""Who asked for a change: the party recorded in the ledger as the actor."""

from dataclasses import dataclass
from enum import StrEnum


class ActorKind(StrEnum):
    CONTACT = "CONTACT"
    USER = "USER"
    API_TOKEN = "API_TOKEN"
    WORKFLOW = "WORKFLOW"
    PROVIDER = "PROVIDER"  # a carrier or mailbox-provider webhook
    SYSTEM = "SYSTEM"


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str | None = None

    def __str__(self) -> str:
        return f"{self.kind.value.lower()}:{self.id}" if self.id else self.kind.value.lower()


SYSTEM_ACTOR = Actor(ActorKind.SYSTEM)
