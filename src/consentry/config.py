"""Process configuration, read once at start-up from CONSENTRY_* environment variables.

Account settings (data privacy mode, channels…) live in the database; this is only what a
process needs to start: where the database is, how to serve, and the secret key.
"""

import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/consentry.db"
DEV_SECRET_FILE = Path("var/secret_key")


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSENTRY_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # "dev" generates and keeps a secret key under ./var; "production" refuses to start without
    # one, so signed links never fall back to a guessable key.
    env: Literal["dev", "production"] = "dev"
    secret_key: SecretStr | None = None
    # Where contacts reach the public pages: the base of every preference and unsubscribe link.
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    # One JSON object per log line (for a log shipper) or plain text; unset: JSON outside dev.
    log_format: Literal["json", "plain"] | None = None
    # `/metrics` answers only a request bearing this token (Authorization: Bearer …); unset,
    # it answers no one (403), so metrics are never public by accident.
    metrics_token: SecretStr | None = None
    # Mail (issue 5): an smtp:// or smtps:// URL (user:password@host:port); unset, every mail is
    # written as an .eml file under `outbox_dir`, so nothing is lost in development.
    smtp_url: SecretStr | None = None
    mail_from: str = "Consentry <no-reply@localhost>"
    outbox_dir: Path = Path("var/outbox")
    # Background jobs (issue 6): where per-row result files of imports and bulk edits are kept.
    jobs_dir: Path = Path("var/jobs")
    # A running job whose worker has not renewed its lease for this long is taken over by
    # another worker (the first one died); chunks renew it every second or so.
    job_lease_seconds: int = 60
    # `consentry serve` on SQLite runs a worker thread unless this is off.
    in_process_worker: bool = True
    # Link scanners (issue 5): a confirm-button POST from a known scanner within this many
    # seconds of the link being generated is held for a second confirmation.
    scanner_window_seconds: int = 120
    # Outbound webhooks (issue 10): how long one request may take, and the wait before the
    # first retry (each later one doubles it, up to about an hour; retried for 24 hours).
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_retry_base_seconds: float = Field(default=30.0, gt=0)
    # Requests per minute per client address (issue 11; 0 turns a limit off), counted in each
    # process: admin sign-in POSTs, "email me a fresh link" POSTs, the contact's pages, and
    # POSTs to unsubscribe links (one-click arrives from mailbox providers' shared addresses).
    rate_limit_sign_in: int = Field(default=20, ge=0)
    rate_limit_link_requests: int = Field(default=5, ge=0)
    rate_limit_public_pages: int = Field(default=300, ge=0)
    rate_limit_one_click: int = Field(default=3000, ge=0)
    # Request bodies (issue 11): a JSON body is parsed whole, so it is capped (413 beyond);
    # uploads (opt-out lists, audiences) are spooled to disk and may be larger.
    max_body_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_upload_bytes: int = Field(default=512 * 1024 * 1024, gt=0)

    @model_validator(mode="after")
    def _secret_key_outside_dev(self) -> "Config":
        if self.env == "production":
            key = self.secret_key.get_secret_value() if self.secret_key else ""
            if len(key) < 32:
                raise ValueError(
                    "CONSENTRY_SECRET_KEY must be set to at least 32 characters when"
                    " CONSENTRY_ENV=production (generate one with"
                    " `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
                )
            if not self.public_url.startswith("https://"):
                raise ValueError(
                    "CONSENTRY_PUBLIC_URL must be an https:// URL in production: unsubscribe"
                    " links must be HTTPS (RFC 8058)."
                )
        if self.metrics_token is not None and len(self.metrics_token.get_secret_value()) < 16:
            raise ValueError("CONSENTRY_METRICS_TOKEN must be at least 16 characters.")
        return self

    def secret(self) -> str:
        """The signing key; in dev mode, one generated on first use and kept in ./var."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if not DEV_SECRET_FILE.exists():
            DEV_SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
            DEV_SECRET_FILE.write_text(secrets.token_urlsafe(48))
            DEV_SECRET_FILE.chmod(0o600)
        return DEV_SECRET_FILE.read_text().strip()

    @property
    def json_logs(self) -> bool:
        return self.log_format == "json" if self.log_format else self.env != "dev"

    @property
    def behind_https(self) -> bool:
        """Whether contacts and users reach us over HTTPS (cookies are then marked Secure)."""
        return self.public_url.startswith("https://")
