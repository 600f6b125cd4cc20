"""Reading import files as a stream of records with their line numbers: CSV in any of the
encodings users' tools write (UTF-8, UTF-8 with BOM, UTF-16, Latin-1/Windows-1252 — detected,
or chosen), with the delimiter sniffed, quoted newlines kept; or the first sheet of an XLSX.

Nothing is loaded whole: the reader holds one record at a time, so memory stays flat however
long the file is.
"""

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes

from consentry.domain import InvalidInput
from consentry.domain.imports import is_blank
from consentry.services.jobs import Chunk

_SAMPLE = 64 * 1024
_DELIMITERS = ",;\t|"
csv.field_size_limit(1 << 24)


@dataclass(frozen=True)
class FileFormat:
    """How to read a file: "xlsx", or CSV with its encoding and delimiter."""

    kind: str  # "csv" or "xlsx"
    encoding: str = "utf-8"
    delimiter: str = ","

    def as_params(self) -> dict[str, str]:
        return {"kind": self.kind, "encoding": self.encoding, "delimiter": self.delimiter}

    @staticmethod
    def from_params(raw: dict[str, Any]) -> "FileFormat":
        return FileFormat(raw["kind"], raw["encoding"], raw["delimiter"])


@dataclass(frozen=True)
class Record:
    line: int  # the line the record starts on (1 is the header)
    cells: list[str]


def detect(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> FileFormat:
    """The file's format: XLSX by its signature, else CSV with the encoding and delimiter given
    or detected (a byte-order mark, else strict UTF-8 over the whole file, else a guess)."""
    with path.open("rb") as source:
        head = source.read(_SAMPLE)
    if head.startswith(b"PK\x03\x04"):
        return FileFormat("xlsx")
    chosen = encoding or _encoding(path, head)
    try:
        b"a".decode(chosen)  # a text encoding, not a transform such as rot13 or zlib
    except UnicodeDecodeError:
        pass  # a text encoding that needs more than one byte
    # Unknown (LookupError; ValueError for a name holding a NUL), or one that decodes nothing
    # ("undefined").
    except (LookupError, UnicodeError, ValueError):
        raise InvalidInput(f"Unknown text encoding {chosen!r}.", field="encoding") from None
    if delimiter is not None and len(delimiter) != 1:
        raise InvalidInput("The delimiter must be one character.", field="delimiter")
    text = head.decode(chosen, errors="replace")
    return FileFormat("csv", chosen, delimiter or _delimiter(text))


def _encoding(path: Path, head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _is_utf8(path):
        return "utf-8"
    guess = from_bytes(head).best()
    if guess is None or guess.encoding in ("utf_8", "ascii"):
        return "cp1252"
    # Latin-1 files are nearly always Windows-1252 (curly quotes, euro sign) in practice.
    return "cp1252" if guess.encoding in ("latin_1", "iso8859_1") else guess.encoding


def _is_utf8(path: Path) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as source:
        try:
            while block := source.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def records(path: Path, fmt: FileFormat) -> Iterator[Record]:
    """Every record of the file, the header first (line 1)."""
    if fmt.kind == "xlsx":
        yield from _xlsx_records(path)
        return
    try:
        with path.open(encoding=fmt.encoding, newline="") as source:
            reader = csv.reader(source, delimiter=fmt.delimiter)
            previous_end = 0
            for cells in reader:
                yield Record(previous_end + 1, cells)
                previous_end = reader.line_num
    except UnicodeDecodeError as error:
        raise InvalidInput(
            f"The file is not valid {fmt.encoding} ({error.reason} at byte {error.start}):"
            " choose its encoding with --encoding.",
            field="encoding",
        ) from None
    except csv.Error as error:
        raise InvalidInput(f"The file cannot be read as CSV: {error}.", field="file") from None


def _xlsx_records(path: Path) -> Iterator[Record]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]  # only XLSX needs it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # a damaged or foreign zip: openpyxl raises many kinds
        raise InvalidInput(
            f"The file cannot be read as XLSX ({type(error).__name__}).", field="file"
        ) from None
    try:
        sheet = workbook.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield Record(number, ["" if value is None else str(value) for value in row])
    finally:
        workbook.close()


def header(path: Path, fmt: FileFormat) -> list[str]:
    for record in records(path, fmt):
        return record.cells
    raise InvalidInput("The file is empty: it has no header row.", field="file")


def next_chunk(records: Iterator[Record], cursor: int, size: int) -> Chunk | None:
    """The next `size` records of a file as a job's chunk (None at the end); `cursor` counts
    the records read before it. Blank lines travel with the chunk but are not rows."""
    batch = list(islice(records, size))
    if not batch:
        return None
    rows = sum(1 for record in batch if not is_blank(record.cells))
    return Chunk(rows=rows, cursor=cursor + len(batch), payload=batch)
