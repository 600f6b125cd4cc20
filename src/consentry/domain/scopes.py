"""API token scopes, with HubSpot's names, and what each route requires."""

from collections.abc import Iterable
from enum import StrEnum

from consentry.domain.errors import InvalidInput


class Scope(StrEnum):
    PREFERENCES_READ = "communication_preferences.read"
    PREFERENCES_WRITE = "communication_preferences.write"
    PREFERENCES_READ_WRITE = "communication_preferences.read_write"
    STATUSES_BATCH_READ = "communication_preferences.statuses.batch.read"
    STATUSES_BATCH_WRITE = "communication_preferences.statuses.batch.write"
    CONTACTS_READ = "crm.objects.contacts.read"
    CONTACTS_WRITE = "crm.objects.contacts.write"
    ADMIN = "consentry.admin"


# A granted scope also grants these: read_write is both halves, as in HubSpot.
_IMPLIES: dict[Scope, frozenset[Scope]] = {
    Scope.PREFERENCES_READ_WRITE: frozenset({Scope.PREFERENCES_READ, Scope.PREFERENCES_WRITE}),
}


def parse_scopes(names: Iterable[str]) -> frozenset[Scope]:
    """Scopes from their names; an unknown name is refused, naming the known ones."""
    scopes = set()
    for raw in names:
        name = raw.strip()
        if not name:
            continue
        try:
            scopes.add(Scope(name))
        except ValueError:
            known = ", ".join(scope.value for scope in Scope)
            raise InvalidInput(
                f"Unknown scope {name!r}; known scopes: {known}.", field="scopes"
            ) from None
    if not scopes:
        raise InvalidInput("A token needs at least one scope.", field="scopes")
    return frozenset(scopes)


def effective(granted: Iterable[Scope]) -> frozenset[Scope]:
    expanded = set(granted)
    for scope in list(expanded):
        expanded |= _IMPLIES.get(scope, frozenset())
    return frozenset(expanded)


def missing(granted: Iterable[Scope], required_any: Iterable[Scope]) -> list[Scope]:
    """The scopes to name in a 403 when none of `required_any` is granted; empty when allowed."""
    needed = list(required_any)
    have = effective(granted)
    return [] if any(scope in have for scope in needed) else needed
