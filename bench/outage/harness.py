"""Evaluation harness for the prediction engine: seeded scenarios on real networks.

For every network × scenario kind × call rate × meter delivery, it draws seeded
scenarios (`outage.simulate`), replays their events through the probabilistic
engine and through the classic-rule baseline (`outage.rules`), and reports
device-level precision/recall/F1, customer-level F1, and the reports needed until
the right prediction. Run from the repository root:

    .venv/bin/python bench/outage/harness.py            # full grid, ~10 min
    .venv/bin/python bench/outage/harness.py --quick    # fewer seeds and networks
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import json
import statistics
import sys
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from gis import Network
from gis.io import load_network
from outage.candidates import NONE
from outage.engine import OutageEngine
from outage.evaluate import Score, Span, customer_score, device_score, span_score
from outage.events import QUIET_TICK, CallbackAnswer, MeterReading, Tick, parse_event
from outage.interruptions import interruptions
from outage.predict import Predictor
from outage.records import Outage
from outage.rules import RulePredictor
from outage.scoring import PredictionParams
from outage.simulate import (
    CALLBACK_ANSWERED,
    CALLBACK_DELAY,
    Scenario,
    ScenarioBuilder,
    ScenarioParams,
    TrueOutage,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import (  # the report's tables
    calibration_table,
    condensed,
    error_table,
    pointing_table,
    summary,
    table,
)

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "networks"
NETWORKS: dict[str, tuple[str, list[str]]] = {
    "ieee8500": (str(SHARED / "ieee8500/IEEETestCases/8500-Node/Master.dss"),
                 [str(SHARED / "ieee8500/IEEETestCases/8500-Node/Fuses.DSS")]),
    "ieee123": (str(SHARED / "ieee123/IEEETestCases/123Bus/IEEE123Switches.dss"), []),
    "mv_oberrhein": ("pandapower:mv_oberrhein", []),
    "simbench_urban": ("simbench:1-MVLV-urban-all-0-sw", []),
    "territory": (str(ROOT / "sample_data/territory.gpkg"), []),
}
KINDS = {"single": ("single", 1), "storm": ("storm", 20), "nested": ("nested", 1)}
# Not in the main grid: a crew repairs the inner device while the outer one is still open;
# a crew isolates the fault behind the inner device and closes the outer one first.
OTHER_KINDS = {"inner-first": ("inner_first", 1), "sectionalized": ("sectionalized", 1)}
# The main grid; the ranges go further (`--call-rates 0.05 0.4 --storm-sizes 5 50`).
CALL_RATES, DELIVERIES, STORM_SIZE = [0.1, 0.2, 0.3], [0.0, 0.3, 0.8], 20


def scenario_kinds(names: list[str], storm_sizes: list[int]) -> dict[str, tuple[str, int]]:
    """The scenario kinds to run, by label: a storm size other than the main one is
    labelled with its size ("storm 50")."""
    kinds: dict[str, tuple[str, int]] = {}
    for name in names:
        if name != "storm":
            kinds[name] = {**KINDS, **OTHER_KINDS}[name]
            continue
        for size in storm_sizes:
            kinds["storm" if size == STORM_SIZE else f"storm {size}"] = ("storm", size)
    return kinds


@dataclass
class Tally:
    device_p: list[float] = field(default_factory=list)
    device_r: list[float] = field(default_factory=list)
    device_f1: list[float] = field(default_factory=list)
    customer_f1: list[float] = field(default_factory=list)
    reports_needed: list[int] = field(default_factory=list)
    reported_recall: list[float] = field(default_factory=list)
    live_device_f1: list[float] = field(default_factory=list)
    live_customer_f1: list[float] = field(default_factory=list)
    pings: list[int] = field(default_factory=list)
    hazards_shown: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    pointing: Counter[str] = field(default_factory=Counter)
    confidence: Counter[tuple[int, bool]] = field(default_factory=Counter)
    confidence_sum: dict[int, float] = field(default_factory=lambda: defaultdict(float))
    brier: float = 0.0  # (confidence − right)² summed over the outages shown
    etr_errors: list[float] = field(default_factory=list)  # minutes, ETR − true end
    # Customer-minutes recorded, true, and the customers' own errors summed (|recorded −
    # true| per customer: a too-large outage and a missing one do not cancel out).
    customer_minutes: list[float] = field(default_factory=lambda: [0.0, 0.0, 0.0])

    def row(self) -> dict[str, Any]:
        mean = statistics.fmean
        return {
            "device_precision": round(mean(self.device_p), 3),
            "device_recall": round(mean(self.device_r), 3),
            "device_f1": round(mean(self.device_f1), 3),
            "customer_f1": round(mean(self.customer_f1), 3),
            "recall_of_reported": (round(mean(self.reported_recall), 3)
                                   if self.reported_recall else None),
            "reports_needed_median": (statistics.median(self.reports_needed)
                                      if self.reports_needed else None),
            "hazards_shown": (round(mean(self.hazards_shown), 3)
                              if self.hazards_shown else None),
            "live_device_f1": (round(mean(self.live_device_f1), 3)
                               if self.live_device_f1 else None),
            "live_customer_f1": (round(mean(self.live_customer_f1), 3)
                                 if self.live_customer_f1 else None),
            "pings_per_scenario": round(mean(self.pings), 1) if self.pings else 0.0,
            # The ETRs right outages showed at the repair checkpoints, against the true
            # restoration: sums, so rows add up.
            # Sustained customer-minutes of interruption in the records the replay ends
            # with, and in the truth: what SAIDI is made of.
            "customer_minutes": [round(m) for m in self.customer_minutes],
            "etr": {"samples": len(self.etr_errors),
                    "abs_minutes": round(sum(map(abs, self.etr_errors)), 1),
                    "minutes": round(sum(self.etr_errors), 1)},
            "errors": dict(sorted(self.errors.items())),
            "pointing": dict(sorted(self.pointing.items())),
            # Live outages at the repair checkpoints by tenth of confidence: how many,
            # how many of them were right, and their confidences summed.
            "confidence": {f"{tenth / 10:.1f}": [self.confidence[tenth, False]
                                                 + self.confidence[tenth, True],
                                                 self.confidence[tenth, True],
                                                 round(self.confidence_sum[tenth], 3)]
                           for tenth in sorted({t for t, _ in self.confidence})},
            "brier": round(self.brier, 3),
        }


class Dark:
    """Who is without power when, in a scenario's truth."""

    def __init__(self, scenario: Scenario) -> None:
        self.spans: dict[str, list[tuple[datetime, datetime]]] = {}
        for t in scenario.truth:
            for c in t.customers:
                self.spans.setdefault(c, []).append((t.start, t.end))

    def __call__(self, customer: str, when: datetime) -> bool:
        return any(s <= when < e for s, e in self.spans.get(customer, ()))


