"""Backups: an online, consistent copy of the database that is checked before it is trusted,
and restoring one in place of the database.

- `backup.sqlite`: the SQLite file, copied with the online backup API in one read transaction
  and checked (integrity, schema revision, the ledger's hash chain) before it appears.
- `backup.postgres`: `pg_dump -Fc` of an exported snapshot, `pg_restore` into an empty
  database, whose ledger is then verified.
- `backup.contents`: what a backup holds, as checked (both dialects answer with it).
"""

from consentry.services.backup.contents import Contents, Progress
from consentry.services.backup.postgres import Dump, back_up_postgres, pg_tool, restore_postgres
from consentry.services.backup.sqlite import (
    Restored,
    back_up_sqlite,
    in_use,
    inspect,
    refuse_if_in_use,
    restore_sqlite,
    sqlite_path,
)

__all__ = [
    "Contents",
    "Dump",
    "Progress",
    "Restored",
    "back_up_postgres",
    "back_up_sqlite",
    "in_use",
    "inspect",
    "pg_tool",
    "refuse_if_in_use",
    "restore_postgres",
    "restore_sqlite",
    "sqlite_path",
]
