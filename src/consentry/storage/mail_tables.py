"""Tables of the public pages and mail: the outbox, held confirmations (issue 5).

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from consentry.storage.tables import metadata

__all__ = ["metadata"]
