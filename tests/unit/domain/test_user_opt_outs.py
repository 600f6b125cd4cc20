"""Which opt-outs "Remove opt-outs added by users" reverts: email opt-outs whose latest change
a user made by hand (USER, BULK) — never one from the contact, a workflow, an import, a keyword
or one-click."""

import pytest

from consentry.domain import Channel, Source, Status
from consentry.domain.user_opt_outs import OptOut, revertible

EVERY_SOURCE_BUT_USERS = [s for s in Source if s not in (Source.USER, Source.BULK)]


@pytest.mark.parametrize("source", [Source.USER, Source.BULK])
def test_a_users_email_opt_out_is_reverted(source: Source) -> None:
    assert revertible(OptOut(Channel.EMAIL, Status.UNSUBSCRIBED, source))


@pytest.mark.parametrize("source", EVERY_SOURCE_BUT_USERS)
def test_no_other_source_is_reverted(source: Source) -> None:
    assert not revertible(OptOut(Channel.EMAIL, Status.UNSUBSCRIBED, source))


@pytest.mark.parametrize("channel", [Channel.SMS, Channel.WHATSAPP])
@pytest.mark.parametrize("source", [Source.USER, Source.BULK])
def test_only_email(channel: Channel, source: Source) -> None:
    assert not revertible(OptOut(channel, Status.UNSUBSCRIBED, source))


@pytest.mark.parametrize("status", [Status.SUBSCRIBED, Status.NOT_SPECIFIED])
def test_only_opt_outs(status: Status) -> None:
    assert not revertible(OptOut(Channel.EMAIL, status, Source.USER))
