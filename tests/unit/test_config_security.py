"""The process refuses insecure settings outside dev mode: no secret key (or a short one), an
http public URL (unsubscribe links must be HTTPS), a short metrics token; limits are not
negative."""

import pytest
from pydantic import ValidationError

from consentry.config import Config

GOOD = {
    "env": "production",
    "secret_key": "k" * 32,
    "public_url": "https://consent.example.com",
    "database_url": "sqlite://",
}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"secret_key": None}, "CONSENTRY_SECRET_KEY"),
        ({"secret_key": "k" * 31}, "CONSENTRY_SECRET_KEY"),
        ({"public_url": "http://consent.example.com"}, "CONSENTRY_PUBLIC_URL"),
        ({"metrics_token": "short"}, "CONSENTRY_METRICS_TOKEN"),
        ({"rate_limit_public_pages": -1}, "rate_limit_public_pages"),
    ],
)
def test_production_refuses_insecure_settings(change: dict[str, object], named: str) -> None:
    with pytest.raises(ValidationError, match=named):
        Config(**{**GOOD, **change})  # type: ignore[arg-type]


def test_production_starts_with_secure_settings() -> None:
    config = Config(**GOOD, metrics_token="m" * 16)  # type: ignore[arg-type]
    assert config.behind_https


def test_dev_mode_needs_no_secret_but_still_refuses_a_short_metrics_token() -> None:
    Config(env="dev", database_url="sqlite://", public_url="http://127.0.0.1:8000")
    with pytest.raises(ValidationError, match="CONSENTRY_METRICS_TOKEN"):
        Config(env="dev", database_url="sqlite://", metrics_token="short")  # type: ignore[arg-type]


def test_the_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENTRY_ENV", "production")
    monkeypatch.delenv("CONSENTRY_SECRET_KEY", raising=False)
    monkeypatch.setenv("CONSENTRY_PUBLIC_URL", "https://consent.example.com")
    with pytest.raises(ValidationError, match="CONSENTRY_SECRET_KEY"):
        Config()
