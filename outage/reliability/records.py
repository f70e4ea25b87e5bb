"""Interruption records, reporting periods, and reading ``OUTAGES.csv``.

An :class:`Interruption` is one interruption of one customer or of a group of customers
restored together: partial and nested restorations are several records sharing an
``outage_id``, each with its own end, so every customer keeps its own duration.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path

from outage.reliability.csv_rows import csv_table
from outage.reliability.errors import FormatError, RecordError

#: IEEE 1366: an interruption lasting at most this long is momentary; longer is sustained.
MOMENTARY_LIMIT = timedelta(minutes=5)

OUTAGE_COLUMNS = ("id", "start", "end", "customers")
OPTIONAL_COLUMNS = ("feeder", "momentary", "planned", "customer_ids")
_TRUE = frozenset({"1", "true", "yes", "y", "t"})
_FALSE = frozenset({"", "0", "false", "no", "n", "f"})
_RANGE = re.compile(r"^(?P<prefix>.*?)(?P<first>\d+)\.\.(?P=prefix)(?P<last>\d+)$")


def utc(moment: datetime) -> datetime:
    """Return ``moment`` in UTC (durations are always taken between UTC instants)."""
    return moment.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Interruption:
    """One interruption of ``customers`` customers (restored together) from start to end.

    ``momentary`` is normalised from the duration: at most 5 minutes is momentary, longer
    is sustained; claiming momentary for a longer record is an error. ``customer_ids``
    (optional) names the customers, which CAIFI, CEMI_n and CELID need.
    """

    start: datetime
    end: datetime
    customers: int
    feeder: str | None = None
    momentary: bool = False
    planned: bool = False
    outage_id: str = ""
    customer_ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            moment = getattr(self, name)
            if not isinstance(moment, datetime) or moment.utcoffset() is None:
                raise RecordError(f"{moment!r} is not a datetime with a time zone", field=name)
        if utc(self.end) < utc(self.start):
            raise RecordError(f"end {self.end.isoformat()} is before start "
                              f"{self.start.isoformat()}", field="end")
        if isinstance(self.customers, bool) or not isinstance(self.customers, int) \
                or self.customers < 1:
            raise RecordError(f"{self.customers!r} is not a positive whole number",
                              field="customers")
        self._check_ids()
        short = self.duration <= MOMENTARY_LIMIT
        if self.momentary and not short:
            raise RecordError(f"flagged momentary but lasts {self.minutes:g} min (> 5 min)",
                              field="momentary")
        object.__setattr__(self, "momentary", short)

    def _check_ids(self) -> None:
        if self.customer_ids is None:
            return
        ids = self.customer_ids
        if len(ids) != self.customers:
            raise RecordError(f"{len(ids)} ids for {self.customers} customers",
                              field="customer_ids")
        if len(set(ids)) != len(ids):
            raise RecordError("a customer id is listed twice", field="customer_ids")

    @property
    def duration(self) -> timedelta:
        """Elapsed time from start to end (UTC, so DST changes do not distort it)."""
        return utc(self.end) - utc(self.start)

    @property
    def minutes(self) -> float:
        """Duration in minutes."""
        return self.duration / timedelta(minutes=1)

    @property
    def sustained(self) -> bool:
        """True when the interruption lasts more than 5 minutes."""
        return not self.momentary

    @property
    def customer_minutes(self) -> float:
        """Customer-minutes interrupted, r_i × N_i."""
        return self.minutes * self.customers


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period ``[start, end)`` between two zone-aware instants."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        if self.start.utcoffset() is None or self.end.utcoffset() is None:
            raise FormatError("period start and end need a time zone")
        if utc(self.end) <= utc(self.start):
            raise FormatError(f"period end {self.end.isoformat()} is not after its start "
                              f"{self.start.isoformat()}")

    @property
    def minutes(self) -> float:
        """Length of the period in minutes."""
        return (utc(self.end) - utc(self.start)) / timedelta(minutes=1)

    def contains(self, record: Interruption) -> bool:
        """True when the record lies entirely inside the period."""
        return utc(self.start) <= utc(record.start) and utc(record.end) <= utc(self.end)

    def __str__(self) -> str:
        return f"{self.start.isoformat()}/{self.end.isoformat()}"


def parse_instant(text: str, tz: tzinfo | None = None, *, field: str = "time") -> datetime:
    """Parse an ISO datetime that carries its zone; with ``tz``, a date means midnight there."""
    text = text.strip()
    try:
        if tz is not None and len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(), tzinfo=tz)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(f"{text!r} is not an ISO 8601 date or time", field=field) from None
    if moment.utcoffset() is None:
        raise RecordError(f"{text!r} has no time zone (add Z or +hh:mm)", field=field)
    return moment


def parse_period(text: str, tz: tzinfo = UTC) -> Period:
    """Parse ``START/END`` (end exclusive); dates mean midnight in ``tz``."""
    parts = text.split("/")
    if len(parts) != 2:
        raise FormatError(f"period {text!r} is not START/END")
    try:
        return Period(parse_instant(parts[0], tz), parse_instant(parts[1], tz))
    except RecordError as error:
        raise FormatError(f"period {text!r}: {error.reason}") from None


def expand_customer_ids(text: str) -> tuple[str, ...]:
    """Expand space-separated ids; ``c0001..c0150`` is a range with one prefix and width."""
    ids: list[str] = []
    for item in text.split():
        match = _RANGE.match(item)
        if match is None:
            ids.append(item)
            continue
        prefix, first, last = match["prefix"], match["first"], match["last"]
        if len(first) != len(last) or int(last) < int(first):
            raise RecordError(f"{item!r} is not a range of equal-width rising numbers",
                              field="customer_ids")
        ids.extend(f"{prefix}{n:0{len(first)}d}" for n in range(int(first), int(last) + 1))
    return tuple(ids)


def compress_customer_ids(ids: Iterable[str]) -> str:
    """Inverse of :func:`expand_customer_ids`: consecutive numbered ids become ranges."""
    items: list[str] = []
    run: list[tuple[str, int, int]] = []  # (prefix, number, width) of the current run
    for cid in ids:
        match = re.match(r"^(.*?)(\d+)$", cid)
        key = (match[1], int(match[2]), len(match[2])) if match else None
        if key and run and key[0] == run[-1][0] and key[2] == run[-1][2] \
                and key[1] == run[-1][1] + 1:
            run.append(key)
            continue
        items.extend(_flush(run))
        run = [key] if key else []
        if key is None:
            items.append(cid)
    items.extend(_flush(run))
    return " ".join(items)


def _flush(run: list[tuple[str, int, int]]) -> Iterator[str]:
    names = [f"{p}{n:0{w}d}" for p, n, w in run]
    if len(names) > 2:
        yield f"{names[0]}..{names[-1]}"
    else:
        yield from names


def parse_flag(text: str, field: str) -> bool:
    """Parse a yes/no column (empty means no)."""
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RecordError(f"{text!r} is not a yes/no value", field=field)


@dataclass(frozen=True, slots=True)
class OutageTable:
    """Records read from a CSV file, with the line each came from (for error messages)."""

    records: tuple[Interruption, ...]
    lines: tuple[int, ...]
    source: str

    def where(self, index: int) -> str:
        """Name record ``index`` as ``FILE line N (id X)``."""
        record = self.records[index]
        return f"{self.source} line {self.lines[index]} (id {record.outage_id})"


def read_outages(path: str | Path, *, progress: Callable[[Iterable[tuple[int, list[str]]]],
                 Iterable[tuple[int, list[str]]]] | None = None) -> OutageTable:
    """Read ``OUTAGES.csv``: ``id,start,end,customers[,feeder][,momentary][,planned]
    [,customer_ids]``; errors name the CSV line and field."""
    source = Path(path).name
    first, reader = csv_table(path)
    header = _read_header(first, source)
    records: list[Interruption] = []
    lines: list[int] = []
    for line, row in progress(reader) if progress else reader:
        if not any(cell.strip() for cell in row):
            continue
        records.append(_parse_row(header, row, f"{source} line {line}"))
        lines.append(line)
    return OutageTable(tuple(records), tuple(lines), source)


def _read_header(row: Sequence[str] | None, source: str) -> tuple[str, ...]:
    if row is None:
        raise FormatError(f"{source} is empty; expected a header {','.join(OUTAGE_COLUMNS)}")
    header = tuple(cell.strip().lower() for cell in row)
    missing = [c for c in OUTAGE_COLUMNS if c not in header]
    unknown = [c for c in header if c not in OUTAGE_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        raise FormatError(f"{source} line 1: header {','.join(header)!r} "
                          f"(missing {missing}, unknown {unknown}); expected "
                          f"{','.join(OUTAGE_COLUMNS)}[,{'][,'.join(OPTIONAL_COLUMNS)}]")
    return header


def _parse_row(header: tuple[str, ...], row: list[str], where: str) -> Interruption:
    if len(row) != len(header):
        raise FormatError(f"{where}: {len(row)} fields, the header has {len(header)}")
    cells = dict(zip(header, row, strict=True))
    try:
        ids_text = cells.get("customer_ids", "").strip()
        return Interruption(
            start=parse_instant(cells["start"], field="start"),
            end=parse_instant(cells["end"], field="end"),
            customers=_parse_count(cells["customers"]),
            feeder=cells.get("feeder", "").strip() or None,
            momentary=parse_flag(cells.get("momentary", ""), "momentary"),
            planned=parse_flag(cells.get("planned", ""), "planned"),
            outage_id=cells["id"].strip(),
            customer_ids=expand_customer_ids(ids_text) if ids_text else None,
        )
    except RecordError as error:
        raise error.at(where) from None


def _parse_count(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise RecordError(f"{text!r} is not a whole number", field="customers") from None
