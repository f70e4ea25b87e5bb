"""oms replay: the RESULT.json contract, determinism, and bad lines counted not dropped."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from gis import Network
from gis.io import save_network
from oms.cli import main
from outage.progress import count_lines
from outage.simulate import ScenarioBuilder, ScenarioParams

from .conftest import at, call, meter


@pytest.fixture
def files(feeder: Network, tmp_path: Path) -> tuple[Path, Path]:
    net = tmp_path / "net.gpkg"
    save_network(feeder, net)
    scenario = ScenarioBuilder(feeder).build(
        ScenarioParams(kind="nested", call_rate=0.4, meter_delivery=0.5), seed=3)
    lines = [json.dumps(e) for e in scenario.events]
    lines.insert(2, "{broken")
    lines.insert(4, json.dumps({"type": "call", "time": "2026-07-01T12:00:00Z",
                                "customer_id": "ghost"}))
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(lines) + "\n")
    return net, events


def _replay(net: Path, events: Path, out: Path) -> dict:  # type: ignore[type-arg]
    assert main(["replay", "--network", str(net), "--events", str(events), "--out", str(out)]) == 0
    return json.loads(out.read_text())


def test_result_follows_the_contract(files: tuple[Path, Path], tmp_path: Path) -> None:
    """Every outage has the contract's fields; rejected lines are counted with reasons."""
    result = _replay(*files, tmp_path / "r.json")
    assert result["outages"]
    for outage in result["outages"]:
        assert {"id", "device_id", "status", "customers_out", "customer_ids", "confidence",
                "started", "restored", "explanation"} <= set(outage)
        assert outage["status"] in ("predicted", "confirmed", "restored")
        assert 0 <= outage["confidence"] <= 1
    stats = result["stats"]
    assert stats["rejected"] == 2
    assert {r["line"] for r in stats["rejections"]} == {3, 5}


def test_replay_is_deterministic(files: tuple[Path, Path], tmp_path: Path) -> None:
    """The same log replays to the same outages, byte for byte (bar the timing)."""
    first = _replay(*files, tmp_path / "a.json")
    second = _replay(*files, tmp_path / "b.json")
    assert first["outages"] == second["outages"]


def test_an_archived_gzip_of_the_events_replays_as_the_file_itself(
        files: tuple[Path, Path], tmp_path: Path) -> None:
    """A gzipped event stream (whatever its name) gives the same outages, with the same
    rejected lines, as the plain file."""
    net, events = files
    packed = tmp_path / "events.jsonl.gz"
    packed.write_bytes(gzip.compress(events.read_bytes()))
    plain, archived = _replay(net, events, tmp_path / "a.json"), _replay(net, packed,
                                                                         tmp_path / "b.json")
    assert archived["outages"] == plain["outages"]
    assert archived["stats"]["rejections"] == plain["stats"]["rejections"]
    assert count_lines(packed) == count_lines(events)


