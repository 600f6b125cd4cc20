"""How the processes log: one JSON object per line (for a log shipper), or plain text.

`CONSENTRY_LOG_FORMAT=json|plain` chooses; unset, JSON outside dev mode. A record's `extra`
fields (the request log's method, route, status, duration_ms, correlation_id; a worker's pump
and handled count) become keys of the JSON object, or `key=value` pairs after a plain line.
"""

import json
import logging
from datetime import UTC, datetime
from typing import Any

from consentry.config import Config

# The attributes every LogRecord has; anything else on a record came from `extra`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's coloured copy of the message
    "taskName",
}


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
            **_extra(record),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        extra = " ".join(f"{k}={v}" for k, v in _extra(record).items())
        return f"{text} [{extra}]" if extra else text


def logging_config(config: Config) -> dict[str, Any]:
    """A `logging.config.dictConfig` for our loggers and uvicorn's (also given to uvicorn,
    which applies it in every worker process)."""
    formatter = "json" if config.json_logs else "plain"
    level = config.log_level.upper()
    handler = {
        "class": "logging.StreamHandler",
        "formatter": formatter,
        "stream": "ext://sys.stderr",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {"()": "consentry.logs.JsonFormatter"},
            "plain": {"()": "consentry.logs.PlainFormatter"},
        },
        "handlers": {"default": handler},
        "loggers": {
            "consentry": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            # Our request log replaces the access log: it has the route, never a raw path.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
