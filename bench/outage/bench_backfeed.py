"""Back-feeds through normally-open ties: what the board shows and what the records hold.

    .venv/bin/python bench/outage/bench_backfeed.py     # territory, IEEE 123, mv_oberrhein
    .venv/bin/python bench/outage/bench_backfeed.py --networks territory --per-tie 2

For every normally-open tie of each network, on each side of it, take the switching
devices on the way up from the tie that do not feed its other end. Two sequences, each
through the same `OutageEngine.apply` as the live system; a fault trips B at 12:00,
meters gasp (80 % arrive), 20 % of B's customers call while they are out, and every
section that gets power back says so (80 % of restore messages):

- **isolate**: S is the nearest device up from the tie, B up to `--per-tie` devices above
  it. The fault is between them: a crew opens S at 12:40, the tie closes at 12:42 (S's
  section is back), and B closes after the repair at 15:00.
- **flisr** (fault location, isolation and service restoration): S2 is the nearest device
  up from the tie, S1 the next one above it, B up to `--per-tie` above S1. The fault is
  between S1 and S2: a crew opens S1 at 12:40 and S2 at 12:41, B closes at 12:45 (the
  section above S1 is back), the tie closes at 12:47 (S2's section is back); after the
  repair S1 closes at 15:00, S2 at 15:02 and the tie opens at 15:03.
- **transfer** (a load transfer, make before break; no fault): S is each of the first
  `--per-tie` devices up from the tie; the tie closes at 12:40 and S opens at 12:41
  (S's section moves to the other feeder), S closes at 15:00 and the tie opens at 15:01.
  Nobody loses power.

Scored per case:

- **board right**: at each check (isolate: just before B closes; flisr: a minute after B
  closes, a minute after the tie closes and just before the repair; transfer: a minute
  after S opens and just before it closes) the live outages are exactly the sections
  still dark, by customer set (for transfer: none);
- **back-fed shown back**: a minute after the tie closes, no customer of the back-fed
  section is in a live outage (the status page says the power is on);
- **customer-minutes**: the records' sustained minutes per customer against the truth,
  as the harness counts them;
- **one record**: at the end a record holds exactly the customers of the device whose
  outage the back-fed section was restored from in a step (B for isolate, S1 for flisr),
  not a record of its own; for transfer, no record at all.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness  # the networks and the customer-minutes count of the harness

from gis import Network
from gis.io import load_network
from outage.engine import OutageEngine
from outage.events import Tick, parse_event
from outage.interruptions import interruptions
from outage.simulate import (
    STORM_START,
    Scenario,
    ScenarioBuilder,
    ScenarioParams,
    TrueOutage,
)

SWITCHING = {"switch", "recloser", "breaker", "sectionalizer", "fuse"}
SEQUENCES = ("isolate", "flisr", "transfer")


@dataclass
class Case:
    """One switching sequence: its device operations, the sections it darkens and
    restores, and what the board should show when."""

    faulted: int | None  # the device that trips (None: no fault)
    steps: list[tuple[float, str, str]]  # (minutes after the fault, device id, state)
    sections: list[tuple[np.ndarray, float, int]]  # (customers, minutes back, its device)
    checks: list[tuple[float, list[np.ndarray]]]  # (minutes, the sections still dark)
    fed_at: float  # when the back-fed section gets power
    fed: np.ndarray  # its customers
    record: np.ndarray | None  # the customers one record should hold (None: no record)


def cases(builder: ScenarioBuilder, per_tie: int, sequence: str) -> list[Case]:
    """Each sequence's cases, for each tie side with switching devices on its way up."""
    network, tree, sizes = builder.network, builder.tree, builder.tree.customers
    engine = OutageEngine(network)
    found = []
    for d, tie in enumerate(network.devices.ids):
        if not network.devices.normally_open[d]:
            continue
        branch = int(network.devices.branch[d])
        ends = (network.branches.from_bus[branch], network.branches.to_bus[branch])
        paths = [engine.ties.candidates_above(int(bus)) for bus in ends]
        for side, full in enumerate(paths):
            path = [c for c in full if tree.kind[c] in SWITCHING]
            if len(path) < 2 or sizes[path[0]] == 0:
                continue
            s = path[0]
            # A device that feeds the other end too restores nothing through the tie.
            above = [c for c in path[1:] if sizes[c] > sizes[s] and c not in paths[1 - side]]
            if sequence == "isolate":
                found += [_isolate(builder, tie, s, b) for b in above[:per_tie]]
            elif sequence == "transfer":
                ways = [c for c in path if sizes[c] > 0 and c not in paths[1 - side]]
                found += [_transfer(builder, tie, c) for c in ways[:per_tie]]
            elif above:
                s1 = above[0]
                found += [_flisr(builder, tie, s1, s, b)
                          for b in [c for c in above if sizes[c] > sizes[s1]][:per_tie]]
    return found