class HeadEnd:
    """A simulated AMI head-end: answers the engine's pings from the scenario's truth.

    Each answer arrives with the scenario's meter delivery rate; a meter behind an open
    device answers "off", any other "on".
    """

    def __init__(self, scenario: Scenario) -> None:
        self.asked: list[str] = []
        self.delivery = scenario.params.meter_delivery
        self.rng = np.random.default_rng(scenario.seed + 1)
        self.dark = Dark(scenario)

    def ping(self, customer_ids: list[str]) -> None:
        self.asked += customer_ids

    def answer(self, engine: OutageEngine, when: datetime) -> None:
        """Apply the answers to what was asked; they may raise new questions (3 rounds)."""
        for _ in range(3):
            asked, self.asked = self.asked, []
            for c in asked:
                if self.rng.random() < self.delivery:
                    engine.apply(MeterReading(when, c, not self.dark(c, when), ping=True))
            if not self.asked:
                return


class CallCenter:
    """A simulated outbound IVR: calls back whom the engine asks, CALLBACK_DELAY after
    the restoration; CALLBACK_ANSWERED of them pick up and say whether their power is on
    (the scenario's truth at that moment)."""

    def __init__(self, scenario: Scenario) -> None:
        self.asked: list[str] = []
        self.pending: list[tuple[datetime, str]] = []  # a heap: (when to call, customer)
        self.rng = np.random.default_rng(scenario.seed + 2)
        self.dark = Dark(scenario)

    def call_back(self, customer_ids: list[str]) -> None:
        self.asked += customer_ids

    def schedule(self, now: datetime) -> None:
        """What was asked while applying the event at `now` is called back later."""
        due = now + CALLBACK_DELAY
        for c in self.asked:
            heapq.heappush(self.pending, (due, c))
        self.asked = []

    def answer(self, engine: OutageEngine, until: datetime) -> None:
        """Apply the answers due by `until`, in time order."""
        while self.pending and self.pending[0][0] <= until:
            due, c = heapq.heappop(self.pending)
            if self.rng.random() < CALLBACK_ANSWERED:
                engine.apply(CallbackAnswer(due, c, not self.dark(c, due)))
            self.schedule(due)


