"""Use case "Remove opt-outs added by users": count, then revert to NOT_SPECIFIED, every email
opt-out whose latest change a user made by hand (`domain.user_opt_outs` says which).

Each revert goes through the rulebook and into the ledger like any other change, as a SYSTEM
change by the admin who ran it, with the explanation on record.
"""

from dataclasses import dataclass

from sqlalchemy import Engine

from consentry.domain import Actor, Channel, Outcome, Source, Status
from consentry.domain.user_opt_outs import EXPLANATION, OptOut, revertible
from consentry.services.changes import ChangeResult, Provenance, StatusChange
from consentry.services.subscriptions import set_statuses
from consentry.services.unit_of_work import UnitOfWork
from consentry.storage import user_opt_outs
from consentry.storage.user_opt_outs import OptOutRow

CHUNK = 1_000


@dataclass(frozen=True)
class Removal:
    reverted: int
    not_reverted: int  # refused or changed in between


def _revertible(engine: Engine) -> list[OptOutRow]:
    with UnitOfWork(engine) as uow:
        return [
            row
            for row in user_opt_outs.email_opt_outs(uow.connection)
            if revertible(OptOut(Channel.EMAIL, Status.UNSUBSCRIBED, Source(row.latest_source)))
        ]


def count_user_opt_outs(engine: Engine) -> int:
    return len(_revertible(engine))


def remove_user_opt_outs(engine: Engine, actor: Actor) -> Removal:
    rows = _revertible(engine)
    provenance = Provenance(Source.SYSTEM, actor, explanation=EXPLANATION)
    reverted = not_reverted = 0
    for start in range(0, len(rows), CHUNK):
        changes = [
            StatusChange(
                row.address,
                Channel.EMAIL,
                row.subscription_type_id,
                Status.NOT_SPECIFIED,
                provenance,
            )
            for row in rows[start : start + CHUNK]
        ]
        for result in set_statuses(engine, changes):
            applied = (
                isinstance(result, ChangeResult) and result.decision.outcome is Outcome.APPLIED
            )
            reverted += applied
            not_reverted += not applied
    return Removal(reverted, not_reverted)