def _isolate(builder: ScenarioBuilder, tie: str, s: int, b: int) -> Case:
    names = builder.tree.element_id
    below = builder.customers_of
    section, rest = below(s), np.setdiff1d(below(b), below(s))
    return Case(b, [(40, names[s], "open"), (42, tie, "closed"), (180, names[b], "closed")],
                [(rest, 180, b), (section, 42, s)], [(179.9, [rest])], 42, section, below(b))


def _flisr(builder: ScenarioBuilder, tie: str, s1: int, s2: int, b: int) -> Case:
    names = builder.tree.element_id
    below = builder.customers_of
    upstream = np.setdiff1d(below(b), below(s1))
    faulted = np.setdiff1d(below(s1), below(s2))
    return Case(b, [(40, names[s1], "open"), (41, names[s2], "open"), (45, names[b], "closed"),
                    (47, tie, "closed"), (180, names[s1], "closed"),
                    (182, names[s2], "closed"), (183, tie, "open")],
                [(upstream, 45, b), (faulted, 180, s1), (below(s2), 47, s2)],
                [(46, [below(s1)]), (48, [faulted]), (179.9, [faulted])], 47, below(s2),
                below(s1))


def _transfer(builder: ScenarioBuilder, tie: str, s: int) -> Case:
    name = builder.tree.element_id[s]
    return Case(None, [(40, tie, "closed"), (41, name, "open"), (180, name, "closed"),
                       (181, tie, "open")],
                [], [(42, []), (179.9, [])], 41, builder.customers_of(s), None)


def events_of(builder: ScenarioBuilder, case: Case, rng: np.random.Generator) -> Scenario:
    network, tree = builder.network, builder.tree
    t0, ids = STORM_START, network.customers.ids
    scenario = Scenario(ScenarioParams(), 0)
    scenario.truth += [
        TrueOutage(c, tree.element_id[c], frozenset(ids[i] for i in customers), t0,
                   t0 + timedelta(minutes=back))
        for customers, back, c in case.sections]
    events: list[dict[str, Any]] = []

    def meter(i: int, when: Any, state: str) -> None:
        if rng.random() < 0.8:
            events.append({"type": "meter", "customer_id": ids[i], "state": state,
                           "time": when + timedelta(seconds=float(rng.uniform(1, 30)))})

    # A customer calls while out (as the harness's scenarios do), not once back.
    out_for = {i: back for customers, back, _ in case.sections for i in customers.tolist()}
    faulted = [] if case.faulted is None else builder.customers_of(case.faulted).tolist()
    for i in faulted:
        meter(i, t0, "off")
        if rng.random() < 0.2:
            minutes = min(float(rng.exponential(10)), out_for[i] - 1)
            events.append({"type": "call", "customer_id": ids[i], "channel": "ivr",
                           "time": t0 + timedelta(minutes=minutes)})
    events += [{"type": "device", "source": "crew", "device_id": device, "state": state,
                "time": t0 + timedelta(minutes=minutes)} for minutes, device, state in case.steps]
    for customers, back, _ in sorted(case.sections, key=lambda section: section[1]):
        for i in customers.tolist():
            meter(i, t0 + timedelta(minutes=back), "on")
    events.sort(key=lambda e: e["time"])
    for e in events:
        e["time"] = e["time"].isoformat()
    scenario.events = events
    return scenario


