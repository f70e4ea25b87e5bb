"""Event validation: every refusal names the field and the reason."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gis import Network
from outage.engine import OutageEngine
from outage.errors import EventError
from outage.events import (
    Call,
    Channel,
    DeviceOperation,
    Hazard,
    MeterReading,
    Noted,
    Rejected,
    event_to_json,
    parse_event,
    read_jsonl,
)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"type": "call", "time": "2026-07-01T14:03:00", "customer_id": "x"}, "no time zone"),
        ({"type": "call", "time": "yesterday", "customer_id": "x"}, "not an ISO 8601 time"),
        ({"type": "call", "time": "2026-07-01T14:03:00Z"}, "customer_id, location, or both"),
        ({"type": "call", "time": "2026-07-01T14:03:00Z", "customer_id": "x",
          "channel": 42}, "channel must be a non-empty string"),
        ({"type": "device", "time": "2026-07-01T14:03:00Z", "device_id": "f",
          "state": "closed", "source": ""}, "source must be scada or crew"),
        ({"type": "call", "time": "2026-07-01T14:03:00Z", "location": {"lon": "w"}},
         "location needs lon and lat"),
        ({"type": "meter", "time": "2026-07-01T14:03:00Z", "customer_id": "x",
          "state": "dim"}, "state must be off or on"),
        ({"type": "device", "time": "2026-07-01T14:03:00Z", "state": "open"},
         "device_id must be a non-empty string"),
        ({"type": "dispatcher", "time": "2026-07-01T14:03:00Z", "action": "merge",
          "outage_id": "O1"}, "merge needs target"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_bad_events_are_refused_with_the_field(data: object, reason: str) -> None:
    """Each malformed event raises EventError saying which field is wrong."""
    with pytest.raises(EventError, match=reason):
        parse_event(data)


def test_round_trip_through_json() -> None:
    """event_to_json is the inverse of parse_event for every kind of event."""
    samples = [
        {"type": "call", "time": "2026-07-01T14:03:00+00:00", "customer_id": "c1",
         "channel": "sms", "hazard": "wire_down", "text": "sparks"},
        {"type": "call", "time": "2026-07-01T14:03:00+02:00", "channel": "web",
         "location": {"lon": 8.1, "lat": 48.9}},
        {"type": "meter", "time": "2026-07-01T14:03:00+00:00", "customer_id": "c1",
         "state": "off"},
        {"type": "device", "time": "2026-07-01T14:03:00+00:00", "device_id": "fuse.f1",
         "state": "closed", "source": "crew"},
    ]
    for data in samples:
        event = parse_event(data)
        assert parse_event(event_to_json(event)) == event


def test_jsonl_lines_are_numbered_and_bad_ones_kept(tmp_path: Path) -> None:
    """A JSON Lines file yields events and rejections with their line numbers."""
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"type":"meter","time":"2026-07-01T14:03:00Z","customer_id":"c","state":"off"}\n'
        "\n{oops\n"
        '{"type":"solar_flare","time":"2026-07-01T14:03:00Z"}\n'
    )
    items = list(read_jsonl(path))
    assert [n for n, _ in items] == [1, 3, 4]
    assert isinstance(items[1][1], Rejected) and "not valid JSON" in items[1][1].reason
    assert isinstance(items[2][1], Rejected) and "unknown event type" in items[2][1].reason


HOSTILE_LINES = [
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ('{"type":"call","time":"2026-07-01T14:03:00Z","customer_id":"c","n":' + "1" * 5000 + "}",
     "4300 digits"),
]


@pytest.mark.parametrize(("line", "reason"), HOSTILE_LINES)
def test_a_hostile_line_is_rejected_with_its_reason_and_the_rest_read(
        tmp_path: Path, line: str, reason: str) -> None:
    """JSON that would crash a bare parser (nested a hundred thousand deep, a number of
    5,000 digits) is one rejected line; the lines around it are read."""
    good = '{"type":"meter","time":"2026-07-01T14:03:00Z","customer_id":"c","state":"off"}'
    path = tmp_path / "events.jsonl"
    path.write_text(f"{good}\n{line}\n{good}\n")
    items = list(read_jsonl(path))
    assert [n for n, _ in items] == [1, 2, 3]
    assert isinstance(items[1][1], Rejected) and reason in items[1][1].reason
    assert not isinstance(items[0][1], Rejected) and not isinstance(items[2][1], Rejected)


def test_labels_are_read_without_case_or_spelling_of_separators() -> None:
    """"IVR", "Wire-Down", "OFF", "Closed", "Call": the same labels, not errors."""
    call = parse_event({"type": "Call", "time": "2026-07-01T14:03:00Z", "customer_id": "c",
                        "channel": " IVR ", "hazard": "Wire-Down"})
    assert isinstance(call, Call)
    assert (call.channel, call.hazard) == (Channel.IVR, Hazard.WIRE_DOWN)
    assert call.channel_label == call.hazard_label == ""
    meter = parse_event({"type": "meter", "time": "2026-07-01T14:03:00Z", "customer_id": "c",
                         "state": "OFF"})
    assert isinstance(meter, MeterReading) and not meter.on
    device = parse_event({"type": "device", "time": "2026-07-01T14:03:00Z", "device_id": "f",
                          "state": "Closed", "source": "SCADA"})
    assert isinstance(device, DeviceOperation)
    assert (device.open, device.source) == (False, "scada")


def test_times_in_rfc_3339_s_lower_case_are_times() -> None:
    """RFC 3339 allows "t" and "z" in lower case ("2026-07-01t14:03:00z"); such a line was
    refused as "not an ISO 8601 time"."""
    for spelt in ("2026-07-01t14:03:00z", "2026-07-01T14:03:00z", "2026-07-01 14:03:00Z"):
        call = parse_event({"type": "call", "time": spelt, "customer_id": "c"})
        assert call.time == datetime(2026, 7, 1, 14, 3, tzinfo=UTC), spelt


def test_a_report_is_never_lost_over_an_unknown_label() -> None:
    """An unknown channel or hazard is kept as "other" with a note, and the log keeps
    the label as it arrived; an unknown device source counts as a crew's."""
    notes: list[str] = []
    data = {"type": "call", "time": "2026-07-01T14:03:00Z", "customer_id": "c",
            "channel": "chatbot", "hazard": "tree_on_line"}
    call = parse_event(data, notes)
    assert isinstance(call, Call)
    assert (call.channel, call.hazard) == (Channel.OTHER, Hazard.OTHER)
    assert len(notes) == 2 and any("'chatbot'" in n and "taken as other" in n for n in notes)
    logged = event_to_json(call)
    assert (logged["channel"], logged["hazard"]) == ("chatbot", "tree_on_line")
    assert parse_event(logged) == call  # the fold reads the log the same way
    notes.clear()
    device = parse_event({"type": "device", "time": "2026-07-01T14:03:00Z", "device_id": "f",
                          "state": "open", "source": "dms"}, notes)
    assert isinstance(device, DeviceOperation) and device.source == "crew"
    assert event_to_json(device)["source"] == "dms" and "taken as crew" in notes[0]


