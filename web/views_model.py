"""What each audience sees of an outage: dispatchers everything, customers only their own.

Pure functions of engine state (no Flask): the API views and the Socket.IO relay
serialise through here, so REST and live updates never disagree.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np

from dispatch.from_outages import outage_location, round_up
from gis import Network
from outage.candidates import NONE
from outage.engine import OutageEngine
from outage.open_reports import OpenReport, open_report_of
from outage.outlook import OUTLOOK_SHARE, restored_by
from outage.records import Outage, Stage

ETR_BY_WORDS = {"crew": "the crew on site's estimate", "dispatcher": "our control room's estimate",
                "plan": "from our crews' schedule", "model": "from outages like it"}
PUBLIC_STAGE = {
    Stage.PREDICTED: "We know about it and are assessing the cause",
    Stage.CONFIRMED: "Confirmed; a crew will be assigned",
    Stage.ASSIGNED: "A crew has been assigned",
    Stage.EN_ROUTE: "A crew is on the way",
    Stage.ON_SITE: "A crew is on site working on it",
    Stage.RESTORED: "Power restored",
    Stage.CANCELLED: "No outage found",
}
CELL_DEG = 0.004  # public map areas: about 300 m x 450 m here, never a single address
RECENTLY_RESTORED = timedelta(hours=12)
CHECKING = "It is not linked to a known outage yet; we are checking the supply at your address"


def _down(value: float) -> float:
    return math.floor(float(value) * 100) / 100


def _up(value: float) -> float:
    return math.ceil(float(value) * 100) / 100


class NetworkViews:
    """Cached geometry look-ups for one engine's network."""

    def __init__(self, engine: OutageEngine) -> None:
        self.engine = engine
        self.network: Network = engine.network
        c = self.network.customers
        ok = np.isfinite(c.x) & np.isfinite(c.y)
        self._cell = np.where(ok, np.floor(c.x / CELL_DEG) * 1_000_000 + np.floor(c.y / CELL_DEG),
                              np.nan)
        self.served_by_cell = Counter(self._cell[ok].tolist())
        # The service territory, coarsely (public): [[south, west], [north, east]],
        # outward to whole hundredths of a degree.
        self.bounds = ([[_down(c.y[ok].min()), _down(c.x[ok].min())],
                        [_up(c.y[ok].max()), _up(c.x[ok].max())]] if ok.any() else None)
        self.dead_branches = lru_cache(maxsize=4096)(self._dead_branches)
        self.cells_of = lru_cache(maxsize=4096)(self._cells_of)
        self.address_near = lru_cache(maxsize=4096)(self._address_near)

    def customers_below(self, candidate: int) -> np.ndarray:
        return self.engine.customers_below(candidate)

    def _dead_branches(self, candidate: int) -> tuple[int, ...]:
        """Branches de-energised by the outage at `candidate` (indices into the network)."""
        branch = int(self.engine.tree.branch[candidate])
        if branch == NONE:
            buses = np.flatnonzero(self.engine.topology.tree_of ==
                                   self.network.sources.index[self.engine.tree.element_id[candidate]])
        else:
            buses = self.engine.topology.downstream_buses(branch)
        dead = np.flatnonzero(np.isin(self.network.branches.to_bus, buses))
        if branch != NONE:
            dead = np.union1d(dead, [branch])
        return tuple(int(b) for b in dead)

    def _cells_of(self, candidate: int) -> tuple[tuple[float, int], ...]:
        cells = self._cell[self.customers_below(candidate)]
        cells = cells[np.isfinite(cells)]
        return tuple(Counter(cells.tolist()).items())

    def _address_near(self, candidate: int, device_id: str) -> str:
        """The street address of the customer nearest the device: where the crew goes."""
        where = outage_location(self.network, device_id)
        below = self.customers_below(candidate)
        if where is None or len(below) == 0:
            return ""
        c = self.network.customers
        d = (c.x[below] - where[0]) ** 2 + (c.y[below] - where[1]) ** 2
        i = int(below[int(np.nanargmin(d))])
        # Networks imported from a study model have no street addresses: the service
        # point's id is what a crew can look up.
        return f"near {c.address[i] or f'service point {c.ids[i]}'}"


def outage_summary(views: NetworkViews, outage: Outage) -> dict[str, Any]:
    """Dispatcher view of one outage, without the (long) customer list."""
    data = outage.to_json(customer_ids=())
    del data["customer_ids"]
    where = outage_location(views.network, outage.device_id)
    data["location"] = {"lon": where[0], "lat": where[1]} if where else None
    data["branches"] = list(views.dead_branches(outage.candidate)) if outage.active else []
    data["address"] = views.address_near(outage.candidate, outage.device_id)
    data["active"] = outage.active
    return data