def score(network: Network, case: Case,
          scenario: Scenario) -> tuple[bool, bool, tuple[float, ...], bool]:
    engine = OutageEngine(network)
    ids = network.customers.ids

    def customers(a: np.ndarray) -> frozenset[str]:
        return frozenset(ids[i] for i in a.tolist())

    t0 = STORM_START
    checks = sorted([(case.fed_at + 1, None), *case.checks], key=lambda c: c[0])
    board, shown_back = True, False
    for data in [*scenario.events, None]:
        event = parse_event(data) if data is not None else None
        while checks and (event is None or event.time >= t0 + timedelta(minutes=checks[0][0])):
            minutes, dark = checks.pop(0)
            engine.apply(Tick(t0 + timedelta(minutes=minutes, seconds=-1)))
            live = [frozenset(engine.customer_ids_of(o)) for o in engine.book.live()]
            if dark is None:
                fed = customers(case.fed)
                shown_back = not any(s & fed for s in live)
            else:
                board = board and sorted(live, key=sorted) == sorted(
                    (customers(d) for d in dark), key=sorted)
        if event is not None:
            engine.apply(event)
    engine.settle()
    if case.record is None:
        one_record = not engine.outages()
    else:
        whole = customers(case.record)
        one_record = any(frozenset(engine.customer_ids_of(o)) == whole
                         for o in engine.outages())
    held: tuple[float, float, float]
    if scenario.truth:
        held = harness.customer_minutes(network, engine, scenario)
    else:  # nobody was out: every minute recorded is off
        outages = engine.outages()
        recorded = sum(r.customers * (r.end - r.start).total_seconds() / 60
                       for r in interruptions(network, outages,
                                              {o.id: engine.customer_ids_of(o) for o in outages},
                                              now=engine.now)
                       if not r.momentary)
        held = (recorded, 0.0, recorded)
    return board, shown_back, held, one_record


@dataclass
class Totals:
    """One sequence's cases on one network, scored (see the module's docstring)."""

    cases: int = 0
    board_right: int = 0
    shown_back: int = 0
    recorded: float = 0.0  # customer-minutes the records hold
    true: float = 0.0
    off: float = 0.0  # each customer's error, summed
    one_record: int = 0


def run_sequence(builder: ScenarioBuilder, per_tie: int, sequence: str) -> Totals:
    """Every case of `sequence` on the builder's network, replayed and scored."""
    rng = np.random.default_rng(0)
    totals = Totals()
    for case in cases(builder, per_tie, sequence):
        board, back, (recorded, true, off), one = score(
            builder.network, case, events_of(builder, case, rng))
        totals.cases += 1
        totals.board_right += board
        totals.shown_back += back
        totals.recorded += recorded
        totals.true += true
        totals.off += off
        totals.one_record += one
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="*", default=["territory", "ieee123", "mv_oberrhein"])
    parser.add_argument("--per-tie", type=int, default=3)
    parser.add_argument("--sequences", nargs="*", default=list(SEQUENCES), choices=SEQUENCES)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    rows = []
    for name in args.networks:
        source, extra = harness.NETWORKS.get(name, (name, []))
        builder = ScenarioBuilder(load_network(source, [Path(p) for p in extra]))
        for sequence in args.sequences:
            t = run_sequence(builder, args.per_tie, sequence)
            if t.cases:
                # Without a fault nobody is out: the minutes recorded, against none.
                minutes = (f"{t.recorded / t.true:.3f} | {100 * t.off / t.true:.1f} %"
                           if t.true else f"{t.recorded:.0f} / 0 | –")
                rows.append(f"| {name} | {sequence} | {t.cases} | {t.board_right / t.cases:.2f} | "
                            f"{t.shown_back / t.cases:.2f} | {minutes} | "
                            f"{t.one_record / t.cases:.2f} |")
    print("| network | sequence | cases | board right | back-fed shown back | "
          "customer-minutes recorded / true | off by | one record |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
