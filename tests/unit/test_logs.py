"""Log lines: one JSON object per line with a record's extra fields as keys, or plain text with
them as key=value; JSON by default outside dev mode."""

import json
import logging
import sys

import pytest
from pydantic import ValidationError

from consentry.config import Config
from consentry.logs import JsonFormatter, PlainFormatter, logging_config

PRODUCTION = {"env": "production", "secret_key": "k" * 40, "public_url": "https://x.example"}


def record(message: str = "GET %s 200", *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("consentry.request", logging.INFO, __file__, 1, message, args, None)
    for key, value in extra.items():
        setattr(made, key, value)
    return made


def test_a_json_line_holds_the_message_and_every_extra_field() -> None:
    line = JsonFormatter().format(
        record("GET %s 200", "/healthz", route="/healthz", status=200, correlation_id="c-1")
    )

    parsed = json.loads(line)
    assert "\n" not in line
    assert parsed["message"] == "GET /healthz 200"
    assert (parsed["level"], parsed["logger"]) == ("info", "consentry.request")
    assert (parsed["route"], parsed["status"], parsed["correlation_id"]) == ("/healthz", 200, "c-1")
    assert parsed["time"].endswith("+00:00")


def test_a_json_line_keeps_the_traceback_on_one_line() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        failed = record("job failed")
        failed.exc_info = sys.exc_info()

    parsed = json.loads(JsonFormatter().format(failed))

    assert "RuntimeError: boom" in parsed["exception"]


def test_a_plain_line_ends_with_its_extra_fields() -> None:
    line = PlainFormatter().format(record("job %s ended", 7, job_id=7, state="SUCCEEDED"))

    assert line.endswith("consentry.request: job 7 ended [job_id=7 state=SUCCEEDED]")


@pytest.mark.parametrize(
    ("values", "formatter"),
    [
        ({}, "plain"),
        (PRODUCTION, "json"),
        ({"log_format": "json"}, "json"),
        ({**PRODUCTION, "log_format": "plain"}, "plain"),
    ],
)
def test_json_is_the_default_outside_dev_mode(values: dict[str, str], formatter: str) -> None:
    config = logging_config(Config(**values))  # type: ignore[arg-type]

    assert config["handlers"]["default"]["formatter"] == formatter


def test_a_short_metrics_token_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="CONSENTRY_METRICS_TOKEN"):
        Config(metrics_token="short")
