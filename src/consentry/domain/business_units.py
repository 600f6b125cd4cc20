"""Business units (brands). Unit 0, "Account", always exists."""

from dataclasses import dataclass, field

ACCOUNT_UNIT_ID = 0
ACCOUNT_UNIT_NAME = "Account"


@dataclass(frozen=True)
class BusinessUnit:
    id: int
    name: str
    branding: dict[str, str] = field(default_factory=dict)
