"""`consentry webhooks` as a user at a shell runs it: add (the secret printed once), list,
test (a signed ping to a real receiver), pause and resume, deliveries, redeliver, rotate the
secret, remove (asking first); the real `consentry worker --until-idle` delivers. SQLite and
PostgreSQL."""

import subprocess
import time
from pathlib import Path

from consentry.domain.webhooks import PING, verify
from tests.e2e.helpers import CONSENTRY, Cli, cli_env, ok, one_line, table
from tests.e2e.server import free_port
from tests.e2e.webhook_receiver import Received, receiving

STATUS_CHANGED = "subscription.status_changed"


def work(database_url: str, tmp_path: Path) -> None:
    """Run the real worker until nothing is left to do."""
    env = cli_env(database_url) | {"CONSENTRY_JOBS_DIR": str(tmp_path / "jobs")}
    done = subprocess.run(
        [CONSENTRY, "worker", "--until-idle"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def unsubscribe(consentry: Cli, address: str) -> None:
    ok(consentry("status", "set", address, "--type", "1", "--status", "unsubscribed"))


def signed_with(request: Received, secret: str) -> bool:
    return verify(
        secret,
        request.headers["consentry-timestamp"],
        request.body,
        request.headers["consentry-signature"],
        now=int(time.time()),
    )


def test_the_webhooks_command(consentry: Cli, database_url: str, tmp_path: Path) -> None:
    with receiving() as receiver:
        added = consentry("webhooks", "add", "--url", receiver.url, "--events", STATUS_CHANGED)
        secret = ok(added).strip()  # stdout holds the secret alone, for scripts
        assert secret.startswith("whsec_")
        assert f"Webhook 1 (active): {receiver.url}" in one_line(added.stderr)
        assert "not shown again" in one_line(added.stderr)
        listed = table(ok(consentry("webhooks", "list")))
        assert [(r["id"], r["state"], r["events"]) for r in listed] == [
            ("1", "active", STATUS_CHANGED)
        ]
        assert secret not in ok(consentry("webhooks", "list"))

        pinged = ok(consentry("webhooks", "test", "1"))
        assert "answered 200" in one_line(pinged)
        assert receiver.all()[0].event["type"] == PING
        assert signed_with(receiver.all()[0], secret)

        unsubscribe(consentry, "one@example.com")
        work(database_url, tmp_path)
        assert [r.event["data"]["address"] for r in receiver.all()[1:]] == ["one@example.com"]
        shown = table(ok(consentry("webhooks", "deliveries", "1")))
        assert [(r["state"], r["attempts"], r["status"]) for r in shown] == [
            ("DELIVERED", "1", "200")
        ]
        assert shown[0]["latency"].endswith("ms")

        assert "(paused)" in one_line(ok(consentry("webhooks", "pause", "1")))
        assert table(ok(consentry("webhooks", "list")))[0]["state"] == "paused"
        unsubscribe(consentry, "while.paused@example.com")
        work(database_url, tmp_path)
        assert len(receiver.all()) == 2  # nothing sent, nor queued, while paused
        assert "(active)" in one_line(ok(consentry("webhooks", "resume", "1")))

        redone = ok(consentry("webhooks", "redeliver", "1", shown[0]["id"]))
        assert "is queued" in one_line(redone)
        rotated = consentry("webhooks", "rotate-secret", "1")
        new_secret = ok(rotated).strip()
        assert new_secret != secret
        work(database_url, tmp_path)
        again = receiver.all()[2]
        assert again.event["id"] == shown[0]["event"]  # the same event id: de-duplicable
        assert signed_with(again, new_secret) and not signed_with(again, secret)
        assert table(ok(consentry("webhooks", "deliveries", "1")))[0]["attempts"] == "2"

    kept = subprocess.run(
        [CONSENTRY, "webhooks", "remove", "1"],
        env=cli_env(database_url),
        cwd=tmp_path,
        input="n\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert kept.returncode != 0 and "Remove webhook 1" in one_line(kept.stdout)
    assert len(table(ok(consentry("webhooks", "list")))) == 1
    assert "Removed webhook 1" in ok(consentry("webhooks", "remove", "1", "--yes"))
    assert "No webhooks yet" in one_line(ok(consentry("webhooks", "list")))


def test_bad_input_is_refused_naming_it_and_adds_nothing(consentry: Cli) -> None:
    bad_url = consentry("webhooks", "add", "--url", "ftp://x.example", "--events", STATUS_CHANGED)
    assert bad_url.returncode == 2 and "http:// or https://" in one_line(bad_url.stderr)
    unknown = consentry("webhooks", "add", "--url", "https://x.example", "--events", "nope")
    assert unknown.returncode == 2 and "Unknown event type 'nope'" in one_line(unknown.stderr)
    short = consentry(
        "webhooks", "add", "--url", "https://x.example", "--events", STATUS_CHANGED, "--secret", "x"
    )
    assert short.returncode == 2 and "16 to 128 characters" in one_line(short.stderr)
    assert "No webhooks yet" in one_line(ok(consentry("webhooks", "list")))
    missing = consentry("webhooks", "pause", "7")
    assert missing.returncode == 2 and "No webhook subscription 7" in one_line(missing.stderr)


def test_a_test_request_nobody_answers_fails_with_the_reason(consentry: Cli) -> None:
    nobody = f"http://127.0.0.1:{free_port()}/hook"
    ok(consentry("webhooks", "add", "--url", nobody, "--events", STATUS_CHANGED))
    failed = consentry("webhooks", "test", "1")
    assert failed.returncode == 1 and "ConnectError" in one_line(failed.stderr)
