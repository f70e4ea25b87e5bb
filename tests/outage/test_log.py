"""Durability: acknowledged events survive a kill, and restart rebuilds the same state."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gis import Network
from gis.io import save_network
from outage.engine import OutageEngine
from outage.errors import EventError
from outage.events import parse_event
from outage.log import EventLog
from outage.scoring import PredictionParams
from outage.service import OutageService
from outage.simulate import ScenarioBuilder, ScenarioParams
from tests.outage.conftest import engine_fails_on
from tests.postgres import new_database

OpenLog = Callable[[], EventLog]


def _state(engine: OutageEngine) -> list[dict[str, object]]:
    return [o.to_json(engine.customer_ids_of(o)) for o in engine.outages(include_cancelled=True)]


def _storm(feeder: Network) -> list[dict[str, object]]:
    params = ScenarioParams(kind="storm", outages=4, call_rate=0.5, meter_delivery=0.6)
    return ScenarioBuilder(feeder).build(params, seed=7).events


@pytest.fixture(params=["sqlite", "postgresql"])
def open_log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], EventLog]]:
    """Opens one event log, empty at first, as often as a test restarts: on the embedded
    default and on the production store. Every opening is closed after the test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'log.db'}"
    else:
        url = new_database(request.getfixturevalue("postgres_server"))
    opened: list[EventLog] = []

    def open_() -> EventLog:
        opened.append(EventLog(url))
        return opened[-1]

    yield open_
    for log in opened:
        log.close()


def test_refused_events_are_never_logged(feeder: Network, open_log: OpenLog) -> None:
    """A bad event is refused with its reason and leaves the log untouched."""
    service = OutageService.open(feeder, open_log())
    with pytest.raises(EventError, match="customer_id 'nobody'"):
        service.submit({"type": "call", "time": "2026-07-01T14:00:00Z", "customer_id": "nobody"})
    assert service.log.last_seq() == 0
    receipt = service.submit({"type": "call", "time": "2026-07-01T14:00:00Z",
                              "customer_id": "a1.1"})
    assert receipt.seq == 1 and receipt.outages


def test_restart_from_snapshot_equals_full_replay(feeder: Network, open_log: OpenLog) -> None:
    """Snapshot plus the tail of the log gives exactly the state of replaying everything."""
    log = open_log()
    service = OutageService.open(feeder, log, snapshot_every=25)
    for data in _storm(feeder):
        service.submit(data)
    restarted = OutageService.open(feeder, open_log(), snapshot_every=25)
    fresh = OutageEngine(feeder)
    for _, data in log.read():
        fresh.apply(parse_event(data))
    assert _state(restarted.engine) == _state(service.engine) == _state(fresh)
    assert restarted.applied_seq == log.last_seq()


def test_a_snapshot_from_an_older_engine_is_rebuilt_from_the_log(
    feeder: Network, tmp_path: Path
) -> None:
    """After an upgrade the saved state may lack what the engine now keeps: the log,
    not the snapshot, is then what the state is rebuilt from."""
    log = EventLog(f"sqlite:///{tmp_path / 'log.db'}")
    service = OutageService.open(feeder, log, snapshot_every=0)
    for data in _storm(feeder):
        service.submit(data)
    old = OutageEngine(feeder)
    del old.reports  # what an earlier version did not have
    old.state_version = 1
    log.save_snapshot(log.last_seq(), old)
    restarted = OutageService.open(feeder, EventLog(log.url))
    assert restarted.engine is not old and restarted.engine.current
    assert _state(restarted.engine) == _state(service.engine)


class _Moved:
    """Stands in for a class a later version moved: its pickles name it where it was."""


