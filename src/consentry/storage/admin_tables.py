"""Tables of the admin app: users, sessions, sign-in attempts (issue 4).

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from consentry.storage.tables import metadata

__all__ = ["metadata"]
