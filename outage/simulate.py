"""Seeded storms on a real network: true outages and the events they would cause.

Used by the evaluation harness (`bench/outage/`), by tests, and by the live demo.
A scenario picks devices that operate (single outages, storms of many, nested
pairs), then draws what customers and meters would report: calls at a call rate
with delays, repeat calls, location-only calls, false calls from customers who
have power, last gasps and power-restore messages with a delivery rate, and the
device closing when a crew repairs it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from gis import Network, Topology
from outage.candidates import CandidateTree, build_candidates

STORM_START = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
# A simulated outbound IVR (harness, demo): it calls back this long after it is asked,
# and this share of the customers answer.
CALLBACK_DELAY = timedelta(minutes=15)
CALLBACK_ANSWERED = 0.6


# Where a location-only call keeps its true caller until `ScenarioBuilder.build` moves it
# out of the event into `Scenario.callers`.
CALLER = "_caller"
SCENARIO_KINDS = ("single", "storm", "nested", "inner_first", "sectionalized")


@dataclass(frozen=True, slots=True)
class ScenarioParams:
    """What a scenario looks like; the harness sweeps these."""

    # nested: the inner device is found still open when the outer one closes;
    # inner_first: a crew repairs the inner device while the outer one is still open
    # (storm crews working in parallel), so its close restores nobody;
    # sectionalized: the fault is behind the inner device; a crew opens it and closes
    # the outer one (a partial restoration), then repairs and closes the inner one.
    kind: str = "single"  # single | storm | nested | inner_first | sectionalized
    outages: int = 1  # how many devices operate (storm)
    device_kinds: tuple[str, ...] = ("service_transformer", "fuse", "switch", "recloser",
                                     "breaker", "sectionalizer")
    # How the operated devices are drawn: "kind" draws a kind of device, then one of
    # its devices (every kind as often as the next); "device" draws among all devices
    # alike (a feeder of a thousand transformers and ten fuses: transformers mostly).
    pick: str = "kind"
    call_rate: float = 0.2  # share of affected customers who call
    false_call_share: float = 0.05  # share of all calls that come from customers with power
    repeat_call_rate: float = 0.1  # callers who call again
    call_delay_minutes: float = 20.0  # mean wait from the onset to a customer's call
    gasp_delay_minutes: float = 0.5  # last gasps reach the head-end within this
    location_only_share: float = 0.1  # calls that give an address, not an account
    # How far off such an address lands, as a multiple of about 5 m (half a unit on a
    # network without coordinates): 10 is a geocoder's street-level 50 m.
    location_error: float = 1.0
    hazard_share: float = 0.0  # calls that report a wire down (none by default)
    meter_delivery: float = 0.5  # share of last gasps / restores that arrive; 0 = no AMI
    scada_kinds: tuple[str, ...] = ()  # kinds whose operation SCADA reports
    storm_minutes: float = 120.0  # faults start within this window
    repair_minutes: tuple[float, float] = (60.0, 300.0)
    # Crews report a close this long after the repair (on the way to the next job), so
    # the meters' restore messages come first; SCADA reports at once.
    crew_report_delay_minutes: float = 0.0
    # Share of faulted devices a crew reports open on arrival, before the repair (a
    # blown fuse found, the confirmation most OMS ask the crew for); SCADA's need none.
    crew_confirm_share: float = 0.0
    start: datetime = STORM_START
    # Several storms in one stream, as a control room's engine runs for months: storm k
    # starts `storms_apart_hours` × k after `start`, on devices not still out from an
    # earlier one (a second storm four hours after the first finds crews still at work).
    storms: int = 1
    storms_apart_hours: float = 24.0

    def __post_init__(self) -> None:
        for name, allowed in (("kind", SCENARIO_KINDS), ("pick", ("kind", "device"))):
            if getattr(self, name) not in allowed:
                raise ValueError(f"ScenarioParams.{name} must be one of {', '.join(allowed)}, "
                                 f"not {getattr(self, name)!r}")


@dataclass(frozen=True, slots=True)
class TrueOutage:
    candidate: int
    device_id: str
    customers: frozenset[str]
    start: datetime
    end: datetime


@dataclass(slots=True)
class Scenario:
    params: ScenarioParams
    seed: int
    truth: list[TrueOutage] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)
    # Who made each call that gives only a location (by its index in `events`): the
    # truth an evaluation needs, which the event itself does not carry.
    callers: dict[int, str] = field(default_factory=dict)


class ScenarioBuilder:
    """Draws scenarios on one network (topology and candidates computed once)."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self.topology = Topology(network)
        self.tree: CandidateTree = build_candidates(network, self.topology)
        self._customers = [self._customers_of(c) for c in range(len(self.tree))]

    def customers_of(self, c: int) -> np.ndarray:
        """Customer indices below candidate `c` (as normally switched)."""
        return self._customers[c]

    def _customers_of(self, c: int) -> np.ndarray:
        branch = int(self.tree.branch[c])
        if branch >= 0:
            return self.topology.downstream_customers(branch)
        return self.topology.source_customers(self.network.sources.index[self.tree.element_id[c]])

    def build(self, params: ScenarioParams, seed: int) -> Scenario:
        rng = np.random.default_rng(seed)
        scenario = Scenario(params, seed)
        for k in range(params.storms):
            start = params.start + timedelta(hours=params.storms_apart_hours * k)
            storm = Scenario(replace(params, start=start), seed)
            # Out still when this storm begins: not chosen again, not a false caller.
            going_on = [t for t in scenario.truth if t.end > start]
            for outer, inner in self._choose(params, rng, [t.candidate for t in going_on]):
                self._fault(storm, outer, inner, rng)
            self._false_calls(storm, rng, going_on)
            scenario.truth += storm.truth
            scenario.events += storm.events
        scenario.events.sort(key=lambda e: e["time"])
        for k, event in enumerate(scenario.events):
            event["time"] = event["time"].isoformat().replace("+00:00", "Z")
            caller = event.pop(CALLER, None)
            if caller is not None:
                scenario.callers[k] = caller
        return scenario

    # -- which devices operate ------------------------------------------------------
    def _eligible(self, params: ScenarioParams) -> np.ndarray:
        kinds = np.array(self.tree.kind)
        feeds = self.tree.service_points > 0
        ok = np.isin(kinds, params.device_kinds) & feeds
        if not ok.any():
            # A model with no device below its sources (a feeder given as lines and
            # loads, say) can only lose its supply.
            ok = (kinds == "source") & feeds
        return np.flatnonzero(ok)

    def _choose(self, params: ScenarioParams, rng: np.random.Generator,
                avoid: list[int]) -> list[tuple[int, int]]:
        """The devices that operate: outer and inner of a nested pair, or (device, -1);
        none above or below a device in `avoid`."""
        eligible = self._eligible(params)
        if avoid:
            eligible = np.array([c for c in eligible.tolist()
                                 if not any(self._overlap(c, a) for a in avoid)], dtype=int)
        left = " not still out from an earlier storm" if avoid else ""
        if len(eligible) == 0:
            raise ValueError(f"no device of the requested kinds feeds any customer{left}")
        if params.kind in ("nested", "inner_first", "sectionalized"):
            return [self._nested_pair(eligible, rng, left)]
        wanted = 1 if params.kind == "single" else params.outages
        chosen: list[int] = []
        order = rng.permutation(len(eligible))
        rank = np.empty(len(eligible))
        if params.pick == "device":
            rank[order] = np.arange(len(order))
        else:
            # Kinds first, then devices: a feeder of a thousand transformers and ten
            # fuses should not make every scenario a transformer outage.
            kinds = np.array(self.tree.kind)[eligible]
            for kind in np.unique(kinds):
                mine = order[kinds[order] == kind]
                rank[mine] = np.arange(len(mine)) + rng.random()
        for c in eligible[np.argsort(rank, kind="stable")].tolist():
            if all(not self._overlap(c, other) for other in chosen):
                chosen.append(c)
            if len(chosen) == wanted:
                break
        return [(c, -1) for c in chosen]

    def _overlap(self, a: int, b: int) -> bool:
        return self.tree.contains(a, b) or self.tree.contains(b, a)

    def _nested_pair(self, eligible: np.ndarray, rng: np.random.Generator,
                     left: str) -> tuple[int, int]:
        sizes = self.tree.service_points
        for outer in rng.permutation(eligible).tolist():
            inside = [c for c in range(int(self.tree.tin[outer]) + 1, int(self.tree.tout[outer]))
                      if sizes[c] > 0 and sizes[c] < sizes[outer]]
            if inside:
                return outer, int(rng.choice(inside))
        raise ValueError(f"no device{left} has another device with customers below it")

    # -- what the customers and meters say --------------------------------------------
    def _fault(self, s: Scenario, outer: int, inner: int, rng: np.random.Generator) -> None:
        p = s.params
        t0 = p.start + timedelta(minutes=float(rng.uniform(0, p.storm_minutes)))
        if p.kind == "sectionalized":
            self._sectionalized(s, outer, inner, t0, rng)
            return
        t1 = t0 + timedelta(minutes=float(rng.uniform(*p.repair_minutes)))
        customers = self._customers[outer]
        self._record(s, outer, customers, t0, t1)
        self._reports(s, customers, t0, t1, rng)
        self._device(s, outer, t0, t1, rng, scada=self.tree.kind[outer] in p.scada_kinds,
                     found_from=t0)
        if inner < 0:
            self._restores(s, customers, t1, rng)
            return
        if p.kind == "inner_first":
            # Repaired before the outer device closes: out, like everyone, until then.
            t_inner = t0 + timedelta(minutes=float(rng.uniform(p.repair_minutes[0] / 2,
                                                               (t1 - t0).total_seconds() / 60)))
            self._record(s, inner, self._customers[inner], t0, t_inner)
            self._device(s, inner, t0, t_inner, rng, scada=False, report_open=False,
                         found_from=t0)
            self._restores(s, customers, t1, rng)
            return
        # The inner device is found still open when the outer one closes.
        t2 = t1 + timedelta(minutes=float(rng.uniform(*p.repair_minutes)))
        inside = self._customers[inner]
        self._record(s, inner, inside, t0, t2)
        self._restores(s, np.setdiff1d(customers, inside), t1, rng)
        self._reports(s, inside, t1 + timedelta(minutes=5), t2, rng, gasps=False)
        # Found by a crew once the outer device is closed and these customers still out.
        self._device(s, inner, t0, t2, rng, scada=False, report_open=False, found_from=t1)
        self._restores(s, inside, t2, rng)

    def _sectionalized(self, s: Scenario, outer: int, inner: int, t0: datetime,
                       rng: np.random.Generator) -> None:
        """A fault behind `inner` trips `outer`. A crew patrols, opens `inner` to isolate
        the fault and closes `outer` two minutes later (a partial restoration), then
        repairs the fault and closes `inner`."""
        p = s.params
        t_open = t0 + timedelta(minutes=float(rng.uniform(p.repair_minutes[0] / 2,
                                                          p.repair_minutes[0])))
        t1 = t_open + timedelta(minutes=2)
        t2 = t1 + timedelta(minutes=float(rng.uniform(*p.repair_minutes)))
        customers, inside = self._customers[outer], self._customers[inner]
        self._record(s, outer, customers, t0, t1)
        self._record(s, inner, inside, t0, t2)
        self._reports(s, customers, t0, t1, rng)
        self._device(s, outer, t0, t1, rng, scada=self.tree.kind[outer] in p.scada_kinds,
                     found_from=t0)
        s.events.append({"type": "device", "time": t_open, "device_id":
                         self.tree.element_id[inner], "state": "open", "source": "crew"})
        self._restores(s, np.setdiff1d(customers, inside), t1, rng)
        self._reports(s, inside, t1 + timedelta(minutes=5), t2, rng, gasps=False)
        self._device(s, inner, t0, t2, rng, scada=False, report_open=False)  # opened above
        self._restores(s, inside, t2, rng)

    def _record(self, s: Scenario, c: int, customers: np.ndarray, t0: datetime,
                t1: datetime) -> None:
        ids = self.network.customers.ids
        s.truth.append(TrueOutage(c, self.tree.element_id[c],
                                  frozenset(ids[i] for i in customers.tolist()), t0, t1))

    def _reports(self, s: Scenario, customers: np.ndarray, t0: datetime, t1: datetime,
                 rng: np.random.Generator, *, gasps: bool = True) -> None:
        p = s.params
        window = max((t1 - t0).total_seconds() / 60 - 1, 1.0)
        callers = customers[rng.random(len(customers)) < p.call_rate]
        for i in callers.tolist():
            delay = min(float(rng.exponential(p.call_delay_minutes)), window)
            self._call(s, i, t0 + timedelta(minutes=delay), rng)
            if rng.random() < p.repeat_call_rate:
                self._call(s, i, t0 + timedelta(minutes=min(delay + 15, window)), rng)
        if gasps and p.meter_delivery > 0:
            for i in customers[rng.random(len(customers)) < p.meter_delivery].tolist():
                delay = float(rng.uniform(1, 60 * p.gasp_delay_minutes))
                s.events.append(self._meter(i, t0 + timedelta(seconds=delay), "off"))

    def _restores(self, s: Scenario, customers: np.ndarray, t1: datetime,
                  rng: np.random.Generator) -> None:
        if s.params.meter_delivery <= 0:
            return
        for i in customers[rng.random(len(customers)) < s.params.meter_delivery].tolist():
            s.events.append(self._meter(i, t1 + timedelta(seconds=float(rng.uniform(1, 60))), "on"))

    def _meter(self, i: int, when: datetime, state: str) -> dict[str, Any]:
        return {"type": "meter", "time": when, "customer_id": self.network.customers.ids[i],
                "state": state}

    def _call(self, s: Scenario, i: int, when: datetime, rng: np.random.Generator) -> None:
        event: dict[str, Any] = {"type": "call", "time": when,
                                 "channel": str(rng.choice(["ivr", "agent", "web", "app", "sms"]))}
        c = self.network.customers
        if rng.random() < s.params.location_only_share and math.isfinite(c.x[i]):
            key = ("lon", "lat") if self.network.crs else ("x", "y")
            # About 5 m, or half a unit, each way.
            jitter = (5e-5 if self.network.crs else 0.5) * s.params.location_error
            event["location"] = {key[0]: float(c.x[i] + rng.normal(0, jitter)),
                                 key[1]: float(c.y[i] + rng.normal(0, jitter))}
            event[CALLER] = c.ids[i]  # moved to Scenario.callers once the events are sorted
        else:
            event["customer_id"] = c.ids[i]
        # Drawn only when asked for, so scenarios without hazards keep their draws.
        if s.params.hazard_share and rng.random() < s.params.hazard_share:
            event["hazard"] = "wire_down"
        s.events.append(event)

    def _device(self, s: Scenario, c: int, t0: datetime, t1: datetime,
                rng: np.random.Generator, *, scada: bool, report_open: bool = True,
                found_from: datetime | None = None) -> None:
        """The device events of a fault at `c` from `t0` to its repair at `t1`: SCADA's
        open (when it watches `c`), a crew's open on arrival after `found_from` (a
        share of faults, `crew_confirm_share`), the close at the repair."""
        device = self.tree.element_id[c]
        if self.tree.kind[c] == "source":
            return  # a source has no device to close: restoration shows in meters only
        if scada and report_open:
            s.events.append({"type": "device", "time": t0, "device_id": device, "state": "open",
                             "source": "scada"})
        share = s.params.crew_confirm_share
        # Drawn only when asked for, so scenarios without confirmations keep their draws.
        if share and found_from is not None and not scada and rng.random() < share:
            arrived = t1 - (t1 - found_from) * float(rng.uniform(0.2, 0.8))
            s.events.append({"type": "device", "time": arrived, "device_id": device,
                             "state": "open", "source": "crew"})
        reported = t1 if scada else t1 + timedelta(minutes=s.params.crew_report_delay_minutes)
        s.events.append({"type": "device", "time": reported, "device_id": device,
                         "state": "closed", "source": "scada" if scada else "crew"})

    def _false_calls(self, s: Scenario, rng: np.random.Generator,
                     going_on: list[TrueOutage]) -> None:
        p = s.params
        true_calls = sum(1 for e in s.events if e["type"] == "call")
        n_false = int(rng.poisson(true_calls * p.false_call_share / (1 - p.false_call_share)))
        out = set().union(*(t.customers for t in s.truth + going_on))
        ids = self.network.customers.ids
        pool = np.array([i for i in range(len(ids)) if ids[i] not in out])
        if n_false == 0 or len(pool) == 0:
            return
        span = p.storm_minutes + p.repair_minutes[0]
        for i in rng.choice(pool, size=n_false).tolist():
            when = p.start + timedelta(minutes=float(rng.uniform(0, span)))
            self._call(s, i, when, rng)
