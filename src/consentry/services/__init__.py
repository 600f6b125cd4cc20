"""Use cases. The only code that opens and commits transactions; each status change and its
ledger entry are written in the same one."""

from consentry.services.account import get_settings, set_setting
from consentry.services.catalog import (
    NewType,
    create_type,
    create_unit,
    get_type,
    list_types,
    list_units,
)
from consentry.services.changes import (
    ChangeResult,
    InputError,
    Provenance,
    StatusChange,
    WideChange,
    WideResult,
)
from consentry.services.history import History, history, statuses_as_of, verify_ledger
from consentry.services.reading import (
    SubscriberStatuses,
    TypeStatus,
    read_statuses,
    read_statuses_batch,
)
from consentry.services.subscriptions import set_status, set_statuses
from consentry.services.suppressions import record_suppression
from consentry.services.wide_opt_outs import (
    clear_unsubscribe_all,
    set_wide_statuses,
    unsubscribe_all,
)

__all__ = [
    "ChangeResult",
    "History",
    "InputError",
    "NewType",
    "Provenance",
    "StatusChange",
    "SubscriberStatuses",
    "TypeStatus",
    "WideChange",
    "WideResult",
    "clear_unsubscribe_all",
    "create_type",
    "create_unit",
    "get_settings",
    "get_type",
    "history",
    "list_types",
    "list_units",
    "read_statuses",
    "read_statuses_batch",
    "record_suppression",
    "set_setting",
    "set_status",
    "set_statuses",
    "set_wide_statuses",
    "statuses_as_of",
    "unsubscribe_all",
    "verify_ledger",
]