def quiet_ticks(last: datetime | None, until: datetime) -> Iterator[datetime]:
    """The ticks a live service logs between events: one per QUIET_TICK without any."""
    if last is None:
        return
    tick = last + QUIET_TICK
    while tick < until:
        yield tick
        tick += QUIET_TICK


def quiet_minutes(engine: OutageEngine, last: datetime | None, until: datetime,
                  head_end: HeadEnd | None, ivr: CallCenter | None) -> None:
    """The ticks between `last` and `until`, each with the callback answers due by then
    and the pings it sends answered."""
    for tick in quiet_ticks(last, until):
        if ivr is not None:
            ivr.answer(engine, tick)
        engine.apply(Tick(tick))
        if head_end is not None:
            head_end.answer(engine, tick)
        if ivr is not None:
            ivr.schedule(tick)


def told(t: TrueOutage, last_report: dict[str, datetime], opened: set[str]) -> bool:
    """Whether anyone has told the system of true outage `t` yet: one of its customers
    (a call or a last gasp), or SCADA or a crew reporting its device open."""
    return t.device_id in opened or any(last_report.get(c, t.start) > t.start
                                        for c in t.customers)


def before_repair(live: list[frozenset[str]], scenario: Scenario, when: datetime,
                  last_report: dict[str, datetime],
                  opened: set[str]) -> tuple[Score, Score]:
    """What the dispatcher sees just before a crew repairs a device: the live outages
    (their customer sets) against everything truly out at that moment (no crew
    knowledge of the repair), device and customer level."""
    # Counted: outages someone has reported by now. A device open inside another open
    # one cannot be seen yet (its customers are already out).
    out_now = [t.customers for t in scenario.truth if t.start <= when <= t.end
               and told(t, last_report, opened)]
    out_now = [a for a in out_now if not any(a < b for b in out_now)]
    return device_score(live, out_now), customer_score(live, out_now)


def error_kind(live: list[frozenset[str]], true: frozenset[str]) -> str:
    """How the live view got a true outage: right, missed (no live outage touches its
    customers), too high / too low (the largest live outage touching them is a
    device above / below it), or overlap."""
    if true in live:
        return "right"
    touching = [s for s in live if s & true]
    if not touching:
        return "missed"
    largest = max(touching, key=len)
    return "too high" if largest > true else "too low" if largest < true else "overlap"


def repaired_told(scenario: Scenario, device_id: str, when: datetime,
                  last_report: dict[str, datetime], opened: set[str]) -> list[TrueOutage]:
    """The reported true outage a crew is about to repair (none when nobody reported
    it)."""
    return [t for t in scenario.truth if t.device_id == device_id and t.end == when
            and told(t, last_report, opened)]


def reports_point_at(t: TrueOutage, engine: OutageEngine, last_report: dict[str, datetime],
                     opened: set[str]) -> bool:
    """Whether what was reported of true outage `t` points at its device: SCADA or a
    crew reported it open, or the lowest device over every customer who reported it
    has its customers. Otherwise every report lies below a device inside it, and the
    silence of its other customers speaks for that device: the evidence, not the
    engine, points below."""
    if t.device_id in opened:
        return True
    tree, index = engine.tree, engine.network.customers.index
    parents = [int(tree.customer_parent[index[c]]) for c in t.customers
               if last_report.get(c, t.start) > t.start]
    lowest = tree.covering(parents) if parents else NONE
    if lowest == NONE:
        return False
    ids = engine.network.customers.ids
    return frozenset(ids[i] for i in engine.customers_below(lowest).tolist()) == t.customers


