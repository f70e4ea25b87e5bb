"""Interruption records, OUTAGES.csv reading and validation: bad input names line and field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from outage.reliability import (
    Feeder,
    FormatError,
    Interruption,
    OutsidePeriodError,
    OverlapError,
    RecordError,
    Territory,
    UnknownFeederError,
    parse_period,
    read_feeders,
    read_outages,
    validate_interruptions,
)
from outage.reliability.records import compress_customer_ids, expand_customer_ids

DATA = Path(__file__).resolve().parent / "data"
T0 = datetime(2025, 3, 1, tzinfo=UTC)
DAY = parse_period("2025-03-01/2025-03-02")
TINY = Territory.of_feeders((Feeder("breaker.fdr_a1", 5), Feeder("breaker.fdr_a2", 5)))


def check(name: str, territory: Territory = TINY) -> None:
    """Read and validate one data file for the tiny territory over one day."""
    table = read_outages(DATA / name)
    validate_interruptions(table.records, territory, DAY, locate=table.where)


def test_tiny_file_reads_with_flags_ids_and_lines() -> None:
    """The tiny file gives 7 records with flags, expanded ids and their CSV lines."""
    table = read_outages(DATA / "tiny_outages.csv")
    assert len(table.records) == 7 and table.lines[0] == 2
    first = table.records[0]
    assert first.customer_ids == ("c01", "c02", "c03") and first.feeder == "breaker.fdr_a1"
    assert table.records[3].momentary and table.records[6].planned
    check("tiny_outages.csv")


def test_end_before_start_names_line_and_field() -> None:
    """End before start is an error at line 3, field 'end'."""
    with pytest.raises(RecordError, match=r"line 3, field 'end': end .* is before start"):
        read_outages(DATA / "bad_end_before_start.csv")


def test_overlapping_records_for_one_customer() -> None:
    """c02 in two overlapping records is an OverlapError naming both lines."""
    with pytest.raises(OverlapError, match=r"line 3.*customer 'c02'.*line 2"):
        check("bad_overlap.csv")


def test_overlap_without_ids_caught_by_customers_out_at_once() -> None:
    """Without ids, 4 + 2 customers out at once on a 5-customer feeder is an overlap."""
    with pytest.raises(OverlapError, match=r"line 3 \(id B\), field 'start': .*6 customers out"):
        check("bad_too_many_at_once.csv")


def test_customers_exceeding_customers_served() -> None:
    """6 customers on a feeder serving 5 names line 2 and the customers field."""
    with pytest.raises(RecordError, match=r"line 2 \(id A\), field 'customers': 6 customers"):
        check("bad_customers.csv")


def test_unknown_feeder() -> None:
    """An unknown feeder names line 3 and the feeder field."""
    with pytest.raises(UnknownFeederError, match=r"line 3 .*field 'feeder'.*fdr_zz"):
        check("bad_feeder.csv")


def test_record_outside_the_period_is_not_clipped() -> None:
    """A record ending after the period is an error at its line and 'end' field."""
    with pytest.raises(OutsidePeriodError, match=r"line 3 .*field 'end'"):
        check("bad_outside_period.csv", Territory(10))


@pytest.mark.parametrize(("name", "pattern"), [
    ("bad_no_zone.csv", r"line 2, field 'start': .* no time zone"),
    ("bad_header.csv", r"line 1: header .*missing \['start'\].*unknown \['strat'\]"),
    ("bad_momentary_flag.csv", r"line 2, field 'momentary': .*lasts 5.01667 min"),
])
def test_malformed_files(name: str, pattern: str) -> None:
    """Malformed files raise ValueErrors naming the line and field."""
    with pytest.raises(ValueError, match=pattern):
        read_outages(DATA / name)


def test_interruption_rejects_naive_times_and_bad_counts() -> None:
    """Naive datetimes, zero customers and mismatched id lists are rejected."""
    with pytest.raises(RecordError, match="field 'start'"):
        Interruption(datetime(2025, 1, 1), T0, 1)
    with pytest.raises(RecordError, match="field 'customers'"):
        Interruption(T0, T0, 0)
    with pytest.raises(RecordError, match="field 'customer_ids'"):
        Interruption(T0, T0, 2, customer_ids=("a",))


def test_touching_records_are_not_an_overlap() -> None:
    """A customer restored and re-interrupted at the same instant is two interruptions."""
    first = Interruption(T0, T0 + timedelta(hours=1), 1, customer_ids=("c1",))
    second = Interruption(T0 + timedelta(hours=1), T0 + timedelta(hours=2), 1,
                          customer_ids=("c1",))
    validate_interruptions([first, second], Territory(1), DAY)


def test_distinct_customers_cannot_exceed_customers_served() -> None:
    """Three distinct customers interrupted in a territory of two is an error."""
    records = [Interruption(T0, T0 + timedelta(hours=1), 2, customer_ids=("a", "b")),
               Interruption(T0 + timedelta(hours=2), T0 + timedelta(hours=3), 1,
                            customer_ids=("c",))]
    with pytest.raises(RecordError, match="3 distinct customers"):
        validate_interruptions(records, Territory(2), DAY)


def test_period_parsing() -> None:
    """Dates are midnight in the zone; END is exclusive; bad periods are FormatErrors."""
    assert DAY.minutes == 1440
    with pytest.raises(FormatError):
        parse_period("2025-03-02/2025-03-01")
    with pytest.raises(FormatError):
        parse_period("2025-03-01")


@given(st.lists(st.integers(0, 300), unique=True, max_size=40))
def test_customer_id_ranges_round_trip(numbers: list[int]) -> None:
    """compress_customer_ids and expand_customer_ids are inverse on numbered ids."""
    ids = tuple(f"c{n:04d}" for n in sorted(numbers))
    assert expand_customer_ids(compress_customer_ids(ids)) == ids


def test_a_large_outage_listing_its_customers_one_by_one_is_read(tmp_path: Path) -> None:
    """20,000 scattered customer ids (some 240,000 characters, beyond the csv module's
    default field limit) in one record, from a spreadsheet that begins with a byte-order
    mark."""
    ids = [f"cust.{n:07d}" for n in range(0, 40_000, 2)]
    path = tmp_path / "outages.csv"
    path.write_text("\ufeffid,start,end,customers,customer_ids\n"
                    f"o1,2025-03-01T10:00:00Z,2025-03-01T12:00:00Z,{len(ids)},{' '.join(ids)}\n",
                    encoding="utf-8")
    table = read_outages(path)
    assert table.records[0].customer_ids == tuple(ids) and table.lines == (2,)


@pytest.mark.parametrize(("content", "pattern"), [
    (b"id,start,end,customers\no1,2025-03-01T10:00:00Z,2025-03-01T12:00:00Z,3\n"
     b"o2,2025-03-01T10:00:00Z,2025-03-01T12:00:00Z,\xe93\n",
     r"outages.csv line 3: not UTF-8 text \(byte 46 of the line\)"),
    (b"id,start,end,customers\no1,2025-03-01T10:00:00Z,2025-03-01T12:00:00Z,3\n"
     b'o2,"2025-03-01T10:00:00Z,2025-03-01T12:00:00Z,3\n',
     r"outages.csv line 3: 2 fields, the header has 4"),
    (b"id,start,end,customers\no1,2025-03-01T10:00:00Z,2025-03-01T12:00:00Z,3\n"
     b'o2,2025-03-01T10:00:00Z,2025-03-01T12:00:00Z,"3"x"\n',
     r"outages.csv line 3, field 'customers': '3x\"' is not a whole number"),
])
def test_a_file_that_is_not_utf8_csv_names_the_line(tmp_path: Path, content: bytes,
                                                    pattern: str) -> None:
    """A byte that is not UTF-8 (a Latin-1 export), a quote never closed or a stray one
    is an error naming the file and line, not a decoding or csv error."""
    path = tmp_path / "outages.csv"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=pattern):
        read_outages(path)


def test_a_file_with_old_mac_line_ends_is_read(tmp_path: Path) -> None:
    """Lines ending in a lone carriage return (an old spreadsheet's CSV) are lines."""
    path = tmp_path / "outages.csv"
    path.write_bytes(b"id,start,end,customers\ro1,2025-03-01T10:00:00Z,2025-03-01T12:00:00Z,3"
                     b"\ro2,2025-03-01T10:00:00Z,2025-03-01T11:00:00Z,2\r")
    table = read_outages(path)
    assert [r.customers for r in table.records] == [3, 2] and table.lines == (2, 3)


def test_a_feeders_file_from_a_spreadsheet_reads_short_rows_and_names_bad_ones(
        tmp_path: Path) -> None:
    """A byte-order mark, a row that leaves the optional columns off (read as empty),
    and a row whose customer count is not a number (named by its line)."""
    path = tmp_path / "feeders.csv"
    path.write_text("\ufefffeeder,customers,substation,region\nf1,100\nf2,50,s1,r1\n",
                    encoding="utf-8")
    assert [(f.name, f.customers, f.substation) for f in read_feeders(path)] == [
        ("f1", 100, ""), ("f2", 50, "s1")]
    path.write_text("feeder,customers\nf1,100\nf2,many\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"feeders\.csv line 3"):
        read_feeders(path)
