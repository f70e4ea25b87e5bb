"""The live state of one server: the outage service, crews, plan, KPIs, and the relay.

Every accepted input goes through `LiveState.submit` (validate → durable append →
apply, in `OutageService.submit`); the engine's change notifications are
collected and relayed to Socket.IO rooms after each submit — the domain never
emits. Readers take the same lock as the writer, so they see whole events.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from flask_socketio import SocketIO

from dispatch.from_outages import round_up
from gis import Network
from outage.complaints import ComplaintBook
from outage.errors import EventError
from outage.etrs_kept import etrs_kept
from outage.events import QUIET_TICK
from outage.open_reports import count_open_reports, open_reports, reporting_mask
from outage.outlook import restored_by
from outage.records import ETR_BY_PEOPLE, Outage, Stage
from outage.reliability import ReliabilityTracker
from outage.reliability.errors import ReliabilityError
from outage.reliability.records import Interruption
from outage.response import summarise
from outage.service import OutageService, Receipt
from web.clock import Clock
from web.complaints_desk import ComplaintsDesk, Contacts
from web.crews import CrewRegistry, CrewState
from web.directory import Directory
from web.notify import Updates, rating_of
from web.planner import Planner, PlannerParams, PlanResult
from web.store import Subscription, WebStore
from web.views_model import (
    NetworkViews,
    customer_status,
    open_report_summary,
    outage_summary,
    public_areas,
)
from web.watchers import StatusWatchers, status_key, was_out

log = logging.getLogger(__name__)
HOUR = timedelta(hours=1)
REPLAN_EVERY = timedelta(minutes=5)  # a plan this old is made again, events or none
KPI_WINDOW = timedelta(days=30)  # the response, satisfaction and complaints KPIs' period
CURVE_POINTS = 1500
OPEN_REPORTS_LISTED = 2000  # the dashboard's list; the count covers them all


class LiveState:
    """Everything the web layer serves, and the single path by which inputs arrive."""

    def __init__(self, network: Network, service: OutageService, clock: Clock, store: WebStore,
                 socketio: SocketIO, planner_params: PlannerParams, updates: Updates,
                 complaints: ComplaintBook, *, on_earth: bool = True,
                 escalation: Contacts | None = None) -> None:
        self.network = network
        self.service = service
        self.engine = service.engine
        self.clock = clock
        self.store = store
        self.updates = updates
        self.socketio = socketio
        self.lock = threading.RLock()  # one writer; readers see whole events
        self.views = NetworkViews(self.engine)
        self.directory = Directory(network)
        self.crews = CrewRegistry()
        self.complaints = ComplaintsDesk(complaints, store, updates, socketio, self.now,
                                         escalation)
        # The network's places are real ones (else drawn at a nominal origin): crews get
        # a link their phone's maps can follow.
        self.on_earth = on_earth
        for body in store.crews():
            self.crews.add(CrewState(**body))
        self.planner = Planner(self, planner_params, self._on_plan)
        self.tracker = ReliabilityTracker(int(network.customers.count.sum()))
        self._tracked: set[str] = set()
        self._ended: set[str] = set()
        self._dirty: set[str] = set()
        self._calls: deque[datetime] = deque()
        # The follow-up's ratings of the last KPI_WINDOW, oldest first (the KPIs').
        self._ratings: deque[tuple[datetime, int]] = deque(
            store.ratings(clock.now() - KPI_WINDOW))
        self._curve: list[tuple[str, int]] = []
        self._last_now: datetime | None = None
        self._last_public = 0.0
        self._kpi_timer: threading.Timer | None = None
        self._ticker: threading.Thread | None = None
        self._forgot_at: datetime | None = None
        self.watchers = StatusWatchers(network.customers.index, store.subscribed_customers())
        self.after_submit: list[Callable[[dict[str, Any], Receipt], None]] = []
        service.subscribe(self._mark)
        with self.lock:
            self._dirty = {o.id for o in self.engine.outages()}
            self.flush(replan=False)

    # -- input ---------------------------------------------------------------------------
    def now(self) -> datetime:
        """The clock, never behind the engine's event time (snapshots must not go back)."""
        now = self.clock.now()
        if self.engine.now is not None and self.engine.now > now:
            now = self.engine.now
        if self._last_now is not None and self._last_now > now:
            now = self._last_now
        self._last_now = now
        return now

    def submit(self, data: dict[str, Any], idempotency_key: str | None = None) -> Receipt:
        """Stamp (if untimed), validate, log durably, apply; then relay what changed.

        With an `idempotency_key`, the key is committed with the event: a retry of an
        event already logged gets `Receipt(duplicate=True)` with the first sequence
        number and changes nothing. An event its sender dated more than a few minutes
        after this server's clock, or more than a day before it, is taken as received
        now, with a note (`outage.service.on_the_clock`).
        """
        clock_now: datetime | None = None
        if isinstance(data, dict) and "time" not in data:
            data = {**data, "time": self.now().isoformat()}
        else:
            clock_now = self.clock.now()
        with self.lock:
            receipt = self.service.submit(data, idempotency_key=idempotency_key,
                                          now=clock_now)
            if receipt.duplicate:
                return receipt
            if data.get("type") == "call":
                self._calls.append(self.engine.now or self.now())
            self._touch_watchers(data)
            for hook in self.after_submit:
                hook(data, receipt)
            self.flush()
        return receipt

    def _touch_watchers(self, data: dict[str, Any]) -> None:
        """Customers an accepted event names (a report, the desk clearing reports), a
        device it switches, and customers whose own report stood again or lapsed as the
        engine's clock moved may have a new status whether or not an outage changed."""
        named = data.get("customer_ids")
        for customer_id in [data.get("customer_id"), *(named if isinstance(named, list) else [])]:
            if isinstance(customer_id, str):
                self.watchers.touch(customer_id)
        if data.get("type") == "device":
            candidate = self.engine.tree.index.get(str(data.get("device_id")))
            if candidate is not None:
                self.watchers.touch_device(candidate)
        self.watchers.touch_reporting(partial(reporting_mask, self.engine))

    def tick_if_quiet(self) -> Receipt | None:
        """Log a tick when QUIET_TICK has passed without events: what the engine has due
        (a restored area's silent meters weighed, a nested outage found) happens on time
        rather than at the next report, and the log keeps it for a replay."""
        now = self.now()
        with self.lock:
            last = self.engine.now
        if last is None or now - last < QUIET_TICK:
            return None  # nothing has happened yet, or events are keeping time
        return self.submit({"type": "tick", "time": now.isoformat()})

    def start_clock(self, interval: float = 5.0) -> None:
        """Check every `interval` real seconds whether a tick is due (background thread)."""
        if self._ticker is None:
            self._ticker = threading.Thread(target=self._tick_loop, args=(interval,),
                                            name="clock", daemon=True)
            self._ticker.start()

    def _tick_loop(self, interval: float) -> None:
        duties = (self.tick_if_quiet, self.forget_old_messages, self.complaints.escalate_due,
                  self.replan_if_stale)
        while True:  # a daemon thread: it ends with the process
            time.sleep(interval)
            for duty in duties:  # one failing (the event log down) stops none of the others
                try:
                    duty()
                except Exception:  # the clock must keep running; the error is logged
                    log.exception("clock: %s failed", duty.__name__)

    def replan_if_stale(self) -> bool:
        """Ask for a new plan when the last is `REPLAN_EVERY` old (on the app's clock):
        nothing happening is news too — a crew past its time makes its ETR one the plan
        can no longer meet, and only a new plan says so. Whether one was asked for."""
        result = self.planner.result
        if result is None or self.now() - result.at < REPLAN_EVERY:
            return False
        self.planner.request()
        return True

    def forget_old_messages(self) -> int:
        """Delete the texts past their retention, at most once an hour; how many. On the
        wall clock, as the outbox's times are: retention is real time, even in a demo."""
        now = datetime.now(UTC)
        if self._forgot_at is not None and now - self._forgot_at < HOUR:
            return 0
        self._forgot_at = now
        return self.updates.forget(now)

    def _mark(self, outage: Outage) -> None:
        self._dirty.add(outage.id)

    # -- relay ---------------------------------------------------------------------------
    def flush(self, *, replan: bool = True) -> None:
        """Relay changed outages to their rooms; keep KPIs, reliability and the plan current."""
        with self.lock:
            ids, self._dirty = self._dirty, set()
            changed = [self.engine.book.outages[i] for i in sorted(ids)]
            payload = [self.decorate(outage_summary(self.views, o)) for o in changed]
            if changed:
                self._track_reliability(changed)
                self._sample_curve()
            crews = {o.crew_id for o in changed if o.crew_id}
        if not changed:  # a report outside every outage still moves the calls and open reports
            self.emit_watched([])
            self.schedule_kpis()
            return
        self.socketio.emit("outages", payload, to="dispatch")
        for crew_id in crews:
            self.emit_crew_jobs(crew_id)
        self.emit_watched(changed)
        self.emit_public(force=False)
        self.schedule_kpis()
        if replan:
            self.planner.request()

    def schedule_kpis(self, delay: float = 0.3) -> None:
        """Emit KPIs shortly (coalescing bursts of events into one update)."""
        with self.lock:
            if self._kpi_timer is not None:
                return
            self._kpi_timer = threading.Timer(delay, self._kpis_due)
            self._kpi_timer.daemon = True
            self._kpi_timer.start()

    def _kpis_due(self) -> None:
        with self.lock:
            self._kpi_timer = None
        self.emit_kpis()

    def emit_kpis(self) -> None:
        self.socketio.emit("kpis", self.kpis(), to="dispatch")

    def emit_crews(self) -> None:
        self.socketio.emit("crews", self.crews.to_json(), to="dispatch")

    def emit_crew_jobs(self, crew_id: str) -> None:
        if crew_id in self.crews:
            self.socketio.emit("jobs", self.crew_jobs(crew_id), to=f"crew:{crew_id}")

    def emit_public(self, *, force: bool) -> None:
        if force or time.monotonic() - self._last_public > 1.0:  # at most 1/s to the public
            self._last_public = time.monotonic()
            self.socketio.emit("areas", self.public_map(), to="public")

    def emit_watched(self, changed: list[Outage]) -> None:
        """Customers watching (status page open, or subscribed) get their status when
        it changes: those `changed` outages, or their own reports, may have moved
        (`StatusWatchers.due`)."""
        with self.lock:
            now = self.now()
            changes = []
            for customer_id in self.watchers.due(changed, self.engine.supplied_through):
                status = customer_status(self.engine, customer_id, now)
                out_before = was_out(self.watchers.last(customer_id))
                if self.watchers.sent(customer_id, status_key(status)):
                    changes.append((customer_id, status, out_before,
                                    self.watchers.subscribed(customer_id)))
        for customer_id, status, _, _ in changes:
            self.socketio.emit("status", status, to=f"customer:{customer_id}")
        told = [(customer_id, status, out)
                for customer_id, status, out, subscribed in changes if subscribed]
        try:
            self.updates.statuses_changed(told)
        except Exception:  # the event is logged and applied already: its answer stands
            log.exception("updates to %d subscribed customers not queued: %s", len(told),
                          ", ".join(c for c, _, _ in told[:20]))

    def watch_page(self, sid: str, customer_id: str) -> None:
        """A status page (Socket.IO connection `sid`) watches a customer's status."""
        with self.lock:
            self.watchers.open(sid, customer_id)

    def unwatch_page(self, sid: str) -> None:
        with self.lock:
            self.watchers.close(sid)

    def subscribe(self, customer_id: str, channel: str, contact: str) -> int:
        """Store a subscription to updates, watch the customer for good, and welcome
        them with their supply as it is (what later updates are measured against)."""
        subscription = Subscription(self.store.subscribe(customer_id, channel, contact),
                                    customer_id, channel, contact)
        status = self.customer_status(customer_id)
        with self.lock:
            self.watchers.subscribe(customer_id)
            self.watchers.sent(customer_id, status_key(status))
        self.updates.welcome(subscription, status)
        return subscription.id

    # -- reads ---------------------------------------------------------------------------
    def find(self, outage_id: str) -> Outage | None:
        """The outage record with that id, or None (read under the lock)."""
        with self.lock:
            return self.engine.book.outages.get(outage_id)

    def outage(self, outage_id: str) -> Outage:
        outage = self.find(outage_id)
        if outage is None:
            raise LookupError(f"unknown outage {outage_id!r}")
        return outage

    def outages(self, *, include_restored: bool = True) -> list[dict[str, Any]]:
        with self.lock:
            return [self.decorate(outage_summary(self.views, o)) for o in self.engine.outages()
                    if include_restored or o.active]

    def decorate(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add the plan's view: planned crew and ETA (none once the crew is there)."""
        result = self.planner.result
        eta = result.eta(data["id"]) if result and data["stage"] != Stage.ON_SITE else None
        data["planned_crew"] = result.crew_of(data["id"]) if result else None
        data["crew_eta"] = eta.isoformat() if eta else None
        return data

    def open_report_count(self) -> int:
        with self.lock:
            return count_open_reports(self.engine)[0]

    def open_reports(self) -> dict[str, Any]:
        """Reports no live outage explains, latest first (hazards lead)."""
        with self.lock:
            reports = open_reports(self.engine)
            latest = reports[-OPEN_REPORTS_LISTED:]
            listed = sorted(latest, key=lambda r: (not r.hazards, -r.since.timestamp()))
            return {"count": len(reports),
                    "reports": [open_report_summary(self.engine, r) for r in listed]}

    def account(self, spelling: str) -> str:
        """The customer id an account number as typed means (any case; LookupError if
        it names nobody, or two)."""
        with self.lock:
            customer_id = self.engine.names.known_customer(spelling)
        if customer_id is None:
            raise LookupError("no customer with that account number")
        return customer_id

    def customer_status(self, customer_id: str) -> dict[str, Any]:
        if customer_id not in self.network.customers.index:
            raise LookupError("no customer with that account number")
        with self.lock:
            outage = self.engine.customer_status(customer_id)
            result = self.planner.result
            eta = result.eta(outage.id) if result and outage else None
            return customer_status(self.engine, customer_id, self.now(), eta)

    def public_map(self) -> dict[str, Any]:
        with self.lock:
            return public_areas(self.views, self.engine.outages(), self.now())

    def crew_jobs(self, crew_id: str) -> dict[str, Any]:
        """A crew's jobs in plan order (its current job first)."""
        crew = self.crews.get(crew_id)
        with self.lock:
            result = self.planner.result
            route = list(result.plan.routes.get(crew_id, ())) if result else []
            if crew.job and crew.job not in route:
                route.insert(0, crew.job)
            # Assigned by a dispatcher since the last plan: on the phone at once.
            route += [o.id for o in self.engine.outages()
                      if o.active and o.crew_id == crew_id and o.id not in route]
            jobs: list[dict[str, Any]] = []
            for job_id in route:
                outage = self.engine.book.outages.get(job_id)
                if outage is None or not outage.active:
                    continue
                summary = outage_summary(self.views, outage)
                loc = summary["location"] or {"lon": 0.0, "lat": 0.0}
                eta = result.eta(job_id) if result else None
                jobs.append({
                    "id": job_id, "order": len(jobs) + 1, "address": summary["address"],
                    "device_id": outage.device_id, "device_kind": outage.device_kind,
                    "customers_out": outage.customers_out, "critical_out": outage.critical_out,
                    "hazards": sorted(outage.hazards), "stage": str(outage.stage),
                    "cause": outage.cause, "location": loc,
                    # A place a phone's maps can find: none on a network drawn at a
                    # nominal origin (no CRS).
                    "navigate": f"geo:{loc['lat']:.6f},{loc['lon']:.6f}?q={loc['lat']:.6f},"
                                f"{loc['lon']:.6f}({outage.id})" if self.on_earth else None,
                    "eta": eta.isoformat() if eta else None,
                    # What its customers are told, and by whom (the crew may say better).
                    "etr": round_up(outage.etr).isoformat() if outage.etr else None,
                    "etr_source": outage.etr_source,
                })
        return {"crew": crew.to_json(), "jobs": jobs}

    def reply(self, message_id: int, text: str) -> tuple[str, int | None] | None:
        """A customer's reply to a sent message (the gateway's): kept with the rating it
        gives; (customer, rating), or None when no such message was sent."""
        rating, now = rating_of(text), self.now()
        customer_id = self.store.reply(message_id, rating, text, now)
        if customer_id is None:
            return None
        if rating is not None:
            with self.lock:
                self._ratings.append((now, rating))
        return customer_id, rating

    def satisfaction(self) -> dict[str, Any]:
        """The follow-up's ratings (1-5) of the last KPI_WINDOW: how many, their mean."""
        with self.lock:
            now = self.now()
            while self._ratings and self._ratings[0][0] < now - KPI_WINDOW:
                self._ratings.popleft()
            ratings = [r for _, r in self._ratings]
        return {"ratings": len(ratings),
                "mean": sum(ratings) / len(ratings) if ratings else None}

    def kpis(self) -> dict[str, Any]:
        with self.lock:
            now = self.now()
            outages = self.engine.outages()  # once: every record, for four figures
            live = [o for o in outages if o.active]
            back = restored_by(live)
            while self._calls and self._calls[0] < now - HOUR:
                self._calls.popleft()
            reliability = self.tracker.status(now)
            ytd = reliability.year_to_date
            unexplained, hazards = count_open_reports(self.engine)
            return {
                "as_of": now.isoformat(),
                "customers_out": sum(o.customers_out for o in live),
                # By when nine in ten of them are to be back, by their outages' ETRs.
                "restored_by": back.isoformat() if back else None,
                "critical_out": sum(o.critical_out for o in live),
                "customers_served": int(self.network.customers.count.sum()),
                "outages_live": len(live),
                # Reported or not, as the evidence implies (a storm's scale, early).
                "outages_implied": self.engine.outages_implied(),
                "calls_last_hour": len(self._calls),
                "open_reports": unexplained, "open_hazards": hazards,
                # Logged events the engine failed on (a defect; see the server's log).
                "engine_faults": len(self.service.faults),
                "by_stage": dict(Counter(str(o.stage) for o in outages)),
                # A crew on site within two hours of the first report (the last 30 days),
                # and the live outages past that with nobody there yet.
                "response": summarise(outages, now, now - KPI_WINDOW).to_json(),
                # Outages restored in 30 days by the last ETR their customers were told.
                "etrs": etrs_kept(outages, now - KPI_WINDOW).to_json(),
                # Customers' answers to the follow-up after restoration (1-5, 30 days).
                "satisfaction": self.satisfaction(),
                # Complaints against the hour and the five working days (30 days), and
                # the open ones past either.
                "complaints": self.complaints.summary(now - KPI_WINDOW),
                "reliability": {
                    "target_asai": reliability.target_asai,
                    "asai_ytd": ytd.asai, "saidi_ytd": ytd.saidi,
                    "budget_minutes": ytd.budget_minutes,
                    "budget_used_fraction": ytd.budget_used_fraction,
                    "burn_ratio": ytd.burn_ratio, "meets_target": ytd.meets_target,
                },
                "curve": list(self._curve),
            }

    # -- bookkeeping ---------------------------------------------------------------------
    def _sample_curve(self) -> None:
        now = self.engine.now or self.now()
        out = sum(o.customers_out for o in self.engine.book.live())
        stamp = now.isoformat()
        if self._curve and self._curve[-1][1] == out:
            return
        self._curve.append((stamp, out))
        if len(self._curve) > CURVE_POINTS:
            self._curve = self._curve[::2]  # keep the shape, halve the points

    def _track_reliability(self, outages: list[Outage]) -> None:
        """Interruptions count once confirmed (a cancelled prediction never counts)."""
        for o in outages:
            try:
                self._track_one(o)
            except (ReliabilityError, ValueError) as error:
                log.warning("reliability tracker: outage %s: %s", o.id, error)

    def _track_one(self, o: Outage) -> None:
        counted = o.stage in (Stage.CONFIRMED, Stage.ASSIGNED, Stage.EN_ROUTE, Stage.ON_SITE)
        if counted and o.id not in self._tracked and o.customers_out > 0:
            self.tracker.start(o.id, o.started, o.customers_out)
            self._tracked.add(o.id)
        elif o.stage in (Stage.RESTORED, Stage.CANCELLED) and o.id not in self._ended:
            self._ended.add(o.id)
            end = max(o.restored or o.updated, o.started)
            if o.id in self._tracked:
                self.tracker.end(o.id, end)
            elif o.stage is Stage.RESTORED and not o.momentary and o.customers_out > 0:
                self.tracker.add(Interruption(o.started, end, o.customers_out, outage_id=o.id))

    # -- plan ----------------------------------------------------------------------------
    def _on_plan(self, result: PlanResult) -> None:
        """Each crew's first job is assigned to it (a crew event in the log), each planned
        outage told the plan's ETR (`_tell_etrs`), then relayed."""
        for crew_id, route in result.plan.routes.items():
            if route:
                self._assign_first(crew_id, route[0])
        for crew in self.crews.all():
            # Its job went (restored by another crew, merged, cancelled): free again.
            if crew.status == "assigned" and not result.plan.routes.get(crew.id):
                crew.status = "available"
        self._tell_etrs(result)
        self.socketio.emit("plan", self.planner.to_json(), to="dispatch")
        for crew in self.crews.all():
            self.emit_crew_jobs(crew.id)
        self.emit_crews()
        self.emit_kpis()

    def _tell_etrs(self, result: PlanResult) -> None:
        """An outage in the plan is restored when its crew should be done: its ETR is
        the plan's (a `set_etr` by "plan" in the log), unless a person (a dispatcher, the
        crew at the job) set it, and told again only as the policy says
        (`PlannerParams.etrs`). The model's ETR knows the kind of device and the storm,
        not how many jobs its crew has before it."""
        policy = self.planner.params.etrs
        if policy is None:
            return
        for outage_id, finish in result.finishes().items():
            with self.lock:
                outage = self.engine.book.outages.get(outage_id)
                if outage is None or not outage.active or outage.etr_source in ETR_BY_PEOPLE:
                    continue
                etr = policy.to_tell(outage.etr, finish)
                if etr is None:
                    continue
                try:
                    self.service_submit_quiet({
                        "type": "dispatcher", "action": "set_etr", "outage_id": outage_id,
                        "etr": etr.isoformat(), "by": "plan"})
                except EventError as error:
                    log.warning("the plan's ETR for %s refused: %s", outage_id, error)

    def _assign_first(self, crew_id: str, job_id: str) -> None:
        with self.lock:  # the check and the assignment see one state
            outage = self.engine.book.outages.get(job_id)
            if outage is None or not outage.active or outage.crew_id == crew_id:
                return
            if outage.stage in (Stage.EN_ROUTE, Stage.ON_SITE):
                return  # another crew is already there; the plan catches up next time
            try:
                self.service_submit_quiet({"type": "crew", "outage_id": outage.id,
                                           "status": "assigned", "crew_id": crew_id})
            except EventError as error:
                log.warning("assignment of %s to %s refused: %s", outage.id, crew_id, error)
        crew = self.crews.get(crew_id)
        if crew.status == "available":
            crew.status = "assigned"

    def service_submit_quiet(self, data: dict[str, Any]) -> Receipt:
        """Submit without asking for a new plan (the plan itself caused it)."""
        data = {**data, "time": data.get("time") or self.now().isoformat()}
        with self.lock:
            receipt = self.service.submit(data)
            self.flush(replan=False)
        return receipt

    def add_crew(self, crew: CrewState) -> None:
        crew.updated = self.now().isoformat()
        self.crews.add(crew)
        self.store.save_crew(crew.id, crew.to_json())
        self.emit_crews()
        self.planner.request()

    def save_crew(self, crew: CrewState) -> None:
        crew.updated = self.now().isoformat()
        self.store.save_crew(crew.id, crew.to_json())