def test_jsonl_with_a_byte_order_mark_and_notes(tmp_path: Path) -> None:
    """A BOM (as Windows tools write) is not part of line 1; notes follow their event."""
    path = tmp_path / "events.jsonl"
    path.write_bytes(
        b'\xef\xbb\xbf{"type":"call","time":"2026-07-01T14:03:00Z","customer_id":"c",'
        b'"channel":"phone"}\r\n'
    )
    items = list(read_jsonl(path))
    assert isinstance(items[0][1], Call)
    assert isinstance(items[1][1], Noted) and items[1][0] == 1


def test_ids_spelt_differently_are_taken_with_a_note(feeder: Network) -> None:
    """`A1.1` for `a1.1`, `A` for the fuse on `line.a`: one possible meaning is taken,
    with a note; `A1` could name the line or the transformer, and is refused naming both."""
    engine = OutageEngine(feeder)
    notes: list[str] = []
    call = engine.check(parse_event({"type": "call", "time": "2026-07-01T14:03:00Z",
                                     "customer_id": "A1.1"}), notes)
    assert isinstance(call, Call) and call.customer_id == "a1.1"
    assert notes == ["customer_id 'A1.1' taken as 'a1.1'"]
    device = engine.check(parse_event({"type": "device", "time": "2026-07-01T14:03:00Z",
                                       "device_id": "A", "state": "open"}), notes)
    assert isinstance(device, DeviceOperation) and device.device_id == "fuse.a"
    with pytest.raises(EventError, match=r"could be 'line\.a1', 'transformer\.a1'"):
        engine.check(parse_event({"type": "device", "time": "2026-07-01T14:03:00Z",
                                  "device_id": "A1", "state": "open"}))
    engine.apply(call)  # the engine takes the event as the network spells it
    assert len(engine.outages()) == 1


def test_ids_written_as_json_numbers_are_taken_as_their_digits() -> None:
    """A system that numbers its customers and devices writes ``"customer_id": 1017``:
    the report is kept, under the id ``"1017"``, with a note; a boolean or a fraction
    names nothing and is refused."""
    notes: list[str] = []
    when = "2026-07-01T14:03:00Z"
    call = parse_event({"type": "call", "time": when, "customer_id": 1017}, notes)
    meter = parse_event({"type": "meter", "time": when, "customer_id": 1018,
                         "state": "off"}, notes)
    device = parse_event({"type": "device", "time": when, "device_id": 7, "state": "open"},
                         notes)
    assert isinstance(call, Call) and call.customer_id == "1017"
    assert isinstance(meter, MeterReading) and meter.customer_id == "1018"
    assert isinstance(device, DeviceOperation) and device.device_id == "7"
    assert notes == ["customer_id 1017 is a number: taken as '1017'",
                     "customer_id 1018 is a number: taken as '1018'",
                     "device_id 7 is a number: taken as '7'"]
    assert event_to_json(call)["customer_id"] == "1017"  # logged as the id it was taken as
    for odd in (True, 1017.5):
        with pytest.raises(EventError, match="customer_id must be a non-empty string"):
            parse_event({"type": "call", "time": when, "customer_id": odd})
