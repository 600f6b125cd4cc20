"""Which opt-outs "Remove opt-outs added by users" may revert (PRODUCT.md §2).

Only email opt-outs whose latest change came from a user by hand — on a record (`USER`) or in
bulk (`BULK`). Never one the contact made (preference page, one-click, double opt-in, keyword),
nor one from a workflow, an import, the API or the system.
"""

from dataclasses import dataclass

from consentry.domain.channels import Channel
from consentry.domain.sources import Source
from consentry.domain.statuses import Status

REVERTIBLE_SOURCES = frozenset({Source.USER, Source.BULK})
EXPLANATION = "Removed an opt-out added by a user (admin action: Remove opt-outs added by users)."


@dataclass(frozen=True)
class OptOut:
    """One stored status and the source of the latest change that asked for it."""

    channel: Channel
    status: Status
    latest_source: Source


def revertible(opt_out: OptOut) -> bool:
    return (
        opt_out.channel is Channel.EMAIL
        and opt_out.status is Status.UNSUBSCRIBED
        and opt_out.latest_source in REVERTIBLE_SOURCES
    )
