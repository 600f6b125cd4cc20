"""The mail pump inside the worker loop (as `consentry serve` runs it): queued mail is written
out by the loop's first round, driven here by calling the pumps directly (no sleeping)."""

from pathlib import Path

from sqlalchemy import Engine

from consentry import worker
from consentry.config import Config
from consentry.domain import Actor, ActorKind, Channel
from consentry.services.preference_links import send_preference_link


def test_the_worker_runs_the_mail_pump(engine: Engine, tmp_path: Path) -> None:
    config = Config(
        database_url=str(engine.url.render_as_string(hide_password=False)),
        secret_key="w" * 40,  # type: ignore[arg-type]
        outbox_dir=tmp_path / "outbox",
        jobs_dir=tmp_path / "jobs",
    )
    send_preference_link(
        engine, config, "ivy@example.com", Channel.EMAIL, 0, actor=Actor(ActorKind.USER, "u")
    )
    pumps = dict(worker.make_pumps(engine, config))

    assert pumps["mail"]() == 1
    assert pumps["mail"]() == 0
    (eml,) = (tmp_path / "outbox").glob("*.eml")
    assert b"ivy@example.com" in eml.read_bytes()
