"""The stored statuses a transaction reads and changes, loaded once and written once.

A batch may touch the same subscriber many times; each decision must see the ones before it.
"""

from collections.abc import Iterable

from sqlalchemy import Connection

from consentry.domain import CurrentState, Status, SubscriptionType, WideType
from consentry.domain.statuses import covers
from consentry.storage import statuses
from consentry.storage.statuses import StatusRow, WideRow


class ProjectionState:
    def __init__(
        self,
        connection: Connection,
        pairs: Iterable[tuple[int, int]],
        subscriber_ids: Iterable[int],
    ) -> None:
        self._connection = connection
        self._statuses = statuses.load(connection, pairs)
        # subscriber id -> (scope, unit) -> row: a subscriber has a handful of wide rows at most.
        self._wide: dict[int, dict[tuple[WideType, int], WideRow]] = {}
        for row in statuses.load_wide(connection, subscriber_ids):
            scope = (row.wide_type, row.business_unit_id)
            self._wide.setdefault(row.subscriber_id, {})[scope] = row
        self._dirty_statuses: dict[tuple[int, int], StatusRow] = {}
        self._dirty_wide: dict[tuple[int, WideType, int], WideRow] = {}

    def status(self, subscriber_id: int, type_id: int) -> StatusRow | None:
        return self._statuses.get((subscriber_id, type_id))

    def wide(self, subscriber_id: int, wide_type: WideType, unit_id: int) -> WideRow | None:
        return self._wide.get(subscriber_id, {}).get((wide_type, unit_id))

    def covering_opt_outs(self, subscriber_id: int, type_: SubscriptionType) -> list[WideRow]:
        return [
            row
            for row in self._wide.get(subscriber_id, {}).values()
            if row.opted_out and covers(row.wide_type, row.business_unit_id, type_.business_unit_id)
        ]

    def current(self, subscriber_id: int, type_: SubscriptionType) -> CurrentState:
        row = self.status(subscriber_id, type_.id)
        covering = self.covering_opt_outs(subscriber_id, type_)
        return CurrentState(
            status=row.status if row else Status.NOT_SPECIFIED,
            changed_at=row.occurred_at if row else None,
            confirmed=row.confirmed if row else True,
            wide_opt_out_at=max((w.occurred_at for w in covering), default=None),
        )

    def current_wide(self, subscriber_id: int, wide_type: WideType, unit_id: int) -> CurrentState:
        row = self.wide(subscriber_id, wide_type, unit_id)
        if row is None:
            return CurrentState()
        status = Status.UNSUBSCRIBED if row.opted_out else Status.NOT_SPECIFIED
        return CurrentState(status=status, changed_at=row.occurred_at)

    def put_status(self, row: StatusRow) -> None:
        key = (row.subscriber_id, row.subscription_type_id)
        self._statuses[key] = self._dirty_statuses[key] = row

    def put_wide(self, row: WideRow) -> None:
        scope = (row.wide_type, row.business_unit_id)
        self._wide.setdefault(row.subscriber_id, {})[scope] = row
        self._dirty_wide[(row.subscriber_id, *scope)] = row

    def flush(self) -> None:
        statuses.save(self._connection, list(self._dirty_statuses.values()))
        statuses.save_wide(self._connection, list(self._dirty_wide.values()))
        self._dirty_statuses.clear()
        self._dirty_wide.clear()
