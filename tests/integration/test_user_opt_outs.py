""" "Remove opt-outs added by users": only email opt-outs whose latest change a user made by hand
are reverted, each through the rulebook and on the ledger (SQLite and PostgreSQL)."""

from sqlalchemy import Engine

from consentry import services
from consentry.domain import Actor, ActorKind, Channel, Source, Status
from consentry.services.user_opt_outs import count_user_opt_outs, remove_user_opt_outs
from tests.integration.helpers import MARKETING, ONE_TO_ONE, change

ADMIN = Actor(ActorKind.USER, "1")


def status_of(engine: Engine, address: str, type_id: int = MARKETING) -> Status:
    found = services.read_statuses(engine, address, Channel.EMAIL)
    return next(s.status for s in found.statuses if s.subscription_type.id == type_id)


def test_only_opt_outs_added_by_users_are_reverted(engine: Engine) -> None:
    by_source = {
        "user@x.com": Source.USER,
        "bulk@x.com": Source.BULK,
        "self@x.com": Source.PREFERENCE_CENTER,
        "click@x.com": Source.ONE_CLICK,
        "flow@x.com": Source.WORKFLOW,
        "import@x.com": Source.IMPORT,
        "api@x.com": Source.API,
    }
    services.set_statuses(
        engine, [change(a, Status.UNSUBSCRIBED, source) for a, source in by_source.items()]
    )
    services.set_status(engine, change("sub@x.com", Status.SUBSCRIBED, Source.USER))
    assert count_user_opt_outs(engine) == 2

    removal = remove_user_opt_outs(engine, ADMIN)

    assert (removal.reverted, removal.not_reverted) == (2, 0)
    for address, source in by_source.items():
        expected = (
            Status.NOT_SPECIFIED if source in (Source.USER, Source.BULK) else Status.UNSUBSCRIBED
        )
        assert status_of(engine, address) is expected, address
    assert status_of(engine, "sub@x.com") is Status.SUBSCRIBED
    assert count_user_opt_outs(engine) == 0
    last = services.history(engine, "user@x.com", Channel.EMAIL).entries[-1]
    assert (last.source, last.actor_kind, last.actor_id) == ("SYSTEM", "USER", "1")
    assert (last.old_status, last.new_status, last.outcome) == (
        "UNSUBSCRIBED",
        "NOT_SPECIFIED",
        "APPLIED",
    )
    assert last.legal_basis_explanation


def test_an_opt_out_the_contact_confirmed_later_is_kept(engine: Engine) -> None:
    services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED, Source.USER))
    # The contact opts out again themselves: no change of status, but it is theirs now.
    services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED, Source.PREFERENCE_CENTER))
    assert count_user_opt_outs(engine) == 0


def test_each_type_is_judged_on_its_own(engine: Engine) -> None:
    services.set_statuses(
        engine,
        [
            change("a@x.com", Status.UNSUBSCRIBED, Source.USER, MARKETING),
            change("a@x.com", Status.UNSUBSCRIBED, Source.ONE_CLICK, ONE_TO_ONE),
        ],
    )
    assert remove_user_opt_outs(engine, ADMIN).reverted == 1
    assert status_of(engine, "a@x.com", MARKETING) is Status.NOT_SPECIFIED
    assert status_of(engine, "a@x.com", ONE_TO_ONE) is Status.UNSUBSCRIBED


def test_sms_opt_outs_by_users_are_left(engine: Engine) -> None:
    services.set_setting(engine, "sms_enabled", "true")
    sms = services.create_type(engine, services.NewType("Alerts", channel=Channel.SMS))
    services.set_status(
        engine, change("+12025550123", Status.UNSUBSCRIBED, Source.USER, sms.id, Channel.SMS)
    )
    assert count_user_opt_outs(engine) == 0