def truly_out(scenario: Scenario, when: datetime) -> set[frozenset[str]]:
    """The customer sets of the devices truly open at `when` (reported or not)."""
    return {t.customers for t in scenario.truth if t.start <= when <= t.end}


def false_outages(outages: list[Outage], live: list[frozenset[str]],
                  out_now: set[frozenset[str]]) -> set[str]:
    """Live outages over customers who all have power (`live` their customer sets)."""
    return {o.id for o, s in zip(outages, live, strict=True)
            if not any(s & t for t in out_now)}


def confidence_checks(outages: list[Outage], live: list[frozenset[str]],
                      out_now: set[frozenset[str]]) -> list[tuple[int, bool, float]]:
    """Each live outage's tenth of confidence (0–9), whether it is right (exactly the
    customers of a device truly open now, `out_now`: reported or not, nested inside
    another or not) and its confidence — what the confidence a dispatcher reads claims."""
    return [(min(int(o.confidence * 10), 9), s in out_now, o.confidence)
            for o, s in zip(outages, live, strict=True)]


def etr_errors(outages: list[Outage], live: list[frozenset[str]], scenario: Scenario,
               when: datetime) -> list[float]:
    """Minutes from each right live outage's ETR to its true restoration (positive: the
    ETR promised too late): what a customer checking the status page was told."""
    ends = {t.customers: t.end for t in scenario.truth if t.start <= when <= t.end}
    return [(o.etr - ends[s]).total_seconds() / 60
            for o, s in zip(outages, live, strict=True) if s in ends and o.etr is not None]


def merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Time spans with the overlapping ones joined."""
    out: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def customer_minutes(network: Network, engine: OutageEngine,
                     scenario: Scenario) -> tuple[float, float, float]:
    """Sustained minutes without power per customer, in the engine's interruption records
    at the end (live outages counted to the last event) and in the scenario's truth:
    (recorded, true, Σ |recorded − true|), in customer-minutes."""
    outages = engine.outages()
    now = max(t.end for t in scenario.truth)
    records = interruptions(network, outages, {o.id: engine.customer_ids_of(o) for o in outages},
                            now=max(now, engine.now or now))
    recorded: dict[str, float] = {}
    for r in records:
        if not r.momentary:
            for c in r.customer_ids or ():
                recorded[c] = recorded.get(c, 0.0) + (r.end - r.start).total_seconds() / 60
    spans: dict[str, list[tuple[datetime, datetime]]] = {}
    for t in scenario.truth:
        for c in t.customers:
            spans.setdefault(c, []).append((t.start, t.end))
    # Nested outages overlap: one interruption per customer while any lasts.
    true = {c: sum((end - start).total_seconds() / 60 for start, end in merged(s))
            for c, s in spans.items()}
    counts, index = network.customers.count, network.customers.index
    weight = {c: int(counts[index[c]]) for c in recorded.keys() | true.keys()}
    return (sum(weight[c] * m for c, m in recorded.items()),
            sum(weight[c] * m for c, m in true.items()),
            sum(weight[c] * abs(recorded.get(c, 0.0) - true.get(c, 0.0)) for c in weight))


def hazards_shown(engine: OutageEngine, scenario: Scenario, when: datetime,
                  hazard_calls: dict[str, datetime]) -> list[float]:
    """Before a repair, per true outage out now with a hazard reported by one of its
    customers: 1 when a live outage over that customer carries the hazard (the job's
    priority), else 0."""
    shown = []
    for t in scenario.truth:
        if not t.start <= when <= t.end:
            continue
        callers = [c for c in hazard_calls if c in t.customers]
        if callers:  # the first to report it, whatever order a set iterates in
            status = engine.customer_status(min(callers, key=lambda c: (hazard_calls[c], c)))
            shown.append(1.0 if status is not None and status.hazards else 0.0)
    return shown


class LiveView:
    """The engine's live outages scored just before each repair (the true close, whenever
    a crew reports it), with the live service's clock ticking in between."""

    def __init__(self, engine: OutageEngine, scenario: Scenario, head_end: HeadEnd | None,
                 ivr: CallCenter | None) -> None:
        self.engine, self.scenario, self.head_end, self.ivr = engine, scenario, head_end, ivr
        self.clock: datetime | None = None
        self.repairs = sorted((t.end, t.device_id) for t in scenario.truth)
        self.last_report: dict[str, datetime] = {}  # each true outage's customers
        self.opened: set[str] = set()  # devices SCADA or a crew reported open
        self.hazard_calls: dict[str, datetime] = {}
        self.device: list[float] = []
        self.customer: list[float] = []
        self.shown: list[float] = []
        self.errors: Counter[str] = Counter()  # the reported outages, as each is repaired
        self.pointing: Counter[str] = Counter()  # the same, by where their reports point
        self.false_ids: set[str] = set()  # live outages over customers who all had power
        self.confidence: Counter[tuple[int, bool]] = Counter()
        self.confidence_sum: dict[int, float] = defaultdict(float)
        self.brier = 0.0
        self.etr_errors: list[float] = []

    def advance(self, until: datetime) -> None:
        """Score the repairs due by `until`, then tick to it."""
        while self.repairs and self.repairs[0][0] <= until:
            self._repair()
        self._tick(until)

    def finish(self) -> None:
        """Score the repairs after the last event (none in these scenarios)."""
        while self.repairs:
            self._repair()

    def _repair(self) -> None:
        when, device_id = self.repairs.pop(0)
        self._tick(when)
        self._score(when, device_id)

    def _tick(self, until: datetime) -> None:
        # A tick after each quiet minute, so what is due (a restored area's silent
        # meters weighed, pings to verify it answered) happens on time rather than at
        # the next report.
        quiet_minutes(self.engine, self.clock, until, self.head_end, self.ivr)
        self.clock = until if self.clock is None else max(self.clock, until)
        if self.ivr is not None:
            self.ivr.answer(self.engine, until)

    def _score(self, when: datetime, device_id: str) -> None:
        # What is due by the repair itself is on the screen too. (Pings this tick sends
        # are answered after the repair, as a head-end's answers take longer than the
        # crew's report of the device it closed.)
        engine, scenario = self.engine, self.scenario
        engine.apply(Tick(when))
        outages = engine.book.live()
        live = [frozenset(engine.customer_ids_of(o)) for o in outages]
        device, customer = before_repair(live, scenario, when, self.last_report, self.opened)
        self.device.append(device.f1)
        self.customer.append(customer.f1)
        for t in repaired_told(scenario, device_id, when, self.last_report, self.opened):
            kind = error_kind(live, t.customers)
            self.errors[kind] += 1
            where = "at" if reports_point_at(t, engine, self.last_report, self.opened) else "below"
            self.pointing[f"{where} {'right' if kind == 'right' else 'wrong'}"] += 1
        out_now = truly_out(scenario, when)
        self.false_ids |= false_outages(outages, live, out_now)
        for tenth, right, confidence in confidence_checks(outages, live, out_now):
            self.confidence[tenth, right] += 1
            self.confidence_sum[tenth] += confidence
            self.brier += (confidence - right) ** 2
        self.etr_errors += etr_errors(outages, live, scenario, when)
        self.shown += hazards_shown(engine, scenario, when, self.hazard_calls)


# What makes the live view a replay is scored by: `LiveView` or one that looks closer.
ViewFactory = Callable[[OutageEngine, Scenario, HeadEnd | None, CallCenter | None], LiveView]


def report_of(truths: list[TrueOutage], mine: list[int], when: datetime) -> int | None:
    """Which true outage a customer's report at `when` tells of, of those they are in
    (`mine`): the last drawn that is going on then (the inner of a nested pair)."""
    going_on = [k for k in mine if truths[k].start <= when <= truths[k].end]
    return going_on[-1] if going_on else None


