"""Tables of background jobs: the queue, progress, per-row results (issue 6).

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from consentry.storage.tables import metadata

__all__ = ["metadata"]
