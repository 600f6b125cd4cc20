"""Tables of erasure (reserved; filled by its issue).

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from consentry.storage.tables import metadata

__all__ = ["metadata"]