def run_one(network: Network, scenario: Scenario, predictor: type[Predictor],
            params: PredictionParams | None = None, *, ping: bool = False,
            drop_devices: bool = False, callbacks: bool = False,
            make_view: ViewFactory | None = None) -> dict[str, Any]:
    """Replay one scenario; score the outages it ends with.

    `drop_devices` leaves the crews' and SCADA's device events out of the stream (a
    utility whose OMS hears only calls and meters); the repairs are still where the
    live view is scored. `callbacks` calls back the customers who reported once their
    area is restored (both engines: the callbacks follow restorations, not scores).
    `make_view` makes the view that scores the live view (`LiveView`, or a subclass
    that looks closer: `diagnose.py`)."""
    # The classic rules do not ask meters anything: only the probabilistic engine pings.
    asks = ping and predictor is Predictor and scenario.params.meter_delivery > 0
    head_end = HeadEnd(scenario) if asks else None
    ivr = CallCenter(scenario) if callbacks else None
    engine = OutageEngine(network, params, predictor=predictor, pinger=head_end, callback=ivr)
    truths = scenario.truth
    found: dict[int, int] = {}  # true outage -> reports before the engine showed it
    reports = [0] * len(truths)
    owner: dict[str, list[int]] = {}
    for k, t in enumerate(truths):
        for c in t.customers:
            owner.setdefault(c, []).append(k)

    def seen(outage: Outage) -> None:
        if outage.active:
            key = frozenset(engine.customer_ids_of(outage))
            same = [k for k in owner.get(next(iter(key), ""), ()) if truths[k].customers == key]
            if same:
                # Of several storms' outages of this device, the latest begun by now.
                k = max((k for k in same if truths[k].start <= (engine.now or outage.started)),
                        key=lambda k: truths[k].start, default=same[0])
                found.setdefault(k, reports[k])

    engine.subscribe(seen)
    view = (make_view or LiveView)(engine, scenario, head_end, ivr)
    for k, data in enumerate(scenario.events):
        event = parse_event(data)
        view.advance(event.time)
        if drop_devices and data["type"] == "device":
            continue
        if data["type"] == "device" and data["state"] == "open":
            view.opened.add(data["device_id"])
        # A call by location only tells of its true caller's outage too.
        customer_id = data.get("customer_id") or scenario.callers.get(k, "")
        key = report_of(truths, owner.get(customer_id, []), event.time)
        if key is not None and (data["type"] == "call" or data.get("state") == "off"):
            view.last_report[customer_id] = event.time
            reports[key] += 1
            if data.get("hazard"):
                view.hazard_calls.setdefault(customer_id, event.time)
        with contextlib.suppress(ValueError):  # e.g. an address far from any meter
            engine.apply(event)
        if head_end is not None:
            head_end.answer(engine, event.time)
        if ivr is not None:
            ivr.schedule(event.time)
    view.finish()
    engine.settle()  # the end as `oms replay` gives it: the last messages taken in
    end = max(t.end for t in truths)
    predicted = [Span(frozenset(engine.customer_ids_of(o)), o.started, o.restored or end)
                 for o in engine.outages()]
    true_spans = [Span(t.customers, t.start, t.end) for t in truths]
    reported = [s for s, n in zip(true_spans, reports, strict=True) if n > 0]  # told of
    return {
        "device": span_score(predicted, true_spans),
        "reported_recall": span_score(predicted, reported).recall if reported else None,
        "customer": customer_score([s.customers for s in predicted], [t.customers for t in truths]),
        "reports_needed": list(found.values()),
        "live_device": view.device,
        "live_customer": view.customer,
        "pings": engine.stats.pings_requested,
        "hazards_shown": view.shown,
        "errors": {**view.errors, "false": len(view.false_ids)},
        "pointing": view.pointing,
        "etr_errors": view.etr_errors,
        "customer_minutes": customer_minutes(network, engine, scenario),
        "confidence": view.confidence,
        "confidence_sum": view.confidence_sum,
        "brier": view.brier,
    }


