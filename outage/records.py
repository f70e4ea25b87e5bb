"""Outage records: what a dispatcher sees of each outage, from first report to restoration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class Stage(StrEnum):
    """Lifecycle of an outage, in order; `cancelled` ends one that was not real."""

    PREDICTED = "predicted"
    CONFIRMED = "confirmed"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ON_SITE = "on_site"
    RESTORED = "restored"
    CANCELLED = "cancelled"


# Who may have set an outage's ETR (`Outage.etr_source`): the model, the dispatch plan,
# or a person — a dispatcher, or the crew at the job — whose estimate no plan overrides.
ETR_BY_PEOPLE = frozenset({"dispatcher", "crew"})

# The three statuses of the replay contract (DESIGN.md §5); crew stages are confirmed.
CONTRACT_STATUS = {
    Stage.PREDICTED: "predicted",
    Stage.CONFIRMED: "confirmed",
    Stage.ASSIGNED: "confirmed",
    Stage.EN_ROUTE: "confirmed",
    Stage.ON_SITE: "confirmed",
    Stage.RESTORED: "restored",
}


@dataclass(slots=True)
class Outage:
    """One outage. Mutable inside the engine only; readers get `to_json()` snapshots."""

    id: str
    candidate: int
    device_id: str
    device_kind: str
    feeder: str
    stage: Stage
    started: datetime
    first_report: datetime
    updated: datetime
    customers_out: int
    critical_out: int
    confidence: float = 0.0
    explanation: str = ""
    restored: datetime | None = None
    customer_ids: tuple[str, ...] = ()  # frozen at restoration; live outages compute theirs
    calls: int = 0
    gasps: int = 0
    hazards: set[str] = field(default_factory=set)
    crew_id: str = ""
    cause: str = ""
    etr: datetime | None = None
    etr_source: str = "model"  # model | plan | dispatcher | crew
    merged_from: list[str] = field(default_factory=list)
    # Its start as its reports last told it (`OutageEngine._date_by_reports`), read
    # again as they double and at its restoration; how many there were then (calls and
    # last gasps); and the minutes it was put before its first call: the wait expected
    # of the first of its callers.
    report_dated: datetime | None = None
    dated_reports: int = 0
    first_call_wait: float = 0.0
    # Customers restored before the outage as a whole (a section back-fed through a
    # tie): when, and who. Their interruption ends then; the record keeps them all.
    steps: list[tuple[datetime, tuple[str, ...]]] = field(default_factory=list)
    # When a crew was first on site (or restored it, having said nothing before): the
    # utility's response to its customers' reports (`outage.response`).
    arrived: datetime | None = None

    @property
    def active(self) -> bool:
        return self.stage not in (Stage.RESTORED, Stage.CANCELLED)

    @property
    def momentary(self) -> bool:
        """Restored within five minutes: a momentary interruption (IEEE 1366)."""
        return self.restored is not None and (self.restored - self.started).total_seconds() <= 300

    def to_json(self, customer_ids: tuple[str, ...] | None = None) -> dict[str, Any]:
        """The replay contract's fields, then the rest of what a dispatcher sees."""
        ids = list(customer_ids if customer_ids is not None else self.customer_ids)
        return {
            "id": self.id,
            "device_id": self.device_id,
            "status": CONTRACT_STATUS.get(self.stage, str(self.stage)),
            "customers_out": self.customers_out,
            "customer_ids": ids,
            "confidence": round(self.confidence, 4),
            "started": self.started.isoformat(),
            "restored": self.restored.isoformat() if self.restored else None,
            "explanation": self.explanation,
            "stage": str(self.stage),
            "device_kind": self.device_kind,
            "feeder": self.feeder,
            "critical_out": self.critical_out,
            "first_report": self.first_report.isoformat(),
            "calls": self.calls,
            "gasps": self.gasps,
            "hazards": sorted(self.hazards),
            "crew_id": self.crew_id,
            "cause": self.cause,
            "etr": self.etr.isoformat() if self.etr else None,
            "etr_source": self.etr_source,
            "arrived": self.arrived.isoformat() if self.arrived else None,
            "momentary": self.momentary,
            "merged_from": list(self.merged_from),
            "steps": [{"restored": when.isoformat(), "customers": len(ids),
                       "customer_ids": list(ids)} for when, ids in self.steps],
        }
