"""The live demo: a simulated storm at accelerated time on the sample territory.

A `ScenarioBuilder` storm (plus one nested pair) provides the faults, calls and last
gasps; what happens after a fault is simulated here, driven by the live plan:
crews drive to their first job along the streets, work for a while, and restore
it; only then do the meters of the repaired section report power back, and
customers of a nested outage still out call again. A simulated AMI head-end
answers the engine's pings from the simulation's truth. Everything enters
through `LiveState.submit`, exactly like real inputs.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from dispatch.from_outages import JobParams, outage_location, round_up
from gis import Network
from gis.roads import load_roads, nearest_road_node
from outage.simulate import (
    CALLBACK_ANSWERED,
    CALLBACK_DELAY,
    Scenario,
    ScenarioBuilder,
    ScenarioParams,
    TrueOutage,
)
from web.clock import SimClock
from web.crews import CrewState
from web.live import LiveState

log = logging.getLogger(__name__)
DRIVE_KMH = 35.0
CAUSES = ("tree contact", "lightning", "equipment failure", "wind", "vehicle", "animal")
TICK = 0.25  # wall seconds between simulation steps
DEMO_HAZARD_SHARE = 0.02  # calls that report a wire down
# Complaints customers make during and after a storm: (text, channel, the class they
# chose or None). Filed over the storm's first hours, for the complaints desk.
DEMO_COMPLAINTS = (
    ("Nobody told us when the power would be back, and the line was busy for 40 minutes.",
     "phone", None),
    ("Lights keep flickering since the storm and a surge damaged my TV.", "web", None),
    ("Will I be charged for the days without power? My bill should be reduced.", "app",
     "price"),
    ("Third outage on our street this month. Why is the supply so unreliable?", "web",
     None),
    ("What is your compensation policy for food spoiled during long outages?", "email",
     None),
    ("The crew left without telling us anything and we still have no power.", "hall",
     None),
    ("I was charged a late fee although I paid on time.", "phone", None),
    ("A branch your team cut is still lying across the sidewalk.", "web", "other"),
)


def demo_crews(network: Network, count: int = 8) -> list[dict[str, Any]]:
    """Crews starting at the substations (half each), one tree crew and one mutual-aid crew."""
    subs = [(float(network.buses.x[b]), float(network.buses.y[b]))
            for b in network.sources.bus.tolist()]
    crews = []
    for k in range(count):
        lon, lat = subs[k % len(subs)]
        kind, skills = "line", ["line", "switching"]
        if k == count - 2:
            kind, skills = "tree", ["line", "tree", "switching"]
        elif k == count - 1:
            kind, skills = "mutual_aid", ["line"]
        crews.append({"id": f"C{k + 1}", "name": f"Crew {k + 1}", "kind": kind,
                      "skills": skills, "lon": lon + 0.0004 * k, "lat": lat})
    return crews


def demo_users(crews: list[dict[str, Any]]) -> list[dict[str, Any]]:
    users = [{"username": "dispatcher", "password": "dispatch", "role": "dispatcher"},
             {"username": "supervisor", "password": "supervise", "role": "supervisor"},
             {"username": "admin", "password": "admin", "role": "admin"},
             {"username": "agent", "password": "agent", "role": "agent"}]
    users += [{"username": f"crew{c['id'][1:]}", "password": "crew", "role": "crew",
               "crew_id": c["id"]} for c in crews]
    return users


class SimulatedHeadEnd:
    """`MeterPinger` that queues pings; the demo answers them from the truth, later
    (never inside `submit`, which is where the engine asks)."""

    def __init__(self) -> None:
        self.pending: deque[str] = deque()

    def ping(self, customer_ids: list[str]) -> None:
        self.pending.extend(customer_ids)


class SimulatedIvr:
    """`CustomerCallback` that queues callbacks; the demo calls the customers back
    CALLBACK_DELAY later and CALLBACK_ANSWERED of them answer from the truth."""

    def __init__(self) -> None:
        self.asked: deque[str] = deque()

    def call_back(self, customer_ids: list[str]) -> None:
        self.asked.extend(customer_ids)


@dataclass(slots=True)
class _Work:
    path: list[tuple[float, float]] = field(default_factory=list)
    done_at: datetime | None = None


class Demo:
    """Runs the storm on a background thread against a `LiveState`."""

    def __init__(self, live: LiveState, clock: SimClock, head_end: SimulatedHeadEnd,
                 roads: str | Path | None, *, ivr: SimulatedIvr | None = None,
                 outages: int = 18, seed: int = 2026) -> None:
        self.live, self.clock, self.head_end, self.ivr = live, clock, head_end, ivr
        self.callbacks: list[tuple[datetime, str]] = []  # (when to call, customer)
        network = live.network
        builder = ScenarioBuilder(network)
        self.tree = builder.tree
        start = clock.start + timedelta(minutes=1)
        # A few callers see a wire down: red markers, hazard jobs first in the plan.
        storm = builder.build(ScenarioParams(kind="storm", outages=outages, call_rate=0.2,
                                             meter_delivery=0.6, storm_minutes=100.0,
                                             hazard_share=DEMO_HAZARD_SHARE, start=start), seed)
        try:
            nested = builder.build(ScenarioParams(kind="nested", call_rate=0.3,
                                                  meter_delivery=0.6,
                                                  start=start + timedelta(minutes=20)), seed + 1)
        except ValueError:  # a network with no device below another: no nested fault
            nested = Scenario(storm.params, seed + 1)
        self.truth: list[TrueOutage] = [*storm.truth, *nested.truth]
        self.inner = {id(nested.truth[1]): nested.truth[0]} if len(nested.truth) == 2 else {}
        self.fixed: set[int] = set()
        self.rng = np.random.default_rng(seed)
        self.queue = deque(self._keep([*storm.events, *nested.events]))
        self.later: list[tuple[datetime, dict[str, Any]]] = []
        self.work: dict[str, _Work] = {}
        self.roads = load_roads(roads) if roads and Path(roads).exists() else None
        self._complaint_rng = np.random.default_rng(seed + 7)  # the storm's draws stay as they were
        self._estimate_rng = np.random.default_rng(seed + 11)  # crews' ETRs, likewise
        self.complaints = self._complaints(start)
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="demo-storm", daemon=True)

    def _keep(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Faults and first reports only: restorations happen when the crews repair."""
        # Calls of a nested fault's customers after the outer repair are re-drawn when the
        # crews actually repair the outer one (see _fix_truth).
        cutoff = {c: outer.end.isoformat() for inner, outer in self._pairs()
                  for c in inner.customers}
        kept = []
        for e in events:
            if e["type"] == "device" and e.get("state") == "closed":
                continue
            if e["type"] == "meter" and e.get("state") == "on":
                continue
            limit = cutoff.get(e.get("customer_id", ""))
            if e["type"] == "call" and limit and e["time"].replace("Z", "+00:00") >= limit:
                continue
            kept.append(e)
        kept.sort(key=lambda e: e["time"])
        return kept

    def _complaints(self, start: datetime) -> list[tuple[datetime, int]]:
        """When each demo complaint comes in (the storm's first four hours), in order."""
        minutes = sorted(self._complaint_rng.uniform(15, 240, len(DEMO_COMPLAINTS)).tolist())
        return [(start + timedelta(minutes=m), k) for k, m in enumerate(minutes)]

    def _complain(self, now: datetime) -> None:
        """File the complaints due: from customers the storm put out (most), by the
        channel each came by; half leave a number to answer by text."""
        if not self.complaints or self.complaints[0][0] > now:
            return  # every step asks; the customers out are looked up only when one is due
        ids = self.live.network.customers.ids
        out = sorted(self._out_now(now)) or list(ids[:50])
        while self.complaints and self.complaints[0][0] <= now:
            _, k = self.complaints.pop(0)
            text, channel, category = DEMO_COMPLAINTS[k]
            customer = out[int(self._complaint_rng.integers(len(out)))]
            contact = ("sms", f"+1 503 555 {1000 + k:04d}") if k % 2 == 0 else None
            try:
                self.live.complaints.file("customer" if channel == "web" else "agent", text,
                                          channel, category=category, customer_id=customer,
                                          contact=contact)
            except ValueError as error:
                log.warning("demo complaint refused: %s", error)

    def _pairs(self) -> list[tuple[TrueOutage, TrueOutage]]:
        """(inner, outer) of each nested fault."""
        return [(t, self.inner[id(t)]) for t in self.truth if id(t) in self.inner]

    # -- running -------------------------------------------------------------------------
    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        last_emit = 0.0
        while not self._stop.wait(TICK):
            try:
                self.step()
                if time.monotonic() - last_emit > 1.0:
                    last_emit = time.monotonic()
                    self.live.emit_crews()
                    self.live.emit_kpis()
            except Exception:  # the storm goes on; the error is in the log
                log.exception("demo step failed")

    def step(self) -> None:
        now = self.clock.now()
        stamp = now.isoformat()
        for _ in range(200):  # bounded per tick, so a backlog cannot starve the crews
            if not self.queue or self.queue[0]["time"].replace("Z", "+00:00") > stamp:
                break
            self._submit(self.queue.popleft())
        self.later.sort(key=lambda item: item[0])
        while self.later and self.later[0][0] <= now:
            self._submit(self.later.pop(0)[1])
        self._answer_pings(now)
        self._call_back(now)
        self._complain(now)
        for crew in self.live.crews.all():
            self._drive(crew, now)

    def _submit(self, event: dict[str, Any]) -> None:
        try:
            self.live.submit(event)
        except ValueError as error:  # a location call off the network, say: skipped
            log.debug("demo event refused: %s", error)

    def _answer_pings(self, now: datetime) -> None:
        out = self._out_now(now)
        while self.head_end.pending:
            customer = self.head_end.pending.popleft()
            self._submit({"type": "meter", "time": now.isoformat(), "customer_id": customer,
                          "state": "off" if customer in out else "on", "ping": True})

    def _call_back(self, now: datetime) -> None:
        """Customers asked for since the last step are called back CALLBACK_DELAY later;
        some answer, saying whether their power is on."""
        if self.ivr is None:
            return
        while self.ivr.asked:
            self.callbacks.append((now + CALLBACK_DELAY, self.ivr.asked.popleft()))
        due = [c for when, c in self.callbacks if when <= now]
        if not due:
            return
        self.callbacks = [(when, c) for when, c in self.callbacks if when > now]
        out = self._out_now(now)
        for customer in due:
            if self.rng.random() < CALLBACK_ANSWERED:
                self._submit({"type": "callback", "time": now.isoformat(),
                              "customer_id": customer,
                              "state": "off" if customer in out else "on"})

    def _out_now(self, now: datetime) -> set[str]:
        out: set[str] = set()
        for t in self.truth:
            if id(t) not in self.fixed and t.start <= now:
                out |= t.customers
        return out

    # -- crews ---------------------------------------------------------------------------
    def _drive(self, crew: CrewState, now: datetime) -> None:
        job = crew.job
        current = self.live.find(job) if job is not None else None
        if job is not None and (current is None or not current.active):
            self._set(crew, "available", None)
            return
        if crew.status in ("available", "assigned"):
            self._dispatch(crew, now)
        elif crew.status == "en_route" and job is not None:
            self._move(crew, job, now)
        elif crew.status == "on_site" and job is not None:
            work = self.work.get(crew.id)
            if work is not None and work.done_at is not None and now >= work.done_at:
                self._restore(crew, job, now)

    def _dispatch(self, crew: CrewState, now: datetime) -> None:
        result = self.live.planner.result
        route = result.plan.routes.get(crew.id, ()) if result else ()
        if not route:
            return
        job = route[0]
        outage = self.live.find(job)
        if outage is None or not outage.active or outage.crew_id not in ("", crew.id):
            return
        target = outage_location(self.live.network, outage.device_id)
        if target is None:
            return
        self.work[crew.id] = _Work(path=self._path((crew.lon, crew.lat), target))
        self._crew_event(crew, job, "en_route", now)
        crew.path = [list(p) for p in self.work[crew.id].path]
        self._set(crew, "en_route", job)

    def _move(self, crew: CrewState, job: str, now: datetime) -> None:
        work = self.work.setdefault(crew.id, _Work())
        step_m = DRIVE_KMH / 3.6 * TICK * self.clock.speed
        while work.path and step_m > 0:
            lon, lat = work.path[0]
            d = _metres(crew.lon, crew.lat, lon, lat)
            if d <= step_m:
                crew.lon, crew.lat = lon, lat
                work.path.pop(0)
                step_m -= d
            else:
                f = step_m / d
                crew.lon += (lon - crew.lon) * f
                crew.lat += (lat - crew.lat) * f
                step_m = 0
        crew.path = [[crew.lon, crew.lat], *[list(p) for p in work.path]]
        if not work.path:
            outage = self.live.outage(job)
            minutes = JobParams().minutes.get(outage.device_kind, 90.0) * float(
                self.rng.uniform(0.6, 1.3))
            work.done_at = now + timedelta(minutes=minutes)
            self._crew_event(crew, job, "on_site", now)
            # Sized up on arrival: when the power will be back, to the quarter hour, from
            # a tenth under to a quarter over the truth (its customers are told it).
            guess = now + timedelta(minutes=minutes * float(self._estimate_rng.uniform(0.9, 1.25)))
            said = round_up(guess)
            self._submit({"type": "dispatcher", "action": "set_etr", "by": "crew",
                          "outage_id": job, "time": now.isoformat(), "etr": said.isoformat()})
            crew.path = []
            self._set(crew, "on_site", job)

    def _restore(self, crew: CrewState, job: str, now: datetime) -> None:
        """The crew repairs what it finds at its job and says so: the job restored, and
        a device above the one predicted that it found open and closed (the fault was
        there: the reports pointed too low), as a crew reports the device it operated.
        Without it the customers of the rest of that device's area, whose meters did not
        say they had power back, stay on the board as outages nobody can find."""
        outage = self.live.outage(job)
        self._crew_event(crew, job, "restored", now, cause=str(self.rng.choice(CAUSES)))
        self._set(crew, "available", None)
        repaired = self._repaired_by(outage.candidate, now)
        for t in repaired:
            above = t.candidate != outage.candidate and self.tree.contains(t.candidate,
                                                                           outage.candidate)
            if above and self.tree.kind[t.candidate] != "source":
                self._submit({"type": "device", "time": now.isoformat(),
                              "device_id": t.device_id, "state": "closed", "source": "crew"})
        self._fix_truth(repaired, now)

    def _crew_event(self, crew: CrewState, job: str, status: str, now: datetime,
                    cause: str = "") -> None:
        self._submit({"type": "crew", "time": now.isoformat(), "outage_id": job,
                      "status": status, "crew_id": crew.id, "cause": cause})

    def _set(self, crew: CrewState, status: str, job: str | None) -> None:
        with self.live.crews.lock:
            crew.status, crew.job = status, job
            if job is None:
                crew.path = []
        self.live.save_crew(crew)
        self.live.emit_crew_jobs(crew.id)
        self.live.planner.request()

    # -- physics -------------------------------------------------------------------------
    def _repaired_by(self, candidate: int, now: datetime) -> list[TrueOutage]:
        """The faults a crew working at `candidate` finds and repairs: those under it or
        above it that have begun, except a nested fault whose outer one is still open
        (it is found once the outer one is closed)."""
        tree = self.tree
        found = []
        for t in self.truth:
            if id(t) in self.fixed or t.start > now:
                continue
            related = tree.contains(candidate, t.candidate) or tree.contains(t.candidate,
                                                                             candidate)
            outer = self.inner.get(id(t))
            if related and (outer is None or id(outer) in self.fixed):
                found.append(t)
        return found

    def _fix_truth(self, repaired: list[TrueOutage], now: datetime) -> None:
        """The repaired sections are live again: their meters say so; nested faults
        remain, and their customers find they are still out."""
        for t in repaired:
            self.fixed.add(id(t))
            still_out = self._out_now(now)
            back = sorted(t.customers - still_out)
            for customer in back:
                if self.rng.random() < 0.6:
                    when = now + timedelta(seconds=float(self.rng.uniform(5, 90)))
                    self.later.append((when, {"type": "meter", "time": when.isoformat(),
                                              "customer_id": customer, "state": "on"}))
            for inner, its_outer in self._pairs():
                if its_outer is t:  # customers of the nested fault find they are still out
                    for customer in sorted(inner.customers):
                        if self.rng.random() < 0.4:
                            when = now + timedelta(minutes=float(self.rng.uniform(3, 25)))
                            self.later.append((when, {"type": "call", "channel": "ivr",
                                                      "time": when.isoformat(),
                                                      "customer_id": customer}))

    def _path(self, a: tuple[float, float], b: tuple[float, float]) -> list[tuple[float, float]]:
        if self.roads is None:
            return [b]
        try:
            s = nearest_road_node(self.roads, *a)
            t = nearest_road_node(self.roads, *b)
            nodes = nx.shortest_path(self.roads, s, t, weight="travel_s")
        except (nx.NetworkXNoPath, nx.NodeNotFound, ValueError):
            return [b]
        g = self.roads.nodes
        return [(g[n]["lon"], g[n]["lat"]) for n in nodes] + [b]


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    k = 111_320.0
    return math.hypot((lon2 - lon1) * k * math.cos(math.radians(lat1)), (lat2 - lat1) * k)
