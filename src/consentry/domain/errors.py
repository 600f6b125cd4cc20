"""The exceptions of the domain; the API maps them to HTTP answers, the CLI to exit codes.

    ConsentryError
    ├── InvalidInput            bad input: nothing is written (HTTP 400)
    │   └── InvalidAddress      an email or phone number that cannot be a subscriber
    ├── NotFound                a named thing does not exist (HTTP 404)
    └── Conflict                the request clashes with stored state (HTTP 409)

A *refusal* by the rulebook is not an exception: it is a `Decision` that is recorded in the
ledger like any other answer.
"""


class ConsentryError(Exception):
    """Base of every error the domain raises on purpose."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ConsentryError):
    """The request is malformed or names an impossible value; nothing was written."""


class InvalidAddress(InvalidInput):
    """The email address or phone number cannot be normalised."""


class NotFound(ConsentryError):
    """A subscription type, business unit, subscriber or other named thing does not exist."""


class Conflict(ConsentryError):
    """The request clashes with what is stored (a duplicate name, say)."""
