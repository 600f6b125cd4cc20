"""Reading an uploaded address list: a CSV, one address per line, or JSON `{"addresses": [...]}`.

The body is spooled to a temporary file first (in memory up to a few MB, on disk beyond), then
read back lazily, so a list of millions of lines never sits in memory. Reading it all before
answering also keeps clients that write their whole body before reading the answer from
deadlocking against a streamed answer.
"""

import csv
import io
import json
import tempfile
from collections.abc import Iterator
from typing import IO

from fastapi import Request

from consentry.api.errors import ApiError
from consentry.domain import InvalidInput

MAX_UPLOAD_BYTES = 512 * 1024 * 1024
_IN_MEMORY_BYTES = 4 * 1024 * 1024
# A CSV's first row is a header when one of its cells is one of these (case-insensitive).
HEADER_NAMES = frozenset(
    {"email", "email address", "e-mail", "address", "phone", "phone number", "mobile", "number"}
)


async def spool(request: Request) -> IO[bytes]:
    """The request body in a temporary file, rewound; 413 beyond `MAX_UPLOAD_BYTES`."""
    spooled = tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY_BYTES)  # noqa: SIM115
    size = 0
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                raise ApiError(
                    413,
                    "PAYLOAD_TOO_LARGE",
                    f"The list is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB; split it.",
                )
            spooled.write(chunk)
    except BaseException:  # the body limit, a client gone: the file must not outlive it
        spooled.close()
        raise
    spooled.seek(0)
    return spooled


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def addresses(body: IO[bytes], media: str) -> Iterator[str]:
    """The addresses of the upload, in order. JSON is parsed (and refused) at once; text is
    read as it is consumed."""
    if media == "application/json" or media.endswith("+json"):
        return iter(_json_addresses(body))
    if media == "text/csv":
        return _csv_addresses(_text(body, newline=""))
    if media in ("", "text/plain", "application/octet-stream"):
        return _line_addresses(_text(body, newline=None))
    raise ApiError(
        415,
        "VALIDATION_ERROR",
        f"Unsupported content type {media!r}: send text/csv, text/plain (one address per line)"
        ' or application/json ({"addresses": [...]}).',
    )


def _text(body: IO[bytes], newline: str | None) -> IO[str]:
    # Undecodable bytes become U+FFFD: that line answers INVALID_ADDRESS instead of
    # breaking the stream halfway.
    return io.TextIOWrapper(body, encoding="utf-8-sig", errors="replace", newline=newline)


def _json_addresses(body: IO[bytes]) -> list[str]:
    try:
        document = json.load(io.TextIOWrapper(body, encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):  # RecursionError: nested
        raise InvalidInput(
            "Invalid input JSON: the body is not well-formed JSON.", field="body"
        ) from None
    found = document.get("addresses") if isinstance(document, dict) else None
    if not isinstance(found, list) or not all(isinstance(a, str) for a in found):
        raise InvalidInput(
            'addresses: send {"addresses": ["a@example.com", ...]}, a list of strings.',
            field="addresses",
        )
    return found


def _line_addresses(text: IO[str]) -> Iterator[str]:
    for line in text:
        address = line.strip()
        if address:
            yield address


def _csv_addresses(text: IO[str]) -> Iterator[str]:
    rows: Iterator[list[str]] = csv.reader(text)
    first = next(rows, None)
    if first is None:
        return
    names = [cell.strip().lower() for cell in first]
    column = next((i for i, name in enumerate(names) if name in HEADER_NAMES), None)
    if column is None:
        column = 0
        rows = _chain_first(first, rows)
    for row in rows:
        address = row[column].strip() if column < len(row) else ""
        if address:
            yield address


def _chain_first(first: list[str], rest: Iterator[list[str]]) -> Iterator[list[str]]:
    yield first
    yield from rest