def test_a_snapshot_this_version_cannot_read_is_rebuilt_from_the_log(
    feeder: Network, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A snapshot naming a class that is no longer where it was (the engine's modules
    reorganised by an upgrade) cannot be unpickled: the state is folded from the log,
    with a warning, rather than the service failing to start."""
    log = EventLog(f"sqlite:///{tmp_path / 'log.db'}")
    service = OutageService.open(feeder, log, snapshot_every=0)
    for data in _storm(feeder):
        service.submit(data)
    log.save_snapshot(log.last_seq(), _Moved())
    monkeypatch.delattr(sys.modules[__name__], "_Moved")
    restarted = OutageService.open(feeder, EventLog(log.url))
    assert restarted.engine.current
    assert _state(restarted.engine) == _state(service.engine)
    assert "cannot be read by this version" in caplog.text


def test_a_snapshot_under_other_prediction_parameters_is_rebuilt_from_the_log(
    feeder: Network, tmp_path: Path
) -> None:
    """A snapshot keeps the parameters it was scored with; restarted with others (an
    upgrade that changed a default), the state is what the log gives under the new."""
    log = EventLog(f"sqlite:///{tmp_path / 'log.db'}")
    old_params = PredictionParams(false_gasp_rate=1e-3, false_call_rate=0.05)
    service = OutageService.open(feeder, log, old_params, snapshot_every=25)
    for data in _storm(feeder):
        service.submit(data)
    restarted = OutageService.open(feeder, EventLog(log.url))
    assert restarted.engine.params == PredictionParams()
    fresh = OutageEngine(feeder)
    for _, data in log.read():
        fresh.apply(parse_event(data))
    assert _state(restarted.engine) == _state(fresh)
    again = OutageService.open(feeder, EventLog(log.url), old_params)
    assert again.engine.params == old_params


WRITER = textwrap.dedent(
    """
    import json, sys
    from gis.io import load_network
    from outage.log import EventLog
    from outage.service import OutageService
    network = load_network(sys.argv[1])
    service = OutageService.open(network, EventLog(sys.argv[2]), snapshot_every=40)
    for line in open(sys.argv[3]):
        receipt = service.submit(json.loads(line))
        print("ACK", receipt.seq, flush=True)
    print("DONE", flush=True)
    """
)


def test_kill_mid_stream_loses_no_acknowledged_event(
    feeder: Network, tmp_path: Path, open_log: OpenLog
) -> None:
    """SIGKILL while events flow: every ACK is in the log; the restart state equals replay."""
    net_path, events_path = tmp_path / "net.geojson", tmp_path / "events.jsonl"
    save_network(feeder, net_path)
    events = _storm(feeder)
    events_path.write_text("".join(json.dumps(e) + "\n" for e in events))
    log = open_log()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(net_path), log.url, str(events_path)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert writer.stdout is not None
    acked = []
    for line in writer.stdout:
        if line.startswith("ACK"):
            acked.append(int(line.split()[1]))
        if len(acked) >= len(events) // 2:
            writer.send_signal(signal.SIGKILL)
            break
    writer.wait(timeout=30)
    writer.stdout.close()
    assert writer.returncode == -signal.SIGKILL
    logged = dict(log.read())
    assert set(acked) <= set(logged)
    assert [parse_event(logged[s]) for s in acked] == [parse_event(events[s - 1]) for s in acked]
    restarted = OutageService.open(feeder, log)
    fresh = OutageEngine(feeder)
    for data in logged.values():
        fresh.apply(parse_event(data))
    assert _state(restarted.engine) == _state(fresh)


def test_retry_with_the_same_key_is_logged_once(feeder: Network, open_log: OpenLog) -> None:
    """A phone retrying an action (same idempotency key) does not log it twice."""
    service = OutageService.open(feeder, open_log())
    event = {"type": "call", "time": "2026-07-01T14:00:00Z", "customer_id": "a1.1"}
    first = service.submit(event, idempotency_key="phone-7:42")
    again = service.submit(event, idempotency_key="phone-7:42")
    assert (again.seq, again.duplicate) == (first.seq, True)
    assert service.log.last_seq() == 1


def test_an_event_the_engine_fails_on_does_not_stop_the_service(
    feeder: Network, open_log: OpenLog, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A defect that makes the engine fail on one logged event (simulated here) is
    reported in the receipt and kept in `faults`; the service goes on, and a restart
    folds the log past it to the same state instead of failing on it again."""
    engine_fails_on(monkeypatch, "a2.2")
    service = OutageService.open(feeder, open_log())
    at = "2026-07-01T14:0{}:00Z"
    for minute, customer in enumerate(("a2.1", "a2.2", "a2.4")):
        receipt = service.submit({"type": "call", "time": at.format(minute),
                                  "customer_id": customer})
    assert service.faults == [(2, "RuntimeError: simulated defect")]
    assert receipt.seq == 3 and receipt.error is None and receipt.outages
    restarted = OutageService.open(feeder, open_log())
    assert restarted.faults == service.faults
    assert _state(restarted.engine) == _state(service.engine)
