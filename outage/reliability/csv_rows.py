"""Rows of the CSV files the reliability reports read, with their line numbers.

Whatever is wrong with a file (bytes that are not UTF-8, a quote never closed, a field
too long) comes back as a `FormatError` naming the file and line, never as a bare
`csv.Error` or a decode error with a byte offset.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from outage.reliability.errors import FormatError

# A large outage's customer_ids column holds tens of thousands of ids: the csv module's
# default of 131,072 characters a field would refuse a 20,000-customer outage.
FIELD_LIMIT = 2**31 - 1


def csv_rows(path: str | Path) -> Iterator[tuple[int, list[str]]]:
    """Each row of the CSV file at `path` with its line number (its last line, when a
    quoted field runs over several)."""
    source = Path(path).name
    csv.field_size_limit(FIELD_LIMIT)
    with open(path, "rb") as handle:
        lines = _decoded(handle, source)
        reader = csv.reader(lines)
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise FormatError(f"{source} line {reader.line_num}: {error}") from None
            yield reader.line_num, row


def csv_table(path: str | Path) -> tuple[list[str] | None, Iterator[tuple[int, list[str]]]]:
    """The header row of the CSV file at `path` (None when the file has no row) and its
    other rows with their line numbers (`csv_rows`)."""
    rows = csv_rows(path)
    first = next(rows, None)
    return (None if first is None else first[1]), rows


def _decoded(handle: Iterator[bytes], source: str) -> Iterator[str]:
    """The file's lines as text, one at a time, so a byte that is not UTF-8 is named by
    its line. Lines end in LF, CRLF or a lone CR (an old spreadsheet's CSV)."""
    number = 0
    for chunk in handle:
        for raw in chunk.splitlines(keepends=True):
            number += 1
            try:
                # utf-8-sig on line 1: spreadsheets begin their CSV with a byte-order mark.
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                raise FormatError(f"{source} line {number}: not UTF-8 text "
                                  f"(byte {error.start + 1} of the line); save the file "
                                  f"as UTF-8") from None