def evaluate(
    names: list[str], seeds: int, call_rates: list[float], deliveries: list[float],
    progress: Callable[[int], None], params: PredictionParams | None = None,
    *, ping: bool = False, scenario_overrides: dict[str, Any] | None = None,
    drop_devices: bool = False, callbacks: bool = False,
    kinds: dict[str, tuple[str, int]] | None = None,
    skipped: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Score every scenario; a network and kind the builder cannot make some scenarios
    of (no device of the kinds asked for, no device below another, none left by an
    earlier storm of the stream) goes into `skipped` with the reason and how many, so a
    table without its rows says why."""
    overrides = scenario_overrides or {}
    rows = []
    unbuilt: Counter[str] = Counter()
    per_cell = len(call_rates) * len(deliveries) * seeds
    for name in names:
        # A name the harness does not know is a network spec of its own: a file, or
        # simbench:CODE / pandapower:NAME, so held-out networks can be scored too.
        source, extra = NETWORKS.get(name, (name, []))
        network = load_network(source, [Path(p) for p in extra])
        builder = ScenarioBuilder(network)
        for label, (kind, outages) in (kinds or KINDS).items():
            for rate in call_rates:
                for delivery in deliveries:
                    tallies = {"probabilistic": Tally(), "classic": Tally()}
                    scenario_params = ScenarioParams(kind=kind, outages=outages, call_rate=rate,
                                                     meter_delivery=delivery, **overrides)
                    for seed in range(seeds):
                        try:
                            scenario = builder.build(scenario_params, seed)
                        except ValueError as error:  # e.g. no nested pair here
                            if skipped is not None:
                                cell = f"{name} {label}"
                                unbuilt[cell] += 1
                                skipped[cell] = f"{error} ({unbuilt[cell]} of {per_cell} scenarios)"
                            progress(1)
                            continue
                        for engine_name, predictor in (("probabilistic", Predictor),
                                                       ("classic", RulePredictor)):
                            result = run_one(network, scenario, predictor, params, ping=ping,
                                             drop_devices=drop_devices, callbacks=callbacks)
                            tally = tallies[engine_name]
                            tally.device_p.append(result["device"].precision)
                            tally.device_r.append(result["device"].recall)
                            tally.device_f1.append(result["device"].f1)
                            tally.customer_f1.append(result["customer"].f1)
                            tally.reports_needed += result["reports_needed"]
                            tally.live_device_f1 += result["live_device"]
                            tally.live_customer_f1 += result["live_customer"]
                            tally.pings.append(result["pings"])
                            tally.hazards_shown += result["hazards_shown"]
                            tally.errors.update(result["errors"])
                            tally.pointing.update(result["pointing"])
                            tally.confidence.update(result["confidence"])
                            for tenth, total in result["confidence_sum"].items():
                                tally.confidence_sum[tenth] += total
                            tally.brier += result["brier"]
                            tally.etr_errors += result["etr_errors"]
                            for k, minutes in enumerate(result["customer_minutes"]):
                                tally.customer_minutes[k] += minutes
                            if result["reported_recall"] is not None:
                                tally.reported_recall.append(result["reported_recall"])
                        progress(1)
                    if tallies["probabilistic"].device_f1:
                        rows.append({"network": name, "scenario": label, "call_rate": rate,
                                     "meter_delivery": delivery,
                                     **{k: t.row() for k, t in tallies.items()}})
    return rows


def _params(pairs: list[str]) -> PredictionParams | None:
    """PredictionParams with NAME=VALUE overrides; ``kind_share.KIND=VALUE`` sets one
    kind's share."""
    if not pairs:
        return None
    values: dict[str, Any] = {}
    defaults = PredictionParams()
    shares = dict(defaults.kind_share)
    for pair in pairs:
        name, value = pair.split("=", 1)
        if name.startswith("kind_share."):
            shares[name.removeprefix("kind_share.")] = float(value)
        elif isinstance(getattr(defaults, name, None), bool):
            values[name] = value.lower() in ("1", "true", "yes")
        else:
            values[name] = float(value)
    return PredictionParams(**values, kind_share=shares)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--networks", nargs="*", default=list(NETWORKS),
                        help=f"names ({', '.join(NETWORKS)}) or any network file or "
                             "simbench:CODE / pandapower:NAME spec")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--param", action="extend", nargs="+", default=[], metavar="NAME=VALUE",
                        help="override a PredictionParams number, e.g. gasp_alpha=4 or "
                             "kind_share.source=0.001")
    parser.add_argument("--pick", choices=["kind", "device"], default="kind",
                        help="draw the operated devices kind first (every kind as often; "
                        "the default) or among all devices alike (transformers mostly)")
    parser.add_argument("--scenario", action="extend", nargs="+", default=[],
                        metavar="NAME=VALUE",
                        help="override a ScenarioParams number, e.g. call_delay_minutes=60, or "
                             "storms=2 storms_apart_hours=4 for two storms in one stream")
    parser.add_argument("--scada", nargs="*", default=[], metavar="KIND",
                        help="device kinds whose openings SCADA reports, e.g. breaker recloser")
    parser.add_argument("--kinds", nargs="*", default=list(KINDS),
                        choices=[*KINDS, *OTHER_KINDS])
    parser.add_argument("--call-rates", nargs="+", type=float, default=CALL_RATES,
                        metavar="RATE", help="shares of affected customers who call "
                                             "(default 0.1 0.2 0.3)")
    parser.add_argument("--deliveries", nargs="+", type=float, default=DELIVERIES,
                        metavar="SHARE", help="meter message delivery, 0 = no AMI "
                                              "(default 0 0.3 0.8)")
    parser.add_argument("--storm-sizes", nargs="+", type=int, default=[STORM_SIZE],
                        metavar="N", help=f"simultaneous outages in a storm (default "
                                          f"{STORM_SIZE})")
    parser.add_argument("--ping", action="store_true",
                        help="answer the engine's meter pings from a simulated head-end")
    parser.add_argument("--drop-devices", action="store_true",
                        help="replay without the device events (crews' and SCADA's): "
                             "calls and meters only")
    parser.add_argument("--callbacks", action="store_true",
                        help="call back the customers who reported once their area is "
                             "restored (a simulated outbound IVR; 60%% answer)")
    parser.add_argument("--out", type=Path, default=None,
                        help="default results/harness.json (harness_ping.json with --ping, "
                             "harness_nodevices.json with --drop-devices, "
                             "harness_callbacks.json with --callbacks)")
    args = parser.parse_args(argv)
    if args.out is None:
        name = ("harness_ping.json" if args.ping else
                "harness_nodevices.json" if args.drop_devices else
                "harness_callbacks.json" if args.callbacks else "harness.json")
        args.out = ROOT / "bench/outage/results" / name
    names = list(args.networks)
    call_rates, deliveries = args.call_rates, args.deliveries
    if args.quick:
        names, args.seeds, call_rates = names[:2], min(args.seeds, 4), [0.1, 0.3]
    params = _params(args.param)
    kinds = scenario_kinds(args.kinds, args.storm_sizes)
    total = len(names) * len(kinds) * len(call_rates) * len(deliveries) * args.seeds
    started = time.perf_counter()
    with warnings.catch_warnings(), tqdm(total=total, unit="scenario", file=sys.stderr) as bar:
        warnings.simplefilter("ignore")
        defaults = ScenarioParams()
        # Each number as its field's type: storms=2 is a count.
        scenario: dict[str, Any] = {k: type(getattr(defaults, k))(float(v)) for k, v in
                                    (p.split("=", 1) for p in args.scenario)}
        if args.scada:
            scenario["scada_kinds"] = tuple(args.scada)
        if args.pick != "kind":
            scenario["pick"] = args.pick
        skipped: dict[str, str] = {}
        rows = evaluate(names, args.seeds, call_rates, deliveries, bar.update, params,
                        ping=args.ping, scenario_overrides=scenario,
                        drop_devices=args.drop_devices, callbacks=args.callbacks,
                        kinds=kinds, skipped=skipped)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows, "seeds": args.seeds, "skipped": skipped,
                                    "seconds": round(time.perf_counter() - started, 1)},
                                   indent=1))
    parts = [condensed(rows), summary(rows), error_table(rows), pointing_table(rows),
             calibration_table(rows), table(rows)]
    if skipped:
        parts.insert(0, "Not scored (the scenario cannot be built):\n" + "\n".join(
            f"- {cell}: {reason}" for cell, reason in skipped.items()))
    report = "\n\n".join(parts)
    from plots import save_report, title_of  # matplotlib only here: diagnose imports this
    picture = save_report(rows, args.out.with_suffix(".png"),
                          title_of(args.out.stem, args.seeds, rows))
    args.out.with_suffix(".md").write_text(f"![{args.out.stem}]({picture.name})\n\n"
                                           + report + "\n")
    print(report)
    print(f"\nDrawn: {picture}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