def open_report_summary(engine: OutageEngine, report: OpenReport) -> dict[str, Any]:
    """Dispatcher view of a report no outage explains: who, where, since when, what, and
    the device nearest above the customer (where the desk would record an outage it has
    confirmed; none when that is a whole feeder)."""
    data = report.to_json()
    c = engine.network.customers
    i = c.index[report.customer_id]
    data["address"] = c.address[i]
    x, y = float(c.x[i]), float(c.y[i])
    data["location"] = {"lon": x, "lat": y} if math.isfinite(x) and math.isfinite(y) else None
    tree = engine.tree
    above = int(tree.customer_parent[i])
    data["device"] = ({"id": tree.element_id[above], "kind": tree.kind[above],
                       "customers": int(tree.customers[above])}
                      if above != NONE and tree.kind[above] != "source" else None)
    return data


def public_areas(views: NetworkViews, outages: list[Outage], now: datetime) -> dict[str, Any]:
    """Areas and counts only: grid cells with customers out (no ids, no addresses), as of
    `now`."""
    out: Counter[float] = Counter()
    for outage in outages:
        if outage.active:
            for cell, count in views.cells_of(outage.candidate):
                out[cell] += count
    areas = []
    for cell, count in sorted(out.items()):
        gx, gy = divmod(cell, 1_000_000)
        if gy >= 500_000:  # negative y cells wrap: undo the packing
            gx, gy = gx + 1, gy - 1_000_000
        served = views.served_by_cell.get(cell, count)
        areas.append({"lon": round((gx + 0.5) * CELL_DEG, 5),
                      "lat": round((gy + 0.5) * CELL_DEG, 5), "size_deg": CELL_DEG,
                      "customers_out": int(count),
                      "customers_served": int(served)})
    live = [o for o in outages if o.active]
    back = restored_by(live)
    return {"as_of": now.isoformat(), "customers_out": int(sum(out.values())),
            "outages": len(live),
            # By when nine in ten of them are to be back, by their ETRs (as told).
            "restored_by": round_up(back).isoformat() if back else None,
            "restored_share": OUTLOOK_SHARE,
            "customers_served": int(views.network.customers.count.sum()), "areas": areas,
            "bounds": views.bounds}


def customer_status(engine: OutageEngine, customer_id: str, now: datetime,
                    crew_eta: datetime | None = None) -> dict[str, Any]:
    """What a customer may see about their own supply; nothing about anyone else."""
    network = engine.network
    i = network.customers.index[customer_id]
    address = network.customers.address[i]
    street = address.split(" ", 1)[1] if " " in address else ""
    result: dict[str, Any] = {"street": street, "as_of": now.isoformat()}
    outage = engine.customer_status(customer_id)
    if outage is not None:
        crew = outage.stage in (Stage.ASSIGNED, Stage.EN_ROUTE, Stage.ON_SITE)
        result.update(power="off", outage={
            "reference": outage.id,
            "since": outage.started.isoformat(),
            "customers_affected": outage.customers_out,
            "stage": str(outage.stage),
            "status": PUBLIC_STAGE[outage.stage],
            # To the quarter hour, as customers are told it: an estimate that moves by
            # minutes with every report is not news to text them each time.
            "etr": round_up(outage.etr).isoformat() if outage.etr else None,
            # Whose it is, as a customer would say it (the crew's own weighs most).
            "etr_by": ETR_BY_WORDS.get(outage.etr_source) if outage.etr else None,
            "crew_status": PUBLIC_STAGE[outage.stage] if crew else "Not yet assigned",
            "crew_eta": crew_eta.isoformat()
            if crew_eta and outage.stage in (Stage.ASSIGNED, Stage.EN_ROUTE) else None,
            "cause": outage.cause or None,
        })
        return result
    report = open_report_of(engine, customer_id)
    if report is not None:
        heard = ("We have your report." if report.called
                 else "Your meter reported a loss of power.")
        result.update(power="unknown", status=f"{heard} {CHECKING}",
                      reported_at=report.since.isoformat())
        return result
    restored = float(engine.reports.restored_at[i])
    when = datetime.fromtimestamp(restored, tz=UTC) if math.isfinite(restored) else None
    if when is not None and now - when <= RECENTLY_RESTORED:
        result.update(power="on", restored_at=when.isoformat(), status=PUBLIC_STAGE[Stage.RESTORED])
    else:
        result.update(power="on", status="No known outage at this address")
    return result