def test_missing_events_file_is_a_clear_error(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing events file exits 2 naming it."""
    code = main(["replay", "--network", str(files[0]), "--events", str(tmp_path / "no.jsonl"),
                 "--out", str(tmp_path / "r.json")])
    assert code == 2 and "no.jsonl" in capsys.readouterr().err


def test_a_terminal_sees_the_replay_move_and_a_log_gets_the_summary_only(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Bars for reading and replaying on a terminal; in a pipe or a CI log, the stage lines
    and the summary, with no bar redraws. The result is the same either way."""
    piped = _replay(*files, tmp_path / "piped.json")
    err = capsys.readouterr().err
    assert "reading network" in err and "events applied" in err
    assert "reading events" not in err and "replaying" not in err and "\r" not in err

    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    shown = _replay(*files, tmp_path / "shown.json")
    err = capsys.readouterr().err
    lines = sum(1 for line in files[1].read_text().splitlines() if line.strip())
    assert "reading events" in err and f"0/{lines}" in err
    assert "replaying" in err and "events applied" in err
    assert shown["outages"] == piped["outages"]



def _type_of(line: str) -> int:
    """Sort key of a line in a file made of three exports: calls, meters, devices."""
    try:
        kind = json.loads(line).get("type")
    except (json.JSONDecodeError, AttributeError):
        kind = None
    return {"call": 0, "meter": 1, "device": 2}.get(kind, 3)


def test_a_file_out_of_time_order_replays_as_if_in_order(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    """Calls, then meter messages, then device events (three exports concatenated) give
    the outages of the same events in time order; the lines out of order are noted."""
    net, events = files
    lines = [line for line in events.read_text().splitlines() if line.strip()]
    grouped = tmp_path / "grouped.jsonl"
    grouped.write_text("\n".join(sorted(lines, key=_type_of)) + "\n")  # stable
    in_order = _replay(net, events, tmp_path / "a.json")
    regrouped = _replay(net, grouped, tmp_path / "b.json")

    def found(result: dict) -> list[tuple[str, str | None]]:  # type: ignore[type-arg]
        return sorted((o["device_id"], o["restored"]) for o in result["outages"])

    assert found(regrouped) == found(in_order)
    stats = regrouped["stats"]
    assert stats["out_of_order"] > 0
    assert any("replayed in time order" in n["reason"] for n in stats["notes"])


def test_a_refused_line_puts_nothing_out_of_order(feeder: Network, tmp_path: Path) -> None:
    """A device event for an unknown device dated years ahead is refused; the lines after
    it are in order, and no note says otherwise."""
    events = [call("a1.1", 2),
              {"type": "device", "time": "2099-01-01T00:00:00Z", "device_id": "no-such-fuse",
               "state": "open"},
              call("a1.2", 3), meter("a1.3", 4, "off"), call("a1.1", 1)]
    net, path = tmp_path / "net.gpkg", tmp_path / "events.jsonl"
    save_network(feeder, net)
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    stats = _replay(net, path, tmp_path / "r.json")["stats"]
    assert [r["line"] for r in stats["rejections"]] == [2]
    assert "no-such-fuse" in stats["rejections"][0]["reason"]
    # Only line 5 is early, and against line 4, the latest accepted line above it.
    assert stats["out_of_order"] == 1
    order_notes = [n for n in stats["notes"] if "replayed in time order" in n["reason"]]
    assert [n["line"] for n in order_notes] == [5]
    assert "line 4's" in order_notes[0]["reason"]


def test_a_few_lines_dated_years_away_are_a_clock_gone_wrong(feeder: Network,
                                                             tmp_path: Path) -> None:
    """A meter whose clock the outage reset gasps "1970" (the file's first line), a
    phone's clock says 2000: both refused, with the reason, and every outage starts with
    the storm. Two storms two years apart, each a good share of the file, are history:
    both replayed."""
    storm = ScenarioBuilder(feeder).build(
        ScenarioParams(kind="storm", outages=3, call_rate=0.4, meter_delivery=0.5), seed=5)
    events = [{"type": "meter", "time": "1970-01-01T00:00:00Z", "customer_id": "b3.6",
               "state": "off"}, *storm.events]
    events.insert(8, {"type": "call", "time": "2000-01-01T00:00:00Z", "customer_id": "b2.2"})
    net, path = tmp_path / "net.gpkg", tmp_path / "events.jsonl"
    save_network(feeder, net)
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    result = _replay(net, path, tmp_path / "r.json")
    refused = {r["line"]: r["reason"] for r in result["stats"]["rejections"]}
    assert set(refused) == {1, 9}
    assert all("clock gone wrong" in reason for reason in refused.values())
    assert result["outages"] and all(o["started"] >= "2026" for o in result["outages"])
    later = [{**e, "time": e["time"].replace("2026-", "2028-")} for e in storm.events]
    path.write_text("".join(json.dumps(e) + "\n" for e in storm.events + later))
    both = _replay(net, path, tmp_path / "both.json")
    assert both["stats"]["rejected"] == 0
    assert {o["started"][:4] for o in both["outages"]} == {"2026", "2028"}


def test_late_restore_messages_at_the_end_of_the_file_are_taken_in(
    feeder: Network, tmp_path: Path
) -> None:
    """No device events. Transformer a3's restore messages, 90 minutes after lateral a's,
    are the file's last lines: the result still records it, found from them (the engine
    gathers such messages for two minutes; the replay takes in what is waiting)."""
    lateral = [f"a{t}.{m}" for t in (1, 2, 3) for m in range(1, 7)]
    gasped = [c for c in lateral if not c.startswith("a3")] + ["a3.1"]
    back = [c for c in lateral if c.startswith(("a1", "a2")) and int(c[-1]) % 2 == 0]
    events = [call("a1.1", 2), call("a2.3", 3), *(meter(c, 0.5, "off") for c in gasped)]
    events += [meter(c, 60, "on") for c in back] + [{"type": "tick", "time": at(75)}]
    events += [meter(c, 150, "on") for c in lateral if c.startswith("a3")]
    net, path = tmp_path / "net.gpkg", tmp_path / "late.jsonl"
    save_network(feeder, net)
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    result = _replay(net, path, tmp_path / "r.json")
    found = {o["device_id"]: o for o in result["outages"]}
    assert set(found) == {"fuse.a", "transformer.a3"}
    assert found["transformer.a3"]["restored"] == at(150)
