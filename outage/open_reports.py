"""Reports no live outage explains: what a dispatcher must still see.

A call that does not add up to an outage (one customer under a transformer whose
neighbours have power, a first call the engine weighs as possibly false), a lone
last gasp, a wire down in a yard with the power on: the engine keeps them as
evidence (for three hours: `EVIDENCE_FOR` in `outage.engine`; older, they are not of
the outages beginning now), and they are listed here until the customer's power is
known to be on or an outage over them is restored. A utility's trouble desk works
these one by one (a callback, a ping, a crew visit).

A meter silent since its area was restored is evidence too (of a nested outage), but
not a report of its own: every restoration leaves as many silent meters as restore
messages are lost (one in five at 80 % delivery), nearly all of them with power. It
is listed only beside a call, a gasp or a hazard of the customer's; where silence
adds up to an outage, the outage is what the desk and the customer see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from outage.candidates import NONE

if TYPE_CHECKING:
    from outage.engine import OutageEngine


@dataclass(frozen=True, slots=True)
class OpenReport:
    """One customer's reports that no live outage covers."""

    customer_id: str
    since: datetime  # the first of them
    called: bool
    last_gasp: bool
    silent: bool  # gasped, its area was restored, no power-restore message since
    hazards: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"customer_id": self.customer_id, "since": self.since.isoformat(),
                "called": self.called, "last_gasp": self.last_gasp, "silent": self.silent,
                "hazards": list(self.hazards)}


def open_reports(engine: OutageEngine) -> list[OpenReport]:
    """Customers with a report outside every live outage, oldest first."""
    alone = _alone(engine)
    alone = alone[np.argsort(engine.reports.report_time[alone], kind="stable")]
    return [_report(engine, i) for i in alone.tolist()]


def count_open_reports(engine: OutageEngine) -> tuple[int, int]:
    """How many customers have a report outside every live outage, and how many of those
    reported a hazard (the KPIs)."""
    alone = _alone(engine)
    return len(alone), sum(1 for i in alone.tolist() if i in engine.hazards)


def reporting_mask(engine: OutageEngine, customers: np.ndarray) -> np.ndarray:
    """Which of these customers have a report of their own: evidence that is more
    than a silent meter."""
    silent_only = engine.reports.silent_only(customers)
    if silent_only.any():
        hazards = np.array([i in engine.hazards for i in customers[silent_only].tolist()])
        silent_only[silent_only] = ~hazards
    reported: np.ndarray = np.isfinite(engine.reports.report_time[customers]) & ~silent_only
    return reported


def _alone(engine: OutageEngine) -> np.ndarray:
    """Indices of the customers with an open report that no live outage covers."""
    reporting: np.ndarray = np.flatnonzero(np.isfinite(engine.reports.report_time))
    reporting = reporting[reporting_mask(engine, reporting)]
    if len(reporting) == 0:
        return reporting
    tree = engine.tree
    # Candidates are in preorder: a live outage covers the interval [tin, tout).
    depth = np.zeros(len(tree) + 1, dtype=np.int64)
    for outage in engine.book.live():
        depth[tree.tin[outage.candidate]] += 1
        depth[tree.tout[outage.candidate]] -= 1
    covered = np.cumsum(depth)[:-1] > 0
    parent = tree.customer_parent[reporting]
    fed = parent != NONE
    alone: np.ndarray = reporting[~fed | ~covered[np.where(fed, parent, 0)]]
    return alone


def open_report_of(engine: OutageEngine, customer_id: str) -> OpenReport | None:
    """The customer's own open report, if no live outage covers it."""
    i = engine.network.customers.index[customer_id]
    if (not reporting_mask(engine, np.array([i]))[0]
            or engine.customer_status(customer_id) is not None):
        return None
    return _report(engine, i)


def _report(engine: OutageEngine, i: int) -> OpenReport:
    return OpenReport(
        customer_id=engine.network.customers.ids[i],
        since=datetime.fromtimestamp(float(engine.reports.report_time[i]), tz=UTC),
        called=bool(engine.reports.called[i]),
        last_gasp=bool(engine.reports.gasped[i]),
        silent=bool(engine.reports.silent[i]),
        hazards=engine.hazards.of(i),
    )
